// Decoding: sniffing, JPEG/PNG/TIFF/PDF pages, resolution, limits and damaged files.
#include <gtest/gtest.h>
#include <tiffio.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "ocr/image.h"
#include "test_util.h"

namespace {

using ocr_test::read_file;
using ocr_test::shared_dir;
using Bytes = std::vector<unsigned char>;

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::filesystem::path temp_dir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("ocr_decode_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

// --- sniffing -------------------------------------------------------------------------------

TEST(Sniff, RecognisesMagicBytes) {
  EXPECT_EQ(ocr::sniff_format(Bytes{0xFF, 0xD8, 0xFF, 0xE0}), ocr::Format::kJpeg);
  EXPECT_EQ(ocr::sniff_format(Bytes{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}), ocr::Format::kPng);
  EXPECT_EQ(ocr::sniff_format(Bytes{'I', 'I', 0x2A, 0x00}), ocr::Format::kTiff);
  EXPECT_EQ(ocr::sniff_format(Bytes{'M', 'M', 0x00, 0x2A}), ocr::Format::kTiff);
  EXPECT_EQ(ocr::sniff_format(bytes_of("%PDF-1.4")), ocr::Format::kPdf);
  EXPECT_EQ(ocr::sniff_format(bytes_of("GIF89a")), ocr::Format::kUnknown);
  EXPECT_EQ(ocr::sniff_format(Bytes{}), ocr::Format::kUnknown);
  EXPECT_STREQ(ocr::media_type(ocr::Format::kTiff), "image/tiff");
}

TEST(Decode, UnknownBytesAreUnsupported) {
  auto r = ocr::decode_pages(bytes_of("GIF89a and some more bytes"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ocr::Code::kUnsupportedFormat);
  auto empty = ocr::decode_pages(Bytes{});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ocr::Code::kUnsupportedFormat);
}

// --- JPEG -----------------------------------------------------------------------------------

TEST(Decode, SampleJpegHasItsDpiFromTheFile) {
  auto r = ocr::decode_pages(read_file(shared_dir() / "samples/app-001/page-02.jpg"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  const ocr::Image& p = r->front();
  EXPECT_EQ(p.width(), 1654);
  EXPECT_EQ(p.height(), 2339);
  EXPECT_EQ(p.dpi(), 200);
  EXPECT_TRUE(p.dpi_from_file());
  EXPECT_NE(p.color_mode(), ocr::ColorMode::kColor);
}

TEST(Decode, TruncatedJpegIsCorrupt) {
  Bytes b = read_file(shared_dir() / "samples/app-001/page-02.jpg");
  ASSERT_GT(b.size(), 1000u);
  b.resize(b.size() * 6 / 10);
  auto r = ocr::decode_pages(b);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ocr::Code::kCorrupt);
  // Only the header: still corrupt, not a crash.
  b.resize(300);
  auto h = ocr::decode_pages(b);
  ASSERT_FALSE(h.has_value());
  EXPECT_EQ(h.error().code, ocr::Code::kCorrupt);
}

TEST(Decode, JpegWithTrailingZeroPaddingDecodes) {
  Bytes b = read_file(shared_dir() / "samples/app-001/page-02.jpg");
  b.insert(b.end(), 64, 0x00);
  auto r = ocr::decode_pages(b);
  ASSERT_TRUE(r.has_value()) << r.error().message;
}

TEST(Decode, JpegDeclaring30000SquaredIsTooLarge) {
  // SOI, a baseline frame header declaring 30000 x 30000 x 1, EOI. Refused before any pixel work.
  const Bytes b{0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x75, 0x30, 0x75, 0x30, 0x01, 0x01, 0x11, 0x00,
                0xFF, 0xD9};
  auto r = ocr::decode_pages(b);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ocr::Code::kTooLarge);
}

TEST(Decode, JpegDpiInDotsPerCentimetre) {
  cv::Mat m(40, 60, CV_8UC1, cv::Scalar(200));
  Bytes b;
  ASSERT_TRUE(cv::imencode(".jpg", m, b));
  // JFIF APP0 from OpenCV: units at offset 13, X density at 14..15, Y at 16..17.
  ASSERT_EQ(std::memcmp(&b[6], "JFIF", 4), 0);
  b[13] = 2;                // dots per cm
  b[14] = 0; b[15] = 118;   // 118 dots/cm = 300 dpi
  b[16] = 0; b[17] = 118;
  auto r = ocr::decode_pages(b);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->front().dpi(), 300);
  EXPECT_TRUE(r->front().dpi_from_file());
}

// --- PNG ------------------------------------------------------------------------------------

TEST(Decode, PngWithoutPhysGetsTheDefaultDpi) {
  cv::Mat m(30, 50, CV_8UC3, cv::Scalar(10, 100, 200));
  Bytes b;
  ASSERT_TRUE(cv::imencode(".png", m, b));
  ocr::DecodeLimits limits;
  limits.default_dpi = 150;
  auto r = ocr::decode_pages(b, limits);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->front().dpi(), 150);
  EXPECT_FALSE(r->front().dpi_from_file());
  EXPECT_EQ(r->front().channels(), 3);
  EXPECT_EQ(r->front().color_mode(), ocr::ColorMode::kColor);
}

