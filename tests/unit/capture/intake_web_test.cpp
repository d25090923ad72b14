// The receipt log (受付簿) in the web UI: the day's envelopes and the xlsx download.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <random>
#include <thread>

#include "station/station.h"
#include "ui/web_server.h"

extern "C" const char* __lsan_default_options() { return "suppressions=" STATION_SOURCE_DIR "/tests/lsan.supp"; }

namespace {

namespace fs = std::filesystem;

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

}  // namespace
