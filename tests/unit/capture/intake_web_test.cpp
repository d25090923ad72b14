// The receipt log (受付簿) in the web UI: the day's envelopes and the xlsx download; starting an
// import from the web, following its progress, and confirming a blank page.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <thread>

#include "station/station.h"
#include "ui/web_server.h"

extern "C" const char* __lsan_default_options() { return "suppressions=" STATION_SOURCE_DIR "/tests/lsan.supp"; }

namespace {

namespace fs = std::filesystem;

// The capture page lists scanners: only the test backends of tests/unit/scanner/sane-config.
const bool kSaneConfigSet = [] {
  ::setenv("SANE_CONFIG_DIR", CAPTURE_SANE_CONFIG_DIR, 1);
  for (const char* lib : {"libsane-test.so.1", "libsane-pnm.so.1"}) {
    std::string path = std::string(CAPTURE_SANE_BACKEND_DIR) + "/" + lib;
    ::dlopen(path.c_str(), RTLD_LAZY | RTLD_NODELETE);
  }
  return true;
}();

std::string between(const std::string& html, const std::string& prefix) {
  const auto start = html.find(prefix);
  if (start == std::string::npos) return {};
  const auto from = start + prefix.size();
  return html.substr(from, html.find('"', from) - from);
}

TEST(IntakeWeb, ReceiptLogPageAndXlsxDownload) {
  const fs::path dir = fs::temp_directory_path() / ("station-intake-web-" + std::to_string(std::random_device{}()));
  station::Config config;
  config.data_dir = dir / "store";
  config.recognize_on_capture = false;  // capture alone: no background OCR
  auto st = station::Station::create(config, "test-passphrase");
  ASSERT_TRUE(st) << st.error().detail;
  auto admin = (*st)->add_user(nullptr, "admin1", "admin-password-1", station::Role::kAdmin);
  auto clerk = (*st)->add_user(&*admin, "clerk1", "clerk-password-1", station::Role::kClerk);
  ASSERT_TRUE(clerk);
  const fs::path page = fs::path(STATION_SHARED_DIR) / "samples/app-001/page-03.jpg";
  ASSERT_TRUE((*st)->import_envelope(*clerk, {page}, {"2025-06-05", 4}));

  ui::WebOptions options;
  options.port = 0;
  ui::WebServer server(**st, options);
  auto port = server.bind();
  ASSERT_TRUE(port) << port.error().detail;
  std::thread thread([&] { server.run(); });
  httplib::Client client("127.0.0.1", *port);

  // Not logged in: the download is refused.
  auto anon = client.Get("/intake.xlsx?date=2025-06-05");
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);

