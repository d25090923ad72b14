// The conversions to the export forms (station/review/conversions.h) and 受付一覧表A's use of them.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "station/outputs/lists.h"
#include "station/review/conversions.h"

using station::review::expand_corporate_name;
using station::review::export_form;
using station::review::officer_list_problems;
using station::review::Spacing;
using station::review::to_era_date;
using station::review::to_export_address;
using station::review::to_fullwidth_name;
using station::review::to_halfwidth_kana;

TEST(Conversions, HalfwidthKanaSplitsVoicedMarksAndKeepsTheLongVowel) {
  auto k = to_halfwidth_kana("ガッコウ　ピーマン", Spacing::kCollapse);
  EXPECT_TRUE(k.certain) << k.note_ja;
  EXPECT_EQ(k.text, "ｶﾞｯｺｳ ﾋﾟｰﾏﾝ");
  // Hiragana too; small kana stay small.
  auto h = to_halfwidth_kana("しゃかいふくしほうじん", Spacing::kNone);
  EXPECT_TRUE(h.certain);
  EXPECT_EQ(h.text, "ｼｬｶｲﾌｸｼﾎｳｼﾞﾝ");
  auto v = to_halfwidth_kana("ヴァイオリン", Spacing::kNone);
  EXPECT_EQ(v.text, "ｳﾞｧｲｵﾘﾝ");
}

TEST(Conversions, HalfwidthKanaSpacing) {
  // The holder name: runs of spaces become one half-width space.
  EXPECT_EQ(to_halfwidth_kana("シャカイフクシホウジンシラカバカイ　リジチョウ　 エンドウ　アケミ", Spacing::kCollapse).text,
            "ｼｬｶｲﾌｸｼﾎｳｼﾞﾝｼﾗｶﾊﾞｶｲ ﾘｼﾞﾁｮｳ ｴﾝﾄﾞｳ ｱｹﾐ");
  // The corporation in kana: no spaces.
  EXPECT_EQ(to_halfwidth_kana("シャカイフクシホウジン　シラカバカイ", Spacing::kNone).text, "ｼｬｶｲﾌｸｼﾎｳｼﾞﾝｼﾗｶﾊﾞｶｲ");
  // An officer: one half-width space between family and given name.
  auto officer = to_halfwidth_kana(" エンドウ　　アケミ ", Spacing::kBetweenNames);
  EXPECT_TRUE(officer.certain);
  EXPECT_EQ(officer.text, "ｴﾝﾄﾞｳ ｱｹﾐ");
  auto joined = to_halfwidth_kana("エンドウアケミ", Spacing::kBetweenNames);
  EXPECT_FALSE(joined.certain);
  EXPECT_EQ(joined.text, "ｴﾝﾄﾞｳｱｹﾐ");
  EXPECT_FALSE(joined.note_ja.empty());
}

TEST(Conversions, HalfwidthKanaIsNotCertainWithKanji) {
  auto k = to_halfwidth_kana("エンドウ　明美", Spacing::kBetweenNames);
  EXPECT_FALSE(k.certain);
  EXPECT_EQ(k.note_ja, "半角カタカナにできない文字があります");
}

TEST(Conversions, FullwidthNameHasOneIdeographicSpace) {
  auto n = to_fullwidth_name("遠藤 明美");
  EXPECT_TRUE(n.certain);
  EXPECT_EQ(n.text, "遠藤　明美");
  EXPECT_FALSE(to_fullwidth_name("遠藤明美").certain);
}

TEST(Conversions, CorporateNamesWrittenOut) {
  for (const char* written : {"(株)白樺", "㈱白樺", "（株）白樺", "(株) 白樺", "白樺(株)"}) {
    auto c = expand_corporate_name(written);
    EXPECT_TRUE(c.certain) << written;
    EXPECT_TRUE(c.text == "株式会社白樺" || c.text == "白樺株式会社") << written << " -> " << c.text;
  }
  EXPECT_EQ(expand_corporate_name("(有)みどり").text, "有限会社みどり");
  EXPECT_EQ(expand_corporate_name("㈲みどり").text, "有限会社みどり");
  EXPECT_EQ(expand_corporate_name("(福)白樺会").text, "社会福祉法人白樺会");
  EXPECT_EQ(expand_corporate_name("社福 白樺会").text, "社会福祉法人白樺会");
  EXPECT_EQ(expand_corporate_name("医社 緑風会").text, "医療法人社団緑風会");
  EXPECT_EQ(expand_corporate_name("(医社)緑風会").text, "医療法人社団緑風会");
  // Full-width and no spaces even without an abbreviation.
  auto plain = expand_corporate_name("社会福祉法人 ABC会");
  EXPECT_TRUE(plain.certain);
  EXPECT_EQ(plain.text, "社会福祉法人ＡＢＣ会");
}

