// The encrypted bundle that carries the day's set off the station: a ZIP with every entry
// AES-256 encrypted (libzip). The archive is assembled in memory and written atomically.
#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <array>
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

namespace {

std::uint32_t crc32_of(const std::vector<unsigned char>& bytes) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

void le16(std::vector<unsigned char>& o, std::uint32_t v) {
  o.push_back(static_cast<unsigned char>(v & 0xFF));
  o.push_back(static_cast<unsigned char>((v >> 8) & 0xFF));
}
void le32(std::vector<unsigned char>& o, std::uint32_t v) {
  le16(o, v & 0xFFFF);
  le16(o, v >> 16);
}

constexpr std::uint32_t kDosTime = 0;               // 00:00:00
constexpr std::uint32_t kDosDate = (46 << 9) | (1 << 5) | 1;  // 2026-01-01: no clock in a file's bytes

}  // namespace

void ZipWriter::add(const std::string& name, const std::vector<unsigned char>& bytes) {
  Central c{name, crc32_of(bytes), static_cast<std::uint32_t>(bytes.size()), static_cast<std::uint32_t>(offset_)};
  std::vector<unsigned char> part;
  part.reserve(30 + name.size() + bytes.size());
  le32(part, 0x04034b50);
  le16(part, 20);       // version needed
  le16(part, 0x0800);   // UTF-8 names
  le16(part, 0);        // stored
  le16(part, kDosTime);
  le16(part, kDosDate);
  le32(part, c.crc);
  le32(part, c.size);
  le32(part, c.size);
  le16(part, static_cast<std::uint32_t>(name.size()));
  le16(part, 0);
  part.insert(part.end(), name.begin(), name.end());
  part.insert(part.end(), bytes.begin(), bytes.end());
  offset_ += part.size();
  parts_.push_back(std::move(part));
  central_.push_back(std::move(c));
}

std::vector<unsigned char> ZipWriter::finish() {
  std::vector<unsigned char> dir;
  for (const auto& c : central_) {
    le32(dir, 0x02014b50);
    le16(dir, 20);  // made by
    le16(dir, 20);
    le16(dir, 0x0800);
    le16(dir, 0);
    le16(dir, kDosTime);
    le16(dir, kDosDate);
    le32(dir, c.crc);
    le32(dir, c.size);
    le32(dir, c.size);
    le16(dir, static_cast<std::uint32_t>(c.name.size()));
    le16(dir, 0);
    le16(dir, 0);
    le16(dir, 0);
    le16(dir, 0);
    le32(dir, 0);
    le32(dir, c.offset);
    dir.insert(dir.end(), c.name.begin(), c.name.end());
  }
  le32(dir, 0x06054b50);
  le16(dir, 0);
  le16(dir, 0);
  le16(dir, static_cast<std::uint32_t>(central_.size()));
  le16(dir, static_cast<std::uint32_t>(central_.size()));
  le32(dir, 0);  // the directory's size, set below
  le32(dir, static_cast<std::uint32_t>(offset_));
  le16(dir, 0);
  // The central directory's size (everything before the end record).
  const std::uint32_t dir_size = static_cast<std::uint32_t>(dir.size() - 22);
  for (int i = 0; i < 4; ++i) dir[dir.size() - 10 + i] = static_cast<unsigned char>((dir_size >> (8 * i)) & 0xFF);
  std::vector<unsigned char> out;
  out.reserve(offset_ + dir.size());
  for (auto& p : parts_) {
    out.insert(out.end(), p.begin(), p.end());
    std::vector<unsigned char>().swap(p);  // freed as it is copied
  }
  parts_.clear();
  out.insert(out.end(), dir.begin(), dir.end());
  return out;
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