TEST(Decode, BlankFormPngDecodesAsGrayOrColour) {
  auto r = ocr::decode_pages(read_file(shared_dir() / "forms/youshiki1_shinseisho.png"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_GT(r->front().width(), 800);
}

TEST(Decode, PngDeclaring30000SquaredIsTooLarge) {
  Bytes b{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  const Bytes ihdr{0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30, 8, 0, 0, 0, 0,
                   0xDE, 0xAD, 0xBE, 0xEF};  // CRC not checked before the size
  const Bytes iend{0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  b.insert(b.end(), ihdr.begin(), ihdr.end());
  b.insert(b.end(), iend.begin(), iend.end());
  auto r = ocr::decode_pages(b);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ocr::Code::kTooLarge);
}

TEST(Decode, TruncatedPngIsCorrupt) {
  cv::Mat m(200, 200, CV_8UC1);
  cv::randu(m, 0, 255);
  Bytes b;
  ASSERT_TRUE(cv::imencode(".png", m, b));
  b.resize(b.size() / 2);
  auto r = ocr::decode_pages(b);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ocr::Code::kCorrupt);
}

// --- TIFF -----------------------------------------------------------------------------------

TEST(Decode, CcittG4SampleIsBlackAndWhite) {
  auto r = ocr::decode_pages(read_file(shared_dir() / "samples/app-003/page-02.tif"));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  const ocr::Image& p = r->front();
  EXPECT_EQ(p.width(), 1654);
  EXPECT_EQ(p.height(), 2339);
  EXPECT_EQ(p.channels(), 1);
  EXPECT_EQ(p.color_mode(), ocr::ColorMode::kBlackWhite);
  EXPECT_EQ(p.dpi(), 200);
  EXPECT_TRUE(p.dpi_from_file());
  // A scanned form: mostly white paper, some black ink.
  auto png = p.crop({0, 0, 400, 400}).encode_png();
  ASSERT_TRUE(png.has_value());
}

TEST(Decode, TiffOverTheLimitIsTooLarge) {
  ocr::DecodeLimits limits;
  limits.max_pixels = 1'000'000;
  auto r = ocr::decode_pages(read_file(shared_dir() / "samples/app-003/page-02.tif"), limits);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ocr::Code::kTooLarge);
}

// Writes a three-page TIFF: 8-bit gray (LZW), 1-bit CCITT G4, 8-bit RGB; 300 dpi.
std::filesystem::path write_multipage_tiff() {
  const auto path = temp_dir() / "multi.tif";
  TIFF* t = TIFFOpen(path.c_str(), "w");
  EXPECT_NE(t, nullptr);
  const int w = 64, h = 48;
  for (int page = 0; page < 3; ++page) {
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(t, TIFFTAG_XRESOLUTION, 300.0);
    TIFFSetField(t, TIFFTAG_YRESOLUTION, 300.0);
    TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, h);
    TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
    TIFFSetField(t, TIFFTAG_PAGENUMBER, page, 3);
    std::vector<unsigned char> line;
    if (page == 0) {
      TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
      TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
      TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
      TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
      line.resize(w);
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) line[static_cast<std::size_t>(x)] = static_cast<unsigned char>(x * 4);
        TIFFWriteScanline(t, line.data(), static_cast<std::uint32_t>(y), 0);
      }
    } else if (page == 1) {
      TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
      TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
      TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
      TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
      line.resize(w / 8);
      for (int y = 0; y < h; ++y) {
        std::fill(line.begin(), line.end(), 0);
        if (y >= 10 && y < 20) line[2] = 0xFF;  // black bar at x 16..23
        TIFFWriteScanline(t, line.data(), static_cast<std::uint32_t>(y), 0);
      }
    } else {
      TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
      TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
      TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
      TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_DEFLATE);
      line.resize(static_cast<std::size_t>(w) * 3);
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          line[3 * static_cast<std::size_t>(x)] = 255;  // pure red
          line[3 * static_cast<std::size_t>(x) + 1] = 0;
          line[3 * static_cast<std::size_t>(x) + 2] = 0;
        }
        TIFFWriteScanline(t, line.data(), static_cast<std::uint32_t>(y), 0);
      }
    }
    TIFFWriteDirectory(t);
  }
  TIFFClose(t);
  return path;
}

