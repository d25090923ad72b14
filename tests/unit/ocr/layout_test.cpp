// Check boxes and zone preparation on synthetic pages drawn with OpenCV.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <functional>

#include "ocr/engine.h"
#include "ocr/layout.h"

namespace {

constexpr int kDpi = 200;
int px(double mm) { return static_cast<int>(std::lround(mm / 25.4 * kDpi)); }

ocr::Image image_of(const cv::Mat& m) {
  auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, kDpi);
  EXPECT_TRUE(img.has_value());
  return *img;
}

// A printed 4 mm square at (10 mm, 10 mm) on a small gray page; the template's box around it
// carries 0.5 mm of registration slack on each side.
struct Square {
  cv::Mat page = cv::Mat(px(30), px(30), CV_8UC1, cv::Scalar(235));
  cv::Rect printed{px(10), px(10), px(4), px(4)};
  Square() { cv::rectangle(page, printed, cv::Scalar(40), 1); }
  ocr::Box box() const { return {px(9.5), px(9.5), px(5), px(5)}; }
};

TEST(Checkbox, AnEmptySquareIsUncheckedWithConfidence) {
  Square s;
  const auto r = ocr::read_checkbox(image_of(s.page), s.box());
  EXPECT_FALSE(r.checked);
  EXPECT_GE(r.confidence, 0.9);
}

// A tick whose long stroke runs along the square's left side, as far as 80 % of it: half the
// side used to count as "printed ruling" and took the stroke away.
TEST(Checkbox, ATickAlongTheEdgeIsChecked) {
  Square s;
  const cv::Rect& q = s.printed;
  const cv::Point top(q.x + 5, q.y + q.height / 10), bottom(q.x + 5, q.y + q.height * 9 / 10);
  cv::line(s.page, top, bottom, cv::Scalar(20), 3, cv::LINE_AA);
  cv::line(s.page, bottom, {q.x + q.width - 3, q.y + q.height / 2}, cv::Scalar(20), 3, cv::LINE_AA);
  const auto r = ocr::read_checkbox(image_of(s.page), s.box());
  EXPECT_TRUE(r.checked) << "ink " << r.ink;
}

TEST(Checkbox, AFilledSquareIsChecked) {
  Square s;
  cv::rectangle(s.page, s.printed, cv::Scalar(20), cv::FILLED);
  const auto r = ocr::read_checkbox(image_of(s.page), s.box());
  EXPECT_TRUE(r.checked);
  EXPECT_GE(r.confidence, 0.7);
}

// A field zone between two ruled lines, its own text in the middle and the top of the next
// line's text cut by its bottom edge.
TEST(PrepareZone, KeepsTheZonesOwnLineAndDropsTheNeighbourCutByItsEdge) {
  cv::Mat page(px(40), px(120), CV_8UC1, cv::Scalar(240));
  cv::line(page, {0, px(10)}, {page.cols, px(10)}, cv::Scalar(30), 2);
  cv::line(page, {0, px(20)}, {page.cols, px(20)}, cv::Scalar(30), 2);
  cv::putText(page, "12345", {px(5), px(17)}, cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(0), 3, cv::LINE_AA);
  cv::putText(page, "HHHHH", {px(60), px(26)}, cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(0), 3, cv::LINE_AA);
  const ocr::Box zone{0, px(9), page.cols, px(13)};
  const ocr::PreparedZone z = ocr::prepare_zone(image_of(page), zone, true);
  ASSERT_FALSE(z.image.empty());
  EXPECT_GT(z.ink, 0.01);
  // The kept ink is the digits: left of the neighbour's letters, within the zone's own line.
  EXPECT_LT(z.ink_box.x + z.ink_box.w, px(58));
  EXPECT_GE(z.ink_box.y, px(10));
  EXPECT_LE(z.ink_box.y + z.ink_box.h, px(20));
  // Cropped to the ink with a small margin, not the whole zone.
  EXPECT_LT(z.image.width(), px(58));
}

