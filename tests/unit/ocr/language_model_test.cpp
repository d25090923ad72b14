// The language model that chooses between two readings, and the second Japanese model it chooses
// for.
#include <gtest/gtest.h>

#include <algorithm>

#include "ocr/engine.h"
#include "ocr/language_model.h"
#include "ocr/layout.h"
#include "test_util.h"

namespace {

TEST(LanguageModel, RealWordsCostLessThanLookAlikeMisreadings) {
  const auto right = ocr::text_cost("遠藤明美"), wrong = ocr::text_cost("選藤明美");
  ASSERT_TRUE(right.has_value() && wrong.has_value()) << "MeCab's IPADIC dictionary is not installed";
  EXPECT_LT(*right, *wrong);
  EXPECT_LT(*ocr::text_cost("特別養護老人ホーム"), *ocr::text_cost("特別養護考人ホーム"));
  // Spaces are not the text's: a name with or without the gap costs the same.
  EXPECT_EQ(*ocr::text_cost("理事長　遠藤"), *ocr::text_cost("理事長遠藤"));
}

TEST(LanguageModel, TakesTheBetterStretchOfEachReading) {
  // One model misread 老 as 考, the other read 二 as katakana ニ: together they are right.
  EXPECT_EQ(ocr::more_plausible("特別養護考人ホーム陽だまり第二", "特別養護老人ホーム陽だまり第ニ"),
            "特別養護老人ホーム陽だまり第二");
  EXPECT_EQ(ocr::more_plausible("中村　消", "中村　清"), "中村　清");
  // A glyph read twice by one model.
  EXPECT_EQ(ocr::more_plausible("やまでびこ有限会社", "やまびこ有限会社"), "やまびこ有限会社");
}

TEST(LanguageModel, KeepsTheFirstWhereNothingTellsThemApart) {
  EXPECT_EQ(ocr::more_plausible("千葉駅前支店", "千葉駅前支店"), "千葉駅前支店");
  EXPECT_EQ(ocr::more_plausible("理事長　遠藤", "理事長遠藤"), "理事長　遠藤");
  // Nothing read by one model: the other's reading stands.
  EXPECT_EQ(ocr::more_plausible("", "藤原　健一"), "藤原　健一");
  EXPECT_EQ(ocr::more_plausible("藤原　健一", ""), "藤原　健一");
}

TEST(LanguageModel, ReadsKanjiAndKanaAsKatakana) {
  EXPECT_EQ(ocr::reading_of("長谷川"), "ハセガワ");
  EXPECT_EQ(ocr::reading_of("やまびこ有限会社"), "ヤマビコユウゲンカイシャ");
  EXPECT_EQ(ocr::reading_of("ケアプラザ"), "ケアプラザ");
  // A character the dictionary cannot read gives nothing rather than a guess.
  EXPECT_FALSE(ocr::reading_of("ABC").has_value());
}

using Kind = ocr::KanaReadingMatch::Kind;
using Op = ocr::KanaReadingMatch::Edit::Op;

TEST(KanaReading, AnyReadingOfAnySegmentationCounts) {
  ASSERT_TRUE(ocr::reading_of("裕子").has_value()) << "MeCab's IPADIC dictionary is not installed";
  // Both readings of a name, not only the best segmentation's.
  EXPECT_EQ(ocr::match_reading("ユウコ", "裕子").kind, Kind::reading);
  EXPECT_EQ(ocr::match_reading("ヒロコ", "裕子").kind, Kind::reading);
  EXPECT_EQ(ocr::match_reading("ツヨシ", "剛").kind, Kind::reading);
  EXPECT_EQ(ocr::match_reading("タケシ", "剛").kind, Kind::reading);
  // Hiragana in either string, spaces ignored.
  EXPECT_EQ(ocr::match_reading("すずき　たろう", "鈴木　太郎").kind, Kind::reading);
  EXPECT_EQ(ocr::match_reading("ヤマビコユウゲンガイシャ", "やまびこ有限会社").kind, Kind::reading);
}

TEST(KanaReading, RendakuAndRepeatMark) {
  // 会社 is カイシャ alone, ガイシャ after another word.
  EXPECT_EQ(ocr::match_reading("ユウゲンガイシャ", "有限会社").kind, Kind::reading);
  // 々 is read as the kanji before it.
  EXPECT_EQ(ocr::match_reading("ササキ", "佐々木").kind, Kind::reading);
  EXPECT_EQ(ocr::match_reading("トキドキ", "時々").kind, Kind::reading);
}

TEST(KanaReading, OneEditAwaySaysWhichKana) {
  // シ read as ン.
  const auto m = ocr::match_reading("ツヨン", "剛");
  ASSERT_EQ(m.kind, Kind::near);
  ASSERT_EQ(m.near.size(), 1U);
  EXPECT_EQ(m.near[0].op, Op::substitute);
  EXPECT_EQ(m.near[0].position, 2);
  EXPECT_EQ(m.near[0].should_be, "シ");
  EXPECT_EQ(m.near[0].reading, "ツヨシ");
  // A kana read twice.
  const auto twice = ocr::match_reading("スズスキ", "鈴木");
  ASSERT_EQ(twice.kind, Kind::near);
  ASSERT_FALSE(twice.near.empty());
  EXPECT_EQ(twice.near[0].op, Op::extra);
  EXPECT_EQ(twice.near[0].reading, "スズキ");
  // A kana missing is reported as such (the caller may take it for another reading).
  const auto missing = ocr::match_reading("スキ", "鈴木");
  ASSERT_EQ(missing.kind, Kind::near);
  EXPECT_EQ(missing.near[0].op, Op::missing);
}

TEST(KanaReading, FarOrUnknown) {
  EXPECT_EQ(ocr::match_reading("ヤマダ", "鈴木").kind, Kind::none);
  // A character the dictionary has no reading for: nothing can be told.
  EXPECT_EQ(ocr::match_reading("エービーシー", "ABC").kind, Kind::unknown);
  EXPECT_EQ(ocr::match_reading("", "鈴木").kind, Kind::unknown);
}

// The second model is installed beside Debian's data, found there, and reads.
TEST(SecondModel, IsFoundInItsOwnFolderAndReads) {
  auto e = ocr::make_tesseract_engine();
  ASSERT_TRUE(e.has_value()) << e.error().message;
  ASSERT_TRUE((*e)->has_language(ocr::kSecondJapaneseModel))
      << "run hardware/deploy/install-deps.sh: it installs jpn_best.traineddata";
  EXPECT_FALSE((*e)->has_language("no_such_model"));
  auto pages = ocr::decode_pages(ocr_test::read_file(ocr_test::shared_dir() / "samples/app-006/page-04.jpg"));
  ASSERT_TRUE(pages.has_value());
  // The first officer's name, typed: 藤原　健一.
  const ocr::PreparedZone z = ocr::prepare_zone(pages->front(), {823, 809, 430, 120}, true);
  ASSERT_FALSE(z.image.empty());
  ocr::ZoneSpec spec;
  spec.languages = ocr::kSecondJapaneseModel;
  spec.upscale_to_dpi = 400;
  auto r = (*e)->read(z.image, {0, 0, z.image.width(), z.image.height()}, spec);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->text, "藤原　健一");
}

}  // namespace

