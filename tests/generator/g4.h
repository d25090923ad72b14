#pragma once
// Bilevel CCITT G4 TIFF writing for formgen, apart from OpenCV (libtiff's and OpenCV's integer
// typedefs clash in one translation unit).
#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace formgen {
// `gray` is 8-bit, `stride` bytes a row; a pixel below 128 is black. Throws on a write error.
void write_g4(const std::filesystem::path& path, int width, int height, const std::uint8_t* gray, std::size_t stride, int dpi);
}  // namespace formgen
