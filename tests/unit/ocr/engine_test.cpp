// TesseractEngine on synthetic zones, and the clean-up of its output.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "ocr/engine.h"
#include "text_util.h"

namespace {

ocr::Image draw_text(const std::string& text, int dpi, double scale) {
  cv::Mat m(300, 1200, CV_8UC1, cv::Scalar(255));
  cv::putText(m, text, {100, 180}, cv::FONT_HERSHEY_DUPLEX, scale, 0, 3, cv::LINE_AA);
  auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, dpi);
  EXPECT_TRUE(img.has_value());
  return *img;
}

ocr::Engine& engine() {
  static auto e = ocr::make_tesseract_engine();
  EXPECT_TRUE(e.has_value()) << (e ? "" : e.error().message);
  return **e;
}

TEST(TesseractEngine, ReadsASyntheticLineOfDigits) {
  const ocr::Image page = draw_text("4207519368", 300, 2.0);
  ocr::ZoneSpec spec;
  spec.whitelist = "0123456789";
  auto r = engine().read(page, {60, 100, 1000, 120}, spec);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->text, "4207519368");
  EXPECT_GT(r->confidence, 0.5);
  EXPECT_EQ(r->box, (ocr::Box{60, 100, 1000, 120}));
}

TEST(TesseractEngine, ReadsWithoutWhitelistAfterOneWasSet) {
  const ocr::Image page = draw_text("AB 12", 300, 2.0);
  ocr::ZoneSpec digits;
  digits.whitelist = "0123456789";
  ASSERT_TRUE(engine().read(page, {60, 100, 1000, 120}, digits).has_value());
  ocr::ZoneSpec any;
  auto r = engine().read(page, {60, 100, 1000, 120}, any);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->text, "AB 12");
}

TEST(TesseractEngine, BlankZoneIsEmptyWithZeroConfidence) {
  const ocr::Image page = draw_text("", 300, 2.0);
  auto r = engine().read(page, {0, 0, 300, 100}, {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->text, "");
  EXPECT_EQ(r->confidence, 0.0);
}

TEST(TesseractEngine, ZoneIsClippedOrRefused) {
  const ocr::Image page = draw_text("7", 300, 2.0);
  auto clipped = engine().read(page, {1100, 200, 500, 500}, {});
  ASSERT_TRUE(clipped.has_value());
  EXPECT_EQ(clipped->box, (ocr::Box{1100, 200, 100, 100}));
  auto outside = engine().read(page, {5000, 0, 10, 10}, {});
  ASSERT_FALSE(outside.has_value());
  EXPECT_EQ(outside.error().code, ocr::Code::kInvalid);
  auto empty = engine().read(page, {0, 0, 0, 10}, {});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ocr::Code::kInvalid);
}

TEST(TesseractEngine, MissingLanguageDataIsAnEngineError) {
  ocr::TesseractOptions o;
  o.tessdata_dir = "/nonexistent/tessdata";
  auto e = ocr::make_tesseract_engine(o);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().code, ocr::Code::kEngine);
}

TEST(TextCleanup, RemovesSpacesBetweenCjkOnly) {
  EXPECT_EQ(ocr::remove_cjk_spaces("千 葉 県 庁"), "千葉県庁");
  EXPECT_EQ(ocr::remove_cjk_spaces("シャカイ フクシ"), "シャカイフクシ");
  EXPECT_EQ(ocr::remove_cjk_spaces("ABC DEF"), "ABC DEF");
  EXPECT_EQ(ocr::remove_cjk_spaces("千葉 2 丁目"), "千葉 2 丁目");
  EXPECT_EQ(ocr::remove_cjk_spaces("遠藤　明美"), "遠藤　明美");  // a full-width space is content
  EXPECT_EQ(ocr::trim("  \n12 3\n\n"), "12 3");
  EXPECT_EQ(ocr::trim("　千葉　"), "千葉");
}

}  // namespace
