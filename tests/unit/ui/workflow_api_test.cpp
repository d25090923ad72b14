// The review's workflow through the web JSON API and the command line (issue #12), on a real store
// whose recognition reads through a fake OCR engine (no Tesseract here) and whose clock stands
// still: decisions and their role rules, the override of blocking findings, the history, the
// correction list with its overdue filter, the letter PDF, and the list view by state.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "ocr/fake_engine.h"
#include "services.h"
#include "station/station.h"
#include "ui/cli.h"
#include "ui/web_server.h"

namespace {

namespace fs = std::filesystem;
using station::ErrorCode;
using station::Role;

class SharedEngine final : public ocr::Engine {
 public:
  explicit SharedEngine(ocr::FakeEngine& fake) : fake_(fake) {}
  ocr::Result<ocr::Reading> read(const ocr::Image& page, ocr::Box zone, const ocr::ZoneSpec& spec) override {
    return fake_.read(page, zone, spec);
  }

 private:
  ocr::FakeEngine& fake_;
};

class WorkflowApi : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("station-wf-test-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "holidays.tsv") << "2026-04-29\t昭和の日\n2026-05-06\t振替休日\n";
    config_.data_dir = dir_ / "store";
    config_.ocr_workers = 1;
    config_.holidays_file = (dir_ / "holidays.tsv").string();
    fake_.set_default(ocr::FakeEngine::reading("1", 0.95));
    services_.make_engine = [this]() -> station::Result<std::unique_ptr<ocr::Engine>> {
      return std::make_unique<SharedEngine>(fake_);
    };
    clock_ = std::make_shared<station::FixedClock>(std::chrono::sys_days{std::chrono::year{2026} / 4 / 1} +
                                                   std::chrono::hours{1});
    services_.clock = clock_;
    services_.decision_findings = [this](std::int64_t) -> station::Result<std::vector<station::Finding>> {
      std::vector<station::Finding> out(static_cast<std::size_t>(blocking_));
      for (auto& f : out) f = {.code = "TEST_BLOCK", .message_ja = "テスト用の指摘", .severity = "block"};
      return out;
    };
    auto st = station::Station::create(config_, "test-passphrase", &services_);
    ASSERT_TRUE(st) << st.error().detail;
    station_ = std::move(*st);
    auto admin = station_->add_user(nullptr, "admin1", "admin-password-1", Role::kAdmin);
    ASSERT_TRUE(admin);
    ASSERT_TRUE(station_->add_user(&*admin, "clerk1", "clerk-password-1", Role::kClerk));
    ASSERT_TRUE(station_->add_user(&*admin, "reviewer1", "reviewer-password-1", Role::kReviewer));
    ASSERT_TRUE(station_->add_user(&*admin, "super1", "super-password-1", Role::kSupervisor));
    clerk_ = *station_->login("clerk1", "clerk-password-1");
    reviewer_ = *station_->login("reviewer1", "reviewer-password-1");

    ui::WebOptions options;
    options.port = 0;
    server_ = std::make_unique<ui::WebServer>(*station_, options);
    auto port = server_->bind();
    ASSERT_TRUE(port) << port.error().detail;
    thread_ = std::thread([this] { server_->run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    station_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // An imported page (a pledge), read by the fake engine and every value confirmed: 確認済.
  std::int64_t reviewed_envelope() {
    auto r = station_->import_envelope(clerk_, {fs::path(STATION_SHARED_DIR) / "samples/app-001/page-03.jpg"},
                                       {"2026-03-30", 1});
    EXPECT_TRUE(r) << (r ? "" : r.error().detail);
    if (!r) return 0;
    EXPECT_TRUE(station_->wait_for_recognition(std::chrono::minutes(5)));
    auto fields = station_->fields(reviewer_, r->envelope_id);
    EXPECT_TRUE(fields);
    for (const auto& f : *fields) {
      auto c = station_->confirm_field(reviewer_, f.id, f.value);
      if (!c) c = station_->confirm_field(reviewer_, f.id, "");
      EXPECT_TRUE(c) << f.key;
    }
    auto e = station_->envelope(reviewer_, r->envelope_id);
    EXPECT_EQ(e->state, station::EnvelopeState::kReviewed);
    return r->envelope_id;
  }

  struct Session {
    std::string cookie, csrf;
  };
  Session login(const std::string& user, const std::string& password) {
    auto form = client_->Get("/login");
    const std::string sc = form->get_header_value("Set-Cookie");
    const std::string login_cookie = sc.substr(0, sc.find(';'));
    const std::string token = after(form->body, R"(name="csrf" value=")");
    auto res = client_->Post("/login", httplib::Headers{{"Cookie", login_cookie}},
                             httplib::Params{{"username", user}, {"password", password}, {"csrf", token}});
    EXPECT_EQ(res->status, 303);
    const std::string c = res->get_header_value("Set-Cookie");
    Session s{c.substr(0, c.find(';')), {}};
    auto page = client_->Get("/", httplib::Headers{{"Cookie", s.cookie}});
    s.csrf = after(page->body, R"(name="csrf-token" content=")");
    if (s.csrf.empty()) s.csrf = after(page->body, R"(name="csrf" value=")");
    return s;
  }
  static std::string after(const std::string& html, const std::string& prefix) {
    const auto start = html.find(prefix);
    if (start == std::string::npos) return {};
    const auto from = start + prefix.size();
    return html.substr(from, html.find('"', from) - from);
  }
  httplib::Result post(const Session& s, const std::string& path, const nlohmann::json& body) {
    return client_->Post(path, httplib::Headers{{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, body.dump(),
                         "application/json");
  }
  httplib::Result get(const Session& s, const std::string& path) {
    return client_->Get(path, httplib::Headers{{"Cookie", s.cookie}});
  }

  fs::path dir_;
  station::Config config_;
  ocr::FakeEngine fake_;
  station::Services services_;
  std::shared_ptr<station::FixedClock> clock_;
  int blocking_ = 0;
  std::unique_ptr<station::Station> station_;
  station::User clerk_, reviewer_;
  std::unique_ptr<ui::WebServer> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(WorkflowApi, DecisionsHistoryCorrectionsAndTheLetter) {
  const auto id = reviewed_envelope();
  ASSERT_GT(id, 0);
  const std::string base = "/api/envelopes/" + std::to_string(id);
  const auto clerk = login("clerk1", "clerk-password-1");
  const auto reviewer = login("reviewer1", "reviewer-password-1");
  const auto super = login("super1", "super-password-1");
  ASSERT_FALSE(reviewer.csrf.empty());

  // A clerk does not decide; a bad body is refused; a request needs a defect.
  auto by_clerk = post(clerk, base + "/decision", {{"decision", "accept"}});
  ASSERT_TRUE(by_clerk);
  EXPECT_EQ(by_clerk->status, 403);
  EXPECT_EQ(post(reviewer, base + "/decision", {{"decision", "maybe"}})->status, 400);
  EXPECT_EQ(post(reviewer, base + "/decision", {{"decision", "request_correction"}})->status, 400);

  // A correction request: round 1, five business days out.
  auto req = post(reviewer, base + "/decision",
                  {{"decision", "request_correction"},
                   {"defects", nlohmann::json::array(
                                   {"誓約書に法人の印が押されていません。",
                                    {{"code", "MISSING_FIELD"}, {"field_key", "pledge.date"}, {"text", "誓約書の日付が空欄です。"}}})}});
  ASSERT_TRUE(req);
  ASSERT_EQ(req->status, 200) << req->body;
  auto r = nlohmann::json::parse(req->body);
  EXPECT_EQ(r["state"], "awaiting_correction");
  EXPECT_EQ(r["state_ja"], "補正待ち");
  EXPECT_EQ(r["round"], 1);
  EXPECT_EQ(r["deadline"], "2026-04-08");

  // The list by state, the open corrections and the overdue ones.
  auto waiting = get(clerk, "/api/envelopes?state=awaiting_correction");
  ASSERT_EQ(waiting->status, 200);
  EXPECT_EQ(nlohmann::json::parse(waiting->body).size(), 1u);
  EXPECT_EQ(get(clerk, "/api/envelopes?state=nonsense")->status, 400);
  EXPECT_EQ(nlohmann::json::parse(get(clerk, "/api/corrections")->body).size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(get(clerk, "/api/corrections?overdue=1")->body).size(), 0u);
  clock_->set(std::chrono::sys_days{std::chrono::year{2026} / 4 / 9} + std::chrono::hours{1});
  auto overdue = nlohmann::json::parse(get(clerk, "/api/corrections?overdue=1")->body);
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0]["envelope_id"], id);
  EXPECT_TRUE(overdue[0]["overdue"].get<bool>());
  EXPECT_EQ(overdue[0]["defects"].size(), 2u);

  // The letter: a PDF for reviewers, not for clerks.
  auto letter = get(reviewer, base + "/corrections/1/letter.pdf");
  ASSERT_TRUE(letter);
  ASSERT_EQ(letter->status, 200) << letter->body;
  EXPECT_EQ(letter->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(letter->body.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(get(clerk, base + "/corrections/1/letter.pdf")->status, 403);
  EXPECT_EQ(get(reviewer, base + "/corrections/9/letter.pdf")->status, 404);

  // The refusal to accept while awaiting the correction says why, in Japanese.
  auto early = post(reviewer, base + "/decision", {{"decision", "accept"}});
  EXPECT_EQ(early->status, 409);
  EXPECT_NE(nlohmann::json::parse(early->body)["reason"].get<std::string>().find("補正待ち"), std::string::npos);

  // The applicant agreed on the phone to a change; then the returned papers come, received and read
  // as an envelope of their own, and are linked to round 1: the application is back in review.
  auto fields_now = station_->fields(reviewer_, id);
  ASSERT_TRUE(fields_now);
  std::string key;
  for (const auto& f : *fields_now)
    if (f.key.find("corp_name") != std::string::npos) key = f.key;
  ASSERT_FALSE(key.empty());
  auto agree = post(reviewer, base + "/agreed-changes",
                    {{"field_key", key}, {"new_value", "社会福祉法人テスト会"}, {"agreed_on", "2026-04-09"}, {"how", "電話"}});
  ASSERT_EQ(agree->status, 200) << agree->body;
  EXPECT_EQ(nlohmann::json::parse(agree->body)["round"], 1);
  EXPECT_EQ(post(clerk, base + "/agreed-changes", {{"field_key", key}, {"new_value", "x"}})->status, 403);
  auto report = nlohmann::json::parse(get(super, "/api/agreed-changes?from=2026-04-01")->body);
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0]["new_value"], "社会福祉法人テスト会");
  auto reply = station_->import_envelope(clerk_, {fs::path(STATION_SHARED_DIR) / "samples/app-001/page-03.jpg"},
                                         {"2026-04-09", 1});
  ASSERT_TRUE(reply);
  ASSERT_TRUE(station_->wait_for_recognition(std::chrono::minutes(5)));
  EXPECT_EQ(post(reviewer, base + "/corrections/receive", {{"reply", 1}})->status, 400);
  auto received = post(clerk, base + "/corrections/receive", {{"reply_envelope_id", reply->envelope_id}});
  ASSERT_EQ(received->status, 200) << received->body;
  EXPECT_EQ(nlohmann::json::parse(received->body)["received_date"], "2026-04-09");
  EXPECT_EQ(station_->envelope(reviewer_, id)->state, station::EnvelopeState::kUnderReview);
  EXPECT_EQ(nlohmann::json::parse(get(clerk, "/api/corrections")->body).size(), 0u);

  // The prefecture: referred with a reason, then the review resumes; blocking findings need the
  // supervisor's override.
  EXPECT_EQ(post(reviewer, base + "/decision", {{"decision", "refer"}})->status, 400);
  ASSERT_EQ(post(reviewer, base + "/decision", {{"decision", "refer"}, {"reason", "返送なし"}})->status, 200);
  ASSERT_EQ(post(super, base + "/decision", {{"decision", "resume"}, {"reason", "県: 受理可"}})->status, 200);
  blocking_ = 1;
  EXPECT_EQ(post(reviewer, base + "/decision", {{"decision", "accept"}})->status, 409);
  EXPECT_EQ(post(reviewer, base + "/decision", {{"decision", "accept"}, {"override", true}, {"reason", "県の了解"}})->status,
            403);
  auto ok = post(super, base + "/decision", {{"decision", "accept"}, {"override", true}, {"reason", "県の了解"}});
  ASSERT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(nlohmann::json::parse(ok->body)["state"], "accepted");
  EXPECT_EQ(nlohmann::json::parse(ok->body)["blocking_findings"], 1);

  // The history: who, when, why.
  auto h = get(clerk, base + "/history");
  ASSERT_EQ(h->status, 200);
  auto history = nlohmann::json::parse(h->body);
  ASSERT_GE(history.size(), 4u);
  const auto& last = history.back();
  EXPECT_EQ(last["to"], "accepted");
  EXPECT_EQ(last["to_ja"], "受理");
  EXPECT_EQ(last["text_ja"], "審査中 → 受理（受理）");
  EXPECT_EQ(last["by"], "super1");
  EXPECT_EQ(last["override_reason"], "県の了解");
  EXPECT_EQ(last["at"], "2026-04-09T10:00:00+09:00");

  // The rounds; values are frozen now.
  auto rounds = nlohmann::json::parse(get(reviewer, base + "/corrections")->body);
  EXPECT_EQ(rounds["rounds"].size(), 1u);
  EXPECT_EQ(rounds["rounds"][0]["reply_envelope_id"], reply->envelope_id);
  EXPECT_EQ(rounds["agreed_changes"].size(), 1u);
  auto fields = station_->fields(reviewer_, id);
  ASSERT_TRUE(fields);
  auto frozen = post(reviewer, "/api/fields/" + std::to_string(fields->front().id) + "/confirm", {{"value", "x"}});
  EXPECT_EQ(frozen->status, 409);
  EXPECT_FALSE(nlohmann::json::parse(frozen->body)["reason"].get<std::string>().empty());
}

// The same steps on the command line: decide, history, corrections, the letter, list by state.
TEST_F(WorkflowApi, TheCommandLine) {
  const auto id = reviewed_envelope();
  ASSERT_GT(id, 0);
  // The CLI opens the store itself: close ours (and its server) first.
  server_->stop();
  thread_.join();
  server_.reset();
  station_.reset();
  std::ofstream(dir_ / "config.toml") << "[ocr]\nrecognize_on_capture = false\n[review]\nholidays_file = \""
                                      << (dir_ / "holidays.tsv").string() << "\"\n";
  ::setenv("STATION_PASSPHRASE", "test-passphrase", 1);
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"station", "--data-dir", config_.data_dir.string(), "--config",
                               (dir_ / "config.toml").string()});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return ui::run_cli(static_cast<int>(args.size()), argv.data());
  };
  const std::string env = std::to_string(id);
  const int usage = station::exit_code(ErrorCode::kUsage);
  ::setenv("STATION_USER_PASSWORD", "clerk-password-1", 1);
  EXPECT_EQ(run({"decide", env, "--accept", "--as", "clerk1"}), station::exit_code(ErrorCode::kForbidden));
  ::setenv("STATION_USER_PASSWORD", "reviewer-password-1", 1);
  EXPECT_EQ(run({"decide", env, "--as", "reviewer1"}), usage);  // no decision
  EXPECT_EQ(run({"decide", env, "--accept", "--reject", "--as", "reviewer1"}), usage);
  testing::internal::CaptureStdout();
  EXPECT_EQ(run({"decide", env, "--request-correction", "--defect", "MISSING_SEAL:誓約書に押印がありません。",
                 "--as", "reviewer1"}),
            0);
  const std::string decided = testing::internal::GetCapturedStdout();
  EXPECT_NE(decided.find("補正待ち"), std::string::npos) << decided;
  EXPECT_NE(decided.find("第1回"), std::string::npos) << decided;

  testing::internal::CaptureStdout();
  EXPECT_EQ(run({"corrections", "--as", "reviewer1"}), 0);
  const std::string list = testing::internal::GetCapturedStdout();
  EXPECT_NE(list.find("返送待ち"), std::string::npos) << list;
  EXPECT_EQ(run({"corrections"}), usage);  // --as

  // The letter leaves the station as an encrypted ZIP (it names the corporation), with a password.
  const std::string zip = (dir_ / "letter.zip").string();
  testing::internal::CaptureStdout();
  EXPECT_EQ(run({"corrections", "letter", env, "--round", "1", "--out", zip, "--as", "reviewer1"}), 0);
  const std::string letter_out = testing::internal::GetCapturedStdout();
  EXPECT_NE(letter_out.find("パスワード"), std::string::npos) << letter_out;
  std::ifstream in(zip, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 4u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("PK\x03\x04", 4));
  EXPECT_EQ(bytes.find("%PDF-"), std::string::npos) << "the PDF is not in the archive in clear";

  testing::internal::CaptureStdout();
  EXPECT_EQ(run({"envelopes", "--state", "補正待ち", "--as", "reviewer1"}), 0);
  const std::string by_state = testing::internal::GetCapturedStdout();
  EXPECT_NE(by_state.find("合計 1 通"), std::string::npos) << by_state;
  EXPECT_EQ(run({"envelopes", "--state", "nonsense", "--as", "reviewer1"}), usage);

  EXPECT_EQ(run({"decide", env, "--refer", "--reason", "返送なし", "--as", "reviewer1"}), 0);
  testing::internal::CaptureStdout();
  EXPECT_EQ(run({"history", env, "--as", "reviewer1"}), 0);
  const std::string history = testing::internal::GetCapturedStdout();
  EXPECT_NE(history.find("確認済 → 審査中（審査開始）"), std::string::npos) << history;
  EXPECT_NE(history.find("審査中 → 補正待ち（補正指示）"), std::string::npos) << history;
  EXPECT_NE(history.find("県へ照会"), std::string::npos) << history;
  EXPECT_NE(history.find("返送なし"), std::string::npos) << history;
  EXPECT_NE(history.find("reviewer1"), std::string::npos) << history;
  ::unsetenv("STATION_PASSPHRASE");
  ::unsetenv("STATION_USER_PASSWORD");
}

}  // namespace
