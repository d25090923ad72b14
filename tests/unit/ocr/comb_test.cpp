// read_comb_row on synthetic rows and on the real application pages of the samples.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

#include "digits_impl.h"
#include "ocr/comb.h"
#include "ocr/engine.h"
#include "test_util.h"

namespace {

using ocr_test::read_file;
using ocr_test::shared_dir;

ocr::Engine& engine() {
  static auto e = ocr::make_tesseract_engine();
  EXPECT_TRUE(e.has_value()) << (e ? "" : e.error().message);
  return **e;
}

// The search region the station uses for 介護保険事業所番号 on 様式第1号.
ocr::Box jigyosho_region(int dpi) {
  auto px = [&](double mm) { return static_cast<int>(std::lround(mm / 25.4 * dpi)); };
  return {px(40), px(165), px(100), px(30)};
}

// A4 page with a 10-cell comb row at the form's place, digits drawn in, rotated by `degrees` and
// scaled by `scale` about the page centre; `bilevel` thresholds it as a fax-mode scanner would;
// `dust` puts a dot of dust of `dust` px radius off the lower right corner of each zero.
ocr::Image synthetic_page(int dpi, double degrees, const std::string& digits, double scale_page = 1.0,
                          bool bilevel = false, int dust = 0) {
  auto px = [&](double mm) { return static_cast<int>(std::lround(mm / 25.4 * dpi)); };
  cv::Mat page(px(297), px(210), CV_8UC1, cv::Scalar(255));
  const int lw = std::max(1, dpi / 150);
  const int x0 = px(54), y0 = px(178), cw = px(6.96), ch = px(7.1);
  // Some table context: the row's own ruling and a label.
  cv::line(page, {px(15), y0 - px(0.8)}, {px(195), y0 - px(0.8)}, 0, lw);
  cv::line(page, {px(15), y0 + ch + px(1.2)}, {px(195), y0 + ch + px(1.2)}, 0, lw);
  cv::line(page, {px(52), y0 - px(10)}, {px(52), y0 + ch + px(10)}, 0, lw);
  cv::rectangle(page, {x0, y0}, {x0 + 10 * cw, y0 + ch}, 0, lw);
  for (int k = 1; k < 10; ++k) cv::line(page, {x0 + k * cw, y0}, {x0 + k * cw, y0 + ch}, 0, lw);
  const double scale = dpi / 200.0 * 1.1;
  for (std::size_t k = 0; k < digits.size() && k < 10; ++k) {
    if (digits[k] == ' ') continue;
    cv::putText(page, std::string(1, digits[k]),
                {x0 + static_cast<int>(k) * cw + cw / 4, y0 + ch - ch / 4}, cv::FONT_HERSHEY_SIMPLEX, scale, 0,
                std::max(2, dpi / 80), cv::LINE_AA);
    if (dust > 0 && digits[k] == '0') {
      int base = 0;
      const cv::Size sz = cv::getTextSize("0", cv::FONT_HERSHEY_SIMPLEX, scale, std::max(2, dpi / 80), &base);
      cv::circle(page, {x0 + static_cast<int>(k) * cw + cw / 4 + sz.width + 4 + dust, y0 + ch - ch / 4 + 4 + dust}, dust, 0,
                 cv::FILLED, cv::LINE_AA);
    }
  }
  cv::Mat rotated;
  cv::warpAffine(page, rotated,
                 cv::getRotationMatrix2D({page.cols / 2.0f, page.rows / 2.0f}, degrees, scale_page), page.size(),
                 cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255));
  if (bilevel) cv::threshold(rotated, rotated, 160, 255, cv::THRESH_BINARY);
  auto img = ocr::Image::from_pixels(rotated.cols, rotated.rows, 1,
                                     {rotated.data, rotated.total()}, dpi);
  EXPECT_TRUE(img.has_value());
  return *img;
}

// dpi, skew in degrees, scale, black-and-white.
class SyntheticComb : public ::testing::TestWithParam<std::tuple<int, double, double, bool>> {};

