// Tesseract's systematic digit error: a zero with a mark inside (slashed, dotted) read as 9, 6 or 8.
// A numeric field whose engine reads such a zero as 9 gets its 0 back from the font-independent
// classifier, not certain by itself, with the engine's digit as the alternative; a real 9 stays a 9.
#include <gtest/gtest.h>

#include <opencv2/freetype.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

#include "ink_line.h"
#include "ocr/fake_engine.h"
#include "ocr/language_model.h"
#include "readers.h"
#include "station/clock.h"
#include "station/recognition/model_pairs.h"

namespace {

using station::recognition::FieldTemplate;
using station::recognition::FormTemplate;
using station::recognition::RecognizedValue;

constexpr int kDpi = 300;

// A 100 x 30 mm page with `digits` drawn in one line; `slashed` marks the zeros to draw slashed.
ocr::Image page_with(const std::string& digits, bool slashed) {
  cv::Mat m(354, 1181, CV_8UC1, cv::Scalar(248));
  int x = 180;
  for (char d : digits) {
    int base = 0;
    const cv::Size sz = cv::getTextSize(std::string(1, d), cv::FONT_HERSHEY_SIMPLEX, 3.0, 6, &base);
    cv::putText(m, std::string(1, d), {x, 220}, cv::FONT_HERSHEY_SIMPLEX, 3.0, cv::Scalar(15), 6, cv::LINE_AA);
    if (d == '0' && slashed)
      cv::line(m, {x + sz.width * 3 / 4, 220 - sz.height * 7 / 8}, {x + sz.width / 4, 220 - sz.height / 8}, cv::Scalar(15), 6,
               cv::LINE_AA);
    x += sz.width + 24;
  }
  auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, kDpi);
  EXPECT_TRUE(img.has_value());
  return *img;
}

// A zone's ink (255 on 0) and its column runs [x0, x1), left to right.
struct InkRuns {
  cv::Mat ink;
  std::vector<std::pair<int, int>> runs;
  // The box of the ink in columns [x0, x1).
  ocr::Box box(int x0, int x1) const {
    int y0 = ink.rows, y1 = 0;
    for (int y = 0; y < ink.rows; ++y)
      if (cv::countNonZero(ink.row(y).colRange(x0, x1)) > 0) y0 = std::min(y0, y), y1 = y + 1;
    return ocr::Box{x0, y0, x1 - x0, y1 - y0};
  }
};
InkRuns ink_runs(const ocr::Image& zone) {
  auto png = zone.encode_png();
  EXPECT_TRUE(png.has_value());
  const cv::Mat m = cv::imdecode(*png, cv::IMREAD_GRAYSCALE);
  InkRuns out;
  cv::threshold(m, out.ink, 128, 255, cv::THRESH_BINARY_INV);
  for (int x = 0; x < out.ink.cols; ++x) {
    const bool any = cv::countNonZero(out.ink.col(x)) > 0;
    if (any && (out.runs.empty() || out.runs.back().second != x)) out.runs.emplace_back(x, x + 1);
    else if (any) out.runs.back().second = x + 1;
  }
  return out;
}

// The runs of `ink`, those closer than `gap` px to the one before joined: one glyph's strokes.
std::vector<std::pair<int, int>> merged_runs(const InkRuns& ink, int gap) {
  std::vector<std::pair<int, int>> out;
  for (const auto& run : ink.runs)
    if (!out.empty() && run.first - out.back().second < gap) out.back().second = run.second;
    else out.push_back(run);
  return out;
}

// The values read_form gives for the one field `f` of a form of `kind` on `page`.
std::vector<RecognizedValue> read_one(const ocr::Image& page, ocr::Engine& engine, const std::string& kind,
                                      const FieldTemplate& f) {
  FormTemplate t;
  t.kind = kind;
  t.fields.push_back(f);
  const station::FixedClock clock(std::chrono::sys_days{std::chrono::year{2025} / 6 / 1});
  const station::recognition::detail::PageContext c{page, 0, nullptr, engine, clock};
  int row = 0;
  std::vector<RecognizedValue> out;
  station::recognition::detail::read_form(t, c, row, out);
  return out;
}

FieldTemplate field(const std::string& key, const std::string& type) {
  FieldTemplate f;
  f.key = key;
  f.type = type;
  f.zone = {10, 5, 80, 20};
  return f;
}

// The engine's answer for a zone: `text`, one glyph per ink column run of the zone's image (what
// Tesseract's boxes give), each glyph the next character of `text`.
ocr::Reading reading_with_boxes(const ocr::Image& zone, const std::string& text, std::vector<std::size_t> run_of = {}) {
  const InkRuns ink = ink_runs(zone);
  ocr::Reading r = ocr::FakeEngine::reading(text, 0.93);
  // Glyph i on ink run run_of[i] (by default the i-th).
  if (run_of.empty())
    for (std::size_t i = 0; i < text.size(); ++i) run_of.push_back(i);
  for (std::size_t i = 0; i < text.size() && run_of[i] < ink.runs.size(); ++i) {
    const auto [x0, x1] = ink.runs[run_of[i]];
    r.glyphs.push_back({std::string(1, text[i]), 0.93, ink.box(x0, x1), {}});
  }
  EXPECT_EQ(r.glyphs.size(), text.size()) << "the drawn digits must stand apart";
  return r;
}

RecognizedValue read_digits(const ocr::Image& page, const std::string& engine_text, int max = 0,
                            double line_confidence = 0.93) {
  ocr::FakeEngine engine;
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
    ocr::Reading r = reading_with_boxes(img, engine_text);
    r.confidence = line_confidence;
    return r;
  });
  FieldTemplate f = field("facility.capacity", "digits");
  f.max = max;
  const std::vector<RecognizedValue> out = read_one(page, engine, "application", f);
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? RecognizedValue{} : out[0];
}

TEST(ZeroVote, AMarkedZeroReadAsNineIsAZeroStillForTheClerkToConfirm) {
  const RecognizedValue v = read_digits(page_with("2058", true), "2958");
  EXPECT_EQ(v.value, "2058");
  // Each digit placed on its own ink and the classifier unanimous: it overrules, below any
  // threshold by itself (the calibration weighs it).
  EXPECT_LT(v.confidence, 0.9);
  ASSERT_EQ(v.chars.size(), 4u);
  EXPECT_EQ(v.chars[1].text, "0");
  EXPECT_NE(std::find(v.chars[1].alternatives.begin(), v.chars[1].alternatives.end(), "9"), v.chars[1].alternatives.end());
}

TEST(ZeroVote, ARealNineStaysANine) {
  const RecognizedValue v = read_digits(page_with("2958", false), "2958");
  EXPECT_EQ(v.value, "2958");
}

// A short number is also what its ink holds: a digit the engine lost ("358" read 35) or misread
// ("38" read 58) comes from the classifier, unanimous on each character, for the clerk to confirm;
// but not where the ink's digits break the field's grammar and the engine's keep it (a cell of at
// most 99 read "358" from its ink — a stray mark split off as a character — keeps the engine's 35).
TEST(InkDigitsInAField, TheInkReadsTheCellWithinTheFieldsGrammar) {
  struct Case {
    const char* drawn;
    const char* engine;
    int max;
    const char* want;
    bool doubted;
  };
  for (const Case& k : {Case{"358", "35", 0, "358", true}, Case{"358", "35", 99, "35", false},
                        Case{"38", "58", 99, "38", true}}) {
    const RecognizedValue v = read_digits(page_with(k.drawn, false), k.engine, k.max);
    EXPECT_EQ(v.value, k.want) << k.drawn << " read " << k.engine;
    if (k.doubted) {
      EXPECT_LT(v.confidence, 0.9) << k.drawn;
    }
  }
}

// A longer number read to the wrong length (a 10-digit number read with a digit too many): the ink's
// ten digits, the classifier unanimous on each, are the value, for the clerk to confirm. Read to
// its length, the engine's reading stands.
TEST(InkDigitsInAField, ALongNumberReadToTheWrongLengthIsItsInks) {
  const ocr::Image page = page_with("1227325331", false);
  for (const std::string engine_text : {"12273825331", "1227325331"}) {
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      return ocr::FakeEngine::reading(engine_text, 0.93);
    });
    FieldTemplate f = field("officers.jigyosho_no", "digits");
    f.length = 10;
    const std::vector<RecognizedValue> out = read_one(page, engine, "officers", f);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].value, "1227325331") << engine_text;
    if (engine_text.size() != 10) {
      EXPECT_LT(out[0].confidence, 0.9);
    }
  }
}

