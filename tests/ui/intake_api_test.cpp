// The intake screen's JSON API (/api/v1/intake/..., docs/ui.md) through the real web server on a
// real store: a scan with SANE's `test` backend through to pages and their thumbnails, an import,
// the blank-page check, turning, reordering and moving pages, the receipt log and its xlsx, and
// the refusals (roles, CSRF, bad input, an envelope whose values a reviewer has begun to confirm).
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "station/station.h"
#include "ui/web_server.h"

extern "C" const char* __lsan_default_options() { return "suppressions=" STATION_SOURCE_DIR "/tests/lsan.supp"; }

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using station::Role;

// SANE: only the test backends of tests/unit/scanner/sane-config.
const bool kSaneConfigSet = [] {
  ::setenv("SANE_CONFIG_DIR", INTAKE_SANE_CONFIG_DIR, 1);
  for (const char* lib : {"libsane-test.so.1", "libsane-pnm.so.1"}) {
    std::string path = std::string(INTAKE_SANE_BACKEND_DIR) + "/" + lib;
    ::dlopen(path.c_str(), RTLD_LAZY | RTLD_NODELETE);
  }
  return true;
}();

// An uncompressed 8-bit grey TIFF of paper-white noise: a blank back as a scanner writes it.
std::string blank_tiff(int w, int h, int dpi) {
  std::string t = "II*";
  t.push_back('\0');
  auto u16 = [&](unsigned v) { t.push_back(static_cast<char>(v & 0xff)); t.push_back(static_cast<char>(v >> 8)); };
  auto u32 = [&](unsigned v) { u16(v & 0xffff); u16(v >> 16); };
  const unsigned n = 12, ifd = 8, rational = ifd + 2 + n * 12 + 4, pixels = rational + 8;
  u32(ifd);
  u16(n);
  auto entry = [&](unsigned tag, unsigned type, unsigned count, unsigned value) { u16(tag); u16(type); u32(count); u32(value); };
  entry(256, 4, 1, static_cast<unsigned>(w));
  entry(257, 4, 1, static_cast<unsigned>(h));
  entry(258, 3, 1, 8);
  entry(259, 3, 1, 1);
  entry(262, 3, 1, 1);
  entry(273, 4, 1, pixels);
  entry(277, 3, 1, 1);
  entry(278, 4, 1, static_cast<unsigned>(h));
  entry(279, 4, 1, static_cast<unsigned>(w * h));
  entry(282, 5, 1, rational);
  entry(283, 5, 1, rational);
  entry(296, 3, 1, 2);
  u32(0);
  u32(static_cast<unsigned>(dpi));
  u32(1);
  std::mt19937 rng(3);
  for (int i = 0; i < w * h; ++i) t.push_back(static_cast<char>(236 + rng() % 12));
  return t;
}

// The JPEG's size from its SOF marker.
std::pair<int, int> jpeg_size(const std::string& b) {
  for (std::size_t i = 2; i + 9 < b.size();) {
    if (static_cast<unsigned char>(b[i]) != 0xFF) return {0, 0};
    const auto marker = static_cast<unsigned char>(b[i + 1]);
    const auto len = (static_cast<unsigned char>(b[i + 2]) << 8) | static_cast<unsigned char>(b[i + 3]);
    if (marker >= 0xC0 && marker <= 0xC2) {
      const int h = (static_cast<unsigned char>(b[i + 5]) << 8) | static_cast<unsigned char>(b[i + 6]);
      const int w = (static_cast<unsigned char>(b[i + 7]) << 8) | static_cast<unsigned char>(b[i + 8]);
      return {w, h};
    }
    i += 2 + static_cast<std::size_t>(len);
  }
  return {0, 0};
}

struct Session {
  std::string cookie, csrf;
};

class IntakeApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kSaneConfigSet);
    dir_ = fs::temp_directory_path() / ("station-intake-api-test-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    config_.data_dir = dir_ / "store";
    config_.recognize_on_capture = false;  // capture alone: recognition only when a test asks
    config_.import_roots = {dir_};
    config_.profiles_dir = (dir_ / "profiles").string();
    fs::create_directories(config_.profiles_dir);
    // The `test` backend's feeder: small grey pages with a grid, 10 sheets.
    std::ofstream(dir_ / "profiles" / "sane-test.json")
        << R"({ "id": "sane-test", "match": { "backend": "test" },
                "defaults": { "source": "adf", "mode": "gray", "dpi": 75, "page_width_mm": 60, "page_height_mm": 80 },
                "values": { "adf": "Automatic Document Feeder", "flatbed": "Flatbed" },
                "extra": { "test-picture": "Grid", "read-return-value": "Default" } })";
    auto st = station::Station::create(config_, "test-passphrase");
    ASSERT_TRUE(st) << st.error().detail;
    station_ = std::move(*st);
    auto admin = station_->add_user(nullptr, "admin1", "admin-password-1", Role::kAdmin);
    ASSERT_TRUE(admin);
    auto clerk = station_->add_user(&*admin, "clerk1", "clerk-password-1", Role::kClerk);
    auto reviewer = station_->add_user(&*admin, "reviewer1", "reviewer-password-1", Role::kReviewer);
    ASSERT_TRUE(clerk && reviewer);
    clerk_ = *clerk;
    reviewer_ = *reviewer;

    ui::WebOptions options;
    options.port = 0;
    server_ = std::make_unique<ui::WebServer>(*station_, options);
    auto port = server_->bind();
    ASSERT_TRUE(port) << port.error().detail;
    thread_ = std::thread([this] { server_->run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_read_timeout(std::chrono::seconds(120));
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    station_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Session login(const std::string& user, const std::string& password) {
    auto form = client_->Get("/api/v1/login");
    EXPECT_TRUE(form);
    if (!form) return {};
    const std::string sc = form->get_header_value("Set-Cookie");
    const std::string token = json::parse(form->body).at("login_token").get<std::string>();
    auto res = client_->Post("/api/v1/login", {{"Cookie", sc.substr(0, sc.find(';'))}, {"X-CSRF-Token", token}},
                             json{{"username", user}, {"password", password}}.dump(), "application/json");
    EXPECT_TRUE(res && res->status == 200);
    if (!res || res->status != 200) return {};
    const std::string c = res->get_header_value("Set-Cookie");
    return Session{c.substr(0, c.find(';')), json::parse(res->body).at("csrf").get<std::string>()};
  }
  httplib::Result get(const Session& s, const std::string& path) {
    return client_->Get(path, httplib::Headers{{"Cookie", s.cookie}});
  }
  httplib::Result post(const Session& s, const std::string& path, const json& body, bool csrf = true) {
    httplib::Headers h{{"Cookie", s.cookie}};
    if (csrf) h.emplace("X-CSRF-Token", s.csrf);
    return client_->Post(path, h, body.dump(), "application/json");
  }
  json get_json(const Session& s, const std::string& path) {
    auto r = get(s, path);
    EXPECT_TRUE(r);
    if (!r) return json::object();
    EXPECT_EQ(r->status, 200) << path << " " << r->body;
    return json::parse(r->body, nullptr, false);
  }
  json envelope(const Session& s, std::int64_t id) { return get_json(s, "/api/v1/intake/envelopes/" + std::to_string(id)).at("envelope"); }
  static std::vector<std::int64_t> page_ids(const json& env) {
    std::vector<std::int64_t> out;
    for (const auto& p : env.at("page_list")) out.push_back(p.at("id").get<std::int64_t>());
    return out;
  }
  std::int64_t import(const std::vector<fs::path>& files, const std::string& date = "2025-06-05") {
    auto r = station_->import_envelope(clerk_, files, {date, 1});
    EXPECT_TRUE(r) << (r ? "" : r.error().detail);
    return r ? r->envelope_id : 0;
  }
  static fs::path sample(const std::string& name) { return fs::path(STATION_SHARED_DIR) / "samples" / name; }

  fs::path dir_;
  station::Config config_;
  std::unique_ptr<station::Station> station_;
  station::User clerk_, reviewer_;
  std::unique_ptr<ui::WebServer> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(IntakeApi, ScanWithTheSaneTestBackendShowsProgressThenPagesAndThumbnails) {
  const Session clerk = login("clerk1", "clerk-password-1");
  const Session reviewer = login("reviewer1", "reviewer-password-1");
  const json scanners = get_json(clerk, "/api/v1/intake/scanners");
  bool test0 = false;
  for (const auto& d : scanners.at("scanners")) test0 = test0 || d.at("name") == "test:0";
  EXPECT_TRUE(test0) << scanners.dump();

  // Not the reviewer's work; not without the CSRF token.
  const json start{{"kind", "scan"}, {"device", "test:0"}, {"received_date", "2025-06-05"}, {"enclosures", 2}};
  auto r_start = post(reviewer, "/api/v1/intake/jobs", start);
  ASSERT_TRUE(r_start);
  EXPECT_EQ(r_start->status, 403);
  auto r_scanners = get(reviewer, "/api/v1/intake/scanners");
  ASSERT_TRUE(r_scanners);
  EXPECT_EQ(r_scanners->status, 403);
  auto forged = post(clerk, "/api/v1/intake/jobs", start, /*csrf=*/false);
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  auto bad = post(clerk, "/api/v1/intake/jobs", {{"kind", "scan"}, {"enclosures", -1}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(json::parse(bad->body).at("reason_ja").get<std::string>().find("同封書類数"), std::string::npos) << bad->body;

  auto started = post(clerk, "/api/v1/intake/jobs", start);
  ASSERT_TRUE(started);
  ASSERT_EQ(started->status, 202) << started->body;
  const auto job_id = json::parse(started->body).at("job_id").get<std::int64_t>();
  auto r_job = get(reviewer, "/api/v1/intake/jobs/" + std::to_string(job_id));
  ASSERT_TRUE(r_job);
  EXPECT_EQ(r_job->status, 403);

  // Polled as the screen does: pages only grow; once it ends, the envelope with its pages.
  json job;
  int last = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  do {
    job = get_json(clerk, "/api/v1/intake/jobs/" + std::to_string(job_id));
    EXPECT_GE(job.at("pages").get<int>(), last);
    last = job.at("pages").get<int>();
    if (job.at("state") == "running") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (job.at("state") == "running" && std::chrono::steady_clock::now() < until);
  ASSERT_EQ(job.at("state"), "done") << job.dump();
  EXPECT_EQ(job.at("state_ja"), "完了");
  EXPECT_EQ(job.at("pages"), 10);
  ASSERT_EQ(job.at("envelopes").size(), 1u);
  const json& env = job.at("envelopes")[0];
  EXPECT_EQ(env.at("receipt_no"), "M20250605-0001");
  ASSERT_EQ(env.at("page_list").size(), 10u);
  EXPECT_TRUE(env.at("changeable").get<bool>()) << env.dump();
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(env.at("page_list")[i].at("seq"), static_cast<int>(i) + 1);

  // A thumbnail: the clerk's, as JPEG, small; none without a session.
  const std::string url = env.at("page_list")[0].at("thumbnail_url").get<std::string>();
  EXPECT_EQ(url.rfind("/api/v1/pages/", 0), 0u) << url;
  auto anon = client_->Get(url);
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  auto thumb = get(clerk, url);
  ASSERT_TRUE(thumb);
  ASSERT_EQ(thumb->status, 200);
  EXPECT_EQ(thumb->get_header_value("Content-Type"), "image/jpeg");
  const auto [w, h] = jpeg_size(thumb->body);
  EXPECT_GT(w, 0);
  EXPECT_LE(w, 240);
  // A clerk asking for a large page of an envelope in the intake still gets a thumbnail.
  const std::string big = "/api/v1/pages/" + std::to_string(env.at("page_list")[0].at("id").get<std::int64_t>()) + "/image?w=1600";
  auto large = get(clerk, big);
  ASSERT_TRUE(large);
  ASSERT_EQ(large->status, 200);
  EXPECT_LE(jpeg_size(large->body).first, 400);
}

TEST_F(IntakeApi, ImportBlankCheckTurnReorderMoveAndTheReceiptLog) {
  const fs::path in = dir_ / "scans" / "envelope-1";
  fs::create_directories(in);
  fs::copy_file(sample("app-001/page-01.jpg"), in / "a.jpg");
  fs::copy_file(sample("app-001/page-02.jpg"), in / "b.jpg");
  std::ofstream(in / "c.tif", std::ios::binary) << blank_tiff(1654, 2339, 200);
  const Session clerk = login("clerk1", "clerk-password-1");
  const Session reviewer = login("reviewer1", "reviewer-password-1");

  // An import from a folder that is not there: refused, saying what to do.
  auto wrong = post(clerk, "/api/v1/intake/jobs", {{"kind", "import"}, {"folder", (dir_ / "nowhere").string()}});
  ASSERT_TRUE(wrong);
  EXPECT_GE(wrong->status, 400);
  EXPECT_NE(json::parse(wrong->body).at("reason_ja").get<std::string>().find("フォルダー"), std::string::npos) << wrong->body;
  auto started = post(clerk, "/api/v1/intake/jobs",
                      {{"kind", "import"}, {"folder", in.string()}, {"received_date", "2025-06-05"}, {"enclosures", 3}});
  ASSERT_TRUE(started);
  ASSERT_EQ(started->status, 202) << started->body;
  const auto job_id = json::parse(started->body).at("job_id").get<std::int64_t>();
  json job;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  do {
    job = get_json(clerk, "/api/v1/intake/jobs/" + std::to_string(job_id));
    if (job.at("state") == "running") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (job.at("state") == "running" && std::chrono::steady_clock::now() < until);
  ASSERT_EQ(job.at("state"), "done") << job.dump();
  EXPECT_EQ(job.at("blank_pages"), 1);
  const auto env1 = job.at("envelopes")[0].at("id").get<std::int64_t>();
  const auto env2 = import({sample("app-001/page-03.jpg")});
  ASSERT_GT(env2, 0);

  json e1 = envelope(clerk, env1);
  ASSERT_EQ(e1.at("page_list").size(), 3u);
  EXPECT_EQ(e1.at("blank_pages"), 1);
  const auto blank_it = std::find_if(e1.at("page_list").begin(), e1.at("page_list").end(),
                                     [](const json& p) { return p.at("blank").get<bool>(); });
  ASSERT_NE(blank_it, e1.at("page_list").end());
  const auto blank_id = blank_it->at("id").get<std::int64_t>();
  const std::string blank_path = "/api/v1/intake/pages/" + std::to_string(blank_id);

  // The blank check: the reviewer may not; the clerk's word is kept.
  auto r_blank = post(reviewer, blank_path + "/blank", {{"blank", true}});
  ASSERT_TRUE(r_blank);
  EXPECT_EQ(r_blank->status, 403);
  auto no_value = post(clerk, blank_path + "/blank", json::object());
  ASSERT_TRUE(no_value);
  EXPECT_EQ(no_value->status, 400);
  auto blank = post(clerk, blank_path + "/blank", {{"blank", true}});
  ASSERT_TRUE(blank);
  EXPECT_EQ(blank->status, 200) << blank->body;
  e1 = envelope(clerk, env1);
  EXPECT_EQ(e1.at("blank_pages"), 0);

  // Turn the first page: the reviewer may not; 45 degrees is no turn; 90 swaps its sides and
  // gives its thumbnail a new URL (a new version: the browser's copy is not reused).
  const json first = e1.at("page_list")[0];
  const std::string first_path = "/api/v1/intake/pages/" + std::to_string(first.at("id").get<std::int64_t>());
  auto r_turn = post(reviewer, first_path + "/rotate", {{"degrees", 90}});
  ASSERT_TRUE(r_turn);
  EXPECT_EQ(r_turn->status, 403);
  auto odd = post(clerk, first_path + "/rotate", {{"degrees", 45}});
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->status, 400);
  EXPECT_NE(json::parse(odd->body).at("reason_ja").get<std::string>().find("90"), std::string::npos);
  auto forged = post(clerk, first_path + "/rotate", {{"degrees", 90}}, /*csrf=*/false);
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  auto before_img = get(clerk, first.at("thumbnail_url").get<std::string>());
  ASSERT_TRUE(before_img);
  ASSERT_EQ(before_img->status, 200);
  auto turned = post(clerk, first_path + "/rotate", {{"degrees", 90}});
  ASSERT_TRUE(turned);
  ASSERT_EQ(turned->status, 200) << turned->body;
  e1 = envelope(clerk, env1);
  const json first_after = e1.at("page_list")[0];
  EXPECT_EQ(first_after.at("width"), first.at("height"));
  EXPECT_EQ(first_after.at("height"), first.at("width"));
  EXPECT_NE(first_after.at("thumbnail_url"), first.at("thumbnail_url"));
  auto after_img = get(clerk, first_after.at("thumbnail_url").get<std::string>());
  ASSERT_TRUE(after_img);
  ASSERT_EQ(after_img->status, 200);
  const auto [bw, bh] = jpeg_size(before_img->body);
  const auto [aw, ah] = jpeg_size(after_img->body);
  EXPECT_LT(bw, bh) << "an A4 page upright";
  EXPECT_GT(aw, ah) << "turned: wider than tall";

  // Reorder: the reverse order; an order that leaves a page out is refused, nothing changed.
  auto ids = page_ids(e1);
  std::vector<std::int64_t> reversed(ids.rbegin(), ids.rend());
  auto partial = post(clerk, "/api/v1/intake/envelopes/" + std::to_string(env1) + "/order",
                      {{"page_ids", std::vector<std::int64_t>(ids.begin(), ids.begin() + 2)}});
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->status, 400);
  EXPECT_EQ(page_ids(envelope(clerk, env1)), ids);
  auto r_order = post(reviewer, "/api/v1/intake/envelopes/" + std::to_string(env1) + "/order", {{"page_ids", reversed}});
  ASSERT_TRUE(r_order);
  EXPECT_EQ(r_order->status, 403);
  auto order = post(clerk, "/api/v1/intake/envelopes/" + std::to_string(env1) + "/order", {{"page_ids", reversed}});
  ASSERT_TRUE(order);
  ASSERT_EQ(order->status, 200) << order->body;
  e1 = envelope(clerk, env1);
  EXPECT_EQ(page_ids(e1), reversed);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(e1.at("page_list")[i].at("seq"), static_cast<int>(i) + 1);

  // Move the (now first) blank page to the other envelope by its 受付番号: gone from one, last in
  // the other, both numbered without a gap. An unknown 受付番号 is refused, saying what to do.
  const json e2_before = envelope(clerk, env2);
  auto unknown = post(clerk, "/api/v1/intake/pages/" + std::to_string(reversed[0]) + "/move", {{"to_receipt_no", "M20991231-9999"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(json::parse(unknown->body).at("reason_ja").get<std::string>().find("受付番号"), std::string::npos);
  auto same = post(clerk, "/api/v1/intake/pages/" + std::to_string(reversed[0]) + "/move", {{"to_envelope_id", env1}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 400);
  auto moved = post(clerk, "/api/v1/intake/pages/" + std::to_string(reversed[0]) + "/move",
                    {{"to_receipt_no", e2_before.at("receipt_no")}});
  ASSERT_TRUE(moved);
  ASSERT_EQ(moved->status, 200) << moved->body;
  e1 = envelope(clerk, env1);
  const json e2 = envelope(clerk, env2);
  EXPECT_EQ(page_ids(e1), std::vector<std::int64_t>(reversed.begin() + 1, reversed.end()));
  ASSERT_EQ(e2.at("page_list").size(), 2u);
  EXPECT_EQ(e2.at("page_list")[1].at("id"), reversed[0]);
  EXPECT_EQ(e2.at("page_list")[1].at("seq"), 2);
  EXPECT_EQ(e1.at("page_list")[0].at("seq"), 1);

  // The receipt log of the day, and its xlsx; the reviewer sees the log too (no applicant data).
  const json log = get_json(reviewer, "/api/v1/intake/log?date=2025-06-05");
  ASSERT_EQ(log.at("rows").size(), 2u) << log.dump();
  EXPECT_EQ(log.at("rows")[0].at("receipt_no"), "M20250605-0001");
  EXPECT_EQ(log.at("rows")[0].at("pages"), 2);
  EXPECT_EQ(log.at("rows")[1].at("pages"), 2);
  EXPECT_EQ(get_json(clerk, "/api/v1/intake/log?date=2025-06-06").at("rows").size(), 0u);
  auto xlsx = get(clerk, log.at("xlsx_url").get<std::string>());
  ASSERT_TRUE(xlsx);
  EXPECT_EQ(xlsx->status, 200);
  EXPECT_EQ(xlsx->body.substr(0, 2), "PK");
  EXPECT_NE(xlsx->get_header_value("Content-Disposition").find("uketsukebo-2025-06-05.xlsx"), std::string::npos);
  auto anon_xlsx = client_->Get(log.at("xlsx_url").get<std::string>());
  ASSERT_TRUE(anon_xlsx);
  EXPECT_EQ(anon_xlsx->status, 401);

  // Each operation is in the audit trail (ids only).
  auto admin = station_->login("admin1", "admin-password-1");
  ASSERT_TRUE(admin);
  auto audit = station_->audit_search(*admin, station::AuditQuery{});
  ASSERT_TRUE(audit) << audit.error().detail;
  int turns = 0, orders = 0, moves = 0;
  for (const auto& a : *audit) {
    turns += a.action == "page.rotate";
    orders += a.action == "envelope.reorder_pages";
    moves += a.action == "page.move";
  }
  EXPECT_EQ(turns, 1);
  EXPECT_EQ(orders, 1);
  EXPECT_EQ(moves, 1);
}

// The facade's rule: once the envelope has been read, a change re-reads it (its values as read are
// dropped and it is queued again); once a reviewer has confirmed a value, its pages are frozen
// for the intake (refused in Japanese) and a clerk no longer sees them.
TEST_F(IntakeApi, ChangesReReadTheEnvelopeAndStopOnceAValueIsConfirmed) {
  const auto env = import({sample("app-001/page-01.jpg"), sample("app-001/page-02.jpg")});
  ASSERT_GT(env, 0);
  auto read = station_->recognize(reviewer_, env);
  ASSERT_TRUE(read) << read.error().detail;
  auto fields = station_->fields(reviewer_, env);
  ASSERT_TRUE(fields);
  ASSERT_FALSE(fields->empty());
  ASSERT_EQ(station_->envelope(reviewer_, env)->state, station::EnvelopeState::kRecognized);
  auto pages = station_->pages(clerk_, env);
  ASSERT_TRUE(pages && pages->size() == 2u);

  // A turn: the values as read are dropped and the envelope waits to be read again.
  ASSERT_TRUE(station_->rotate_page(clerk_, (*pages)[1].id, 180));
  const auto state = station_->envelope(reviewer_, env)->state;
  EXPECT_TRUE(state == station::EnvelopeState::kCaptured || state == station::EnvelopeState::kRecognizing)
      << station::state_name(state);
  EXPECT_TRUE(station_->fields(reviewer_, env)->empty());
  read = station_->recognize(reviewer_, env);
  ASSERT_TRUE(read) << read.error().detail;
  ASSERT_TRUE(station_->wait_for_recognition(std::chrono::minutes(10)));
  EXPECT_EQ(station_->envelope(reviewer_, env)->state, station::EnvelopeState::kRecognized);
  fields = station_->fields(reviewer_, env);
  ASSERT_TRUE(fields);
  ASSERT_FALSE(fields->empty());

  // A reviewer confirms one value: every page operation is refused, saying why, nothing changed.
  bool one_confirmed = false;  // the first value whose format the station accepts as read
  for (const auto& f : *fields)
    if (!one_confirmed) one_confirmed = station_->confirm_field(reviewer_, f.id, f.value).has_value();
  ASSERT_TRUE(one_confirmed);
  const Session clerk = login("clerk1", "clerk-password-1");
  auto turn = post(clerk, "/api/v1/intake/pages/" + std::to_string((*pages)[0].id) + "/rotate", {{"degrees", 90}});
  ASSERT_TRUE(turn);
  EXPECT_EQ(turn->status, 409);
  EXPECT_NE(json::parse(turn->body).at("reason_ja").get<std::string>().find("審査担当"), std::string::npos) << turn->body;
  auto order = station_->reorder_pages(clerk_, env, {(*pages)[1].id, (*pages)[0].id});
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().code, station::ErrorCode::kConflict);
  const auto other = import({sample("app-002/page-01.jpg")});
  auto move = station_->move_page(clerk_, (*pages)[0].id, other);
  ASSERT_FALSE(move);
  EXPECT_EQ(move.error().code, station::ErrorCode::kConflict);
  auto after = station_->pages(clerk_, env);
  ASSERT_TRUE(after && after->size() == 2u);
  EXPECT_EQ((*after)[0].id, (*pages)[0].id);
  EXPECT_EQ(station_->pages(clerk_, other)->size(), 1u);
  EXPECT_FALSE(station_->fields(reviewer_, env)->empty());
  // The clerk's look at its pages ends there (not flagged blank); the reviewer's goes on.
  auto denied = station_->page_rendition(clerk_, (*pages)[0].id, 240);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, station::ErrorCode::kForbidden);
  EXPECT_TRUE(station_->page_rendition(reviewer_, (*pages)[0].id, 240));
}

}  // namespace
