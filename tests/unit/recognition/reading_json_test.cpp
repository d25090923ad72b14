// The reading JSON carries each character's confidence, the readers' alternatives and where it was
// seen, so the UI can mark the uncertain characters and crop them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "station/recognition/reading_json.h"
#include "text_repair.h"

namespace {

using station::recognition::CharReading;

TEST(ReadingJson, CarriesEachCharactersConfidenceAndAlternatives) {
  station::recognition::EnvelopeRecognition r;
  r.pages.push_back({"application", 0, 1.0});
  station::recognition::RecognizedValue v;
  v.key = "bank.account_no";
  v.value = "0991709";
  v.confidence = 0.6;
  v.type = "comb";
  for (char ch : v.value) v.chars.push_back(CharReading{std::string(1, ch), 0.95, {}});
  v.chars[0].confidence = 0.6;
  v.chars[0].alternatives = {"9"};
  v.chars[1].box = ocr::Box{140, 60, 18, 24};  // where the reader saw it (page pixels)
  r.values.push_back(v);
  station::recognition::RecognizedValue plain;
  plain.key = "corp.name";
  plain.value = "社会福祉法人白樺会";
  plain.confidence = 0.95;
  r.values.push_back(plain);

  const nlohmann::json j = station::recognition::reading_json(r, {"page-01.jpg"});
  const nlohmann::json& f = j.at("fields").at("bank.account_no");
  ASSERT_TRUE(f.contains("chars"));
  ASSERT_EQ(f["chars"].size(), 7u);
  EXPECT_EQ(f["chars"][0]["c"], "0");
  EXPECT_DOUBLE_EQ(f["chars"][0]["confidence"].get<double>(), 0.6);
  EXPECT_EQ(f["chars"][0]["alternatives"], nlohmann::json::array({"9"}));
  EXPECT_TRUE(f["chars"][1]["alternatives"].empty());
  // A character's box where the reader gave one (x, y, w, h), none where it did not.
  EXPECT_EQ(f["chars"][1]["box"], nlohmann::json::array({140, 60, 18, 24}));
  EXPECT_FALSE(f["chars"][0].contains("box"));
  // A value without per-character readings has no "chars".
  EXPECT_FALSE(j.at("fields").at("corp.name").contains("chars"));
}

}  // namespace

// Format grammars: a value that fails its grammar is never above the threshold.
#include "text_repair.h"

