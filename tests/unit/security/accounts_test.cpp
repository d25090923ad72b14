// Issue #16, finding 3 and the login points of 8: the account lifecycle (own password change, an
// admin's reset to a one-time password, disabling, role change, the account list), each audited;
// a login that answers alike for unknown, locked and disabled accounts and does not hold the
// store's lock while it hashes.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "support.h"

using station::ErrorCode;
using station::Role;

namespace {

class Accounts : public sec::Store {
 protected:
  void SetUp() override {
    config_.lockout_attempts = 3;
    Store::SetUp();
  }
  // The newest audit entry with `action`, or nullptr.
  std::optional<station::AuditEntry> last(const std::string& action) {
    auto log = st_->audit_search(admin_, sec::query([](station::AuditQuery& q) { q.limit = 50; }));
    EXPECT_TRUE(log);
    if (!log) return std::nullopt;
    for (const auto& e : *log)
      if (e.action == action) return e;
    return std::nullopt;
  }
  std::optional<station::AccountInfo> account(const std::string& name) {
    auto list = st_->accounts(admin_);
    EXPECT_TRUE(list) << list.error().detail;
    if (!list) return std::nullopt;
    for (const auto& a : *list)
      if (a.user.username == name) return a;
    return std::nullopt;
  }
};

TEST_F(Accounts, AUserChangesTheirOwnPassword) {
  EXPECT_EQ(st_->change_password("rev", "not-the-password", "sora-umi-kaze-77").error().code, ErrorCode::kLoginFailed);
  EXPECT_EQ(st_->change_password("rev", "umi-sora-0003", "umi-sora-0003").error().code, ErrorCode::kInvalidInput)
      << "the same password again";
  EXPECT_EQ(st_->change_password("rev", "umi-sora-0003", "rev-password-1").error().code, ErrorCode::kInvalidInput)
      << "contains the user name";
  auto u = st_->change_password("rev", "umi-sora-0003", "sora-umi-kaze-77");
  ASSERT_TRUE(u) << u.error().detail;
  EXPECT_EQ(st_->login("rev", "umi-sora-0003").error().code, ErrorCode::kLoginFailed);
  EXPECT_TRUE(st_->login("rev", "sora-umi-kaze-77"));
  auto e = last("user.passwd");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->username, "rev");
  EXPECT_EQ(e->subject, "user:" + std::to_string(rev_.id));
}

TEST_F(Accounts, AResetGivesAOneTimePasswordThatMustBeChangedAtTheNextLogin) {
  EXPECT_EQ(st_->reset_password(sup_, "clerk").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(st_->reset_password(admin_, "nobody").error().code, ErrorCode::kNotFound);
  auto r = st_->reset_password(admin_, "clerk");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_GE(r->one_time_password.size(), static_cast<std::size_t>(config_.password_min_length));
  EXPECT_EQ(st_->login("clerk", "yama-kawa-002").error().code, ErrorCode::kLoginFailed) << "the old one is gone";
  EXPECT_EQ(st_->login("clerk", r->one_time_password).error().code, ErrorCode::kPasswordChangeRequired);
  EXPECT_TRUE(account("clerk")->must_change_password);
  auto changed = st_->change_password("clerk", r->one_time_password, "kawa-yama-hana-9");
  ASSERT_TRUE(changed) << changed.error().detail;
  EXPECT_TRUE(st_->login("clerk", "kawa-yama-hana-9"));
  EXPECT_FALSE(account("clerk")->must_change_password);
  auto e = last("user.reset");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->username, "admin");
  EXPECT_EQ(e->subject.find(r->one_time_password), std::string::npos) << "never the password";
  // No password anywhere in the log.
  auto log = st_->audit_search(admin_, sec::query([](station::AuditQuery& q) { q.limit = 1000; }));
  ASSERT_TRUE(log);
  for (const auto& entry : *log) EXPECT_EQ(entry.subject.find("kawa-yama"), std::string::npos) << entry.subject;
}

TEST_F(Accounts, ADisabledAccountCannotLogInAndAnswersLikeAWrongPassword) {
  EXPECT_EQ(st_->disable_user(sup_, "clerk").error().code, ErrorCode::kForbidden);
  ASSERT_TRUE(st_->disable_user(admin_, "clerk"));
  EXPECT_EQ(st_->login("clerk", "yama-kawa-002").error().code, ErrorCode::kLoginFailed);
  EXPECT_TRUE(account("clerk")->disabled);
  ASSERT_TRUE(last("login.disabled"));
  ASSERT_TRUE(st_->enable_user(admin_, "clerk"));
  EXPECT_TRUE(st_->login("clerk", "yama-kawa-002"));
  EXPECT_TRUE(last("user.disable"));
  EXPECT_TRUE(last("user.enable"));
}

