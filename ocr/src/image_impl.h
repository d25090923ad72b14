#pragma once
// Private: the pixels behind ocr::Image. Only the module's own sources include this.
#include <opencv2/core.hpp>

#include "ocr/image.h"

namespace ocr {

// 8-bit pixels, 1 channel (gray) or 3 channels (BGR, OpenCV's order). Never mutated once shared.
struct Image::Impl {
  cv::Mat mat;
};

struct ImageAccess {
  // Takes ownership of `mat` (which must not be shared with anything that writes to it later).
  static Image make(cv::Mat mat, int dpi, bool dpi_from_file, ColorMode mode) {
    auto impl = std::make_shared<Image::Impl>();
    impl->mat = std::move(mat);
    Image img(std::move(impl));
    img.dpi_ = dpi;
    img.dpi_from_file_ = dpi_from_file;
    img.mode_ = mode;
    return img;
  }
  static const cv::Mat& mat(const Image& img) { return img.impl_->mat; }
};

// The image as 8-bit gray (shares pixels when it already is gray).
cv::Mat to_gray(const cv::Mat& m);

}  // namespace ocr
