// The web server in-process against a real (empty) store: sessions, CSRF, headers, errors.
#include "ui/web_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <random>
#include <thread>

#include "station/station.h"
#include "web_bundle.h"

namespace {

namespace fs = std::filesystem;

class WebServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("station-ui-test-" + std::to_string(std::random_device{}()));
    station::Config config;
    config.data_dir = dir_ / "store";
    config.recognize_on_capture = false;  // capture alone: no background OCR
    auto st = station::Station::create(config, "test-passphrase");
    ASSERT_TRUE(st) << st.error().detail;
    station_ = std::move(*st);
    auto admin = station_->add_user(nullptr, "admin1", "admin-password-1", station::Role::kAdmin);
    ASSERT_TRUE(admin) << admin.error().detail;
    auto reviewer = station_->add_user(&*admin, "reviewer1", "reviewer-password-1", station::Role::kReviewer);
    ASSERT_TRUE(reviewer) << reviewer.error().detail;

    ui::WebOptions options;
    options.port = 0;
    server_ = std::make_unique<ui::WebServer>(*station_, options);
    auto port = server_->bind();
    ASSERT_TRUE(port) << port.error().detail;
    port_ = *port;
    thread_ = std::thread([this] { server_->run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    station_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  struct LoginOutcome {
    int status = 0;
    std::string body;
    std::string set_cookie;
  };

  // The front-end's login (GET /api/v1/login for its token, then POST it; the old /login form is
  // retired): the session cookie ("station_session=...") or "", and the session's CSRF token in csrf_.
  std::string login(const std::string& user, const std::string& password, LoginOutcome* out = nullptr) {
    auto form = client_->Get("/api/v1/login");
    EXPECT_TRUE(form);
    if (!form) return {};
    const std::string set_cookie = form->get_header_value("Set-Cookie");
    const std::string login_cookie = set_cookie.substr(0, set_cookie.find(';'));
    const std::string token = nlohmann::json::parse(form->body).at("login_token").get<std::string>();
    EXPECT_FALSE(token.empty());
    httplib::Headers headers{{"Cookie", login_cookie}, {"X-CSRF-Token", token}};
    auto res = client_->Post("/api/v1/login", headers,
                             nlohmann::json{{"username", user}, {"password", password}}.dump(), "application/json");
    EXPECT_TRUE(res);
    std::string cookie;
    if (res && res->status == 200) {
      const std::string sc = res->get_header_value("Set-Cookie");
      cookie = sc.substr(0, sc.find(';'));
      csrf_ = nlohmann::json::parse(res->body).at("csrf").get<std::string>();
    }
    if (out && res) *out = LoginOutcome{res->status, res->body, res->get_header_value("Set-Cookie")};
    return cookie;
  }

  std::string csrf_;
  fs::path dir_;
  std::unique_ptr<station::Station> station_;
  std::unique_ptr<ui::WebServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
};

// The old list and login pages are retired (issue #17): "/" and "/login" go to the front-end, as
// does a page that needs a session without one.
TEST_F(WebServerTest, AnonymousHtmlRedirectsToTheAppAndApiAnswers401) {
  for (const char* path : {"/", "/login", "/login?locked=1"}) {
    auto res = client_->Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 303) << path;
    EXPECT_EQ(res->get_header_value("Location"), "/app") << path;
  }
  for (const char* gone : {"/envelopes/1", "/fields/1/crop.png", "/intake", "/capture"}) {
    auto res = client_->Get(gone);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << gone << " is retired";
  }
  auto api = client_->Get("/api/envelopes");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 401);
  EXPECT_NE(api->body.find("\"error\""), std::string::npos);
  auto img = client_->Get("/pages/1.png");
  ASSERT_TRUE(img);
  EXPECT_EQ(img->status, 401);
}

TEST_F(WebServerTest, TheAppShellIsJapaneseWithSecurityHeaders) {
  auto res = client_->Get("/app");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("lang=\"ja\""), std::string::npos);
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  EXPECT_NE(res->get_header_value("Content-Type").find("charset=utf-8"), std::string::npos);
}

