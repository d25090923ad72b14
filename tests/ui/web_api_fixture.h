#pragma once
// The fixture the JSON API tests share: a station on a fresh temporary store (recognition through
// a fake OCR engine unless a test chooses otherwise), the real ui::WebServer on a free loopback
// port, an HTTP client, and the API's login (the GET's double-submit token, then the POST) and
// cookie + CSRF requests. A test fixture derives from it, sets `config_` / `fake_` / `services_`
// as it needs, then calls create_station(), add_staff() (log_in_staff()) and serve() in its SetUp.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include "ocr/fake_engine.h"
#include "services.h"
#include "station/station.h"
#include "ui/web_server.h"

namespace web_test {

namespace fs = std::filesystem;
using nlohmann::json;

// A browser's session: its cookie and the CSRF token the API wants on every change.
struct Session {
  std::string cookie, csrf;
};

// The staff accounts add_staff() makes, one per role.
inline constexpr const char* kAdmin = "admin1";
inline constexpr const char* kAdminPassword = "admin-password-1";
inline constexpr const char* kClerk = "clerk1";
inline constexpr const char* kClerkPassword = "clerk-password-1";
inline constexpr const char* kReviewer = "reviewer1";
inline constexpr const char* kReviewerPassword = "reviewer-password-1";
inline constexpr const char* kSupervisor = "super1";
inline constexpr const char* kSupervisorPassword = "super-password-1";

class WebApiTest : public ::testing::Test {
 protected:
  // `name` names the temporary folder (station-<name>-<random>).
  explicit WebApiTest(std::string_view name)
      : dir_(fs::temp_directory_path() / ("station-" + std::string(name) + "-" + std::to_string(std::random_device{}()))) {
    fs::create_directories(dir_);
    config_.data_dir = dir_ / "store";
    services_.make_engine = [this]() -> station::Result<std::unique_ptr<ocr::Engine>> { return fake_.handle(); };
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    station_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // The store, with `services_` (the fake engine unless changed); call under ASSERT_NO_FATAL_FAILURE.
  void create_station() {
    auto st = station::Station::create(config_, "test-passphrase", &services_);
    ASSERT_TRUE(st) << st.error().detail;
    station_ = std::move(*st);
  }

  // One account per role: admin1, clerk1, reviewer1, super1.
  void add_staff() {
    auto admin = station_->add_user(nullptr, kAdmin, kAdminPassword, station::Role::kAdmin);
    ASSERT_TRUE(admin) << admin.error().detail;
    ASSERT_TRUE(station_->add_user(&*admin, kClerk, kClerkPassword, station::Role::kClerk));
    ASSERT_TRUE(station_->add_user(&*admin, kReviewer, kReviewerPassword, station::Role::kReviewer));
    ASSERT_TRUE(station_->add_user(&*admin, kSupervisor, kSupervisorPassword, station::Role::kSupervisor));
  }
  // The staff's station logins, for work done beside the web server: clerk_, reviewer_, supervisor_.
  void log_in_staff() {
    clerk_ = *station_->login(kClerk, kClerkPassword);
    reviewer_ = *station_->login(kReviewer, kReviewerPassword);
    supervisor_ = *station_->login(kSupervisor, kSupervisorPassword);
  }

  // The web server on a free port, and a client for it.
  void serve(ui::WebOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<ui::WebServer>(*station_, options);
    auto port = server_->bind();
    ASSERT_TRUE(port) << port.error().detail;
    thread_ = std::thread([this] { server_->run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }

  // The JSON login: GET hands out the token (and its cookie), POST sends both back.
  httplib::Result post_login(const json& body, bool with_token = true) {
    auto form = client_->Get("/api/v1/login");
    EXPECT_TRUE(form);
    EXPECT_EQ(form->status, 200);
    const std::string sc = form->get_header_value("Set-Cookie");
    const std::string token = json::parse(form->body).at("login_token").get<std::string>();
    httplib::Headers h{{"Cookie", sc.substr(0, sc.find(';'))}};
    if (with_token) h.emplace("X-CSRF-Token", token);
    return client_->Post("/api/v1/login", h, body.dump(), "application/json");
  }

  // A logged-in session (empty, with a test failure, when the login is refused).
  Session login(const std::string& user, const std::string& password) {
    auto res = post_login({{"username", user}, {"password", password}});
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    if (res->status != 200) return {};
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

  fs::path dir_;
  station::Config config_;
  ocr::FakeEngine fake_;
  station::Services services_;
  std::unique_ptr<station::Station> station_;
  station::User clerk_, reviewer_, supervisor_;
  std::unique_ptr<ui::WebServer> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace web_test
