// Issue #16, finding 1 and 2: the audit log's anchor outside the store (the pinned public key and
// a signed head kept off the station), and the station passphrase's rules and failed unlocks.
// The attacks are done as someone holding the passphrase would: below the station, on the raw
// database, recomputing everything the station would.
#include <algorithm>
#include <cstdio>

#include "station/security/keys.h"
#include "storage/signing.h"
#include "support.h"

using station::ErrorCode;
namespace fs = std::filesystem;

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

std::string opt(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : std::string(); }

class Anchor : public sec::Store {
 protected:
  void SetUp() override {
    Store::SetUp();
    for (int i = 0; i < 6; ++i) (void)st_->login("rev", "umi-sora-0003");
  }
  station::AuditVerifyReport verify() {
    auto r = st_->audit_verify(admin_);
    EXPECT_TRUE(r) << r.error().detail;
    return r ? *r : station::AuditVerifyReport{};
  }
  std::string public_key() { return verify().public_key; }

  // With the passphrase in hand: a new signing key in the database, entry 5 rewritten, the chain
  // recomputed from there, every checkpoint and the head re-signed with the new key. Everything the
  // database holds is consistent afterwards.
  void rewrite_and_resign() {
    close();
    auto seed = storage::SecretKey::random();
    ASSERT_TRUE(seed);
    auto key = storage::SigningKey::from_seed(*seed);
    ASSERT_TRUE(key);
    std::int64_t last = 0;
    std::string last_hash;
    {
      auto db = sec::raw_db(config_.data_dir);
      ASSERT_TRUE(db.exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; "
                          "DROP TRIGGER audit_checkpoints_no_update; DROP TRIGGER audit_checkpoints_no_delete;"));
      // The new seed where the station looks for it: its keyring slot (the master key comes with
      // the passphrase), and its public key beside it in the database.
      auto master = storage::Keyring::unlock(config_.data_dir / "keyring.json", sec::kPass);
      ASSERT_TRUE(master);
      ASSERT_TRUE(storage::Keyring::put_secret(config_.data_dir / "keyring.json", "audit-signing", *seed,
                                               storage::SecretWrap::kMaster, *master));
      auto sec = db.prepare("UPDATE station_secrets SET public_key = ? WHERE purpose = 'audit-signing'");
      ASSERT_TRUE(sec);
      sec->bind(1, key->public_key_hex());
      ASSERT_TRUE(sec->run());
      ASSERT_TRUE(db.exec("UPDATE audit SET subject = 'user:1' WHERE id = 5"));
      struct Row {
        std::int64_t id;
        std::string at, action, subject;
        std::optional<std::int64_t> user, envelope;
      };
      std::vector<Row> rows;
      {
        auto st = db.prepare("SELECT id, at, user_id, action, subject, envelope_id FROM audit ORDER BY id");
        ASSERT_TRUE(st);
        while (*st->step()) {
          Row r{st->column_int(0), st->column_text(1), st->column_text(3), st->column_text(4), {}, {}};
          if (auto u = st->column_opt_text(2)) r.user = std::stoll(*u);
          if (auto e = st->column_opt_text(5)) r.envelope = std::stoll(*e);
          rows.push_back(std::move(r));
        }
      }
      std::string prev(storage::kChainGenesis);
      for (const Row& r : rows) {
        const std::string ids = std::to_string(r.id), user = opt(r.user), envelope = opt(r.envelope);
        const std::string_view fields[] = {ids, r.at, user, r.action, r.subject, envelope};
        const std::string hash = storage::chain_link_hex(prev, storage::encode_fields(fields));
        auto up = db.prepare("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?");
        ASSERT_TRUE(up);
        up->bind(1, prev).bind(2, hash).bind(3, r.id);
        ASSERT_TRUE(up->run());
        auto cp = db.prepare("UPDATE audit_checkpoints SET hash = ?, signature = ? WHERE audit_id = ?");
        ASSERT_TRUE(cp);
        std::string at;
        {
          auto q = db.prepare("SELECT at FROM audit_checkpoints WHERE audit_id = ?");
          ASSERT_TRUE(q);
          q->bind(1, r.id);
          if (*q->step()) at = q->column_text(0);
        }
        cp->bind(1, hash)
            .bind(2, key->sign_hex("station-audit-checkpoint v1|" + std::to_string(r.id) + "|" + hash + "|" + at))
            .bind(3, r.id);
        ASSERT_TRUE(cp->run());
        prev = hash;
        last = r.id;
      }
      last_hash = prev;
    }
    const std::string head = "{\"format\":\"station-audit-head\",\"version\":1,\"last_id\":" + std::to_string(last) +
                             ",\"hash\":\"" + last_hash + "\",\"signature\":\"" +
                             key->sign_hex("station-audit-head v1|" + std::to_string(last) + "|" + last_hash) + "\"}\n";
    sec::write_all(config_.data_dir / "audit-head.json", head);
  }
};

TEST_F(Anchor, ALogRewrittenAndResignedWithANewKeyFailsAgainstThePinnedKey) {
  const std::string pinned = public_key();
  ASSERT_EQ(pinned.size(), 64u);
  rewrite_and_resign();
  // Unpinned, the store vouches for itself: the rewrite passes (the gap the anchor closes).
  reopen();
  EXPECT_TRUE(verify().ok) << "the attack is consistent inside the store";
  close();
  config_.audit_public_key = pinned;
  reopen();
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.key_pinned);
  EXPECT_TRUE(mentions(r, "pinned")) << all(r);
  EXPECT_TRUE(mentions(r, "bad signature")) << all(r);
}

