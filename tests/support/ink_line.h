#pragma once
// Test support: a line of characters drawn by an installed face and "scanned" (blurred), with each
// character's box — real ink for the glyph classifier's tests (ocr_tests, recognition_tests).
#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ocr/image.h"

namespace station::testing {

struct InkLine {
  ocr::Image image;
  std::vector<ocr::Box> boxes;
};

// `chars` drawn at `px` px by the face `file` (searched under /usr/share/fonts), one pitch of 1.5 px
// per px apart, dark on light, blurred as a scan; nothing when the face is absent.
inline std::optional<InkLine> ink_line(const std::vector<std::string>& chars, const std::string& file, int px) {
  std::filesystem::path path;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator("/usr/share/fonts", ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->path().filename() == file) path = it->path();
  if (path.empty()) return std::nullopt;
  auto ft = cv::freetype::createFreeType2();
  ft->loadFontData(path.string(), 0);
  const int pitch = px * 3 / 2;
  cv::Mat m(px * 2, pitch * static_cast<int>(chars.size()) + px, CV_8UC3, cv::Scalar::all(250));
  InkLine out;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const int x = px / 2 + pitch * static_cast<int>(i);
    ft->putText(m, chars[i], {x, px * 3 / 2}, px, cv::Scalar::all(25), -1, cv::LINE_AA, true);
    out.boxes.push_back(ocr::Box{x - 2, px / 2 - 2, px + 4, px + 4});
  }
  cv::Mat g;
  cv::cvtColor(m, g, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(g, g, {3, 3}, 0.8);
  auto img = ocr::Image::from_pixels(g.cols, g.rows, 1, {g.data, g.total()}, 300);
  if (!img) return std::nullopt;
  out.image = *img;
  return out;
}

}  // namespace station::testing