TEST(Decode, MultiPageTiffGivesEveryPage) {
  const auto path = write_multipage_tiff();
  auto r = ocr::decode_pages(read_file(path));
  std::filesystem::remove_all(path.parent_path());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  for (const auto& p : *r) {
    EXPECT_EQ(p.width(), 64);
    EXPECT_EQ(p.height(), 48);
    EXPECT_EQ(p.dpi(), 300);
    EXPECT_TRUE(p.dpi_from_file());
  }
  EXPECT_EQ((*r)[0].color_mode(), ocr::ColorMode::kGray);
  EXPECT_EQ((*r)[1].color_mode(), ocr::ColorMode::kBlackWhite);
  EXPECT_EQ((*r)[2].color_mode(), ocr::ColorMode::kColor);
  // The G4 page's bar is black (0) on white (255): check through a PNG round trip.
  auto png = (*r)[1].crop({16, 10, 8, 10}).encode_png();
  ASSERT_TRUE(png.has_value());
  const cv::Mat bar = cv::imdecode(*png, cv::IMREAD_GRAYSCALE);
  EXPECT_EQ(cv::countNonZero(bar), 0);
  auto png2 = (*r)[1].crop({0, 0, 8, 8}).encode_png();
  ASSERT_TRUE(png2.has_value());
  EXPECT_EQ(cv::countNonZero(cv::imdecode(*png2, cv::IMREAD_GRAYSCALE) == 255), 64);
  // The RGB page is red: BGR inside, so the PNG (which OpenCV writes from BGR) decodes red.
  auto png3 = (*r)[2].crop({0, 0, 4, 4}).encode_png();
  ASSERT_TRUE(png3.has_value());
  const cv::Mat red = cv::imdecode(*png3, cv::IMREAD_COLOR);
  EXPECT_EQ(red.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 255));
}

TEST(Decode, TiffWithGarbageAfterHeaderIsCorrupt) {
  Bytes b{'I', 'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00};
  for (int i = 0; i < 200; ++i) b.push_back(static_cast<unsigned char>(i * 37 + 11));
  auto r = ocr::decode_pages(b);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ocr::Code::kCorrupt) << r.error().message;
}

