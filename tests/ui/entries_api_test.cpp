// Blind double entry (issue #17; station/double_entry.h, review/double_entry.h, store/entries.h,
// /api/v1/entries; docs/ui.md) on a real store whose recognition reads every zone through a fake
// OCR engine as kRead with a high confidence: without double entry every value would be ready to
// confirm. With [verification] double_entry = ["amount", "comb"]: at the facade, two equal entries
// (after normalisation) confirm a field through the one confirm path, different ones make it
// disputed and a third person decides; the same person twice, the wrong round, a keyer deciding, a
// field not under double entry and a confirmed one are refused and change nothing; confirm_field
// and group verification do not let a value past; the envelope stays 読取済 until the last
// double-entry field is decided; the audit names no value. Through the real web server: the
// shapes, the settings for every role, and no answer to a keyer carrying the value as read or the
// other entry before the field is decided.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "ocr/fake_engine.h"
#include "services.h"
#include "station/double_entry.h"
#include "station/group_verification.h"
#include "station/station.h"
#include "web_api_fixture.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using station::ErrorCode;
using station::Role;
using web_test::Session;

// What the fake engine reads in every zone: digits no id, box or date in the answers contains.
constexpr const char* kRead = "7392518";
constexpr const char* kReviewer2 = "reviewer2";
constexpr const char* kReviewer2Password = "third-person-pw-81";

class DoubleEntry : public web_test::WebApiTest {
 protected:
  DoubleEntry() : WebApiTest("entries-test") {}

  void SetUp() override {
    config_.ocr_workers = 1;
    config_.double_entry_types = {"amount", "comb"};
    fake_.set_callback([](const ocr::Image&, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      return ocr::FakeEngine::reading(kRead, 0.99);
    });
    ASSERT_NO_FATAL_FAILURE(create_station());
    ASSERT_NO_FATAL_FAILURE(add_staff());
    log_in_staff();
    admin_ = *station_->login(web_test::kAdmin, web_test::kAdminPassword);
    auto r2 = station_->add_user(&admin_, kReviewer2, kReviewer2Password, Role::kReviewer);
    ASSERT_TRUE(r2) << r2.error().detail;
    reviewer2_ = *station_->login(kReviewer2, kReviewer2Password);
    auto r = station_->import_envelope(clerk_, {fs::path(STATION_SHARED_DIR) / "samples/app-001"}, {"2026-03-30", 4});
    ASSERT_TRUE(r) << r.error().detail;
    envelope_ = r->envelope_id;
    ASSERT_TRUE(station_->wait_for_recognition(std::chrono::minutes(5)));
    auto fs = station_->fields(supervisor_, envelope_);
    ASSERT_TRUE(fs);
    for (const auto& f : *fs) by_key_[f.key] = f;
    ASSERT_TRUE(by_key_.contains("amount"));
    ASSERT_TRUE(by_key_.contains("bank.account_no"));
    ASSERT_TRUE(by_key_.contains("corp.name"));
  }

  station::FieldInfo field(const std::string& key) {
    auto f = station_->field(supervisor_, by_key_.at(key).id);
    EXPECT_TRUE(f);
    return f ? *f : station::FieldInfo{};
  }
  station::EnvelopeState state() { return station_->envelope(supervisor_, envelope_)->state; }
  std::vector<station::AuditEntry> audit() {
    auto a = station_->audit_search(supervisor_, station::AuditQuery{});
    EXPECT_TRUE(a);
    return a ? *a : std::vector<station::AuditEntry>{};
  }
  std::set<std::int64_t> task_ids(const station::User& u, station::double_entry::Queue q) {
    auto t = station_->entry_tasks(u, q);
    EXPECT_TRUE(t) << (t ? "" : t.error().detail);
    std::set<std::int64_t> out;
    if (t)
      for (const auto& x : *t) out.insert(x.field_id);
    return out;
  }

  station::User admin_, reviewer2_;
  std::int64_t envelope_ = 0;
  std::map<std::string, station::FieldInfo> by_key_;
};

