#include "test_support.h"

#include <sys/mount.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

namespace storage::testing {

namespace fs = std::filesystem;

ScratchDir::ScratchDir() {
  std::string templ = (fs::temp_directory_path() / "storage-test-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::vector<unsigned char> read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& file, const std::vector<unsigned char>& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<unsigned char> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

std::vector<unsigned char> pseudo_random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<unsigned char> out(n);
  for (auto& b : out) b = static_cast<unsigned char>(rng());
  return out;
}

bool contains_bytes(const std::vector<unsigned char>& haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](unsigned char a, char b) { return a == static_cast<unsigned char>(b); }) !=
         haystack.end();
}

std::vector<fs::path> files_containing(const fs::path& dir, std::string_view marker) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && it->path().filename().string().find(marker) != std::string::npos) {
      out.push_back(it->path());
    }
  }
  return out;
}

TinyTmpfs::TinyTmpfs(const fs::path& dir, std::size_t size) : dir_(dir) {
  std::string options = "size=" + std::to_string(size) + ",mode=0700";
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0) {
    mounted_ = true;
  } else {
    error_ = std::strerror(errno);
  }
}

TinyTmpfs::~TinyTmpfs() {
  if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
}

FileSizeLimit::FileSizeLimit(std::size_t bytes) {
  rlimit old{};
  if (::getrlimit(RLIMIT_FSIZE, &old) != 0) return;
  old_cur_ = old.rlim_cur;
  old_max_ = old.rlim_max;
  old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
  rlimit lowered{static_cast<rlim_t>(bytes), old.rlim_max};
  active_ = ::setrlimit(RLIMIT_FSIZE, &lowered) == 0;
}

FileSizeLimit::~FileSizeLimit() {
  if (active_) {
    rlimit restore{static_cast<rlim_t>(old_cur_), static_cast<rlim_t>(old_max_)};
    ::setrlimit(RLIMIT_FSIZE, &restore);
  }
  std::signal(SIGXFSZ, old_handler_ == SIG_ERR ? SIG_DFL : old_handler_);
}

}  // namespace storage::testing