TEST(Decode, TruncatedTiffIsCorrupt) {
  Bytes b = read_file(shared_dir() / "samples/app-003/page-02.tif");
  b.resize(b.size() / 2);
  auto r = ocr::decode_pages(b);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ocr::Code::kCorrupt) << r.error().message;
  b.resize(6);
  auto h = ocr::decode_pages(b);
  ASSERT_FALSE(h.has_value());
  EXPECT_EQ(h.error().code, ocr::Code::kCorrupt);
}

// --- PDF ------------------------------------------------------------------------------------

// A PDF from its numbered objects, with a correct cross-reference table.
std::string make_pdf(const std::vector<std::string>& objects) {
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

TEST(Decode, PdfWithoutPagesIsEmpty) {
  const std::string pdf = make_pdf({"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"});
  auto r = ocr::decode_pages(bytes_of(pdf));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ocr::Code::kEmpty) << r.error().message;
}

TEST(Decode, UnparsablePdfIsCorrupt) {
  auto r = ocr::decode_pages(bytes_of("%PDF-1.4\nthis is not a PDF at all\n"));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().code == ocr::Code::kCorrupt || r.error().code == ocr::Code::kEmpty) << r.error().message;
}

TEST(Decode, OnePageImagePdfRendersAt300Dpi) {
  // A 1 x 1 inch page showing a 2 x 2 gray image (black, white / white, black), hex-encoded.
  const std::string image_data = "00FFFF00>";
  const std::string content = "q 72 0 0 72 0 0 cm /Im0 Do Q";
  const std::string pdf = make_pdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Resources << /XObject << /Im0 5 0 R >> >> "
      "/Contents 4 0 R >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
      "<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 "
      "/Filter /ASCIIHexDecode /Length " + std::to_string(image_data.size()) + " >>\nstream\n" + image_data +
          "\nendstream",
  });
  auto r = ocr::decode_pages(bytes_of(pdf));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  const ocr::Image& p = r->front();
  EXPECT_EQ(p.dpi(), 300);
  EXPECT_TRUE(p.dpi_from_file());
  EXPECT_EQ(p.width(), 300);
  EXPECT_EQ(p.height(), 300);
  EXPECT_EQ(p.channels(), 1);  // a gray page comes out gray
  // Top-left quadrant black, top-right white.
  auto tl = p.crop({20, 20, 100, 100}).encode_png();
  auto tr = p.crop({180, 20, 100, 100}).encode_png();
  ASSERT_TRUE(tl && tr);
  EXPECT_LT(cv::mean(cv::imdecode(*tl, cv::IMREAD_GRAYSCALE))[0], 30);
  EXPECT_GT(cv::mean(cv::imdecode(*tr, cv::IMREAD_GRAYSCALE))[0], 225);
}

TEST(Decode, HugePdfPageRendersBelow300DpiWithinLimits) {
  // A 40 x 40 inch page: at 300 dpi it would be 12000 px a side; the renderer lowers the dpi.
  const std::string content = "0 g 0 0 1440 1440 re f";
  const std::string pdf = make_pdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2880 2880] /Contents 4 0 R >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
  });
  ocr::DecodeLimits limits;
  limits.max_pixels = 4'000'000;
  limits.max_side = 3000;
  auto r = ocr::decode_pages(bytes_of(pdf), limits);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const ocr::Image& p = r->front();
  EXPECT_LE(p.width(), 3000);
  EXPECT_LE(static_cast<std::int64_t>(p.width()) * p.height(), 4'000'000);
  EXPECT_LT(p.dpi(), 300);
}

// --- bounds (issue #16) ---------------------------------------------------------------------

