// Secret keys, the passphrase-wrapped keyring file and password hashes (libsodium).
#include "storage/keys.h"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "file_util.h"
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

// ---- Keyring ------------------------------------------------------------------------------------
//
// File format (JSON, version 1):
//   { "format": "station-keyring", "version": 1,
//     "kdf": { "algorithm": "argon2id13", "salt": hex16, "opslimit": n, "memlimit": n },
//     "cipher": "xchacha20poly1305-ietf", "nonce": hex24, "wrapped_key": hex48 }
// The wrapping key is Argon2id(passphrase, salt, opslimit, memlimit); the additional data of the
// AEAD is kKeyringAd, which names the format and version.
//
// Error mapping: a file that is not JSON of this shape is kCorrupt. A failed AEAD check is
// kWrongKey: a wrong passphrase and a tampered salt, limit, nonce or ciphertext are
// indistinguishable by design (each just yields a key that does not authenticate).

namespace {

constexpr std::string_view kFormat = "station-keyring";
constexpr int kVersion = 1;
constexpr std::string_view kKeyringAd = "station-keyring v1 xchacha20poly1305-ietf argon2id13";
constexpr std::size_t kMaxKeyringFile = 64 * 1024;
// Upper bounds accepted from a file, so a damaged file cannot make us allocate absurd memory.
constexpr std::uint64_t kMaxMemlimit = std::uint64_t{4} << 30;  // 4 GiB
constexpr std::uint64_t kMaxOpslimit = 64;

struct KdfParams {
  std::vector<unsigned char> salt;
  std::uint64_t opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  std::uint64_t memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
};

struct KeyringFile {
  KdfParams kdf;
  std::vector<unsigned char> nonce;
  std::vector<unsigned char> wrapped;
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
  if (*version != kVersion) {
    return fail(Code::kInvalid, "key file " + file.string() + " has version " + std::to_string(*version) +
                                    "; this program reads version " + std::to_string(kVersion));
  }
  auto kdf_it = j.find("kdf");
  if (kdf_it == j.end() || !kdf_it->is_object()) return corrupt("no kdf section");
  if (str(*kdf_it, "algorithm") != std::string("argon2id13")) return corrupt("unknown kdf algorithm");
  if (str(j, "cipher") != std::string("xchacha20poly1305-ietf")) return corrupt("unknown cipher");

  KeyringFile out;
  auto salt_hex = str(*kdf_it, "salt");
  auto ops = uint(*kdf_it, "opslimit");
  auto mem = uint(*kdf_it, "memlimit");
  auto nonce_hex = str(j, "nonce");
  auto wrapped_hex = str(j, "wrapped_key");
  if (!salt_hex || !ops || !mem || !nonce_hex || !wrapped_hex) return corrupt("missing field");
  if (*ops < crypto_pwhash_OPSLIMIT_MIN || *ops > kMaxOpslimit) return corrupt("opslimit out of range");
  if (*mem < crypto_pwhash_MEMLIMIT_MIN || *mem > kMaxMemlimit) return corrupt("memlimit out of range");
  auto salt = from_hex(*salt_hex, crypto_pwhash_SALTBYTES);
  auto nonce = from_hex(*nonce_hex, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  auto wrapped = from_hex(*wrapped_hex, SecretKey::kSize + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  if (!salt || !nonce || !wrapped) return corrupt("bad salt, nonce or key length");
  out.kdf = KdfParams{std::move(*salt), *ops, *mem};
  out.nonce = std::move(*nonce);
  out.wrapped = std::move(*wrapped);
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

// Wraps `master` under `passphrase` with a fresh salt and nonce and writes the file atomically.
Status write_keyring(const fs::path& file, std::string_view passphrase, const SecretKey& master,
                     std::uint64_t opslimit, std::uint64_t memlimit, bool replace) {
  KeyringFile kf;
  kf.kdf.salt.resize(crypto_pwhash_SALTBYTES);
  randombytes_buf(kf.kdf.salt.data(), kf.kdf.salt.size());
  kf.kdf.opslimit = opslimit;
  kf.kdf.memlimit = memlimit;
  kf.nonce.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  randombytes_buf(kf.nonce.data(), kf.nonce.size());

  auto wkey = wrapping_key(passphrase, kf.kdf);
  if (!wkey) return std::unexpected(wkey.error());
  kf.wrapped.resize(SecretKey::kSize + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long clen = 0;
  auto m = master.bytes();
  crypto_aead_xchacha20poly1305_ietf_encrypt(kf.wrapped.data(), &clen, m.data(), m.size(),
                                             reinterpret_cast<const unsigned char*>(kKeyringAd.data()),
                                             kKeyringAd.size(), nullptr, kf.nonce.data(), wkey->data());

  nlohmann::json j = {
      {"format", std::string(kFormat)},
      {"version", kVersion},
      {"kdf",
       {{"algorithm", "argon2id13"},
        {"salt", to_hex(kf.kdf.salt)},
        {"opslimit", kf.kdf.opslimit},
        {"memlimit", kf.kdf.memlimit}}},
      {"cipher", "xchacha20poly1305-ietf"},
      {"nonce", to_hex(kf.nonce)},
      {"wrapped_key", to_hex(kf.wrapped)},
  };
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

}  // namespace

Result<SecretKey> Keyring::create(const fs::path& file, std::string_view passphrase) {
  if (auto s = check_passphrase(passphrase); !s) return std::unexpected(s.error());
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  std::error_code ec;
  if (fs::exists(file, ec)) return fail(Code::kInvalid, "key file exists already: " + file.string());
  auto master = SecretKey::random();
  if (!master) return master;
  // The final existence check is the atomic no-replace rename in write_keyring.
  if (auto s = write_keyring(file, passphrase, *master, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE, /*replace=*/false);
      !s) {
    return std::unexpected(s.error());
  }
  return master;
}

Result<SecretKey> Keyring::unlock(const fs::path& file, std::string_view passphrase) {
  if (auto s = require_sodium(); !s) return std::unexpected(s.error());
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  auto wkey = wrapping_key(passphrase, kf->kdf);
  if (!wkey) return std::unexpected(wkey.error());
  SecureBuffer plain(SecretKey::kSize);
  if (!plain.ok()) return fail(Code::kIo, "out of secure memory for a key");
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &mlen, nullptr, kf->wrapped.data(),
                                                 kf->wrapped.size(),
                                                 reinterpret_cast<const unsigned char*>(kKeyringAd.data()),
                                                 kKeyringAd.size(), kf->nonce.data(), wkey->data()) != 0 ||
      mlen != SecretKey::kSize) {
    return fail(Code::kWrongKey, "wrong passphrase (or the key file was altered): " + file.string());
  }
  return SecretKey::from_bytes(plain.span());
}

Status Keyring::change_passphrase(const fs::path& file, std::string_view old_passphrase,
                                  std::string_view new_passphrase) {
  if (auto s = check_passphrase(new_passphrase); !s) return s;
  auto kf = parse_keyring(file);
  if (!kf) return std::unexpected(kf.error());
  auto master = unlock(file, old_passphrase);
  if (!master) return std::unexpected(master.error());
  // Keep the file's limits (they may have been raised since creation), but never go below the
  // current defaults.
  std::uint64_t ops = std::max<std::uint64_t>(kf->kdf.opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
  std::uint64_t mem = std::max<std::uint64_t>(kf->kdf.memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE);
  return write_keyring(file, new_passphrase, *master, ops, mem, /*replace=*/true);
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