// A dot of dust on a number's line, larger than a speck, a line's height and more before the
// number: not the number's (the engine read it as a digit: 932 for 32). A comma between the
// digits, as small, stays; so does a dot of dust alone in a zone.
TEST(PrepareZone, ADotOfDustFarFromTheLinesCharactersIsDropped) {
  cv::Mat clean(px(20), px(80), CV_8UC1, cv::Scalar(240));
  cv::putText(clean, "32", {px(40), px(13)}, cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(0), 3, cv::LINE_AA);
  cv::putText(clean, "1,400", {px(55), px(13)}, cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(0), 3, cv::LINE_AA);
  cv::Mat dusty = clean.clone();
  cv::circle(dusty, {px(20), px(10)}, 2, cv::Scalar(20), cv::FILLED);  // about 0.6 mm across
  const ocr::Box all{0, 0, clean.cols, clean.rows};
  const ocr::PreparedZone z0 = ocr::prepare_zone(image_of(clean), all, true);
  const ocr::PreparedZone z = ocr::prepare_zone(image_of(dusty), all, true);
  ASSERT_FALSE(z.image.empty());
  EXPECT_GE(z.ink_box.x, px(39)) << "the dust is kept";
  EXPECT_EQ(z.ink_box.x, z0.ink_box.x);
  EXPECT_EQ(z.ink_box.w, z0.ink_box.w);
  EXPECT_DOUBLE_EQ(z.ink, z0.ink);
  // The comma of 1,400, as near its digits as they are to each other, is kept: the same number
  // without it has less ink.
  cv::Mat no_comma(clean.size(), CV_8UC1, cv::Scalar(240));
  cv::putText(no_comma, "32", {px(40), px(13)}, cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(0), 3, cv::LINE_AA);
  cv::putText(no_comma, "1 400", {px(55), px(13)}, cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(0), 3, cv::LINE_AA);
  EXPECT_GT(z0.ink, ocr::prepare_zone(image_of(no_comma), all, true).ink);
  // A dot alone in a zone is not judged dust: there is nothing for it to stand apart from.
  cv::Mat dot_only(clean.size(), CV_8UC1, cv::Scalar(240));
  cv::circle(dot_only, {px(20), px(10)}, 2, cv::Scalar(20), cv::FILLED);
  EXPECT_FALSE(ocr::prepare_zone(image_of(dot_only), all, true).image.empty());
}

// A dot of dust high beside a number's digit (a 7 and a dot read as 70, a birth year 平成70): no
// mark of a number stands there, so in a zone that holds a number it is dropped; a comma at the
// digits' foot stays, and in other text (a voicing mark beside its kana) the dot stays too.
TEST(PrepareZone, ADotHighBesideADigitOfANumberIsDropped) {
  cv::Mat page(px(20), px(60), CV_8UC1, cv::Scalar(240));
  cv::putText(page, "7", {px(20), px(13)}, cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(0), 3, cv::LINE_AA);
  cv::Mat dusty = page.clone();
  cv::circle(dusty, {px(23.4), px(10.3)}, 2, cv::Scalar(20), cv::FILLED);  // high, just right of the 7
  const ocr::Box all{0, 0, page.cols, page.rows};
  const ocr::PreparedZone clean = ocr::prepare_zone(image_of(page), all, true, 0, true);
  const ocr::PreparedZone number = ocr::prepare_zone(image_of(dusty), all, true, 0, true);
  const ocr::PreparedZone text = ocr::prepare_zone(image_of(dusty), all, true, 0, false);
  EXPECT_EQ(number.ink_box.w, clean.ink_box.w) << "the dot is kept beside the number";
  EXPECT_DOUBLE_EQ(number.ink, clean.ink);
  EXPECT_GT(text.ink_box.w, clean.ink_box.w) << "outside a number the dot is the text's";
  cv::Mat comma = page.clone();
  cv::putText(comma, ",", {px(26), px(13)}, cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(0), 3, cv::LINE_AA);
  EXPECT_GT(ocr::prepare_zone(image_of(comma), all, true, 0, true).ink_box.w, clean.ink_box.w) << "the comma is lost";
}

TEST(PrepareZone, RuledLinesAloneAreNoInk) {
  cv::Mat page(px(30), px(80), CV_8UC1, cv::Scalar(245));
  cv::line(page, {0, px(10)}, {page.cols, px(10)}, cv::Scalar(30), 2);
  cv::line(page, {px(40), 0}, {px(40), page.rows}, cv::Scalar(30), 2);
  const ocr::PreparedZone z = ocr::prepare_zone(image_of(page), {0, px(5), page.cols, px(15)}, true);
  EXPECT_LT(z.ink, 0.004);
}

// 0, 6, 8 and 9 by their holes, a slashed zero (passbook print) included; a glyph without a hole
// is not judged.
TEST(DigitByHoles, TellsZeroSixEightAndNineApart) {
  auto glyph = [](const std::function<void(cv::Mat&)>& draw) {
    cv::Mat m(px(8), px(6), CV_8UC1, cv::Scalar(245));
    draw(m);
    return image_of(m);
  };
  const ocr::Box all{0, 0, px(6), px(8)};
  auto text = [](const char* t) {
    return [t](cv::Mat& m) { cv::putText(m, t, {px(1), px(7)}, cv::FONT_HERSHEY_SIMPLEX, 1.6, cv::Scalar(0), 4, cv::LINE_AA); };
  };
  EXPECT_EQ(ocr::digit_by_holes(glyph(text("0")), all), '0');
  EXPECT_EQ(ocr::digit_by_holes(glyph(text("6")), all), '6');
  EXPECT_EQ(ocr::digit_by_holes(glyph(text("8")), all), '8');
  EXPECT_EQ(ocr::digit_by_holes(glyph(text("9")), all), '9');
  const auto slashed = glyph([](cv::Mat& m) {
    cv::ellipse(m, {px(3), px(4)}, {px(1.8), px(3.2)}, 0, 0, 360, cv::Scalar(0), 4, cv::LINE_AA);
    cv::line(m, {px(4.3), px(1.5)}, {px(1.7), px(6.5)}, cv::Scalar(0), 3, cv::LINE_AA);
  });
  EXPECT_EQ(ocr::digit_by_holes(slashed, all), '0');
  EXPECT_FALSE(ocr::digit_by_holes(glyph(text("1")), all).has_value());
}