// A small real JPEG with an EXIF APP1 segment spliced in after SOI: `tiff` is the EXIF block's
// TIFF structure (byte order, 42, IFD0 offset, ...).
Bytes jpeg_with_exif(const Bytes& tiff) {
  cv::Mat img(16, 16, CV_8UC1, cv::Scalar(200));
  std::vector<unsigned char> jpg;
  EXPECT_TRUE(cv::imencode(".jpg", img, jpg));
  Bytes seg{0xFF, 0xE1};
  const std::size_t len = 2 + 6 + tiff.size();
  seg.push_back(static_cast<unsigned char>(len >> 8));
  seg.push_back(static_cast<unsigned char>(len & 0xFF));
  for (char c : std::string("Exif\0\0", 6)) seg.push_back(static_cast<unsigned char>(c));
  seg.insert(seg.end(), tiff.begin(), tiff.end());
  Bytes out(jpg.begin(), jpg.begin() + 2);
  out.insert(out.end(), seg.begin(), seg.end());
  // Drop the encoder's own JFIF APP0 so that the resolution can only come from the EXIF block.
  std::size_t i = 2;
  if (jpg[2] == 0xFF && jpg[3] == 0xE0) i = 4 + ((std::size_t{jpg[4]} << 8) | jpg[5]);
  out.insert(out.end(), jpg.begin() + static_cast<std::ptrdiff_t>(i), jpg.end());
  return out;
}

// The finding: IFD0's offset near 2^32 wrapped the 32-bit bounds check (ifd + 2 <= n) and the
// parser read 4 GB past the buffer: a crash in the web capture thread. Now: no resolution from the
// block, the page decodes with the default dpi.
TEST(DecodeBounds, ExifIfdOffsetNear4GiBIsIgnoredNotFollowed) {
  for (const std::uint32_t ifd : {0xFFFFFFFFu, 0xFFFFFFFEu, 0xFFFFFFF8u, 0x80000000u}) {
    for (const bool le : {true, false}) {
      Bytes tiff = le ? Bytes{'I', 'I', 42, 0} : Bytes{'M', 'M', 0, 42};
      for (int k = 0; k < 4; ++k) {
        const int shift = le ? 8 * k : 8 * (3 - k);
        tiff.push_back(static_cast<unsigned char>((ifd >> shift) & 0xFF));
      }
      tiff.resize(32, 0);
      auto r = ocr::decode_pages(jpeg_with_exif(tiff));
      ASSERT_TRUE(r.has_value()) << std::hex << ifd << " " << r.error().message;
      EXPECT_FALSE(r->front().dpi_from_file());
      EXPECT_EQ(r->front().dpi(), 200);
    }
  }
}

// The same wrap one level down: XResolution's value offset near 2^32 (off + 8 <= n wrapped).
TEST(DecodeBounds, ExifValueOffsetNear4GiBIsIgnoredNotFollowed) {
  // Little-endian: IFD0 at 8 with one entry, tag 0x011A (RATIONAL, count 1) pointing at 0xFFFFFFFC.
  Bytes tiff{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x1A, 0x01, 5, 0, 1, 0, 0, 0, 0xFC, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0};
  auto r = ocr::decode_pages(jpeg_with_exif(tiff));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_FALSE(r->front().dpi_from_file());
  // A well-formed block still gives its resolution: 300/1 inch.
  Bytes good{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x1A, 0x01, 5, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0,
             44, 1, 0, 0, 1, 0, 0, 0};
  auto g = ocr::decode_pages(jpeg_with_exif(good));
  ASSERT_TRUE(g.has_value()) << g.error().message;
  EXPECT_TRUE(g->front().dpi_from_file());
  EXPECT_EQ(g->front().dpi(), 300);
}

// A PDF of `n` small (1/4 inch) blank pages sharing one content stream.
std::string many_page_pdf(int n) {
  std::vector<std::string> objects = {"<< /Type /Catalog /Pages 2 0 R >>", ""};
  std::string kids;
  const std::string content = "1 g 0 0 18 18 re f";
  objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream");
  for (int i = 0; i < n; ++i) {
    kids += std::to_string(objects.size() + 1) + " 0 R ";
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 18 18] /Contents 3 0 R >>");
  }
  objects[1] = "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n) + " >>";
  return make_pdf(objects);
}

