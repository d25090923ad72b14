#include <gtest/gtest.h>

#include "station/review/facilities.h"
#include "station/text.h"
#include "test_support.h"

using station::ErrorCode;

namespace {
const std::string kHeader =
    "施設ID,市町村,サービス種類,介護保険事業所番号,施設名称,施設郵便番号,施設所在地,定員,法人名,法人郵便番号,"
    "法人所在地,代表者職名,代表者氏名,給付金額\r\n";
const std::string kRow =
    "F00001,市川市,通所介護,1213886161,デイサービスセンターきずな,272-3224,千葉県市川市東習志野5-9-23,32,"
    "グリーンハート株式会社,285-7238,千葉県佐倉市富士見1丁目5番37号,代表取締役,福田 美穂,256000\r\n";
}  // namespace

TEST(Facilities, ReadsTheDeliveredCp932List) {
  const auto bytes = testing_support::read_file(std::filesystem::path(STATION_SHARED_DIR) / "data/facilities.csv");
  ASSERT_FALSE(bytes.empty());
  auto list = station::review::parse_facility_csv(bytes);
  ASSERT_TRUE(list) << list.error().detail;
  ASSERT_EQ(list->size(), 6000u);
  const auto& f = list->front();
  EXPECT_EQ(f.facility_id, "F00001");
  EXPECT_EQ(f.service_type, "通所介護");
  EXPECT_EQ(f.jigyosho_no.size(), 10u);
  EXPECT_GT(f.amount, 0);
}

TEST(Facilities, AcceptsUtf8WithOrWithoutBom) {
  auto plain = station::review::parse_facility_csv(kHeader + kRow);
  ASSERT_TRUE(plain) << plain.error().detail;
  ASSERT_EQ(plain->size(), 1u);
  EXPECT_EQ((*plain)[0].name, "デイサービスセンターきずな");
  EXPECT_EQ((*plain)[0].capacity, 32);
  EXPECT_EQ((*plain)[0].amount, 256000);
  auto bom = station::review::parse_facility_csv("\xEF\xBB\xBF" + kHeader + kRow);
  ASSERT_TRUE(bom);
  EXPECT_EQ((*bom)[0].facility_id, "F00001");
}

TEST(Facilities, RefusesAnotherEncodingWithAClearError) {
  // UTF-16LE, as some spreadsheet programs save "Unicode text".
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("ID,name\r\n")) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  auto r = station::review::parse_facility_csv(utf16);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadCsvEncoding);
  // Bytes that are neither CP932 nor UTF-8.
  auto junk = station::review::parse_facility_csv(std::string("\x80\xFF\xFE\xFD\x85\x86", 6));
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, ErrorCode::kBadCsvEncoding);
}

TEST(Facilities, NamesTheProblemInAMalformedList) {
  auto missing = station::review::parse_facility_csv("施設ID,市町村\r\nF1,x\r\n");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kBadCsv);
  EXPECT_NE(missing.error().detail.find("サービス種類"), std::string::npos);
  auto short_row = station::review::parse_facility_csv(kHeader + "F00002,市川市\r\n");
  ASSERT_FALSE(short_row);
  EXPECT_NE(short_row.error().detail.find("line 2"), std::string::npos);
  std::string bad_amount = kRow;
  bad_amount.replace(bad_amount.find("256000"), 6, "25万");
  auto amount = station::review::parse_facility_csv(kHeader + bad_amount);
  ASSERT_FALSE(amount);
  EXPECT_NE(amount.error().detail.find("給付金額"), std::string::npos);
}

TEST(Csv, HandlesQuotesCommasAndNewlinesInCells) {
  auto rows = station::review::parse_csv("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",2,3\n");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0][1], "b,c");
  EXPECT_EQ((*rows)[0][2], "say \"hi\"");
  EXPECT_EQ((*rows)[1][0], "multi\nline");
  EXPECT_FALSE(station::review::parse_csv("\"never closed,1\n"));
}

TEST(Text, NormalisesConfirmedValues) {
  auto v = station::normalise_field_value("facility.jigyosho_no", "　１２７１７５５０７２ ");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, "1271755072");
  EXPECT_FALSE(station::normalise_field_value("facility.jigyosho_no", "12717550"));
  EXPECT_FALSE(station::normalise_field_value("facility.jigyosho_no", "12717550ab"));
  EXPECT_TRUE(station::normalise_field_value("facility.jigyosho_no", ""));  // 養護・軽費
  auto amount = station::normalise_field_value("amount", "264,000");
  ASSERT_TRUE(amount);
  EXPECT_EQ(*amount, "264000");
  EXPECT_FALSE(station::normalise_field_value("bank.account_no", "12345"));
}

TEST(Text, PasswordPolicyFollowsNist) {
  EXPECT_NE(station::password_problem("short", "u"), "");
  EXPECT_NE(station::password_problem("password123", "u"), "");
  EXPECT_NE(station::password_problem("aaaaaaaaaaaa", "u"), "");
  EXPECT_NE(station::password_problem("tanaka-is-me-2025", "tanaka"), "");
  // No composition rules: a long lower-case passphrase is fine.
  EXPECT_EQ(station::password_problem("correct horse battery staple", "u"), "");
}
