#pragma once
// PDFs built in memory (libharu): no plaintext personal data touches the disk; the only thing
// written out is the encrypted bundle (bundle.h).
#include <string>
#include <vector>

#include "station/error.h"

namespace station::outputs {

struct PdfPage {
  std::vector<unsigned char> bytes;  // JPEG or PNG
  bool is_jpeg = false;
  int width = 0, height = 0, dpi = 200;
  int rotation = 0;  // degrees clockwise to show the page upright (0, 90, 180, 270)
};

// One PDF with one page per image, each page the image's physical size.
Result<std::vector<unsigned char>> build_pdf(const std::vector<PdfPage>& pages, const std::string& title);

}  // namespace station::outputs