TEST_F(DoubleEntry, EqualEntriesConfirmThroughTheConfirmPath) {
  const auto amount = by_key_.at("amount").id;
  // Under double entry: shown as waiting, needing attention, though the reading is confident.
  EXPECT_EQ(field("amount").entry_state, "awaiting_first");
  EXPECT_TRUE(field("amount").needs_attention);
  EXPECT_EQ(field("corp.name").entry_state, "");  // "text" is not configured
  EXPECT_TRUE(task_ids(reviewer_, station::double_entry::Queue::kToKey).contains(amount));
  EXPECT_FALSE(task_ids(reviewer_, station::double_entry::Queue::kToKey).contains(by_key_.at("corp.name").id));

  auto first = station_->submit_entry(reviewer_, amount, 1, "120,000");
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_EQ(first->state, station::double_entry::State::kAwaitingSecond);
  EXPECT_FALSE(first->confirmed);
  EXPECT_EQ(first->value, "");
  EXPECT_EQ(field("amount").status, station::FieldStatus::kSuggested);  // the first entry confirms nothing
  EXPECT_EQ(field("amount").entry_state, "awaiting_second");
  // The first keyer is no longer offered it; another person is, for round 2.
  EXPECT_FALSE(task_ids(reviewer_, station::double_entry::Queue::kToKey).contains(amount));
  auto sup_tasks = station_->entry_tasks(supervisor_, station::double_entry::Queue::kToKey);
  ASSERT_TRUE(sup_tasks);
  const auto t = std::find_if(sup_tasks->begin(), sup_tasks->end(), [&](const auto& x) { return x.field_id == amount; });
  ASSERT_NE(t, sup_tasks->end());
  EXPECT_EQ(t->round, 2);

  // Refusals change nothing: the same person again, the wrong round.
  auto same = station_->submit_entry(reviewer_, amount, 2, "120000");
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().code, ErrorCode::kConflict);
  EXPECT_NE(same.error().reason_ja.find("1人目"), std::string::npos);
  auto wrong_round = station_->submit_entry(supervisor_, amount, 1, "120000");
  ASSERT_FALSE(wrong_round);
  EXPECT_EQ(wrong_round.error().code, ErrorCode::kConflict);
  EXPECT_EQ(field("amount").entry_state, "awaiting_second");
  // A clerk is no keyer.
  auto clerk = station_->submit_entry(clerk_, amount, 2, "120000");
  ASSERT_FALSE(clerk);
  EXPECT_EQ(clerk.error().code, ErrorCode::kForbidden);

  // Equal after normalisation ("120,000" = "120000"): confirmed by the second keyer.
  auto second = station_->submit_entry(supervisor_, amount, 2, "120000");
  ASSERT_TRUE(second) << second.error().detail;
  EXPECT_EQ(second->state, station::double_entry::State::kDecided);
  EXPECT_TRUE(second->confirmed);
  EXPECT_EQ(second->value, "120000");
  const auto f = field("amount");
  EXPECT_EQ(f.status, station::FieldStatus::kConfirmed);
  EXPECT_EQ(f.confirmed_value, "120000");
  EXPECT_EQ(f.confirmed_by, web_test::kSupervisor);
  EXPECT_EQ(f.entry_state, "decided");
  // Confirmed: no further entry.
  auto again = station_->submit_entry(reviewer2_, amount, 2, "1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(field("amount").confirmed_value, "120000");

  // The audit: the steps and the confirmation (a correction of what was read), never a value.
  std::set<std::string> actions;
  for (const auto& e : audit()) {
    EXPECT_EQ(e.subject.find("120000"), std::string::npos) << e.action;
    EXPECT_EQ(e.subject.find("120,000"), std::string::npos) << e.action;
    if (e.subject.find("field:amount") != std::string::npos) actions.insert(e.action);
  }
  EXPECT_TRUE(actions.contains("entry.first"));
  EXPECT_TRUE(actions.contains("entry.agreed"));
  EXPECT_TRUE(actions.contains("field.correct"));
}

