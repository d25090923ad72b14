// The reading JSON carries each character's confidence, the readers' alternatives and where it was
// seen, so the UI can mark the uncertain characters and crop them.
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

TEST(Grammar, EmailAddresses) {
  for (const char* ok : {"jimu6@example.or.jp", "kaigo65@example.ne.jp", "info36@example.jp", "a.b+c@x-y.example.com"})
    EXPECT_TRUE(email_grammar_ok(ok)) << ok;
  for (const char* bad : {"jimu6example.or.jp", "jimu6@example.orjp", "jimu@@example.jp", "jimu6@example", ".jimu@example.jp",
                          "ji..mu@example.jp", "jimu@example..jp", "jimu@-example.jp", "jimu@example.j", "jimu@example.jp6",
                          "jimu 6@example.jp"})
    EXPECT_FALSE(email_grammar_ok(bad)) << bad;
  EXPECT_TRUE(email_grammar_ok("JIMU6@example.jp"));
}

TEST(Grammar, PhoneNumbers) {
  for (const char* ok : {"0342-60-1812", "043-223-4567", "03-1234-5678", "090-1234-5678", "0120-94-5915", "0431234567"})
    EXPECT_TRUE(phone_grammar_ok(ok)) << ok;
  for (const char* bad : {"342-60-1812", "0342-601812-", "043-223-456", "0901-234-5678", "043-2234567-1", "043(223)4567",
                          "04322345678", "0342--60-1812"})
    EXPECT_FALSE(phone_grammar_ok(bad)) << bad;
}

}  // namespace