TEST(Conversions, AmbiguousCorporateAbbreviationIsLeftForTheReviewer) {
  auto c = expand_corporate_name("(医)緑風会");
  EXPECT_FALSE(c.certain);
  EXPECT_EQ(c.text, "（医）緑風会");
  EXPECT_NE(c.note_ja.find("医療法人"), std::string::npos);
  auto unknown = expand_corporate_name("(協)みどり");
  EXPECT_FALSE(unknown.certain);
}

TEST(Conversions, EraDatesAtTheBoundaries) {
  EXPECT_EQ(to_era_date("1970-10-23").text, "S451023");
  EXPECT_EQ(to_era_date("1989-01-07").text, "S640107");
  EXPECT_EQ(to_era_date("1989-01-08").text, "H010108");
  EXPECT_EQ(to_era_date("2019-04-30").text, "H310430");
  EXPECT_EQ(to_era_date("2019-05-01").text, "R010501");
  EXPECT_EQ(to_era_date("1926-12-24").text, "T151224");
  EXPECT_EQ(to_era_date("1926-12-25").text, "S011225");
  EXPECT_EQ(to_era_date("1912-07-29").text, "M450729");
  EXPECT_EQ(to_era_date("1912-07-30").text, "T010730");
  EXPECT_EQ(to_era_date("1945-12-07").text, "S201207");
  EXPECT_TRUE(to_era_date("1945-12-07").certain);
  for (const char* bad : {"", "1970-02-30", "19701023", "1970/10/23", "abcd-ef-gh"}) {
    auto d = to_era_date(bad);
    EXPECT_FALSE(d.certain) << bad;
    EXPECT_TRUE(d.text.empty()) << bad;
  }
}

TEST(Conversions, AddressesWithChomeBanGo) {
  auto a = to_export_address("千葉県千葉市中央区本町2丁目3番4号");
  EXPECT_TRUE(a.certain) << a.note_ja;
  EXPECT_EQ(a.text, "千葉県千葉市中央区本町２－３－４");
  EXPECT_EQ(to_export_address("千葉県柏市大野町5丁目28番14号").text, "千葉県柏市大野町５－２８－１４");
  EXPECT_EQ(to_export_address("千葉県千葉市中央区本町二丁目3番4号").text, "千葉県千葉市中央区本町２－３－４");
  EXPECT_EQ(to_export_address("千葉県千葉市中央区本町２丁目３番地の４").text, "千葉県千葉市中央区本町２－３－４");
}

TEST(Conversions, AddressesWithBanchiOnly) {
  auto a = to_export_address("千葉県船橋市みどり台1559番地10");
  EXPECT_TRUE(a.certain) << a.note_ja;
  EXPECT_EQ(a.text, "千葉県船橋市みどり台１５５９－１０");
  EXPECT_EQ(to_export_address("千葉県香取市佐原1559番地").text, "千葉県香取市佐原１５５９");
}

TEST(Conversions, AddressHyphenVariants) {
  for (const char* written : {"千葉県栄町富士見7-22-32", "千葉県栄町富士見７－２２－３２", "千葉県栄町富士見7ー22ー32",
                              "千葉県栄町富士見7‐22−32", "千葉県栄町富士見7―22–32", "千葉県栄町富士見７ｰ22ｰ32"}) {
    auto a = to_export_address(written);
    EXPECT_TRUE(a.certain) << written << ": " << a.note_ja;
    EXPECT_EQ(a.text, "千葉県栄町富士見７－２２－３２") << written;
  }
}

TEST(Conversions, AddressKeepsTheBuildingFullWidth) {
  auto a = to_export_address("千葉県千葉市中央区本町2丁目3番4号 サンハイツ101号室");
  EXPECT_TRUE(a.certain) << a.note_ja;
  EXPECT_EQ(a.text, "千葉県千葉市中央区本町２－３－４　サンハイツ１０１号室");
  EXPECT_EQ(to_export_address("千葉県市川市東習志野5-9-23 ﾒｿﾞﾝ市川 2F").text, "千葉県市川市東習志野５－９－２３　メゾン市川　２Ｆ");
}

TEST(Conversions, AddressesThatNeedTheReviewer) {
  EXPECT_FALSE(to_export_address("千葉県千葉市中央区本町").certain);  // no lot number
  EXPECT_FALSE(to_export_address("千葉県千葉市中央区本町2丁目").certain);
  EXPECT_FALSE(to_export_address("千葉県千葉市中央区本町三番四号").certain);
  EXPECT_FALSE(to_export_address("").certain);
}