TEST_F(DoubleEntry, DifferentEntriesAreDisputedAndAThirdPersonDecides) {
  const auto account = by_key_.at("bank.account_no").id;  // a "comb" field
  ASSERT_TRUE(station_->submit_entry(reviewer_, account, 1, "1234567"));
  auto second = station_->submit_entry(supervisor_, account, 2, "1234561");
  ASSERT_TRUE(second) << second.error().detail;
  EXPECT_EQ(second->state, station::double_entry::State::kDisputed);
  EXPECT_FALSE(second->confirmed);
  EXPECT_EQ(second->value, "");
  EXPECT_EQ(field("bank.account_no").status, station::FieldStatus::kSuggested);
  EXPECT_EQ(field("bank.account_no").entry_state, "disputed");

  // Neither keyer sees the dispute or decides it; nobody keys it any more.
  for (const auto* keyer : {&reviewer_, &supervisor_}) {
    auto d = station_->entry_dispute(*keyer, account);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, ErrorCode::kForbidden);
    auto decided = station_->decide_entry(*keyer, account, "1234567");
    ASSERT_FALSE(decided);
    EXPECT_EQ(decided.error().code, ErrorCode::kForbidden);
    EXPECT_FALSE(task_ids(*keyer, station::double_entry::Queue::kToDecide).contains(account));
  }
  EXPECT_FALSE(station_->submit_entry(reviewer2_, account, 2, "1234567"));
  EXPECT_FALSE(task_ids(reviewer2_, station::double_entry::Queue::kToKey).contains(account));
  EXPECT_TRUE(task_ids(reviewer2_, station::double_entry::Queue::kToDecide).contains(account));

  // The third person sees both entries, who keyed them, and decides.
  auto d = station_->entry_dispute(reviewer2_, account);
  ASSERT_TRUE(d) << d.error().detail;
  ASSERT_EQ(d->entries.size(), 2u);
  EXPECT_EQ(d->entries[0].value, "1234567");
  EXPECT_EQ(d->entries[0].user, web_test::kReviewer);
  EXPECT_EQ(d->entries[1].value, "1234561");
  EXPECT_EQ(d->entries[1].user, web_test::kSupervisor);
  auto bad = station_->decide_entry(reviewer2_, account, "12345");  // 口座番号 is 7 digits
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
  auto decided = station_->decide_entry(reviewer2_, account, "1234567");
  ASSERT_TRUE(decided) << decided.error().detail;
  EXPECT_TRUE(decided->confirmed);
  const auto f = field("bank.account_no");
  EXPECT_EQ(f.status, station::FieldStatus::kConfirmed);
  EXPECT_EQ(f.confirmed_value, "1234567");
  EXPECT_EQ(f.confirmed_by, kReviewer2);
  EXPECT_FALSE(station_->decide_entry(reviewer2_, account, "1234561"));  // decided once
  bool adjudicated = false;
  for (const auto& e : audit()) {
    EXPECT_EQ(e.subject.find("1234567"), std::string::npos);
    EXPECT_EQ(e.subject.find("1234561"), std::string::npos);
    adjudicated |= e.action == "entry.adjudicate" && e.username == kReviewer2;
  }
  EXPECT_TRUE(adjudicated);
}

TEST_F(DoubleEntry, NothingBypassesTheEntriesAndTheEnvelopeWaitsForThem) {
  const auto amount = by_key_.at("amount").id;
  // confirm_field refuses a field under double entry, however confident its reading.
  auto direct = station_->confirm_field(reviewer_, amount, kRead);
  ASSERT_FALSE(direct);
  EXPECT_EQ(direct.error().code, ErrorCode::kConflict);
  EXPECT_NE(direct.error().reason_ja.find("二重入力"), std::string::npos);
  // Nor does the values file set it (all or nothing: the other value is not confirmed either).
  auto file = station_->confirm_values(reviewer_, envelope_, R"({"fields": {"amount": "1", "corp.name": "x"}})");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::kConflict);
  EXPECT_NE(file.error().reason_ja.find("二重入力"), std::string::npos);
  EXPECT_EQ(field("corp.name").status, station::FieldStatus::kSuggested);
  EXPECT_EQ(field("amount").status, station::FieldStatus::kSuggested);
  // A field not under double entry takes no entry.
  auto not_under = station_->submit_entry(reviewer_, by_key_.at("corp.name").id, 1, "x");
  ASSERT_FALSE(not_under);
  EXPECT_EQ(not_under.error().code, ErrorCode::kConflict);
  // Group verification gathers no character of a double-entry field.
  auto group = station::doubtful_characters(*station_, reviewer_, station::CharacterQuery{});
  ASSERT_TRUE(group);
  std::set<std::string> keys;
  for (const auto& c : group->cells) keys.insert(c.field_key);
  for (const auto& [key, f] : by_key_)
    if (!field(key).entry_state.empty()) EXPECT_FALSE(keys.contains(key)) << key;

  // Every other value confirmed: the envelope stays 読取済 while double-entry fields wait.
  std::vector<std::int64_t> under;
  for (const auto& [key, f] : by_key_) {
    if (!field(key).entry_state.empty()) {
      under.push_back(f.id);
      continue;
    }
    auto c = station_->confirm_field(reviewer_, f.id, f.value);
    ASSERT_TRUE(c) << key << ": " << c.error().detail;
  }
  ASSERT_GE(under.size(), 2u);
  EXPECT_EQ(state(), station::EnvelopeState::kRecognized);
  for (std::size_t i = 0; i < under.size(); ++i) {
    const auto& f = std::find_if(by_key_.begin(), by_key_.end(), [&](const auto& kv) { return kv.second.id == under[i]; })->second;
    const std::string v = f.key == "facility.jigyosho_no" ? "1234567890" : f.key == "bank.account_no" ? "7654321" : "50000";
    ASSERT_TRUE(station_->submit_entry(reviewer_, f.id, 1, v)) << f.key;
    EXPECT_EQ(state(), station::EnvelopeState::kRecognized);
    auto s = station_->submit_entry(reviewer2_, f.id, 2, v);
    ASSERT_TRUE(s) << f.key << ": " << s.error().detail;
    EXPECT_EQ(state(), i + 1 == under.size() ? station::EnvelopeState::kReviewed : station::EnvelopeState::kRecognized);
  }
}

