// decode_pages: sniff the container, then hand over to its decoder. JPEG and PNG live here
// (header parsing by hand, pixels by OpenCV); TIFF and PDF have their own files.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "decode.h"
#include "image_impl.h"

namespace ocr {
namespace detail {

Result<void> check_size(std::int64_t width, std::int64_t height, const DecodeLimits& limits) {
  if (width <= 0 || height <= 0) return fail(Code::kCorrupt, "image header declares an empty size");
  if (width > limits.max_side || height > limits.max_side || width * height > limits.max_pixels) {
    return fail(Code::kTooLarge, "image of " + std::to_string(width) + " x " + std::to_string(height) +
                                     " pixels is over the limit (" + std::to_string(limits.max_side) +
                                     " px a side, " + std::to_string(limits.max_pixels) + " px in all)");
  }
  return {};
}

ColorMode classify(const cv::Mat& m) {
  if (m.channels() != 1) return ColorMode::kColor;
  const int total = static_cast<int>(m.total());
  const int black = total - cv::countNonZero(m);
  const int white = cv::countNonZero(m == 255);
  return black + white == total ? ColorMode::kBlackWhite : ColorMode::kGray;
}

namespace {

unsigned be16(const unsigned char* p) { return (unsigned{p[0]} << 8) | p[1]; }
std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// Normalises whatever OpenCV decoded into 8-bit gray or BGR (alpha laid over white).
cv::Mat to_8bit_gray_or_bgr(cv::Mat m) {
  if (m.depth() == CV_16U) {
    cv::Mat m8;
    m.convertTo(m8, CV_8U, 1.0 / 257.0);
    m = m8;
  } else if (m.depth() != CV_8U) {
    cv::Mat m8;
    m.convertTo(m8, CV_8U);
    m = m8;
  }
  if (m.channels() == 4) {
    cv::Mat bgr(m.size(), CV_8UC3);
    for (int y = 0; y < m.rows; ++y) {
      const auto* s = m.ptr<cv::Vec4b>(y);
      auto* d = bgr.ptr<cv::Vec3b>(y);
      for (int x = 0; x < m.cols; ++x) {
        const int a = s[x][3];
        for (int c = 0; c < 3; ++c) d[x][c] = static_cast<unsigned char>((s[x][c] * a + 255 * (255 - a)) / 255);
      }
    }
    m = bgr;
  } else if (m.channels() == 2) {  // gray + alpha
    std::vector<cv::Mat> planes;
    cv::split(m, planes);
    cv::Mat g(m.size(), CV_8UC1);
    for (int y = 0; y < m.rows; ++y)
      for (int x = 0; x < m.cols; ++x) {
        const int a = planes[1].at<unsigned char>(y, x);
        g.at<unsigned char>(y, x) =
            static_cast<unsigned char>((planes[0].at<unsigned char>(y, x) * a + 255 * (255 - a)) / 255);
      }
    m = g;
  }
  return m;
}

Result<cv::Mat> imdecode_checked(std::span<const unsigned char> bytes, const char* what) {
  cv::Mat m;
  try {
    const cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<unsigned char*>(bytes.data()));
    m = cv::imdecode(buf, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    return fail(Code::kCorrupt, std::string(what) + " data could not be decoded: " + e.what());
  }
  if (m.empty()) return fail(Code::kCorrupt, std::string(what) + " data are damaged and could not be decoded");
  return to_8bit_gray_or_bgr(std::move(m));
}

// --- JPEG -----------------------------------------------------------------------------------

// True when `len` bytes from `off` lie inside a block of `n` bytes. size_t throughout: an offset
// read from the file (up to 2^32 - 1) plus a length never wraps.
constexpr bool inside(std::size_t off, std::size_t len, std::size_t n) { return off <= n && len <= n - off; }

// Resolution from an EXIF block (a TIFF structure): IFD0 XResolution + ResolutionUnit. Every
// offset comes from the file, so every read is checked with `inside` first.
std::optional<int> exif_dpi(const unsigned char* p, std::size_t n) {
  if (n < 8) return std::nullopt;
  const bool le = p[0] == 'I' && p[1] == 'I';
  if (!le && !(p[0] == 'M' && p[1] == 'M')) return std::nullopt;
  auto u16 = [&](std::size_t o) -> unsigned { return le ? (p[o] | (p[o + 1] << 8)) : be16(p + o); };
  auto u32 = [&](std::size_t o) -> std::uint32_t {
    return le ? (std::uint32_t{p[o]} | (std::uint32_t{p[o + 1]} << 8) | (std::uint32_t{p[o + 2]} << 16) |
                 (std::uint32_t{p[o + 3]} << 24))
              : be32(p + o);
  };
  const std::size_t ifd = u32(4);
  if (!inside(ifd, 2, n)) return std::nullopt;
  const std::size_t count = u16(ifd);
  double xres = 0;
  unsigned unit = 2;  // inches by default in EXIF
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t e = ifd + 2 + i * 12;  // ifd < n and i < 65536: no wrap
    if (!inside(e, 12, n)) break;
    const unsigned tag = u16(e);
    if (tag == 0x011A) {
      const std::size_t off = u32(e + 8);
      if (inside(off, 8, n) && u32(off + 4) != 0) xres = static_cast<double>(u32(off)) / u32(off + 4);
    } else if (tag == 0x0128) {
      unit = u16(e + 8);
    }
  }
  if (!(xres > 0) || xres > 1e6) return std::nullopt;
  const double dpi = unit == 3 ? xres * 2.54 : unit == 2 ? xres : 0;
  if (dpi < 1) return std::nullopt;
  return static_cast<int>(std::lround(dpi));
}

struct JpegHeader {
  int width = 0, height = 0;
  std::optional<int> dpi;
};

Result<JpegHeader> parse_jpeg_header(std::span<const unsigned char> b) {
  JpegHeader h;
  std::optional<int> exif;
  std::size_t i = 2;  // after SOI
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF) return fail(Code::kCorrupt, "JPEG marker structure is damaged");
    unsigned char m = b[i + 1];
    if (m == 0xFF) { ++i; continue; }  // fill byte
    if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { i += 2; continue; }
    if (m == 0xD9) break;
    const std::size_t len = be16(&b[i + 2]);
    if (len < 2 || i + 2 + len > b.size()) return fail(Code::kCorrupt, "JPEG header is truncated");
    const unsigned char* seg = &b[i + 4];
    const std::size_t n = len - 2;
    if (m == 0xE0 && n >= 12 && std::memcmp(seg, "JFIF\0", 5) == 0) {
      const unsigned units = seg[7];
      const unsigned xd = be16(seg + 8);
      if (xd > 0 && units == 1) h.dpi = static_cast<int>(xd);
      if (xd > 0 && units == 2) h.dpi = static_cast<int>(std::lround(xd * 2.54));
    } else if (m == 0xE1 && n >= 14 && std::memcmp(seg, "Exif\0\0", 6) == 0) {
      exif = exif_dpi(seg + 6, n - 6);
    } else if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
      if (n < 6) return fail(Code::kCorrupt, "JPEG frame header is truncated");
      h.height = static_cast<int>(be16(seg + 1));
      h.width = static_cast<int>(be16(seg + 3));
    } else if (m == 0xDA) {
      break;  // start of scan: pixels follow
    }
    i += 2 + len;
  }
  if (h.width == 0 && h.height == 0) return fail(Code::kCorrupt, "JPEG has no frame header");
  if (!h.dpi) h.dpi = exif;
  return h;
}