// A numeric line's confidence is its least sure glyph's: Tesseract's word confidence also weighs the
// characters the whitelist suppressed (an amount's 円, the 電話 label), down to 0 for a line whose
// every digit it read at 0.93.
TEST(NumericLine, ItsConfidenceIsItsLeastSureGlyphs) {
  const RecognizedValue v = read_digits(page_with("2958", false), "2958", 0, 0.0);
  EXPECT_EQ(v.value, "2958");
  EXPECT_NEAR(v.confidence, 0.93, 1e-9);
}

// digits_after_label on a row drawn "QZ7489023" that the engine reads "番号/489023" (its 7 read "/",
// the first two marks called the label's last two characters), its glyphs as `adjust` leaves them.
std::string number_after_label(const std::vector<std::string>& labels, int length,
                               const std::function<void(ocr::Reading&)>& adjust = {}) {
  const ocr::Image page = page_with("QZ7489023", false);
  ocr::FakeEngine engine;
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
    ocr::Reading r = reading_with_boxes(img, "QZ/489023");
    r.glyphs[0].text = "番";
    r.glyphs[1].text = "号";
    if (adjust) adjust(r);
    return r;
  });
  const station::FixedClock clock(std::chrono::sys_days{std::chrono::year{2025} / 6 / 1});
  const station::recognition::detail::PageContext c{page, 0, nullptr, engine, clock};
  return station::recognition::detail::digits_after_label(c, ocr::Box{0, 120, page.width(), 130}, labels, length);
}

// A passbook's account number no reading gives (its 7 read "/"): the row's own ink after the
// label gives its seven digits.
TEST(PassbookNumberByInk, TheDigitsAfterTheLabelFromTheRowsInk) {
  EXPECT_EQ(number_after_label({"口座番号", "番号"}, 7), "7489023");
  // Not a number of another length.
  EXPECT_EQ(number_after_label({"口座番号", "番号"}, 3), "");
  // Not after a label the row does not hold.
  EXPECT_EQ(number_after_label({"店番"}, 7), "");
}

// The label's last glyph boxed a glyph late, over the number's first digit (号 over the 5 of
// 5908715, every reading losing the 5): the band after that box holds six digits, but the row's
// ink from where the box begins holds the seven, each voted unanimously.
TEST(PassbookNumberByInk, ALabelBoxedOverTheNumbersFirstDigitLeavesTheDigitsInk) {
  EXPECT_EQ(number_after_label({"口座番号", "番号"}, 7,
                               [](ocr::Reading& r) {
                                 r.glyphs[1].box = r.glyphs[2].box;  // over the 7
                                 r.glyphs.erase(r.glyphs.begin() + 2);
                               }),
            "7489023");
}

// A zero the engine did not take for a character, merged into the digit before it (house number
// 20 read 2, its box as wide as both): the box's ink splits into the digit and a zero, the
// classifier unanimous on each, and the zero comes back, for the clerk to confirm. Not where the
// box's ink holds another digit: only a lost zero is restored.
// A run of digits in text whose last glyph's box the engine stretched over the character after it
// (an address's 20番 read 29番, the 9's box over the 番): the run cannot be placed box by box, so its
// digits are cut from the ink from the first digit's box on, and the slashed zero read 9 is voted 0.
TEST(ZeroVote, ARunWhoseLastBoxIsStretchedIsCutFromTheInkAfterItsFirstDigit) {
  const ocr::Image page = page_with("20W", true);
  ocr::FakeEngine engine;
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
    ocr::Reading r = reading_with_boxes(img, "29W");
    ocr::Glyph& stretched = r.glyphs[1];
    const ocr::Box& next = r.glyphs[2].box;
    stretched.box.w = next.x + next.w - stretched.box.x;
    return r;
  });
  const std::vector<RecognizedValue> out = read_one(page, engine, "application", field("facility.address", "text"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "20W");
  EXPECT_LT(out[0].confidence, 0.9);
}

// A 100 x 30 mm page with `chars` drawn in one line by a Japanese face (a real kanji's ink beside
// the digits); nothing when the face is absent.
std::optional<ocr::Image> line_page(const std::vector<std::string>& chars) {
  const auto line = station::testing::ink_line(chars, "ipaexg.ttf", 60);
  if (!line) return std::nullopt;
  cv::Mat m(354, 1181, CV_8UC1, cv::Scalar(248));
  auto png = line->image.encode_png();
  if (!png) return std::nullopt;
  const cv::Mat l = cv::imdecode(*png, cv::IMREAD_GRAYSCALE);
  l.copyTo(m(cv::Rect(150, 120, l.cols, l.rows)));
  auto img = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, kDpi);
  if (!img) return std::nullopt;
  return *img;
}

// The engine's answer for an address line whose characters stand apart in `zone`: `text`, and the
// glyph boxes of a loosely set hand: each character's ink box, except the digits of the number's
// first run, each boxed from its own ink's middle to the next one's (the run's first box from its
// own ink's start, wider than high).
ocr::Reading straddling_boxes(const ocr::Image& zone, const std::vector<std::string>& text, std::size_t run_from,
                              std::size_t run_to) {
  const InkRuns ink = ink_runs(zone);
  const std::vector<std::pair<int, int>> chars = merged_runs(ink, zone.height() / 12);
  EXPECT_EQ(chars.size(), text.size()) << "the drawn characters must stand apart";
  std::string joined;
  for (const std::string& t : text) joined += t;
  ocr::Reading r = ocr::FakeEngine::reading(joined, 0.93);
  for (std::size_t i = 0; i < text.size() && i < chars.size(); ++i) {
    ocr::Box b = ink.box(chars[i].first, chars[i].second);
    if (i >= run_from && i < run_to && i + 1 < chars.size()) {
      const int mid = (chars[i].first + chars[i].second) / 2 + 2, next = (chars[i + 1].first + chars[i + 1].second) / 2 + 2;
      b.x = i == run_from ? chars[i].first : mid;
      b.w = next - b.x;
    }
    r.glyphs.push_back({text[i], 0.93, b, {}});
  }
  return r;
}

// An address's number whose glyph boxes straddle its digits (a loosely written line: the box of the
// zero read 9 over half the 0 and half the 3), so that no box holds one digit: laid on the line's
// own ink from its end — a digit on each character, 番 and 地 on theirs — the engine's 9 that the
// ink votes 0 unanimously is a 0, for the clerk to confirm. Where the engine lost a digit of the
// number's head (570 read 5, the 7 left before it), the reading is not laid in step with the ink
// and stays as read.
TEST(AddressNumberByInk, ADigitWhoseBoxStraddlesTwoIsReadOnItsOwnInk) {
  const std::vector<std::string> drawn = {"町", "1", "0", "3", "8", "番", "地", "2", "0"};
  const std::optional<ocr::Image> page = line_page(drawn);
  ASSERT_TRUE(page.has_value()) << "fonts-ipaexfont-gothic (installed by hardware/deploy/install-deps.sh) draws the line";
  ocr::FakeEngine engine;
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
    return straddling_boxes(img, {"町", "1", "9", "3", "8", "番", "地", "2", "0"}, 1, 5);
  });
  std::vector<RecognizedValue> out = read_one(*page, engine, "application", field("facility.address", "text"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "町1038番地20");
  EXPECT_LE(out[0].confidence, station::recognition::detail::kClassifierOverrules);
  // After 番 and its number a misread character at the end stands for the 号, not for a digit, even
  // where its ink is one (a 3 drawn there): as read.
  FieldTemplate go = field("facility.address", "text");
  const std::optional<ocr::Image> numbered = line_page({"町", "1", "0", "3", "8", "番", "2", "0", "3"});
  ASSERT_TRUE(numbered.has_value());
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
    return straddling_boxes(img, {"町", "1", "0", "3", "8", "番", "2", "0", "ヲ"}, 0, 0);
  });
  out = read_one(*numbered, engine, "application", go);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "町1038番20ヲ");
  // As read where the ink holds what the engine read.
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
    return straddling_boxes(img, drawn, 1, 5);
  });
  out = read_one(*page, engine, "application", field("facility.address", "text"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "町1038番地20");
  // A digit read as a kana at the number's end (20 read 2の): the kana's ink is a 0.
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
    return straddling_boxes(img, {"町", "1", "0", "3", "8", "番", "地", "2", "の"}, 1, 5);
  });
  out = read_one(*page, engine, "application", field("facility.address", "text"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "町1038番地20");
  EXPECT_LE(out[0].confidence, station::recognition::detail::kClassifierOverrules);

  const std::optional<ocr::Image> lost = line_page({"町", "5", "7", "0", "番", "地", "1", "4"});
  ASSERT_TRUE(lost.has_value());
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
    const InkRuns ink = ink_runs(img);
    const std::vector<std::pair<int, int>> chars = merged_runs(ink, img.height() / 12);
    ocr::Reading r = ocr::FakeEngine::reading("町5番地14", 0.93);
    // 町 over its ink and the 5's, the 5 on the 0: the engine's boxes a glyph behind.
    const std::vector<std::pair<std::string, std::pair<std::size_t, std::size_t>>> glyphs = {
        {"町", {0, 2}}, {"5", {3, 3}}, {"番", {4, 4}}, {"地", {5, 5}}, {"1", {6, 6}}, {"4", {7, 7}}};
    for (const auto& [text, span] : glyphs)
      if (span.second < chars.size())
        r.glyphs.push_back({text, 0.93, ink.box(chars[span.first].first, chars[span.second].second), {}});
    return r;
  });
  out = read_one(*lost, engine, "application", field("facility.address", "text"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "町5番地14");
}

