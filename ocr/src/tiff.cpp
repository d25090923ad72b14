// TIFF from memory with libtiff: every directory is a page; CCITT G3/G4 bilevel included.
#include <tiffio.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "decode.h"
#include "image_impl.h"
#include "ocr/ccitt.h"

namespace ocr::detail {
namespace {

// The buffer libtiff reads through our client procedures, and the messages it reported.
struct MemFile {
  std::span<const unsigned char> bytes;
  toff_t pos = 0;
  std::string errors;
};

// libtiff's global handlers are process-wide; the per-handle ones (TIFFOpenOptions) are 4.5+.
// We install silent global handlers once and route messages to the file being decoded through a
// thread-local pointer, so concurrent decodes on several threads stay apart.
thread_local MemFile* t_current = nullptr;

void on_error(const char* module, const char* fmt, va_list ap) {
  if (t_current == nullptr) return;
  char buf[512];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  if (!t_current->errors.empty()) t_current->errors += "; ";
  if (module != nullptr) t_current->errors += std::string(module) + ": ";
  t_current->errors += buf;
}
void on_warning(const char*, const char*, va_list) {}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    TIFFSetErrorHandler(on_error);
    TIFFSetWarningHandler(on_warning);
  });
}

tsize_t mem_read(thandle_t h, tdata_t buf, tsize_t size) {
  auto* f = static_cast<MemFile*>(h);
  if (size <= 0 || f->pos >= f->bytes.size()) return 0;
  const auto n = std::min<toff_t>(static_cast<toff_t>(size), f->bytes.size() - f->pos);
  std::memcpy(buf, f->bytes.data() + f->pos, n);
  f->pos += n;
  return static_cast<tsize_t>(n);
}
tsize_t mem_write(thandle_t, tdata_t, tsize_t) { return 0; }
toff_t mem_seek(thandle_t h, toff_t off, int whence) {
  auto* f = static_cast<MemFile*>(h);
  toff_t base = 0;
  if (whence == SEEK_CUR) base = f->pos;
  if (whence == SEEK_END) base = f->bytes.size();
  f->pos = base + off;  // may point past the end: reads then return 0
  return f->pos;
}
int mem_close(thandle_t) { return 0; }
toff_t mem_size(thandle_t h) { return static_cast<MemFile*>(h)->bytes.size(); }
int mem_map(thandle_t, tdata_t*, toff_t*) { return 0; }
void mem_unmap(thandle_t, tdata_t, toff_t) {}

struct TiffCloser {
  void operator()(TIFF* t) const { TIFFClose(t); }
};

std::string with_detail(std::string what, const MemFile& f) {
  if (!f.errors.empty()) what += " (" + f.errors + ")";
  return what;
}

std::optional<int> tiff_dpi(TIFF* tif) {
  float xres = 0;
  std::uint16_t unit = RESUNIT_INCH;
  if (TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xres) != 1 || !(xres > 0)) return std::nullopt;
  TIFFGetFieldDefaulted(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
  double dpi = xres;
  if (unit == RESUNIT_CENTIMETER) dpi = xres * 2.54;
  if (unit == RESUNIT_NONE || dpi < 1 || dpi > 100000) return std::nullopt;
  return static_cast<int>(std::lround(dpi));
}

