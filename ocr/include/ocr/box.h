#pragma once
// Arithmetic on boxes (ocr::Box, image px).
#include <algorithm>

#include "ocr/image.h"

namespace ocr {

// The smallest box holding both; an empty one adds nothing.
inline Box united(const Box& a, const Box& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  const int x = std::min(a.x, b.x), y = std::min(a.y, b.y);
  const int x1 = std::max(a.x + a.w, b.x + b.w), y1 = std::max(a.y + a.h, b.y + b.h);
  return Box{x, y, x1 - x, y1 - y};
}

}  // namespace ocr