// The classifier overrules the engine on a numeric line only on a digit whose box is as tall as the
// line's others: a box reaching above them took in ink that is not the digit's, and there the
// classifier's digit is only offered, the value for the clerk to confirm.
TEST(ZeroVote, TheClassifierOverrulesOnlyOnABoxAsTallAsTheLines) {
  const ocr::Image page = page_with("86000", false);
  for (const bool tall : {false, true}) {
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      ocr::Reading r = reading_with_boxes(img, "80000");
      if (tall) {
        r.glyphs[1].box.y -= r.glyphs[1].box.h / 2;
        r.glyphs[1].box.h += r.glyphs[1].box.h / 2;
      }
      return r;
    });
    const std::vector<RecognizedValue> out = read_one(page, engine, "application", field("amount", "amount"));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].value, tall ? "80000" : "86000") << (tall ? "tall box" : "box as tall as the others");
    EXPECT_LT(out[0].confidence, 0.9);
    ASSERT_EQ(out[0].chars.size(), 5u);
    if (tall) {
      EXPECT_EQ(out[0].chars[1].alternatives, std::vector<std::string>{"6"});
    }
  }
}

// Numbers on a page scanned at 200 dpi are a dozen pixels high: the engine is asked to read them at
// 300 dpi at least (kanji at 400), never below the page's own resolution.
TEST(ZeroVote, NumbersAreReadAtThreeHundredDpiAtLeast) {
  for (const int dpi : {200, 300, 400}) {
    cv::Mat m(354 * dpi / 300, 1181 * dpi / 300, CV_8UC1, cv::Scalar(248));
    cv::putText(m, "271-4750", {60, m.rows / 2}, cv::FONT_HERSHEY_SIMPLEX, 1.5 * dpi / 300, cv::Scalar(15), 3, cv::LINE_AA);
    auto page = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, dpi);
    ASSERT_TRUE(page.has_value());
    ocr::FakeEngine engine;
    std::vector<int> asked;
    engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      asked.push_back(spec.upscale_to_dpi);
      return ocr::FakeEngine::reading("271-4750", 0.95);
    });
    const std::vector<RecognizedValue> out = read_one(*page, engine, "application", field("facility.postal_code", "postal"));
    ASSERT_EQ(out.size(), 1u);
    ASSERT_FALSE(asked.empty());
    EXPECT_EQ(asked.front(), 300) << dpi << " dpi";  // the engine upscales only a page below it
    EXPECT_EQ(out[0].value, "271-4750");
  }
}

TEST(ZeroVote, AZeroMergedIntoTheDigitBeforeItComesBack) {
  struct Case {
    const char* drawn;
    const char* want;
  };
  for (const Case& k : {Case{"1204", "1204"}, Case{"1234", "124"}}) {
    const ocr::Image page = page_with(k.drawn, true);
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      ocr::Reading r = reading_with_boxes(img, "1234");
      // The engine saw three characters: the second glyph's box holds the second and third marks.
      ocr::Glyph& merged = r.glyphs[1];
      const ocr::Box& next = r.glyphs[2].box;
      const int right = next.x + next.w, bottom = std::max(merged.box.y + merged.box.h, next.y + next.h);
      merged.box.y = std::min(merged.box.y, next.y);
      merged.box.w = right - merged.box.x;
      merged.box.h = bottom - merged.box.y;
      merged.text = "2";
      r.glyphs.erase(r.glyphs.begin() + 2);
      r.text = "124";
      return r;
    });
    const std::vector<RecognizedValue> out = read_one(page, engine, "application", field("facility.address", "text"));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].value, k.want) << k.drawn;
    if (std::string(k.want) != "124") {
      EXPECT_LT(out[0].confidence, 0.9) << k.drawn;
    }
  }
}

// A 100 x 30 mm page with each text drawn in IPAex Gothic at its place (baseline-left, px) and
// size (px); an empty image when the font is missing.
struct Drawn {
  const char* text;
  cv::Point at;
  int size;
};
ocr::Image page_with_text(const std::vector<Drawn>& texts) {
  const std::filesystem::path font = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf";
  EXPECT_TRUE(std::filesystem::exists(font)) << "fonts-ipaexfont-gothic is installed by hardware/deploy/install-deps.sh";
  if (!std::filesystem::exists(font)) return {};
  cv::Mat c3(354, 1181, CV_8UC3, cv::Scalar::all(248));
  auto ft = cv::freetype::createFreeType2();
  ft->loadFontData(font.string(), 0);
  for (const Drawn& d : texts) ft->putText(c3, d.text, d.at, d.size, cv::Scalar::all(15), -1, cv::LINE_AA, true);
  cv::Mat m;
  cv::cvtColor(c3, m, cv::COLOR_BGR2GRAY);
  auto page = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, kDpi);
  EXPECT_TRUE(page.has_value());
  return page ? *page : ocr::Image{};
}

// The officers' table cut to one row: its furigana column and its name column.
FieldTemplate one_officer_row() {
  FieldTemplate f = field("officers.rows", "table");
  f.rows = 1;
  f.first_top = 2;
  f.pitch = 26;
  f.columns = {{"name_kana", "", "kana", 2, 45}, {"name", "", "text", 50, 48}};
  return f;
}

// The officer row's name as read_form gives it on `page` read by `engine`; nothing where none.
std::optional<RecognizedValue> officer_name(const ocr::Image& page, ocr::Engine& engine) {
  const std::vector<RecognizedValue> out = read_one(page, engine, "officers", one_officer_row());
  const auto name = std::find_if(out.begin(), out.end(), [](const RecognizedValue& v) { return v.key == "officers.rows[0].name"; });
  if (name == out.end()) return std::nullopt;
  return *name;
}

// The engine's reading of a line of full-width characters drawn `pitch` px apart: one glyph per
// character, boxed on the ink that centres in the character's cell (the gap's cell holds none).
ocr::Reading reading_by_cells(const ocr::Image& img, const std::string& text, int pitch) {
  ocr::Reading r = ocr::FakeEngine::reading(text, 0.95);
  const InkRuns ink = ink_runs(img);
  std::map<int, std::pair<int, int>> cells;
  for (const auto& [x0, x1] : ink.runs) {
    const int cell = ((x0 + x1) / 2 - ink.runs.front().first) / pitch;
    auto [it, fresh] = cells.emplace(cell, std::pair{x0, x1});
    if (!fresh) it->second.second = x1;
  }
  std::vector<std::string> chars;
  for (std::size_t at = 0; at < text.size(); at += 3)
    if (text.substr(at, 3) != "\u3000") chars.push_back(text.substr(at, 3));
  EXPECT_EQ(cells.size(), chars.size()) << "the drawn characters must stand apart";
  std::size_t i = 0;
  for (const auto& [cell, span] : cells)
    if (i < chars.size()) r.glyphs.push_back({chars[i++], 0.95, ink.box(span.first, span.second), {}});
  return r;
}

