// Scaling for display (page previews in the review screen).
#include <opencv2/imgproc.hpp>

#include "image_impl.h"

namespace ocr {

Image Image::resized_to_width(int width) const {
  if (empty() || width <= 0 || width == this->width()) return *this;
  const double f = static_cast<double>(width) / this->width();
  const int height = std::max(1, static_cast<int>(this->height() * f + 0.5));
  cv::Mat out;
  cv::resize(ImageAccess::mat(*this), out, cv::Size(width, height), 0, 0,
             f < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return ImageAccess::make(std::move(out), std::max(1, static_cast<int>(dpi() * f + 0.5)), dpi_from_file(),
                           color_mode());
}

}  // namespace ocr
