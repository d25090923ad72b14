// Separator sheets: patch code T (bar widths measured on row/column profiles) and QR (zbar).
#include "ocr/separator.h"

#include <zbar.h>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

#include "image_impl.h"

namespace ocr {
namespace {

// Patch code T, read from the leading edge: narrow, wide, narrow, wide (1 = wide).
constexpr bool kPatchT[4] = {false, true, false, true};

// Runs of "bar" lines in a profile of dark fractions; returns [start, length) pairs.
std::vector<std::pair<int, int>> bar_runs(const std::vector<double>& dark, double min_fraction) {
  std::vector<std::pair<int, int>> runs;
  int start = -1;
  for (int i = 0; i <= static_cast<int>(dark.size()); ++i) {
    const bool bar = i < static_cast<int>(dark.size()) && dark[static_cast<std::size_t>(i)] >= min_fraction;
    if (bar && start < 0) start = i;
    if (!bar && start >= 0) {
      runs.emplace_back(start, i - start);
      start = -1;
    }
  }
  return runs;
}

bool runs_are_patch_t(const std::vector<std::pair<int, int>>& runs) {
  for (std::size_t i = 0; i + 4 <= runs.size(); ++i) {
    int lo = runs[i].second, hi = lo;
    for (std::size_t k = i; k < i + 4; ++k) lo = std::min(lo, runs[k].second), hi = std::max(hi, runs[k].second);
    if (lo < 2 || hi < 2 * lo) continue;
    const double thr = (lo + hi) / 2.0;
    // The gaps between the bars are narrow (no wider than a wide bar).
    bool gaps_ok = true;
    for (std::size_t k = i; k + 1 < i + 4; ++k) {
      const int gap = runs[k + 1].first - (runs[k].first + runs[k].second);
      if (gap <= 0 || gap > hi * 1.5) gaps_ok = false;
    }
    if (!gaps_ok) continue;
    bool fwd = true, back = true;
    for (int k = 0; k < 4; ++k) {
      const bool wide = runs[i + static_cast<std::size_t>(k)].second > thr;
      if (wide != kPatchT[k]) fwd = false;
      if (wide != kPatchT[3 - k]) back = false;
    }
    if (fwd || back) return true;
  }
  return false;
}

bool qr_separator(const cv::Mat& gray) {
  zbar::zbar_image_scanner_t* scanner = zbar::zbar_image_scanner_create();
  zbar::zbar_image_scanner_set_config(scanner, zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
  zbar::zbar_image_scanner_set_config(scanner, zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE, 1);
  zbar::zbar_image_t* image = zbar::zbar_image_create();
  cv::Mat cont = gray.isContinuous() ? gray : gray.clone();
  zbar::zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
  zbar::zbar_image_set_size(image, static_cast<unsigned>(cont.cols), static_cast<unsigned>(cont.rows));
  zbar::zbar_image_set_data(image, cont.data, cont.total(), nullptr);
  bool found = false;
  if (zbar::zbar_scan_image(scanner, image) > 0) {
    for (const zbar::zbar_symbol_t* s = zbar::zbar_image_first_symbol(image); s != nullptr;
         s = zbar::zbar_symbol_next(s)) {
      const char* data = zbar::zbar_symbol_get_data(s);
      if (data != nullptr && std::strcmp(data, kSeparatorPayload) == 0) found = true;
    }
  }
  zbar::zbar_image_destroy(image);
  zbar::zbar_image_scanner_destroy(scanner);
  return found;
}

cv::Mat gray_at_most(const cv::Mat& m, int max_side) {
  cv::Mat g = to_gray(m);
  const int side = std::max(g.cols, g.rows);
  if (side <= max_side) return g;
  const double s = static_cast<double>(max_side) / side;
  cv::Mat out;
  cv::resize(g, out, cv::Size(), s, s, cv::INTER_AREA);
  return out;
}

}  // namespace

bool has_patch_t(const Image& page) {
  if (page.empty()) return false;
  const cv::Mat g = gray_at_most(ImageAccess::mat(page), 1200);
  const cv::Mat dark = g < 110;
  std::vector<double> rows(static_cast<std::size_t>(g.rows)), cols(static_cast<std::size_t>(g.cols));
  for (int y = 0; y < g.rows; ++y) rows[static_cast<std::size_t>(y)] = cv::countNonZero(dark.row(y)) / double(g.cols);
  for (int x = 0; x < g.cols; ++x) cols[static_cast<std::size_t>(x)] = cv::countNonZero(dark.col(x)) / double(g.rows);
  return runs_are_patch_t(bar_runs(rows, 0.5)) || runs_are_patch_t(bar_runs(cols, 0.5));
}

SeparatorMatch detect_separator(const Image& page) {
  SeparatorMatch m;
  if (page.empty()) return m;
  if (has_patch_t(page)) {
    m.kind = SeparatorKind::kPatchT;
    return m;
  }
  // The QR is 70 mm wide: at 1000 pixels for the page's long side its modules are still ~10 px.
  if (qr_separator(gray_at_most(ImageAccess::mat(page), 1000))) m.kind = SeparatorKind::kQr;
  return m;
}

Result<Image> render_separator_sheet(int dpi) {
  if (dpi < 72 || dpi > 600) return fail(Code::kInvalid, "separator sheet dpi must be 72..600");
  auto mm = [dpi](double v) { return static_cast<int>(v / 25.4 * dpi + 0.5); };
  cv::Mat page(mm(297), mm(210), CV_8UC1, cv::Scalar(255));
  // Patch code T along the top: bars 2 mm (narrow) and 5 mm (wide), 2 mm apart, across the width.
  int y = mm(15);
  for (bool wide : kPatchT) {
    const int h = wide ? mm(5) : mm(2);
    cv::rectangle(page, cv::Rect(mm(10), y, page.cols - 2 * mm(10), h), cv::Scalar(0), cv::FILLED);
    y += h + mm(2);
  }
  // The QR code, 70 mm square, in the middle.
  cv::Ptr<cv::QRCodeEncoder> enc = cv::QRCodeEncoder::create();
  cv::Mat qr;
  try {
    enc->encode(kSeparatorPayload, qr);
  } catch (const cv::Exception&) {
    return fail(Code::kEngine, "QR encoding failed");
  }
  if (qr.empty()) return fail(Code::kEngine, "QR encoding failed");
  const int side = mm(70);
  cv::Mat big;
  cv::resize(qr, big, cv::Size(side, side), 0, 0, cv::INTER_NEAREST);
  if (big.type() != CV_8UC1) big.convertTo(big, CV_8UC1);
  big.copyTo(page(cv::Rect((page.cols - side) / 2, (page.rows - side) / 2, side, side)));
  // Big plain letters (no Japanese: Hershey fonts are Latin only).
  const double scale = dpi / 60.0;
  const int thick = std::max(2, dpi / 40);
  for (auto [text, yy] : {std::pair{"STATION", mm(80)}, std::pair{"SEPARATOR", mm(230)}}) {
    int base = 0;
    const cv::Size sz = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thick, &base);
    cv::putText(page, text, cv::Point((page.cols - sz.width) / 2, yy), cv::FONT_HERSHEY_SIMPLEX, scale,
                cv::Scalar(0), thick, cv::LINE_AA);
  }
  return ImageAccess::make(std::move(page), dpi, true, ColorMode::kBlackWhite);
}

}  // namespace ocr
