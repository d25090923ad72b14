// The supervisor's and administrator's JSON API (issue #17; docs/ui.md): the dashboard's counts and
// throughput after real work, the export run as a background job to its end with a real recipient
// certificate (openssl) and its encrypted set downloaded and opened with openssl, the keys screen,
// and the refusals (roles, CSRF, bad input) — through the real web server on a real store whose
// recognition reads through a fake OCR engine.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "api_supervisor.h"
#include "ocr/fake_engine.h"
#include "services.h"
#include "station/station.h"
#include "ui/web_server.h"
#include "web_api_fixture.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using station::ErrorCode;
using station::Role;
using web_test::Session;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  if (in) out << in.rdbuf();
  return std::move(out).str();
}

class SupervisorApi : public web_test::WebApiTest {
 protected:
  SupervisorApi() : WebApiTest("supervisor-api-test") {}

  void SetUp() override {
    config_.ocr_workers = 1;
    fake_.set_callback([](const ocr::Image&, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      return ocr::FakeEngine::reading("1", 0.99);
    });
    ASSERT_NO_FATAL_FAILURE(create_station());
    ASSERT_NO_FATAL_FAILURE(add_staff());
    log_in_staff();
    auto r = station_->import_envelope(clerk_, {fs::path(STATION_SHARED_DIR) / "samples/app-001"}, {"2026-03-30", 4});
    ASSERT_TRUE(r) << r.error().detail;
    id_ = r->envelope_id;
    ASSERT_TRUE(station_->wait_for_recognition(std::chrono::minutes(5)));
    auto fields = station_->fields(reviewer_, id_);
    ASSERT_TRUE(fields);
    for (const auto& f : *fields) {
      auto c = station_->confirm_field(reviewer_, f.id, f.value);
      if (!c && c.error().code == ErrorCode::kInvalidInput) c = station_->confirm_field(reviewer_, f.id, "");
      ASSERT_TRUE(c) << f.key << ": " << c.error().detail;
      ++confirmed_;
    }
    ui::WebOptions options;
    options.export_dir = dir_ / "exports";
    ASSERT_NO_FATAL_FAILURE(serve(options));
    client_->set_read_timeout(std::chrono::minutes(2));
  }

  json get_json(const Session& s, const std::string& path, int status = 200) {
    auto res = get(s, path);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, status) << path << ": " << res->body;
    return json::parse(res->body);
  }
  // The prefecture's pair, made by the openssl command as the export tests do.
  void make_recipient() {
    ASSERT_EQ(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + (dir_ / "pref-key.pem").string() +
                           "' -out '" + (dir_ / "pref-cert.pem").string() +
                           "' -days 30 -subj '/C=JP/O=Chiba Prefecture/CN=kourei-shisetsu' 2>/dev/null")
                              .c_str()),
              0);
  }
  void accept(const Session& super) {
    auto res = post(super, "/api/v1/envelopes/" + std::to_string(id_) + "/decision",
                    {{"decision", "accept"}, {"override", true}, {"reason", "県に確認済み"}});
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }

  std::int64_t id_ = 0;
  int confirmed_ = 0;
};

int state_count(const json& d, const std::string& state) {
  for (const auto& s : d.at("states"))
    if (s.at("state") == state) return s.at("count").get<int>();
  ADD_FAILURE() << "no state " << state;
  return -1;
}

