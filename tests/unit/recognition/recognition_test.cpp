// Recognition: the templates load from data files, and a real sample envelope comes back as one
// JSON document shaped like truth.json, every leaf with value, confidence, page and box.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "forms.h"
#include "station/recognizer.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kSamples = fs::path(STATION_SHARED_DIR) / "samples";

TEST(Templates, BrokenFolderIsAConfigError) {
  station::Config config;
  config.templates_dir = "/nonexistent/templates";
  auto out = station::recognize_to_json(config, {kSamples / "app-001"});
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, station::ErrorCode::kConfig);
}

TEST(Recognizer, TypedEnvelopeAsTruthShapedJson) {
  station::Config config;
  auto out = station::recognize_to_json(config, {kSamples / "app-001"});
  ASSERT_TRUE(out.has_value()) << out.error().detail;
  const json doc = json::parse(*out);
  ASSERT_EQ(doc["pages"].size(), 5u);
  EXPECT_EQ(doc["pages"][0]["kind"], "envelope");
  EXPECT_EQ(doc["pages"][1]["kind"], "application");
  EXPECT_EQ(doc["pages"][3]["kind"], "officers");
  EXPECT_EQ(doc["pages"][4]["kind"], "passbook");
  const json& jig = doc["fields"]["facility.jigyosho_no"];
  EXPECT_EQ(jig["value"], "1271755072");
  EXPECT_EQ(jig["page"], 2);
  ASSERT_EQ(jig["box"].size(), 4u);
  EXPECT_GT(jig["box"][2].get<int>(), 0);
  EXPECT_GE(jig["confidence"].get<double>(), 0.0);
  EXPECT_LE(jig["confidence"].get<double>(), 1.0);
  EXPECT_EQ(doc["fields"]["amount"]["value"], "264000");
  EXPECT_EQ(doc["fields"]["bank.account_type"]["value"], "普通");
  EXPECT_EQ(doc["fields"]["attachments.pledge"]["value"], true);
  // Officer rows are records.
  ASSERT_TRUE(doc["officers"]["rows"].is_array());
  EXPECT_EQ(doc["officers"]["rows"].size(), 4u);
  // Labels of every form's keys come from the template files, row keys included.
  EXPECT_EQ(station::label_of("pledge.seal_present"), "代表者印");
  EXPECT_EQ(station::label_of("officers.rows[3].name"), "氏名");
  EXPECT_EQ(station::label_of("facility.jigyosho_no"), "介護保険事業所番号");
}

}  // namespace