namespace {

using station::recognition::detail::email_grammar_ok;
using station::recognition::detail::phone_grammar_ok;

// The engine's glyphs find their places in a text a later step mended: a character replaced (二 for
// 千 by the prefecture's name), one inserted, spaces between; a glyph whose character is not there
// has no place.
TEST(PlacePieces, GlyphsFindTheirPlacesInAMendedText) {
  using station::recognition::detail::place_pieces;
  constexpr std::size_t none = std::string::npos;
  // 千葉県 is 9 bytes: 千 0, 葉 3, 県 6; then 1998 from 9.
  EXPECT_EQ(place_pieces({"二", "葉", "県", "1", "9", "9", "8"}, "千葉県1998"),
            (std::vector<std::size_t>{none, 3, 6, 9, 10, 11, 12}));
  EXPECT_EQ(place_pieces({"1", "2"}, "1 x2"), (std::vector<std::size_t>{0, 3}));
  EXPECT_EQ(place_pieces({"12", "3"}, "1 23"), (std::vector<std::size_t>{0, 3}));
  EXPECT_EQ(place_pieces({"12", "3"}, "1x23"), (std::vector<std::size_t>{none, 3}));
  EXPECT_EQ(place_pieces({"a", "b"}, ""), (std::vector<std::size_t>{none, none}));
}

// A dot between digits in an address is a misread hyphen; one beside a hyphen is a speck.
TEST(Grammar, DotsBetweenDigitsAreHyphens) {
  const std::pair<const char*, const char*> cases[] = {{"花見川1.25-19", "花見川1-25-19"},
                                                       {"花見川7-.18-29", "花見川7-18-29"},
                                                       {"花見川7.-18", "花見川7-18"},
                                                       {"example.co.jp", "example.co.jp"},
                                                       {"7-.", "7-."}};
  for (const auto& [read, want] : cases)
    EXPECT_EQ(station::recognition::detail::dots_between_digits_to_dashes(read), want) << read;
}

// Each case `read` → `want` through a mender that says whether it changed the text.
template <typename Mend>
void expect_mended(Mend mend, const std::vector<std::pair<std::string, std::string>>& cases) {
  for (const auto& [read, want] : cases) {
    std::string s = read;
    EXPECT_EQ(mend(s), read != want) << read;
    EXPECT_EQ(s, want) << read;
  }
}

// An address's number as Japanese addresses write it, and an address that ends in one: a kana or a
// mark read inside the number (2-や-5), or before it (の-12-5), breaks it.
TEST(Grammar, AddressNumbers) {
  using station::recognition::detail::address_ends_in_a_number;
  using station::recognition::detail::address_number_grammar_ok;
  for (const char* ok : {"1038番地20", "3丁目14番25号", "8-19-20", "12-5", "20番", "1191番地2", "7", "5番地"})
    EXPECT_TRUE(address_number_grammar_ok(ok)) << ok;
  for (const char* bad : {"", "2-や-5", "-12-5", "5-25つ9", "8番地B", "3丁目", "1-2-3-4", "12番地3番"})
    EXPECT_FALSE(address_number_grammar_ok(bad)) << bad;
  EXPECT_TRUE(address_ends_in_a_number("千葉県習志野市真間2-12-5"));
  EXPECT_TRUE(address_ends_in_a_number("千葉県船橋市みどり台1丁目26番17号"));
  EXPECT_FALSE(address_ends_in_a_number("千葉県習志野市真間2-や-5"));
  EXPECT_FALSE(address_ends_in_a_number("千葉県習志野市真間の-12-5"));
  EXPECT_FALSE(address_ends_in_a_number("千葉県習志野市真間"));
}

TEST(Grammar, AStrayGlyphBetweenANumberAndItsGoGoes) {
  expect_mended(station::recognition::detail::drop_stray_before_go, {{"港町9丁目29番21人号", "港町9丁目29番21号"},
                                                                     {"港町9丁目29番21号", "港町9丁目29番21号"},
                                                                     {"大野町4丁目8番31号", "大野町4丁目8番31号"},
                                                                     {"真間14番地1", "真間14番地1"},
                                                                     {"人号", "人号"}});
}

TEST(Grammar, EmailAddresses) {
  for (const char* ok : {"jimu6@example.or.jp", "kaigo65@example.ne.jp", "info36@example.jp", "a.b+c@x-y.example.com"})
    EXPECT_TRUE(email_grammar_ok(ok)) << ok;
  for (const char* bad : {"jimu6example.or.jp", "jimu6@example.orjp", "jimu@@example.jp", "jimu6@example", ".jimu@example.jp",
                          "ji..mu@example.jp", "jimu@example..jp", "jimu@-example.jp", "jimu@example.j", "jimu@example.jp6",
                          "jimu 6@example.jp"})
    EXPECT_FALSE(email_grammar_ok(bad)) << bad;
  EXPECT_TRUE(email_grammar_ok("JIMU6@example.jp"));
}

TEST(Grammar, EmailTopLevelLabels) {
  // No top-level label ends with jp but jp itself, none starts with a letter read twice.
  for (const char* bad : {"jimu6@example.cojp", "jimu6@example.nejjp", "jimu6@example.co.jjp", "jimu6@example.ccom"})
    EXPECT_FALSE(email_grammar_ok(bad)) << bad;
  EXPECT_TRUE(email_grammar_ok("jimu6@example.co.jp"));
}

TEST(Grammar, EmailTopLevelLabelsThatNoRegistryServesFailAndAreMendedToTheOneNearUsualLabel) {
  using station::recognition::detail::mend_email;
  // The Public Suffix List's top-level domains: .jd and .comt are none; .jo and .coop are.
  for (const char* bad : {"fukushi3@host.co.jd", "fukushi3@host.jd", "fukushi3@host.comt"})
    EXPECT_FALSE(email_grammar_ok(bad)) << bad;
  for (const char* ok : {"fukushi3@host.jo", "fukushi3@host.coop", "fukushi3@host.info"}) EXPECT_TRUE(email_grammar_ok(ok)) << ok;
  // Mended: a label one letter from one usual label; a JPRS label glued to a misread jp; a
  // look-alike digit in a JPRS label. Left: a label that exists (jo is one letter from jp), and one
  // no usual label is a letter from.
  const std::pair<const char*, const char*> cases[] = {
      {"fukushi3@host.co.jd", "fukushi3@host.co.jp"}, {"fukushi3@host.comt", "fukushi3@host.com"},
      {"fukushi3@host.nejd", "fukushi3@host.ne.jp"},  {"fukushi3@host.c0.jd", "fukushi3@host.co.jp"},
      {"fukushi3@host.jo", "fukushi3@host.jo"},       {"fukushi3@host.ogr", "fukushi3@host.ogr"}};
  for (const auto& [read, want] : cases) {
    bool mended = false;
    EXPECT_EQ(mend_email(read, mended), want) << read;
    EXPECT_EQ(mended, std::string(read) != want) << read;
  }
}

TEST(Grammar, EmailMendedByPosition) {
  using station::recognition::detail::email_as_read;
  using station::recognition::detail::mend_email;
  bool mended = false;
  // As read: case and trailing marks only.
  EXPECT_EQ(email_as_read(" soUmu6@Example.CO.JP. "), "soumu6@example.co.jp");
  EXPECT_EQ(mend_email("abc12@host.ne.jp", mended), "abc12@host.ne.jp");
  EXPECT_FALSE(mended);
  // A lost @ read as a digit before the domain's letters.
  EXPECT_EQ(mend_email("abc120host.jp", mended), "abc12@host.jp");
  EXPECT_TRUE(mended);
  // l for 1 and O for 0 in the local part's trailing digits; 0 for o between a domain's letters.
  EXPECT_EQ(mend_email("xyzl2@h0st.jp", mended), "xyz12@host.jp");
  EXPECT_EQ(mend_email("xyz1O2@host.jp", mended), "xyz102@host.jp");
  // A JPRS second-level label glued to jp, a final label stuttered.
  EXPECT_EQ(mend_email("a1@host.orjp", mended), "a1@host.or.jp");
  EXPECT_EQ(mend_email("a1@host.co.jjp", mended), "a1@host.co.jp");
  EXPECT_EQ(mend_email("a1@host.ccom", mended), "a1@host.com");
  // Letters of the name stay letters.
  EXPECT_EQ(mend_email("paulo@host.jp", mended), "paulo@host.jp");
}

// The two models' readings of a local part, position by position: a letter in the one chosen and
// its look-alike digit in the other, next to digits, is the digit (the other may have lost its @);
// letters the other reads as letters, a digit away from any digit, or any other difference leave
// the address as chosen.
TEST(Grammar, EmailDigitsFromTheOtherModelsReading) {
  using station::recognition::detail::digits_from_other_reading;
  const auto merged = [](std::string chosen, const std::string& other) {
    digits_from_other_reading(chosen, other);
    return chosen;
  };
  EXPECT_EQ(merged("abcl7@host.ne.jp", "abc17@host.ne.jp"), "abc17@host.ne.jp");
  EXPECT_EQ(merged("abc7o@host.jp", "abc700host.jd"), "abc70@host.jp");
  EXPECT_EQ(merged("xy9q@host.jp", "xy90@host.jp"), "xy90@host.jp");
  EXPECT_EQ(merged("xyb4@host.jp", "xy64@host.jp"), "xy64@host.jp");
  EXPECT_EQ(merged("paulo@host.jp", "paul0@host.jp"), "paulo@host.jp");     // no digit beside it
  EXPECT_EQ(merged("abcl7@host.jp", "abdl7@host.jp"), "abcl7@host.jp");     // letters differ
  EXPECT_EQ(merged("abcl7@host.jp", "abc17x@host.jp"), "abcl7@host.jp");    // its @ elsewhere
  EXPECT_EQ(merged("abcl7x@host.jp", "abc17y@host.jp"), "abcl7x@host.jp");  // another difference
  std::string same = "abc17@host.jp";
  EXPECT_FALSE(digits_from_other_reading(same, "abc17@host.jp"));
}

TEST(Grammar, PhoneNumbers) {
  for (const char* ok : {"0342-60-1812", "043-223-4567", "03-1234-5678", "090-1234-5678", "0120-94-5915", "0431234567"})
    EXPECT_TRUE(phone_grammar_ok(ok)) << ok;
  for (const char* bad : {"342-60-1812", "0342-601812-", "043-223-456", "0901-234-5678", "043-2234567-1", "043(223)4567",
                          "04322345678", "0342--60-1812", "0057-24-3013", "0"})
    EXPECT_FALSE(phone_grammar_ok(bad)) << bad;
}

}  // namespace

