// The font-independent digit classifier, on digits drawn in OpenCV's own Hershey fonts: typefaces it
// was not trained on (it learns from the installed TrueType/OpenType fonts).
#include <gtest/gtest.h>

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>

#include "ink_line.h"
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

namespace {

// A line "0347-27-2183" drawn glyph by glyph, each glyph's box as an engine gives it: `shift` moves
// every box by that many glyph widths (a box straddling two digits), `label` draws a kanji-like
// mark before the line, as a form's printed label left in the zone.
struct DrawnLine {
  ocr::Image image;
  std::vector<ocr::LineGlyph> glyphs;
};
DrawnLine draw_line(const std::string& text, double shift = 0, bool label = false, bool dotted_zero = false,
                    bool text_around = false, bool wide_mark_after = false, bool wide_mark_before = false) {
  cv::Mat m(90, 80 + 60 * static_cast<int>(text.size()), CV_8UC1, cv::Scalar(245));
  std::vector<ocr::LineGlyph> glyphs;
  int x = 60;
  if (label) cv::putText(m, "#", {5, 70}, cv::FONT_HERSHEY_DUPLEX, 2.0, cv::Scalar(20), 3, cv::LINE_AA);
  for (char ch : text) {
    int base = 0;
    const cv::Size sz = cv::getTextSize(std::string(1, ch), cv::FONT_HERSHEY_DUPLEX, 2.0, 3, &base);
    cv::putText(m, std::string(1, ch), {x, 70}, cv::FONT_HERSHEY_DUPLEX, 2.0, cv::Scalar(20), 3, cv::LINE_AA);
    if (ch == '0' && dotted_zero) cv::circle(m, {x + sz.width / 2, 70 - sz.height / 2}, 4, cv::Scalar(20), cv::FILLED);
    const int bx = x + static_cast<int>(shift * (sz.width + 6));
    glyphs.push_back({ch, ocr::Box{bx, 70 - sz.height - 2, sz.width, sz.height + 4}});
    x += sz.width + 6;
  }
  if (text_around) {
    // A kanji-like mark (丁) close before the line and another after it, as in 9丁目29番.
    const int first = glyphs.front().box.x, last = glyphs.back().box.x + glyphs.back().box.w;
    cv::line(m, {first - 34, 28}, {first - 10, 28}, cv::Scalar(20), 3);
    cv::line(m, {first - 22, 28}, {first - 22, 70}, cv::Scalar(20), 3);
    cv::line(m, {last + 10, 30}, {last + 36, 30}, cv::Scalar(20), 3);
    cv::line(m, {last + 23, 20}, {last + 23, 72}, cv::Scalar(20), 3);
  }
  if (wide_mark_after) {
    // A wide mark after the run, as 番 stands after a lot number.
    const int last = glyphs.back().box.x + glyphs.back().box.w;
    cv::rectangle(m, {last + 8, 24}, {last + 70, 70}, cv::Scalar(20), 3);
  }
  if (wide_mark_before) {
    // A wide mark close before the run, as 目 stands before a lot number (1丁目30番).
    const int first = glyphs.front().box.x;
    cv::rectangle(m, {first - 62, 24}, {first - 8, 70}, cv::Scalar(20), 3);
  }
  auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, 300);
  EXPECT_TRUE(img.has_value());
  return {*img, glyphs};
}

std::string digits_of(const std::vector<ocr::DigitVote>& votes) {
  std::string s;
  for (const auto& v : votes) s += v.digit;
  return s;
}

TEST(LineDigits, EachDigitIsReadOnItsOwnInkInOrder) {
  const DrawnLine l = draw_line("0347-27-2183", 0, false, true);
  const auto votes = ocr::classify_line_digits(l.image, l.glyphs);
  ASSERT_EQ(votes.size(), 10u);  // the hyphens get no vote
  EXPECT_EQ(digits_of(votes), "0347272183");
}

