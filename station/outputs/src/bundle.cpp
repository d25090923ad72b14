// The encrypted bundle that carries the day's set off the station: a ZIP with every entry
// AES-256 encrypted (libzip). The archive is assembled in memory and written atomically.
#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "station/outputs/bundle.h"
#include "storage/keys.h"

namespace station::outputs {

std::string make_bundle_password(int length) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
  // Rejection sampling over random bytes keeps every character equally likely.
  const unsigned limit = 256 - 256 % kAlphabet.size();
  std::string out;
  while (static_cast<int>(out.size()) < length) {
    const std::string hex = storage::random_hex(32);
    for (std::size_t i = 0; i + 1 < hex.size() && static_cast<int>(out.size()) < length; i += 2) {
      const unsigned b = static_cast<unsigned>(std::stoul(hex.substr(i, 2), nullptr, 16));
      if (b < limit) out.push_back(kAlphabet[b % kAlphabet.size()]);
    }
  }
  return out;
}

namespace {

// The ZIP of `entries`, each AES-256 encrypted with `password` when one is given.
Result<std::vector<unsigned char>> build_zip(const std::vector<BundleEntry>& entries, const std::string* password) {
  zip_error_t zerr;
  zip_error_init(&zerr);
  zip_source_t* mem = zip_source_buffer_create(nullptr, 0, 0, &zerr);
  if (mem == nullptr) return fail(ErrorCode::kExport, "libzip: cannot create a memory source");
  zip_source_keep(mem);  // still needed after zip_close, to read the archive back
  zip_t* za = zip_open_from_source(mem, ZIP_TRUNCATE, &zerr);
  if (za == nullptr) {
    zip_source_free(mem);
    return fail(ErrorCode::kExport, "libzip: cannot open an archive in memory");
  }
  auto abandon = [&](const std::string& why) {
    zip_discard(za);
    zip_source_free(mem);
    return fail(ErrorCode::kExport, "libzip: " + why);
  };
  for (const auto& e : entries) {
    zip_source_t* src = zip_source_buffer(za, e.bytes.data(), e.bytes.size(), 0);
    if (src == nullptr) return abandon("cannot add an entry");
    zip_int64_t idx = zip_file_add(za, e.name.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (idx < 0) {
      zip_source_free(src);
      return abandon("cannot add " + e.name);
    }
    // PDFs and xlsx are compressed already: stored as they are, the set is built faster.
    const bool text = e.name.ends_with(".csv") || e.name.ends_with(".json");
    if (password == nullptr && !text && zip_set_file_compression(za, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0) != 0)
      return abandon("cannot store " + e.name);
    if (password != nullptr &&
        zip_file_set_encryption(za, static_cast<zip_uint64_t>(idx), ZIP_EM_AES_256, password->c_str()) != 0)
      return abandon("AES-256 encryption is not available");
  }
  if (zip_close(za) != 0) {
    std::string why = zip_strerror(za);
    zip_discard(za);
    zip_source_free(mem);
    return fail(ErrorCode::kExport, "libzip: " + why);
  }
  // Read the finished archive back from memory.
  std::vector<unsigned char> bytes;
  if (zip_source_open(mem) == 0) {
    zip_source_seek(mem, 0, SEEK_END);
    zip_int64_t size = zip_source_tell(mem);
    zip_source_seek(mem, 0, SEEK_SET);
    if (size > 0) {
      bytes.resize(static_cast<std::size_t>(size));
      zip_int64_t got = zip_source_read(mem, bytes.data(), bytes.size());
      if (got != size) bytes.clear();
    }
    zip_source_close(mem);
  }
  zip_source_free(mem);
  if (bytes.empty()) return fail(ErrorCode::kExport, "libzip: the archive came back empty");
  return bytes;
}

}  // namespace

Result<std::vector<unsigned char>> zip_in_memory(const std::vector<BundleEntry>& entries) {
  return build_zip(entries, nullptr);
}

Status write_encrypted_bundle(const std::string& path, const std::vector<BundleEntry>& entries,
                              const std::string& password) {
  auto bytes = build_zip(entries, &password);
  if (!bytes) return std::unexpected(bytes.error());
  return write_file_atomically(path, *bytes);
}

Status write_file_atomically(const std::string& path, const std::vector<unsigned char>& bytes) {
  // Atomic write: temporary file beside the target, fsync, rename.
  const std::string tmp = path + ".part";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorCode::kExport, "cannot create " + tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(e == ENOSPC ? ErrorCode::kDiskFull : ErrorCode::kExport,
                  "cannot write " + tmp + ": " + std::strerror(e));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return fail(ErrorCode::kExport, "cannot flush " + tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fail(ErrorCode::kExport, "cannot rename the bundle into place: " + std::string(std::strerror(errno)));
  }
  // The rename itself reaches the disk with the folder's fsync.
  const std::string folder = std::filesystem::path(path).parent_path().string();
  if (int dfd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace station::outputs