// The officer row's name where `drawn` is written beside its furigana `kana`: the engine reads the
// furigana as drawn and the name as `read`, a glyph per character's cell, whose boxes `boxes` then
// changes (a glyph without one, or stretched).
std::optional<RecognizedValue> name_read_as(const std::string& drawn, const std::string& kana, const std::string& read,
                                            const std::function<void(std::vector<ocr::Glyph>&)>& boxes) {
  const ocr::Image page = page_with_text({{drawn.c_str(), {620, 230}, 110}, {kana.c_str(), {60, 200}, 60}});
  if (page.empty()) return std::nullopt;
  ocr::FakeEngine engine;
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
    if (!spec.whitelist.empty()) return ocr::FakeEngine::reading(kana, 0.95);
    ocr::Reading r = reading_by_cells(img, read, 110);
    boxes(r.glyphs);
    return r;
  });
  return officer_name(page, engine);
}

// An e-mail address drawn as `drawn` and read as `read` by both models, a glyph per ink column run
// of the drawing (`glyphs` then changes them): the value the station gives.
std::optional<RecognizedValue> email_read_as(const std::string& drawn, const std::string& read,
                                             const std::function<void(std::vector<ocr::Glyph>&)>& glyphs) {
  // Spaces between the characters, so that each stands apart.
  std::string spaced;
  for (const char ch : drawn) spaced += std::string(1, ch) + "  ";
  const ocr::Image page = page_with_text({{spaced.c_str(), {140, 230}, 50}});
  if (page.empty()) return std::nullopt;
  ocr::FakeEngine engine;
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
    ocr::Reading r = ocr::FakeEngine::reading(read, 0.95);
    const InkRuns ink = ink_runs(img);
    // Runs closer than a sixth of the line's height are one glyph's (a k's stem and arms).
    const std::vector<std::pair<int, int>> runs = merged_runs(ink, ink.ink.rows / 6);
    // The zone's clean-up takes a full stop for a speck: where the runs are one short, it has no box.
    const bool dot_lost = runs.size() + 1 == drawn.size();
    std::size_t run = 0;
    for (const char ch : drawn)
      if (ch == '.' && dot_lost)
        r.glyphs.push_back({".", 0.95, ocr::Box{}, {}});
      else if (run < runs.size())
        r.glyphs.push_back({std::string(1, ch), 0.95, ink.box(runs[run].first, runs[run].second), {}}), ++run;
    EXPECT_EQ(r.glyphs.size(), drawn.size()) << "the drawn characters must stand apart";
    glyphs(r.glyphs);
    return r;
  });
  const std::vector<RecognizedValue> out = read_one(page, engine, "youshiki1", field("contact.email", "email"));
  if (out.size() != 1) return std::nullopt;
  return out[0];
}

// The digits of an e-mail address's local part on their own ink: a 5 read as a capital S (as tall
// as the digits) is the 5, a small s stays; an 8 read twice over one glyph's ink goes. Either way
// the address is for the clerk to confirm.
TEST(EmailDigits, ALetterAsTallAsTheDigitsAndADigitReadTwiceAreMended) {
  const auto as_read = [](std::vector<ocr::Glyph>& g, std::size_t i, const std::string& ch) { g[i].text = ch; };
  {
    const auto v = email_read_as("kaigo5@ab.com", "kaigoS@ab.com", [&](auto& g) { as_read(g, 5, "S"); });
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->value, "kaigo5@ab.com");
    EXPECT_LT(v->confidence, 0.9);
  }
  {
    const auto v = email_read_as("kaigos@ab.com", "kaigos@ab.com", [](auto&) {});
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->value, "kaigos@ab.com");
  }
  {
    const auto v = email_read_as("keiri38@ab.com", "keiri388@ab.com", [](std::vector<ocr::Glyph>& g) {
      if (g.size() > 6) g.insert(g.begin() + 7, g[6]);
    });
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->value, "keiri38@ab.com");
    EXPECT_LT(v->confidence, 0.9);
  }
}

// Katakana the engine takes for one another in some faces (ケ read ク): each glyph of a look-alike
// group is voted on its own ink by the classifier over the group; a unanimous vote for another
// member replaces it, for the clerk to confirm. A glyph read right stays, and so does its value's
// confidence.
TEST(KanaVote, ALookAlikeKanaIsReadByTheClassifier) {
  const ocr::Image page = page_with_text({{"アケミ", {180, 230}, 110}});
  ASSERT_FALSE(page.empty());
  for (const std::string read : {"アクミ", "アケミ"}) {
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      // One glyph per ink column run: ア, the two strokes of ケ, ミ's three strokes side by side are
      // one run each at most; the boxes are what the runs give, merged to three glyphs.
      ocr::Reading r = ocr::FakeEngine::reading(read, 0.95);
      const InkRuns ink = ink_runs(img);
      // Runs closer than a fifth of the line's height belong to one glyph.
      const std::vector<std::pair<int, int>> glyphs = merged_runs(ink, ink.ink.rows / 5);
      const std::vector<std::string> chars = {read.substr(0, 3), read.substr(3, 3), read.substr(6, 3)};
      for (std::size_t i = 0; i < glyphs.size() && i < chars.size(); ++i)
        r.glyphs.push_back({chars[i], 0.95, ink.box(glyphs[i].first, glyphs[i].second), {}});
      EXPECT_EQ(r.glyphs.size(), 3u) << "the drawn kana must stand apart";
      return r;
    });
    const std::vector<RecognizedValue> out = read_one(page, engine, "officers", field("officers.corp_kana", "kana"));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].value, "アケミ") << read;
    if (read == "アクミ") {
      EXPECT_LT(out[0].confidence, 0.9);
      ASSERT_EQ(out[0].chars.size(), 3u);
      EXPECT_NE(std::find(out[0].chars[1].alternatives.begin(), out[0].chars[1].alternatives.end(), "ク"),
                out[0].chars[1].alternatives.end());
    } else {
      EXPECT_GT(out[0].confidence, 0.9);
    }
  }
}

// An officer's name whose kanji its furigana does not read (人木 for スズキ): the dictionary's
// spellings of the furigana one kanji apart (鈴木, 涼木, 鐸木) propose, the glyph's own ink decides.
// A name the furigana reads is left as read even where another spelling fits it too.
TEST(NameByFurigana, TheInkChoosesAmongTheFuriganasSpellings) {
  struct Case {
    const char* drawn;  // the name on the page
    const char* read;   // what the engine reads there
    const char* kana;   // the furigana as read
    const char* want;
  };
  for (const Case& k : {Case{"鈴木　舞", "人木　舞", "スズキ　マイ", "鈴木　舞"},
                        Case{"鈴木　舞", "鈴木　舞", "スズキ　マイ", "鈴木　舞"}}) {
    const ocr::Image page = page_with_text({{k.drawn, {620, 230}, 110}, {"スズキ　マイ", {60, 200}, 60}});
    ASSERT_FALSE(page.empty());
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      if (!spec.whitelist.empty()) return ocr::FakeEngine::reading(k.kana, 0.95);  // the furigana column
      return reading_by_cells(img, k.read, 110);  // the name column: a glyph per character's ink
    });
    const FieldTemplate f = one_officer_row();
    const std::vector<RecognizedValue> out = read_one(page, engine, "officers", f);
    const auto name = std::find_if(out.begin(), out.end(), [](const RecognizedValue& v) { return v.key == "officers.rows[0].name"; });
    ASSERT_NE(name, out.end());
    EXPECT_EQ(name->value, k.want) << k.read;
    if (std::string(k.read) != k.want) {
      EXPECT_LT(name->confidence, 0.9);
    }
  }
}

// The misread kanji's glyph without a box of its own (a character the other model read), or with
// one the engine stretched over its neighbour: the vote is on the ink between its neighbours' boxes.
// Where the next glyph's box lies off its own ink (木's box begun past the middle of 木), the ink
// before it holds both kanji: the first glyph is the part of it from the zone's edge a kanji wide.
TEST(NameByFurigana, AKanjiWithoutItsOwnBoxIsVotedOnTheInkBetweenItsNeighbours) {
  enum class Box { kNone, kStretched, kNoneAndTheNextOffItsInk };
  for (const Box b : {Box::kNone, Box::kStretched, Box::kNoneAndTheNextOffItsInk}) {
    const std::optional<RecognizedValue> name = name_read_as("鈴木　舞", "スズキ　マイ", "人木　舞", [&](std::vector<ocr::Glyph>& g) {
      if (g.size() != 3) return;
      if (b == Box::kStretched) {
        g[0].box.w = g[1].box.x + g[1].box.w - g[0].box.x;
      } else {
        g[0].box = ocr::Box{};
        if (b == Box::kNoneAndTheNextOffItsInk) g[1].box.x += g[1].box.w * 6 / 10;
      }
    });
    ASSERT_TRUE(name.has_value());
    EXPECT_EQ(name->value, "鈴木　舞") << static_cast<int>(b);
    EXPECT_LT(name->confidence, 0.9);
  }
}