TEST(LineDigits, CharactersThatCannotBePlacedGetNoVote) {
  // The engine read one glyph fewer than the ink holds (a digit lost inside): nothing to pair.
  DrawnLine l = draw_line("1234");
  l.glyphs.erase(l.glyphs.begin() + 1);
  EXPECT_TRUE(ocr::classify_line_digits(l.image, l.glyphs).empty());
  // Every box a glyph and a half to the right of its ink: the pairing would be shifted.
  const DrawnLine shifted = draw_line("5678", 1.6);
  EXPECT_TRUE(ocr::classify_line_digits(shifted.image, shifted.glyphs).empty());
  // No glyphs, or a glyph without a box.
  EXPECT_TRUE(ocr::classify_line_digits(l.image, {}).empty());
  EXPECT_TRUE(ocr::classify_line_digits(l.image, {{'1', ocr::Box{}}}).empty());
}

TEST(LineDigits, ALabelBesideTheLineIsNotOneOfItsCharacters) {
  // The first glyph's box reaching back over the label: its span is taken from the narrow boxes.
  DrawnLine l = draw_line("4510", 0, true);
  l.glyphs.front().box.w += l.glyphs.front().box.x - 2;
  l.glyphs.front().box.x = 2;
  EXPECT_EQ(digits_of(ocr::classify_line_digits(l.image, l.glyphs)), "4510");
}

// A run of digits inside text (9丁目29番, an address): the strokes of the text close on either
// side are not its characters when every glyph's box is known; the run is placed.
TEST(LineDigits, TheTextAroundARunIsNotOneOfItsCharacters) {
  const DrawnLine l = draw_line("29", 0, false, false, true);
  EXPECT_EQ(digits_of(ocr::classify_line_digits(l.image, l.glyphs)), "29");
}

// The engine's boxes lagging its characters (a first digit's box over the second digit's ink, the
// next one between two digits: 1084 read 1984 with a slashed zero), a wide kanji after the run
// (番): the run's digits are still placed, in order, and the kanji is none of them.
TEST(LineDigits, BoxesThatLagTheirCharactersAreStillPlaced) {
  DrawnLine l = draw_line("1084", 0, false, true, false, true);
  // The first box moved onto the zero, the second half a glyph on, the rest in place.
  const ocr::Box zero = l.glyphs[1].box;
  l.glyphs[0].box = zero;
  l.glyphs[1].box.x += zero.w / 2;
  EXPECT_EQ(digits_of(ocr::classify_line_digits(l.image, l.glyphs)), "1084");
}

// The last glyph's box stretched over the kanji after the run (1丁目30番 with the zero's box
// reaching over 番): the run's ends are searched wider, and the kanji found there, before it (目)
// and after it (番), much wider than a digit, are none of its characters.
TEST(LineDigits, AStretchedLastBoxLeavesTheKanjiAroundTheRunOut) {
  DrawnLine l = draw_line("30", 0, false, true, false, true, true);
  l.glyphs.back().box.w *= 3;
  EXPECT_EQ(digits_of(ocr::classify_line_digits(l.image, l.glyphs)), "30");
}

// A band cut around a run of digits (a passbook's number): each digit on its own ink, without the
// engine's boxes; a dot under the line and a ruled line beside it are none of its characters.
ocr::Image run_band(const std::string& text, bool dot_below, bool rule_beside) {
  int base = 0;
  const cv::Size one = cv::getTextSize("8", cv::FONT_HERSHEY_DUPLEX, 2.0, 3, &base);
  const int h = one.height, top = h / 4 + 1;
  cv::Mat m(h + h / 2 + 2, 40 + (one.width + 8) * static_cast<int>(text.size()), CV_8UC1, cv::Scalar(245));
  int x = 10;
  for (char ch : text) {
    cv::putText(m, std::string(1, ch), {x, top + h}, cv::FONT_HERSHEY_DUPLEX, 2.0, cv::Scalar(20), 3, cv::LINE_AA);
    x += one.width + 8;
  }
  if (dot_below) cv::circle(m, {10 + one.width / 2, m.rows - 4}, 3, cv::Scalar(20), cv::FILLED);
  if (rule_beside) cv::line(m, {m.cols - 6, 0}, {m.cols - 6, m.rows - 1}, cv::Scalar(20), 2);
  auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, 300);
  EXPECT_TRUE(img.has_value());
  return *img;
}

