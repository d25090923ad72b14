#pragma once
// Signatures and plain digests for tamper evidence: the station's Ed25519 signing key (libsodium
// crypto_sign), unkeyed BLAKE2b-256 digests and the hash-chain link used by the audit log.
// Thread-safe: a SigningKey may sign from several threads at once (it is only read).
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/error.h"
#include "storage/keys.h"

namespace storage {

// An Ed25519 key pair. The 64-byte secret lives in sodium_malloc'd (locked, wiped) memory.
// Move-only. The 32-byte seed is the only thing to keep: the pair is derived from it.
class SigningKey {
 public:
  static constexpr std::size_t kPublicKeySize = 32;
  static constexpr std::size_t kSignatureSize = 64;

  // The key pair of a 32-byte seed (e.g. SecretKey::random(), stored encrypted by the caller).
  static Result<SigningKey> from_seed(const SecretKey& seed);
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey();

  const std::array<unsigned char, kPublicKeySize>& public_key() const { return public_; }
  std::string public_key_hex() const;
  // Detached signature of `message` (64 bytes); empty only for a moved-from key.
  std::vector<unsigned char> sign(std::span<const unsigned char> message) const;
  std::string sign_hex(std::string_view message) const;

 private:
  SigningKey() = default;
  unsigned char* secret_ = nullptr;  // crypto_sign_SECRETKEYBYTES
  std::array<unsigned char, kPublicKeySize> public_{};
};

// True if `signature` is a valid Ed25519 signature of `message` under `public_key`.
bool verify_signature(std::span<const unsigned char> public_key, std::span<const unsigned char> message,
                      std::span<const unsigned char> signature);
// The same with hex-encoded key and signature (false on malformed hex).
bool verify_signature_hex(std::string_view public_key_hex, std::string_view message,
                          std::string_view signature_hex);

// Unkeyed BLAKE2b-256 of `data`, lower-case hex (64 chars).
std::string digest_hex(std::span<const unsigned char> data);

// One link of a hash chain: BLAKE2b-256(prev || record) as hex, where prev is the previous link
// (64 hex chars; the genesis link is kChainGenesis). `record` must be an unambiguous encoding of
// the entry (see encode_fields).
inline constexpr std::string_view kChainGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";
std::string chain_link_hex(std::string_view prev_hex, std::string_view record);

// An unambiguous encoding of a list of fields: each as "<byte length>:<bytes>;". Two different
// lists never encode to the same string, whatever the fields contain.
std::string encode_fields(std::span<const std::string_view> fields);

// Overwrites memory that held a secret (sodium_memzero: not optimised away).
void wipe(std::span<unsigned char> bytes);

// Hex helpers (lower case). from_hex returns an empty vector on malformed input.
std::string to_hex(std::span<const unsigned char> bytes);
std::vector<unsigned char> from_hex(std::string_view hex);

}  // namespace storage