TEST_F(Accounts, TheLastAdminStaysAnEnabledAdmin) {
  EXPECT_EQ(st_->disable_user(admin_, "admin").error().code, ErrorCode::kConflict);
  EXPECT_EQ(st_->set_role(admin_, "admin", Role::kClerk).error().code, ErrorCode::kConflict);
  auto second = st_->add_user(&admin_, "admin2", "hoshi-tsuki-005", Role::kAdmin);
  ASSERT_TRUE(second);
  EXPECT_EQ(st_->disable_user(admin_, "admin").error().code, ErrorCode::kConflict) << "not oneself";
  ASSERT_TRUE(st_->disable_user(*second, "admin"));
  EXPECT_EQ(st_->set_role(*second, "admin2", Role::kSupervisor).error().code, ErrorCode::kConflict);
}

TEST_F(Accounts, ARoleChangeTakesEffectAtTheNextLoginAndIsAudited) {
  EXPECT_EQ(st_->set_role(sup_, "clerk", Role::kReviewer).error().code, ErrorCode::kForbidden);
  auto r = st_->set_role(admin_, "clerk", Role::kReviewer);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->role, Role::kReviewer);
  auto u = st_->login("clerk", "yama-kawa-002");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->role, Role::kReviewer);
  auto e = last("user.role");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->subject, "user:" + std::to_string(clerk_.id) + " role:reviewer");
}

TEST_F(Accounts, TheListShowsLastLoginAndFailedAttempts) {
  EXPECT_EQ(st_->accounts(sup_).error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(account("rev")->last_login_at.empty());
  ASSERT_TRUE(st_->login("rev", "umi-sora-0003"));
  (void)st_->login("rev", "wrong-password-x");
  (void)st_->login("rev", "wrong-password-y");
  auto a = account("rev");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->last_login_at.empty());
  EXPECT_EQ(a->failed_attempts, 2);
  EXPECT_FALSE(a->disabled);
  EXPECT_EQ(a->user.role, Role::kReviewer);
  (void)st_->login("rev", "wrong-password-z");
  EXPECT_FALSE(account("rev")->locked_until.empty());
}

// Finding 8: a locked account used to answer "locked" before any hashing, and an unknown name
// never did, so the answer told which names exist. Now both lock after the same failures.
TEST_F(Accounts, AnUnknownNameLocksLikeARealOne) {
  std::vector<ErrorCode> real, unknown;
  for (int i = 0; i < 4; ++i) {
    real.push_back(st_->login("rev", "wrong-password-x").error().code);
    unknown.push_back(st_->login("no-such-user-" + std::to_string(::getpid()), "wrong-password-x").error().code);
  }
  EXPECT_EQ(real, unknown);
  EXPECT_EQ(real.back(), ErrorCode::kAccountLocked);
}

// Finding 8: the login held the store's lock for the whole Argon2 check, stalling every other
// request for it. Another call now gets through while a login is still hashing.
TEST_F(Accounts, ALoginDoesNotHoldTheStoreWhileItHashes) {
  // One hash takes this long here (a whole login is one hash plus a few rows).
  const auto t0 = std::chrono::steady_clock::now();
  (void)st_->login("rev", "wrong-password-x");
  const auto one_login = std::chrono::steady_clock::now() - t0;
  (void)st_->unlock_user(admin_, "rev");

  std::atomic<bool> login_done{false};
  std::thread slow([&] {
    (void)st_->login("rev", "umi-sora-0003");
    login_done = true;
  });
  std::this_thread::sleep_for(one_login / 5);
  const auto t1 = std::chrono::steady_clock::now();
  auto u = st_->user_by_id(clerk_.id);  // takes the store's lock
  const auto waited = std::chrono::steady_clock::now() - t1;
  const bool login_still_running = !login_done;
  slow.join();
  ASSERT_TRUE(u);
  EXPECT_TRUE(login_still_running) << "the store was free while the login hashed (waited "
                                   << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()
                                   << " ms of a " << std::chrono::duration_cast<std::chrono::milliseconds>(one_login).count()
                                   << " ms login)";
}

}  // namespace