// Japanese zones are read by the Japanese model alone, scaled up to 400 dpi.
TEST(PrepareZone, PreparedDigitsReadWithTheJapaneseModelScaledUp) {
  cv::Mat page(px(20), px(80), CV_8UC1, cv::Scalar(240));
  cv::putText(page, "2025", {px(5), px(13)}, cv::FONT_HERSHEY_SIMPLEX, 1.2, cv::Scalar(0), 3, cv::LINE_AA);
  const ocr::PreparedZone z = ocr::prepare_zone(image_of(page), {0, 0, page.cols, page.rows}, true);
  ASSERT_FALSE(z.image.empty());
  auto engine = ocr::make_tesseract_engine();
  ASSERT_TRUE(engine.has_value());
  ocr::ZoneSpec spec;
  spec.languages = "jpn";
  spec.upscale_to_dpi = 400;
  auto r = (*engine)->read(z.image, {0, 0, z.image.width(), z.image.height()}, spec);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->text, "2025");
}

// Half-width katakana voicing marks on a synthetic line (300 dpi, glyphs 40 px tall): a glyph with
// ﾞ (two short strokes high on the right), one with ﾟ (a small ring), a glyph whose own short
// strokes sit high but over its long stroke (ｼ), and a word space after the second mark. The marks
// are found, classified and cut out; the glyphs stay.
TEST(VoicedMarks, AreFoundClassifiedAndCutOut) {
  cv::Mat line(80, 420, CV_8UC1, cv::Scalar(245));
  const int top = 20, bottom = 60;
  auto glyph = [&](int x) { cv::rectangle(line, cv::Rect(x, top, 6, bottom - top), cv::Scalar(20), cv::FILLED);
                            cv::rectangle(line, cv::Rect(x, top + 18, 20, 5), cv::Scalar(20), cv::FILLED); };
  glyph(20);                                                                  // ﾊ
  cv::line(line, {48, top + 2}, {51, top + 9}, cv::Scalar(20), 3);            // ﾞ
  cv::line(line, {56, top + 2}, {59, top + 9}, cv::Scalar(20), 3);
  glyph(72);                                                                  // ｶ
  glyph(104);                                                                 // ﾎ
  cv::circle(line, {135, top + 5}, 5, cv::Scalar(20), 2);                     // ﾟ, then a word space
  glyph(180);
  cv::line(line, {212, top + 2}, {216, top + 6}, cv::Scalar(20), 3);          // ｼ: dots over its
  cv::line(line, {212, top + 10}, {216, top + 14}, cv::Scalar(20), 3);        // long stroke
  cv::line(line, {210, bottom - 2}, {232, top + 4}, cv::Scalar(20), 4);
  glyph(250);
  cv::Mat page(300, 600, CV_8UC1, cv::Scalar(245));
  line.copyTo(page(cv::Rect(50, 100, line.cols, line.rows)));
  auto img = ocr::Image::from_pixels(page.cols, page.rows, 1, {page.data, page.total()}, 300);
  ASSERT_TRUE(img.has_value());
  const ocr::SplitLine split = ocr::split_voiced_marks(*img, ocr::Box{50, 100, line.cols, line.rows});
  ASSERT_FALSE(split.line.empty());
  ASSERT_EQ(split.marks.size(), 2u);
  EXPECT_FALSE(split.marks[0].semi);
  EXPECT_FALSE(split.marks[0].space_after);
  EXPECT_TRUE(split.marks[1].semi);
  EXPECT_TRUE(split.marks[1].space_after);
  EXPECT_LT(split.marks[0].x, split.marks[1].x);
  EXPECT_NEAR(split.text_height, bottom - top, 3);
  // The marks' columns, and the blank after each, are gone: the line is narrower by about that.
  EXPECT_LT(split.line.width(), line.cols - 15 - 35);
  EXPECT_GT(split.line.width(), line.cols - 120);
}

}  // namespace