namespace {

using station::recognition::detail::drop_empty_brackets;
using station::recognition::detail::drop_glyph_before_phone;

TEST(Grammar, MarksAtEitherEndOfFreeTextGoTypographicQuotesToo) {
  using station::recognition::detail::clean_free_text;
  EXPECT_EQ(clean_free_text("中央支店“"), "中央支店");
  EXPECT_EQ(clean_free_text("‘ひまわり会’"), "ひまわり会");
  EXPECT_EQ(clean_free_text("ケア“プラザ"), "ケア“プラザ") << "only at the ends";
}

TEST(Grammar, AnEmptyPairOfBracketsGoesFromAPhoneNumberOnlyWhenTheRestIsWhole) {
  std::string s = "0()162-33-6525";
  EXPECT_EQ(drop_empty_brackets(s), std::optional<std::size_t>(1));
  EXPECT_EQ(s, "0162-33-6525");
  for (const char* keep : {"0162-33-6525",     // whole, nothing to drop
                           "0()1623-33-6525",  // not a number without it either
                           "0(1)62-33-6525"})  // brackets around a digit are no empty pair
  {
    std::string k = keep;
    EXPECT_FALSE(drop_empty_brackets(k)) << keep;
    EXPECT_EQ(k, keep);
  }
}

TEST(Grammar, AGlyphBeforeAPhoneNumbersZeroIsDroppedOnlyWhenTheRestIsWhole) {
  std::string s = "4043-384-5137";
  EXPECT_TRUE(drop_glyph_before_phone(s));
  EXPECT_EQ(s, "043-384-5137");
  for (const char* keep : {"043-384-5137",    // already whole
                           "3064-92-8008",    // the rest (064-92-8008) is not a number either
                           "343-384-5137",    // no 0 after the first glyph
                           "8"}) {
    std::string k = keep;
    EXPECT_FALSE(drop_glyph_before_phone(k)) << keep;
    EXPECT_EQ(k, keep);
  }
}

}  // namespace

