#include "station/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

namespace station {

namespace fs = std::filesystem;

Result<std::vector<unsigned char>> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, "cannot open " + path.filename().string());
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return fail(ErrorCode::kIo, "cannot read " + path.filename().string());
  return bytes;
}

Result<std::vector<unsigned char>> read_file_bounded(const fs::path& path, std::uint64_t max_bytes) {
  const std::string name = path.filename().string();
  // O_NONBLOCK: a fifo planted under an image name must not block the import.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    if (errno == ELOOP) return fail(ErrorCode::kIo, "refusing a symbolic link: " + name);
    return fail(ErrorCode::kIo, "cannot open " + name);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st{};
  if (::fstat(fd, &st) != 0) return fail(ErrorCode::kIo, "cannot stat " + name);
  if (!S_ISREG(st.st_mode)) return fail(ErrorCode::kIo, "not a regular file: " + name);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > max_bytes)
    return fail(ErrorCode::kImageTooLarge, name + " is " + std::to_string(size) + " bytes, over the limit",
                "ファイルが大きすぎます（上限 " + std::to_string(max_bytes / (1024 * 1024)) +
                    " MB）。スキャナーの解像度を 200〜300 dpi にするか、ファイルを分けて取り込んでください。");
  std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrorCode::kIo, "cannot read " + name);
    if (n == 0) break;  // shrank while read: what is there
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

Status fsync_path(const fs::path& p, bool directory) {
  int fd = ::open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return fail(ErrorCode::kIo, "cannot open " + p.string());
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && !(directory && err == EINVAL)) return fail(ErrorCode::kIo, "cannot sync " + p.string());
  return {};
}

Status write_new_file(const fs::path& p, std::span<const unsigned char> bytes) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail(errno == ENOSPC ? ErrorCode::kDiskFull : ErrorCode::kIo, "cannot create " + p.string());
  std::size_t done = 0;
  int err = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : ENOSPC;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(p.c_str());
    const bool full = err == ENOSPC || err == EDQUOT || err == EFBIG;
    return fail(full ? ErrorCode::kDiskFull : ErrorCode::kIo, "cannot write " + p.string());
  }
  return {};
}

bool is_image_name(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::set<std::string> kExt = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf"};
  return kExt.contains(ext);
}

std::vector<fs::path> image_files_in(const fs::path& dir) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file(ec) && !e.is_symlink(ec) && is_image_name(e.path())) found.push_back(e.path());
  std::sort(found.begin(), found.end());
  return found;
}

TreeGuard::~TreeGuard() {
  if (!path.empty()) {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
}

}  // namespace station
