#pragma once
// A raster page image. Public headers show project types only; OpenCV stays inside the module.
// Images are values: copies share pixels (copy-on-write is not needed: no method mutates).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ocr/error.h"

namespace ocr {

struct Box {
  int x = 0, y = 0, w = 0, h = 0;
  bool empty() const { return w <= 0 || h <= 0; }
  friend bool operator==(const Box&, const Box&) = default;
};

enum class ColorMode { kColor, kGray, kBlackWhite };

struct DecodeLimits {
  // Default: about an A3 page at 600 dpi (7016 x 9921 = 70 Mpx) with margin.
  std::int64_t max_pixels = 100'000'000;
  int max_side = 20'000;
  int default_dpi = 200;  // used when the file carries no resolution (the page is flagged)
  // Pages of one file (PDF, multi-page TIFF), checked before any page is rendered.
  int max_pages = 200;
};

class Image {
 public:
  Image();  // empty
  // From raw 8-bit pixels (1 = gray, 3 = RGB) as a scanner delivers them; copies the data.
  static Result<Image> from_pixels(int width, int height, int channels, std::span<const unsigned char> pixels,
                                   int dpi);

  int width() const;
  int height() const;
  int channels() const;  // 1 or 3
  bool empty() const;
  int dpi() const { return dpi_; }
  bool dpi_from_file() const { return dpi_from_file_; }
  ColorMode color_mode() const { return mode_; }
  void set_dpi(int dpi, bool from_file) { dpi_ = dpi; dpi_from_file_ = from_file; }

  Image crop(Box box) const;                // clipped to the page
  Image rotated(int quarter_turns_cw) const;  // 0..3
  // Scaled (area interpolation) to `width` pixels wide, keeping the aspect ratio; dpi scaled too.
  Image resized_to_width(int width) const;
  // The same for the eye (a page on the review screen): linear interpolation where the page
  // shrinks by less than half, which loses no stroke there and costs a fraction of the area
  // average (20 ms of a 1654 px page's way to 1600); area interpolation below that.
  Image shown_at_width(int width) const;
  // PNG's zlib level: 6 (the default) packs tighter, 1 takes about 40 % less time on a page and
  // writes about a fifth more — for pages the station re-creates (a cleaned page) rather than keeps.
  Result<std::vector<unsigned char>> encode_png(int compression = 6) const;
  Result<std::vector<unsigned char>> encode_jpeg(int quality = 85) const;

  struct Impl;
  const Impl& impl() const { return *impl_; }  // for the module's own code

 private:
  explicit Image(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  friend struct ImageAccess;
  std::shared_ptr<Impl> impl_;
  int dpi_ = 0;
  bool dpi_from_file_ = false;
  ColorMode mode_ = ColorMode::kColor;
};

// What an image file is, sniffed from its first bytes (not its name).
enum class Format { kJpeg, kPng, kTiff, kPdf, kUnknown };
Format sniff_format(std::span<const unsigned char> bytes);
const char* media_type(Format f);  // "image/jpeg", ...

// Decodes every page of a file (multi-page TIFF, CCITT G4 included; JPEG; PNG). Checks the
// declared size and page count against `limits` before decoding any pixels (all offsets and sizes
// from the file are checked in size_t / int64 arithmetic). kCorrupt for truncated data,
// kTooLarge for bombs, kUnsupportedFormat otherwise.
Result<std::vector<Image>> decode_pages(std::span<const unsigned char> bytes, const DecodeLimits& limits = {});

}  // namespace ocr
