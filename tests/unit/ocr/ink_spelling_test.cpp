// A line spelt on its own ink against closed spellings (ocr/ink_spelling.h), on lines drawn by
// faces the glyph classifier was not trained on (TakaoPGothic, ume-pmo3, KonatuTohaba: see the
// faces digits.cpp learns from), the characters set apart as a hand sets them or closer.
#include <gtest/gtest.h>

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>

#include "ink_line.h"
#include "ocr/ink_spelling.h"
#include "text_util.h"

namespace {

std::vector<std::string> chars_of(const std::string& s) { return ocr::utf8_characters(s); }

ocr::SpellingSlot words(std::vector<std::string> w) {
  ocr::SpellingSlot s;
  s.words = std::move(w);
  return s;
}

ocr::SpellingSlot digits(int least, int most) {
  ocr::SpellingSlot s;
  s.symbols = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  s.least = least;
  s.most = most;
  return s;
}

// An address as [千葉県] + municipality + town + 丁目/番/号 number.
std::vector<ocr::SpellingSlot> address_slots() {
  return {words({"千葉県", ""}),
          words({"柏市", "旭市", "松戸市", "市川市", "館山市", "佐倉市", "成田市", "習志野市"}),
          words({"真間", "本町", "港町", "若葉", "高根台", "富士見", "中央"}),
          digits(1, 2), words({"丁目"}), digits(1, 3), words({"番"}), digits(1, 3), words({"号", ""})};
}

}  // namespace

// Each character's ink is compared with the glyphs the installed faces draw for the spelling's
// characters: of the municipalities and towns alike in shape (柏 and 旭, 本町 and 港町), the line's
// own are chosen, the digits read one by one, each character's box where it was drawn.
TEST(InkSpelling, AnAddressIsSpeltAmongItsListsInFacesTheClassifierNeverSaw) {
  int lines = 0;
  for (const char* face : {"TakaoPGothic.ttf", "ume-pmo3.ttf", "KonatuTohaba.ttf"})
    for (const std::string want : {"千葉県柏市本町2丁目30番21号", "千葉県旭市港町6丁目17番15号", "習志野市高根台1丁目8番4"}) {
      const auto drawn = station::testing::ink_line(chars_of(want), face, 40);
      if (!drawn) continue;
      ++lines;
      const auto line = ocr::InkLine::cut(drawn->image, ocr::Box{0, 0, drawn->image.width(), drawn->image.height()});
      ASSERT_TRUE(line.has_value()) << face;
      const auto spelt = line->spell(address_slots());
      ASSERT_TRUE(spelt.has_value()) << face << " " << want;
      EXPECT_EQ(spelt->text(), want) << face << " cost " << spelt->cost;
      ASSERT_EQ(spelt->boxes.size(), drawn->boxes.size()) << face << " " << want;
      for (std::size_t i = 0; i < spelt->boxes.size(); ++i) {
        const ocr::Box& b = spelt->boxes[i];
        const ocr::Box& d = drawn->boxes[i];
        EXPECT_GE(b.x, d.x) << face << " " << want << " character " << i;
        EXPECT_LE(b.x + b.w, d.x + d.w) << face << " " << want << " character " << i;
      }
    }
  EXPECT_GT(lines, 0) << "the Japanese fonts are installed by hardware/deploy/install-deps.sh";
}

// A line that is none of the spellings is still spelt by the nearest (the slots say what it may
// be, not whether it is), but at a cost well above a line that is one.
TEST(InkSpelling, ALineThatIsNoneOfTheSpellingsCostsMore) {
  const auto address = station::testing::ink_line(chars_of("千葉県柏市本町2丁目30番21号"), "TakaoPGothic.ttf", 40);
  const auto other = station::testing::ink_line(chars_of("医療法人社団青葉会監事"), "TakaoPGothic.ttf", 40);
  ASSERT_FALSE(!address || !other) << "TakaoPGothic.ttf (fonts-takao-gothic) is not installed: hardware/deploy/install-deps.sh installs it";
  const auto a = ocr::InkLine::cut(address->image, ocr::Box{0, 0, address->image.width(), address->image.height()});
  const auto o = ocr::InkLine::cut(other->image, ocr::Box{0, 0, other->image.width(), other->image.height()});
  ASSERT_TRUE(a && o);
  const auto right = a->spell(address_slots());
  const auto wrong = o->spell(address_slots());
  ASSERT_TRUE(right.has_value());
  if (wrong) {
    EXPECT_GT(wrong->cost, right->cost + 0.5) << wrong->text();
  }
}

// A run's characters are each the symbol nearest their ink; digits whose ink touches (one
// component) are cut where they may meet; a line with fewer pieces than a spelling needs is not
// spelt by it.
TEST(InkSpelling, TouchingDigitsAreCutAndTooFewPiecesSpellNothing) {
  std::filesystem::path face;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator("/usr/share/fonts", ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->path().filename() == "ume-pmo3.ttf") face = it->path();
  ASSERT_FALSE(face.empty()) << "ume-pmo3.ttf (fonts-horai-umefont) is not installed: hardware/deploy/install-deps.sh installs it";
  auto ft = cv::freetype::createFreeType2();
  ft->loadFontData(face.string(), 0);
  // The digits drawn against each other by a heavy pen, each touching its neighbour.
  cv::Mat m(80, 140, CV_8UC3, cv::Scalar::all(250));
  const std::string digit_text = "4096";
  for (std::size_t i = 0; i < digit_text.size(); ++i)
    ft->putText(m, digit_text.substr(i, 1), {10 + 18 * static_cast<int>(i), 60}, 40, cv::Scalar::all(25), -1, cv::LINE_AA, true);
  cv::cvtColor(m, m, cv::COLOR_BGR2GRAY);
  cv::erode(m, m, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));  // a heavy pen
  cv::GaussianBlur(m, m, {3, 3}, 0.8);
  cv::Mat ink, labels;
  cv::threshold(m, ink, 128, 255, cv::THRESH_BINARY_INV);
  ASSERT_LT(cv::connectedComponents(ink, labels) - 1, 4) << "the digits were meant to touch";
  auto image = ocr::Image::from_pixels(m.cols, m.rows, 1, {m.data, m.total()}, 300);
  ASSERT_TRUE(image.has_value());
  const auto line = ocr::InkLine::cut(*image, ocr::Box{0, 0, m.cols, m.rows});
  ASSERT_TRUE(line.has_value());
  const auto spelt = line->spell({digits(4, 4)});
  ASSERT_TRUE(spelt.has_value());
  EXPECT_EQ(spelt->text(), "4096");
  // One digit with the rest passed over as stray ink costs far more.
  if (const auto one = line->spell({digits(1, 1)})) {
    EXPECT_GT(one->cost, spelt->cost + 0.5) << one->text();
  }
  EXPECT_FALSE(line->spell({words({"千葉県柏市本町一丁目二番"})}).has_value()) << "twelve characters cannot lie in four digits";
}