// A complete JPEG ends with EOI (FF D9), possibly followed by padding zeros some scanners add.
bool jpeg_complete(std::span<const unsigned char> b) {
  std::size_t n = b.size();
  while (n > 0 && b[n - 1] == 0x00) --n;
  return n >= 4 && b[n - 2] == 0xFF && b[n - 1] == 0xD9;
}

// --- PNG ------------------------------------------------------------------------------------

struct PngHeader {
  std::int64_t width = 0, height = 0;
  std::optional<int> dpi;
  bool complete = false;  // IEND seen
};

Result<PngHeader> parse_png_header(std::span<const unsigned char> b) {
  PngHeader h;
  std::size_t i = 8;
  bool ihdr = false;
  while (i + 12 <= b.size()) {
    const std::uint32_t len = be32(&b[i]);
    const unsigned char* type = &b[i + 4];
    if (len > b.size() || i + 12 + len > b.size()) break;  // truncated: reported after the size check
    const unsigned char* d = &b[i + 8];
    if (std::memcmp(type, "IHDR", 4) == 0 && len >= 13) {
      h.width = be32(d);
      h.height = be32(d + 4);
      ihdr = true;
    } else if (std::memcmp(type, "pHYs", 4) == 0 && len >= 9) {
      const std::uint32_t ppu = be32(d);
      if (d[8] == 1 && ppu > 0) h.dpi = static_cast<int>(std::lround(ppu * 0.0254));
    } else if (std::memcmp(type, "IEND", 4) == 0) {
      h.complete = true;
      break;
    }
    if (!ihdr) return fail(Code::kCorrupt, "PNG does not start with an IHDR chunk");
    i += 12 + len;
  }
  if (!ihdr) return fail(Code::kCorrupt, "PNG has no IHDR chunk");
  return h;
}

}  // namespace