// The finding: a PDF's page count was unbounded (every page rendered). Now the count is checked
// before any page is rendered.
TEST(DecodeBounds, PdfPageCountIsBoundedBeforeRendering) {
  ocr::DecodeLimits limits;
  limits.max_pages = 3;
  auto ok = ocr::decode_pages(bytes_of(many_page_pdf(3)), limits);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->size(), 3u);
  auto over = ocr::decode_pages(bytes_of(many_page_pdf(4)), limits);
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code, ocr::Code::kTooLarge);
  // The default bound holds too.
  const ocr::DecodeLimits defaults;
  auto big = ocr::decode_pages(bytes_of(many_page_pdf(defaults.max_pages + 1)));
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code, ocr::Code::kTooLarge) << big.error().message;
}

TEST(DecodeBounds, TiffPageCountIsBounded) {
  const auto path = write_multipage_tiff();  // 3 pages
  const Bytes bytes = read_file(path);
  std::filesystem::remove_all(path.parent_path());
  ocr::DecodeLimits limits;
  limits.max_pages = 2;
  auto over = ocr::decode_pages(bytes, limits);
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code, ocr::Code::kTooLarge);
  limits.max_pages = 3;
  auto ok = ocr::decode_pages(bytes, limits);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->size(), 3u);
}

// The fuzz targets' seeds (tests/fuzz/corpus) are real files of their kind: each decodes, so the
// fuzzer starts inside the decoder and not at its first check.
TEST(DecodeBounds, FuzzSeedCorpusDecodes) {
  int n = 0;
  for (const char* kind : {"image", "tiff", "pdf"}) {
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(STATION_SOURCE_DIR) / "tests/fuzz/corpus" / kind)) {
      auto r = ocr::decode_pages(read_file(e.path()));
      EXPECT_TRUE(r.has_value()) << e.path().filename() << ": " << (r ? "" : r.error().message);
      ++n;
    }
  }
  EXPECT_GE(n, 8);
}

// --- Image ----------------------------------------------------------------------------------

TEST(Image, FromPixelsCropRotateAndEncode) {
  std::vector<unsigned char> px(6 * 4 * 3, 0);
  px[0] = 255;  // top-left pixel red (RGB input)
  auto img = ocr::Image::from_pixels(6, 4, 3, px, 300);
  ASSERT_TRUE(img.has_value());
  EXPECT_EQ(img->width(), 6);
  EXPECT_EQ(img->height(), 4);
  EXPECT_EQ(img->channels(), 3);
  EXPECT_EQ(img->dpi(), 300);
  EXPECT_EQ(img->color_mode(), ocr::ColorMode::kColor);
  const ocr::Image c = img->crop({4, 2, 10, 10});  // clipped
  EXPECT_EQ(c.width(), 2);
  EXPECT_EQ(c.height(), 2);
  EXPECT_TRUE(img->crop({100, 100, 5, 5}).empty());
  const ocr::Image r = img->rotated(1);
  EXPECT_EQ(r.width(), 4);
  EXPECT_EQ(r.height(), 6);
  EXPECT_EQ(img->rotated(2).width(), 6);
  auto png = r.encode_png();
  ASSERT_TRUE(png.has_value());
  const cv::Mat back = cv::imdecode(*png, cv::IMREAD_COLOR);
  // After a quarter turn clockwise the top-left pixel is at the top-right.
  EXPECT_EQ(back.at<cv::Vec3b>(0, 3), cv::Vec3b(0, 0, 255));
  auto jpg = img->encode_jpeg(90);
  ASSERT_TRUE(jpg.has_value());
  EXPECT_EQ(ocr::sniff_format(*jpg), ocr::Format::kJpeg);
  EXPECT_FALSE(ocr::Image().encode_png().has_value());
  EXPECT_FALSE(ocr::Image::from_pixels(6, 4, 2, px, 300).has_value());
  EXPECT_FALSE(ocr::Image::from_pixels(60, 40, 3, px, 300).has_value());
}

}  // namespace
