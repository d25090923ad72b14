// Issue #16 (part B) through the real web server on a real store: the route x role matrix walked
// route by route (every role and no session), page images by role and the read audit, TLS with a
// self-signed certificate made by the openssl CLI, and `station serve` refusing a non-loopback
// address without a certificate.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "ocr/fake_engine.h"
#include "services.h"
#include "station/station.h"
#include "ui/cli.h"
#include "ui/web_server.h"
#include "web_routes.h"

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

struct Session {
  std::string cookie, csrf, set_cookie;
};

// Logs in through the front-end's login (GET /api/v1/login's double-submit token, then POST) with
// any httplib client (plain or TLS): the session cookie and its CSRF token.
template <class Client>
Session login_with(Client& client, const std::string& user, const std::string& password) {
  auto form = client.Get("/api/v1/login");
  if (!form || form->status != 200) return {};
  const std::string sc = form->get_header_value("Set-Cookie");
  const std::string login_cookie = sc.substr(0, sc.find(';'));
  const nlohmann::json login_form = nlohmann::json::parse(form->body);
  const std::string token = login_form.at("login_token").get<std::string>();
  auto res = client.Post("/api/v1/login", httplib::Headers{{"Cookie", login_cookie}, {"X-CSRF-Token", token}},
                         nlohmann::json{{"username", user}, {"password", password}}.dump(), "application/json");
  if (!res || res->status != 200) return {};
  const std::string c = res->get_header_value("Set-Cookie");
  const nlohmann::json answer = nlohmann::json::parse(res->body);
  return Session{c.substr(0, c.find(';')), answer.at("csrf").get<std::string>(), c};
}

class WebSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    // The capture form lists scanners: SANE sees only its `test` and `pnm` backends here (no
    // network discovery waiting on timeouts).
    ::setenv("SANE_CONFIG_DIR", STATION_SOURCE_DIR "/tests/unit/scanner/sane-config", 1);
    dir_ = fs::temp_directory_path() / ("station-websec-test-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "roots");
    config_.data_dir = dir_ / "store";
    config_.ocr_workers = 1;
    config_.import_roots = {dir_ / "roots"};
    fake_.set_default(ocr::FakeEngine::reading("1", 0.95));
    services_.make_engine = [this]() -> station::Result<std::unique_ptr<ocr::Engine>> {
      return std::make_unique<SharedEngine>(fake_);
    };
    services_.make_scanner = [](const std::string&) -> scanner::Result<std::unique_ptr<scanner::Scanner>> {
      return std::unexpected(scanner::Error{scanner::Code::kNoDevice, "no scanner in this test"});
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
    supervisor_ = *station_->login("super1", "super-password-1");
  }

  void start(ui::WebOptions options) {
    options.port = 0;
    options.export_dir = dir_ / "exports";
    server_ = std::make_unique<ui::WebServer>(*station_, options);
    auto port = server_->bind();
    ASSERT_TRUE(port) << port.error().detail;
    port_ = *port;
    thread_ = std::thread([this] { server_->run(); });
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    station_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // One imported envelope (two pages), read by the fake engine.
  station::ImportReport imported() {
    auto r = station_->import_envelope(clerk_,
                                       {fs::path(STATION_SHARED_DIR) / "samples/app-001/page-03.jpg",
                                        fs::path(STATION_SHARED_DIR) / "samples/app-001/page-02.jpg"},
                                       {"2026-03-30", 1});
    EXPECT_TRUE(r) << (r ? "" : r.error().detail);
    EXPECT_TRUE(station_->wait_for_recognition(std::chrono::minutes(5)));
    return r ? *r : station::ImportReport{};
  }

  fs::path dir_;
  station::Config config_;
  ocr::FakeEngine fake_;
  station::Services services_;
  std::unique_ptr<station::Station> station_;
  station::User clerk_, reviewer_, supervisor_;
  std::unique_ptr<ui::WebServer> server_;
  std::thread thread_;
  int port_ = 0;
};

// A concrete path for a route's pattern: every (\d+) is an id that exists.
std::string concrete(std::string_view pattern, const std::vector<std::string>& ids) {
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern.substr(i).starts_with(R"(([A-Za-z0-9._-]+))")) {  // an account's name: one that is not there
      out += "no-such-user";
      i += std::string_view(R"(([A-Za-z0-9._-]+))").size();
    } else if (pattern.substr(i).starts_with(R"(([0-9a-f]{32}))")) {  // a letter preview's token: none made
      out += std::string(32, '0');
      i += std::string_view(R"(([0-9a-f]{32}))").size();
    } else if (pattern.substr(i).starts_with(R"((\d+))")) {
      out += n < ids.size() ? ids[n] : "1";
      ++n;
      i += 5;
    } else if (pattern[i] == '\\') {
      out += pattern[i + 1];
      i += 2;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

TEST_F(WebSecurity, EveryRouteAnswersEveryRoleAsTheMatrixSays) {
  const auto env = imported();
  ASSERT_GT(env.envelope_id, 0);
  auto pages = station_->pages(reviewer_, env.envelope_id);
  ASSERT_TRUE(pages);
  ASSERT_FALSE(pages->empty());
  const std::int64_t page_id = pages->front().id;
  // The clerk's page is one flagged blank: the only kind of page a clerk's work needs.
  ASSERT_TRUE(station_->confirm_blank(clerk_, page_id, true));
  auto fields = station_->fields(reviewer_, env.envelope_id);
  ASSERT_TRUE(fields);
  ASSERT_FALSE(fields->empty());
  const std::int64_t field_id = fields->front().id;
  start({});
  httplib::Client client("127.0.0.1", port_);

  const std::map<Role, std::pair<std::string, std::string>> accounts{
      {Role::kClerk, {"clerk1", "clerk-password-1"}},
      {Role::kReviewer, {"reviewer1", "reviewer-password-1"}},
      {Role::kSupervisor, {"super1", "super-password-1"}},
      {Role::kAdmin, {"admin1", "admin-password-1"}}};
  std::map<Role, Session> sessions;
  for (const auto& [role, a] : accounts) {
    sessions[role] = login_with(client, a.first, a.second);
    ASSERT_FALSE(sessions[role].cookie.empty()) << a.first;
    ASSERT_FALSE(sessions[role].csrf.empty()) << a.first;
  }

  auto ids_for = [&](std::string_view pattern) -> std::vector<std::string> {
    if (pattern.find("/fields/") != std::string_view::npos && !pattern.starts_with("/api/envelopes"))
      return {std::to_string(field_id)};
    if (pattern.starts_with("/pages/")) return {std::to_string(page_id)};
    if (pattern.starts_with("/api/v1/intake/jobs")) return {"0"};
    return {std::to_string(env.envelope_id), "1"};
  };
  auto send = [&](const ui::routes::Route& r, const Session* s) {
    const std::string path = concrete(r.pattern, ids_for(r.pattern));
    httplib::Headers h;
    if (s) h.emplace("Cookie", s->cookie);
    if (r.method == "GET") return client.Get(path, h);
    if (r.kind == ui::routes::Kind::kApi) {
      if (s) h.emplace("X-CSRF-Token", s->csrf);
      return client.Post(path, h, "{}", "application/json");
    }
    // A form that every handler refuses as input, never as a role: an import from a folder under
    // the configured root that is not there, blank=2.
    httplib::Params form{{"kind", "import"}, {"folder", (dir_ / "roots" / "none").string()}, {"envelope", "0"},
                         {"blank", "2"}, {"value", "x"}};
    if (s) form.emplace("csrf", s->csrf);
    return client.Post(path, h, form);
  };

  int checked = 0;
  // The logouts last (the JSON one, then the form's): they end the session they are sent with.
  std::vector<const ui::routes::Route*> order;
  for (const auto& r : ui::routes::kRoutes)
    if (!r.pattern.ends_with("/logout")) order.push_back(&r);
  order.push_back(ui::routes::find("POST", "/api/v1/logout"));
  order.push_back(ui::routes::find("POST", "/logout"));
  int public_rows = 0;
  for (const auto* r : order) {
    SCOPED_TRACE(std::string(r->method) + " " + std::string(r->pattern));
    // Without a session.
    auto anon = send(*r, nullptr);
    ASSERT_TRUE(anon);
    switch (r->kind) {
      case ui::routes::Kind::kPublic:
        if (r->method == "POST") EXPECT_EQ(anon->status, 403);  // the login's double-submit token
        else EXPECT_LT(anon->status, 400);  // "/" and "/login" redirect to /app
        break;
      case ui::routes::Kind::kHtml:
        EXPECT_EQ(anon->status, 303);
        EXPECT_EQ(anon->get_header_value("Location"), "/app");
        break;
      case ui::routes::Kind::kImage:
      case ui::routes::Kind::kApi: EXPECT_EQ(anon->status, 401); break;
    }
    ++checked;
    if (r->kind == ui::routes::Kind::kPublic) {
      ++public_rows;
      continue;
    }
    for (const auto& [role, s] : sessions) {
      SCOPED_TRACE(std::string(station::role_name(role)));
      auto res = send(*r, &s);
      ASSERT_TRUE(res);
      if (r->pattern == "/logout" && ui::routes::allows(*r, role)) {
        EXPECT_EQ(res->status, 303);  // signed out: back to the login page
      } else if (ui::routes::allows(*r, role)) {
        EXPECT_NE(res->status, 401);
        EXPECT_NE(res->status, 403) << res->body.substr(0, 300);
        EXPECT_FALSE(res->status == 303 && res->get_header_value("Location").starts_with("/app"));
      } else {
        EXPECT_EQ(res->status, 403);
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(ui::routes::kRoutes.size() * 5) - public_rows * 4);  // public rows: no roles
  EXPECT_GE(public_rows, 8);  // the app shell, its bundle, the login, the old addresses that redirect
}

TEST_F(WebSecurity, PageImagesOnlyForTheRolesWhoseWorkNeedsThemAndEveryViewIsAudited) {
  const auto env = imported();
  ASSERT_GT(env.envelope_id, 0);
  auto pages = station_->pages(reviewer_, env.envelope_id);
  ASSERT_TRUE(pages);
  ASSERT_EQ(pages->size(), 2u);
  const auto plain = (*pages)[1].id;   // not flagged blank
  const auto blank = (*pages)[0].id;
  ASSERT_TRUE(station_->confirm_blank(clerk_, blank, true));

  // A clerk: the page flagged blank; the other only as a thumbnail while the envelope is still the
  // intake's (to turn, order or move it, issue #17), and not at all once a reviewer has confirmed
  // a value (it may hold bank accounts and birth dates).
  auto thumb = station_->page_rendition(clerk_, plain, 1600);
  ASSERT_TRUE(thumb) << thumb.error().detail;
  EXPECT_LE(thumb->width, 400);
  auto reviewer_fields = station_->fields(reviewer_, env.envelope_id);
  ASSERT_TRUE(reviewer_fields && !reviewer_fields->empty());
  bool one_confirmed = false;  // the first value whose format the station accepts as read
  for (const auto& f : *reviewer_fields)
    if (!one_confirmed) one_confirmed = station_->confirm_field(reviewer_, f.id, f.value).has_value();
  ASSERT_TRUE(one_confirmed);
  auto denied = station_->page_png(clerk_, plain, 300);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kForbidden);
  EXPECT_FALSE(denied.error().reason_ja.empty());
  EXPECT_TRUE(station_->page_png(clerk_, blank, 300));
  // A reviewer sees every page; an administrator none.
  EXPECT_TRUE(station_->page_png(reviewer_, plain, 300));
  auto admin = station_->login("admin1", "admin-password-1");
  ASSERT_TRUE(admin);
  EXPECT_EQ(station_->page_png(*admin, blank, 300).error().code, ErrorCode::kForbidden);

  // The reviewer's views are in the audit log: who, which envelope, what kind; never a value.
  auto fields = station_->fields(reviewer_, env.envelope_id);
  ASSERT_TRUE(fields);
  ASSERT_TRUE(station_->field_crop_png(reviewer_, fields->front().id));
  station::AuditQuery q;
  q.username = "reviewer1";
  auto log = station_->audit_search(supervisor_, q);
  ASSERT_TRUE(log);
  std::set<std::string> kinds;
  for (const auto& e : *log) {
    if (!e.action.starts_with("view.")) continue;
    kinds.insert(e.action);
    EXPECT_EQ(e.envelope_id, env.envelope_id);
    EXPECT_EQ(e.subject, "envelope:" + std::to_string(env.envelope_id));
    EXPECT_FALSE(e.at.empty());
    for (const auto& f : *fields) {
      if (f.value.size() > 2) {
        EXPECT_EQ(e.subject.find(f.value), std::string::npos);
      }
    }
  }
  EXPECT_TRUE(kinds.contains("view.page"));
  EXPECT_TRUE(kinds.contains("view.fields"));
  EXPECT_TRUE(kinds.contains("view.crop"));
  // The clerk's look at the blank page is recorded too; the refused one records no view.
  q.username = "clerk1";
  auto clerk_log = station_->audit_search(supervisor_, q);
  ASSERT_TRUE(clerk_log);
  int clerk_views = 0;
  for (const auto& e : *clerk_log) clerk_views += e.action == "view.page";
  EXPECT_EQ(clerk_views, 1);
}

// The web import names the folders it may read when it refuses one (the intake API's answer).
TEST_F(WebSecurity, WebImportOutsideTheRootsIsRefusedWithTheAllowedFolders) {
  start({});
  httplib::Client client("127.0.0.1", port_);
  auto form = client.Get("/api/v1/login");
  ASSERT_TRUE(form);
  const std::string sc = form->get_header_value("Set-Cookie");
  const auto token = nlohmann::json::parse(form->body).at("login_token").get<std::string>();
  auto in = client.Post("/api/v1/login", httplib::Headers{{"Cookie", sc.substr(0, sc.find(';'))}, {"X-CSRF-Token", token}},
                        R"({"username":"clerk1","password":"clerk-password-1"})", "application/json");
  ASSERT_TRUE(in);
  ASSERT_EQ(in->status, 200);
  const std::string cookie = in->get_header_value("Set-Cookie").substr(0, in->get_header_value("Set-Cookie").find(';'));
  const auto csrf = nlohmann::json::parse(in->body).at("csrf").get<std::string>();
  fs::create_directories(dir_ / "elsewhere");
  fs::create_symlink(dir_ / "elsewhere", dir_ / "roots" / "link");
  for (const fs::path& folder : {dir_ / "elsewhere", dir_ / "roots" / "link"}) {
    const nlohmann::json body{{"kind", "import"}, {"folder", folder.string()}, {"received_date", "2026-03-30"}, {"enclosures", 1}};
    auto res = client.Post("/api/v1/intake/jobs", httplib::Headers{{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, body.dump(),
                           "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403);
    const auto reason = nlohmann::json::parse(res->body).at("reason_ja").get<std::string>();
    EXPECT_NE(reason.find("取り込めるのは次のフォルダーの中だけです"), std::string::npos) << reason;
    EXPECT_NE(reason.find((dir_ / "roots").string()), std::string::npos);
  }
}

// A self-signed certificate for 127.0.0.1 made with the openssl CLI (as an administrator would).
bool make_cert(const fs::path& dir) {
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                          "-keyout '" +
                          (dir / "key.pem").string() + "' -out '" + (dir / "cert.pem").string() +
                          "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0 && fs::exists(dir / "cert.pem");
}

TEST_F(WebSecurity, TlsServesHttpsWithASecureCookie) {
  ASSERT_TRUE(make_cert(dir_));
  ui::WebOptions options;
  options.host = "127.0.0.1";
  options.tls_cert = (dir_ / "cert.pem").string();
  options.tls_key = (dir_ / "key.pem").string();
  start(options);
  httplib::SSLClient tls("127.0.0.1", port_);
  tls.set_ca_cert_path((dir_ / "cert.pem").string());
  tls.enable_server_certificate_verification(true);
  auto page = tls.Get("/app");
  ASSERT_TRUE(page) << httplib::to_string(page.error());
  EXPECT_EQ(page->status, 200);
  const Session s = login_with(tls, "reviewer1", "reviewer-password-1");
  ASSERT_FALSE(s.cookie.empty());
  EXPECT_NE(s.set_cookie.find("; Secure"), std::string::npos) << s.set_cookie;
  auto list = tls.Get("/api/envelopes", httplib::Headers{{"Cookie", s.cookie}});
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
  // Plain HTTP to the TLS port gets no page.
  httplib::Client plain("127.0.0.1", port_);
  plain.set_read_timeout(5, 0);
  auto clear = plain.Get("/app");
  EXPECT_TRUE(!clear || clear->status != 200);
}

TEST_F(WebSecurity, PlainHttpCookieIsNotSecure) {
  start({});
  httplib::Client client("127.0.0.1", port_);
  const Session s = login_with(client, "reviewer1", "reviewer-password-1");
  ASSERT_FALSE(s.cookie.empty());
  EXPECT_EQ(s.set_cookie.find("Secure"), std::string::npos);
}

TEST(WebListen, NonLoopbackNeedsACertificate) {
  EXPECT_TRUE(ui::is_loopback("127.0.0.1"));
  EXPECT_TRUE(ui::is_loopback("127.3.4.5"));
  EXPECT_TRUE(ui::is_loopback("::1"));
  EXPECT_TRUE(ui::is_loopback("localhost"));
  EXPECT_FALSE(ui::is_loopback("0.0.0.0"));
  EXPECT_FALSE(ui::is_loopback("192.168.1.10"));
  EXPECT_FALSE(ui::is_loopback("::"));
  ui::WebOptions o;
  o.host = "0.0.0.0";
  auto refused = ui::check_listen(o);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConfig);
  EXPECT_NE(refused.error().reason_ja.find("tls_cert"), std::string::npos);
  o.tls_cert = "/nonexistent/cert.pem";
  o.tls_key = "/nonexistent/key.pem";
  EXPECT_EQ(ui::check_listen(o).error().code, ErrorCode::kConfig);
  o.host = "127.0.0.1";
  o.tls_cert.clear();
  o.tls_key.clear();
  EXPECT_TRUE(ui::check_listen(o));
}

int run(std::vector<std::string> args) {
  args.insert(args.begin(), "station");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return ui::run_cli(static_cast<int>(args.size()), argv.data());
}

TEST(WebListen, ServeOnAllAddressesWithoutACertificateRefusesWithAJapaneseError) {
  const fs::path dir = fs::temp_directory_path() / ("station-serve-tls-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  std::ofstream(dir / "config.toml") << "[store]\ndata_dir = \"" << (dir / "store").string() << "\"\n";
  testing::internal::CaptureStderr();
  const int code = run({"--config", (dir / "config.toml").string(), "serve", "--host", "0.0.0.0", "--port", "0"});
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, station::exit_code(ErrorCode::kConfig));
  EXPECT_NE(err.find("暗号化（TLS）なしに起動できません"), std::string::npos) << err;
  EXPECT_NE(err.find("tls_cert"), std::string::npos);
  // It refused before touching the store: nothing was created and no passphrase was asked for.
  EXPECT_FALSE(fs::exists(dir / "store"));
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
