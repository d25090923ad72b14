// Encrypted, content-addressed blob files (libsodium secretstream).
//
// File layout:
//   "STBLOB1\n"                         8 bytes, format magic
//   secretstream header                 24 bytes
//   chunk 0 .. chunk n                  each = ciphertext of up to 64 KiB of plaintext + 17 bytes
// Every chunk but the last has TAG_MESSAGE; the last has TAG_FINAL (an empty blob is one empty final
// chunk). The first chunk authenticates magic + blob id as additional data, so a file renamed to
// another id fails to decrypt. Chunks have a fixed size, so truncation, extension and reordering all
// break authentication or the final tag; the keyed digest of the plaintext is checked against the
// id as well.
#include "storage/blob_store.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "file_util.h"
#include "secure.h"

namespace storage {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "STBLOB1\n";
constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kAbytes = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr std::size_t kHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr std::size_t kMaxBlobFile = std::size_t{2} << 30;  // 2 GiB: far above any page or PDF
// The stream key is derived from the store key, so the id digest (keyed BLAKE2b) and the
// encryption never use the same key.
constexpr std::string_view kStreamPurpose = "blob-stream";

bool valid_id(const std::string& id) {
  return id.size() == 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::vector<unsigned char> first_chunk_ad(const std::string& id) {
  // Built byte by byte: GCC 12 at -O2 misreports the range-insert form (-Warray-bounds).
  std::vector<unsigned char> ad;
  ad.reserve(kMagic.size() + id.size());
  for (char c : kMagic) ad.push_back(static_cast<unsigned char>(c));
  for (char c : id) ad.push_back(static_cast<unsigned char>(c));
  return ad;
}

}  // namespace

Result<BlobStore> BlobStore::open(const fs::path& dir, SecretKey key) {
  if (key.bytes().size() != SecretKey::kSize) return fail(Code::kInvalid, "blob store key is empty");
  if (!detail::sodium_ready()) return fail(Code::kIo, "libsodium could not be initialised");
  if (dir.empty()) return fail(Code::kInvalid, "blob store folder not given");
  fs::path parent = dir.parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) return fail(Code::kIo, "create folder " + parent.string() + ": " + ec.message());
  }
  if (auto s = detail::ensure_private_dir(dir); !s) return std::unexpected(s.error());
  return BlobStore(dir, std::move(key));
}

fs::path BlobStore::path_of(const std::string& id) const { return dir_ / id.substr(0, 2) / id; }

Result<std::string> BlobStore::put(std::span<const unsigned char> bytes) {
  std::string id = keyed_digest_hex(key_, bytes);
  if (id.size() != 64) return fail(Code::kInvalid, "blob store has no key (moved-from?)");
  const fs::path final_path = path_of(id);
  struct stat st {};
  if (::stat(final_path.c_str(), &st) == 0) return id;  // same content is stored already

  if (auto s = detail::ensure_private_dir(final_path.parent_path()); !s) return std::unexpected(s.error());
  auto stream_key = key_.derive(kStreamPurpose);
  if (!stream_key) return std::unexpected(stream_key.error());

  auto tmp = detail::TempFile::create(final_path);
  if (!tmp) return std::unexpected(tmp.error());

  crypto_secretstream_xchacha20poly1305_state state;
  unsigned char header[kHeaderBytes];
  crypto_secretstream_xchacha20poly1305_init_push(&state, header, stream_key->bytes().data());
  const auto write = [&](std::span<const unsigned char> b) { return tmp->write(b); };
  if (auto s = write({reinterpret_cast<const unsigned char*>(kMagic.data()), kMagic.size()}); !s) {
    return std::unexpected(s.error());
  }
  if (auto s = write(header); !s) return std::unexpected(s.error());

  const std::vector<unsigned char> ad = first_chunk_ad(id);
  std::vector<unsigned char> out(kChunk + kAbytes);
  std::size_t pos = 0;
  bool first = true;
  do {
    const std::size_t n = std::min(kChunk, bytes.size() - pos);
    const bool last = pos + n == bytes.size();
    unsigned long long clen = 0;
    crypto_secretstream_xchacha20poly1305_push(&state, out.data(), &clen, bytes.data() + pos, n,
                                               first ? ad.data() : nullptr, first ? ad.size() : 0,
                                               last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                                    : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    if (auto s = write({out.data(), static_cast<std::size_t>(clen)}); !s) return std::unexpected(s.error());
    pos += n;
    first = false;
  } while (pos < bytes.size());
  sodium_memzero(&state, sizeof state);

  if (auto s = tmp->commit(/*replace=*/false); !s) {
    // kInvalid here means a concurrent put() stored the same content first: that is success.
    if (s.error().code == Code::kInvalid) return id;
    return std::unexpected(s.error());
  }
  return id;
}

Result<std::vector<unsigned char>> BlobStore::get(const std::string& id) const {
  if (!valid_id(id)) return fail(Code::kInvalid, "malformed blob id");
  const fs::path path = path_of(id);
  auto file = detail::read_file(path, kMaxBlobFile);
  if (!file) return std::unexpected(file.error());
  const auto corrupt = [&](std::string_view why) {
    return fail(Code::kCorrupt, "blob " + path.string() + " is damaged: " + std::string(why));
  };
  const std::vector<unsigned char>& f = *file;
  if (f.size() < kMagic.size() + kHeaderBytes ||
      !std::equal(kMagic.begin(), kMagic.end(), f.begin(),
                  [](char a, unsigned char b) { return static_cast<unsigned char>(a) == b; })) {
    return corrupt("bad file header");
  }
  auto stream_key = key_.derive(kStreamPurpose);
  if (!stream_key) return std::unexpected(stream_key.error());
  crypto_secretstream_xchacha20poly1305_state state;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, f.data() + kMagic.size(),
                                                      stream_key->bytes().data()) != 0) {
    return corrupt("bad stream header");
  }

  const std::vector<unsigned char> ad = first_chunk_ad(id);
  std::size_t pos = kMagic.size() + kHeaderBytes;
  std::vector<unsigned char> plain;
  plain.reserve(f.size() - pos);
  bool first = true;
  bool final_seen = false;
  while (pos < f.size()) {
    if (final_seen) return corrupt("data after the final chunk");
    const std::size_t clen = std::min(kChunk + kAbytes, f.size() - pos);
    if (clen < kAbytes) return corrupt("truncated chunk");
    const std::size_t at = plain.size();
    plain.resize(at + clen - kAbytes);
    unsigned long long mlen = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&state, plain.data() + at, &mlen, &tag, f.data() + pos,
                                                   clen, first ? ad.data() : nullptr,
                                                   first ? ad.size() : 0) != 0) {
      return corrupt("authentication failed");
    }
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      final_seen = true;
    } else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
      return corrupt("unexpected chunk tag");
    }
    pos += clen;
    first = false;
  }
  sodium_memzero(&state, sizeof state);
  if (!final_seen) return corrupt("truncated (no final chunk)");

  const std::string digest = keyed_digest_hex(key_, plain);
  if (digest.size() != id.size() || sodium_memcmp(digest.data(), id.data(), id.size()) != 0) {
    return corrupt("content does not match its id");
  }
  return plain;
}

