#pragma once
// Private: the digit classifier on a binary ink mask (255 = ink), and the comb cell's clean-up,
// for the comb reader (and its tests).
#include <opencv2/core.hpp>

#include "ocr/digits.h"

namespace ocr::detail {
DigitVote classify_digit_ink(const cv::Mat& ink);
// A comb cell's ink (255 = ink) without specks, ruling remnants and dust beside the glyph
// (comb.cpp); `min_area` is the least area of a mark kept.
cv::Mat clean_cell(const cv::Mat& ink_cell, int min_area);
}  // namespace ocr::detail
