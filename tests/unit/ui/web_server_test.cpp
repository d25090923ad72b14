// The web server in-process against a real (empty) store: sessions, CSRF, headers, errors.
#include "ui/web_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <random>
#include <thread>

#include "station/station.h"

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

  // GET /login, then POST it; returns the session cookie ("station_session=...") or "".
  std::string login(const std::string& user, const std::string& password, LoginOutcome* out = nullptr) {
    auto form = client_->Get("/login");
    EXPECT_TRUE(form);
    const std::string set_cookie = form->get_header_value("Set-Cookie");
    const std::string login_cookie = set_cookie.substr(0, set_cookie.find(';'));
    const std::string token = attribute_after(form->body, R"(name="csrf" value=")");
    EXPECT_FALSE(token.empty());
    httplib::Headers headers{{"Cookie", login_cookie}};
    httplib::Params params{{"username", user}, {"password", password}, {"csrf", token}};
    auto res = client_->Post("/login", headers, params);
    EXPECT_TRUE(res);
    std::string cookie;
    if (res && res->status == 303) {
      const std::string sc = res->get_header_value("Set-Cookie");
      cookie = sc.substr(0, sc.find(';'));
    }
    if (out && res) *out = LoginOutcome{res->status, res->body, res->get_header_value("Set-Cookie")};
    return cookie;
  }

  // The text between `prefix` and the next double quote.
  static std::string attribute_after(const std::string& html, const std::string& prefix) {
    const auto start = html.find(prefix);
    if (start == std::string::npos) return {};
    const auto from = start + prefix.size();
    return html.substr(from, html.find('"', from) - from);
  }

  static std::string csrf_of(const std::string& html) {
    return attribute_after(html, R"(name="csrf-token" content=")");
  }

  fs::path dir_;
  std::unique_ptr<station::Station> station_;
  std::unique_ptr<ui::WebServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(WebServerTest, AnonymousHtmlRedirectsToLoginAndApiAnswers401) {
  auto res = client_->Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_EQ(res->get_header_value("Location"), "/login");
  auto api = client_->Get("/api/envelopes");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 401);
  EXPECT_NE(api->body.find("\"error\""), std::string::npos);
  auto img = client_->Get("/fields/1/crop.png");
  ASSERT_TRUE(img);
  EXPECT_EQ(img->status, 401);
}

TEST_F(WebServerTest, LoginPageIsJapaneseWithSecurityHeaders) {
  auto res = client_->Get("/login");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("<html lang=\"ja\">"), std::string::npos);
  EXPECT_NE(res->body.find("ログイン"), std::string::npos);
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  EXPECT_NE(res->get_header_value("Content-Type").find("charset=utf-8"), std::string::npos);
}

TEST_F(WebServerTest, WrongPasswordShowsJapaneseMessageAndEscapesTheName) {
  LoginOutcome res;
  const std::string cookie = login("<script>x</script>", "nope", &res);
  EXPECT_TRUE(cookie.empty());
  EXPECT_EQ(res.status, station::http_status(station::ErrorCode::kLoginFailed));
  EXPECT_NE(res.body.find(std::string(station::message_ja(station::ErrorCode::kLoginFailed))), std::string::npos);
  EXPECT_EQ(res.body.find("<script>x"), std::string::npos);
  EXPECT_NE(res.body.find("&lt;script&gt;x"), std::string::npos);
}