// Calibration: the raw confidence is replaced by what was measured for it, pooled where accuracy
// does not rise with the raw confidence, and raised only on strong evidence.
#include "station/recognition/calibration.h"

namespace {

using station::recognition::CalibrationBucket;
using station::recognition::calibrated_confidence;
using station::recognition::pooled_table;

TEST(Calibration, PoolsBucketsWhoseAccuracyDoesNotRiseWithTheRawConfidence) {
  const std::vector<CalibrationBucket> table = {
      {"kana", 0.5, 0.6, 10, 6},    {"kana", 0.6, 0.7, 20, 19},  // 60 % then 95 %: rising, kept apart
      {"kana", 0.7, 0.8, 100, 100}, {"kana", 0.8, 0.85, 100, 96},  // 100 % then 96 %: pooled (98 %)
      {"text", 0.85, 0.9, 150, 150}, {"text", 0.9, 0.95, 150, 150},  // equal: pooled, 300 of 300
  };
  const auto pooled = pooled_table(table);
  ASSERT_EQ(pooled.size(), table.size());
  EXPECT_EQ(pooled[0].n, 10);
  EXPECT_EQ(pooled[1].n, 20);
  EXPECT_EQ(pooled[2].n, 200);
  EXPECT_EQ(pooled[2].ok, 196);
  EXPECT_EQ(pooled[3].ok, 196);
  EXPECT_EQ(pooled[4].n, 300);
  EXPECT_EQ(pooled[5].ok, 300);
  // Types never pool with each other.
  EXPECT_NE(pooled[3].n, pooled[4].n);
}

TEST(Calibration, RaisesWhereAtLeast97In100WereRight) {
  const auto pooled = pooled_table({
      {"comb", 0.8, 0.85, 160, 160},     // lower bound about 0.983: raised to it
      {"postal", 0.8, 0.85, 400, 394},   // 98.5 % observed, lower bound about 0.971: raised to it
      {"email", 0.8, 0.85, 160, 157},    // 98 % observed, lower bound about 0.954: not raised
  });
  const double comb = calibrated_confidence(pooled, "comb", 0.82);
  EXPECT_GT(comb, 0.98);
  EXPECT_LT(comb, 0.99);
  const double postal = calibrated_confidence(pooled, "postal", 0.82);
  EXPECT_GT(postal, 0.97);
  EXPECT_LT(postal, 0.975);
  EXPECT_LE(calibrated_confidence(pooled, "email", 0.82), 0.82);
}

TEST(Calibration, RaisesOnlyOnStrongEvidenceAndLowersWherePromisesFailed) {
  const auto pooled = pooled_table({
      {"text", 0.8, 0.85, 150, 150}, {"text", 0.85, 0.9, 150, 150},  // 300 of 300 once pooled
      {"kana", 0.8, 0.85, 40, 40},                                    // right, but thin evidence
      {"date", 0.9, 0.95, 100, 80},                                   // promised more than measured
      {"phone", 0.9, 0.95, 5, 5},                                     // too few to say anything
  });
  const double text = calibrated_confidence(pooled, "text", 0.82);
  EXPECT_GE(text, 0.99);  // 300 of 300: the lower bound of the interval is above 0.99
  EXPECT_LE(text, 0.995);
  EXPECT_LE(calibrated_confidence(pooled, "kana", 0.82), 0.82);  // 40 of 40 is not proof of 97 %
  EXPECT_LT(calibrated_confidence(pooled, "date", 0.92), 0.8);
  EXPECT_DOUBLE_EQ(calibrated_confidence(pooled, "phone", 0.92), 0.92);
  // Below 0.5 (failed grammar, mended values) and seals: never touched.
  EXPECT_DOUBLE_EQ(calibrated_confidence(pooled, "text", 0.45), 0.45);
  EXPECT_DOUBLE_EQ(calibrated_confidence(pooled, "seal", 0.82), 0.82);
  // A type the table does not know keeps its raw confidence.
  EXPECT_DOUBLE_EQ(calibrated_confidence(pooled, "email", 0.87), 0.87);
}

}  // namespace

