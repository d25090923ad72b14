// Group verification (issue #17; station/group_verification.h, /api/v1/doubtful-characters; docs/ui.md)
// on a real store whose recognition reads every zone through a fake OCR engine as "906" with a
// confidence below the threshold: every value is doubtful and made of digits. At the facade: which
// characters are gathered (whole fields of the kinds asked for only), their boxes (the field's box
// split by character), a pass confirming and correcting fields through confirm_field (audited,
// confirmed by the person), refusals for stale or partial passes changing nothing, the role check.
// Through the real web server: the shapes, the role matrix and CSRF, a bad body, a pass.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "ocr/fake_engine.h"
#include "services.h"
#include "station/group_verification.h"
#include "station/station.h"
#include "ui/web_server.h"
#include "web_api_fixture.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using station::ErrorCode;
using station::Role;
using web_test::Session;

constexpr const char* kRead = "906";

class GroupVerification : public web_test::WebApiTest {
 protected:
  GroupVerification() : WebApiTest("group-test") {}

  void SetUp() override {
    config_.ocr_workers = 1;
    fake_.set_callback([](const ocr::Image&, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      return ocr::FakeEngine::reading(kRead, 0.5);
    });
    ASSERT_NO_FATAL_FAILURE(create_station());
    ASSERT_NO_FATAL_FAILURE(add_staff());
    log_in_staff();
    for (int i = 0; i < 2; ++i) {
      auto r = station_->import_envelope(clerk_, {fs::path(STATION_SHARED_DIR) / "samples/app-001"}, {"2026-03-30", 4});
      ASSERT_TRUE(r) << r.error().detail;
      ids_.push_back(r->envelope_id);
    }
    ASSERT_TRUE(station_->wait_for_recognition(std::chrono::minutes(5)));
  }

  // The body as given (the tests send malformed ones too).
  httplib::Result post(const Session& s, const std::string& path, const std::string& body, bool csrf = true) {
    httplib::Headers h{{"Cookie", s.cookie}};
    if (csrf) h.emplace("X-CSRF-Token", s.csrf);
    return client_->Post(path, h, body, "application/json");
  }

  // Every field of both envelopes, by id.
  std::map<std::int64_t, station::FieldInfo> all_fields() {
    std::map<std::int64_t, station::FieldInfo> out;
    for (const auto id : ids_) {
      auto fs = station_->fields(reviewer_, id);
      EXPECT_TRUE(fs);
      for (auto& f : *fs) out[f.id] = f;
    }
    return out;
  }

  // The fields a pass over `kinds` must take, by the rule the header states, from the store's own view.
  std::set<std::int64_t> expected_fields(const std::string& kinds) {
    std::set<std::int64_t> out;
    for (const auto& [id, f] : all_fields()) {
      if (f.status == station::FieldStatus::kConfirmed || f.value.empty() || !f.export_note_ja.empty()) continue;
      if (f.confidence >= config_.confidence_threshold) continue;
      bool all = true;
      for (char c : f.value) all = all && kinds.find(c) != std::string::npos;
      if (all) out.insert(id);
    }
    return out;
  }

  std::vector<std::int64_t> ids_;
};

TEST(GroupVerificationBoxes, TheFieldBoxIsSplitByCharacterWithoutGapsOrOverlap) {
  const station::PixelBox field{100, 40, 301, 30};
  int x = field.x;
  for (int i = 0; i < 7; ++i) {
    const auto b = station::character_box(field, i, 7);
    EXPECT_EQ(b.x, x);
    EXPECT_EQ(b.y, field.y);
    EXPECT_EQ(b.h, field.h);
    EXPECT_GE(b.w, 42);
    EXPECT_LE(b.w, 44);
    x = b.x + b.w;
  }
  EXPECT_EQ(x, field.x + field.w);
  EXPECT_EQ(station::character_box(station::PixelBox{}, 0, 3).w, 0) << "no box: no character box";
  station::FieldInfo f;
  f.value = "９a0";  // a full-width digit is one character of three bytes
  f.confidence = 0.4;
  f.box = {0, 0, 90, 10};
  const auto chars = station::read_characters(f);
  ASSERT_EQ(chars.size(), 3u);
  EXPECT_EQ(chars[0].c, "９");
  EXPECT_EQ(chars[1].c, "a");
  EXPECT_EQ(chars[2].box.x, 60);
  EXPECT_DOUBLE_EQ(chars[2].confidence, 0.4);
}

