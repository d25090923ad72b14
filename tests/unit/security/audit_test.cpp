// The audit log: hash-chained, checkpoints signed with the station's Ed25519 key, a signed head.
// Each test tampers with the database below the station, as someone holding the passphrase and
// an SQLite shell could, and checks `audit verify` names what was done.
#include <algorithm>

#include "support.h"

using station::ErrorCode;

namespace {

bool mentions(const station::AuditVerifyReport& r, const std::string& what) {
  return std::any_of(r.problems.begin(), r.problems.end(),
                     [&](const std::string& p) { return p.find(what) != std::string::npos; });
}

std::string all(const station::AuditVerifyReport& r) {
  std::string s;
  for (const auto& p : r.problems) s += p + "\n";
  return s;
}

class Audit : public sec::Store {
 protected:
  void SetUp() override {
    Store::SetUp();
    for (int i = 0; i < 4; ++i) (void)st_->login("rev", "umi-sora-0003");
    (void)st_->login("rev", "wrong-password-x");
  }
  // Closes the station, runs `sql` on its database with the audit triggers dropped, reopens.
  void tamper(const std::string& sql) {
    close();
    {
      auto db = sec::raw_db(config_.data_dir);
      ASSERT_TRUE(db.exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; "
                          "DROP TRIGGER audit_checkpoints_no_update; DROP TRIGGER audit_checkpoints_no_delete;"));
      auto s = db.exec(sql);
      ASSERT_TRUE(s) << s.error().message;
    }
    reopen();
  }
  station::AuditVerifyReport verify() {
    auto r = st_->audit_verify(admin_);
    EXPECT_TRUE(r) << r.error().detail;
    return r ? *r : station::AuditVerifyReport{};
  }
};

TEST_F(Audit, ACleanLogVerifiesWithSignedCheckpoints) {
  auto r = verify();
  EXPECT_TRUE(r.ok) << all(r);
  EXPECT_GE(r.entries, 10);
  EXPECT_EQ(r.checkpoints, r.last_id / 5);
  EXPECT_EQ(r.head_hash.size(), 64u);
  EXPECT_EQ(r.public_key.size(), 64u);
  reopen();
  auto again = verify();
  EXPECT_TRUE(again.ok) << all(again);
  EXPECT_EQ(again.public_key, r.public_key) << "the signing key survives a restart";
}

