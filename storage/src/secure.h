#pragma once
// Private helpers around libsodium: one-time initialisation and a small buffer in guarded memory
// for transient secrets (derived keys, hex-encoded keys) that must be wiped after use.
#include <cstddef>
#include <span>

namespace storage::detail {

// Initialises libsodium exactly once (thread-safe); false if the library cannot be used.
bool sodium_ready();

// Fixed-size buffer from sodium_malloc (guard pages, mlock'ed, wiped by sodium_free). Move-only.
class SecureBuffer {
 public:
  explicit SecureBuffer(std::size_t size);
  SecureBuffer(SecureBuffer&& other) noexcept;
  SecureBuffer& operator=(SecureBuffer&& other) noexcept;
  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;
  ~SecureBuffer();

  // False if the allocation failed (out of lockable memory).
  bool ok() const { return p_ != nullptr; }
  unsigned char* data() { return p_; }
  const unsigned char* data() const { return p_; }
  char* chars() { return reinterpret_cast<char*>(p_); }
  std::size_t size() const { return size_; }
  std::span<const unsigned char> span() const { return {p_, p_ ? size_ : 0}; }

 private:
  unsigned char* p_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace storage::detail