// Seals: a 36 × 32 mm zone around the printed 印 (a small gray ring) with a ruled line reaching
// into it from the left, as the pledge's template has it; the template names the printed marks.
struct SealZone {
  cv::Mat page = cv::Mat(px(40), px(40), CV_8UC3, cv::Scalar(250, 250, 250));
  ocr::Box zone() const { return {px(2), px(4), px(36), px(32)}; }
  cv::Point centre() const { return {px(20), px(20)}; }
  // Where the template says the printed marks are: the 印 ring and the line, as registration puts
  // them (`off` px away from where they truly are).
  std::vector<ocr::Box> printed(int off = 0) const {
    return {{centre().x - px(2.5) + off, centre().y - px(2.5) + off, px(5), px(5)},
            {0 + off, px(26) - 1 + off, px(12), 3}};
  }
  SealZone() {
    cv::circle(page, centre(), px(2.5), cv::Scalar(90, 90, 90), 1, cv::LINE_AA);
    cv::line(page, {0, px(26)}, {px(12), px(26)}, cv::Scalar(60, 60, 60), 1);
  }
  // Sensor noise as a scanner adds it (standard deviation `sigma` levels, per channel).
  void noise(double sigma) {
    cv::Mat n(page.size(), CV_16SC3), p16;
    cv::RNG rng(7);
    rng.fill(n, cv::RNG::NORMAL, 0, sigma);
    page.convertTo(p16, CV_16SC3);
    p16 += n;
    p16.convertTo(page, CV_8UC3);
  }
  ocr::Image rgb() const {
    cv::Mat rgb;
    cv::cvtColor(page, rgb, cv::COLOR_BGR2RGB);
    auto img = ocr::Image::from_pixels(rgb.cols, rgb.rows, 3, {rgb.data, rgb.total() * 3}, kDpi);
    EXPECT_TRUE(img.has_value());
    return *img;
  }
  ocr::Image gray() const {
    cv::Mat g;
    cv::cvtColor(page, g, cv::COLOR_BGR2GRAY);
    return image_of(g);
  }
  // A black-and-white scan: the gray page thresholded at `level`, as a scanner's bilevel mode does.
  ocr::Image bilevel(int level) const {
    cv::Mat g, b;
    cv::cvtColor(page, g, cv::COLOR_BGR2GRAY);
    cv::threshold(g, b, level, 255, cv::THRESH_BINARY);
    return image_of(b);
  }
};

// A clean zone is "absent": with confidence on a colour or gray scan, where a seal however faint
// leaves a trace, but never certain on a black-and-white one, where a faint red seal can fall
// below the scanner's threshold; a zone with a trace of ink is less sure than a clean one.
TEST(Seal, ACleanZoneIsAbsentCertainOnlyWhereASealWouldShow) {
  SealZone s;
  s.noise(6);
  for (const ocr::Image& img : {s.rgb(), s.gray()}) {
    const auto r = ocr::detect_seal(img, s.zone(), s.printed());
    EXPECT_FALSE(r.present) << "red " << r.red << " ink " << r.ink;
    EXPECT_GE(r.confidence, 0.9);
  }
  const auto bw = ocr::detect_seal(s.bilevel(170), s.zone(), s.printed());
  EXPECT_FALSE(bw.present);
  EXPECT_LT(bw.confidence, 0.9);
  SealZone traced;
  cv::circle(traced.page, {px(30), px(12)}, px(1.2), cv::Scalar(200, 200, 200), 1);
  const auto t = ocr::detect_seal(traced.gray(), traced.zone(), traced.printed());
  EXPECT_LT(t.confidence, ocr::detect_seal(s.gray(), s.zone(), s.printed()).confidence);
  EXPECT_LT(t.confidence, 0.9);
}

// The blank form's printed 印 and ruled line are not a seal, even with the template's boxes a
// millimetre off (registration slack), yet without the boxes they are ink.
TEST(Seal, ThePrintedMarksAreNotASeal) {
  const SealZone s;
  for (const int off : {-px(1), px(1)}) {
    const auto r = ocr::detect_seal(s.gray(), s.zone(), s.printed(off));
    EXPECT_FALSE(r.present) << "ink " << r.ink;
  }
  EXPECT_GT(ocr::detect_seal(s.gray(), s.zone()).ink, 0.0);
}

// A seal a third of which did not print: its ring and the strokes of its lettering, in `colour`,
// with one pixel in `gap` left out (speckled ink).
void stamp(SealZone& s, const cv::Scalar& colour, int gap = 0) {
  const cv::Point c = s.centre() + cv::Point(px(2), px(1));
  cv::Mat mask = cv::Mat::zeros(s.page.size(), CV_8UC1);
  cv::ellipse(mask, c, {px(9), px(9)}, 0, 0, 240, 255, 3, cv::LINE_AA);
  for (int i = -2; i <= 2; ++i) cv::line(mask, {c.x + i * px(2.5), c.y - px(5)}, {c.x + i * px(2.5), c.y + px(5)}, 255, 2);
  cv::line(mask, {c.x - px(6), c.y}, {c.x + px(6), c.y}, 255, 2);
  if (gap > 1)
    for (int y = 0; y < mask.rows; ++y)
      for (int x = (y * 7) % gap; x < mask.cols; x += gap) mask.at<unsigned char>(y, x) = 0;
  s.page.setTo(colour, mask);
}

