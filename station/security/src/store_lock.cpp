// The store lock (store_lock.h).
#include "station/security/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "station/security/layout.h"

namespace station::security {

StoreLock& StoreLock::operator=(StoreLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

Result<StoreLock> StoreLock::acquire(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / kLockFile;
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorCode::kIo, "cannot open " + file.string());
  StoreLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    return fail(ErrorCode::kConflict, "the store at " + dir.string() + " is open in another process");
  }
  return lock;
}

}  // namespace station::security
