#pragma once
// Helpers shared by the storage tests: a scratch folder, raw file access and a tiny tmpfs mount.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace storage::testing {

// A fresh folder under the system temp dir, removed (with its contents) on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::vector<unsigned char> read_bytes(const std::filesystem::path& file);
void write_bytes(const std::filesystem::path& file, const std::vector<unsigned char>& bytes);
std::vector<unsigned char> bytes_of(std::string_view text);
std::vector<unsigned char> pseudo_random_bytes(std::size_t n, unsigned seed);
bool contains_bytes(const std::vector<unsigned char>& haystack, std::string_view needle);
// Every regular file below `dir` whose name contains `marker`.
std::vector<std::filesystem::path> files_containing(const std::filesystem::path& dir,
                                                    std::string_view marker);

// A tmpfs of `size` bytes mounted on `dir` (which must exist) for the lifetime of the object.
// mounted() is false if the kernel refused (not root / no CAP_SYS_ADMIN); error() says why.
class TinyTmpfs {
 public:
  TinyTmpfs(const std::filesystem::path& dir, std::size_t size);
  ~TinyTmpfs();
  TinyTmpfs(const TinyTmpfs&) = delete;
  TinyTmpfs& operator=(const TinyTmpfs&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string error_;
};

// Lowers RLIMIT_FSIZE (writes beyond it fail with EFBIG; SIGXFSZ is ignored meanwhile) and
// restores both on destruction.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::size_t bytes);
  ~FileSizeLimit();
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  bool active() const { return active_; }

 private:
  bool active_ = false;
  unsigned long long old_cur_ = 0;
  unsigned long long old_max_ = 0;
  void (*old_handler_)(int) = nullptr;
};

}  // namespace storage::testing