// Reads one directory's pixels. Simple layouts (1- and 8-bit gray, 8-bit RGB, strips, not JPEG)
// go scanline by scanline; anything else through libtiff's RGBA reader.
Result<cv::Mat> read_directory(TIFF* tif, const MemFile& f, int w, int h, bool& bilevel) {
  std::uint16_t bps = 1, spp = 1, photo = PHOTOMETRIC_MINISWHITE, planar = PLANARCONFIG_CONTIG, comp = 1;
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &comp);
  if (TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo) != 1) photo = PHOTOMETRIC_MINISWHITE;
  bilevel = bps == 1 && spp == 1;

  const bool gray = spp == 1 && (photo == PHOTOMETRIC_MINISWHITE || photo == PHOTOMETRIC_MINISBLACK);
  const bool rgb = spp == 3 && photo == PHOTOMETRIC_RGB && bps == 8 && planar == PLANARCONFIG_CONTIG;
  const bool simple = !TIFFIsTiled(tif) && comp != COMPRESSION_JPEG && comp != COMPRESSION_OJPEG &&
                      ((gray && (bps == 1 || bps == 8)) || rgb);
  if (simple) {
    cv::Mat out(h, w, rgb ? CV_8UC3 : CV_8UC1);
    std::vector<unsigned char> line(static_cast<std::size_t>(TIFFScanlineSize(tif)));
    for (int y = 0; y < h; ++y) {
      if (TIFFReadScanline(tif, line.data(), static_cast<std::uint32_t>(y), 0) < 0)
        return fail(Code::kCorrupt, with_detail("TIFF image data are damaged or truncated", f));
      auto* d = out.ptr<unsigned char>(y);
      if (rgb) {
        for (int x = 0; x < w; ++x) {  // RGB -> BGR
          d[3 * x] = line[3 * x + 2];
          d[3 * x + 1] = line[3 * x + 1];
          d[3 * x + 2] = line[3 * x];
        }
      } else if (bps == 1) {
        for (int x = 0; x < w; ++x) {
          const bool bit = (line[static_cast<std::size_t>(x) >> 3] >> (7 - (x & 7))) & 1;
          const bool black = photo == PHOTOMETRIC_MINISWHITE ? bit : !bit;
          d[x] = black ? 0 : 255;
        }
      } else {
        for (int x = 0; x < w; ++x) d[x] = photo == PHOTOMETRIC_MINISWHITE ? 255 - line[x] : line[x];
      }
    }
    return out;
  }
  cv::Mat rgba(h, w, CV_8UC4);
  if (TIFFReadRGBAImageOriented(tif, static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(h),
                                reinterpret_cast<std::uint32_t*>(rgba.data), ORIENTATION_TOPLEFT, 0) != 1)
    return fail(Code::kCorrupt, with_detail("TIFF image data are damaged, truncated or of an unsupported kind", f));
  // Packed ABGR in native (little-endian) order is R,G,B,A in memory.
  cv::Mat bgr;
  cv::cvtColor(rgba, bgr, cv::COLOR_RGBA2BGR);
  if (gray) {
    cv::Mat g;
    cv::cvtColor(bgr, g, cv::COLOR_BGR2GRAY);
    return g;
  }
  return bgr;
}

}  // namespace

Result<std::vector<Image>> decode_tiff(std::span<const unsigned char> bytes, const DecodeLimits& limits) {
  install_handlers();
  MemFile f;
  f.bytes = bytes;
  MemFile* const saved = t_current;
  t_current = &f;
  struct Restore {
    MemFile* saved;
    ~Restore() { t_current = saved; }
  } restore{saved};

  std::unique_ptr<TIFF, TiffCloser> tif(TIFFClientOpen("memory", "rm", &f, mem_read, mem_write, mem_seek, mem_close,
                                                       mem_size, mem_map, mem_unmap));
  if (!tif) return fail(Code::kCorrupt, with_detail("TIFF header or first directory is damaged", f));

  // The page count first: libtiff counts directories without decoding them (and stops at a loop).
  const tdir_t dirs = TIFFNumberOfDirectories(tif.get());
  if (dirs > static_cast<tdir_t>(std::max(limits.max_pages, 1)))
    return fail(Code::kTooLarge, "TIFF has " + std::to_string(dirs) + " pages, over the limit of " +
                                     std::to_string(limits.max_pages));
  if (TIFFSetDirectory(tif.get(), 0) != 1)
    return fail(Code::kCorrupt, with_detail("TIFF first directory is damaged", f));
  f.errors.clear();
  std::vector<Image> pages;
  std::int64_t total_pixels = 0;
  for (int dir = 0;; ++dir) {
    if (dir >= limits.max_pages)
      return fail(Code::kTooLarge, "TIFF has more pages than the limit of " + std::to_string(limits.max_pages));
    std::uint32_t w = 0, h = 0;
    if (TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &w) != 1 || TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &h) != 1)
      return fail(Code::kCorrupt, with_detail("TIFF page " + std::to_string(dir + 1) + " has no size", f));
    if (auto ok = check_size(w, h, limits); !ok) return std::unexpected(ok.error());
    // A file of many small pages can be a bomb too: the limit counts the whole file.
    total_pixels += std::int64_t{w} * h;
    if (total_pixels > limits.max_pixels * 4)
      return fail(Code::kTooLarge, "TIFF pages together are over the pixel limit");
    bool bilevel = false;
    auto mat = read_directory(tif.get(), f, static_cast<int>(w), static_cast<int>(h), bilevel);
    if (!mat) return std::unexpected(mat.error());
    if (!f.errors.empty())  // libtiff reported an error but carried on (e.g. a premature end of a strip)
      return fail(Code::kCorrupt, with_detail("TIFF page " + std::to_string(dir + 1) + " is damaged", f));
    const auto dpi = tiff_dpi(tif.get());
    const ColorMode mode = bilevel ? ColorMode::kBlackWhite : classify(*mat);
    pages.push_back(ImageAccess::make(std::move(*mat), dpi.value_or(limits.default_dpi), dpi.has_value(), mode));
    const int more = TIFFReadDirectory(tif.get());
    if (more != 1) {
      if (!f.errors.empty())
        return fail(Code::kCorrupt, with_detail("TIFF directory after page " + std::to_string(dir + 1) + " is damaged", f));
      break;
    }
  }
  if (pages.empty()) return fail(Code::kEmpty, "TIFF has no pages");
  return pages;
}