TEST_F(SupervisorApi, TheDashboardCountsStatesAndTheDaysThroughputAfterADecision) {
  const Session super = login("super1", "super-password-1");
  const json before = get_json(super, "/api/v1/supervisor/dashboard");
  EXPECT_EQ(before.at("envelopes_total"), 1);
  EXPECT_EQ(state_count(before, "reviewed"), 1);
  EXPECT_EQ(state_count(before, "accepted"), 0);
  ASSERT_EQ(before.at("throughput").at("hours").size(), 24u);
  const json& t0 = before.at("throughput").at("total");
  EXPECT_EQ(t0.at("received"), 1) << "the import, from the audit log";
  EXPECT_EQ(t0.at("confirmed"), confirmed_);
  EXPECT_EQ(t0.at("decisions"), 0);
  EXPECT_TRUE(before.at("overdue").is_array());
  EXPECT_TRUE(before.at("sync").at("configured").is_boolean());
  EXPECT_TRUE(before.at("backup").at("stale").get<bool>()) << "no backup yet";
  for (const auto& s : before.at("states")) EXPECT_FALSE(s.at("state_ja").get<std::string>().empty());

  accept(super);
  const json after = get_json(super, "/api/v1/supervisor/dashboard");
  EXPECT_EQ(state_count(after, "reviewed"), 0);
  EXPECT_EQ(state_count(after, "accepted"), 1);
  EXPECT_EQ(after.at("throughput").at("total").at("decisions"), 1);
  int hour_sum = 0;
  for (const auto& h : after.at("throughput").at("hours")) hour_sum += h.at("decisions").get<int>();
  EXPECT_EQ(hour_sum, 1);

  // Another day has none of today's work; a malformed date is refused.
  const json other = get_json(super, "/api/v1/supervisor/dashboard?date=2001-01-01");
  EXPECT_EQ(other.at("throughput").at("total").at("confirmed"), 0);
  const json bad = get_json(super, "/api/v1/supervisor/dashboard?date=yesterday", 400);
  EXPECT_FALSE(bad.at("reason_ja").get<std::string>().empty());
}

TEST_F(SupervisorApi, OnlyTheirRolesReachTheDashboardTheExportAndTheKeys) {
  const Session clerk = login("clerk1", "clerk-password-1");
  const Session reviewer = login("reviewer1", "reviewer-password-1");
  const Session super = login("super1", "super-password-1");
  const Session admin = login("admin1", "admin-password-1");
  for (const Session* s : {&clerk, &reviewer, &admin}) {
    EXPECT_EQ(get(*s, "/api/v1/supervisor/dashboard")->status, 403);
    EXPECT_EQ(get(*s, "/api/v1/export")->status, 403);
    EXPECT_EQ(post(*s, "/api/v1/export/jobs", json::object())->status, 403);
    EXPECT_EQ(get(*s, "/api/v1/export/jobs/1/download")->status, 403);
  }
  for (const Session* s : {&clerk, &reviewer, &super}) {
    EXPECT_EQ(get(*s, "/api/v1/admin/keys")->status, 403);
    EXPECT_EQ(post(*s, "/api/v1/admin/recipient", {{"pem", "x"}})->status, 403);
    EXPECT_EQ(post(*s, "/api/v1/admin/audit/verify", json::object())->status, 403);
    EXPECT_EQ(post(*s, "/api/v1/admin/passphrase", {{"current_passphrase", "test-passphrase"}, {"new_passphrase", "x"}})->status,
              403);
  }
  EXPECT_EQ(client_->Get("/api/v1/supervisor/dashboard")->status, 401);
  // Without the CSRF header nothing starts.
  EXPECT_EQ(post(super, "/api/v1/export/jobs", json::object(), false)->status, 403);
  EXPECT_EQ(post(admin, "/api/v1/admin/audit/verify", json::object(), false)->status, 403);
  EXPECT_TRUE(get_json(super, "/api/v1/export").at("last_job").is_null());
}