// fields.chars as the reader stores it: per character {"c", "confidence", "alternatives", "box"?}.
struct Read {
  const char* c;
  double confidence;
  std::vector<int> box;  // x, y, w, h (page pixels); empty: none
  std::vector<std::string> alternatives = {};
};
std::string reader_json(const std::vector<Read>& chars) {
  json out = json::array();
  for (const auto& r : chars) {
    json one{{"c", r.c}, {"confidence", r.confidence}, {"alternatives", r.alternatives}};
    if (!r.box.empty()) one["box"] = r.box;
    out.push_back(std::move(one));
  }
  return out.dump();
}

// The reader's own characters (fields.chars, migration 14) when it kept them: their confidences,
// alternatives and boxes; a character without a box, or with one off the field, gets its share of
// the field's box; characters that no longer spell the value fall back to the even split.
TEST(GroupVerificationBoxes, TheReadersCharacterBoxesAreUsedWhenItKeptThem) {
  station::FieldInfo f;
  f.value = "906";
  f.confidence = 0.4;
  f.box = {100, 50, 90, 30};
  f.reader_chars = reader_json({{"9", 0.97, {102, 52, 20, 26}}, {"0", 0.55, {131, 53, 22, 25}, {"6"}}, {"6", 0.91, {}}});
  auto chars = station::read_characters(f);
  ASSERT_EQ(chars.size(), 3u);
  EXPECT_EQ(chars[0].box.x, 102);
  EXPECT_EQ(chars[0].box.y, 52);
  EXPECT_EQ(chars[0].box.w, 20);
  EXPECT_EQ(chars[0].box.h, 26);
  EXPECT_EQ(chars[1].box.x, 131);
  EXPECT_EQ(chars[1].box.w, 22);
  EXPECT_DOUBLE_EQ(chars[1].confidence, 0.55);
  EXPECT_EQ(chars[1].alternatives, std::vector<std::string>{"6"});
  EXPECT_DOUBLE_EQ(chars[0].confidence, 0.97) << "the reader's own doubt, not the value's";
  // No box from the reader for the third: its share of the field's box (the last third).
  EXPECT_EQ(chars[2].box.x, 160);
  EXPECT_EQ(chars[2].box.w, 30);
  EXPECT_EQ(chars[2].box.y, 50);

  // A box off the field (another zone's glyph, a stale reading) is not trusted.
  auto off = f;
  off.reader_chars = reader_json({{"9", 0.9, {900, 700, 20, 26}}, {"0", 0.9, {131, 53, 22, 25}}, {"6", 0.9, {160, 52, 21, 26}}});
  chars = station::read_characters(off);
  ASSERT_EQ(chars.size(), 3u);
  EXPECT_EQ(chars[0].box.x, 100);
  EXPECT_EQ(chars[0].box.w, 30);
  EXPECT_EQ(chars[2].box.x, 160);
  EXPECT_EQ(chars[2].box.w, 21);

  // A value changed after reading: the reader's characters no longer spell it; the even split.
  auto changed = f;
  changed.value = "9060";
  chars = station::read_characters(changed);
  ASSERT_EQ(chars.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    const auto even = station::character_box(changed.box, i, 4);
    EXPECT_EQ(chars[static_cast<std::size_t>(i)].box.x, even.x);
    EXPECT_EQ(chars[static_cast<std::size_t>(i)].box.w, even.w);
    EXPECT_DOUBLE_EQ(chars[static_cast<std::size_t>(i)].confidence, 0.4);
  }
  // No reader characters at all, or unreadable ones: the even split too.
  for (const std::string bad : {std::string(), std::string("not json"), std::string("[{\"c\": 9}]")}) {
    auto none = f;
    none.reader_chars = bad;
    chars = station::read_characters(none);
    ASSERT_EQ(chars.size(), 3u) << bad;
    EXPECT_EQ(chars[1].box.x, 130) << bad;
    EXPECT_DOUBLE_EQ(chars[1].confidence, 0.4) << bad;
  }

  // A name's full-width space (the reader keeps none) stays a certain character of its own, so the
  // positions are the value's and a pass keeps the space.
  station::FieldInfo name;
  name.value = "遠藤\u3000明";
  name.confidence = 0.5;
  name.box = {0, 0, 80, 20};
  name.reader_chars = reader_json({{"遠", 0.9, {1, 1, 18, 18}}, {"藤", 0.3, {21, 1, 18, 18}}, {"明", 0.9, {61, 1, 18, 18}}});
  chars = station::read_characters(name);
  ASSERT_EQ(chars.size(), 4u);
  EXPECT_EQ(chars[2].c, "\u3000");
  EXPECT_DOUBLE_EQ(chars[2].confidence, 1.0);
  EXPECT_EQ(chars[3].c, "明");
  EXPECT_EQ(chars[3].box.x, 61);
  EXPECT_DOUBLE_EQ(chars[1].confidence, 0.3);
}

