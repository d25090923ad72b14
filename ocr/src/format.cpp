// Sniffing an image file's format from its magic bytes (never from its name).
#include <cstring>

#include "ocr/image.h"

namespace ocr {

Format sniff_format(std::span<const unsigned char> b) {
  auto starts = [&](std::initializer_list<unsigned char> magic) {
    if (b.size() < magic.size()) return false;
    return std::equal(magic.begin(), magic.end(), b.begin());
  };
  if (starts({0xFF, 0xD8, 0xFF})) return Format::kJpeg;
  if (starts({0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})) return Format::kPng;
  if (starts({'I', 'I', 0x2A, 0x00}) || starts({'M', 'M', 0x00, 0x2A})) return Format::kTiff;
  if (starts({'%', 'P', 'D', 'F', '-'})) return Format::kPdf;
  return Format::kUnknown;
}

const char* media_type(Format f) {
  switch (f) {
    case Format::kJpeg: return "image/jpeg";
    case Format::kPng: return "image/png";
    case Format::kTiff: return "image/tiff";
    case Format::kPdf: return "application/pdf";
    case Format::kUnknown: break;
  }
  return "application/octet-stream";
}

}  // namespace ocr
