// libsodium initialisation and guarded buffers.
#include "secure.h"

#include <sodium.h>

#include <utility>

namespace storage::detail {

bool sodium_ready() {
  // A function-local static is initialised once even with concurrent callers (C++11 "magic
  // statics"); sodium_init() itself is also idempotent.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

SecureBuffer::SecureBuffer(std::size_t size) {
  if (!sodium_ready()) return;
  p_ = static_cast<unsigned char*>(sodium_malloc(size == 0 ? 1 : size));
  if (p_ != nullptr) size_ = size;
}

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept
    : p_(std::exchange(other.p_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept {
  if (this != &other) {
    if (p_ != nullptr) sodium_free(p_);
    p_ = std::exchange(other.p_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecureBuffer::~SecureBuffer() {
  if (p_ != nullptr) sodium_free(p_);  // sodium_free wipes before releasing
}

}  // namespace storage::detail