// A faint red seal (a quarter of the ink's strength), a third of it not printed: on a colour scan
// it is a seal; red ink measures it, not the ink's darkness.
TEST(Seal, AFaintPartialRedSealIsPresentOnAColourScan) {
  SealZone s;
  stamp(s, cv::Scalar(200, 200, 242), 3);
  s.noise(6);
  const auto r = ocr::detect_seal(s.rgb(), s.zone(), s.printed());
  EXPECT_TRUE(r.present) << "red " << r.red;
  EXPECT_GT(r.red, 0.0);
}

// The same faint seal on a gray scan is 40 levels darker than the paper: a seal.
TEST(Seal, AFaintSealIsPresentOnAGrayScan) {
  SealZone s;
  stamp(s, cv::Scalar(200, 200, 242), 3);
  s.noise(6);
  const auto r = ocr::detect_seal(s.gray(), s.zone(), s.printed());
  EXPECT_TRUE(r.present) << "ink " << r.ink;
  EXPECT_EQ(r.red, 0.0);
}

// On a black-and-white scan a half-strength seal keeps only the dots below the threshold: still a
// seal. One the threshold dropped entirely leaves nothing: absent, but not with confidence.
TEST(Seal, ABilevelSealKeepsItsDotsAndAVanishedOneIsNeverCertainlyAbsent) {
  SealZone s;
  stamp(s, cv::Scalar(150, 150, 230), 3);
  s.noise(6);
  const auto kept = ocr::detect_seal(s.bilevel(175), s.zone(), s.printed());
  EXPECT_TRUE(kept.present) << "ink " << kept.ink;
  const auto lost = ocr::detect_seal(s.bilevel(120), s.zone(), s.printed());
  EXPECT_FALSE(lost.present) << "ink " << lost.ink;
  EXPECT_LT(lost.confidence, 0.9);
}

// A full seal stamped over the printed 印 is present with confidence on every kind of scan.
TEST(Seal, AFullSealOverThePrintedMarkIsCertain) {
  SealZone s;
  stamp(s, cv::Scalar(40, 40, 200));
  for (const ocr::Image& img : {s.rgb(), s.gray(), s.bilevel(170)}) {
    const auto r = ocr::detect_seal(img, s.zone(), s.printed());
    EXPECT_TRUE(r.present);
    EXPECT_GE(r.confidence, 0.9) << "red " << r.red << " ink " << r.ink;
  }
}

// A black-and-white scan the cleanup deskewed (interpolation grays its marks' edges) is still a
// black-and-white scan: a clean zone there is absent, but not certainly.
TEST(Seal, ADeskewedBilevelScanIsNeverCertainlyAbsent) {
  const SealZone s;
  cv::Mat g, b, turned;
  cv::cvtColor(s.page, g, cv::COLOR_BGR2GRAY);
  cv::threshold(g, b, 170, 255, cv::THRESH_BINARY);
  cv::warpAffine(b, turned, cv::getRotationMatrix2D(cv::Point2f(b.cols / 2.0f, b.rows / 2.0f), 0.7, 1.0), b.size(),
                 cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255));
  const auto r = ocr::detect_seal(image_of(turned), s.zone(), s.printed());
  EXPECT_FALSE(r.present) << "ink " << r.ink;
  EXPECT_LT(r.confidence, 0.9);
}

// A black-and-white page (`s`'s marks thresholded, on a 120 mm square page) with single-pixel
// grains of ink, each pixel of `where` black with probability `p`.
cv::Mat grained_bilevel(const SealZone& s, const cv::Mat& where, double p) {
  cv::Mat g, b;
  cv::cvtColor(s.page, g, cv::COLOR_BGR2GRAY);
  cv::threshold(g, b, 170, 255, cv::THRESH_BINARY);
  cv::Mat page(px(120), px(120), CV_8UC1, cv::Scalar(255));
  b.copyTo(page(cv::Rect(0, 0, b.cols, b.rows)));
  cv::RNG rng(11);
  for (int y = 0; y < page.rows; ++y)
    for (int x = 0; x < page.cols; ++x)
      if (where.at<unsigned char>(y, x) != 0 && rng.uniform(0.0, 1.0) < p) page.at<unsigned char>(y, x) = 0;
  return page;
}

