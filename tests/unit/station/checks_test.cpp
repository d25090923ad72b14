// The review's checks, store-less: the match keys (width, variant kanji, legal forms, addresses),
// the facility list's validation errors naming the line, candidates with their reasons, and the
// checks' findings on hand-made values.
#include <gtest/gtest.h>

#include "station/review/checks.h"
#include "station/review/facilities.h"
#include "station/review/normalize.h"
#include "station/review/values_file.h"

using namespace station::review;
using station::ErrorCode;

namespace {

const std::string kHeader =
    "施設ID,市町村,サービス種類,介護保険事業所番号,施設名称,施設郵便番号,施設所在地,定員,法人名,法人郵便番号,"
    "法人所在地,代表者職名,代表者氏名,給付金額\r\n";
const std::string kRow1 =
    "F00001,市川市,通所介護,1213886161,デイサービス髙橋,272-3224,千葉県市川市東習志野5丁目9番23号,32,"
    "株式会社グリーン,285-7238,千葉県佐倉市富士見1-5-37,代表取締役,渡邉 美穂,256000\r\n";
const std::string kRow2 =
    "F00002,市川市,軽費老人ホーム,,ケアハウス﨑山,272-0001,千葉県市川市本町2-3-4,50,社会福祉法人山会,285-0001,"
    "千葉県佐倉市本町1-1,理事長,山田 一郎,1000000\r\n";

std::string detail(const station::Result<std::vector<Facility>>& r) { return r ? "" : r.error().detail; }

}  // namespace

TEST(Normalize, WidthSpacesAndVariantKanjiFold) {
  EXPECT_EQ(fold("ＡＢＣ１２３"), fold("ABC123"));
  EXPECT_EQ(fold("ｶﾌﾞｼｷｶﾞｲｼｬ"), fold("カブシキガイシャ"));
  EXPECT_EQ(name_key("髙橋　太郎"), name_key("高橋 太郎"));
  EXPECT_EQ(name_key("渡邉"), name_key("渡辺"));
  EXPECT_EQ(name_key("渡邊"), name_key("渡辺"));
  EXPECT_EQ(name_key("山﨑"), name_key("山崎"));
  EXPECT_NE(name_key("山崎"), name_key("山本"));
}

TEST(Normalize, LegalFormAbbreviationsAreSpeltOut) {
  EXPECT_EQ(name_key("(株)ケアサポート"), name_key("株式会社ケアサポート"));
  EXPECT_EQ(name_key("（株）ケアサポート"), name_key("株式会社 ケアサポート"));
  EXPECT_EQ(name_key("㈱ケアサポート"), name_key("株式会社ケアサポート"));
  EXPECT_EQ(name_key("(福)白樺会"), name_key("社会福祉法人白樺会"));
  EXPECT_NE(name_key("(有)ケアサポート"), name_key("株式会社ケアサポート"));
}

TEST(Normalize, AddressesWithBlocksOrHyphensAreOne) {
  EXPECT_EQ(address_key("千葉県柏市大野町5丁目28番14号"), address_key("千葉県柏市大野町5-28-14"));
  EXPECT_EQ(address_key("千葉県柏市大野町５－２８－１４"), address_key("柏市大野町5-28-14"));
  EXPECT_EQ(address_key("千葉県船橋市みどり台727番地14"), address_key("千葉県船橋市みどり台727-14"));
  EXPECT_EQ(address_key("千葉市中央区本町二丁目3番4号"), address_key("千葉市中央区本町2-3-4"));
  EXPECT_EQ(address_key("千葉市中央区本町2ー3ー4"), address_key("千葉市中央区本町2-3-4"));
  EXPECT_NE(address_key("千葉市中央区本町2-3-4"), address_key("千葉市中央区本町2-3-5"));
}

TEST(Normalize, HolderKanaAgainstThePassbooksAbbreviations) {
  EXPECT_EQ(kana_key("シャカイフクシホウジンシラカバカイ　リジチョウ　エンドウ　アケミ"),
            kana_key("ｼｬ）ｼﾗｶﾊﾞｶｲ ﾘｼﾞﾁｮｳ ｴﾝﾄﾞｳ ｱｹﾐ"));
  EXPECT_EQ(kana_key("カブシキガイシャケアサポートチバ"), kana_key("ｶ）ｹｱｻﾎﾟｰﾄﾁﾊﾞ"));
  EXPECT_EQ(kana_key("イリョウホウジンシャダンムツミカイ"), kana_key("ｲ）ﾑﾂﾐｶｲ"));
  EXPECT_NE(kana_key("カブシキガイシャヤマビコ"), kana_key("ﾕ）ﾔﾏﾋﾞｺ"));
}

