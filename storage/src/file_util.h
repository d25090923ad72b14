#pragma once
// Private POSIX file helpers: errno mapping, full reads/writes, and crash-safe replacement of a
// file through a temporary in the same folder (write, fsync, rename, fsync folder).
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/error.h"

namespace storage::detail {

// Maps an errno value to an Error. ENOSPC, EDQUOT and EFBIG (file size limit) count as a full disk;
// ENOENT as not found. The message names the operation and the file, never any content.
Error errno_error(int err, std::string_view operation, const std::filesystem::path& path);

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept;
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes now and reports the error close() returned (some filesystems report ENOSPC there).
  int close_checked();

 private:
  int fd_ = -1;
};

// Writes every byte (retrying short writes and EINTR).
Status write_all(int fd, std::span<const unsigned char> bytes, const std::filesystem::path& path);

// Reads a whole file. kNotFound if absent; kInvalid if larger than max_size.
Result<std::vector<unsigned char>> read_file(const std::filesystem::path& path, std::size_t max_size);

// Makes a rename or unlink in `dir` durable.
Status fsync_dir(const std::filesystem::path& dir);

// Creates `dir` (one level) with mode 0700 if absent; fsyncs its parent when it was created.
Status ensure_private_dir(const std::filesystem::path& dir);

// A temporary file "<final name>.tmp-<random>" beside the final file. The writer holds an
// exclusive flock() on it, so a concurrent cleanup (remove_stale_temporaries) can tell a file being
// written from one left by a crash. Removed on destruction unless committed.
class TempFile {
 public:
  static Result<TempFile> create(const std::filesystem::path& final_path);
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&&) = delete;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  Status write(std::span<const unsigned char> bytes);
  // fsync, close, rename onto the final path, fsync the folder. With replace == false an existing
  // final file is left alone and kInvalid ("exists") is returned atomically (RENAME_NOREPLACE).
  Status commit(bool replace);

  const std::filesystem::path& path() const { return tmp_; }

 private:
  TempFile(std::filesystem::path final_path, std::filesystem::path tmp, UniqueFd fd)
      : final_(std::move(final_path)), tmp_(std::move(tmp)), fd_(std::move(fd)) {}
  std::filesystem::path final_;
  std::filesystem::path tmp_;
  UniqueFd fd_;
  bool committed_ = false;
};

// The marker in temporary file names.
inline constexpr std::string_view kTempMarker = ".tmp-";

// Removes a temporary file unless another process or thread is still writing it (its writer holds
// an flock). Returns true if the file was removed.
bool remove_if_abandoned(const std::filesystem::path& tmp);

}  // namespace storage::detail