TEST_F(SupervisorApi, TheExportRunsAsAJobToItsEndAndItsEncryptedSetIsDownloaded) {
  const Session super = login("super1", "super-password-1");
  const Session admin = login("admin1", "admin-password-1");
  // Nothing accepted yet: refused at once; then no recipient certificate: refused, saying what to do.
  auto nothing = post(super, "/api/v1/export/jobs", json::object());
  EXPECT_EQ(nothing->status, 409) << nothing->body;
  // The sample's true values (the fake reader read "1" everywhere; the set needs a real bank).
  json values = json::parse(read_text(fs::path(STATION_SHARED_DIR) / "samples/app-001/truth.json"));
  for (const char* other : {"id", "facility_id", "handwritten", "expected_defects"}) values.erase(other);  // not values
  auto truth = station_->confirm_values(reviewer_, id_, values.dump());
  ASSERT_TRUE(truth) << truth.error().detail;
  accept(super);
  auto no_cert = post(super, "/api/v1/export/jobs", json::object());
  ASSERT_EQ(no_cert->status, 409) << no_cert->body;
  EXPECT_NE(json::parse(no_cert->body).at("reason_ja").get<std::string>().find("証明書"), std::string::npos);

  // The administrator sets the prefecture's certificate from its PEM (a non-certificate refused).
  auto junk = post(admin, "/api/v1/admin/recipient", {{"pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}});
  EXPECT_EQ(junk->status, 400) << junk->body;
  EXPECT_FALSE(json::parse(junk->body).at("reason_ja").get<std::string>().empty());
  make_recipient();
  auto set = post(admin, "/api/v1/admin/recipient", {{"pem", read_text(dir_ / "pref-cert.pem")}});
  ASSERT_EQ(set->status, 200) << set->body;
  const json recipient = json::parse(set->body).at("recipient");
  EXPECT_NE(recipient.at("subject").get<std::string>().find("kourei-shisetsu"), std::string::npos);
  EXPECT_EQ(recipient.at("fingerprint").get<std::string>().size(), 95u);

  const json overview = get_json(super, "/api/v1/export");
  EXPECT_EQ(overview.at("waiting"), 1);
  EXPECT_EQ(overview.at("recipient").at("fingerprint"), recipient.at("fingerprint"));

  auto started = post(super, "/api/v1/export/jobs", json::object());
  ASSERT_EQ(started->status, 202) << started->body;
  const json job0 = json::parse(started->body).at("job");
  EXPECT_EQ(job0.at("total"), 1);
  const auto id = job0.at("id").get<std::int64_t>();
  json job;
  std::set<std::string> stages;
  std::vector<int> done_seen;  // the applications written, as the job reported them while it ran
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  do {
    job = get_json(super, "/api/v1/export/jobs/" + std::to_string(id)).at("job");
    stages.insert(job.at("stage").get<std::string>());
    done_seen.push_back(job.at("done").get<int>());
    EXPECT_LE(job.at("done").get<int>(), job.at("total").get<int>()) << job.dump();
    if (job.at("finished").get<bool>()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(job.at("stage"), "done") << job.dump();
  EXPECT_FALSE(job.at("stage_ja").get<std::string>().empty());
  // done / total come from the export's own progress (per application), never fall back.
  EXPECT_EQ(job.at("done"), 1);
  EXPECT_EQ(job.at("total"), 1);
  EXPECT_TRUE(std::is_sorted(done_seen.begin(), done_seen.end()));
  const json& result = job.at("result");
  EXPECT_EQ(result.at("applications"), 1);
  EXPECT_EQ(result.at("recipient_fingerprint"), recipient.at("fingerprint"));
  EXPECT_FALSE(result.at("files").empty());
  EXPECT_TRUE(result.at("file_name").get<std::string>().ends_with(".p7m"));
  EXPECT_EQ(station_->envelope(reviewer_, id_)->state, station::EnvelopeState::kExported);

  // The download is the encrypted set itself: the prefecture opens it with its key.
  auto file = get(super, job.at("download_url").get<std::string>());
  ASSERT_EQ(file->status, 200);
  EXPECT_NE(file->get_header_value("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(static_cast<std::int64_t>(file->body.size()), result.at("bytes").get<std::int64_t>());
  { std::ofstream(dir_ / "set.p7m", std::ios::binary) << file->body; }
  EXPECT_EQ(std::system(("openssl cms -decrypt -inform DER -in '" + (dir_ / "set.p7m").string() + "' -recip '" +
                         (dir_ / "pref-cert.pem").string() + "' -inkey '" + (dir_ / "pref-key.pem").string() +
                         "' -out '" + (dir_ / "signed.der").string() + "' 2>/dev/null")
                            .c_str()),
            0);
  EXPECT_GT(fs::file_size(dir_ / "signed.der"), 0u);
  EXPECT_EQ(get(super, "/api/v1/export/jobs/999/download")->status, 404);
  EXPECT_EQ(get_json(super, "/api/v1/export").at("last_job").at("id"), id);
  // Nothing is waiting any more.
  EXPECT_EQ(post(super, "/api/v1/export/jobs", json::object())->status, 409);
}

TEST_F(SupervisorApi, TheKeysScreenShowsCertificatesTheAuditChainAndGuardsThePassphrase) {
  const Session admin = login("admin1", "admin-password-1");
  const json keys = get_json(admin, "/api/v1/admin/keys");
  EXPECT_TRUE(keys.at("recipient").is_null());
  EXPECT_EQ(keys.at("station_certificate").at("fingerprint").get<std::string>().size(), 95u);
  EXPECT_FALSE(keys.at("key_file_registered").get<bool>());
  EXPECT_TRUE(keys.at("audit_head").is_object());
  bool rotate = false;
  for (const auto& c : keys.at("commands"))
    if (c.at("command").get<std::string>().find("station keys rotate") != std::string::npos) rotate = true;
  EXPECT_TRUE(rotate) << "the rotation is a terminal command, not a browser action";

  auto verify = post(admin, "/api/v1/admin/audit/verify", json::object());
  ASSERT_EQ(verify->status, 200) << verify->body;
  EXPECT_TRUE(json::parse(verify->body).at("ok").get<bool>());
  EXPECT_GT(json::parse(verify->body).at("entries").get<int>(), 0);

  // A wrong current passphrase changes nothing; the right one changes it (the old one then fails).
  auto wrong = post(admin, "/api/v1/admin/passphrase",
                    {{"current_passphrase", "not-the-passphrase"}, {"new_passphrase", "a-new-long-passphrase-2026"}});
  EXPECT_EQ(wrong->status, 400) << wrong->body;
  EXPECT_NE(json::parse(wrong->body).at("reason_ja").get<std::string>().find("パスフレーズ"), std::string::npos);
  EXPECT_EQ(post(admin, "/api/v1/admin/passphrase", {{"current_passphrase", "test-passphrase"}})->status, 400);
  auto ok = post(admin, "/api/v1/admin/passphrase",
                 {{"current_passphrase", "test-passphrase"}, {"new_passphrase", "a-new-long-passphrase-2026"}});
  ASSERT_EQ(ok->status, 200) << ok->body;
  auto again = post(admin, "/api/v1/admin/passphrase",
                    {{"current_passphrase", "test-passphrase"}, {"new_passphrase", "another-long-passphrase-1"}});
  EXPECT_EQ(again->status, 400) << "the old passphrase no longer opens the store";
}

TEST(SupervisorThroughput, CountsEachKindOfWorkInItsHour) {
  std::vector<station::AuditEntry> entries;
  entries.push_back({1, "2026-12-02T09:05:00+09:00", "c", "envelope.import", "envelope:1 pages:5", 1});
  entries.push_back({2, "2026-12-02T09:59:59+09:00", "c", "envelope.scan", "envelope:2 pages:3", 2});
  entries.push_back({3, "2026-12-02T10:00:00+09:00", "r", "field.confirm", "envelope:1 field:x", 1});
  entries.push_back({4, "2026-12-02T10:30:00+09:00", "r", "values.confirm", "envelope:1 values:12 pages:5", 1});
  entries.push_back({5, "2026-12-02T14:00:00+09:00", "s", "envelope.decide", "envelope:1 accepted", 1});
  entries.push_back({6, "2026-12-02T14:00:00+09:00", "s", "login", "", 0});
  const auto t = ui::api_v1::throughput_of(entries);
  EXPECT_EQ(t.hours[9].received, 2);
  EXPECT_EQ(t.hours[10].confirmed, 13);
  EXPECT_EQ(t.hours[14].decisions, 1);
  EXPECT_EQ(t.total.received + t.total.confirmed + t.total.decisions, 16);
  EXPECT_EQ(t.hours[11].confirmed, 0);
}

}  // namespace