TEST_P(SyntheticComb, FindsAndReadsTheRow) {
  const auto [dpi, degrees, scale, bilevel] = GetParam();
  const std::string digits = "1270754284";
  const ocr::Image page = synthetic_page(dpi, degrees, digits, scale, bilevel);
  auto r = ocr::read_comb_row(page, jigyosho_region(dpi), 10, "0123456789", engine());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->text, digits);
  EXPECT_EQ(r->filled, 10);
  EXPECT_GT(r->confidence, 0.5);
  ASSERT_EQ(r->confidences.size(), 10u);
  // The row sits at x 54 mm, y 178 mm, 69.6 mm wide.
  const double mm = dpi / 25.4;
  EXPECT_NEAR(r->box.x / mm, 105 + (54 - 105) * scale, 2.5);
  EXPECT_NEAR(r->box.y / mm, 148.5 + (178 - 148.5) * scale, 2.5);
  EXPECT_NEAR(r->box.w / mm, 69.6 * scale, 3);
}

INSTANTIATE_TEST_SUITE_P(DpiAndSkew, SyntheticComb,
                         ::testing::Values(std::make_tuple(200, 0.0, 1.0, false), std::make_tuple(200, 1.0, 1.0, false),
                                           std::make_tuple(300, -1.0, 1.0, false), std::make_tuple(300, 1.5, 1.0, false),
                                           std::make_tuple(300, 1.0, 0.97, false), std::make_tuple(200, -1.0, 0.97, true),
                                           std::make_tuple(200, 2.0, 1.0, true)));

TEST(Comb, EmptyCellsAreNotRead) {
  const ocr::Image page = synthetic_page(300, 0.5, "12 4      ");
  auto r = ocr::read_comb_row(page, jigyosho_region(300), 10, "0123456789", engine());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->filled, 3);
  EXPECT_EQ(r->text, "12 4      ");
  EXPECT_EQ(r->confidences[2], 0.0);
  EXPECT_EQ(r->confidences[9], 0.0);
}

// A dot of dust by a digit, off a corner of its strokes, is not part of its shape: the zeros stay
// zeros (read with the dust, the classifier took one for a 4 and overruled the engine).
TEST(Comb, DustOffACornerOfADigitIsNotPartOfIt) {
  const std::string digits = "1200345600";
  for (const int radius : {3, 4}) {
    const ocr::Image page = synthetic_page(300, 0.0, digits, 1.0, false, radius);
    auto r = ocr::read_comb_row(page, jigyosho_region(300), 10, "0123456789", engine());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->text, digits) << "dust of radius " << radius;
  }
}

// What a black-and-white scan leaves in a comb cell: a thin bar of the comb's ruling across most of
// the cell, which the line removal's long opening misses (a 1 over it read 5), and dots of dust
// beside a 1 or under a 2's foot, larger than a speck (both read 4 by the classifier). The cell's
// clean-up keeps the digit alone; a dotted zero keeps its dot, however small beside its ring (taken
// for dust, the zero left was read 6), and a 5 whose bar a faint scan broke off keeps the bar.
TEST(Comb, RulingRemnantsAndDotsBesideADigitAreNotPartOfIt) {
  const int min_area = 9;  // 0.25 mm² at 300 dpi
  auto cell = [] { return cv::Mat(cv::Mat::zeros(70, 60, CV_8UC1)); };
  auto kept = [&](const cv::Mat& ink, cv::Point at) { return ocr::detail::clean_cell(ink, min_area).at<unsigned char>(at) != 0; };
  // The digit's strokes: a 1 (a stem), a 2 (drawn with polylines), a zero (an ellipse).
  const auto one = [](cv::Mat& m) { cv::line(m, {30, 15}, {30, 50}, 255, 4); };
  {
    cv::Mat m = cell();
    one(m);
    cv::line(m, {8, 62}, {52, 62}, 255, 2);  // the bar, 44 of 60 px wide
    cv::circle(m, {18, 33}, 3, 255, cv::FILLED);  // a dot beside the stem
    EXPECT_FALSE(kept(m, {8, 62})) << "the ruling's bar is kept";
    EXPECT_FALSE(kept(m, {18, 33})) << "the dot beside the 1 is kept";
    EXPECT_TRUE(kept(m, {30, 30}));
  }
  {
    cv::Mat m = cell();
    const std::vector<cv::Point> two = {{20, 22}, {28, 15}, {38, 17}, {40, 27}, {20, 50}, {42, 50}};
    cv::polylines(m, two, false, 255, 4);
    cv::circle(m, {44, 58}, 4, 255, cv::FILLED);  // under the foot, within the digit's columns
    EXPECT_FALSE(kept(m, {44, 58})) << "the dot under the 2 is kept";
    EXPECT_TRUE(kept(m, {30, 50}));
  }
  {
    cv::Mat m = cell();
    cv::ellipse(m, {30, 33}, {11, 18}, 0, 0, 360, 255, 4);
    cv::circle(m, {30, 33}, 3, 255, cv::FILLED);  // a dotted zero's dot, within its box
    EXPECT_TRUE(kept(m, {30, 33})) << "the dotted zero lost its dot";
  }
  {
    cv::Mat m = cell();
    cv::line(m, {22, 15}, {40, 15}, 255, 4);  // a 5's bar, broken off its body
    cv::line(m, {22, 19}, {21, 32}, 255, 4);
    cv::ellipse(m, {30, 40}, {11, 10}, 0, -120, 160, 255, 4);
    EXPECT_TRUE(kept(m, {31, 15})) << "the 5 lost its bar";
  }
}