TEST_F(WebServerTest, WrongPasswordAnswersJapaneseAndDoesNotEchoTheName) {
  LoginOutcome res;
  const std::string cookie = login("<script>x</script>", "nope", &res);
  EXPECT_TRUE(cookie.empty());
  EXPECT_EQ(res.status, station::http_status(station::ErrorCode::kLoginFailed));
  EXPECT_EQ(nlohmann::json::parse(res.body).at("message_ja"),
            std::string(station::message_ja(station::ErrorCode::kLoginFailed)));
  EXPECT_EQ(res.body.find("<script>x"), std::string::npos);
}

// (The forced change after an admin's reset is the front-end's login now: tests/ui/accounts_api_test.cpp.)

TEST_F(WebServerTest, TheBackupApiSaysWhenNoGoodBackupIsRecent) {
  const std::string cookie = login("reviewer1", "reviewer-password-1");
  auto res = client_->Get("/api/backup", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("\"stale\":true"), std::string::npos) << res->body;
  EXPECT_FALSE(nlohmann::json::parse(res->body).at("warning_ja").get<std::string>().empty()) << "the stale warning";
  auto admin = station_->login("admin1", "admin-password-1");
  ASSERT_TRUE(station_->backup(*admin, dir_ / "media"));
  res = client_->Get("/api/backup", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("\"stale\":false"), std::string::npos) << res->body;
}