namespace {

TEST(Grammar, OnlyTheHaRowTakesTheRingMark) {
  using station::recognition::detail::voicing_mark_after;
  // A ring after シ, ク, タ cannot be ﾟ: it is ﾞ whose strokes merged (ジ, グ, ダ).
  for (const char* k : {"シ", "ク", "タ", "ト", "ウ"}) EXPECT_STREQ(voicing_mark_after(k, true), "゛") << k;
  EXPECT_STREQ(voicing_mark_after("ハ", true), "゜");
  EXPECT_STREQ(voicing_mark_after("ヘ", true), "゜");
  EXPECT_STREQ(voicing_mark_after("ヘ", false), "゛");
  // After a kana that takes no mark at all the reading is left as it looked.
  EXPECT_STREQ(voicing_mark_after("ア", true), "゜");
  EXPECT_STREQ(voicing_mark_after("シ", false), "゛");
}

}  // namespace

namespace {

// A furigana misread by one voicing mark: each kana with its mark added, taken off or changed, once.
TEST(Grammar, VoicingVariantsChangeOneKanasMark) {
  using station::recognition::detail::voicing_variants;
  const std::vector<std::string> v = voicing_variants("ユウゴ");
  EXPECT_NE(std::find(v.begin(), v.end(), "ユウコ"), v.end());
  EXPECT_NE(std::find(v.begin(), v.end(), "ユヴゴ"), v.end());
  EXPECT_EQ(std::find(v.begin(), v.end(), "ユウゴ"), v.end());
  const std::vector<std::string> h = voicing_variants("ハ");
  EXPECT_EQ(h, (std::vector<std::string>{"バ", "パ"}));
  EXPECT_TRUE(voicing_variants("ミ").empty());  // a kana that takes no mark has no variant
}

TEST(Grammar, ASmallKanaWhereNoneCanStandIsFullSize) {
  using station::recognition::detail::small_kana_made_full;
  EXPECT_EQ(small_kana_made_full("ィ)ミドリカイ リジチョウ"), "イ)ミドリカイ リジチョウ");
  EXPECT_EQ(small_kana_made_full("ョウコ"), "ヨウコ");
  EXPECT_EQ(small_kana_made_full("シャ)ミドリカイ"), "シャ)ミドリカイ");  // after シ, ャ stands
  EXPECT_EQ(small_kana_made_full("ファミリー ティ"), "ファミリー ティ");
}

TEST(Grammar, HyphensAtAPhoneNumbersEndsGo) {
  using station::recognition::detail::trim_hyphens;
  std::string s = "043-975-4523-";
  EXPECT_EQ(trim_hyphens(s), (std::pair<std::size_t, std::size_t>{0, 1}));
  EXPECT_EQ(s, "043-975-4523");
  s = "--0476-22-1234";
  EXPECT_EQ(trim_hyphens(s), (std::pair<std::size_t, std::size_t>{2, 0}));
  EXPECT_EQ(s, "0476-22-1234");
  s = "-";
  EXPECT_EQ(trim_hyphens(s), (std::pair<std::size_t, std::size_t>{0, 0}));
}

TEST(Grammar, LegalEntityWordsInKanaComeBackWhereOnlyVoicingOrSizeDiffer) {
  using station::recognition::detail::fix_kana_words;
  EXPECT_EQ(fix_kana_words("エムケイケアユウゲンガイシヤ"), "エムケイケアユウゲンガイシャ");
  EXPECT_EQ(fix_kana_words("グリーンハートユウゲンガイシャ　ドリシマリヤク　ナカムラ"), "グリーンハートユウゲンガイシャ　トリシマリヤク　ナカムラ");
  EXPECT_EQ(fix_kana_words("シャカイフクシホウジンムツミカイ　リジチョウ"), "シャカイフクシホウジンムツミカイ　リジチョウ");
  // A name is not a legal-entity word: its kana stay as read.
  EXPECT_EQ(fix_kana_words("ヤマモト　アクミ"), "ヤマモト　アクミ");
}

}  // namespace

