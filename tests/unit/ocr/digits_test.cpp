// The font-independent digit classifier, on digits drawn in OpenCV's own Hershey fonts: typefaces it
// was not trained on (it learns from the installed TrueType/OpenType fonts).
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "ocr/digits.h"

namespace {

ocr::Image glyph(char d, int font, int thickness, bool slash = false) {
  cv::Mat m(80, 70, CV_8UC1, cv::Scalar(245));
  cv::putText(m, std::string(1, d), {12, 64}, font, 2.0, cv::Scalar(20), thickness, cv::LINE_AA);
  if (slash) cv::line(m, {44, 22}, {22, 60}, cv::Scalar(20), thickness, cv::LINE_AA);
  auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, 300);
  EXPECT_TRUE(img.has_value());
  return *img;
}

TEST(Digits, LearnsFromTheInstalledFonts) {
  const ocr::DigitModelInfo info = ocr::digit_model_info();
  EXPECT_GE(info.fonts, 5) << "run hardware/deploy/install-deps.sh: it installs the fonts";
  EXPECT_GE(info.samples, info.fonts * 80);  // ten digits, two sizes, four or more variants each
}

TEST(Digits, ReadsDigitsInTypefacesItNeverSaw) {
  for (int font : {cv::FONT_HERSHEY_SIMPLEX, cv::FONT_HERSHEY_DUPLEX, cv::FONT_HERSHEY_COMPLEX}) {
    int right = 0;
    std::string read;
    for (char d = '0'; d <= '9'; ++d) {
      const ocr::DigitVote v = ocr::classify_digit(glyph(d, font, 3));
      read += v.digit;
      right += v.digit == d;
      EXPECT_GT(v.share, 0.0);
      EXPECT_LE(v.share, 1.0);
    }
    EXPECT_GE(right, 8) << "font " << font << " read as " << read;
  }
}

TEST(Digits, ASlashedZeroIsAZero) {
  const ocr::DigitVote v = ocr::classify_digit(glyph('0', cv::FONT_HERSHEY_SIMPLEX, 3, true));
  EXPECT_EQ(v.digit, '0') << "share " << v.share << ", second " << v.second;
}

// In a line of digits the box an engine gives a glyph may reach into its neighbours: only the ink
// centred in the box is the glyph. A tight line "1,050" with each glyph boxed a little wide on both
// sides still reads digit by digit, and a box over blank paper is no digit.
TEST(Digits, EachDigitOfALineIsReadAtItsBox) {
  const std::string line = "1,050";
  cv::Mat m(90, 320, CV_8UC1, cv::Scalar(245));
  std::vector<cv::Rect> boxes;
  int x = 10;
  for (char ch : line) {
    int base = 0;
    const cv::Size sz = cv::getTextSize(std::string(1, ch), cv::FONT_HERSHEY_DUPLEX, 2.0, 3, &base);
    cv::putText(m, std::string(1, ch), {x, 70}, cv::FONT_HERSHEY_DUPLEX, 2.0, cv::Scalar(20), 3, cv::LINE_AA);
    boxes.emplace_back(x - 6, 70 - sz.height - 4, sz.width + 12, sz.height + 10);  // wider than the glyph
    x += sz.width + 2;
  }
  auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, 300);
  ASSERT_TRUE(img.has_value());
  std::string read;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == ',') continue;
    const cv::Rect& b = boxes[i];
    read += ocr::classify_digit_at(*img, ocr::Box{b.x, b.y, b.width, b.height}).digit;
  }
  EXPECT_EQ(read, "1050");
  const ocr::DigitVote outside = ocr::classify_digit_at(*img, ocr::Box{300, 5, 15, 20});
  EXPECT_EQ(outside.digit, '?');
}

TEST(Digits, ABlankGlyphIsNoDigit) {
  cv::Mat m(40, 30, CV_8UC1, cv::Scalar(245));
  auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, 300);
  ASSERT_TRUE(img.has_value());
  EXPECT_EQ(ocr::classify_digit(*img).digit, '?');
}

}  // namespace

// The glyph's topology tells a zero with a mark inside from a 6 or a 9: those have one hole and
// nothing in it; a dotted zero has ink in its hole, a slashed one two holes.
TEST(Digits, TellsAZeroWithAMarkByItsLoops) {
  const ocr::DigitVote six = ocr::classify_digit(glyph('6', cv::FONT_HERSHEY_SIMPLEX, 3));
  EXPECT_EQ(six.holes, 1);
  EXPECT_FALSE(six.ink_in_hole);
  const ocr::DigitVote slashed = ocr::classify_digit(glyph('0', cv::FONT_HERSHEY_SIMPLEX, 3, true));
  EXPECT_GE(slashed.holes, 2);
  cv::Mat m(80, 70, CV_8UC1, cv::Scalar(245));
  cv::putText(m, "0", {12, 64}, cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar(20), 3, cv::LINE_AA);
  cv::circle(m, {34, 42}, 4, cv::Scalar(20), cv::FILLED);  // the dot in its middle
  auto dotted = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, 300);
  ASSERT_TRUE(dotted.has_value());
  EXPECT_TRUE(ocr::classify_digit(*dotted).ink_in_hole);
}