TEST(RunDigits, EachDigitOfABandOnItsOwnInk) {
  EXPECT_EQ(digits_of(ocr::classify_run_digits(run_band("8030636", false, false), 7)), "8030636");
  EXPECT_EQ(digits_of(ocr::classify_run_digits(run_band("269", true, true), 3)), "269");
}

TEST(RunDigits, ABandOfAnotherCountGetsNoVote) {
  EXPECT_TRUE(ocr::classify_run_digits(run_band("1234", false, false), 3).empty());
  EXPECT_TRUE(ocr::classify_run_digits(run_band("1234", false, false), 5).empty());
  EXPECT_TRUE(ocr::classify_run_digits(run_band("", false, false), 0).empty());
}

}  // namespace

namespace {

// A table cell (ruled on all four sides) holding one letter drawn in a Hershey face.
ocr::Image letter_cell(const std::string& letter, int font, int thickness) {
  cv::Mat m(100, 120, CV_8UC1, cv::Scalar(245));
  cv::rectangle(m, {0, 0}, {119, 99}, cv::Scalar(30), 2);
  cv::putText(m, letter, {40, 72}, font, 1.8, cv::Scalar(20), thickness, cv::LINE_AA);
  auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, 300);
  EXPECT_TRUE(img.has_value());
  return *img;
}

}  // namespace

// A closed set's glyph (M/F in the officer list's sex column) is read by the same classifier,
// trained for that set, on typefaces it never saw; the cell's ruling is not part of the glyph, and
// an empty cell is no glyph.
TEST(Symbols, ReadsALoneLetterOfItsSetInTypefacesItNeverSaw) {
  const std::vector<std::string> set = {"M", "F"};
  for (int font : {cv::FONT_HERSHEY_SIMPLEX, cv::FONT_HERSHEY_DUPLEX, cv::FONT_HERSHEY_COMPLEX, cv::FONT_HERSHEY_TRIPLEX})
    for (const std::string& letter : set) {
      const ocr::SymbolVote v = ocr::classify_symbol(letter_cell(letter, font, 3), set);
      EXPECT_EQ(v.symbol, letter) << "font " << font << ", share " << v.share << ", second " << v.second;
      EXPECT_GE(v.share, 6.0 / 7.0) << "font " << font << " " << letter;
    }
  cv::Mat blank(100, 120, CV_8UC1, cv::Scalar(245));
  cv::rectangle(blank, {0, 0}, {119, 99}, cv::Scalar(30), 2);
  auto empty = ocr::Image::from_pixels(blank.cols, blank.rows, 1, {blank.data, blank.total()}, 300);
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(ocr::classify_symbol(*empty, set).symbol, "");
}