TEST_F(GroupVerification, TheDoubtfulDigitsOfWholeFieldsAreGatheredAcrossTheQueue) {
  const auto want = expected_fields("0689");
  ASSERT_GE(want.size(), 4u) << "fields read as " << kRead << " across both envelopes";
  auto g = station::doubtful_characters(*station_, reviewer_, {"0689", 0, 400});
  ASSERT_TRUE(g) << g.error().detail;
  EXPECT_FALSE(g->truncated);
  const auto fields = all_fields();
  std::set<std::int64_t> got;
  std::set<std::int64_t> envelopes;
  for (const auto& c : g->cells) {
    got.insert(c.field_id);
    envelopes.insert(c.envelope_id);
    const auto& f = fields.at(c.field_id);
    EXPECT_EQ(c.envelope_id, f.envelope_id);
    EXPECT_EQ(c.page_id, f.page_id);
    EXPECT_EQ(c.label_ja, f.label_ja);
    EXPECT_FALSE(c.receipt_no.empty());
    // The character as read at its place, and its box inside the field's.
    const auto chars = station::read_characters(f);
    ASSERT_LT(static_cast<std::size_t>(c.index), chars.size());
    EXPECT_EQ(c.reading.c, chars[static_cast<std::size_t>(c.index)].c);
    EXPECT_EQ(c.length, static_cast<int>(chars.size()));
    if (f.box.w > 0) {
      EXPECT_GE(c.reading.box.x, f.box.x);
      EXPECT_LE(c.reading.box.x + c.reading.box.w, f.box.x + f.box.w);
      EXPECT_EQ(c.reading.box.y, f.box.y);
    }
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(g->fields, static_cast<int>(want.size()));
  EXPECT_EQ(envelopes.size(), 2u) << "across the queue";
  // "9" alone: the fields read "906" also doubt a 0 and a 6, so no pass over 9s can decide them.
  auto nines = station::doubtful_characters(*station_, reviewer_, {"9", 0, 400});
  ASSERT_TRUE(nines);
  for (const auto& c : nines->cells) EXPECT_NE(fields.at(c.field_id).value, kRead);
  // One envelope only.
  auto one = station::doubtful_characters(*station_, reviewer_, {"0689", ids_[1], 400});
  ASSERT_TRUE(one);
  ASSERT_FALSE(one->cells.empty());
  for (const auto& c : one->cells) EXPECT_EQ(c.envelope_id, ids_[1]);
  // A limit keeps whole fields and says so.
  auto few = station::doubtful_characters(*station_, reviewer_, {"0689", 0, 7});
  ASSERT_TRUE(few);
  EXPECT_TRUE(few->truncated);
  EXPECT_LE(few->cells.size(), 7u);
  std::map<std::int64_t, int> per_field;
  for (const auto& c : few->cells) ++per_field[c.field_id];
  for (const auto& c : few->cells) EXPECT_EQ(per_field[c.field_id], c.length) << "whole fields only";
  EXPECT_EQ(few->fields, static_cast<int>(per_field.size()));
  // A clerk may not.
  auto refused = station::doubtful_characters(*station_, clerk_, {"0689", 0, 400});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
}

TEST_F(GroupVerification, APassConfirmsAndCorrectsWholeFieldsAndRefusesStalePasses) {
  auto g = station::doubtful_characters(*station_, reviewer_, {"0689", ids_[0], 400});
  ASSERT_TRUE(g);
  ASSERT_GE(g->cells.size(), 6u);
  std::vector<station::CharacterDecision> pass;
  for (const auto& c : g->cells) pass.push_back({c.field_id, c.index, c.reading.c, c.reading.c});
  // The first field read exactly as the fake reader reads it.
  const auto fields = all_fields();
  std::int64_t corrected_field = 0;
  for (const auto& c : g->cells)
    if (corrected_field == 0 && fields.at(c.field_id).value == kRead) corrected_field = c.field_id;
  ASSERT_NE(corrected_field, 0);
  // The middle character of the first field corrected: 0 -> 8.
  for (auto& d : pass)
    if (d.field_id == corrected_field && d.index == 1) d.value = "8";

  // Refusals first; each changes nothing.
  const auto before = all_fields();
  auto count_confirmed = [&] {
    int n = 0;
    for (const auto& [id, f] : all_fields()) n += f.status == station::FieldStatus::kConfirmed;
    return n;
  };
  const int confirmed_before = count_confirmed();
  {
    auto stale = pass;
    stale.back().read = stale.back().read == "9" ? "6" : "9";
    auto r = station::decide_characters(*station_, reviewer_, stale);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kConflict);
    EXPECT_FALSE(r.error().reason_ja.empty());
  }
  {
    auto partial = pass;
    partial.pop_back();  // the last field's last doubtful character missing
    auto r = station::decide_characters(*station_, reviewer_, partial);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  }
  {
    auto two = pass;
    two.front().value = "88";
    auto r = station::decide_characters(*station_, reviewer_, two);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
    two.front().value = "";
    r = station::decide_characters(*station_, reviewer_, two);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  }
  {
    auto r = station::decide_characters(*station_, clerk_, pass);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  }
  EXPECT_EQ(count_confirmed(), confirmed_before);

  // The pass itself.
  auto r = station::decide_characters(*station_, reviewer_, pass);
  ASSERT_TRUE(r) << r.error().detail;
  std::set<std::int64_t> in_pass;
  for (const auto& d : pass) in_pass.insert(d.field_id);
  EXPECT_EQ(r->confirmed + static_cast<int>(r->refused.size()), static_cast<int>(in_pass.size()));
  EXPECT_GT(r->confirmed, 0);
  const auto after = all_fields();
  std::set<std::int64_t> refused;
  for (const auto& x : r->refused) {
    refused.insert(x.field_id);
    EXPECT_FALSE(x.reason_ja.empty());
    EXPECT_EQ(after.at(x.field_id).status, station::FieldStatus::kSuggested) << "a refused value stays to be verified";
  }
  for (const auto id : in_pass) {
    if (refused.contains(id)) continue;
    const auto& f = after.at(id);
    EXPECT_EQ(f.status, station::FieldStatus::kConfirmed);
    EXPECT_EQ(f.confirmed_by, "reviewer1");
    if (id == corrected_field) {
      EXPECT_EQ(f.confirmed_value.substr(0, 3), "986") << "corrected in the pass";
    }
  }
  if (!refused.contains(corrected_field)) {
    EXPECT_EQ(r->corrected, 1);
  }
  // The other envelope is untouched, and this one's confirmed fields are no longer gathered.
  for (const auto& [id, f] : after) {
    if (f.envelope_id == ids_[1]) {
      EXPECT_EQ(f.status, before.at(id).status);
    }
  }
  auto again = station::doubtful_characters(*station_, reviewer_, {"0689", ids_[0], 400});
  ASSERT_TRUE(again);
  for (const auto& c : again->cells) EXPECT_TRUE(refused.contains(c.field_id));
  // The same pass again: its fields are confirmed now.
  auto replay = station::decide_characters(*station_, reviewer_, pass);
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, ErrorCode::kConflict);
}

