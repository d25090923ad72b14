#pragma once
// Private: the digit classifier on a binary ink mask (255 = ink), and the comb cell's clean-up,
// for the comb reader (and its tests).
#include <opencv2/core.hpp>

#include <optional>
#include <string>
#include <vector>

#include "ocr/digits.h"

namespace ocr::detail {
DigitVote classify_digit_ink(const cv::Mat& ink);
// A label's rendered glyphs (every face, two sizes, bold, thin, turned; a zero also slashed and
// dotted) as HOG rows at the kanji geometry, kept once made (up to a bound); and a glyph's ink (255 = ink) as such a
// row (nothing where it holds too little ink). For reading a line against spellings (ink_spelling.cpp).
cv::Mat glyph_rows(const std::string& label);
std::optional<std::vector<float>> glyph_features(const cv::Mat& ink);
// A gray crop's ink (255) by Otsu's threshold; nothing where it has no contrast to speak of.
std::optional<cv::Mat> line_ink(const cv::Mat& gray);
// A comb cell's ink (255 = ink) without specks, ruling remnants and dust beside the glyph
// (comb.cpp); `min_area` is the least area of a mark kept.
cv::Mat clean_cell(const cv::Mat& ink_cell, int min_area);
}  // namespace ocr::detail
