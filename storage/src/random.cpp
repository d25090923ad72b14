// Random tokens and keyed digests (libsodium).
#include <sodium.h>

#include <string>
#include <vector>

#include "secure.h"
#include "storage/keys.h"

namespace storage {

std::string random_hex(std::size_t bytes) {
  if (!detail::sodium_ready()) return {};
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), buf.data(), buf.size());
  hex.pop_back();
  return hex;
}

std::string keyed_digest_hex(const SecretKey& key, std::span<const unsigned char> data) {
  if (!detail::sodium_ready()) return {};
  unsigned char out[32];
  auto k = key.bytes();
  // An empty (moved-from) key would silently give an unkeyed hash; refuse instead.
  if (k.empty()) return {};
  crypto_generichash(out, sizeof out, data.data(), data.size(), k.data(), k.size());
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return std::string(hex, 64);
}

}  // namespace storage