// Kanji that differ by a radical or a part (鈴, 鐸, 涼, 癌: the spellings of one family name's
// reading and the engine's misreadings of it; 岡 and 阿, 腰 and 藤, …) are told apart on faces the
// classifier was not trained on, at a scan's sizes; at a size smaller than a form's text its
// mistakes are never unanimous, so they never overrule the engine. Faces without a kanji's glyph
// teach it nothing.
TEST(Symbols, KanjiThatDifferByAPartAreToldApart) {
  const std::vector<std::vector<std::string>> sets = {
      {"涼", "癌", "鈴", "鐸"}, {"岡", "阿"}, {"腰", "藤"}, {"倖", "幸", "玉", "祐", "祥"}, {"和", "知", "智"}};
  int lines = 0;
  for (const char* face : {"TakaoPGothic.ttf", "NotoSerifCJK-Bold.ttc", "KonatuTohaba.ttf", "ume-pmo3.ttf"})
    for (int px : {18, 24, 32})
      for (const auto& set : sets) {
        const auto line = station::testing::ink_line(set, face, px);
        if (!line) continue;
        ++lines;
        for (std::size_t i = 0; i < set.size(); ++i) {
          const ocr::SymbolVote v = ocr::classify_symbol_at(line->image, line->boxes[i], set);
          if (px >= 24) {
            EXPECT_EQ(v.symbol, set[i]) << face << " " << px << " px: share " << v.share;
          } else if (v.symbol != set[i]) {
            EXPECT_LT(v.share, 1.0) << face << " " << px << " px: " << set[i] << " taken for " << v.symbol;
          }
        }
      }
  EXPECT_GT(lines, 0) << "the Japanese fonts are installed by hardware/deploy/install-deps.sh";
}

// A speck of dust under a digit, a gap between them, is no stroke of it: a 0 with a dot just under
// it is a 0, not a 9 (a loop with a tail). A dotted zero's dot, inside it, stays its.
TEST(InkDigits, DustUnderADigitIsNoneOfItsStrokes) {
  for (const bool dust : {false, true}) {
    cv::Mat m(110, 200, CV_8UC1, cv::Scalar(245));
    int base = 0;
    const cv::Size sz = cv::getTextSize("0", cv::FONT_HERSHEY_SIMPLEX, 2.0, 3, &base);
    cv::putText(m, "20", {40, 70}, cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar(20), 3, cv::LINE_AA);
    const int zero_x = 40 + sz.width + sz.width / 2;
    if (dust) cv::circle(m, {zero_x - 2, 70 + 12}, 4, cv::Scalar(20), cv::FILLED);
    auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, 300);
    ASSERT_TRUE(img.has_value());
    const auto v = ocr::ink_characters(*img);
    ASSERT_EQ(v.size(), 2u) << dust;
    EXPECT_EQ(v[0].vote.digit, '2');
    EXPECT_EQ(v[1].vote.digit, '0') << dust;
    EXPECT_LE(v[1].box.y + v[1].box.h, 76) << "the dust (from row 78) is not in the character's box";
  }
  // The dotted zero of the line drawn above keeps its dot: read 0 with ink in its hole.
  const DrawnLine l = draw_line("0", 0, false, true);
  const auto dotted = ocr::ink_characters(l.image);
  ASSERT_EQ(dotted.size(), 1u);
  EXPECT_EQ(dotted[0].vote.digit, '0');
  EXPECT_TRUE(dotted[0].vote.ink_in_hole);
}

// A short number's digits by the cell's ink alone, in order, whatever the engine read of them; a
// cell with no ink has none.
TEST(InkDigits, EveryCharacterOfAShortNumberInOrder) {
  for (int font : {cv::FONT_HERSHEY_SIMPLEX, cv::FONT_HERSHEY_DUPLEX}) {
    cv::Mat m(90, 200, CV_8UC1, cv::Scalar(245));
    cv::putText(m, "28", {40, 70}, font, 2.0, cv::Scalar(20), 3, cv::LINE_AA);
    auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, 300);
    ASSERT_TRUE(img.has_value());
    const auto v = ocr::classify_ink_digits(*img);
    ASSERT_EQ(v.size(), 2u) << "font " << font;
    EXPECT_EQ(v[0].digit, '2');
    EXPECT_EQ(v[1].digit, '8');
  }
  cv::Mat blank(90, 200, CV_8UC1, cv::Scalar(245));
  auto empty = ocr::Image::from_pixels(blank.cols, blank.rows, 1, {blank.data, blank.total()}, 300);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(ocr::classify_ink_digits(*empty).empty());
}
