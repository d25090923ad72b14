#pragma once
// Private: skew by projection profiles, without rotating any pixels. The search rotates the ink's
// coordinates (every nonzero pixel, weighted by its value) about the image centre, exactly as
// cv::warpAffine(getRotationMatrix2D(centre, deg, 1)) would move them, and scores the histogram of
// the rotated rows (and columns). Rotating coordinates costs a few operations per ink pixel; the
// warp it replaces touched every pixel of the image once per candidate angle.
#include <opencv2/core.hpp>

namespace ocr::detail {

struct SkewSearch {
  double range = 4.0;        // coarse search over [-range, +range] degrees
  double step = 0.25;        // coarse step
  double fine_range = 0.2;   // then around the best coarse angle
  double fine_step = 0.05;
  bool columns = false;      // score the columns' profile too (rows and columns straight)
};

// The angle (degrees, OpenCV's counter-clockwise convention) whose rotation makes the ink's rows
// (and columns) sharpest: the largest sum of squared profile bins. `ink` is 8-bit, one channel;
// zero is background. 0 when there is no ink.
double projection_skew(const cv::Mat& ink, const SkewSearch& search);

}  // namespace ocr::detail
