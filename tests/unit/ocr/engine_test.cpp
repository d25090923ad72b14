// TesseractEngine on synthetic zones, and the clean-up of its output.
#include <gtest/gtest.h>

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>

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

// The fallbacks for a line the engine returns nothing for: thinned strokes and the raw-line mode
// read a clean line as it is, the glyphs' boxes still on the page.
TEST(TesseractEngine, AThinnedLineAndARawLineReadTheSameText) {
  const ocr::Image page = draw_text("4207519368", 300, 2.0);
  const auto before = page.encode_png();
  ASSERT_TRUE(before.has_value());
  for (const bool raw : {false, true}) {
    ocr::ZoneSpec spec;
    spec.whitelist = "0123456789";
    spec.glyphs = true;
    if (raw)
      spec.layout = ocr::ZoneLayout::kRawLine;
    else
      spec.thin_strokes_px = 1;
    auto r = engine().read(page, {60, 100, 1000, 120}, spec);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->text, "4207519368") << (raw ? "raw line" : "thinned");
    ASSERT_FALSE(r->glyphs.empty());
    EXPECT_GE(r->glyphs.front().box.x, 90);
    EXPECT_LE(r->glyphs.front().box.x, 140);
  }
  // The strokes are thinned on a copy: the gray page itself is as it was.
  EXPECT_EQ(*page.encode_png(), *before);
}

// Strokes thickened before reading (kanji zones, by about 0.25 mm) read a clean line as it is, and
// the page keeps its own pixels.
TEST(TesseractEngine, AThickenedLineReadsTheSameTextOnACopy) {
  const ocr::Image page = draw_text("4207519368", 300, 2.0);
  const auto before = page.encode_png();
  ASSERT_TRUE(before.has_value());
  ocr::ZoneSpec spec;
  spec.whitelist = "0123456789";
  spec.thicken_strokes_px = 2;
  auto r = engine().read(page, {60, 100, 1000, 120}, spec);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->text, "4207519368");
  EXPECT_EQ(*page.encode_png(), *before);
}

// Katakana set `pitch` px apart (one glyph each, 60 px high, IPAex Gothic), the gap between the
// family and the given name `gap` px more; an empty image when the font is missing.
ocr::Image spaced_kana(const std::vector<std::string>& family, const std::vector<std::string>& given, int pitch, int gap) {
  const std::filesystem::path font = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf";
  if (!std::filesystem::exists(font)) return {};
  cv::Mat c3(300, 1800, CV_8UC3, cv::Scalar::all(255));
  auto ft = cv::freetype::createFreeType2();
  ft->loadFontData(font.string(), 0);
  int x = 60;
  for (const auto* part : {&family, &given}) {
    for (const std::string& k : *part) {
      ft->putText(c3, k, {x, 180}, 60, cv::Scalar::all(0), -1, cv::LINE_AA, true);
      x += pitch;
    }
    x += gap;
  }
  cv::Mat m;
  cv::cvtColor(c3, m, cv::COLOR_BGR2GRAY);
  auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, 300);
  return img ? *img : ocr::Image{};
}

// A full-width space is a gap wider than the line's own gaps between its characters by half its
// height: katakana set tight or spaced wide (as a hand or a brush face spaces them) read as one
// name with one gap, where the gap between the two names is wider than the others by more than a character.
TEST(TesseractEngine, AGapIsOneWiderThanTheLinesOwnGaps) {
  const std::vector<std::string> family = {"オ", "ガ", "ワ"}, given = {"ア", "キ", "ラ"};
  for (const int pitch : {62, 110}) {
    const ocr::Image page = spaced_kana(family, given, pitch, 100);
    ASSERT_FALSE(page.empty()) << "fonts-ipaexfont-gothic is installed by hardware/deploy/install-deps.sh";
    ocr::ZoneSpec spec;
    spec.languages = "jpn";
    spec.whitelist = "アイウエオカガキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
    auto r = engine().read(page, {20, 90, 1700, 130}, spec);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->text, "オガワ\u3000アキラ") << "pitch " << pitch;
  }
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

// The model's own character set is read from its language data: 鋸 (of 鋸南町) is not in jpn, so no
// reading can ever contain it; 南 is.
TEST(TesseractEngine, KnowsWhichCharactersItsModelCanOutput) {
  auto e = ocr::make_tesseract_engine();
  ASSERT_TRUE(e.has_value()) << e.error().message;
  EXPECT_FALSE((*e)->can_read(U'鋸', "jpn"));
  EXPECT_FALSE((*e)->can_read(U'邉', "jpn"));
  EXPECT_TRUE((*e)->can_read(U'南', "jpn"));
  EXPECT_TRUE((*e)->can_read(U'ア', "jpn"));
  EXPECT_TRUE((*e)->can_read(U'Q'));            // jpn+eng, the default
  EXPECT_FALSE((*e)->can_read(U'\u0E01', "eng"));  // Thai
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

// The LSTM sometimes emits one printed character twice (ケアアプラザ): the ghost is the glyph whose
// neighbours stand about one pitch apart around it, and that names a neighbour among its
// alternatives. Glyphs a full pitch apart are never ghosts, even when alike (ササキ).
TEST(TextCleanup, AGlyphReadTwiceIsFoundAndDropped) {
  using A = std::vector<std::pair<std::string, double>>;
  const std::vector<ocr::GlyphAt> glyphs = {
      {"号", 787, A{{"号", 0.9}}}, {"ケ", 837, A{{"ケ", 0.97}}}, {"ア", 855, A{{"ア", 0.97}, {"ケ", 0.7}}},
      {"ア", 875, A{{"ア", 0.95}}}, {"プ", 916, A{{"プ", 0.96}}}, {"ラ", 958, A{{"ラ", 0.92}}}};
  const auto ghosts = ocr::find_stutters(glyphs);
  ASSERT_EQ(ghosts.size(), 1u);
  EXPECT_EQ(ghosts[0], 2u);
  EXPECT_EQ(ocr::mend_stutters("号　ケアアプラ", glyphs, ghosts), "号　ケアプラ");
  // Text that the glyphs do not spell is left alone.
  EXPECT_EQ(ocr::mend_stutters("号ケアプラザ", glyphs, ghosts), "号ケアプラザ");

  const std::vector<ocr::GlyphAt> sasaki = {
      {"サ", 0, A{{"サ", 0.9}}}, {"サ", 40, A{{"サ", 0.9}}}, {"キ", 80, A{{"キ", 0.9}}}, {"ミ", 120, A{{"ミ", 0.9}}}};
  EXPECT_TRUE(ocr::find_stutters(sasaki).empty());
  // Close, but neither names the other: two narrow glyphs, not one read twice.
  const std::vector<ocr::GlyphAt> narrow = {
      {"リ", 0, A{{"リ", 0.9}}}, {"ー", 15, A{{"ー", 0.9}}}, {"ド", 40, A{{"ド", 0.9}}}, {"ミ", 80, A{{"ミ", 0.9}}}};
  EXPECT_TRUE(ocr::find_stutters(narrow).empty());
}

}  // namespace