// A name part read far from every spelling of its furigana, kanji for kanji (中中 for 小川, as a
// brush hand is read): the spellings as long as the reading propose, and the one whose every kanji
// the glyphs' own ink votes for is taken, for the clerk to confirm. A name written otherwise than
// its furigana spells (中山 beside オガワ) keeps the engine's reading: no spelling is borne out.
TEST(NameByFurigana, APartReadFarFromEverySpellingIsSpeltAgainFromItsInk) {
  struct Case {
    const char* drawn;
    const char* read;
    const char* want;
  };
  for (const Case& k : {Case{"小川　明", "中中　明", "小川　明"}, Case{"中山　明", "中中　明", "中中　明"}}) {
    const std::optional<RecognizedValue> name = name_read_as(k.drawn, "オガワ　アキラ", k.read, [](std::vector<ocr::Glyph>&) {});
    ASSERT_TRUE(name.has_value());
    EXPECT_EQ(name->value, k.want) << k.drawn;
    if (std::string(k.read) != k.want) {
      EXPECT_LT(name->confidence, 0.9);
      ASSERT_EQ(name->chars.size(), 3u);
      EXPECT_EQ(name->chars[0].alternatives.front(), "中");
    }
  }
}

// A furigana misread by a voicing mark (ユウゴ beside 優子) spells no kanji the ink bears out; the
// spellings of the kana with one mark otherwise (ユウコ: 優子, 裕子, …) do, one kanji off included.
TEST(NameByFurigana, AFuriganaMisreadByAVoicingMarkStillSpellsTheName) {
  const std::optional<RecognizedValue> name = name_read_as("山田　優子", "ヤマダ　ユウゴ", "山田　佐子", [](std::vector<ocr::Glyph>&) {});
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->value, "山田　優子");
  EXPECT_LT(name->confidence, 0.9);
}

// A name read without its gap and with a kanji wrong in each part (曽橋了子 for 高橋　陽子), the engine
// giving no box to the family name's two kanji: the cut is where each half is one kanji off a
// spelling of its furigana, and the two boxless kanji are cut from the ink between the zone's edge
// and the next glyph where its columns are blank.
TEST(NameByFurigana, ANameReadWithoutItsGapIsCutWhereItsHalvesAreOneKanjiOffTheFuriganasSpellings) {
  const std::optional<RecognizedValue> name = name_read_as("高橋　陽子", "タカハシ　ヨウコ", "曽橋了子", [](std::vector<ocr::Glyph>& g) {
    if (g.size() == 4) g[0].box = g[1].box = ocr::Box{};
  });
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->value, "高橋　陽子");
  EXPECT_LT(name->confidence, 0.9);
}

// An officer's furigana one kana from a reading of the name beside it is mended where the ink
// bears the reading's kana out (ワ read リ beside 小川); the same misreading beside a name it is not
// one kana from (小山: オヤマ) stays, and so does a furigana the name reads.
TEST(FuriganaByName, AKanaTheNameReadsIsTakenWhereTheInkBearsItOut) {
  struct Case {
    const char* drawn;  // the furigana on the page
    const char* read;   // what the engine reads there
    const char* name;   // the name beside it, as read
    const char* want;
  };
  for (const Case& k : {Case{"オガワ　クミコ", "オガリ　クミコ", "小川　久美子", "オガワ　クミコ"},
                        Case{"オガワ　クミコ", "オガリ　クミコ", "小山　久美子", "オガリ　クミコ"},
                        Case{"オガワ　クミコ", "オガワ　クミコ", "小川　久美子", "オガワ　クミコ"}}) {
    const ocr::Image page = page_with_text({{k.drawn, {60, 200}, 60}, {k.name, {620, 200}, 60}});
    ASSERT_FALSE(page.empty());
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      return reading_by_cells(img, spec.whitelist.empty() ? k.name : k.read, 60);
    });
    const FieldTemplate f = one_officer_row();
    const std::vector<RecognizedValue> out = read_one(page, engine, "officers", f);
    const auto kana = std::find_if(out.begin(), out.end(), [](const RecognizedValue& v) { return v.key == "officers.rows[0].name_kana"; });
    ASSERT_NE(kana, out.end());
    EXPECT_EQ(kana->value, k.want) << k.read << " beside " << k.name;
    if (std::string(k.read) != k.want) {
      EXPECT_LT(kana->confidence, 0.9);
    }
  }
}

// A furigana field the template ties to a name field (an account holder's) is checked by the
// name's last two parts the same way: キヨン beside 橋本　清 is キヨシ where the ink bears out シ.
TEST(FuriganaByName, AnAccountHoldersFuriganaIsCheckedByTheHoldersName) {
  const ocr::Image page = page_with_text({{"ハシモト　キヨシ", {60, 120}, 60}, {"橋本　清", {60, 280}, 60}});
  ASSERT_FALSE(page.empty());
  ocr::FakeEngine engine;
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
    return reading_by_cells(img, spec.whitelist.empty() ? "橋本　清" : "ハシモト　キヨン", 60);
  });
  FormTemplate t;
  t.kind = "application";
  FieldTemplate kana = field("bank.holder_kana", "kana");
  kana.zone = {2, 2, 95, 12};
  kana.furigana_of = "bank.holder";
  FieldTemplate name = field("bank.holder", "text");
  name.zone = {2, 16, 95, 12};
  t.fields = {kana, name};
  const station::FixedClock clock(std::chrono::sys_days{std::chrono::year{2025} / 6 / 1});
  const station::recognition::detail::PageContext c{page, 0, nullptr, engine, clock};
  int row = 0;
  std::vector<RecognizedValue> out;
  station::recognition::detail::read_form(t, c, row, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].value, "ハシモト　キヨシ");
  EXPECT_LT(out[0].confidence, 0.9);
}

// Where the two models read an officer's name differently, the reading its furigana reads is
// taken, though the dictionary finds the other more plausible (a lone given name one model
// dropped); where the furigana reads neither, the dictionary's choice stands. The value is for the
// clerk to confirm either way.
TEST(NameByFurigana, TheFuriganaChoosesBetweenTheModelsReadings) {
  struct Case {
    const char* first;   // the first model's reading
    const char* second;  // the second model's
    const char* kana;
    const char* want;
  };
  for (const Case& k : {Case{"松本", "松本　綾", "マツモト　アヤ", "松本　綾"}, Case{"松本　綾", "松本", "マツモト　アヤ", "松本　綾"},
                        Case{"松本", "松本　綾", "ヤマダ　タロウ", "松本"}}) {
    const ocr::Image page = page_with("123456789012", false);  // ink in both columns
    ocr::FakeEngine engine;
    engine.set_languages({"jpn", ocr::kSecondJapaneseModel});
    engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      if (!spec.whitelist.empty()) return ocr::FakeEngine::reading(k.kana, 0.95);  // the furigana column
      return ocr::FakeEngine::reading(spec.languages == ocr::kSecondJapaneseModel ? k.second : k.first, 0.95);
    });
    const FieldTemplate f = one_officer_row();
    const std::vector<RecognizedValue> out = read_one(page, engine, "officers", f);
    const auto name = std::find_if(out.begin(), out.end(), [](const RecognizedValue& v) { return v.key == "officers.rows[0].name"; });
    ASSERT_NE(name, out.end());
    EXPECT_EQ(name->value, k.want) << k.first << " / " << k.second;
    EXPECT_LT(name->confidence, 0.9);
  }
}