TEST(Comb, BlankRowHasNoFilledCells) {
  const ocr::Image page = synthetic_page(200, 0.0, "");
  auto r = ocr::read_comb_row(page, jigyosho_region(200), 10, "0123456789", engine());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->filled, 0);
  EXPECT_EQ(r->confidence, 0.0);
}

TEST(Comb, NoRowInRegionIsInvalid) {
  cv::Mat blank(2339, 1654, CV_8UC1, cv::Scalar(255));
  cv::putText(blank, "12345", {400, 1420}, cv::FONT_HERSHEY_SIMPLEX, 2.0, 0, 3);
  auto page = ocr::Image::from_pixels(blank.cols, blank.rows, 1, {blank.data, blank.total()}, 200);
  ASSERT_TRUE(page.has_value());
  auto r = ocr::read_comb_row(*page, jigyosho_region(200), 10, "0123456789", engine());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ocr::Code::kInvalid);
}

TEST(Comb, RegionOutsidePageIsInvalid) {
  const ocr::Image page = synthetic_page(200, 0.0, "1");
  auto r = ocr::read_comb_row(page, {5000, 5000, 100, 100}, 10, "0123456789", engine());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ocr::Code::kInvalid);
}

// --- the samples ------------------------------------------------------------------------------

struct SampleTruth {
  std::string application_file;
  std::string jigyosho_no;
  bool handwritten = false;
};

// Just enough JSON for truth.json (no JSON library in this module): the string after `"key":`,
// searching from `from`.
std::string json_string_after(const std::string& s, const std::string& key, std::size_t from = 0) {
  const auto k = s.find("\"" + key + "\"", from);
  if (k == std::string::npos) return {};
  const auto q1 = s.find('"', s.find(':', k) + 1);
  const auto q2 = s.find('"', q1 + 1);
  return q1 == std::string::npos || q2 == std::string::npos ? std::string{} : s.substr(q1 + 1, q2 - q1 - 1);
}

SampleTruth load_truth(const std::filesystem::path& dir) {
  const auto bytes = read_file(dir / "truth.json");
  const std::string s(bytes.begin(), bytes.end());
  SampleTruth t;
  const auto kind = s.find("\"kind\": \"application\"");
  if (kind != std::string::npos) {
    const auto file = s.rfind("\"file\"", kind);
    t.application_file = json_string_after(s, "file", file);
  }
  t.jigyosho_no = json_string_after(s, "facility.jigyosho_no");
  t.handwritten = s.find("\"handwritten\": true") != std::string::npos;
  return t;
}