TEST(Conversions, ExportFormByKey) {
  EXPECT_EQ(export_form("bank.holder_kana", "シラカバカイ")->text, "ｼﾗｶﾊﾞｶｲ");
  EXPECT_EQ(export_form("officers.corp_kana", "シャカイフクシホウジン シラカバカイ")->text, "ｼｬｶｲﾌｸｼﾎｳｼﾞﾝｼﾗｶﾊﾞｶｲ");
  EXPECT_EQ(export_form("corp.name", "(福)白樺会")->text, "社会福祉法人白樺会");
  EXPECT_EQ(export_form("officers.rows[2].birth", "1945-12-07")->text, "S201207");
  EXPECT_EQ(export_form("officers.rows[0].name_kana", "エンドウ　アケミ")->text, "ｴﾝﾄﾞｳ ｱｹﾐ");
  EXPECT_EQ(export_form("officers.rows[0].address", "千葉県船橋市みどり台727番地14")->text, "千葉県船橋市みどり台７２７－１４");
  EXPECT_FALSE(export_form("officers.rows[0].sex", "F"));
  EXPECT_FALSE(export_form("bank.holder", "社会福祉法人白樺会"));
  EXPECT_FALSE(export_form("bank.holder_kana", ""));
}

TEST(Conversions, ListAWritesTheHolderKanaHalfWidth) {
  EXPECT_EQ(station::outputs::list_a_value("bank.holder_kana", "シャカイフクシホウジンシラカバカイ　リジチョウ　エンドウ　アケミ"),
            "ｼｬｶｲﾌｸｼﾎｳｼﾞﾝｼﾗｶﾊﾞｶｲ ﾘｼﾞﾁｮｳ ｴﾝﾄﾞｳ ｱｹﾐ");
  EXPECT_EQ(station::outputs::list_a_value("bank.holder", "社会福祉法人白樺会"), "社会福祉法人白樺会");
}

namespace {
std::map<std::string, std::string> officer(int row, std::map<std::string, std::string> cols) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : cols) out["officers.rows[" + std::to_string(row) + "]." + k] = v;
  return out;
}
}  // namespace

TEST(OfficerProblems, AGoodRowHasNone) {
  auto values = officer(0, {{"name_kana", "エンドウ　アケミ"}, {"name", "遠藤　明美"}, {"birth", "1945-12-07"},
                            {"sex", "F"}, {"address", "千葉県船橋市みどり台727番地14"}, {"title", "理事長"}});
  values["officers.corp_name"] = "社会福祉法人白樺会";
  EXPECT_TRUE(officer_list_problems(values, "2025-06-10").empty());
  // Hiragana is converted automatically: not a problem.
  values["officers.rows[0].name_kana"] = "えんどう　あけみ";
  EXPECT_TRUE(officer_list_problems(values, "2025-06-10").empty());
}

TEST(OfficerProblems, EachFormatProblemIsReported) {
  auto values = officer(0, {{"name_kana", "遠藤　アケミ"}, {"name", ""}, {"birth", "1945-13-07"}, {"sex", "女"},
                            {"address", "千葉県船橋市みどり台"}});
  auto second = officer(3, {{"name_kana", ""}, {"name", "佐藤　一郎"}, {"birth", "2010-01-01"}, {"sex", "M"}});
  values.insert(second.begin(), second.end());
  auto third = officer(5, {{"name_kana", "サトウ　ハナコ"}, {"name", "佐藤　花子"}, {"birth", "1899-12-31"}});
  values.insert(third.begin(), third.end());
  values["officers.rows[7].name"] = "";  // an empty row: not an officer

  const auto problems = officer_list_problems(values, "2025-06-10");
  std::vector<std::string> got;
  for (const auto& p : problems) {
    got.push_back(std::to_string(p.row) + ":" + p.column);
    EXPECT_EQ(p.key, "officers.rows[" + std::to_string(p.row) + "]." + p.column);
    EXPECT_FALSE(p.message_ja.empty());
  }
  const std::vector<std::string> want = {"0:name_kana", "0:name",    "0:birth",   "0:sex",   "0:address",
                                         "3:name_kana", "3:birth",   "3:address", "5:birth", "5:sex",
                                         "5:address"};
  EXPECT_EQ(got, want);
  EXPECT_EQ(problems[0].message_ja, "フリガナにカタカナ以外の文字があります");
  EXPECT_EQ(problems[2].message_ja, "生年月日が日付として読み取れません");
  EXPECT_EQ(problems[6].message_ja, "生年月日がありえない日付です（1900年以降で18歳以上のはずです）");
}

TEST(OfficerProblems, EighteenYearsBeforeToday) {
  auto values = officer(0, {{"name_kana", "エンドウ　アケミ"}, {"name", "遠藤　明美"}, {"birth", "2007-06-10"},
                            {"sex", "F"}, {"address", "千葉県船橋市みどり台727番地14"}});
  EXPECT_TRUE(officer_list_problems(values, "2025-06-10").empty());
  values["officers.rows[0].birth"] = "2007-06-11";
  ASSERT_EQ(officer_list_problems(values, "2025-06-10").size(), 1u);
}