// Where the two models read a name with different kanji at one place (智子 and 知子, both read トモコ),
// the glyph classifier votes between them on the first model's glyph: the dictionary, which would
// keep the commoner spelling, does not decide.
TEST(NameByFurigana, TheInkChoosesBetweenTheModelsKanji) {
  for (const char* drawn : {"清水　智子", "清水　知子"}) {
    const ocr::Image page = page_with_text({{"シミズ　トモコ", {60, 200}, 60}, {drawn, {620, 230}, 110}});
    ASSERT_FALSE(page.empty());
    ocr::FakeEngine engine;
    engine.set_languages({"jpn", ocr::kSecondJapaneseModel});
    const std::string other = std::string(drawn) == "清水　智子" ? "清水　知子" : "清水　智子";
    engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      if (!spec.whitelist.empty()) return reading_by_cells(img, "シミズ　トモコ", 60);
      // The first model reads what is drawn, glyph by glyph; the second the other spelling.
      if (spec.languages == ocr::kSecondJapaneseModel) return ocr::FakeEngine::reading(other, 0.95);
      return reading_by_cells(img, drawn, 110);
    });
    const FieldTemplate f = one_officer_row();
    const std::vector<RecognizedValue> out = read_one(page, engine, "officers", f);
    const auto name = std::find_if(out.begin(), out.end(), [](const RecognizedValue& v) { return v.key == "officers.rows[0].name"; });
    ASSERT_NE(name, out.end());
    EXPECT_EQ(name->value, drawn);
    EXPECT_LT(name->confidence, 0.9);
  }
}

// A line of ink the engine returns nothing for is read again: larger, with its strokes thinned,
// and as a raw line — whichever gives text first — and the value is not certain.
TEST(EmptyReading, ALineTheEngineRejectsIsReadThinnedOrAsARawLine) {
  for (const bool raw : {false, true}) {
    const ocr::Image page = page_with("12", false);
    ocr::FakeEngine engine;
    int tries = 0;
    engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      ++tries;
      const bool reads = raw ? spec.layout == ocr::ZoneLayout::kRawLine : spec.thin_strokes_px > 0;
      return ocr::FakeEngine::reading(reads ? "理事" : "", reads ? 0.95 : 0.0);
    });
    const std::vector<RecognizedValue> out = read_one(page, engine, "officers", field("officers.title", "text"));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].value, "理事") << (raw ? "raw line" : "thinned");
    EXPECT_LT(out[0].confidence, 0.9);
    EXPECT_GT(tries, 2);
  }
}

// A page with a round postmark about 28 mm across and `date` drawn on its middle line (between two
// bars, with `bars`).
ocr::Image postmark_page(const std::string& date, bool bars) {
  cv::Mat m(1181, 1181, CV_8UC1, cv::Scalar(248));
  cv::circle(m, {590, 590}, 165, cv::Scalar(20), 5, cv::LINE_AA);
  if (bars) {
    cv::line(m, {440, 540}, {740, 540}, cv::Scalar(20), 4);
    cv::line(m, {440, 640}, {740, 640}, cv::Scalar(20), 4);
  }
  int x = 478;
  for (const char ch : date) {
    int base = 0;
    const cv::Size sz = cv::getTextSize(std::string(1, ch), cv::FONT_HERSHEY_SIMPLEX, 1.3, 4, &base);
    cv::putText(m, std::string(1, ch), {x, 612}, cv::FONT_HERSHEY_SIMPLEX, 1.3, cv::Scalar(15), 4, cv::LINE_AA);
    x += sz.width + 8;
  }
  auto page = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, kDpi);
  EXPECT_TRUE(page.has_value());
  return page ? *page : ocr::Image{};
}

// The envelope's postmark as read with `engine` on a September 2025 clock.
std::vector<RecognizedValue> read_postmark(const ocr::Image& page, ocr::Engine& engine) {
  FormTemplate t;
  t.kind = "envelope";
  FieldTemplate f;
  f.key = "envelope.postmark_date";
  f.type = "postmark";
  f.zone = {0, 0, 100, 100};
  t.fields.push_back(f);
  const station::FixedClock clock(std::chrono::sys_days{std::chrono::year{2025} / 9 / 1});
  const station::recognition::detail::PageContext c{page, 0, nullptr, engine, clock};
  std::vector<RecognizedValue> out;
  station::recognition::detail::read_envelope(t, c, out);
  return out;
}

// A round postmark's date digits are voted by the classifier on their own boxes: a stamp's 8 the
// engine read 6 is an 8, the date then for the clerk to confirm.
TEST(ZeroVote, APostmarksDigitsAreVotedToo) {
  const ocr::Image page = postmark_page("7.8.22", true);
  ocr::FakeEngine engine;
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
    if (spec.whitelist.empty()) return ocr::FakeEngine::reading("", 0.0);
    return reading_with_boxes(img, "7.6.22");
  });
  const std::vector<RecognizedValue> out = read_postmark(page, engine);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "2025-08-22");
  EXPECT_LT(out[0].confidence, 0.9);
}

// A clean date line the engine reads with its dots lost and its 7s as 1s ("7.7.7" read 711, a
// date in January) is read again by its own ink: digits by the classifier, dots by their size
// and place at the line's foot. The reading that found both dots is the date, for the clerk to
// confirm.
TEST(ZeroVote, APostmarkLineIsReadByItsOwnInkWhereTheEngineLostItsDots) {
  const ocr::Image page = postmark_page("7.7.7", false);
  ocr::FakeEngine engine;
  engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
    return ocr::FakeEngine::reading(spec.whitelist.empty() ? "" : "711", 0.93);
  });
  const std::vector<RecognizedValue> out = read_postmark(page, engine);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "2025-07-07");
  EXPECT_LT(out[0].confidence, 0.9);
}

// A postmark's date line whose digits the classifier doubts is spelt in its grammar from each
// digit's vote and runner-up: day 51 (a stamp's 3 that lost a stroke, voted 5 with 3 behind) is
// 31. Not where two dates have votes behind them alike (18 or 15), nor where no choice is a date.
TEST(ZeroVote, APostmarkLineTheClassifierDoubtsIsSpeltInItsGrammar) {
  const auto vote = [](char digit, double share, char second = '?', double second_share = 0) {
    ocr::DigitVote v;
    v.digit = digit, v.share = share, v.second = second, v.second_share = second_share;
    return v;
  };
  using station::recognition::detail::spell_date_line;
  double weight = 0;
  const auto day = spell_date_line("d.d.dd", {vote('7', 1), vote('5', 1), vote('5', 0.71, '3', 0.29), vote('1', 1)}, 8, weight);
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(*day, "7.5.31");
  EXPECT_DOUBLE_EQ(weight, 0.29);
  // The month 0 or 1, one vote each: only 1 is a month.
  EXPECT_EQ(spell_date_line("d.d.dd", {vote('7', 1), vote('0', 0.43, '1', 0.43), vote('1', 1), vote('5', 1)}, 8, weight),
            std::optional<std::string>("7.1.15"));
  EXPECT_FALSE(spell_date_line("d.d.dd", {vote('7', 1), vote('7', 1), vote('1', 1), vote('5', 0.57, '8', 0.43)}, 8, weight));
  EXPECT_FALSE(spell_date_line("d.d.dd", {vote('7', 1), vote('5', 1), vote('5', 0.9), vote('1', 1)}, 8, weight));
  // A year after max_year is no date: 9 read for 7 with 7 behind it is 7.
  EXPECT_EQ(spell_date_line("d.d.d", {vote('9', 0.6, '7', 0.4), vote('5', 1), vote('4', 1)}, 8, weight),
            std::optional<std::string>("7.5.4"));
}

// A form's date (令和 7 年 9 月 28 日) read part by part in zones around where its digits should be,
// and as one line with the printed 年, 月 and 日 between them. `zone_reads` are what the engine
// reads in the year, month and day zones, `line` what it reads on the line.
RecognizedValue read_form_date(const std::array<std::string, 3>& zone_reads, const std::string& line) {
  const ocr::Image page = page_with_text({{"7 年 9 月 28 日", {120, 230}, 90}});
  EXPECT_FALSE(page.empty());
  ocr::FakeEngine engine;
  int part = 0;
  engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
    if (spec.whitelist.find("年") != std::string::npos) return ocr::FakeEngine::reading(line, 0.5);
    return ocr::FakeEngine::reading(zone_reads[static_cast<std::size_t>(std::min(part++, 2))], 0.99);
  });
  FieldTemplate f = field("application_date", "date");
  f.era = "reiwa";
  f.parts = {{"year", {8, 5, 9, 20}}, {"month", {30, 5, 9, 20}}, {"day", {52, 5, 14, 20}}};
  const std::vector<RecognizedValue> out = read_one(page, engine, "application", f);
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? RecognizedValue{} : out[0];
}