TEST_F(WebServerTest, LoginWithoutItsTokenIsRefused) {
  auto res = client_->Post("/api/v1/login", R"({"username":"reviewer1","password":"reviewer-password-1"})",
                           "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(res->get_header_value("Set-Cookie").find("station_session="), std::string::npos);
  auto retired = client_->Post("/login", httplib::Params{{"username", "reviewer1"}, {"password", "reviewer-password-1"}});
  ASSERT_TRUE(retired);
  EXPECT_NE(retired->status, 303) << "the old login form is gone";
  EXPECT_EQ(retired->get_header_value("Set-Cookie").find("station_session="), std::string::npos);
}

TEST_F(WebServerTest, SessionCookieIsHttpOnlyStrictAndOpensTheList) {
  LoginOutcome res;
  const std::string cookie = login("reviewer1", "reviewer-password-1", &res);
  ASSERT_FALSE(cookie.empty());
  const std::string& set_cookie = res.set_cookie;
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.size(), std::string("station_session=").size() + 64);

  auto list = client_->Get("/", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 303);
  EXPECT_EQ(list->get_header_value("Location"), "/app") << "the work queue is the front-end's";
  auto who = client_->Get("/api/v1/session", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(who);
  EXPECT_EQ(nlohmann::json::parse(who->body).at("user").at("username"), "reviewer1");

  auto api = client_->Get("/api/envelopes", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 200);
  EXPECT_EQ(api->body, "[]");
}

// Issue #16: a role change, a disable or an admin's reset ends the account's open sessions at
// once (not at the idle lock); a change to another account leaves them alone.
TEST_F(WebServerTest, DisablingResettingOrChangingTheRoleOfAnAccountEndsItsOpenSessions) {
  auto admin = station_->login("admin1", "admin-password-1");
  ASSERT_TRUE(admin) << admin.error().detail;
  const auto status_of = [&](const std::string& cookie) {
    auto res = client_->Get("/api/envelopes", httplib::Headers{{"Cookie", cookie}});
    return res ? res->status : -1;
  };

  std::string cookie = login("reviewer1", "reviewer-password-1");
  ASSERT_FALSE(cookie.empty());
  ASSERT_EQ(status_of(cookie), 200);
  auto clerk = station_->add_user(&*admin, "clerk1", "clerk-password-1", station::Role::kClerk);
  ASSERT_TRUE(clerk) << clerk.error().detail;
  ASSERT_TRUE(station_->disable_user(*admin, "clerk1"));
  EXPECT_EQ(status_of(cookie), 200) << "another account's change must not end this session";

  ASSERT_TRUE(station_->set_role(*admin, "reviewer1", station::Role::kSupervisor));
  EXPECT_EQ(status_of(cookie), 401) << "a role change ends the session";
  cookie = login("reviewer1", "reviewer-password-1");
  ASSERT_FALSE(cookie.empty());
  auto who = client_->Get("/api/v1/session", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(who);
  EXPECT_EQ(nlohmann::json::parse(who->body).at("user").at("role"), "supervisor") << "the new session has the new role";

  ASSERT_TRUE(station_->disable_user(*admin, "reviewer1"));
  EXPECT_EQ(status_of(cookie), 401) << "a disable ends the session";
  ASSERT_TRUE(station_->enable_user(*admin, "reviewer1"));
  EXPECT_EQ(status_of(cookie), 401) << "enabling again does not bring an ended session back";

  cookie = login("reviewer1", "reviewer-password-1");
  ASSERT_FALSE(cookie.empty());
  ASSERT_EQ(status_of(cookie), 200);
  ASSERT_TRUE(station_->reset_password(*admin, "reviewer1"));
  EXPECT_EQ(status_of(cookie), 401) << "an admin's reset ends the session";
}

TEST_F(WebServerTest, PostsNeedTheSessionsCsrfToken) {
  const std::string cookie = login("reviewer1", "reviewer-password-1");
  ASSERT_FALSE(cookie.empty());
  const std::string csrf = csrf_;
  ASSERT_EQ(csrf.size(), 64u);

  auto bad_logout = client_->Post("/logout", httplib::Headers{{"Cookie", cookie}}, httplib::Params{{"csrf", "x"}});
  ASSERT_TRUE(bad_logout);
  EXPECT_EQ(bad_logout->status, 403);
  EXPECT_EQ(bad_logout->body, std::string(ui::bundle::kErrorStaleFormHtml)) << "the front-end's page, not built here";

  auto api_no_token = client_->Post("/api/fields/1/confirm", httplib::Headers{{"Cookie", cookie}},
                                    R"({"value":"1"})", "application/json");
  ASSERT_TRUE(api_no_token);
  EXPECT_EQ(api_no_token->status, 403);

  auto api_missing = client_->Post("/api/fields/999999/confirm",
                                   httplib::Headers{{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, R"({"value":"1"})",
                                   "application/json");
  ASSERT_TRUE(api_missing);
  EXPECT_EQ(api_missing->status, station::http_status(station::ErrorCode::kNotFound));
  EXPECT_NE(api_missing->body.find("NOT_FOUND"), std::string::npos);

  auto api_bad_json = client_->Post("/api/fields/1/confirm",
                                    httplib::Headers{{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, "{", "application/json");
  ASSERT_TRUE(api_bad_json);
  EXPECT_EQ(api_bad_json->status, station::http_status(station::ErrorCode::kInvalidInput));

  auto logout = client_->Post("/logout", httplib::Headers{{"Cookie", cookie}}, httplib::Params{{"csrf", csrf}});
  ASSERT_TRUE(logout);
  EXPECT_EQ(logout->status, 303);
  auto after = client_->Get("/api/envelopes", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
}

TEST_F(WebServerTest, RecognitionProgressApiNeedsASession) {
  auto anonymous = client_->Get("/api/recognition");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  const std::string cookie = login("reviewer1", "reviewer-password-1");
  ASSERT_FALSE(cookie.empty());
  auto status = client_->Get("/api/recognition", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_NE(status->body.find("\"workers\""), std::string::npos);
  EXPECT_NE(status->body.find("\"tasks\":[]"), std::string::npos);
  auto missing = client_->Get("/api/envelopes/999999/state", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, station::http_status(station::ErrorCode::kNotFound));
}

TEST_F(WebServerTest, SyncStatusApiShowsWhatIsPendingToASession) {
  auto anonymous = client_->Get("/api/sync");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  const std::string cookie = login("reviewer1", "reviewer-password-1");
  ASSERT_FALSE(cookie.empty());
  auto status = client_->Get("/api/sync", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  const auto j = nlohmann::json::parse(status->body);
  EXPECT_EQ(j.at("configured"), false);
  EXPECT_EQ(j.at("worker_running"), false);
  EXPECT_EQ(j.at("delivered"), 0);
  EXPECT_GE(j.at("pending").get<long long>(), 0);
  EXPECT_EQ(j.at("pending").get<long long>() > 0, !j.at("oldest_pending_at").get<std::string>().empty());
}

TEST_F(WebServerTest, SecondServerOnTheSamePortIsRefused) {
  ui::WebOptions options;
  options.port = port_;
  ui::WebServer other(*station_, options);
  auto bound = other.bind();
  ASSERT_FALSE(bound);
  EXPECT_EQ(bound.error().code, station::ErrorCode::kAddressInUse);
}

// No HTML is built in C++ (issue #17): a page that fails is the front-end's own static error page,
// the same bytes for every path, carrying only the code whose Japanese message the front-end shows.
TEST_F(WebServerTest, UnknownPathIsTheFrontEndsNotFoundPageWithNoServerBuiltHtml) {
  const std::string cookie = login("reviewer1", "reviewer-password-1");
  for (const char* path : {"/no/such/page", "/envelopes/1?<b>x</b>", "/static/app.js"}) {
    SCOPED_TRACE(path);
    for (const bool signed_in : {true, false}) {
      httplib::Headers h;
      if (signed_in) h.emplace("Cookie", cookie);
      auto res = client_->Get(path, h);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 404);
      EXPECT_EQ(res->body, std::string(ui::bundle::kErrorNotFoundHtml)) << "the bundle's page, byte for byte";
      EXPECT_NE(res->body.find(R"(data-error="NOT_FOUND")"), std::string::npos);
      EXPECT_NE(res->body.find(std::string(ui::bundle::kJsPath)), std::string::npos);
      EXPECT_NE(res->body.find("lang=\"ja\""), std::string::npos);
      EXPECT_EQ(res->body.find("<b>"), std::string::npos) << "nothing of the request is echoed";
      EXPECT_EQ(res->body.find("reviewer1"), std::string::npos) << "nothing of the session either";
      EXPECT_NE(res->get_header_value("Content-Type").find("text/html"), std::string::npos);
      EXPECT_NE(res->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
    }
  }
  // The old server-rendered assets are gone with the pages that used them.
  auto css = client_->Get("/static/app.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 404);
  // API paths keep their JSON errors.
  auto api = client_->Get("/api/v1/no-such-thing", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 404);
  EXPECT_EQ(nlohmann::json::parse(api->body).at("error"), "NOT_FOUND");
}

TEST(WebServerLifecycle, StopBeforeRunReturnsPromptly) {
  // No station is touched before a request arrives; a default config suffices for bind/stop.
  station::Config config;
  config.data_dir = std::filesystem::temp_directory_path() / ("station-ui-life-" + std::to_string(std::random_device{}()));
  config.recognize_on_capture = false;  // capture alone: no background OCR
  auto st = station::Station::create(config, "lifecycle-passphrase");
  ASSERT_TRUE(st) << st.error().detail;
  ui::WebOptions options;
  options.port = 0;
  ui::WebServer server(**st, options);
  ASSERT_TRUE(server.bind());
  server.stop();
  std::thread t([&] { server.run(); });
  t.join();
  std::error_code ec;
  std::filesystem::remove_all(config.data_dir, ec);
}

}  // namespace

TEST_F(WebServerTest, FindingsAndValuesApisFollowTheConfirmationRules) {
  auto anonymous = client_->Get("/api/envelopes/1/findings");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  const std::string cookie = login("reviewer1", "reviewer-password-1");
  ASSERT_FALSE(cookie.empty());
  auto missing = client_->Get("/api/envelopes/999999/findings", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, station::http_status(station::ErrorCode::kNotFound));

  const std::string csrf = csrf_;
  auto no_token = client_->Post("/api/envelopes/1/values", httplib::Headers{{"Cookie", cookie}},
                                R"({"fields":{"amount":"1"}})", "application/json");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 403);
  auto unknown = client_->Post("/api/envelopes/1/values", httplib::Headers{{"Cookie", cookie}, {"X-CSRF-Token", csrf}},
                               R"({"fields":{"no.such.key":"1"}})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, station::http_status(station::ErrorCode::kInvalidInput));
  auto no_envelope = client_->Post("/api/envelopes/999999/values",
                                   httplib::Headers{{"Cookie", cookie}, {"X-CSRF-Token", csrf}},
                                   R"({"fields":{"amount":"1"}})", "application/json");
  ASSERT_TRUE(no_envelope);
  EXPECT_EQ(no_envelope->status, station::http_status(station::ErrorCode::kNotFound));
}