namespace {

// The growing buffer libtiff writes a TIFF into (encode_ccitt_g4).
struct OutFile {
  std::vector<unsigned char> bytes;
  toff_t pos = 0;
};
tsize_t out_read(thandle_t h, tdata_t buf, tsize_t size) {
  auto* f = static_cast<OutFile*>(h);
  if (size <= 0 || f->pos >= f->bytes.size()) return 0;
  const auto n = std::min<toff_t>(static_cast<toff_t>(size), f->bytes.size() - f->pos);
  std::memcpy(buf, f->bytes.data() + f->pos, n);
  f->pos += n;
  return static_cast<tsize_t>(n);
}
tsize_t out_write(thandle_t h, tdata_t buf, tsize_t size) {
  auto* f = static_cast<OutFile*>(h);
  if (size <= 0) return 0;
  const auto n = static_cast<std::size_t>(size);
  if (f->pos + n > f->bytes.size()) f->bytes.resize(f->pos + n);
  std::memcpy(f->bytes.data() + f->pos, buf, n);
  f->pos += n;
  return size;
}
toff_t out_seek(thandle_t h, toff_t off, int whence) {
  auto* f = static_cast<OutFile*>(h);
  toff_t base = 0;
  if (whence == SEEK_CUR) base = f->pos;
  if (whence == SEEK_END) base = f->bytes.size();
  f->pos = base + off;
  return f->pos;
}
toff_t out_size(thandle_t h) { return static_cast<OutFile*>(h)->bytes.size(); }

}  // namespace

Result<std::vector<unsigned char>> encode_g4(const Image& image) {
  if (image.empty()) return fail(Code::kInvalid, "G4: empty image");
  install_handlers();
  MemFile messages;  // collects libtiff's messages while encoding
  MemFile* const saved = t_current;
  t_current = &messages;
  struct Restore {
    MemFile* saved;
    ~Restore() { t_current = saved; }
  } restore{saved};

  const cv::Mat gray = to_gray(ImageAccess::mat(image));
  const int w = gray.cols, h = gray.rows;
  OutFile out;
  {
    std::unique_ptr<TIFF, TiffCloser> tif(TIFFClientOpen("memory", "w", &out, out_read, out_write, out_seek, mem_close,
                                                         out_size, mem_map, mem_unmap));
    if (!tif) return fail(Code::kInvalid, with_detail("G4: libtiff cannot open a memory TIFF", messages));
    TIFF* t = tif.get();
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(w));
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(h));
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);  // bit 1 = black, as G4 codes it
    TIFFSetField(t, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, static_cast<std::uint32_t>(h));  // one strip: the whole stream
    std::vector<unsigned char> row(static_cast<std::size_t>((w + 7) / 8));
    for (int y = 0; y < h; ++y) {
      std::fill(row.begin(), row.end(), 0);
      const unsigned char* px = gray.ptr<unsigned char>(y);
      for (int x = 0; x < w; ++x)
        if (px[x] < 128) row[static_cast<std::size_t>(x >> 3)] |= static_cast<unsigned char>(0x80 >> (x & 7));
      if (TIFFWriteScanline(t, row.data(), static_cast<std::uint32_t>(y), 0) != 1)
        return fail(Code::kInvalid, with_detail("G4: encoding failed", messages));
    }
    if (TIFFWriteDirectory(t) != 1) return fail(Code::kInvalid, with_detail("G4: encoding failed", messages));
  }
  // Read the one strip back raw: that is the G4 stream.
  MemFile in;
  in.bytes = out.bytes;
  t_current = &in;
  std::unique_ptr<TIFF, TiffCloser> tif(TIFFClientOpen("memory", "rm", &in, mem_read, mem_write, mem_seek, mem_close,
                                                       mem_size, mem_map, mem_unmap));
  if (!tif || TIFFNumberOfStrips(tif.get()) != 1) return fail(Code::kInvalid, with_detail("G4: re-read failed", in));
  toff_t* counts = nullptr;
  if (TIFFGetField(tif.get(), TIFFTAG_STRIPBYTECOUNTS, &counts) != 1 || counts == nullptr)
    return fail(Code::kInvalid, with_detail("G4: no strip size", in));
  std::vector<unsigned char> g4(static_cast<std::size_t>(counts[0]));
  if (TIFFReadRawStrip(tif.get(), 0, g4.data(), static_cast<tmsize_t>(g4.size())) != static_cast<tmsize_t>(g4.size()))
    return fail(Code::kInvalid, with_detail("G4: re-read failed", in));
  return g4;
}

}  // namespace ocr::detail

namespace ocr {
Result<std::vector<unsigned char>> encode_ccitt_g4(const Image& image) { return detail::encode_g4(image); }
}  // namespace ocr