TEST(FacilityList, ValidRowsParse) {
  auto list = parse_facility_csv(kHeader + kRow1 + kRow2);
  ASSERT_TRUE(list) << detail(list);
  EXPECT_EQ(list->size(), 2u);
}

TEST(FacilityList, EveryBadRowIsAnErrorNamingItsLine) {
  auto dup = parse_facility_csv(kHeader + kRow1 + kRow1);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kBadCsv);
  EXPECT_NE(dup.error().detail.find("line 3"), std::string::npos) << dup.error().detail;
  EXPECT_NE(dup.error().detail.find("line 2"), std::string::npos) << dup.error().detail;

  auto missing = parse_facility_csv(
      "施設ID,市町村,サービス種類,介護保険事業所番号,施設名称,施設郵便番号,施設所在地,定員,法人名,法人郵便番号,"
      "法人所在地,代表者職名,代表者氏名\r\nF1,a,b,c,d,e,f,1,g,h,i,j,k\r\n");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().detail.find("給付金額"), std::string::npos);

  auto malformed = parse_facility_csv(kHeader + kRow1 + "F00003,市川市,通所介護\r\n");
  ASSERT_FALSE(malformed);
  EXPECT_NE(malformed.error().detail.find("line 3"), std::string::npos) << malformed.error().detail;

  std::string bad_type = kRow2;
  bad_type.replace(bad_type.find("軽費老人ホーム"), std::string("軽費老人ホーム").size(), "老人ホーム");
  auto type = parse_facility_csv(kHeader + kRow1 + bad_type);
  ASSERT_FALSE(type);
  EXPECT_NE(type.error().detail.find("line 3"), std::string::npos) << type.error().detail;

  std::string no_number = kRow1;
  no_number.replace(no_number.find("1213886161"), 10, "");
  auto number = parse_facility_csv(kHeader + no_number);
  ASSERT_FALSE(number);
  EXPECT_NE(number.error().detail.find("line 2"), std::string::npos) << number.error().detail;

  // Wrong encoding: a line that is neither CP932 nor UTF-8.
  auto enc = parse_facility_csv(kHeader + kRow1 + std::string("F00009,\x80\xFF\xFE,x\r\n"));
  ASSERT_FALSE(enc);
  EXPECT_EQ(enc.error().code, ErrorCode::kBadCsvEncoding);
  EXPECT_NE(enc.error().detail.find("line 3"), std::string::npos) << enc.error().detail;
}

TEST(Matcher, CandidatesCarryTheirReasons) {
  auto list = parse_facility_csv(kHeader + kRow1 + kRow2);
  ASSERT_TRUE(list);
  FacilityIndex index(std::move(*list), 7);
  EXPECT_EQ(index.version(), 7);
  // A wrong number: found by name (variant kanji) and address (hyphens).
  auto c = index.candidates("1213886169", "デイサービス高橋", "千葉県市川市東習志野5-9-23");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].facility->facility_id, "F00001");
  EXPECT_FALSE(c[0].number);
  EXPECT_TRUE(c[0].name && c[0].address);
  ASSERT_EQ(c[0].reasons_ja.size(), 2u);
  EXPECT_NE(c[0].reasons_ja[0].find("表記"), std::string::npos);

  // 軽費老人ホーム: no number, matched by name and address; no FACILITY_NOT_IN_LIST.
  Values v;
  v["facility.name"].text = "ケアハウス崎山";
  v["facility.address"].text = "千葉県市川市本町２丁目３番４号";
  v["facility.service_type"].text = "軽費老人ホーム";
  const Match m = match_application(v, index);
  ASSERT_NE(m.facility, nullptr);
  EXPECT_EQ(m.facility->facility_id, "F00002");
  for (const auto& f : check_application(v, {"application"}, m, "2025-06-10")) {
    EXPECT_NE(f.code, "FACILITY_NOT_IN_LIST");
    EXPECT_NE(f.code, "MISSING_FIELD:facility.jigyosho_no");
  }
}

