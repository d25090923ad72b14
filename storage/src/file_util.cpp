// POSIX file helpers for the storage module.
#include "file_util.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "storage/keys.h"

namespace storage::detail {

namespace fs = std::filesystem;

Error errno_error(int err, std::string_view operation, const fs::path& path) {
  std::string message = std::string(operation) + " " + path.string() + ": " + std::strerror(err);
  switch (err) {
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return Error{Code::kDiskFull, std::move(message)};
    case ENOENT:
      return Error{Code::kNotFound, std::move(message)};
    default:
      return Error{Code::kIo, std::move(message)};
  }
}

UniqueFd::UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::close_checked() {
  if (fd_ < 0) return 0;
  // On Linux the descriptor is released even if close() fails; never retry it.
  int rc = ::close(std::exchange(fd_, -1));
  return rc == 0 ? 0 : errno;
}

Status write_all(int fd, std::span<const unsigned char> bytes, const fs::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(errno_error(errno, "write", path));
    }
    if (n == 0) return std::unexpected(errno_error(ENOSPC, "write", path));
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

Result<std::vector<unsigned char>> read_file(const fs::path& path, std::size_t max_size) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::unexpected(errno_error(errno, "open", path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return std::unexpected(errno_error(errno, "stat", path));
  if (!S_ISREG(st.st_mode)) return fail(Code::kInvalid, "not a regular file: " + path.string());
  if (static_cast<std::size_t>(st.st_size) > max_size) {
    return fail(Code::kInvalid, "file too large: " + path.string());
  }
  std::vector<unsigned char> out(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  for (;;) {
    if (done == out.size()) {
      // The file may have grown since fstat; read on until EOF, within the limit.
      if (out.size() >= max_size) {
        unsigned char probe;
        ssize_t n = ::read(fd.get(), &probe, 1);
        if (n == 0) break;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::unexpected(errno_error(errno, "read", path));
        return fail(Code::kInvalid, "file too large: " + path.string());
      }
      out.resize(std::min(max_size, out.size() + 4096));
    }
    ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(errno_error(errno, "read", path));
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return out;
}

Status fsync_dir(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return std::unexpected(errno_error(errno, "open folder", dir));
  if (::fsync(fd.get()) != 0 && errno != EINVAL) {  // EINVAL: filesystem without dir fsync
    return std::unexpected(errno_error(errno, "fsync folder", dir));
  }
  return {};
}

Status ensure_private_dir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) {
    fs::path parent = dir.parent_path();
    return fsync_dir(parent.empty() ? fs::path(".") : parent);
  }
  if (errno != EEXIST) return std::unexpected(errno_error(errno, "create folder", dir));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return std::unexpected(errno_error(errno, "stat", dir));
  if (!S_ISDIR(st.st_mode)) return fail(Code::kInvalid, "not a folder: " + dir.string());
  return {};
}

Result<TempFile> TempFile::create(const fs::path& final_path) {
  // A few attempts: a name can collide with a file a cleanup is removing right now.
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string suffix = random_hex(8);
    if (suffix.empty()) return fail(Code::kIo, "no randomness for a temporary file name");
    fs::path tmp = final_path;
    tmp += std::string(kTempMarker) + suffix;
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.valid()) {
      if (errno == EEXIST) continue;
      return std::unexpected(errno_error(errno, "create", tmp));
    }
    // Lock before writing. If a cleanup got the lock first, or already unlinked the new file
    // (nlink == 0), give this name up and take another.
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return std::unexpected(errno_error(errno, "stat", tmp));
    if (st.st_nlink == 0) continue;
    return TempFile(final_path, std::move(tmp), std::move(fd));
  }
  return fail(Code::kIo, "could not create a temporary file beside " + final_path.string());
}

TempFile::TempFile(TempFile&& other) noexcept
    : final_(std::move(other.final_)),
      tmp_(std::move(other.tmp_)),
      fd_(std::move(other.fd_)),
      committed_(std::exchange(other.committed_, true)) {}

TempFile::~TempFile() {
  if (!committed_ && !tmp_.empty()) {
    ::unlink(tmp_.c_str());  // still locked by us, so no cleanup races with this
  }
}

Status TempFile::write(std::span<const unsigned char> bytes) { return write_all(fd_.get(), bytes, tmp_); }

Status TempFile::commit(bool replace) {
  if (::fsync(fd_.get()) != 0) return std::unexpected(errno_error(errno, "fsync", tmp_));
  int rc = 0;
  if (replace) {
    rc = ::rename(tmp_.c_str(), final_.c_str());
  } else {
    rc = ::renameat2(AT_FDCWD, tmp_.c_str(), AT_FDCWD, final_.c_str(), RENAME_NOREPLACE);
    if (rc != 0 && errno == EINVAL) {
      // Filesystem without RENAME_NOREPLACE: link() also refuses to overwrite, atomically.
      rc = ::link(tmp_.c_str(), final_.c_str());
      if (rc == 0) ::unlink(tmp_.c_str());
    }
  }
  if (rc != 0) {
    if (errno == EEXIST) return fail(Code::kInvalid, "exists already: " + final_.string());
    return std::unexpected(errno_error(errno, "rename", final_));
  }
  committed_ = true;
  // The rename is done; closing releases the lock. The data was fsync'ed already, so a late
  // close() error cannot lose anything and is ignored.
  fd_.close_checked();
  fs::path dir = final_.parent_path();
  return fsync_dir(dir.empty() ? fs::path(".") : dir);
}

bool remove_if_abandoned(const fs::path& tmp) {
  UniqueFd fd(::open(tmp.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return false;
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return false;  // a writer is alive
  return ::unlink(tmp.c_str()) == 0;
}

}  // namespace storage::detail
