#pragma once
// Key management: a random master key, wrapped by a key derived with Argon2id from the station
// passphrase; sub-keys per purpose derived from the master key. The passphrase is never stored.
// Key material lives in sodium_malloc'd memory that is mlock'ed and wiped on release.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "storage/error.h"

namespace storage {

// 32 bytes of key material in locked, guarded memory. Move-only.
class SecretKey {
 public:
  static constexpr std::size_t kSize = 32;
  static Result<SecretKey> random();
  static Result<SecretKey> from_bytes(std::span<const unsigned char> bytes);
  SecretKey(SecretKey&&) noexcept;
  SecretKey& operator=(SecretKey&&) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey();

  std::span<const unsigned char> bytes() const;
  // Sub-key for one purpose ("db", "blobs", ...); deterministic for a given master key.
  Result<SecretKey> derive(std::string_view purpose) const;

 private:
  explicit SecretKey(unsigned char* p) : p_(p) {}
  unsigned char* p_ = nullptr;
};

// The key file of one store ("keyring.json"): salt, Argon2id limits and the wrapped master key.
class Keyring {
 public:
  // Creates a new keyring with a fresh master key. Fails with kInvalid if one exists already.
  static Result<SecretKey> create(const std::filesystem::path& file, std::string_view passphrase);
  // Unwraps the master key. kWrongKey when the passphrase does not open it; kCorrupt when the
  // file is damaged; kNotFound when there is none.
  static Result<SecretKey> unlock(const std::filesystem::path& file, std::string_view passphrase);
  // Re-wraps the same master key under a new passphrase (atomic replace of the file).
  static Status change_passphrase(const std::filesystem::path& file, std::string_view old_passphrase,
                                  std::string_view new_passphrase);
};

// Password hashes for user accounts (Argon2id, libsodium's string format).
Result<std::string> hash_password(std::string_view password);
bool verify_password(const std::string& hash, std::string_view password);

// Keyed digest (BLAKE2b) as lower-case hex; used for content addresses that leak nothing.
std::string keyed_digest_hex(const SecretKey& key, std::span<const unsigned char> data);

// Random bytes as hex (tokens, file numbers).
std::string random_hex(std::size_t bytes);

}  // namespace storage