namespace {

TEST(Grammar, ASpeckBetweenTheWordsOfANameIsTheirGap) {
  using station::recognition::detail::keep_wide_spaces;
  EXPECT_EQ(keep_wide_spaces("理事長.渡辺　翔太"), "理事長\u3000渡辺\u3000翔太");
  EXPECT_EQ(keep_wide_spaces("岡田\u201d隆"), "岡田\u3000隆");
  EXPECT_EQ(keep_wide_spaces("山口\u201d\u3000翔太"), "山口\u3000翔太");  // one gap, not two
  EXPECT_EQ(keep_wide_spaces("佐藤 花子"), "佐藤花子");                // ASCII spaces still go
  // At either end a speck is no gap (trim_junk takes it away later); a middle dot is a name's own.
  EXPECT_EQ(keep_wide_spaces("ジョン・スミス"), "ジョン・スミス");
  EXPECT_EQ(keep_wide_spaces("花子."), "花子.");
}

}  // namespace

namespace {

TEST(Grammar, APhoneNumbersLostFirstZeroComesBackOnlyWhenTheRestIsWhole) {
  using station::recognition::detail::restore_phone_leading_zero;
  std::string landline = "350-30-2883";
  EXPECT_TRUE(restore_phone_leading_zero(landline));
  EXPECT_EQ(landline, "0350-30-2883");
  std::string three = "45-907-9307";
  EXPECT_TRUE(restore_phone_leading_zero(three));
  EXPECT_EQ(three, "045-907-9307");
  // Already whole, or not whole even with a 0 (a 0 misread as 2 leaves 11 digits), or empty: alone.
  for (std::string s : {"043-404-4777", "244-904-6798", "", "4-4777"}) {
    const std::string before = s;
    EXPECT_FALSE(restore_phone_leading_zero(s)) << before;
    EXPECT_EQ(s, before);
  }
}

// A first digit read as a zero's look-alike is the 0 every phone number starts with, when the
// number is then whole; not otherwise.
TEST(Grammar, APhoneNumbersFirstZeroReadAsALookAlikeIsAZero) {
  using station::recognition::detail::restore_phone_first_zero;
  for (const auto& [read, want] : {std::pair{"844-517-4633", "044-517-4633"}, {"9155-07-7859", "0155-07-7859"},
                                   {"6471234567", "0471234567"}}) {
    std::string s = read;
    EXPECT_TRUE(restore_phone_first_zero(s)) << read;
    EXPECT_EQ(s, want);
  }
  for (std::string s : {"043-404-4777", "344-517-4633", "844-517-463", "", "8"}) {
    const std::string before = s;
    EXPECT_FALSE(restore_phone_first_zero(s)) << before;
    EXPECT_EQ(s, before);
  }
}

// A digit read twice is dropped where one way, and only one, makes the number whole.
TEST(Grammar, AStutteredPhoneDigitIsDroppedOnlyWhereOneWayMakesItWhole) {
  using station::recognition::detail::drop_stuttered_phone_digits;
  std::string s = "0046-286-5657";
  EXPECT_EQ(drop_stuttered_phone_digits(s), (std::vector<std::size_t>{1}));
  EXPECT_EQ(s, "046-286-5657");
  s = "0126-45-10020";
  EXPECT_FALSE(drop_stuttered_phone_digits(s).empty());
  EXPECT_EQ(s, "0126-45-1020");
  s = "0446-12-33456";  // two pairs; only dropping a 3 makes it whole (a 4's drop leaves 046-12-33456)
  EXPECT_EQ(drop_stuttered_phone_digits(s), (std::vector<std::size_t>{9}));
  EXPECT_EQ(s, "0446-12-3456");
  // Whole already; no doubled digit; two ways to be whole (00864-38-10011 less a 0 and either a 0
  // or a 1 of 10011: 1011 and 1001); nothing: alone.
  for (std::string keep : {"043-404-4777", "047-12-34567", "00864-38-10011", ""}) {
    const std::string before = keep;
    EXPECT_TRUE(drop_stuttered_phone_digits(keep).empty()) << before;
    EXPECT_EQ(keep, before);
  }
}

}  // namespace

