// Secret keys, the passphrase-wrapped keyring file and password hashes (libsodium).
#include "storage/keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "file_util.h"
#include "kdf/test_cost.h"
#include "secure.h"

namespace storage {

namespace fs = std::filesystem;
using detail::SecureBuffer;
using detail::sodium_ready;

namespace {

Status require_sodium() {
  if (!sodium_ready()) return fail(Code::kIo, "libsodium could not be initialised");
  return {};
}

// Every derived key uses this crypto_kdf context; the purpose selects the sub-key id.
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "stnkey01";

// The purpose string, hashed to the 64-bit sub-key id of crypto_kdf. Deterministic across
// versions and platforms (BLAKE2b, little-endian read). 64 bits make accidental collisions between
// the handful of purposes negligible.
std::uint64_t subkey_id(std::string_view purpose) {
  unsigned char h[crypto_generichash_BYTES_MIN];  // 16 bytes; the first 8 are used
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size(),
                     nullptr, 0);
  std::uint64_t id = 0;
  for (int i = 7; i >= 0; --i) id = (id << 8) | h[i];
  return id;
}

}  // namespace

// ---- SecretKey ----------------------------------------------------------------------------------

Result<SecretKey> SecretKey::random() {
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  auto* p = static_cast<unsigned char*>(sodium_malloc(kSize));
  if (p == nullptr) return fail(Code::kIo, "out of secure memory for a key");
  randombytes_buf(p, kSize);
  return SecretKey(p);
}

Result<SecretKey> SecretKey::from_bytes(std::span<const unsigned char> bytes) {
  if (bytes.size() != kSize) return fail(Code::kInvalid, "a key must be 32 bytes");
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  auto* p = static_cast<unsigned char*>(sodium_malloc(kSize));
  if (p == nullptr) return fail(Code::kIo, "out of secure memory for a key");
  std::memcpy(p, bytes.data(), kSize);
  return SecretKey(p);
}

SecretKey::SecretKey(SecretKey&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    if (p_ != nullptr) sodium_free(p_);
    p_ = std::exchange(other.p_, nullptr);
  }
  return *this;
}

SecretKey::~SecretKey() {
  if (p_ != nullptr) sodium_free(p_);  // wipes, then unlocks and frees
}

std::span<const unsigned char> SecretKey::bytes() const {
  if (p_ == nullptr) return {};  // moved-from
  return {p_, kSize};
}

bool SecretKey::equals(const SecretKey& other) const {
  if (p_ == nullptr || other.p_ == nullptr) return false;
  return sodium_memcmp(p_, other.p_, kSize) == 0;
}

Result<SecretKey> SecretKey::derive(std::string_view purpose) const {
  if (p_ == nullptr) return fail(Code::kInvalid, "derive from an empty (moved-from) key");
  if (purpose.empty()) return fail(Code::kInvalid, "a key purpose must not be empty");
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  auto* sub = static_cast<unsigned char*>(sodium_malloc(kSize));
  if (sub == nullptr) return fail(Code::kIo, "out of secure memory for a key");
  SecretKey out(sub);
  if (crypto_kdf_derive_from_key(sub, kSize, subkey_id(purpose), kKdfContext, p_) != 0) {
    return fail(Code::kIo, "key derivation failed");
  }
  return out;
}

// ---- Key files ----------------------------------------------------------------------------------
//
// File layout (exactly 64 bytes): "STATION-KEYFILE1" | secret (32 random bytes) | checksum, where
// the checksum is an unkeyed BLAKE2b-128 of the first 48 bytes. The checksum only tells a damaged
// file from the key file of another store; the slot's AEAD is what authenticates the secret.

namespace {

constexpr std::string_view kKeyFileMagic = "STATION-KEYFILE1";
constexpr std::size_t kKeyFileChecksum = 16;
static_assert(kKeyFileMagic.size() + SecretKey::kSize + kKeyFileChecksum == KeyFile::kFileSize);

void key_file_checksum(const unsigned char* first48, unsigned char* out16) {
  crypto_generichash(out16, kKeyFileChecksum, first48, kKeyFileMagic.size() + SecretKey::kSize, nullptr, 0);
}

// Writes `bytes` to a new file (never over one: kInvalid when it exists), mode 0400, synced with
// its folder; a failure on the way removes what was written. `what` names the file in errors.
Status write_new_secret_file(const fs::path& path, std::span<const unsigned char> bytes, const std::string& what) {
  detail::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400));
  if (!fd.valid()) {
    if (errno == EEXIST) return fail(Code::kInvalid, "a file exists already: " + path.string());
    return std::unexpected(detail::errno_error(errno, "create " + what, path));
  }
  const auto remove = [&] { ::unlink(path.c_str()); };
  if (auto s = detail::write_all(fd.get(), bytes, path); !s) {
    remove();
    return std::unexpected(s.error());
  }
  if (::fsync(fd.get()) != 0) {
    Error e = detail::errno_error(errno, "fsync " + what, path);
    remove();
    return std::unexpected(std::move(e));
  }
  if (int err = fd.close_checked(); err != 0) {
    Error e = detail::errno_error(err, "close " + what, path);
    remove();
    return std::unexpected(std::move(e));
  }
  fs::path dir = path.parent_path();
  if (auto s = detail::fsync_dir(dir.empty() ? fs::path(".") : dir); !s) {
    remove();
    return std::unexpected(s.error());
  }
  return {};
}

}  // namespace

