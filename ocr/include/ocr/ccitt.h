#pragma once
// CCITT Group 4 (ITU-T T.6) encoding of black-and-white pages, for the PDFs that leave the station
// (station/outputs embeds the stream as /CCITTFaxDecode with /K -1). libtiff, which this module
// owns, does the encoding.
#include <vector>

#include "ocr/image.h"

namespace ocr {

// The raw G4 stream of `image` (no TIFF around it): one row after another, MSB first, no EOL and
// no byte alignment, ending with EOFB; a pixel darker than 128 is black. PDF reads it with
// /CCITTFaxDecode << /K -1 /Columns width /Rows height >> (BlackIs1 false) into /DeviceGray, 1 bit.
// Meant for images whose color_mode() is kBlackWhite (gray pixels are thresholded at 128).
// kInvalid for an empty image.
Result<std::vector<unsigned char>> encode_ccitt_g4(const Image& image);

}  // namespace ocr
