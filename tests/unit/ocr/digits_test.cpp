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

TEST(Digits, ABlankGlyphIsNoDigit) {
  cv::Mat m(40, 30, CV_8UC1, cv::Scalar(245));
  auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, 300);
  ASSERT_TRUE(img.has_value());
  EXPECT_EQ(ocr::classify_digit(*img).digit, '?');
}

}  // namespace