TEST_F(DoubleEntry, TheApiNeverTellsAKeyerTheReadingOrTheOtherEntry) {
  ASSERT_NO_FATAL_FAILURE(serve());
  const Session reviewer = login(web_test::kReviewer, web_test::kReviewerPassword);
  const Session supervisor = login(web_test::kSupervisor, web_test::kSupervisorPassword);
  const Session reviewer2 = login(kReviewer2, kReviewer2Password);
  const Session admin = login(web_test::kAdmin, web_test::kAdminPassword);
  const Session clerk = login(web_test::kClerk, web_test::kClerkPassword);
  const auto account = by_key_.at("bank.account_no").id;
  const std::string path = "/api/v1/entries/" + std::to_string(account);

  // The settings: every role, the administrator too.
  for (const Session* s : {&admin, &clerk, &reviewer}) {
    auto r = get(*s, "/api/v1/entries/settings");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const json j = json::parse(r->body);
    ASSERT_EQ(j["types"].size(), 2u);
    EXPECT_EQ(j["types"][0]["type"], "amount");
    EXPECT_FALSE(j["types"][0]["label_ja"].get<std::string>().empty());
    int on = 0;
    for (const auto& k : j["known"]) on += k["on"].get<bool>() ? 1 : 0;
    EXPECT_EQ(on, 2);
  }

  // The keyer's list: the crop's page and box, no value.
  auto list = get(reviewer, "/api/v1/entries?queue=key");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  EXPECT_EQ(list->body.find(kRead), std::string::npos);
  const json tasks = json::parse(list->body);
  const auto it = std::find_if(tasks["fields"].begin(), tasks["fields"].end(),
                               [&](const json& t) { return t["field_id"] == account; });
  ASSERT_NE(it, tasks["fields"].end());
  EXPECT_EQ((*it)["round"], 1);
  EXPECT_FALSE(it->contains("value"));
  EXPECT_TRUE((*it)["page"].is_object());
  EXPECT_GT((*it)["box"]["w"].get<int>(), 0);
  EXPECT_EQ(get(clerk, "/api/v1/entries")->status, 403);
  EXPECT_EQ(get(reviewer, "/api/v1/entries?queue=other")->status, 400);

  // The verification screen's data shows no reading for the double-entry field.
  auto verification = get(reviewer, "/api/v1/envelopes/" + std::to_string(envelope_) + "/verification");
  ASSERT_TRUE(verification);
  ASSERT_EQ(verification->status, 200);
  bool seen = false;
  const json verification_data = json::parse(verification->body);  // held: the loop reads its member
  for (const auto& f : verification_data["fields"]) {
    if (f["id"] != account) continue;
    seen = true;
    EXPECT_EQ(f["value"], "");
    EXPECT_EQ(f["read_value"], "");
    EXPECT_EQ(f["double_entry"], "awaiting_first");
    EXPECT_TRUE(f["needs_attention"].get<bool>());
  }
  EXPECT_TRUE(seen);
  // Nor does the old field list.
  auto old_list = get(reviewer, "/api/envelopes/" + std::to_string(envelope_) + "/fields");
  ASSERT_TRUE(old_list);
  const json old_fields = json::parse(old_list->body);
  bool seen_old = false;
  for (const auto& f : old_fields)
    if (f["id"] == account) {
      seen_old = true;
      EXPECT_EQ(f["value"], "");
    }
  EXPECT_TRUE(seen_old);

  // Bad bodies, a missing CSRF token.
  EXPECT_EQ(post(reviewer, path, json{{"value", "1234567"}})->status, 400);
  EXPECT_EQ(post(reviewer, path, json{{"round", 4}, {"value", "1234567"}})->status, 400);
  EXPECT_EQ(post(reviewer, path, json{{"round", 1}, {"value", "1234567"}}, false)->status, 403);

  auto first = post(reviewer, path, json{{"round", 1}, {"value", "1234567"}});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(json::parse(first->body)["state"], "awaiting_second");
  EXPECT_FALSE(json::parse(first->body).contains("value"));
  EXPECT_EQ(first->body.find(kRead), std::string::npos);

  // The second keyer's list and answer carry neither the reading nor the first entry.
  auto list2 = get(supervisor, "/api/v1/entries");
  ASSERT_EQ(list2->status, 200);
  EXPECT_EQ(list2->body.find("1234567"), std::string::npos);
  EXPECT_EQ(list2->body.find(kRead), std::string::npos);
  auto same = post(reviewer, path, json{{"round", 2}, {"value", "1234567"}});
  EXPECT_EQ(same->status, 409);
  EXPECT_NE(json::parse(same->body)["reason_ja"].get<std::string>().find("1人目"), std::string::npos);
  EXPECT_EQ(same->body.find(kRead), std::string::npos);
  auto second = post(supervisor, path, json{{"round", 2}, {"value", "7654321"}});
  ASSERT_EQ(second->status, 200) << second->body;
  const json s2 = json::parse(second->body);
  EXPECT_EQ(s2["state"], "disputed");
  EXPECT_FALSE(s2["confirmed"].get<bool>());
  EXPECT_EQ(second->body.find("1234567"), std::string::npos);
  EXPECT_EQ(second->body.find(kRead), std::string::npos);

  // The dispute: refused to the keyers, both entries for the third person.
  EXPECT_EQ(get(reviewer, path + "/dispute")->status, 403);
  EXPECT_EQ(get(supervisor, path + "/dispute")->status, 403);
  auto to_decide = get(reviewer2, "/api/v1/entries?queue=decide");
  ASSERT_EQ(to_decide->status, 200);
  EXPECT_EQ(json::parse(to_decide->body)["fields"].size(), 1u);
  auto dispute = get(reviewer2, path + "/dispute");
  ASSERT_EQ(dispute->status, 200) << dispute->body;
  const json d = json::parse(dispute->body);
  ASSERT_EQ(d["entries"].size(), 2u);
  EXPECT_EQ(d["entries"][0]["value"], "1234567");
  EXPECT_EQ(d["entries"][1]["value"], "7654321");
  EXPECT_EQ(d["entries"][0]["user"], web_test::kReviewer);
  EXPECT_EQ(post(supervisor, path + "/decide", json{{"value", "7654321"}})->status, 403);
  auto decided = post(reviewer2, path + "/decide", json{{"value", "7654321"}});
  ASSERT_EQ(decided->status, 200) << decided->body;
  EXPECT_TRUE(json::parse(decided->body)["confirmed"].get<bool>());
  EXPECT_EQ(json::parse(decided->body)["value"], "7654321");
  EXPECT_EQ(field("bank.account_no").confirmed_value, "7654321");
}