TEST(DateLine, APartWithAStrokeOfThePrintedKanjiBesideItIsTheLines) {
  const RecognizedValue v = read_form_date({"7", "9", "281"}, "7 年 9 月 28 日");
  EXPECT_EQ(v.value, "2025-09-28");
  EXPECT_LT(v.confidence, 0.9);
}

TEST(DateLine, APartWhoseDigitTheZoneCutOffIsTheLines) {
  const RecognizedValue v = read_form_date({"7", "9", "8"}, "7 年 9 月 28 日");
  EXPECT_EQ(v.value, "2025-09-28");
  EXPECT_LT(v.confidence, 0.9);
}

TEST(DateLine, OtherDisagreementsLeaveTheZonesReadingForTheClerk) {
  const RecognizedValue v = read_form_date({"7", "9", "28"}, "7 年 9 月 26 日");
  EXPECT_EQ(v.value, "2025-09-28");
  EXPECT_LT(v.confidence, 0.9);
  // An out-of-range part stays as it was where the line disagrees with the zones elsewhere.
  const RecognizedValue w = read_form_date({"7", "9", "58"}, "7 年 8 月 26 日");
  EXPECT_LT(w.confidence, 0.9);
  EXPECT_NE(w.value, "2025-08-26");
  EXPECT_NE(w.value, "2025-09-26");
}

// A day the zone read impossible (its 2 cut off and the 日's first stroke taken: 28 read "84") is
// the line's where the line agrees with the zones on every part both read, even a line that lost
// the year's digit before 年; never certain.
TEST(DateLine, AnImpossiblePartIsTheLinesWhereTheLineAgreesElsewhere) {
  const RecognizedValue v = read_form_date({"7", "9", "84"}, "7 年 9 月 28 日");
  EXPECT_EQ(v.value, "2025-09-28");
  EXPECT_LT(v.confidence, 0.9);
  const RecognizedValue w = read_form_date({"7", "9", "84"}, "年 9 月 28 日");
  EXPECT_EQ(w.value, "2025-09-28");
  EXPECT_LT(w.confidence, 0.9);
  // Unless the zone's digits less the kanji's stroke at an end hold the line's and more: the line
  // lost a digit (a slashed zero) the zone kept.
  const RecognizedValue x = read_form_date({"7", "9", "205"}, "7 年 9 月 2 日");
  EXPECT_EQ(x.value, "2025-09-20");
  EXPECT_LT(x.confidence, 0.9);
}

// A day zone reaching over the printed 日 reads its first stroke as a digit ("11" for 1). The line,
// read with the kanji, places the 日: a zone's character lying on it is the kanji's stroke and
// left out; where the zone's characters are not placed, the zone reaching over the kanji makes
// the line's part, the zone's less its last digit, the day. Either way the clerk confirms.
TEST(DateLine, AZonesCharacterOnAPrintedKanjiTheLineFoundIsTheKanjisStroke) {
  const ocr::Image page = page_with_text({{"7 年 9 月 1 日", {120, 230}, 90}});
  ASSERT_FALSE(page.empty());
  const std::vector<std::pair<int, int>> at = merged_runs(ink_runs(page), 12);  // 7 年 9 月 1 日
  ASSERT_EQ(at.size(), 6u);
  const double mm = kDpi / 25.4;
  const auto zone_mm = [&](int x0, int x1) { return std::pair{x0 / mm, (x1 - x0) / mm}; };  // left and width
  // Zones around each part's digit, the day's reaching 40 % into the 日.
  const auto year = zone_mm(at[0].first - 15, at[0].second + 15), month = zone_mm(at[2].first - 15, at[2].second + 15);
  const auto day = zone_mm(at[4].first - 15, at[5].first + (at[5].second - at[5].first) * 2 / 5);
  for (const bool placed : {true, false}) {
    ocr::FakeEngine engine;
    int part = 0;
    engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      const InkRuns ink = ink_runs(img);
      if (spec.whitelist.find("年") != std::string::npos) {
        ocr::Reading r = ocr::FakeEngine::reading("7年9月1日", 0.9);
        const std::vector<std::pair<int, int>> chars = merged_runs(ink, 12);
        const char* const texts[] = {"7", "年", "9", "月", "1", "日"};
        for (std::size_t i = 0; i < chars.size() && i < 6; ++i)
          r.glyphs.push_back({texts[i], 0.9, ink.box(chars[i].first, chars[i].second), {}});
        return r;
      }
      const char* const texts[] = {"7", "9", "11"};
      const std::string text = texts[std::min(part++, 2)];
      if (!placed || text != "11") return ocr::FakeEngine::reading(text, 0.99);
      const std::vector<std::pair<int, int>> chars = merged_runs(ink, 12);
      EXPECT_EQ(chars.size(), 2u) << "the day zone holds the 1 and a part of the 日";
      ocr::Reading r = ocr::FakeEngine::reading(text, 0.99);
      for (std::size_t i = 0; i < chars.size() && i < 2; ++i)
        r.glyphs.push_back({"1", 0.99, ink.box(chars[i].first, chars[i].second), {}});
      return r;
    });
    FieldTemplate f = field("application_date", "date");
    f.era = "reiwa";
    const double top = 120 / mm, height = 140 / mm;
    f.parts = {{"year", {year.first, top, year.second, height}},
               {"month", {month.first, top, month.second, height}},
               {"day", {day.first, top, day.second, height}}};
    const std::vector<RecognizedValue> out = read_one(page, engine, "application", f);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].value, "2025-09-01") << (placed ? "placed" : "not placed");
    EXPECT_LT(out[0].confidence, 0.9);
  }
}

TEST(DateLine, AgreementKeepsTheZonesConfidence) {
  const RecognizedValue v = read_form_date({"7", "9", "28"}, "7 年 9 月 28 日");
  EXPECT_EQ(v.value, "2025-09-28");
  EXPECT_GE(v.confidence, 0.9);
}

}  // namespace

// A digit the engine dropped inside another's box ("1580000" read 580000, the 5's box reaching
// back over the 1): the box is far wider than the line's digits, its glyph-sized columns of ink
// are each a digit, classified; the value is for the clerk to confirm. A box of the usual width
// is left as read.
TEST(WideDigitBox, TheDigitsItsInkHoldsAreRead) {
  const ocr::Image page = page_with("1580000", false);
  for (const bool wide : {true, false}) {
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      const InkRuns ink = ink_runs(img);
      EXPECT_EQ(ink.runs.size(), 7u);
      ocr::Reading r = ocr::FakeEngine::reading(wide ? "580000" : "1580000", 0.95);
      if (ink.runs.size() != 7) return r;
      if (wide) r.glyphs.push_back({"5", 0.95, ink.box(ink.runs[0].first, ink.runs[1].second), {}});
      for (std::size_t i = wide ? 2 : 0; i < 7; ++i) {
        const auto [x0, x1] = ink.runs[i];
        r.glyphs.push_back({std::string(1, "1580000"[i]), 0.95, ink.box(x0, x1), {}});
      }
      return r;
    });
    const std::vector<RecognizedValue> out = read_one(page, engine, "application", field("amount", "amount"));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].value, "1580000") << (wide ? "wide" : "as read");
    if (wide) {
      EXPECT_LT(out[0].confidence, 0.9);
      ASSERT_EQ(out[0].chars.size(), 7u);
      EXPECT_EQ(out[0].chars[0].text, "1");
      EXPECT_LT(out[0].chars[0].box.x + out[0].chars[0].box.w, out[0].chars[1].box.x);
    } else {
      EXPECT_GT(out[0].confidence, 0.9);
    }
  }
}

