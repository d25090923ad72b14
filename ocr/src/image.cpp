// ocr::Image: a shared, immutable 8-bit raster (gray or BGR) with its resolution.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

#include "image_impl.h"

namespace ocr {

cv::Mat to_gray(const cv::Mat& m) {
  if (m.channels() == 1) return m;
  cv::Mat g;
  cv::cvtColor(m, g, cv::COLOR_BGR2GRAY);
  return g;
}

Image::Image() : impl_(std::make_shared<Impl>()) {}

Result<Image> Image::from_pixels(int width, int height, int channels, std::span<const unsigned char> pixels,
                                 int dpi) {
  if (width <= 0 || height <= 0) return fail(Code::kInvalid, "image size must be positive");
  if (channels != 1 && channels != 3) return fail(Code::kInvalid, "an image has 1 or 3 channels");
  const auto need = static_cast<std::size_t>(width) * static_cast<std::size_t>(height) *
                    static_cast<std::size_t>(channels);
  if (pixels.size() < need) return fail(Code::kInvalid, "pixel buffer is smaller than width*height*channels");
  if (dpi <= 0) return fail(Code::kInvalid, "dpi must be positive");
  // The const_cast is for the Mat header only; clone() copies before anything could write.
  cv::Mat view(height, width, channels == 1 ? CV_8UC1 : CV_8UC3,
               const_cast<unsigned char*>(pixels.data()));  // NOLINT
  cv::Mat mat;
  if (channels == 3) {
    cv::cvtColor(view, mat, cv::COLOR_RGB2BGR);  // scanners deliver RGB; we keep BGR inside
  } else {
    mat = view.clone();
  }
  return ImageAccess::make(std::move(mat), dpi, true, channels == 1 ? ColorMode::kGray : ColorMode::kColor);
}

int Image::width() const { return impl_->mat.cols; }
int Image::height() const { return impl_->mat.rows; }
int Image::channels() const { return impl_->mat.empty() ? 0 : impl_->mat.channels(); }
bool Image::empty() const { return impl_->mat.empty(); }

Image Image::crop(Box box) const {
  const cv::Rect r = cv::Rect(box.x, box.y, box.w, box.h) & cv::Rect(0, 0, width(), height());
  if (r.empty()) return ImageAccess::make(cv::Mat(), dpi_, dpi_from_file_, mode_);
  return ImageAccess::make(impl_->mat(r).clone(), dpi_, dpi_from_file_, mode_);
}

Image Image::rotated(int quarter_turns_cw) const {
  const int q = ((quarter_turns_cw % 4) + 4) % 4;
  if (q == 0 || empty()) return *this;
  cv::Mat out;
  const int code = q == 1 ? cv::ROTATE_90_CLOCKWISE : q == 2 ? cv::ROTATE_180 : cv::ROTATE_90_COUNTERCLOCKWISE;
  cv::rotate(impl_->mat, out, code);
  return ImageAccess::make(std::move(out), dpi_, dpi_from_file_, mode_);
}

namespace {
Result<std::vector<unsigned char>> encode(const cv::Mat& m, const char* ext, const std::vector<int>& params) {
  if (m.empty()) return fail(Code::kInvalid, "cannot encode an empty image");
  std::vector<unsigned char> out;
  try {
    if (!cv::imencode(ext, m, out, params)) return fail(Code::kEngine, std::string("could not encode ") + ext);
  } catch (const cv::Exception& e) {
    return fail(Code::kEngine, std::string("could not encode ") + ext + ": " + e.what());
  }
  return out;
}
}  // namespace

Result<std::vector<unsigned char>> Image::encode_png(int compression) const {
  // pHYs is not written by OpenCV; callers that need the resolution keep dpi() beside the bytes.
  return encode(impl_->mat, ".png", {cv::IMWRITE_PNG_COMPRESSION, std::clamp(compression, 0, 9)});
}

Result<std::vector<unsigned char>> Image::encode_jpeg(int quality) const {
  return encode(impl_->mat, ".jpg", {cv::IMWRITE_JPEG_QUALITY, std::clamp(quality, 1, 100)});
}

}  // namespace ocr
