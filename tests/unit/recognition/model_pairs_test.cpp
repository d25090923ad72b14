// Which model to believe where the two Japanese models read one character of free text apart
// (station/recognition/model_pairs.h): the rule, the fit, and the reader using the compiled table.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "station/recognition/model_pairs.h"

namespace {

using station::recognition::Believe;
using station::recognition::believed_model;
using station::recognition::ModelPair;
using station::recognition::ModelPairObservation;
using station::recognition::model_pairs_source;
using station::recognition::one_substitution;

// A pair decides only on firm evidence: its side right at least three times and in nine of ten of
// its values. A pair not in the table, or seen the other way round, decides nothing.
TEST(ModelPairs, OnlyFirmEvidenceDecides) {
  const std::vector<ModelPair> table = {{"志", "也", 0, 3}, {"智", "知", 9, 1}, {"夫", "失", 8, 2}, {"壮", "幸", 2, 0}};
  EXPECT_EQ(believed_model(table, "志", "也"), Believe::kSecond);
  EXPECT_EQ(believed_model(table, "智", "知"), Believe::kFirst);
  EXPECT_EQ(believed_model(table, "夫", "失"), Believe::kUnknown);  // right 8 of 10: not firm
  EXPECT_EQ(believed_model(table, "壮", "幸"), Believe::kUnknown);  // twice only
  EXPECT_EQ(believed_model(table, "也", "志"), Believe::kUnknown);  // the other way round
  EXPECT_EQ(believed_model(table, "山", "川"), Believe::kUnknown);
}

// The one place two readings differ, spaces aside; nothing where they differ in length or at more
// than one place, or not at all.
TEST(ModelPairs, OneSubstitutionBetweenTwoReadings) {
  const auto p = one_substitution("太田　和志", "太田和也");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->first, "志");
  EXPECT_EQ(p->second, "也");
  EXPECT_FALSE(one_substitution("太田　和志", "太田　和也子").has_value());
  EXPECT_FALSE(one_substitution("大田　和志", "太田　和也").has_value());
  EXPECT_FALSE(one_substitution("太田　和也", "太田和也").has_value());
}

// The fit counts, per pair of characters, the values each model had right; values both had wrong,
// or that differ at more than one place, say nothing.
TEST(ModelPairs, TheFitCountsWhichModelWasRight) {
  const std::vector<ModelPairObservation> obs = {
      {"太田　和志", "太田　和也", "太田　和也"}, {"鈴木　和志", "鈴木和也", "鈴木　和也"},
      {"斎藤　智子", "斎藤　知子", "斎藤　智子"}, {"斎藤　智子", "斎藤　知子", "斎藤　聡子"},
      {"千葉県柏市", "千葉県析市", "千葉県柏市"}, {"千葉県柏市", "千束県析市", "千葉県柏市"}};
  const std::string src = model_pairs_source(obs, "test observations");
  EXPECT_NE(src.find("{\"志\", \"也\", 0, 2},"), std::string::npos) << src;
  EXPECT_NE(src.find("{\"智\", \"知\", 1, 0},"), std::string::npos) << src;
  EXPECT_NE(src.find("{\"柏\", \"析\", 1, 0},"), std::string::npos) << src;
  EXPECT_NE(src.find(": 4 free-text values"), std::string::npos) << src;  // the 聡子 and the two-place one left out
}

}  // namespace