namespace {

using station::recognition::detail::fix_chiba_address;
using station::recognition::detail::mend_chome;

const auto kAllReadable = [](char16_t) { return true; };

TEST(Grammar, AMunicipalityOneKanjiOffIsTheLexiconsOne) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"千葉県臼井市若葉5番地2", "千葉県白井市若葉5番地2"},
      {"千葉県臼井市花見川13番地26", "千葉県白井市花見川13番地26"},
      {"千葉県館出市北条1-2-3", "千葉県館山市北条1-2-3"},
      {"千葉県千葉市美汗区高洲4-1", "千葉県千葉市美浜区高洲4-1"},
      {"千葉県白井市若葉5番地2", "千葉県白井市若葉5番地2"}};
  for (const auto& [read, want] : cases) {
    bool changed = false;
    EXPECT_EQ(fix_chiba_address(read, changed, kAllReadable), want) << read;
    EXPECT_EQ(changed, read != want) << read;
  }
}

TEST(Grammar, ANameOfKanjiTheModelCannotReadDoesNotTieWithOneWhoseOtherKanjiWereRead) {
  // 匝瑳市 is half an edit per unreadable kanji from any two kanji before 市, as 白井市 is one
  // misread from 臼井市: the name with more characters read as such wins.
  const auto readable = [](char16_t ch) { return ch != u'匝' && ch != u'瑳'; };
  bool changed = false;
  EXPECT_EQ(fix_chiba_address("千葉県臼井市若葉5番地2", changed, readable), "千葉県白井市若葉5番地2");
  EXPECT_TRUE(changed);
  EXPECT_EQ(fix_chiba_address("千葉県正差市八日市場イ1", changed, readable), "千葉県匝瑳市八日市場イ1");
  EXPECT_TRUE(changed);
}

TEST(Grammar, MarksAfterAnAddresssLastDigitGo) {
  expect_mended(station::recognition::detail::drop_marks_after_number,
                {{"千葉県柏市旭町936番地12」", "千葉県柏市旭町936番地12"},
                 {"千葉県柏市旭町2-3-4|。", "千葉県柏市旭町2-3-4"},
                 {"千葉県柏市旭町4丁目15番34号", "千葉県柏市旭町4丁目15番34号"},
                 {"千葉県柏市旭町936番地12", "千葉県柏市旭町936番地12"},
                 {"千葉県柏市旭町ハイツ」", "千葉県柏市旭町ハイツ」"}});  // after no number: for the clerk, not us
}

TEST(Grammar, AChomeReadWithALookAlikeIsAChome) {
  expect_mended(mend_chome, {{"千葉県柏市旭町4丁日15番34号", "千葉県柏市旭町4丁目15番34号"},
                             {"千葉県柏市旭町12丁自1番", "千葉県柏市旭町12丁目1番"},
                             {"千葉県柏市旭町4丁目15番34号", "千葉県柏市旭町4丁目15番34号"},
                             {"千葉県柏市丁日町3番", "千葉県柏市丁日町3番"}});
}

}  // namespace