// The person names' readings within one edit of a furigana read from an unfamiliar hand: a voicing
// mark or a kana's size is half an edit, so a reading two such marks off is still near; the
// reading itself first where it is a name; a reading near none, nothing.
TEST(NameReadings, NearestFirstAndVoicingMarksAreHalfAnEdit) {
  ASSERT_FALSE(ocr::name_spellings("ヨシダ", ocr::NamePart::family).empty()) << "mecab-ipadic's sources are installed by hardware/deploy/install-deps.sh";
  const auto contains = [](const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); };
  EXPECT_EQ(ocr::name_readings_near("ヨシダ", ocr::NamePart::family).front(), "ヨシダ");
  EXPECT_TRUE(contains(ocr::name_readings_near("ヨシタ", ocr::NamePart::family), "ヨシダ"));
  EXPECT_TRUE(contains(ocr::name_readings_near("オカフ", ocr::NamePart::family), "オカダ")) << "one kana changed";
  EXPECT_TRUE(contains(ocr::name_readings_near("タクマ", ocr::NamePart::given), "タクヤ"));
  EXPECT_TRUE(contains(ocr::name_readings_near("キョウウコ", ocr::NamePart::given), "キョウコ")) << "a kana read twice";
  EXPECT_TRUE(ocr::name_readings_near("ヌヌヌヌヌヌヌ", ocr::NamePart::family).empty());
  EXPECT_TRUE(ocr::name_readings_near("", ocr::NamePart::given).empty());
}