// A faint seal a black-and-white scan kept only as grains of ink, each smaller than a speck of
// dust: a cloud of them in the seal's shape is a seal (not a certain one); the same grains
// scattered as densely over the whole page are the scan's noise, not a seal.
TEST(Seal, ACloudOfGrainsOnABilevelScanIsASealUnlessThePageHasThemEverywhere) {
  const SealZone s;
  cv::Mat ring = cv::Mat::zeros(px(120), px(120), CV_8UC1);
  cv::circle(ring, s.centre() + cv::Point(px(2), px(1)), px(9), 255, px(1.2));
  cv::putText(ring, "AB", s.centre() + cv::Point(-px(3), px(2)), cv::FONT_HERSHEY_SIMPLEX, 1.2, 255, 4);
  const auto seal = ocr::detect_seal(image_of(grained_bilevel(s, ring, 0.06)), s.zone(), s.printed());
  EXPECT_TRUE(seal.present) << "ink " << seal.ink;
  EXPECT_LT(seal.confidence, 0.9);
  const cv::Mat everywhere(px(120), px(120), CV_8UC1, cv::Scalar(255));
  const auto noise = ocr::detect_seal(image_of(grained_bilevel(s, everywhere, 0.002)), s.zone(), s.printed());
  EXPECT_FALSE(noise.present) << "ink " << noise.ink;
  EXPECT_LT(noise.confidence, 0.9);
  const auto few = ocr::detect_seal(image_of(grained_bilevel(s, ring, 0.001)), s.zone(), s.printed());
  EXPECT_FALSE(few.present) << "a handful of grains is dust";
}

// The page's structure is found on a copy: the fields are read from the page's own pixels
// afterwards, and a gray page's strokes once came back from the analysis thickened by its min
// filter (4 px at 400 dpi: a 7 read "/", a 6 read 0).
TEST(Placement, AnalysingAPageLeavesItsPixelsAsTheyWere) {
  cv::Mat page(px(297), px(210), CV_8UC1, cv::Scalar(250));
  cv::line(page, {px(20), px(100)}, {px(190), px(100)}, cv::Scalar(40), 2);
  cv::putText(page, "6754827", {px(30), px(90)}, cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar(20), 3, cv::LINE_AA);
  const ocr::Image image = image_of(page);
  const auto before = image.encode_png();
  ASSERT_TRUE(before.has_value());
  (void)ocr::PageStructure::analyse(image);
  EXPECT_EQ(*image.encode_png(), *before);
}

// A form registered on three ruled lines is still placed when a seal's square, stamped on the last
// line's end, joins its side to the line and makes the line longer than the model's.
TEST(Placement, ALineJoinedByASealsSideIsStillAnAnchor) {
  cv::Mat page(px(297), px(210), CV_8UC1, cv::Scalar(250));
  ocr::FormModel m;
  m.horizontal = {{180, 88, 178}, {194, 88, 178}, {208, 88, 178}};
  for (const auto& l : m.horizontal) cv::line(page, {px(l.from), px(l.pos)}, {px(l.to), px(l.pos)}, cv::Scalar(40), 2);
  const ocr::Placement plain = ocr::PageStructure::analyse(image_of(page)).place(m);
  cv::rectangle(page, cv::Rect(px(170), px(193), px(22), px(15)), cv::Scalar(60), 3);
  const ocr::Placement p = ocr::PageStructure::analyse(image_of(page)).place(m);
  EXPECT_GT(plain.score, 0.9);
  EXPECT_GT(p.score, 0.9);
  const ocr::Box b = p.map(88, 208, 90, 1);
  EXPECT_NEAR(b.x, px(88), px(1));
  EXPECT_NEAR(b.y, px(208), px(1));
  EXPECT_NEAR(b.w, px(90), px(1.5));
}

