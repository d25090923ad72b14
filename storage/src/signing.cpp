// Ed25519 signatures, BLAKE2b digests and hash-chain links (libsodium).
#include "storage/signing.h"

#include <sodium.h>

#include <cstring>
#include <utility>

#include "secure.h"

namespace storage {

SigningKey::SigningKey(SigningKey&& other) noexcept
    : secret_(std::exchange(other.secret_, nullptr)), public_(other.public_) {}

SigningKey& SigningKey::operator=(SigningKey&& other) noexcept {
  if (this != &other) {
    if (secret_ != nullptr) sodium_free(secret_);
    secret_ = std::exchange(other.secret_, nullptr);
    public_ = other.public_;
  }
  return *this;
}

SigningKey::~SigningKey() {
  if (secret_ != nullptr) sodium_free(secret_);
}

Result<SigningKey> SigningKey::from_seed(const SecretKey& seed) {
  static_assert(crypto_sign_SEEDBYTES == SecretKey::kSize);
  static_assert(crypto_sign_PUBLICKEYBYTES == kPublicKeySize);
  static_assert(crypto_sign_BYTES == kSignatureSize);
  if (!detail::sodium_ready()) return fail(Code::kIo, "libsodium could not be initialised");
  if (seed.bytes().size() != SecretKey::kSize) return fail(Code::kInvalid, "signing seed is empty");
  SigningKey key;
  key.secret_ = static_cast<unsigned char*>(sodium_malloc(crypto_sign_SECRETKEYBYTES));
  if (key.secret_ == nullptr) return fail(Code::kIo, "out of secure memory for a signing key");
  if (crypto_sign_seed_keypair(key.public_.data(), key.secret_, seed.bytes().data()) != 0) {
    return fail(Code::kIo, "Ed25519 key generation failed");
  }
  return key;
}

std::string SigningKey::public_key_hex() const { return to_hex(public_); }

std::vector<unsigned char> SigningKey::sign(std::span<const unsigned char> message) const {
  if (secret_ == nullptr) return {};
  std::vector<unsigned char> sig(crypto_sign_BYTES);
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_);
  return sig;
}

std::string SigningKey::sign_hex(std::string_view message) const {
  return to_hex(sign({reinterpret_cast<const unsigned char*>(message.data()), message.size()}));
}

bool verify_signature(std::span<const unsigned char> public_key, std::span<const unsigned char> message,
                      std::span<const unsigned char> signature) {
  if (!detail::sodium_ready()) return false;
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), public_key.data()) == 0;
}

bool verify_signature_hex(std::string_view public_key_hex, std::string_view message,
                          std::string_view signature_hex) {
  auto pk = from_hex(public_key_hex);
  auto sig = from_hex(signature_hex);
  return verify_signature(pk, {reinterpret_cast<const unsigned char*>(message.data()), message.size()}, sig);
}

std::string digest_hex(std::span<const unsigned char> data) {
  if (!detail::sodium_ready()) return {};
  unsigned char h[32];
  crypto_generichash(h, sizeof h, data.data(), data.size(), nullptr, 0);
  return to_hex(h);
}

std::string chain_link_hex(std::string_view prev_hex, std::string_view record) {
  if (!detail::sodium_ready()) return {};
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(prev_hex.data()), prev_hex.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(record.data()), record.size());
  unsigned char h[32];
  crypto_generichash_final(&st, h, sizeof h);
  return to_hex(h);
}

std::string encode_fields(std::span<const std::string_view> fields) {
  std::string out;
  for (std::string_view f : fields) {
    out += std::to_string(f.size());
    out += ':';
    out += f;
    out += ';';
  }
  return out;
}

void wipe(std::span<unsigned char> bytes) {
  if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
}

std::string to_hex(std::span<const unsigned char> bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  return hex;
}

std::vector<unsigned char> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return {};
  std::vector<unsigned char> out(hex.size() / 2);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      len != out.size() || end != hex.data() + hex.size()) {
    return {};
  }
  return out;
}

}  // namespace storage
