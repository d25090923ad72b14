// Scaling: for reading (area interpolation) and for display (page previews in the review screen).
#include <opencv2/imgproc.hpp>

#include "image_impl.h"

namespace ocr {

namespace {

Image scaled_to_width(const Image& img, int width, double area_below) {
  if (img.empty() || width <= 0 || width == img.width()) return img;
  const double f = static_cast<double>(width) / img.width();
  const int height = std::max(1, static_cast<int>(img.height() * f + 0.5));
  cv::Mat out;
  cv::resize(ImageAccess::mat(img), out, cv::Size(width, height), 0, 0,
             f < area_below ? cv::INTER_AREA : cv::INTER_LINEAR);
  return ImageAccess::make(std::move(out), std::max(1, static_cast<int>(img.dpi() * f + 0.5)), img.dpi_from_file(),
                           img.color_mode());
}

}  // namespace

Image Image::resized_to_width(int width) const { return scaled_to_width(*this, width, 1.0); }

Image Image::shown_at_width(int width) const { return scaled_to_width(*this, width, 0.5); }

}  // namespace ocr