TEST(DoubleEntryTypes, EveryTemplateFieldTypeIsKnownAndTheTableIsOneStepAtATime) {
  // Every "type" the templates give a field can be named in [verification] double_entry.
  std::set<std::string> known;
  for (const auto& t : station::double_entry::field_types()) known.insert(std::string(t.name));
  const std::regex type_re(R"re("type"\s*:\s*"([a-z_]+)")re");
  int seen = 0;
  for (const auto& e : fs::directory_iterator(fs::path(STATION_SOURCE_DIR) / "station/templates")) {
    std::ifstream in(e.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (auto m = std::sregex_iterator(text.begin(), text.end(), type_re); m != std::sregex_iterator(); ++m) {
      ++seen;
      EXPECT_TRUE(known.contains((*m)[1].str())) << e.path().filename() << ": " << (*m)[1].str();
    }
  }
  EXPECT_GT(seen, 20);
  using station::double_entry::Event;
  using station::double_entry::State;
  EXPECT_EQ(station::double_entry::next(State::kAwaitingFirst, Event::kFirstEntry), State::kAwaitingSecond);
  EXPECT_EQ(station::double_entry::next(State::kAwaitingSecond, Event::kSecondDiffers), State::kDisputed);
  EXPECT_EQ(station::double_entry::next(State::kDisputed, Event::kAdjudicated), State::kDecided);
  EXPECT_FALSE(station::double_entry::next(State::kAwaitingFirst, Event::kSecondAgrees));
  EXPECT_FALSE(station::double_entry::next(State::kDecided, Event::kAdjudicated));
  for (const auto& t : station::double_entry::transitions()) {
    EXPECT_EQ(station::double_entry::parse_state(station::double_entry::state_name(t.to)), t.to);
    EXPECT_FALSE(station::double_entry::state_label_ja(t.to).empty());
  }
}

}  // namespace