Result<SecretKey> KeyFile::read(const fs::path& path) {
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  detail::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::unexpected(detail::errno_error(errno, "open key file", path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return std::unexpected(detail::errno_error(errno, "stat key file", path));
  if (!S_ISREG(st.st_mode)) return fail(Code::kCorrupt, "not a key file (not a regular file): " + path.string());
  if (static_cast<std::size_t>(st.st_size) < kFileSize)
    return fail(Code::kCorrupt, "key file truncated (" + std::to_string(st.st_size) + " bytes): " + path.string());
  if (static_cast<std::size_t>(st.st_size) > kFileSize)
    return fail(Code::kCorrupt, "not a station key file (wrong size): " + path.string());
  SecureBuffer buf(kFileSize);
  if (!buf.ok()) return fail(Code::kIo, "out of secure memory for a key");
  std::size_t done = 0;
  while (done < kFileSize) {
    ssize_t n = ::read(fd.get(), buf.data() + done, kFileSize - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(detail::errno_error(errno, "read key file", path));
    if (n == 0) return fail(Code::kCorrupt, "key file truncated while reading: " + path.string());
    done += static_cast<std::size_t>(n);
  }
  if (std::memcmp(buf.data(), kKeyFileMagic.data(), kKeyFileMagic.size()) != 0)
    return fail(Code::kCorrupt, "not a station key file (bad header): " + path.string());
  unsigned char sum[kKeyFileChecksum];
  key_file_checksum(buf.data(), sum);
  if (sodium_memcmp(sum, buf.data() + kKeyFileMagic.size() + SecretKey::kSize, kKeyFileChecksum) != 0)
    return fail(Code::kCorrupt, "key file damaged (checksum): " + path.string());
  return SecretKey::from_bytes({buf.data() + kKeyFileMagic.size(), SecretKey::kSize});
}

Result<SecretKey> KeyFile::create(const fs::path& path) {
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  auto secret = SecretKey::random();
  if (!secret) return secret;
  SecureBuffer buf(kFileSize);
  if (!buf.ok()) return fail(Code::kIo, "out of secure memory for a key");
  std::memcpy(buf.data(), kKeyFileMagic.data(), kKeyFileMagic.size());
  std::memcpy(buf.data() + kKeyFileMagic.size(), secret->bytes().data(), SecretKey::kSize);
  key_file_checksum(buf.data(), buf.data() + kKeyFileMagic.size() + SecretKey::kSize);
  if (auto s = write_new_secret_file(path, buf.span(), "key file"); !s) return std::unexpected(s.error());
  // Removable media lie now and then: read it back before anyone relies on it.
  auto back = read(path);
  if (!back || sodium_memcmp(back->bytes().data(), secret->bytes().data(), SecretKey::kSize) != 0) {
    ::unlink(path.c_str());
    return fail(Code::kIo, "the key file read back differs from what was written: " + path.string());
  }
  return secret;
}

// ---- Argon2id cost of passphrase slots ---------------------------------------------------------

// ---- Credential files ---------------------------------------------------------------------------
//
// Exactly 32 random bytes. No header: systemd's LoadCredential= (and `install -m 0400`) hand the
// file over as it is; a file of any other size is refused, and the slot's AEAD tells a wrong
// credential from the right one.

Result<SecretKey> CredentialFile::read(const fs::path& path) {
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  detail::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::unexpected(detail::errno_error(errno, "open credential", path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return std::unexpected(detail::errno_error(errno, "stat credential", path));
  if (!S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) != kFileSize)
    return fail(Code::kCorrupt, "not a signing credential (a regular file of 32 bytes): " + path.string());
  SecureBuffer buf(kFileSize);
  if (!buf.ok()) return fail(Code::kIo, "out of secure memory for a key");
  std::size_t done = 0;
  while (done < kFileSize) {
    ssize_t n = ::read(fd.get(), buf.data() + done, kFileSize - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(detail::errno_error(errno, "read credential", path));
    if (n == 0) return fail(Code::kCorrupt, "credential truncated while reading: " + path.string());
    done += static_cast<std::size_t>(n);
  }
  return SecretKey::from_bytes(buf.span());
}

Result<SecretKey> CredentialFile::create(const fs::path& path) {
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  auto secret = SecretKey::random();
  if (!secret) return secret;
  if (auto s = write_new_secret_file(path, secret->bytes(), "credential"); !s) return std::unexpected(s.error());
  auto back = read(path);
  if (!back || !back->equals(*secret)) {
    ::unlink(path.c_str());
    return fail(Code::kIo, "the credential read back differs from what was written: " + path.string());
  }
  return secret;
}

KdfCost production_kdf_cost() { return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE}; }

KdfCost kdf_cost() { return detail::test_kdf_cost().value_or(production_kdf_cost()); }

// ---- Keyring ------------------------------------------------------------------------------------
//
// File format (JSON, version 2):
//   { "format": "station-keyring", "version": 2, "cipher": "xchacha20poly1305-ietf",
//     "key_check": hex16,
//     "slots": [
//       { "type": "passphrase", "kdf": { "algorithm": "argon2id13", "salt": hex16, "opslimit": n,
//         "memlimit": n }, "nonce": hex24, "wrapped_key": hex48 },
//       { "type": "key-file", "key_id": hex16, "nonce": hex24, "wrapped_key": hex48 } ] }
//     "store_id": hex16,                       (with the first secret slot)
//     "secrets": [
//       { "name": "audit-signing", "wrap": "master" | "credential", "credential_id": hex16 (credential),
//         "nonce": hex24, "wrapped": hex48 } ]
// A secret slot's wrapping key is a crypto_kdf sub-key ("stnsecrt") of the master key or of the
// credential, and its AD is kSecretAd|name|wrap|store:<store_id>. Programs before secret slots
// ignore the two fields (a rewrite by such a program would drop them: see docs/security.md).
// Version 1 (still read) had the passphrase slot's fields at the top level and no key_check.
// A passphrase slot's wrapping key is Argon2id(passphrase, salt, opslimit, memlimit); a key-file
// slot's is a crypto_kdf sub-key of the key file's secret. The AEAD's additional data names the
// slot type (kPassphraseAd, kKeyFileAd), so a slot cannot be passed off as the other kind.
// key_check is a keyed BLAKE2b of a constant under the master key: it lets add_key_file check it
// was handed this keyring's master key, and reveals nothing about it.
//
// Error mapping: a file that is not JSON of this shape is kCorrupt. A failed AEAD check is
// kWrongKey: a wrong passphrase and a tampered salt, limit, nonce or ciphertext are
// indistinguishable by design (each just yields a key that does not authenticate).

namespace {

constexpr std::string_view kFormat = "station-keyring";
constexpr int kVersion = 2;
constexpr std::string_view kPassphraseAd = "station-keyring v1 xchacha20poly1305-ietf argon2id13";
constexpr std::string_view kKeyFileAd = "station-keyring v2 xchacha20poly1305-ietf key-file";
constexpr std::string_view kKeyCheckMessage = "station-keyring key check v2";
constexpr char kKeyFileKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "stnkfile";
constexpr std::uint64_t kKeyFileWrapId = 1;
constexpr std::uint64_t kKeyFileIdId = 2;
constexpr std::string_view kSecretAd = "station-keyring v2 xchacha20poly1305-ietf secret";
constexpr char kSecretKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "stnsecrt";
constexpr std::uint64_t kSecretMasterWrapId = 1;
constexpr std::uint64_t kSecretCredentialWrapId = 2;
constexpr std::uint64_t kSecretCredentialIdId = 3;
constexpr std::size_t kMaxSecretSlots = 16;
constexpr std::size_t kMaxKeyringFile = 64 * 1024;
// Upper bounds accepted from a file, so a damaged file cannot make us allocate absurd memory.
constexpr std::uint64_t kMaxMemlimit = std::uint64_t{4} << 30;  // 4 GiB
constexpr std::uint64_t kMaxOpslimit = 64;

struct KdfParams {
  std::vector<unsigned char> salt;
  std::uint64_t opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  std::uint64_t memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
};

enum class SlotType { kPassphrase, kKeyFile };

struct Slot {
  SlotType type = SlotType::kPassphrase;
  KdfParams kdf;        // passphrase slots
  std::string key_id;   // key-file slots: which key file (hex of a one-way sub-key)
  std::vector<unsigned char> nonce;
  std::vector<unsigned char> wrapped;
};

struct SecretSlot {
  std::string name;
  SecretWrap wrap = SecretWrap::kMaster;
  std::string credential_id;  // kCredential only
  std::vector<unsigned char> nonce;
  std::vector<unsigned char> wrapped;
};

struct KeyringFile {
  std::string key_check;  // empty in version 1 files
  std::vector<Slot> slots;
  std::string store_id;   // set with the first secret slot
  std::vector<SecretSlot> secrets;

  SecretSlot* find_secret(std::string_view name) {
    for (auto& s : secrets)
      if (s.name == name) return &s;
    return nullptr;
  }

  const Slot* find(SlotType t) const {
    for (const auto& s : slots)
      if (s.type == t) return &s;
    return nullptr;
  }
};

std::string to_hex(std::span<const unsigned char> bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  return hex;
}

std::optional<std::vector<unsigned char>> from_hex(const std::string& hex, std::size_t expected) {
  if (hex.size() != expected * 2) return std::nullopt;
  std::vector<unsigned char> out(expected);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      len != expected || end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  return out;
}

std::string key_check_of(const SecretKey& master) {
  unsigned char out[16];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(kKeyCheckMessage.data()),
                     kKeyCheckMessage.size(), master.bytes().data(), master.bytes().size());
  return to_hex(out);
}

// The wrapping key of a key-file slot and the id that names the key file in the keyring.
Result<SecureBuffer> key_file_wrapping_key(const SecretKey& secret) {
  SecureBuffer key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (!key.ok()) return fail(Code::kIo, "out of secure memory for a key");
  if (crypto_kdf_derive_from_key(key.data(), key.size(), kKeyFileWrapId, kKeyFileKdfContext,
                                 secret.bytes().data()) != 0)
    return fail(Code::kIo, "key derivation failed");
  return key;
}

std::string key_file_id(const SecretKey& secret) {
  unsigned char id[16];
  crypto_kdf_derive_from_key(id, sizeof id, kKeyFileIdId, kKeyFileKdfContext, secret.bytes().data());
  return to_hex(id);
}

Result<KeyringFile> parse_keyring(const fs::path& file) {
  auto bytes = detail::read_file(file, kMaxKeyringFile);
  if (!bytes) {
    if (bytes.error().code == Code::kInvalid)
      return fail(Code::kCorrupt, "key file too large: " + file.string());
    return std::unexpected(bytes.error());
  }
  const auto corrupt = [&](std::string_view what) {
    return fail(Code::kCorrupt, "key file " + file.string() + " is damaged: " + std::string(what));
  };
  nlohmann::json j = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return corrupt("not a JSON object");

  // Typed look-ups without exceptions.
  const auto str = [](const nlohmann::json& o, const char* k) -> std::optional<std::string> {
    auto it = o.find(k);
    if (it == o.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  const auto uint = [](const nlohmann::json& o, const char* k) -> std::optional<std::uint64_t> {
    auto it = o.find(k);
    if (it == o.end() || !it->is_number_unsigned()) return std::nullopt;
    return it->get<std::uint64_t>();
  };

  if (str(j, "format") != std::string(kFormat)) return corrupt("not a station key file");
  auto version = uint(j, "version");
  if (!version) return corrupt("no version");
  if (*version != 1 && *version != kVersion) {
    return fail(Code::kInvalid, "key file " + file.string() + " has version " + std::to_string(*version) +
                                    "; this program reads versions 1 and " + std::to_string(kVersion));
  }
  if (str(j, "cipher") != std::string("xchacha20poly1305-ietf")) return corrupt("unknown cipher");

  // One slot: the wrapped key and, by type, its KDF or key id.
  const auto parse_slot = [&](const nlohmann::json& o, SlotType type) -> Result<Slot> {
    Slot slot;
    slot.type = type;
    if (type == SlotType::kPassphrase) {
      auto kdf_it = o.find("kdf");
      if (kdf_it == o.end() || !kdf_it->is_object()) return corrupt("no kdf section");
      if (str(*kdf_it, "algorithm") != std::string("argon2id13")) return corrupt("unknown kdf algorithm");
      auto salt_hex = str(*kdf_it, "salt");
      auto ops = uint(*kdf_it, "opslimit");
      auto mem = uint(*kdf_it, "memlimit");
      if (!salt_hex || !ops || !mem) return corrupt("missing field");
      if (*ops < crypto_pwhash_OPSLIMIT_MIN || *ops > kMaxOpslimit) return corrupt("opslimit out of range");
      if (*mem < crypto_pwhash_MEMLIMIT_MIN || *mem > kMaxMemlimit) return corrupt("memlimit out of range");
      auto salt = from_hex(*salt_hex, crypto_pwhash_SALTBYTES);
      if (!salt) return corrupt("bad salt length");
      slot.kdf = KdfParams{std::move(*salt), *ops, *mem};
    } else {
      auto id = str(o, "key_id");
      if (!id || !from_hex(*id, 16)) return corrupt("bad key_id");
      slot.key_id = *id;
    }
    auto nonce_hex = str(o, "nonce");
    auto wrapped_hex = str(o, "wrapped_key");
    if (!nonce_hex || !wrapped_hex) return corrupt("missing field");
    auto nonce = from_hex(*nonce_hex, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    auto wrapped = from_hex(*wrapped_hex, SecretKey::kSize + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    if (!nonce || !wrapped) return corrupt("bad nonce or key length");
    slot.nonce = std::move(*nonce);
    slot.wrapped = std::move(*wrapped);
    return slot;
  };

  KeyringFile out;
  if (*version == 1) {
    auto slot = parse_slot(j, SlotType::kPassphrase);
    if (!slot) return std::unexpected(slot.error());
    out.slots.push_back(std::move(*slot));
    return out;
  }
  if (auto check = str(j, "key_check")) {
    if (!from_hex(*check, 16)) return corrupt("bad key_check");
    out.key_check = *check;
  }
  auto slots_it = j.find("slots");
  if (slots_it == j.end() || !slots_it->is_array()) return corrupt("no slots");
  for (const auto& o : *slots_it) {
    if (!o.is_object()) return corrupt("a slot is not an object");
    auto type = str(o, "type");
    SlotType t;
    if (type == std::string("passphrase")) {
      t = SlotType::kPassphrase;
    } else if (type == std::string("key-file")) {
      t = SlotType::kKeyFile;
    } else {
      return corrupt("unknown slot type");
    }
    if (out.find(t) != nullptr) return corrupt("two slots of one type");
    auto slot = parse_slot(o, t);
    if (!slot) return std::unexpected(slot.error());
    out.slots.push_back(std::move(*slot));
  }
  if (out.find(SlotType::kPassphrase) == nullptr) return corrupt("no passphrase slot");
  if (auto sid = str(j, "store_id")) {
    if (!from_hex(*sid, 16)) return corrupt("bad store_id");
    out.store_id = *sid;
  }
  if (auto sec_it = j.find("secrets"); sec_it != j.end()) {
    if (!sec_it->is_array() || sec_it->size() > kMaxSecretSlots) return corrupt("bad secrets");
    if (out.store_id.empty()) return corrupt("secret slots without a store_id");
    for (const auto& o : *sec_it) {
      if (!o.is_object()) return corrupt("a secret slot is not an object");
      SecretSlot slot;
      auto name = str(o, "name");
      auto wrap = str(o, "wrap");
      auto nonce_hex = str(o, "nonce");
      auto wrapped_hex = str(o, "wrapped");
      if (!name || name->empty() || name->size() > 64 || !wrap || !nonce_hex || !wrapped_hex)
        return corrupt("missing field in a secret slot");
      slot.name = *name;
      if (*wrap == "master") {
        slot.wrap = SecretWrap::kMaster;
      } else if (*wrap == "credential") {
        slot.wrap = SecretWrap::kCredential;
        auto cid = str(o, "credential_id");
        if (!cid || !from_hex(*cid, 16)) return corrupt("bad credential_id");
        slot.credential_id = *cid;
      } else {
        return corrupt("unknown secret wrapping");
      }
      auto nonce = from_hex(*nonce_hex, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
      auto wrapped = from_hex(*wrapped_hex, SecretKey::kSize + crypto_aead_xchacha20poly1305_ietf_ABYTES);
      if (!nonce || !wrapped) return corrupt("bad nonce or secret length");
      slot.nonce = std::move(*nonce);
      slot.wrapped = std::move(*wrapped);
      if (out.find_secret(slot.name) != nullptr) return corrupt("two secret slots of one name");
      out.secrets.push_back(std::move(slot));
    }
  }
  return out;
}

Result<SecureBuffer> wrapping_key(std::string_view passphrase, const KdfParams& kdf) {
  SecureBuffer key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (!key.ok()) return fail(Code::kIo, "out of secure memory for a key");
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), kdf.salt.data(),
                    kdf.opslimit, static_cast<std::size_t>(kdf.memlimit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return fail(Code::kIo, "Argon2id failed (out of memory?)");
  }
  return key;
}

std::string_view ad_of(SlotType t) { return t == SlotType::kPassphrase ? kPassphraseAd : kKeyFileAd; }

// Wraps `master` with `wkey` into `slot` under a fresh nonce.
void wrap(Slot& slot, const SecureBuffer& wkey, const SecretKey& master) {
  slot.nonce.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  randombytes_buf(slot.nonce.data(), slot.nonce.size());
  slot.wrapped.resize(SecretKey::kSize + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long clen = 0;
  auto m = master.bytes();
  const std::string_view ad = ad_of(slot.type);
  crypto_aead_xchacha20poly1305_ietf_encrypt(slot.wrapped.data(), &clen, m.data(), m.size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
                                             slot.nonce.data(), wkey.data());
}

// Unwraps a slot. kWrongKey when `wkey` does not authenticate it.
Result<SecretKey> unwrap(const Slot& slot, const SecureBuffer& wkey, const fs::path& file, std::string_view what) {
  SecureBuffer plain(SecretKey::kSize);
  if (!plain.ok()) return fail(Code::kIo, "out of secure memory for a key");
  unsigned long long mlen = 0;
  const std::string_view ad = ad_of(slot.type);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &mlen, nullptr, slot.wrapped.data(),
                                                 slot.wrapped.size(), reinterpret_cast<const unsigned char*>(ad.data()),
                                                 ad.size(), slot.nonce.data(), wkey.data()) != 0 ||
      mlen != SecretKey::kSize) {
    return fail(Code::kWrongKey, "wrong " + std::string(what) + " (or the key file was altered): " + file.string());
  }
  return SecretKey::from_bytes(plain.span());
}

// A passphrase slot wrapping `master` under a fresh salt.
Result<Slot> passphrase_slot(std::string_view passphrase, const SecretKey& master, std::uint64_t opslimit,
                             std::uint64_t memlimit) {
  Slot slot;
  slot.type = SlotType::kPassphrase;
  slot.kdf.salt.resize(crypto_pwhash_SALTBYTES);
  randombytes_buf(slot.kdf.salt.data(), slot.kdf.salt.size());
  slot.kdf.opslimit = opslimit;
  slot.kdf.memlimit = memlimit;
  auto wkey = wrapping_key(passphrase, slot.kdf);
  if (!wkey) return std::unexpected(wkey.error());
  wrap(slot, *wkey, master);
  return slot;
}

Result<Slot> key_file_slot(const SecretKey& secret, const SecretKey& master) {
  Slot slot;
  slot.type = SlotType::kKeyFile;
  slot.key_id = key_file_id(secret);
  auto wkey = key_file_wrapping_key(secret);
  if (!wkey) return std::unexpected(wkey.error());
  wrap(slot, *wkey, master);
  return slot;
}

// Writes the keyring (always the current version) atomically: temporary file, fsync, rename.
Status write_keyring(const fs::path& file, const KeyringFile& kf, bool replace) {
  nlohmann::json slots = nlohmann::json::array();
  for (const auto& s : kf.slots) {
    if (s.type == SlotType::kPassphrase) {
      slots.push_back({{"type", "passphrase"},
                       {"kdf",
                        {{"algorithm", "argon2id13"},
                         {"salt", to_hex(s.kdf.salt)},
                         {"opslimit", s.kdf.opslimit},
                         {"memlimit", s.kdf.memlimit}}},
                       {"nonce", to_hex(s.nonce)},
                       {"wrapped_key", to_hex(s.wrapped)}});
    } else {
      slots.push_back({{"type", "key-file"},
                       {"key_id", s.key_id},
                       {"nonce", to_hex(s.nonce)},
                       {"wrapped_key", to_hex(s.wrapped)}});
    }
  }
  nlohmann::json j = {
      {"format", std::string(kFormat)}, {"version", kVersion}, {"cipher", "xchacha20poly1305-ietf"},
      {"slots", slots},
  };
  if (!kf.key_check.empty()) j["key_check"] = kf.key_check;
  if (!kf.store_id.empty()) j["store_id"] = kf.store_id;
  if (!kf.secrets.empty()) {
    nlohmann::json secrets = nlohmann::json::array();
    for (const auto& s : kf.secrets) {
      nlohmann::json o = {{"name", s.name},
                          {"wrap", s.wrap == SecretWrap::kMaster ? "master" : "credential"},
                          {"nonce", to_hex(s.nonce)},
                          {"wrapped", to_hex(s.wrapped)}};
      if (s.wrap == SecretWrap::kCredential) o["credential_id"] = s.credential_id;
      secrets.push_back(std::move(o));
    }
    j["secrets"] = std::move(secrets);
  }
  std::string text = j.dump(2) + "\n";

  auto tmp = detail::TempFile::create(file);
  if (!tmp) return std::unexpected(tmp.error());
  if (auto s = tmp->write({reinterpret_cast<const unsigned char*>(text.data()), text.size()}); !s) return s;
  if (auto s = tmp->commit(replace); !s) {
    if (s.error().code == Code::kInvalid)
      return fail(Code::kInvalid, "key file exists already: " + file.string());
    return s;
  }
  return {};
}

Status check_passphrase(std::string_view passphrase) {
  if (passphrase.empty()) return fail(Code::kInvalid, "the passphrase must not be empty");
  if (passphrase.size() > crypto_pwhash_PASSWD_MAX) return fail(Code::kInvalid, "passphrase too long");
  return {};
}

Result<SecretKey> unlock_parsed(const KeyringFile& kf, const fs::path& file, std::string_view passphrase) {
  const Slot* slot = kf.find(SlotType::kPassphrase);
  if (slot == nullptr) return fail(Code::kCorrupt, "key file " + file.string() + " has no passphrase slot");
  auto wkey = wrapping_key(passphrase, slot->kdf);
  if (!wkey) return std::unexpected(wkey.error());
  return unwrap(*slot, *wkey, file, "passphrase");
}

}  // namespace

Result<SecretKey> Keyring::create(const fs::path& file, std::string_view passphrase) {
  if (auto s = check_passphrase(passphrase); !s) return std::unexpected(s.error());
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  std::error_code ec;
  if (fs::exists(file, ec)) return fail(Code::kInvalid, "key file exists already: " + file.string());
  auto master = SecretKey::random();
  if (!master) return master;
  // The final existence check is the atomic no-replace rename in write_keyring.
  if (auto s = create_for(file, *master, passphrase, nullptr); !s) return std::unexpected(s.error());
  return master;
}

Status Keyring::create_for(const fs::path& file, const SecretKey& master, std::string_view passphrase,
                           const SecretKey* key_file_secret) {
  if (auto s = check_passphrase(passphrase); !s) return s;
  if (auto s = require_sodium(); !s) return s;
  if (master.bytes().size() != SecretKey::kSize) return fail(Code::kInvalid, "empty master key");
  KeyringFile kf;
  kf.key_check = key_check_of(master);
  const KdfCost cost = kdf_cost();
  auto pslot = passphrase_slot(passphrase, master, cost.opslimit, cost.memlimit);
  if (!pslot) return std::unexpected(pslot.error());
  kf.slots.push_back(std::move(*pslot));
  if (key_file_secret != nullptr) {
    auto kslot = key_file_slot(*key_file_secret, master);
    if (!kslot) return std::unexpected(kslot.error());
    kf.slots.push_back(std::move(*kslot));
  }
  return write_keyring(file, kf, /*replace=*/false);
}

Result<SecretKey> Keyring::unlock(const fs::path& file, std::string_view passphrase) {
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  return unlock_parsed(*kf, file, passphrase);
}

Result<SecretKey> Keyring::unlock_with_key_file(const fs::path& file, const SecretKey& key_file_secret) {
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  if (key_file_secret.bytes().size() != SecretKey::kSize) return fail(Code::kInvalid, "empty key file secret");
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  const Slot* slot = kf->find(SlotType::kKeyFile);
  if (slot == nullptr) return fail(Code::kWrongKey, "no key file is registered with " + file.string());
  if (slot->key_id != key_file_id(key_file_secret))
    return fail(Code::kWrongKey, "this key file is not the one registered with " + file.string());
  auto wkey = key_file_wrapping_key(key_file_secret);
  if (!wkey) return std::unexpected(wkey.error());
  return unwrap(*slot, *wkey, file, "key file");
}

Status Keyring::change_passphrase(const fs::path& file, std::string_view old_passphrase,
                                  std::string_view new_passphrase) {
  if (auto s = check_passphrase(new_passphrase); !s) return s;
  if (auto s = require_sodium(); !s) return s;
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  auto master = unlock_parsed(*kf, file, old_passphrase);
  if (!master) return std::unexpected(master.error());
  // Keep the file's limits (they may have been raised since creation), but never go below the
  // current cost (kdf_cost(): MODERATE in production).
  Slot& old = *std::find_if(kf->slots.begin(), kf->slots.end(),
                            [](const Slot& s) { return s.type == SlotType::kPassphrase; });
  const KdfCost floor = kdf_cost();
  std::uint64_t ops = std::max<std::uint64_t>(old.kdf.opslimit, floor.opslimit);
  std::uint64_t mem = std::max<std::uint64_t>(old.kdf.memlimit, floor.memlimit);
  auto slot = passphrase_slot(new_passphrase, *master, ops, mem);
  if (!slot) return std::unexpected(slot.error());
  old = std::move(*slot);
  if (kf->key_check.empty()) kf->key_check = key_check_of(*master);
  return write_keyring(file, *kf, /*replace=*/true);
}

Result<KdfCost> Keyring::passphrase_cost(const fs::path& file) {
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  const Slot* slot = kf->find(SlotType::kPassphrase);
  if (slot == nullptr) return fail(Code::kInvalid, "the keyring has no passphrase slot");
  return KdfCost{slot->kdf.opslimit, slot->kdf.memlimit};
}

Result<bool> Keyring::upgrade_passphrase_slot(const fs::path& file, std::string_view passphrase) {
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  Slot& old = *std::find_if(kf->slots.begin(), kf->slots.end(),
                            [](const Slot& s) { return s.type == SlotType::kPassphrase; });
  const KdfCost floor = kdf_cost();
  if (!KdfCost{old.kdf.opslimit, old.kdf.memlimit}.below(floor)) return false;
  auto master = unlock_parsed(*kf, file, passphrase);
  if (!master) return std::unexpected(master.error());
  auto slot = passphrase_slot(passphrase, *master, std::max<std::uint64_t>(old.kdf.opslimit, floor.opslimit),
                              std::max<std::uint64_t>(old.kdf.memlimit, floor.memlimit));
  if (!slot) return std::unexpected(slot.error());
  old = std::move(*slot);
  if (kf->key_check.empty()) kf->key_check = key_check_of(*master);
  if (auto s = write_keyring(file, *kf, /*replace=*/true); !s) return std::unexpected(s.error());
  return true;
}

Result<bool> Keyring::has_key_file(const fs::path& file) {
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  return kf->find(SlotType::kKeyFile) != nullptr;
}

Status Keyring::add_key_file(const fs::path& file, const SecretKey& master, const SecretKey& key_file_secret) {
  if (auto s = require_sodium(); !s) return s;
  if (master.bytes().size() != SecretKey::kSize || key_file_secret.bytes().size() != SecretKey::kSize)
    return fail(Code::kInvalid, "empty key");
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  if (kf->find(SlotType::kKeyFile) != nullptr)
    return fail(Code::kInvalid, "a key file is registered already with " + file.string());
  const std::string check = key_check_of(master);
  if (!kf->key_check.empty() && sodium_memcmp(check.data(), kf->key_check.data(), check.size()) != 0)
    return fail(Code::kInvalid, "the key given is not the master key of " + file.string());
  kf->key_check = check;
  auto slot = key_file_slot(key_file_secret, master);
  if (!slot) return std::unexpected(slot.error());
  kf->slots.push_back(std::move(*slot));
  return write_keyring(file, *kf, /*replace=*/true);
}

Status Keyring::remove_key_file(const fs::path& file) {
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  const auto before = kf->slots.size();
  std::erase_if(kf->slots, [](const Slot& s) { return s.type == SlotType::kKeyFile; });
  if (kf->slots.size() == before) return fail(Code::kNotFound, "no key file is registered with " + file.string());
  return write_keyring(file, *kf, /*replace=*/true);
}

// ---- Secret slots -------------------------------------------------------------------------------

namespace {

std::string secret_ad(const KeyringFile& kf, const SecretSlot& slot) {
  return std::string(kSecretAd) + "|" + slot.name + "|" + (slot.wrap == SecretWrap::kMaster ? "master" : "credential") +
         "|store:" + kf.store_id;
}

Result<SecureBuffer> secret_wrapping_key(SecretWrap wrap, const SecretKey& wrapping) {
  SecureBuffer key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (!key.ok()) return fail(Code::kIo, "out of secure memory for a key");
  const std::uint64_t id = wrap == SecretWrap::kMaster ? kSecretMasterWrapId : kSecretCredentialWrapId;
  if (crypto_kdf_derive_from_key(key.data(), key.size(), id, kSecretKdfContext, wrapping.bytes().data()) != 0)
    return fail(Code::kIo, "key derivation failed");
  return key;
}

Status seal_secret(const KeyringFile& kf, SecretSlot& slot, const SecretKey& secret, const SecretKey& wrapping) {
  auto wkey = secret_wrapping_key(slot.wrap, wrapping);
  if (!wkey) return std::unexpected(wkey.error());
  slot.credential_id = slot.wrap == SecretWrap::kCredential ? Keyring::credential_id(wrapping) : std::string();
  slot.nonce.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  randombytes_buf(slot.nonce.data(), slot.nonce.size());
  slot.wrapped.resize(SecretKey::kSize + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long clen = 0;
  const std::string ad = secret_ad(kf, slot);
  crypto_aead_xchacha20poly1305_ietf_encrypt(slot.wrapped.data(), &clen, secret.bytes().data(), secret.bytes().size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
                                             slot.nonce.data(), wkey->data());
  return {};
}

Result<SecretKey> open_secret(const KeyringFile& kf, const SecretSlot& slot, const SecretKey& wrapping,
                              const fs::path& file) {
  if (slot.wrap == SecretWrap::kCredential && slot.credential_id != Keyring::credential_id(wrapping))
    return fail(Code::kWrongKey, "the credential given is not the one slot '" + slot.name + "' of " + file.string() +
                                     " is wrapped under");
  auto wkey = secret_wrapping_key(slot.wrap, wrapping);
  if (!wkey) return std::unexpected(wkey.error());
  SecureBuffer plain(SecretKey::kSize);
  if (!plain.ok()) return fail(Code::kIo, "out of secure memory for a key");
  unsigned long long mlen = 0;
  const std::string ad = secret_ad(kf, slot);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &mlen, nullptr, slot.wrapped.data(), slot.wrapped.size(),
                                                 reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                                 slot.nonce.data(), wkey->data()) != 0 ||
      mlen != SecretKey::kSize)
    return fail(Code::kWrongKey, "secret slot '" + slot.name + "' of " + file.string() +
                                     " does not open with that key (or was altered)");
  return SecretKey::from_bytes(plain.span());
}

}  // namespace

std::string Keyring::credential_id(const SecretKey& credential) {
  unsigned char id[16];
  crypto_kdf_derive_from_key(id, sizeof id, kSecretCredentialIdId, kSecretKdfContext, credential.bytes().data());
  return to_hex(id);
}

Result<std::optional<SecretSlotInfo>> Keyring::secret_slot(const fs::path& file, std::string_view name) {
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  const SecretSlot* slot = kf->find_secret(name);
  if (slot == nullptr) return std::optional<SecretSlotInfo>{};
  return std::optional<SecretSlotInfo>{SecretSlotInfo{slot->wrap, slot->credential_id}};
}

Status Keyring::put_secret(const fs::path& file, std::string_view name, const SecretKey& secret, SecretWrap wrap,
                           const SecretKey& wrapping) {
  if (auto s = require_sodium(); !s) return s;
  if (secret.bytes().size() != SecretKey::kSize || wrapping.bytes().size() != SecretKey::kSize)
    return fail(Code::kInvalid, "empty key");
  if (name.empty() || name.size() > 64) return fail(Code::kInvalid, "a secret slot needs a short name");
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  if (kf->store_id.empty()) kf->store_id = random_hex(16);
  SecretSlot* slot = kf->find_secret(name);
  if (slot == nullptr) {
    if (kf->secrets.size() >= kMaxSecretSlots) return fail(Code::kInvalid, "too many secret slots");
    kf->secrets.push_back(SecretSlot{std::string(name), wrap, {}, {}, {}});
    slot = &kf->secrets.back();
  }
  slot->wrap = wrap;
  if (auto s = seal_secret(*kf, *slot, secret, wrapping); !s) return s;
  return write_keyring(file, *kf, /*replace=*/true);
}

Result<SecretKey> Keyring::get_secret(const fs::path& file, std::string_view name, const SecretKey& wrapping) {
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  if (wrapping.bytes().size() != SecretKey::kSize) return fail(Code::kInvalid, "empty key");
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  const SecretSlot* slot = kf->find_secret(name);
  if (slot == nullptr) return fail(Code::kNotFound, "no secret slot '" + std::string(name) + "' in " + file.string());
  return open_secret(*kf, *slot, wrapping, file);
}

Status Keyring::copy_secrets(const fs::path& from, const fs::path& to, const SecretKey& from_master,
                             const SecretKey& to_master) {
  if (auto s = require_sodium(); !s) return s;
  auto src = parse_keyring(from);
  if (!src) return std::unexpected(src.error());
  if (src->secrets.empty()) return {};
  auto dst = parse_keyring(to);
  if (!dst) return std::unexpected(dst.error());
  dst->store_id = src->store_id;
  dst->secrets.clear();
  for (const SecretSlot& slot : src->secrets) {
    if (slot.wrap == SecretWrap::kCredential) {
      dst->secrets.push_back(slot);  // its AD names the same store id
      continue;
    }
    auto secret = open_secret(*src, slot, from_master, from);
    if (!secret) return std::unexpected(secret.error());
    SecretSlot next{slot.name, SecretWrap::kMaster, {}, {}, {}};
    if (auto s = seal_secret(*dst, next, *secret, to_master); !s) return s;
    dst->secrets.push_back(std::move(next));
  }
  return write_keyring(to, *dst, /*replace=*/true);
}

// ---- Password hashes ----------------------------------------------------------------------------

Result<std::string> hash_password(std::string_view password) {
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  if (password.size() > crypto_pwhash_PASSWD_MAX) return fail(Code::kInvalid, "password too long");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return fail(Code::kIo, "Argon2id failed (out of memory?)");
  }
  return std::string(out);
}

bool verify_password(const std::string& hash, std::string_view password) {
  if (!sodium_ready()) return false;
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace storage