// The same with a comma between the dropped digit and the next, a mincho 1 standing narrow in the
// middle of its width ("1,400,000" read 400,000, the 4's box reaching back over the "1,"): the two
// digits stand nearly two digits' widths apart with the comma between them, and are still read.
TEST(WideDigitBox, ADigitDroppedBeforeACommaIsRead) {
  cv::Mat m(354, 1181, CV_8UC1, cv::Scalar(248));
  // Where each character is drawn (x of its left edge).
  const std::vector<std::pair<std::string, int>> drawn = {{"1", 180}, {",", 245}, {"4", 300}, {"0", 390}, {"0", 480}};
  for (const auto& [ch, x] : drawn) cv::putText(m, ch, {x, 220}, cv::FONT_HERSHEY_SIMPLEX, 3.0, cv::Scalar(15), 6, cv::LINE_AA);
  auto page = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, kDpi);
  ASSERT_TRUE(page.has_value());
  ocr::FakeEngine engine;
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
    const InkRuns ink = ink_runs(img);
    EXPECT_EQ(ink.runs.size(), 5u);
    ocr::Reading r = ocr::FakeEngine::reading("400", 0.95);
    if (ink.runs.size() != 5) return r;
    r.glyphs.push_back({"4", 0.95, ink.box(ink.runs[0].first, ink.runs[2].second), {}});
    r.glyphs.push_back({"0", 0.95, ink.box(ink.runs[3].first, ink.runs[3].second), {}});
    r.glyphs.push_back({"0", 0.95, ink.box(ink.runs[4].first, ink.runs[4].second), {}});
    return r;
  });
  const std::vector<RecognizedValue> out = read_one(*page, engine, "application", field("amount", "amount"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "1400");
  EXPECT_LT(out[0].confidence, 0.9);
}

// One digit's ink read twice (a slashed zero read as a sliver of it and as the whole of it, "50000"
// read 500000): of two digit boxes starting at the same column over the ink of one character, the
// narrower goes and the value is for the clerk to confirm. Two zeros each over its own ink stay.
TEST(StrayDigits, OneCharactersInkReadTwiceIsOneDigit) {
  for (const bool twice : {true, false}) {
    const std::string drawn = twice ? "50000" : "500000";
    const ocr::Image page = page_with(drawn, false);
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      const InkRuns ink = ink_runs(img);
      EXPECT_EQ(ink.runs.size(), drawn.size());
      ocr::Reading r = ocr::FakeEngine::reading("500000", 0.95);
      if (ink.runs.size() != drawn.size()) return r;
      for (std::size_t i = 0; i < drawn.size(); ++i) {
        const auto [x0, x1] = ink.runs[i];
        if (twice && i == 1) r.glyphs.push_back({"0", 0.9, ink.box(x0, x0 + (x1 - x0) * 2 / 5), {}});
        r.glyphs.push_back({std::string(1, drawn[i]), 0.95, ink.box(x0, x1), {}});
      }
      return r;
    });
    const std::vector<RecognizedValue> out = read_one(page, engine, "application", field("amount", "amount"));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].value, drawn);
    if (twice)
      EXPECT_LT(out[0].confidence, 0.9);
    else
      EXPECT_GT(out[0].confidence, 0.9);
  }
}

// One digit read as two others ("304000" read 5304000: a 5 over all of the 3's ink and a 3 over its
// right half): of two digit boxes the narrower of which lies over the wider by more than half its
// width, over the ink of one character, the one the classifier does not see goes; for the clerk.
TEST(StrayDigits, ADigitReadOverTheWholeOfAnothersInkGoes) {
  const std::string drawn = "304000";
  const ocr::Image page = page_with(drawn, false);
  ocr::FakeEngine engine;
  engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
    const InkRuns ink = ink_runs(img);
    EXPECT_EQ(ink.runs.size(), drawn.size());
    ocr::Reading r = ocr::FakeEngine::reading("5304000", 0.95);
    if (ink.runs.size() != drawn.size()) return r;
    for (std::size_t i = 0; i < drawn.size(); ++i) {
      const auto [x0, x1] = ink.runs[i];
      if (i == 0) {
        r.glyphs.push_back({"5", 0.96, ink.box(x0, x1), {}});
        r.glyphs.push_back({"3", 0.98, ink.box(x0 + (x1 - x0) / 2, x1), {}});
        continue;
      }
      r.glyphs.push_back({std::string(1, drawn[i]), 0.95, ink.box(x0, x1), {}});
    }
    return r;
  });
  const std::vector<RecognizedValue> out = read_one(page, engine, "application", field("amount", "amount"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, drawn);
  EXPECT_LT(out[0].confidence, 0.9);
}

// A label's ink left in a number's zone, far before the number, which the character set made a
// digit the engine was unsure of (電話 read 0), is no part of the number; the value is for the clerk
// to confirm. Read as surely as the digits, it stays (the engine's word against the gap).
TEST(StrayDigits, ABarelyReadGlyphFarBeforeTheNumberIsNotPartOfIt) {
  cv::Mat m(354, 1181, CV_8UC1, cv::Scalar(248));
  cv::putText(m, "T", {130, 220}, cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar(15), 5, cv::LINE_AA);
  int x = 420;
  for (char d : std::string("120000")) {
    int base = 0;
    const cv::Size sz = cv::getTextSize(std::string(1, d), cv::FONT_HERSHEY_SIMPLEX, 3.0, 6, &base);
    cv::putText(m, std::string(1, d), {x, 220}, cv::FONT_HERSHEY_SIMPLEX, 3.0, cv::Scalar(15), 6, cv::LINE_AA);
    x += sz.width + 24;
  }
  const auto page = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, kDpi);
  ASSERT_TRUE(page.has_value());
  for (const double label_confidence : {0.2, 0.95}) {
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image& img, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      const InkRuns ink = ink_runs(img);
      EXPECT_EQ(ink.runs.size(), 7u);
      ocr::Reading r = ocr::FakeEngine::reading("0120000", 0.2);
      if (ink.runs.size() != 7) return r;
      for (std::size_t i = 0; i < 7; ++i) {
        const auto [x0, x1] = ink.runs[i];
        r.glyphs.push_back({std::string(1, "0120000"[i]), i == 0 ? label_confidence : 0.95, ink.box(x0, x1), {}});
      }
      return r;
    });
    const std::vector<RecognizedValue> out = read_one(*page, engine, "application", field("amount", "amount"));
    ASSERT_EQ(out.size(), 1u);
    if (label_confidence < 0.5) {
      EXPECT_EQ(out[0].value, "120000");
      EXPECT_LT(out[0].confidence, 0.9);
      EXPECT_GT(out[0].confidence, 0.5);  // the number's own digits were read surely
    } else {
      EXPECT_EQ(out[0].value.size(), 7u) << out[0].value;  // its glyph kept, as whatever digit its ink is
    }
  }
}

// Where the two models read one character of free text apart and the compiled table knows which of
// them misreads it, the other model's reading is taken, whichever the dictionary prefers, for the
// clerk to confirm.
TEST(ModelPairsInReading, TheModelKnownRightAboutTheCharacterIsTaken) {
  const auto& table = station::recognition::model_pair_table();
  // Kanji (not digits, which the digit vote then checks on the ink, nor marks).
  const auto han = [](const std::string& ch) {
    if (ch.size() != 3) return false;
    const auto b = [&](std::size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(ch[i])); };
    const unsigned cp = ((b(0) & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    return cp >= 0x4E00 && cp <= 0x9FFF;
  };
  // One the dictionary alone would get wrong within a facility's name: the table then decides.
  const std::string before = "ケア", after = "ホーム";
  const auto believed = [](const station::recognition::ModelPair& p) { return station::recognition::believed_model(p.first, p.second); };
  const auto decisive = std::find_if(table.begin(), table.end(), [&](const station::recognition::ModelPair& p) {
    if (!han(p.first) || !han(p.second) || believed(p) == station::recognition::Believe::kUnknown) return false;
    const std::string a = before + p.first + after, b = before + p.second + after;
    return ocr::more_plausible(a, b) != (believed(p) == station::recognition::Believe::kFirst ? a : b);
  });
  ASSERT_NE(decisive, table.end()) << "the compiled table (model_pairs_table.inc) decides no pair of kanji the dictionary does not";
  const std::string a = before + decisive->first + after, b = before + decisive->second + after;
  const ocr::Image page = page_with("1234", false);
  ocr::FakeEngine engine;
  engine.set_languages({"jpn", ocr::kSecondJapaneseModel});
  engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
    return ocr::FakeEngine::reading(spec.languages == ocr::kSecondJapaneseModel ? b : a, 0.95);
  });
  const std::vector<RecognizedValue> out = read_one(page, engine, "application", field("facility.name", "text"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, believed(*decisive) == station::recognition::Believe::kFirst ? a : b)
      << decisive->first << " / " << decisive->second;
  EXPECT_LT(out[0].confidence, 0.9);
}