TEST_F(GroupVerification, TheApiGathersAndDecidesWithRolesAndCsrf) {
  ASSERT_NO_FATAL_FAILURE(serve());
  const Session reviewer = login("reviewer1", "reviewer-password-1");
  const Session clerk = login("clerk1", "clerk-password-1");
  auto res = get(reviewer, "/api/v1/doubtful-characters?chars=0689");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto j = json::parse(res->body);
  EXPECT_EQ(j.at("chars"), "0689");
  EXPECT_DOUBLE_EQ(j.at("threshold").get<double>(), config_.confidence_threshold);
  EXPECT_FALSE(j.at("truncated").get<bool>());
  const auto want = expected_fields("0689");
  EXPECT_EQ(j.at("fields").get<std::size_t>(), want.size());
  ASSERT_FALSE(j.at("cells").empty());
  for (const auto& c : j.at("cells")) {
    for (const char* k : {"field_id", "envelope_id", "receipt_no", "page_id", "key", "label_ja", "index", "length", "c",
                          "confidence", "alternatives", "box", "page"})
      EXPECT_TRUE(c.contains(k)) << k;
    EXPECT_TRUE(want.contains(c.at("field_id").get<std::int64_t>()));
    ASSERT_TRUE(c.at("page").is_object());
    EXPECT_EQ(c.at("page").at("id"), c.at("page_id"));
    EXPECT_EQ(c.at("page").at("image_url").get<std::string>().rfind("/api/v1/pages/", 0), 0u);
  }
  // Empty chars: every digit.
  auto digits = get(reviewer, "/api/v1/doubtful-characters");
  ASSERT_TRUE(digits);
  EXPECT_EQ(json::parse(digits->body).at("chars"), "0123456789");
  // Refusals: a clerk (the matrix), a bad envelope, no CSRF, a bad body.
  auto as_clerk = get(clerk, "/api/v1/doubtful-characters");
  ASSERT_TRUE(as_clerk);
  EXPECT_EQ(as_clerk->status, 403);
  auto bad_env = get(reviewer, "/api/v1/doubtful-characters?envelope=x1");
  ASSERT_TRUE(bad_env);
  EXPECT_EQ(bad_env->status, 400);
  auto cells = json::array();
  for (const auto& c : j.at("cells"))
    cells.push_back({{"field_id", c.at("field_id")}, {"index", c.at("index")}, {"read", c.at("c")}, {"value", c.at("c")}});
  const std::string body = json{{"cells", cells}}.dump();
  auto no_csrf = post(reviewer, "/api/v1/doubtful-characters/decide", body, /*csrf=*/false);
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  auto clerk_post = post(clerk, "/api/v1/doubtful-characters/decide", body);
  ASSERT_TRUE(clerk_post);
  EXPECT_EQ(clerk_post->status, 403);
  for (const std::string bad : {"", "[]", "{\"cells\": 3}", "{\"cells\": [{\"field_id\": 1}]}", "{\"cells\": []}"}) {
    auto r = post(reviewer, "/api/v1/doubtful-characters/decide", bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_TRUE(json::parse(r->body).contains("reason_ja")) << bad;
  }
  for (const auto& [id, f] : all_fields()) EXPECT_EQ(f.status, station::FieldStatus::kSuggested) << "nothing confirmed yet";
  // The pass.
  auto ok = post(reviewer, "/api/v1/doubtful-characters/decide", body);
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  const auto r = json::parse(ok->body);
  EXPECT_EQ(r.at("confirmed").get<std::size_t>() + r.at("refused").size(), want.size());
  EXPECT_EQ(r.at("corrected"), 0);
  int confirmed = 0;
  for (const auto& [id, f] : all_fields()) confirmed += f.status == station::FieldStatus::kConfirmed;
  EXPECT_EQ(confirmed, r.at("confirmed").get<int>());
  // Sent again: the fields have changed meanwhile (409 with a reason).
  auto replay = post(reviewer, "/api/v1/doubtful-characters/decide", body);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 409);
  EXPECT_TRUE(json::parse(replay->body).contains("reason_ja"));
}

}  // namespace