TEST(Checks, AttachmentsComeFromThePagesNotTheTickBoxes) {
  FacilityIndex index({}, 0);
  Values v;
  v["attachments.officers"].text = "true";
  const auto findings = check_application(v, {"application", "pledge", "passbook"}, match_application(v, index), "2025-06-10");
  int officers = 0;
  for (const auto& f : findings) {
    if (f.code == "MISSING_ATTACHMENT:officers") ++officers;
    EXPECT_NE(f.code, "MISSING_ATTACHMENT:pledge");
    EXPECT_FALSE(f.message_ja.empty());
  }
  EXPECT_EQ(officers, 1);
}

// A seal not found is a defect to correct; where the pledge was read from a black-and-white scan
// (whose threshold can drop a faint seal entirely) the reviewer is also told to look at the paper
// first — beside the defect, not in the text the correction letter quotes.
TEST(Checks, ASealNotSeenOnABlackAndWhiteScanSendsTheReviewerToThePaper) {
  FacilityIndex index({}, 0);
  for (const bool bilevel : {false, true}) {
    Values v;
    v["pledge.seal_present"].text = "false";
    v["pledge.seal_present"].page = 3;
    v["pledge.seal_present"].bilevel_page = bilevel;
    int missing = 0, paper = 0;
    for (const auto& f : check_application(v, {"application", "pledge"}, match_application(v, index), "2025-06-10")) {
      if (f.code == "MISSING_SEAL") {
        ++missing;
        EXPECT_EQ(f.severity, "block");
        EXPECT_EQ(f.message_ja.find("原本"), std::string::npos) << "the letter quotes this text";
      }
      if (f.code == "SEAL_BW_SCAN") {
        ++paper;
        EXPECT_EQ(f.severity, "warn");
        EXPECT_NE(f.message_ja.find("原本"), std::string::npos);
        EXPECT_EQ(f.page, 3);
      }
    }
    EXPECT_EQ(missing, 1);
    EXPECT_EQ(paper, bilevel ? 1 : 0);
  }
  Values sealed;
  sealed["pledge.seal_present"].text = "true";
  sealed["pledge.seal_present"].bilevel_page = true;
  for (const auto& f : check_application(sealed, {"application", "pledge"}, match_application(sealed, index), "2025-06-10"))
    EXPECT_NE(f.code, "SEAL_BW_SCAN");
}

TEST(ValuesFile, UnknownKeysAndWrongTypesNameTheKey) {
  auto ok = parse_values_file(R"({"fields": {"amount": "1,000", "attachments.pledge": true},
                                  "officers": {"rows": [{"sex": "F"}]}, "pages": [{"kind": "application"}]})");
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_EQ(ok->values.size(), 3u);
  EXPECT_EQ(ok->values[0].value, "1000");
  ASSERT_TRUE(ok->page_kinds);
  auto unknown = parse_values_file(R"({"fields": {"facility.nam": "x"}})");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().detail.find("facility.nam"), std::string::npos);
  auto type = parse_values_file(R"({"officers": {"rows": [{"birth": 1950}]}})");
  ASSERT_FALSE(type);
  EXPECT_NE(type.error().detail.find("officers.rows[0].birth"), std::string::npos);
  auto rule = parse_values_file(R"({"fields": {"facility.jigyosho_no": "12"}})");
  ASSERT_FALSE(rule);
  EXPECT_NE(rule.error().detail.find("facility.jigyosho_no"), std::string::npos);
}

TEST(Checks, TimestampsBecomeJst) {
  EXPECT_EQ(to_jst("2025-06-05T10:15:00+09:00").value_or(""), "2025-06-05T10:15:00+09:00");
  EXPECT_EQ(to_jst("2025-06-05T01:15:00Z").value_or(""), "2025-06-05T10:15:00+09:00");
  EXPECT_FALSE(to_jst("2025-06-31T10:15:00+09:00"));
  EXPECT_FALSE(to_jst("2025/06/05 10:15"));
  EXPECT_FALSE(to_jst("2025-06-05T25:15:00+09:00"));
}
