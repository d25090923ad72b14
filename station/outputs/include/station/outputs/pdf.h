#pragma once
// PDFs built in memory (libharu): no plaintext personal data touches the disk; the only thing
// written out is the encrypted bundle (bundle.h).
#include <string>
#include <vector>

#include "station/error.h"

namespace station::outputs {

// A run of text on a page image: UTF-8, and the box it covers in the image's pixels (top-left origin).
struct TextSpan {
  std::string text;
  double x = 0, y = 0, w = 0, h = 0;
};

struct PdfPage {
  std::vector<unsigned char> bytes;  // JPEG, PNG, or a raw CCITT G4 stream (is_ccitt_g4)
  bool is_jpeg = false;
  // `bytes` is a raw CCITT Group 4 stream of a width x height black-and-white page
  // (ocr::encode_ccitt_g4); only build_searchable_pdf carries it (/CCITTFaxDecode, /K -1).
  bool is_ccitt_g4 = false;
  int width = 0, height = 0, dpi = 200;
  int rotation = 0;  // degrees clockwise to show the page upright (0, 90, 180, 270)
  std::vector<TextSpan> text;  // the invisible text layer of a searchable PDF (build_searchable_pdf)
};

// The document information a searchable PDF carries (Title, Subject, Keywords; UTF-8).
struct PdfInfo {
  std::string title, subject, keywords;
  // An sRGB ICC profile (kSrgbIccPath's bytes). With it the PDF is written as PDF/A-2b: XMP
  // metadata (pdfaid part 2, conformance B; the same title, subject, keywords and producer as the
  // document information), an OutputIntent (GTS_PDFA1) carrying this profile, and a file /ID.
  // Empty: a plain PDF 1.7 that claims no PDF/A.
  std::string output_intent_icc = {};
};

// Where Debian's icc-profiles-free puts its sRGB profile (install-deps.sh installs the package).
inline constexpr const char* kSrgbIccPath = "/usr/share/color/icc/sRGB.icc";

// A searchable PDF written by the station itself (not libharu): each page its image (JPEG as it is,
// DCTDecode; a G4 stream as it is, CCITTFaxDecode with K -1; PNG's compressed data as it is,
// FlateDecode with the PNG predictors) at its physical
// size, and over it the page's text spans as invisible text (render mode 3) in a Type0 font with
// Identity-H encoding over a CIDFontType2 glyph-less font (Tesseract's one-glyph TrueType), each
// character its own CID and a ToUnicode map that gives it back exactly — characters outside the
// BMP (𠮷) as one UTF-16 surrogate pair — and no space added between characters: a reader copies
// each span as written. kExport for an image it cannot carry (interlaced PNG, PNG with alpha).
Result<std::vector<unsigned char>> build_searchable_pdf(const std::vector<PdfPage>& pages, const PdfInfo& info);

// One PDF with one page per image, each page the image's physical size.
Result<std::vector<unsigned char>> build_pdf(const std::vector<PdfPage>& pages, const std::string& title);

}  // namespace station::outputs
