#pragma once
// Shared by the image, TIFF and PDF fuzz targets: decode under small limits (so that one input
// stays fast) and check what every decode promises: no crash, no sanitizer report, and every
// page it returns within the limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "ocr/image.h"

namespace fuzz {

inline ocr::DecodeLimits small_limits() {
  ocr::DecodeLimits l;
  l.max_pixels = 4'000'000;
  l.max_side = 4000;
  l.max_pages = 8;
  return l;
}

inline void decode_and_check(std::span<const unsigned char> bytes) {
  const auto limits = small_limits();
  auto pages = ocr::decode_pages(bytes, limits);
  if (!pages) return;
  if (pages->empty() || static_cast<int>(pages->size()) > limits.max_pages) std::abort();
  for (const auto& p : *pages) {
    if (p.width() <= 0 || p.height() <= 0 || p.width() > limits.max_side || p.height() > limits.max_side) std::abort();
    if (static_cast<std::int64_t>(p.width()) * p.height() > limits.max_pixels) std::abort();
  }
}

// The input with its first bytes replaced by `magic`, so that mutations stay in one decoder.
inline std::vector<unsigned char> with_magic(const std::uint8_t* data, std::size_t size,
                                             std::initializer_list<unsigned char> magic) {
  std::vector<unsigned char> b(data, data + size);
  if (b.size() < magic.size()) b.resize(magic.size());
  std::copy(magic.begin(), magic.end(), b.begin());
  return b;
}

}  // namespace fuzz
