// Image PDFs (network scanners) rendered with poppler-cpp, page by page.
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>

#include "decode.h"
#include "image_impl.h"

namespace ocr::detail {
namespace {

constexpr double kRenderDpi = 300.0;
constexpr double kMinDpi = 36.0;

void quiet(const std::string&, void*) {}

void install_quiet_errors() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(quiet, nullptr); });
}

// True when every pixel has R == G == B (a gray or lineart page rendered in colour).
bool all_gray(const cv::Mat& bgr) {
  for (int y = 0; y < bgr.rows; ++y) {
    const auto* p = bgr.ptr<cv::Vec3b>(y);
    for (int x = 0; x < bgr.cols; ++x)
      if (p[x][0] != p[x][1] || p[x][1] != p[x][2]) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<Image>> decode_pdf(std::span<const unsigned char> bytes, const DecodeLimits& limits) {
  install_quiet_errors();
  // poppler reads the buffer in place; `bytes` outlives the document.
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(
      reinterpret_cast<const char*>(bytes.data()), static_cast<int>(bytes.size())));
  if (!doc) return fail(Code::kCorrupt, "PDF could not be parsed");
  if (doc->is_locked()) return fail(Code::kUnsupportedFormat, "PDF is password-protected");
  const int n = doc->pages();
  if (n <= 0) return fail(Code::kEmpty, "PDF has no pages");
  if (n > limits.max_pages)
    return fail(Code::kTooLarge, "PDF has " + std::to_string(n) + " pages, over the limit of " +
                                     std::to_string(limits.max_pages));
  if (!poppler::page_renderer::can_render()) return fail(Code::kEngine, "PDF rendering is not available");

  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_image_format(poppler::image::format_rgb24);
  std::vector<Image> pages;
  std::int64_t total_pixels = 0;
  for (int i = 0; i < n; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) return fail(Code::kCorrupt, "PDF page " + std::to_string(i + 1) + " could not be read");
    const poppler::rectf r = page->page_rect(poppler::crop_box);
    double wi = r.width() / 72.0, hi = r.height() / 72.0;  // inches
    if (page->orientation() == poppler::page::landscape || page->orientation() == poppler::page::seascape)
      std::swap(wi, hi);
    if (!(wi > 0) || !(hi > 0)) return fail(Code::kCorrupt, "PDF page " + std::to_string(i + 1) + " has no size");
    // 300 dpi when the page fits the limits, else the highest resolution that does.
    double dpi = kRenderDpi;
    dpi = std::min(dpi, (limits.max_side - 1) / std::max(wi, hi));
    dpi = std::min(dpi, std::sqrt(static_cast<double>(limits.max_pixels) / (wi * hi)) * 0.999);
    dpi = std::floor(dpi);
    if (dpi < kMinDpi)
      return fail(Code::kTooLarge, "PDF page " + std::to_string(i + 1) + " is too large to render");
    poppler::image img = renderer.render_page(page.get(), dpi, dpi);
    if (!img.is_valid()) return fail(Code::kCorrupt, "PDF page " + std::to_string(i + 1) + " could not be rendered");
    if (auto ok = check_size(img.width(), img.height(), limits); !ok) return std::unexpected(ok.error());
    // Many pages at the limit are a bomb too: the whole file counts, as for TIFF.
    total_pixels += std::int64_t{img.width()} * img.height();
    if (total_pixels > limits.max_pixels * 4)
      return fail(Code::kTooLarge, "PDF pages together are over the pixel limit");
    cv::Mat view;
    cv::Mat bgr;
    switch (img.format()) {
      case poppler::image::format_rgb24:
        view = cv::Mat(img.height(), img.width(), CV_8UC3, img.data(), static_cast<std::size_t>(img.bytes_per_row()));
        cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);
        break;
      case poppler::image::format_bgr24:
        view = cv::Mat(img.height(), img.width(), CV_8UC3, img.data(), static_cast<std::size_t>(img.bytes_per_row()));
        bgr = view.clone();
        break;
      case poppler::image::format_argb32:  // B,G,R,A in memory on little-endian
        view = cv::Mat(img.height(), img.width(), CV_8UC4, img.data(), static_cast<std::size_t>(img.bytes_per_row()));
        cv::cvtColor(view, bgr, cv::COLOR_BGRA2BGR);
        break;
      case poppler::image::format_gray8:
        view = cv::Mat(img.height(), img.width(), CV_8UC1, img.data(), static_cast<std::size_t>(img.bytes_per_row()));
        cv::cvtColor(view, bgr, cv::COLOR_GRAY2BGR);
        break;
      default:
        return fail(Code::kEngine, "PDF renderer produced an unexpected pixel format");
    }
    cv::Mat out = bgr;
    if (all_gray(bgr)) cv::cvtColor(bgr, out, cv::COLOR_BGR2GRAY);
    const ColorMode mode = classify(out);
    pages.push_back(ImageAccess::make(std::move(out), static_cast<int>(dpi), true, mode));
  }
  return pages;
}

}  // namespace ocr::detail