bool BlobStore::contains(const std::string& id) const {
  if (!valid_id(id)) return false;
  struct stat st {};
  return ::stat(path_of(id).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Status BlobStore::remove(const std::string& id) {
  if (!valid_id(id)) return fail(Code::kInvalid, "malformed blob id");
  const fs::path path = path_of(id);
  if (::unlink(path.c_str()) != 0) return std::unexpected(detail::errno_error(errno, "remove", path));
  return detail::fsync_dir(path.parent_path());
}

int BlobStore::remove_stale_temporaries() {
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator fan(dir_, ec), end; !ec && fan != end; fan.increment(ec)) {
    const std::string name = fan->path().filename().string();
    std::error_code type_ec;
    if (name.size() != 2 || !fan->is_directory(type_ec)) continue;
    bool any = false;
    std::error_code inner_ec;
    for (fs::directory_iterator it(fan->path(), inner_ec); !inner_ec && it != end; it.increment(inner_ec)) {
      if (it->path().filename().string().find(detail::kTempMarker) == std::string::npos) continue;
      // A temporary still locked by a running put() is not stale and stays.
      if (detail::remove_if_abandoned(it->path())) {
        ++removed;
        any = true;
      }
    }
    if (any) (void)detail::fsync_dir(fan->path());
  }
  return removed;
}

}  // namespace storage

namespace storage {

Result<std::vector<std::string>> BlobStore::list() const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (fs::directory_iterator fan(dir_, ec), end; !ec && fan != end; fan.increment(ec)) {
    const std::string prefix = fan->path().filename().string();
    std::error_code type_ec;
    if (prefix.size() != 2 || !fan->is_directory(type_ec)) continue;
    std::error_code inner_ec;
    for (fs::directory_iterator it(fan->path(), inner_ec); !inner_ec && it != end; it.increment(inner_ec)) {
      std::string name = it->path().filename().string();
      if (valid_id(name) && name.compare(0, 2, prefix) == 0) ids.push_back(std::move(name));
    }
    if (inner_ec) return fail(Code::kIo, "list " + fan->path().string() + ": " + inner_ec.message());
  }
  if (ec) return fail(Code::kIo, "list " + dir_.string() + ": " + ec.message());
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::uint64_t> BlobStore::stored_size(const std::string& id) const {
  if (!valid_id(id)) return fail(Code::kInvalid, "malformed blob id");
  struct stat st {};
  const fs::path path = path_of(id);
  if (::stat(path.c_str(), &st) != 0) return std::unexpected(detail::errno_error(errno, "stat", path));
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace storage