TEST(CombSamples, ReadsJigyoshoNumberOnApplicationPages) {
  // Samples where the reading must be right; the others must at least not be confidently wrong.
  int typed_ok = 0, typed_n = 0, hand_ok = 0, hand_n = 0;
  for (int i = 1; i <= 16; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "app-%03d", i);
    const auto dir = shared_dir() / "samples" / id;
    if (!std::filesystem::exists(dir / "truth.json")) continue;
    const SampleTruth t = load_truth(dir);
    ASSERT_FALSE(t.application_file.empty()) << id;
    auto pages = ocr::decode_pages(read_file(dir / t.application_file));
    ASSERT_TRUE(pages.has_value()) << id << ": " << pages.error().message;
    const ocr::Image& page = pages->front();
    auto r = ocr::read_comb_row(page, jigyosho_region(page.dpi()), 10, "0123456789", engine());
    ASSERT_TRUE(r.has_value()) << id << ": " << r.error().message;
    const bool ok = r->text == t.jigyosho_no;
    (t.handwritten ? hand_n : typed_n)++;
    if (ok) (t.handwritten ? hand_ok : typed_ok)++;
    std::printf("[ comb     ] %s %-11s truth %s read %s conf %.2f %s\n", id, t.handwritten ? "handwritten" : "typed",
                t.jigyosho_no.c_str(), r->text.c_str(), r->confidence, ok ? "OK" : "WRONG");
    std::string cells;
    for (double c : r->confidences) cells += " " + std::to_string(static_cast<int>(c * 100));
    std::printf("[ comb     ]   cell confidences (%%):%s\n", cells.c_str());
    if (!ok) {
      // A wrong reading must carry a low confidence so the station sends it to a person.
      EXPECT_LT(r->confidence, 0.7) << id << " read " << r->text << " confidently, truth " << t.jigyosho_no;
    }
    if (!t.handwritten) {
      EXPECT_TRUE(ok) << id << " (typed) read " << r->text << ", truth " << t.jigyosho_no;
    } else {
      // Every handwritten digit gives a reading (a 9 the LSTM returns only without a character
      // set, or only the Japanese models see), for the clerk to confirm rather than to type.
      EXPECT_EQ(r->text.find('?'), std::string::npos) << id << " read " << r->text;
    }
  }
  std::printf("[ comb     ] accuracy: typed %d/%d, handwritten %d/%d, all %d/%d\n", typed_ok, typed_n, hand_ok,
              hand_n, typed_ok + hand_ok, typed_n + hand_n);
  RecordProperty("comb_accuracy", std::to_string(typed_ok + hand_ok) + "/" + std::to_string(typed_n + hand_n));
}

}  // namespace

// The vote between Tesseract and the digit classifier on one cell.
ocr::DigitVote vote(char digit, int of_seven) {
  ocr::DigitVote v;
  v.digit = digit;
  v.share = of_seven / 7.0;
  return v;
}

TEST(CombVote, AgreementKeepsTheHigherConfidence) {
  const ocr::CellVote v = ocr::vote_cell_digit('4', 0.7, vote('4', 7));
  EXPECT_EQ(v.digit, '4');
  EXPECT_GE(v.confidence, 0.9);
}

TEST(CombVote, AUnanimousClassifierOverrulesEvenAConfidentTesseractButIsNotCertain) {
  // A dotted zero Tesseract read as 9 with confidence: the classifier's neighbours all say 0.
  const ocr::CellVote v = ocr::vote_cell_digit('9', 0.95, vote('0', 7));
  EXPECT_EQ(v.digit, '0');
  EXPECT_EQ(v.alternative, '9');
  EXPECT_LT(v.confidence, 0.9);
  EXPECT_GT(v.confidence, 0.6);  // above a plain disagreement
}

TEST(CombVote, ADividedClassifierOnlyDoubtsAConfidentTesseract) {
  const ocr::CellVote v = ocr::vote_cell_digit('9', 0.95, vote('0', 6));
  EXPECT_EQ(v.digit, '9');
  EXPECT_EQ(v.alternative, '0');
  EXPECT_LE(v.confidence, 0.6);
  // An unsure Tesseract gives way to nearly all the neighbours.
  const ocr::CellVote unsure = ocr::vote_cell_digit('9', 0.5, vote('0', 6));
  EXPECT_EQ(unsure.digit, '0');
  EXPECT_LE(unsure.confidence, 0.6);
}

TEST(CombVote, NoClassifierLeavesTesseractAlone) {
  const ocr::CellVote v = ocr::vote_cell_digit('3', 0.8, ocr::DigitVote{});
  EXPECT_EQ(v.digit, '3');
  EXPECT_DOUBLE_EQ(v.confidence, 0.8);
}
