// Skew by projection profiles over rotated ink coordinates (skew.h).
#include "skew.h"

#include <cmath>
#include <numbers>
#include <vector>

namespace ocr::detail {

namespace {

struct InkPoint {
  float x, y;  // relative to the image centre
  double w;
};

// Sum of squared bins of the rows' (and columns') profile after rotating by `deg`; points that
// leave the image are dropped, as the warp would crop them.
double energy(const std::vector<InkPoint>& pts, int cols, int rows, double deg, bool columns,
              std::vector<double>& row_bins, std::vector<double>& col_bins) {
  const double a = deg * std::numbers::pi / 180.0;
  const double ca = std::cos(a), sa = std::sin(a);
  const double cx = cols / 2.0, cy = rows / 2.0;
  std::fill(row_bins.begin(), row_bins.end(), 0.0);
  if (columns) std::fill(col_bins.begin(), col_bins.end(), 0.0);
  for (const auto& p : pts) {
    const double x = ca * p.x + sa * p.y + cx;
    const double y = -sa * p.x + ca * p.y + cy;
    const long ix = std::lround(x), iy = std::lround(y);
    if (ix < 0 || iy < 0 || ix >= cols || iy >= rows) continue;
    row_bins[static_cast<std::size_t>(iy)] += p.w;
    if (columns) col_bins[static_cast<std::size_t>(ix)] += p.w;
  }
  double s = 0;
  for (double b : row_bins) s += b * b;
  if (columns)
    for (double b : col_bins) s += b * b;
  return s;
}

}  // namespace

double projection_skew(const cv::Mat& ink, const SkewSearch& search) {
  CV_Assert(ink.type() == CV_8UC1);
  std::vector<InkPoint> pts;
  const float cx = ink.cols / 2.0f, cy = ink.rows / 2.0f;
  for (int y = 0; y < ink.rows; ++y) {
    const unsigned char* row = ink.ptr<unsigned char>(y);
    for (int x = 0; x < ink.cols; ++x)
      if (row[x] != 0) pts.push_back({static_cast<float>(x) - cx, static_cast<float>(y) - cy, static_cast<double>(row[x])});
  }
  if (pts.empty()) return 0.0;
  std::vector<double> row_bins(static_cast<std::size_t>(ink.rows)), col_bins(static_cast<std::size_t>(ink.cols));
  auto score = [&](double deg) { return energy(pts, ink.cols, ink.rows, deg, search.columns, row_bins, col_bins); };
  double best = 0, best_score = score(0);
  for (double a = -search.range; a <= search.range + 1e-9; a += search.step) {
    const double s = score(a);
    if (s > best_score) {
      best_score = s;
      best = a;
    }
  }
  const double coarse = best;
  for (double a = coarse - search.fine_range; a <= coarse + search.fine_range + 1e-9; a += search.fine_step) {
    const double s = score(a);
    if (s > best_score) {
      best_score = s;
      best = a;
    }
  }
  return best;
}

}  // namespace ocr::detail
