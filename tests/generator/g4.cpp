#include "g4.h"

#include <tiffio.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace formgen {

void write_g4(const std::filesystem::path& path, int width, int height, const std::uint8_t* gray, std::size_t stride, int dpi) {
  TIFF* t = TIFFOpen(path.string().c_str(), "w");
  if (!t) throw std::runtime_error("cannot write " + path.string());
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(width));
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(height));
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
  TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
  TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
  TIFFSetField(t, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
  TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, static_cast<std::uint32_t>(height));
  TIFFSetField(t, TIFFTAG_XRESOLUTION, static_cast<float>(dpi));
  TIFFSetField(t, TIFFTAG_YRESOLUTION, static_cast<float>(dpi));
  TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  std::vector<std::uint8_t> row(static_cast<std::size_t>((width + 7) / 8));
  for (int y = 0; y < height; ++y) {
    std::fill(row.begin(), row.end(), 0);
    const std::uint8_t* p = gray + static_cast<std::size_t>(y) * stride;
    for (int x = 0; x < width; ++x)
      if (p[x] < 128) row[static_cast<std::size_t>(x / 8)] |= static_cast<std::uint8_t>(0x80 >> (x % 8));
    if (TIFFWriteScanline(t, row.data(), static_cast<std::uint32_t>(y), 0) < 0) {
      TIFFClose(t);
      throw std::runtime_error("cannot write " + path.string());
    }
  }
  TIFFClose(t);
}

}  // namespace formgen
