#pragma once
// Private: the digit classifier on a binary ink mask (255 = ink), for the comb reader.
#include <opencv2/core.hpp>

#include "ocr/digits.h"

namespace ocr::detail {
DigitVote classify_digit_ink(const cv::Mat& ink);
}  // namespace ocr::detail