  auto form = client.Get("/login");
  ASSERT_TRUE(form);
  const std::string sc = form->get_header_value("Set-Cookie");
  httplib::Headers h{{"Cookie", sc.substr(0, sc.find(';'))}};
  auto res = client.Post("/login", h,
                         httplib::Params{{"username", "clerk1"}, {"password", "clerk-password-1"},
                                         {"csrf", between(form->body, R"(name="csrf" value=")")}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 303);
  const std::string session = res->get_header_value("Set-Cookie");
  httplib::Headers cookie{{"Cookie", session.substr(0, session.find(';'))}};

  auto log = client.Get("/intake?date=2025-06-05", cookie);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->status, 200);
  EXPECT_NE(log->body.find("受付簿"), std::string::npos);
  EXPECT_NE(log->body.find("M20250605-0001"), std::string::npos);
  EXPECT_NE(log->body.find("clerk1"), std::string::npos);
  EXPECT_NE(log->body.find("/intake.xlsx?date=2025-06-05"), std::string::npos);
  auto other_day = client.Get("/intake?date=2025-06-06", cookie);
  ASSERT_TRUE(other_day);
  EXPECT_EQ(other_day->body.find("M20250605-0001"), std::string::npos);
  auto bad = client.Get("/intake?date=2025-99-99", cookie);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);

  auto xlsx = client.Get("/intake.xlsx?date=2025-06-05", cookie);
  ASSERT_TRUE(xlsx);
  EXPECT_EQ(xlsx->status, 200);
  EXPECT_EQ(xlsx->body.substr(0, 2), "PK");
  EXPECT_NE(xlsx->get_header_value("Content-Disposition").find("uketsukebo-2025-06-05.xlsx"), std::string::npos);

  server.stop();
  thread.join();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

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
  entry(256, 4, 1, static_cast<unsigned>(w));         // ImageWidth
  entry(257, 4, 1, static_cast<unsigned>(h));         // ImageLength
  entry(258, 3, 1, 8);                                // BitsPerSample
  entry(259, 3, 1, 1);                                // Compression: none
  entry(262, 3, 1, 1);                                // Photometric: black is zero
  entry(273, 4, 1, pixels);                           // StripOffsets
  entry(277, 3, 1, 1);                                // SamplesPerPixel
  entry(278, 4, 1, static_cast<unsigned>(h));         // RowsPerStrip
  entry(279, 4, 1, static_cast<unsigned>(w * h));     // StripByteCounts
  entry(282, 5, 1, rational);                         // XResolution
  entry(283, 5, 1, rational);                         // YResolution
  entry(296, 3, 1, 2);                                // ResolutionUnit: inch
  u32(0);
  u32(static_cast<unsigned>(dpi));
  u32(1);
  std::mt19937 rng(3);
  for (int i = 0; i < w * h; ++i) t.push_back(static_cast<char>(236 + rng() % 12));
  return t;
}

// A logged-in client of the web UI.
struct WebSession {
  httplib::Headers cookie;
  std::string csrf;
};

WebSession web_login(httplib::Client& client, const std::string& user, const std::string& password) {
  WebSession s;
  auto form = client.Get("/login");
  EXPECT_TRUE(form);
  if (!form) return s;
  const std::string sc = form->get_header_value("Set-Cookie");
  httplib::Headers h{{"Cookie", sc.substr(0, sc.find(';'))}};
  auto res = client.Post("/login", h,
                         httplib::Params{{"username", user}, {"password", password},
                                         {"csrf", between(form->body, R"(name="csrf" value=")")}});
  EXPECT_TRUE(res && res->status == 303);
  if (!res) return s;
  const std::string session = res->get_header_value("Set-Cookie");
  s.cookie = {{"Cookie", session.substr(0, session.find(';'))}};
  auto index = client.Get("/", s.cookie);
  EXPECT_TRUE(index);
  if (index) s.csrf = between(index->body, R"(<meta name="csrf-token" content=")");
  return s;
}

TEST(CaptureWeb, ImportStartedFromTheWebShowsProgressThenConfirmsABlankPage) {
  ASSERT_TRUE(kSaneConfigSet);
  const fs::path dir = fs::temp_directory_path() / ("station-capture-web-" + std::to_string(std::random_device{}()));
  station::Config config;
  config.data_dir = dir / "store";
  config.recognize_on_capture = false;  // capture alone: no background OCR
  config.import_roots = {dir};           // the web import reads only under the configured roots
  auto st = station::Station::create(config, "test-passphrase");
  ASSERT_TRUE(st) << st.error().detail;
  auto admin = (*st)->add_user(nullptr, "admin1", "admin-password-1", station::Role::kAdmin);
  ASSERT_TRUE((*st)->add_user(&*admin, "clerk1", "clerk-password-1", station::Role::kClerk));
  ASSERT_TRUE((*st)->add_user(&*admin, "review1", "review-password-1", station::Role::kReviewer));
  // The folder on the kiosk: a form page and a blank back (white paper with noise).
  const fs::path in = dir / "scans" / "envelope-1";
  fs::create_directories(in);
  fs::copy_file(fs::path(STATION_SHARED_DIR) / "samples/app-001/page-03.jpg", in / "a.jpg");
  std::ofstream(in / "b.tif", std::ios::binary) << blank_tiff(1654, 2339, 200);
  ui::WebOptions options;
  options.port = 0;
  ui::WebServer server(**st, options);
  auto port = server.bind();
  ASSERT_TRUE(port) << port.error().detail;
  std::thread thread([&] { server.run(); });
  httplib::Client client("127.0.0.1", *port);
  client.set_read_timeout(std::chrono::seconds(60));

  const WebSession clerk = web_login(client, "clerk1", "clerk-password-1");
  ASSERT_FALSE(clerk.csrf.empty());
  auto form = client.Get("/capture", clerk.cookie);
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 200);
  EXPECT_NE(form->body.find("id=\"capture-form\""), std::string::npos);
  EXPECT_NE(form->body.find("test:0"), std::string::npos) << "the scanners are listed";

  // Without the CSRF token: refused, nothing started.
  httplib::Params start{{"kind", "import"}, {"folder", in.string()}, {"received_date", "2025-06-05"}, {"enclosures", "1"}};
  auto forged = client.Post("/capture/start", clerk.cookie, start);
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_FALSE((*st)->capture_job(*(*st)->login("clerk1", "clerk-password-1"), 0));
  // A folder that is not there: the form again, saying what to do.
  auto wrong = start;
  wrong.emplace("csrf", clerk.csrf);
  wrong.erase("folder");
  wrong.emplace("folder", (dir / "nowhere").string());
  auto refused = client.Post("/capture/start", clerk.cookie, wrong);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 422);
  EXPECT_NE(refused->body.find("フォルダーの場所を確認"), std::string::npos);

  start.emplace("csrf", clerk.csrf);
  auto started = client.Post("/capture/start", clerk.cookie, start);
  ASSERT_TRUE(started);
  ASSERT_EQ(started->status, 303);
  const std::string location = started->get_header_value("Location");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(location, m, std::regex(R"(/capture/jobs/(\d+))"))) << location;
  const std::string job_id = m[1];

  // The page polls this: pages so far and pages per minute, until the job has ended.
  nlohmann::json job;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int last_pages = 0;
  do {
    auto r = client.Get("/api/capture/jobs/" + job_id, clerk.cookie);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    job = nlohmann::json::parse(r->body);
    EXPECT_GE(job["pages"].get<int>(), last_pages);
    last_pages = job["pages"].get<int>();
    if (job["state"] == "running") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (job["state"] == "running" && std::chrono::steady_clock::now() < until);
  ASSERT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(job["pages"], 2);
  EXPECT_GT(job["pages_per_minute"].get<double>(), 0.0);
  EXPECT_EQ(job["blank_pages"], 1);
  ASSERT_EQ(job["envelopes"].size(), 1u);
  EXPECT_EQ(job["envelopes"][0]["receipt_no"], "M20250605-0001");
  const std::string envelope_id = std::to_string(job["envelopes"][0]["id"].get<std::int64_t>());

  auto outcome = client.Get(location, clerk.cookie);
  ASSERT_TRUE(outcome);
  EXPECT_NE(outcome->body.find("data-state=\"done\""), std::string::npos);
  EXPECT_NE(outcome->body.find("M20250605-0001"), std::string::npos);
  EXPECT_NE(outcome->body.find("/envelopes/" + envelope_id + "/blank"), std::string::npos);

  // The blank page: its thumbnail through the authenticated image path only.
  auto blank = client.Get("/envelopes/" + envelope_id + "/blank", clerk.cookie);
  ASSERT_TRUE(blank);
  ASSERT_EQ(blank->status, 200);
  const std::string page_id = between(blank->body, "data-page-id=\"");
  ASSERT_FALSE(page_id.empty()) << blank->body;
  EXPECT_NE(blank->body.find("src=\"/pages/" + page_id + ".png?w=300\""), std::string::npos);
  auto anon = client.Get("/pages/" + page_id + ".png?w=300");
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  auto thumb = client.Get("/pages/" + page_id + ".png?w=300", clerk.cookie);
  ASSERT_TRUE(thumb);
  EXPECT_EQ(thumb->status, 200);
  EXPECT_EQ(thumb->body.substr(1, 3), "PNG");

  // A reviewer can neither start nor follow a capture, nor confirm a blank page.
  const WebSession reviewer = web_login(client, "review1", "review-password-1");
  auto r_start = start;
  r_start.erase("csrf");
  r_start.emplace("csrf", reviewer.csrf);
  auto r_post = client.Post("/capture/start", reviewer.cookie, r_start);
  ASSERT_TRUE(r_post);
  EXPECT_EQ(r_post->status, 403);
  auto r_job = client.Get("/api/capture/jobs/" + job_id, reviewer.cookie);
  ASSERT_TRUE(r_job);
  EXPECT_EQ(r_job->status, 403);
  auto r_blank = client.Post("/pages/" + page_id + "/blank", reviewer.cookie,
                             httplib::Params{{"csrf", reviewer.csrf}, {"blank", "1"}, {"envelope", envelope_id}});
  ASSERT_TRUE(r_blank);
  EXPECT_EQ(r_blank->status, 403);

  // The clerk confirms it blank: kept, shown as confirmed, gone from the receipt log's count.
  auto confirm = client.Post("/pages/" + page_id + "/blank", clerk.cookie,
                             httplib::Params{{"csrf", clerk.csrf}, {"blank", "1"}, {"envelope", envelope_id}});
  ASSERT_TRUE(confirm);
  EXPECT_EQ(confirm->status, 303);
  blank = client.Get("/envelopes/" + envelope_id + "/blank", clerk.cookie);
  ASSERT_TRUE(blank);
  EXPECT_NE(blank->body.find("白紙（確認済み）"), std::string::npos);
  EXPECT_EQ(blank->body.find("class=\"confirm-blank\""), std::string::npos);
  auto log = client.Get("/intake?date=2025-06-05", clerk.cookie);
  ASSERT_TRUE(log);
  EXPECT_NE(log->body.find("<td>2</td><td>0</td>"), std::string::npos) << "2 pages, 0 awaiting the clerk";
  // Then "not blank" after all: the page leaves the list.
  confirm = client.Post("/pages/" + page_id + "/blank", clerk.cookie,
                        httplib::Params{{"csrf", clerk.csrf}, {"blank", "0"}, {"envelope", envelope_id}});
  ASSERT_TRUE(confirm);
  EXPECT_EQ(confirm->status, 303);
  blank = client.Get("/envelopes/" + envelope_id + "/blank", clerk.cookie);
  ASSERT_TRUE(blank);
  EXPECT_NE(blank->body.find("id=\"no-blank-pages\""), std::string::npos);

  server.stop();
  thread.join();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
