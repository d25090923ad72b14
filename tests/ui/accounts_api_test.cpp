// The account screens' JSON API (/api/v1/accounts..., /api/v1/me/password; docs/ui.md) through
// the real web server on a real store: the shapes (never a hash), each administrator action
// working and refused for the other roles, the CSRF refusal, a disabled account's session ending,
// a reset forcing the change at the next login, and one's own change needing the current password.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>

#include "station/station.h"
#include "ui/web_server.h"
#include "web_api_fixture.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using station::Role;
using web_test::Session;

class AccountsApi : public web_test::WebApiTest {
 protected:
  AccountsApi() : WebApiTest("accounts-api-test") {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(create_station());
    ASSERT_NO_FATAL_FAILURE(add_staff());
    ASSERT_NO_FATAL_FAILURE(serve());
  }

  json account(const Session& admin, const std::string& name) {
    auto res = get(admin, "/api/v1/accounts");
    EXPECT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    const json body = json::parse(res->body);
    for (const auto& a : body.at("accounts"))
      if (a.at("username") == name) return a;
    ADD_FAILURE() << "no account " << name;
    return json::object();
  }
};

TEST_F(AccountsApi, ListShowsStateLastLoginAndFailedAttemptsButNoHash) {
  auto bad = post_login({{"username", "clerk1"}, {"password", "wrong-password-x"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  const Session admin = login("admin1", "admin-password-1");
  auto res = get(admin, "/api/v1/accounts");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_NE(res->get_header_value("Content-Type").find("application/json"), std::string::npos);
  const json body = json::parse(res->body);
  ASSERT_EQ(body.at("accounts").size(), 4u);
  for (const auto& a : body.at("accounts")) {
    for (const char* k : {"username", "role", "role_ja", "state", "disabled", "must_change_password", "failed_attempts",
                          "last_login_at", "locked_until"})
      EXPECT_TRUE(a.contains(k)) << k;
    EXPECT_FALSE(a.contains("password_hash"));
  }
  EXPECT_EQ(res->body.find("$argon2"), std::string::npos);  // no hash in any form
  const json clerk = account(admin, "clerk1");
  EXPECT_EQ(clerk.at("failed_attempts"), 1);
  EXPECT_EQ(clerk.at("state"), "active");
  EXPECT_EQ(clerk.at("role_ja"), "受付担当");
  EXPECT_FALSE(account(admin, "admin1").at("last_login_at").get<std::string>().empty());
  EXPECT_TRUE(account(admin, "reviewer1").at("last_login_at").get<std::string>().empty());
}

TEST_F(AccountsApi, AdminActionsAreRefusedForOtherRolesAndWithoutCsrf) {
  const std::map<std::string, Session> others{{"clerk1", login("clerk1", "clerk-password-1")},
                                              {"reviewer1", login("reviewer1", "reviewer-password-1")},
                                              {"super1", login("super1", "super-password-1")}};
  for (const auto& [name, s] : others) {
    SCOPED_TRACE(name);
    auto list = get(s, "/api/v1/accounts");
    ASSERT_TRUE(list);
    EXPECT_EQ(list->status, 403);
    EXPECT_FALSE(json::parse(list->body).at("message_ja").get<std::string>().empty());
    for (const std::string action : {"reset", "disable", "enable"}) {
      auto r = post(s, "/api/v1/accounts/reviewer1/" + action, json::object());
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 403) << action;
    }
    auto role = post(s, "/api/v1/accounts/" + name + "/role", {{"role", "admin"}});
    ASSERT_TRUE(role);
    EXPECT_EQ(role->status, 403);
    auto add = post(s, "/api/v1/accounts", {{"username", "x1"}, {"password", "a-long-password-9"}, {"role", "admin"}});
    ASSERT_TRUE(add);
    EXPECT_EQ(add->status, 403);
  }
  // Nothing changed: the roles and states are as before.
  const Session admin = login("admin1", "admin-password-1");
  EXPECT_EQ(account(admin, "clerk1").at("role"), "clerk");
  EXPECT_EQ(account(admin, "reviewer1").at("state"), "active");
  EXPECT_EQ(account(admin, "reviewer1").at("must_change_password"), false);
  // The administrator without the CSRF header: refused, nothing done.
  auto no_csrf = post(admin, "/api/v1/accounts/clerk1/disable", json::object(), /*csrf=*/false);
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  EXPECT_FALSE(json::parse(no_csrf->body).at("reason_ja").get<std::string>().empty());
  EXPECT_EQ(account(admin, "clerk1").at("disabled"), false);
  auto no_csrf_pw = post(others.at("clerk1"), "/api/v1/me/password",
                         {{"current_password", "clerk-password-1"}, {"new_password", "another-clerk-pass-2"}}, false);
  ASSERT_TRUE(no_csrf_pw);
  EXPECT_EQ(no_csrf_pw->status, 403);
  EXPECT_EQ(post_login({{"username", "clerk1"}, {"password", "clerk-password-1"}})->status, 200);
}

TEST_F(AccountsApi, CreateThenRoleChangeAndRefusals) {
  const Session admin = login("admin1", "admin-password-1");
  auto add = post(admin, "/api/v1/accounts", {{"username", "clerk2"}, {"password", "first-pass-for-two"}, {"role", "clerk"}});
  ASSERT_TRUE(add);
  ASSERT_EQ(add->status, 201) << add->body;
  EXPECT_EQ(json::parse(add->body).at("account").at("role"), "clerk");
  EXPECT_EQ(login("clerk2", "first-pass-for-two").cookie.empty(), false);
  // The same name again, a bad role, a bad name: refused with a Japanese reason.
  for (const json& bad : {json{{"username", "clerk2"}, {"password", "first-pass-for-two"}, {"role", "clerk"}},
                          json{{"username", "clerk3"}, {"password", "first-pass-for-three"}, {"role", "boss"}},
                          json{{"username", "名前"}, {"password", "first-pass-for-three"}, {"role", "clerk"}}}) {
    auto r = post(admin, "/api/v1/accounts", bad);
    ASSERT_TRUE(r);
    EXPECT_GE(r->status, 400) << bad.dump();
    EXPECT_LT(r->status, 500) << bad.dump();
    EXPECT_FALSE(json::parse(r->body).at("message_ja").get<std::string>().empty());
  }
  auto role = post(admin, "/api/v1/accounts/clerk2/role", {{"role", "reviewer"}});
  ASSERT_TRUE(role);
  ASSERT_EQ(role->status, 200) << role->body;
  EXPECT_EQ(json::parse(role->body).at("user").at("role"), "reviewer");
  EXPECT_EQ(account(admin, "clerk2").at("role"), "reviewer");
  EXPECT_EQ(station_->login("clerk2", "first-pass-for-two")->role, Role::kReviewer);
  // The last administrator cannot leave the role, nor disable themself.
  auto self_role = post(admin, "/api/v1/accounts/admin1/role", {{"role", "clerk"}});
  ASSERT_TRUE(self_role);
  EXPECT_EQ(self_role->status, 409);
  auto self_disable = post(admin, "/api/v1/accounts/admin1/disable", json::object());
  ASSERT_TRUE(self_disable);
  EXPECT_EQ(self_disable->status, 409);
  auto missing = post(admin, "/api/v1/accounts/nobody/reset", json::object());
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(AccountsApi, DisablingEndsTheSessionAndRefusesLoginUntilEnabled) {
  const Session admin = login("admin1", "admin-password-1");
  const Session clerk = login("clerk1", "clerk-password-1");
  ASSERT_EQ(get(clerk, "/api/v1/session")->status, 200);
  auto off = post(admin, "/api/v1/accounts/clerk1/disable", json::object());
  ASSERT_TRUE(off);
  ASSERT_EQ(off->status, 200) << off->body;
  EXPECT_EQ(get(clerk, "/api/v1/session")->status, 401);  // the open session ended
  EXPECT_EQ(account(admin, "clerk1").at("state"), "disabled");
  EXPECT_EQ(post_login({{"username", "clerk1"}, {"password", "clerk-password-1"}})->status, 401);
  auto on = post(admin, "/api/v1/accounts/clerk1/enable", json::object());
  ASSERT_TRUE(on);
  ASSERT_EQ(on->status, 200) << on->body;
  EXPECT_EQ(account(admin, "clerk1").at("state"), "active");
  EXPECT_EQ(post_login({{"username", "clerk1"}, {"password", "clerk-password-1"}})->status, 200);
}

TEST_F(AccountsApi, ResetHandsOutAOneTimePasswordThatMustBeChanged) {
  const Session admin = login("admin1", "admin-password-1");
  const Session clerk = login("clerk1", "clerk-password-1");
  auto reset = post(admin, "/api/v1/accounts/clerk1/reset", json::object());
  ASSERT_TRUE(reset);
  ASSERT_EQ(reset->status, 200) << reset->body;
  const std::string otp = json::parse(reset->body).at("one_time_password").get<std::string>();
  EXPECT_GE(otp.size(), 8u);
  EXPECT_EQ(get(clerk, "/api/v1/session")->status, 401);  // the clerk's open session ended
  const json listed = account(admin, "clerk1");
  EXPECT_EQ(listed.at("must_change_password"), true);
  EXPECT_EQ(listed.dump().find(otp), std::string::npos);  // shown once: not in the list
  EXPECT_EQ(post_login({{"username", "clerk1"}, {"password", "clerk-password-1"}})->status, 401);
  auto forced = post_login({{"username", "clerk1"}, {"password", otp}});
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->status, 403);
  EXPECT_EQ(json::parse(forced->body).at("error"), "PASSWORD_CHANGE_REQUIRED");
  auto changed = post_login({{"username", "clerk1"}, {"password", otp}, {"new_password", "clerk-new-pass-77"}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200) << changed->body;
  EXPECT_EQ(account(admin, "clerk1").at("must_change_password"), false);
  EXPECT_EQ(post_login({{"username", "clerk1"}, {"password", "clerk-new-pass-77"}})->status, 200);
}

TEST_F(AccountsApi, OwnPasswordChangeNeedsTheCurrentPassword) {
  const Session reviewer = login("reviewer1", "reviewer-password-1");
  auto wrong = post(reviewer, "/api/v1/me/password",
                    {{"current_password", "not-my-password"}, {"new_password", "reviewer-new-pass-5"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 400);  // a refused input, not the end of the session
  EXPECT_EQ(json::parse(wrong->body).at("reason_ja"), "今のパスワードが違います。もう一度入力してください。");
  auto missing = post(reviewer, "/api/v1/me/password", {{"new_password", "reviewer-new-pass-5"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  auto weak = post(reviewer, "/api/v1/me/password", {{"current_password", "reviewer-password-1"}, {"new_password", "reviewer1"}});
  ASSERT_TRUE(weak);
  EXPECT_EQ(weak->status, 400);
  EXPECT_EQ(post_login({{"username", "reviewer1"}, {"password", "reviewer-password-1"}})->status, 200);
  auto ok = post(reviewer, "/api/v1/me/password",
                 {{"current_password", "reviewer-password-1"}, {"new_password", "reviewer-new-pass-5"}});
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(post_login({{"username", "reviewer1"}, {"password", "reviewer-password-1"}})->status, 401);
  EXPECT_EQ(post_login({{"username", "reviewer1"}, {"password", "reviewer-new-pass-5"}})->status, 200);
}

}  // namespace