// A 200 dpi black-and-white scan prints a hairline one pixel thick; where it steps by a pixel it may
// come out of the working resolution in pieces. A form whose top and bottom rules (its anchors)
// are broken so is still placed, and where it is: the pieces of one rule are one line again.
TEST(Placement, AnchorsBrokenWhereTheHairlineStepsStillPlaceTheForm) {
  cv::Mat page(px(210), px(297), CV_8UC1, cv::Scalar(255));
  ocr::FormModel m;
  m.width_mm = 297;
  m.height_mm = 210;
  for (double y : {26.9, 35.9, 44.9, 56.9, 78.5, 99.4, 120.4, 141.4, 162.4, 172.9}) m.horizontal.push_back({y, 15, 282.6});
  for (double x : {15.2, 24.9, 68.8, 147.8, 253.0, 282.4}) m.vertical.push_back({x, 56.9, 172.9});
  const double shift = 3.0;  // the form printed 3 mm lower and to the right
  for (const auto& l : m.horizontal) {
    const int y = px(l.pos + shift);
    if (l.pos == 26.9 || l.pos == 172.9) {
      // A 1.5 mm drop-out after a third of its length, the rest two pixels lower.
      const double cut = l.from + (l.to - l.from) / 3;
      cv::line(page, {px(l.from + shift), y}, {px(cut + shift), y}, cv::Scalar(0), 1);
      cv::line(page, {px(cut + 1.5 + shift), y + 2}, {px(l.to + shift), y + 2}, cv::Scalar(0), 1);
    } else {
      cv::line(page, {px(l.from + shift), y}, {px(l.to + shift), y}, cv::Scalar(0), 1);
    }
  }
  for (const auto& l : m.vertical)
    cv::line(page, {px(l.pos + shift), px(l.from + shift)}, {px(l.pos + shift), px(l.to + shift)}, cv::Scalar(0), 1);
  const ocr::Placement p = ocr::PageStructure::analyse(image_of(page)).place(m);
  EXPECT_GT(p.score, 0.9);
  EXPECT_EQ(p.quarter_turns, 0);
  const ocr::Box b = p.map(15, 26.9, 267.6, 146);
  EXPECT_NEAR(b.x, px(15 + shift), px(1));
  EXPECT_NEAR(b.y, px(26.9 + shift), px(1));
  EXPECT_NEAR(b.h, px(146), px(1.5));
}

// A light row rule a black-and-white scan's threshold broke into dashes (pieces of 5–10 mm, gaps up
// to 1.8 mm): the table's rows are still its rules, and the form is placed (an officer list whose
// every row rule came out so scored 0.51 and was left unclassified).
TEST(Placement, RowRulesABilevelScanBrokeIntoDashesStillPlaceTheForm) {
  cv::Mat page(px(210), px(297), CV_8UC1, cv::Scalar(255));
  ocr::FormModel m;
  m.width_mm = 297;
  m.height_mm = 210;
  const std::vector<double> rows = {78.5, 89.0, 99.4, 109.9, 120.4, 130.9, 141.4, 151.9, 162.4};
  for (double y : {26.9, 35.9, 44.9, 56.9}) m.horizontal.push_back({y, 15, 282.6});
  for (double y : rows) m.horizontal.push_back({y, 15, 282.6});
  m.horizontal.push_back({172.9, 15, 282.6});
  for (double x : {15.2, 24.9, 68.8, 147.8, 253.0, 282.4}) m.vertical.push_back({x, 56.9, 172.9});
  for (const auto& l : m.horizontal) {
    const int y = px(l.pos);
    if (std::find(rows.begin(), rows.end(), l.pos) == rows.end()) {
      cv::line(page, {px(l.from), y}, {px(l.to), y}, cv::Scalar(0), 2);
      continue;
    }
    int k = 0;
    for (double x = l.from; x < l.to; ++k) {
      const double dash = 5.0 + (k % 4) * 1.6, gap = 1.0 + (k % 3) * 0.4;
      cv::line(page, {px(x), y}, {px(std::min(l.to, x + dash)), y}, cv::Scalar(0), 2);
      x += dash + gap;
    }
  }
  for (const auto& l : m.vertical) cv::line(page, {px(l.pos), px(l.from)}, {px(l.pos), px(l.to)}, cv::Scalar(0), 2);
  const ocr::Placement p = ocr::PageStructure::analyse(image_of(page)).place(m);
  EXPECT_GT(p.score, 0.9);
  EXPECT_EQ(p.quarter_turns, 0);
}

// A booklet copied open (a passbook copy): a ruled rectangle parted by a fold near its middle. A
// table (several full-height rules inside) or a plain frame is not one; a spread copied across a
// landscape sheet is found a quarter turn round.
TEST(Spread, ABookletCopiedOpenIsFoundAndATableIsNot) {
  auto spread_page = [](bool fold, int inner_rules) {
    cv::Mat page(px(297), px(210), CV_8UC1, cv::Scalar(250));
    const cv::Rect r(px(30), px(40), px(165), px(100));
    cv::rectangle(page, r, cv::Scalar(30), 2);
    if (fold) cv::line(page, {px(30 + 82), px(40)}, {px(30 + 82), px(140)}, cv::Scalar(30), 2);
    for (int k = 1; k <= inner_rules; ++k)
      cv::line(page, {px(30 + 20 * k), px(40)}, {px(30 + 20 * k), px(140)}, cv::Scalar(30), 2);
    // What a passbook's pages carry: short rules and blocks of print inside each half.
    cv::line(page, {px(40), px(70)}, {px(90), px(70)}, cv::Scalar(30), 1);
    cv::rectangle(page, cv::Rect(px(125), px(60), px(40), px(4)), cv::Scalar(60), cv::FILLED);
    return page;
  };
  const auto found = ocr::PageStructure::analyse(image_of(spread_page(true, 0))).find_spread();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->turns, 0);
  EXPECT_NEAR(found->box.x, px(30), px(1.5));
  EXPECT_NEAR(found->box.w, px(165), px(2));
  EXPECT_NEAR(found->box.h, px(100), px(2));
  EXPECT_FALSE(ocr::PageStructure::analyse(image_of(spread_page(false, 0))).find_spread().has_value());
  EXPECT_FALSE(ocr::PageStructure::analyse(image_of(spread_page(true, 3))).find_spread().has_value());
  cv::Mat turned;
  cv::rotate(spread_page(true, 0), turned, cv::ROTATE_90_CLOCKWISE);
  const auto across = ocr::PageStructure::analyse(image_of(turned)).find_spread();
  ASSERT_TRUE(across.has_value());
  EXPECT_NE(across->turns % 2, 0);
}