Result<std::vector<Image>> decode_jpeg(std::span<const unsigned char> bytes, const DecodeLimits& limits) {
  auto h = parse_jpeg_header(bytes);
  if (!h) return std::unexpected(h.error());
  if (auto ok = check_size(h->width, h->height, limits); !ok) return std::unexpected(ok.error());
  if (!jpeg_complete(bytes)) return fail(Code::kCorrupt, "JPEG is truncated (no end-of-image marker)");
  auto m = imdecode_checked(bytes, "JPEG");
  if (!m) return std::unexpected(m.error());
  const ColorMode mode = classify(*m);
  std::vector<Image> pages;
  pages.push_back(ImageAccess::make(std::move(*m), h->dpi.value_or(limits.default_dpi), h->dpi.has_value(), mode));
  return pages;
}

Result<std::vector<Image>> decode_png(std::span<const unsigned char> bytes, const DecodeLimits& limits) {
  auto h = parse_png_header(bytes);
  if (!h) return std::unexpected(h.error());
  // The size first: a bomb is a bomb, whole or not.
  if (auto ok = check_size(h->width, h->height, limits); !ok) return std::unexpected(ok.error());
  if (!h->complete) return fail(Code::kCorrupt, "PNG is truncated (no IEND chunk)");
  auto m = imdecode_checked(bytes, "PNG");
  if (!m) return std::unexpected(m.error());
  const ColorMode mode = classify(*m);
  std::vector<Image> pages;
  pages.push_back(ImageAccess::make(std::move(*m), h->dpi.value_or(limits.default_dpi), h->dpi.has_value(), mode));
  return pages;
}

}  // namespace detail

Result<std::vector<Image>> decode_pages(std::span<const unsigned char> bytes, const DecodeLimits& limits) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return fail(Code::kTooLarge, "file is over 2 GB");
  switch (sniff_format(bytes)) {
    case Format::kJpeg: return detail::decode_jpeg(bytes, limits);
    case Format::kPng: return detail::decode_png(bytes, limits);
    case Format::kTiff: return detail::decode_tiff(bytes, limits);
    case Format::kPdf: return detail::decode_pdf(bytes, limits);
    case Format::kUnknown: break;
  }
  return fail(Code::kUnsupportedFormat, "not a JPEG, PNG, TIFF or PDF file");
}

}  // namespace ocr