TEST_F(Anchor, APinnedKeyAcceptsTheStationsOwnLog) {
  config_.audit_public_key = public_key();
  reopen();
  auto r = verify();
  EXPECT_TRUE(r.ok) << all(r);
  EXPECT_TRUE(r.key_pinned);
}

TEST_F(Anchor, AStoreRolledBackToAnOlderCopyFailsAgainstAHeadKeptOffTheStation) {
  close();
  const fs::path older = tmp_.path / "older-copy";
  fs::copy(config_.data_dir, older, fs::copy_options::recursive);
  reopen();
  for (int i = 0; i < 3; ++i) (void)st_->login("clerk", "yama-kawa-002");
  auto head = st_->audit_head(sup_);
  ASSERT_TRUE(head) << head.error().detail;
  EXPECT_NE(head->find("\"public_key\""), std::string::npos) << "the head names its key";
  EXPECT_EQ(st_->audit_head(clerk_).error().code, ErrorCode::kForbidden);
  const fs::path kept = tmp_.path / "daily-set-audit-head.json";
  sec::write_all(kept, *head);
  // The current log reaches the kept head.
  auto now = st_->audit_verify(admin_, kept);
  ASSERT_TRUE(now) << now.error().detail;
  EXPECT_TRUE(now->ok) << all(*now);
  EXPECT_GT(now->expected_last_id, 0);

  close();
  fs::remove_all(config_.data_dir);
  fs::rename(older, config_.data_dir);
  reopen();
  EXPECT_TRUE(verify().ok) << "the older copy is consistent in itself";
  auto r = st_->audit_verify(admin_, kept);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->ok);
  EXPECT_TRUE(mentions(*r, "rolled back")) << all(*r);
}

TEST_F(Anchor, AKeptHeadCatchesARewriteEvenWithoutAPinnedKey) {
  auto head = st_->audit_head(sup_);
  ASSERT_TRUE(head);
  const fs::path kept = tmp_.path / "kept-head.json";
  sec::write_all(kept, *head);
  rewrite_and_resign();
  reopen();
  auto r = st_->audit_verify(admin_, kept);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->ok);
  EXPECT_TRUE(mentions(*r, "not signed by the station's key") || mentions(*r, "rewritten")) << all(*r);
  EXPECT_EQ(st_->audit_verify(admin_, tmp_.path / "no-such-head.json").error().code, ErrorCode::kNotFound);
}

TEST_F(Anchor, BackupsCarryTheSignedHead) {
  auto b = st_->backup(sup_, tmp_.path / "media");
  ASSERT_TRUE(b) << b.error().detail;
  const fs::path head = fs::path(b->path) / "audit-head.json";
  ASSERT_TRUE(fs::exists(head));
  auto r = st_->audit_verify(admin_, head);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok) << all(*r);
}

TEST(Passphrase, ShortCommonOrRepetitivePassphrasesAreRefused) {
  using station::security::passphrase_problem;
  EXPECT_FALSE(passphrase_problem("short phrase").empty()) << "12 characters";
  EXPECT_FALSE(passphrase_problem("password12345678").empty());
  EXPECT_FALSE(passphrase_problem("Password 1234 5678").empty()) << "case and spaces do not hide it";
  EXPECT_FALSE(passphrase_problem("aaaaaaaaaaaaaaaaaaa").empty());
  EXPECT_FALSE(passphrase_problem("abcabcabcabcabcabc").empty());
  EXPECT_FALSE(passphrase_problem("123412341234123499").empty());
  EXPECT_TRUE(passphrase_problem("security test passphrase").empty());
  EXPECT_TRUE(passphrase_problem("春の小川はさらさら行くよ岸のすみれ").empty()) << "characters, not bytes";
  EXPECT_FALSE(passphrase_problem("春の小川はさらさら").empty()) << "9 characters, 27 bytes";
}

TEST(Passphrase, ANewStoreNeedsFifteenCharacters) {
  sec::TempDir tmp;
  station::Config config;
  config.data_dir = tmp.path / "store";
  config.recognize_on_capture = false;
  auto weak = station::Station::create(config, "kiosk2025");
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().code, ErrorCode::kInvalidInput);
  EXPECT_FALSE(fs::exists(config.data_dir / "keyring.json")) << "nothing written";
  EXPECT_TRUE(station::Station::create(config, "fifteen chars ok"));
}

TEST_F(Anchor, AWeakNewPassphraseIsRefused) {
  EXPECT_EQ(st_->change_passphrase(admin_, sec::kPass, "too short 1").error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(st_->change_passphrase(admin_, sec::kPass, "passwordpassword").error().code, ErrorCode::kInvalidInput);
}

TEST_F(Anchor, FailedUnlocksAreRecordedAndTheNextOpenAuditsThem) {
  close();
  EXPECT_EQ(station::Station::open(config_, "not the passphrase").error().code, ErrorCode::kWrongPassphrase);
  EXPECT_EQ(station::Station::open(config_, "nor is this one").error().code, ErrorCode::kWrongPassphrase);
  EXPECT_EQ(station::security::unlock_failures(config_.data_dir).count, 2);
  reopen();
  EXPECT_EQ(station::security::unlock_failures(config_.data_dir).count, 0) << "cleared once audited";
  auto log = st_->audit_search(admin_, sec::query([](station::AuditQuery& q) { q.limit = 5; }));
  ASSERT_TRUE(log);
  auto it = std::find_if(log->begin(), log->end(),
                         [](const station::AuditEntry& e) { return e.action == "store.unlock_failed"; });
  ASSERT_NE(it, log->end());
  EXPECT_EQ(it->subject.rfind("count:2 ", 0), 0u) << it->subject;
}

}  // namespace