// A booklet laid partly beyond the copier's glass: its right side is cut off by the page's edge,
// its top and bottom rules run to it. Still a spread; the same frame short of the edge is not.
TEST(Spread, ASpreadCutByThePagesEdgeIsStillOne) {
  auto page_with = [](double right_mm) {
    cv::Mat page(px(297), px(210), CV_8UC1, cv::Scalar(250));
    cv::line(page, {px(40), px(36)}, {px(right_mm), px(36)}, cv::Scalar(30), 2);
    cv::line(page, {px(40), px(139)}, {px(right_mm), px(139)}, cv::Scalar(30), 2);
    cv::line(page, {px(40), px(36)}, {px(40), px(139)}, cv::Scalar(30), 2);
    cv::line(page, {px(123), px(36)}, {px(123), px(139)}, cv::Scalar(30), 2);
    return page;
  };
  EXPECT_TRUE(ocr::PageStructure::analyse(image_of(page_with(210))).find_spread().has_value());
  EXPECT_FALSE(ocr::PageStructure::analyse(image_of(page_with(200))).find_spread().has_value());
}

// The pledge's model is three equal rules low on the page, which fit the page turned upside down
// just as well, the form's page then lying 90 mm above the sheet. A form's page lies on the
// scanned page: only the upright placement is one.
TEST(Placement, ASymmetricModelIsNotPlacedWithItsPageOffTheSheet) {
  cv::Mat page(px(297), px(210), CV_8UC1, cv::Scalar(250));
  ocr::FormModel m;
  m.horizontal = {{179.9, 88.3, 178.5}, {193.9, 88.3, 178.5}, {207.9, 88.3, 178.5}};
  for (const auto& l : m.horizontal) cv::line(page, {px(l.from), px(l.pos)}, {px(l.to), px(l.pos)}, cv::Scalar(40), 2);
  const ocr::PageStructure s = ocr::PageStructure::analyse(image_of(page));
  const ocr::Placement p = s.place(m);
  EXPECT_GT(p.score, 0.9);
  EXPECT_EQ(p.quarter_turns, 0);
  EXPECT_LT(s.place(m, 2).score, 0.55);
}

// A small stamp (a ring 18 mm across) whose office name sits half a millimetre above the
// date: the date line alone is cut out, not the two lines together (a row profile's gap of
// 0.8 mm joined them, and the engine read the office name's strokes as digits).
TEST(Postmark, TheDateLineIsCutApartFromTheOfficeNameJustAboveIt) {
  cv::Mat m(px(40), px(40), CV_8UC1, cv::Scalar(250));
  const cv::Point centre(px(20), px(20));
  cv::circle(m, centre, px(9), cv::Scalar(20), 3, cv::LINE_AA);
  int base = 0;
  const double scale = 0.9;
  const cv::Size date = cv::getTextSize("7.8.11", cv::FONT_HERSHEY_SIMPLEX, scale, 2, &base);
  const int date_top = centre.y - date.height / 2;
  cv::putText(m, "7.8.11", {centre.x - date.width / 2, date_top + date.height}, cv::FONT_HERSHEY_SIMPLEX, scale,
              cv::Scalar(20), 2, cv::LINE_AA);
  const cv::Size name = cv::getTextSize("HKM", cv::FONT_HERSHEY_SIMPLEX, scale, 2, &base);
  cv::putText(m, "HKM", {centre.x - name.width / 2, date_top - px(0.5)}, cv::FONT_HERSHEY_SIMPLEX, scale,
              cv::Scalar(20), 2, cv::LINE_AA);
  const std::vector<ocr::Image> lines = ocr::postmark_date_lines(image_of(m), {px(12), px(12), px(16), px(16)});
  ASSERT_FALSE(lines.empty());
  for (const ocr::Image& line : lines) {
    // The date's height and the crop's margin of a millimetre above and below, not two lines.
    EXPECT_LT(line.height(), date.height * 3 / 2 + px(2.0)) << "for a date " << date.height << " px high";
    EXPECT_GT(line.height(), date.height);
  }
}