// Issue #16: after an admin's reset, the login form asks for a new password (the one-time one
// does not open a session), and the changed password then does.
TEST_F(WebServerTest, AOneTimePasswordLeadsToAForcedChangeOnTheLoginForm) {
  auto admin = station_->login("admin1", "admin-password-1");
  ASSERT_TRUE(admin);
  auto reset = station_->reset_password(*admin, "reviewer1");
  ASSERT_TRUE(reset) << reset.error().detail;
  LoginOutcome first;
  EXPECT_EQ(login("reviewer1", reset->one_time_password, &first), "") << "no session with a one-time password";
  EXPECT_EQ(first.status, 200);
  EXPECT_NE(first.body.find("パスワードの変更"), std::string::npos) << first.body;
  EXPECT_NE(first.body.find(R"(name="change" value="1")"), std::string::npos);
  EXPECT_NE(first.body.find(R"(value="reviewer1")"), std::string::npos);

  // The change form posts to /login with the login cookie of the form it came with.
  const std::string sc = first.set_cookie;
  httplib::Headers headers{{"Cookie", sc.substr(0, sc.find(';'))}};
  const std::string token = attribute_after(first.body, R"(name="csrf" value=")");
  auto mismatch = client_->Post("/login", headers,
                                httplib::Params{{"csrf", token}, {"change", "1"}, {"username", "reviewer1"},
                                                {"password", reset->one_time_password},
                                                {"new_password", "umi-kaze-sora-42"},
                                                {"new_password2", "umi-kaze-sora-43"}});
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->status, 400);
  EXPECT_NE(mismatch->body.find("一致しません"), std::string::npos);
  const std::string sc2 = mismatch->get_header_value("Set-Cookie");
  httplib::Headers headers2{{"Cookie", sc2.substr(0, sc2.find(';'))}};
  auto changed = client_->Post("/login", headers2,
                               httplib::Params{{"csrf", attribute_after(mismatch->body, R"(name="csrf" value=")")},
                                               {"change", "1"}, {"username", "reviewer1"},
                                               {"password", reset->one_time_password},
                                               {"new_password", "umi-kaze-sora-42"},
                                               {"new_password2", "umi-kaze-sora-42"}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 303);
  EXPECT_NE(changed->get_header_value("Set-Cookie").find("station_session="), std::string::npos);
  EXPECT_FALSE(login("reviewer1", "umi-kaze-sora-42").empty());
  EXPECT_TRUE(login("reviewer1", reset->one_time_password).empty());
}

TEST_F(WebServerTest, TheBackupApiSaysWhenNoGoodBackupIsRecent) {
  const std::string cookie = login("reviewer1", "reviewer-password-1");
  auto res = client_->Get("/api/backup", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("\"stale\":true"), std::string::npos) << res->body;
  auto page = client_->Get("/", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("alert warning"), std::string::npos);
  auto admin = station_->login("admin1", "admin-password-1");
  ASSERT_TRUE(station_->backup(*admin, dir_ / "media"));
  res = client_->Get("/api/backup", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("\"stale\":false"), std::string::npos) << res->body;
}

TEST_F(WebServerTest, LoginWithoutFormTokenIsRefused) {
  auto res = client_->Post("/login", httplib::Params{{"username", "reviewer1"}, {"password", "reviewer-password-1"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_FALSE(res->has_header("Location"));
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
  EXPECT_EQ(list->status, 200);
  EXPECT_NE(list->body.find("受付一覧"), std::string::npos);
  EXPECT_NE(list->body.find("reviewer1"), std::string::npos);
  EXPECT_EQ(list->body.find("本日分を出力"), std::string::npos);  // supervisors only

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
  auto page = client_->Get("/", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 303);  // to the login page
  cookie = login("reviewer1", "reviewer-password-1");
  ASSERT_FALSE(cookie.empty());
  auto list = client_->Get("/", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(list);
  EXPECT_NE(list->body.find("本日分を出力"), std::string::npos) << "the new session has the new role";

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
  auto list = client_->Get("/", httplib::Headers{{"Cookie", cookie}});
  const std::string csrf = csrf_of(list->body);
  ASSERT_EQ(csrf.size(), 64u);

  auto bad_logout = client_->Post("/logout", httplib::Headers{{"Cookie", cookie}}, httplib::Params{{"csrf", "x"}});
  ASSERT_TRUE(bad_logout);
  EXPECT_EQ(bad_logout->status, 403);

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

TEST_F(WebServerTest, UnknownPathIsAJapaneseNotFound) {
  const std::string cookie = login("reviewer1", "reviewer-password-1");
  auto res = client_->Get("/no/such/page", httplib::Headers{{"Cookie", cookie}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(res->body.find("lang=\"ja\""), std::string::npos);
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

  auto list = client_->Get("/", httplib::Headers{{"Cookie", cookie}});
  const std::string csrf = csrf_of(list->body);
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
