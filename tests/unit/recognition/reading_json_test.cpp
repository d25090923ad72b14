// The reading JSON carries each character's confidence and the readers' alternatives, so the UI
// can mark the uncertain characters.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "station/recognition/reading_json.h"

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
  // A value without per-character readings has no "chars".
  EXPECT_FALSE(j.at("fields").at("corp.name").contains("chars"));
}

}  // namespace