TEST_F(Audit, OnlySupervisorsAndAdminsVerifyOrSearch) {
  EXPECT_EQ(st_->audit_verify(clerk_).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(st_->audit_verify(rev_).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(st_->audit_search(clerk_, {}).error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(st_->audit_verify(sup_));
}

TEST_F(Audit, TheLogIsAppendOnlyThroughSql) {
  close();
  auto db = sec::raw_db(config_.data_dir);
  EXPECT_FALSE(db.exec("UPDATE audit SET action = 'x' WHERE id = 2"));
  EXPECT_FALSE(db.exec("DELETE FROM audit WHERE id = 2"));
  EXPECT_FALSE(db.exec("DELETE FROM audit_checkpoints"));
}

TEST_F(Audit, AnEditedEntryIsDetected) {
  tamper("UPDATE audit SET subject = 'user:1' WHERE id = 6");
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(mentions(r, "entry 6 was altered")) << all(r);
}

TEST_F(Audit, ARewrittenHashBreaksTheNextLink) {
  // Rewriting one entry's own hash moves the break to the next entry.
  tamper("UPDATE audit SET hash = '" + std::string(64, 'a') + "' WHERE id = 3");
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(mentions(r, "entry 4 does not follow")) << all(r);
}

TEST_F(Audit, ADeletedEntryIsDetected) {
  tamper("DELETE FROM audit WHERE id = 4");
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(mentions(r, "entries 4..4 are missing")) << all(r);
  EXPECT_TRUE(mentions(r, "entry 5 does not follow")) << all(r);
}

TEST_F(Audit, ReorderedEntriesAreDetected) {
  // Entries 5 (user.add) and 6 (login) change places, each keeping its id.
  tamper(
      "CREATE TEMP TABLE swap AS SELECT id, action, subject FROM audit WHERE id IN (5, 6); "
      "UPDATE audit SET action = (SELECT action FROM swap WHERE swap.id = 11 - audit.id), "
      "subject = (SELECT subject FROM swap WHERE swap.id = 11 - audit.id) WHERE id IN (5, 6)");
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(mentions(r, "entry 5 was altered")) << all(r);
  EXPECT_TRUE(mentions(r, "entry 6 was altered")) << all(r);
}

TEST_F(Audit, ALogCutOffAtTheEndIsDetected) {
  // The last entries and any checkpoint among them go; the chain that is left is consistent.
  close();
  std::int64_t last = 0;
  {
    auto db = sec::raw_db(config_.data_dir);
    auto st = db.prepare("SELECT max(id) FROM audit");
    ASSERT_TRUE(st && st->step());
    last = st->column_int(0);
  }
  reopen();  // adds store.open, which the cut removes as well
  tamper("DELETE FROM audit WHERE id > " + std::to_string(last - 3) +
         "; DELETE FROM audit_checkpoints WHERE audit_id > " + std::to_string(last - 3));
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(mentions(r, "cut off")) << all(r);
  // And it stays reported: the finding is itself an entry of the chain.
  reopen();
  auto again = verify();
  EXPECT_FALSE(again.ok);
  EXPECT_TRUE(mentions(again, "cut off")) << all(again);
}

TEST_F(Audit, AForgedCheckpointIsDetected) {
  tamper("UPDATE audit_checkpoints SET hash = '" + std::string(64, 'b') + "' WHERE audit_id = 5");
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(mentions(r, "checkpoint at entry 5 has a bad signature")) << all(r);
}

TEST_F(Audit, ADeletedHeadFileIsDetected) {
  close();
  std::filesystem::remove(config_.data_dir / "audit-head.json");
  reopen();
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(mentions(r, "head missing")) << all(r);
}

TEST_F(Audit, NoPersonalValuesAreLogged) {
  const auto env = import_page();
  ASSERT_GT(env, 0);
  auto entries = st_->audit_search(admin_, {});
  ASSERT_TRUE(entries);
  for (const auto& e : *entries) {
    EXPECT_EQ(e.subject.find("tsuki-hana"), std::string::npos);  // no password, no values
    EXPECT_EQ(e.subject.find("umi-sora"), std::string::npos);
  }
}

TEST_F(Audit, SearchByUserDateAndApplication) {
  const auto env = import_page();
  ASSERT_GT(env, 0);
  auto by_user = st_->audit_search(admin_, sec::query([&](station::AuditQuery& q) { q.username = "rev"; }));
  ASSERT_TRUE(by_user);
  EXPECT_EQ(by_user->size(), 5u);  // four logins, one failure
  for (const auto& e : *by_user) EXPECT_EQ(e.username, "rev");
  EXPECT_EQ(by_user->front().action, "login.failed") << "newest first";

  auto by_env = st_->audit_search(admin_, sec::query([&](station::AuditQuery& q) { q.envelope_id = env; }));
  ASSERT_TRUE(by_env);
  ASSERT_EQ(by_env->size(), 1u);
  EXPECT_EQ(by_env->front().action, "envelope.import");
  EXPECT_EQ(by_env->front().username, "clerk");

  auto envs = st_->list_envelopes(admin_);
  if (envs && !envs->empty()) {
    auto by_receipt = st_->audit_search(admin_, sec::query([&](station::AuditQuery& q) { q.receipt_no = envs->front().receipt_no; }));
    ASSERT_TRUE(by_receipt);
    EXPECT_EQ(by_receipt->size(), 1u);
  }
  auto old = st_->audit_search(admin_, sec::query([&](station::AuditQuery& q) { q.from_date = "2000-01-01"; q.to_date = "2000-12-31"; }));
  ASSERT_TRUE(old);
  EXPECT_TRUE(old->empty());
  auto today = st_->audit_search(admin_, sec::query([&](station::AuditQuery& q) { q.from_date = "2000-01-01"; q.to_date = "2999-12-31"; q.limit = 3; }));
  ASSERT_TRUE(today);
  EXPECT_EQ(today->size(), 3u);
  EXPECT_EQ(st_->audit_search(admin_, sec::query([&](station::AuditQuery& q) { q.from_date = "June"; })).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(st_->audit_search(admin_, sec::query([&](station::AuditQuery& q) { q.receipt_no = "M20990101-9999"; })).error().code, ErrorCode::kNotFound);
}

}  // namespace
