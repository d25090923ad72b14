// Issue #16, finding 1: the audit log's anchor outside the store, on the real store (SQLCipher,
// the keyring file, the station facade).
// - The Ed25519 signing seed lives in its own keyring slot, not in the database; migration 10
//   moves an old store's seed there (keyring first, then the row cleared), and a crash between
//   the two steps leaves a store that opens.
// - With a signing credential configured, a store opened without it cannot sign: a read-write
//   open is refused, a read-only one verifies.
// - (a) Someone with the passphrase rewrites the log through raw SQL (an entry edited, one
//   dropped, the ids closed up, the chain recomputed) and re-signs everything with a key of their
//   own put where the station looks for it: the pinned key and a head kept off the station catch
//   it. (b) The store rolled back to an older copy: the head of a later backup catches it.
//   (c) Every backup carries the signed head and the key; restore reports them.
// Each check runs beside its control: without the protection the same store verifies.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "station/station.h"
#include "station/store/schema.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "storage/signing.h"

namespace fs = std::filesystem;
using station::ErrorCode;

namespace {

constexpr const char* kPass = "anchor integration passphrase";
constexpr const char* kAdminPassword = "tsuki-hana-001";

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("station-anchor-" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

std::string problems(const station::AuditVerifyReport& r) {
  std::string s;
  for (const auto& p : r.problems) s += p + "\n";
  return s;
}

bool mentions(const station::AuditVerifyReport& r, const std::string& what) {
  return std::any_of(r.problems.begin(), r.problems.end(),
                     [&](const std::string& p) { return p.find(what) != std::string::npos; });
}

std::string opt(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : std::string(); }

class AnchorIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.data_dir = tmp_.path / "store";
    config_.recognize_on_capture = false;
    config_.audit_checkpoint_every = 4;
    auto s = station::Station::create(config_, kPass);
    ASSERT_TRUE(s) << s.error().detail;
    st_ = std::move(*s);
    auto admin = st_->add_user(nullptr, "admin", kAdminPassword, station::Role::kAdmin);
    ASSERT_TRUE(admin);
    admin_ = *admin;
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(st_->login("admin", kAdminPassword));
  }

  fs::path keyring() const { return config_.data_dir / "keyring.json"; }
  storage::SecretKey master() const {
    auto m = storage::Keyring::unlock(keyring(), kPass);
    EXPECT_TRUE(m) << m.error().message;
    return std::move(*m);
  }
  // The store's database below the station, as someone with the passphrase opens it.
  storage::Database raw_db() const {
    auto key = master().derive("database");
    auto db = storage::Database::open(config_.data_dir / "station.db", *key);
    EXPECT_TRUE(db) << db.error().message;
    return std::move(*db);
  }
  std::vector<unsigned char> stored_secret() const {
    auto db = raw_db();
    auto q = db.prepare("SELECT secret FROM station_secrets WHERE purpose = 'audit-signing'");
    EXPECT_TRUE(q);
    EXPECT_TRUE(*q->step());
    return q->column_blob(0);
  }
  std::int64_t audit_rows() const {
    auto db = raw_db();
    auto q = db.prepare("SELECT count(*) FROM audit");
    EXPECT_TRUE(q);
    EXPECT_TRUE(*q->step());
    return q->column_int(0);
  }

  void close() { st_.reset(); }
  station::Result<std::unique_ptr<station::Station>> open(bool read_only = false) {
    station::StoreSecrets secrets{kPass, {}};
    secrets.read_only = read_only;
    return station::Station::open(config_, secrets);
  }
  void reopen() {
    st_.reset();
    auto s = open();
    ASSERT_TRUE(s) << s.error().detail;
    st_ = std::move(*s);
  }
  station::AuditVerifyReport verify(const fs::path& expected_head = {}) {
    auto r = expected_head.empty() ? st_->audit_verify(admin_) : st_->audit_verify(admin_, expected_head);
    EXPECT_TRUE(r) << r.error().detail;
    return r ? *r : station::AuditVerifyReport{};
  }

  // (a) The attack with the passphrase in hand, on the closed store: a new seed of the attacker's
  // in the keyring slot (wrapped under the master key, which the passphrase opens: the credential,
  // if any, is not needed to *replace* a slot) and its public key in the database; entry 3 edited,
  // entry 4 dropped and the ids after it closed up; the chain, every checkpoint and the head
  // recomputed and signed with the new key. The store is consistent with itself afterwards.
  void rewrite_and_resign() {
    close();
    auto seed = storage::SecretKey::random();
    ASSERT_TRUE(seed);
    auto key = storage::SigningKey::from_seed(*seed);
    ASSERT_TRUE(key);
    ASSERT_TRUE(storage::Keyring::put_secret(keyring(), "audit-signing", *seed, storage::SecretWrap::kMaster, master()));
    std::int64_t last = 0;
    std::string prev(storage::kChainGenesis);
    {
      auto db = raw_db();
      ASSERT_TRUE(db.exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; "
                          "DROP TRIGGER audit_checkpoints_no_update; DROP TRIGGER audit_checkpoints_no_delete;"));
      auto pk = db.prepare("UPDATE station_secrets SET public_key = ? WHERE purpose = 'audit-signing'");
      ASSERT_TRUE(pk);
      pk->bind(1, key->public_key_hex());
      ASSERT_TRUE(pk->run());
      ASSERT_TRUE(db.exec("UPDATE audit SET subject = 'user:99' WHERE id = 3"));
      ASSERT_TRUE(db.exec("DELETE FROM audit WHERE id = 4"));
      std::vector<std::int64_t> ids;
      {
        auto q = db.prepare("SELECT id FROM audit WHERE id > 4 ORDER BY id");
        ASSERT_TRUE(q);
        while (*q->step()) ids.push_back(q->column_int(0));
      }
      for (std::int64_t id : ids) {  // ascending: each id - 1 is free when it is moved there
        auto up = db.prepare("UPDATE audit SET id = ? WHERE id = ?");
        ASSERT_TRUE(up);
        up->bind(1, id - 1).bind(2, id);
        ASSERT_TRUE(up->run());
      }
      ASSERT_TRUE(db.exec("DELETE FROM audit_checkpoints"));
      struct Row {
        std::int64_t id;
        std::string at, action, subject;
        std::optional<std::int64_t> user, envelope;
      };
      std::vector<Row> rows;
      {
        auto q = db.prepare("SELECT id, at, user_id, action, subject, envelope_id FROM audit ORDER BY id");
        ASSERT_TRUE(q);
        while (*q->step()) {
          Row r{q->column_int(0), q->column_text(1), q->column_text(3), q->column_text(4), {}, {}};
          if (auto u = q->column_opt_text(2)) r.user = std::stoll(*u);
          if (auto e = q->column_opt_text(5)) r.envelope = std::stoll(*e);
          rows.push_back(std::move(r));
        }
      }
      for (const Row& r : rows) {
        const std::string id = std::to_string(r.id), user = opt(r.user), envelope = opt(r.envelope);
        const std::string_view fields[] = {id, r.at, user, r.action, r.subject, envelope};
        const std::string hash = storage::chain_link_hex(prev, storage::encode_fields(fields));
        auto up = db.prepare("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?");
        ASSERT_TRUE(up);
        up->bind(1, prev).bind(2, hash).bind(3, r.id);
        ASSERT_TRUE(up->run());
        if (r.id % config_.audit_checkpoint_every == 0) {
          auto cp = db.prepare("INSERT INTO audit_checkpoints(audit_id, hash, at, signature) VALUES (?,?,?,?)");
          ASSERT_TRUE(cp);
          cp->bind(1, r.id).bind(2, hash).bind(3, r.at).bind(
              4, key->sign_hex("station-audit-checkpoint v1|" + std::to_string(r.id) + "|" + hash + "|" + r.at));
          ASSERT_TRUE(cp->run());
        }
        prev = hash;
        last = r.id;
      }
    }
    nlohmann::json head = {{"format", "station-audit-head"},
                           {"version", 1},
                           {"last_id", last},
                           {"hash", prev},
                           {"public_key", key->public_key_hex()},
                           {"signature", key->sign_hex("station-audit-head v1|" + std::to_string(last) + "|" + prev)}};
    write_all(config_.data_dir / "audit-head.json", head.dump() + "\n");
  }

  TempDir tmp_;
  station::Config config_;
  std::unique_ptr<station::Station> st_;
  station::User admin_;
};

// ---- where the seed lives --------------------------------------------------------------------

TEST_F(AnchorIntegration, TheSigningSeedIsInItsOwnKeyringSlotAndOnlyThePublicKeyInTheDatabase) {
  const std::string pk = verify().public_key;
  ASSERT_EQ(pk.size(), 64u);
  close();
  EXPECT_TRUE(stored_secret().empty()) << "the database holds no seed";
  auto slot = storage::Keyring::secret_slot(keyring(), "audit-signing");
  ASSERT_TRUE(slot);
  ASSERT_TRUE(*slot);
  EXPECT_EQ((*slot)->wrap, storage::SecretWrap::kMaster) << "no credential configured: the weaker default";
  auto seed = storage::Keyring::get_secret(keyring(), "audit-signing", master());
  ASSERT_TRUE(seed) << seed.error().message;
  EXPECT_EQ(storage::SigningKey::from_seed(*seed)->public_key_hex(), pk);
  // The slot is bound to its name and its store: moved under another name it does not open.
  nlohmann::json j = nlohmann::json::parse(read_all(keyring()));
  ASSERT_TRUE(j.contains("secrets"));
  j["secrets"][0]["name"] = "other";
  write_all(tmp_.path / "renamed.json", j.dump());
  EXPECT_EQ(storage::Keyring::get_secret(tmp_.path / "renamed.json", "other", master()).error().code,
            storage::Code::kWrongKey);
  // A passphrase change keeps the slot.
  reopen();
  ASSERT_TRUE(st_->change_passphrase(admin_, kPass, "another long passphrase of ours"));
  close();
  auto again = storage::Keyring::unlock(keyring(), "another long passphrase of ours");
  ASSERT_TRUE(again);
  EXPECT_TRUE(storage::Keyring::get_secret(keyring(), "audit-signing", *again));
}

TEST_F(AnchorIntegration, AMasterKeyRotationCarriesTheSigningKeyAlong) {
  const std::string pk = verify().public_key;
  auto rotated = st_->rotate_master_key(admin_, station::StoreSecrets{kPass, {}});
  ASSERT_TRUE(rotated) << rotated.error().detail;
  reopen();
  auto r = verify();
  EXPECT_TRUE(r.ok) << problems(r);
  EXPECT_EQ(r.public_key, pk) << "the same signing key after the rotation";
}

// Migration 10 on a store made before issue #16 (the seed in station_secrets, schema 9). A crash
// right after the seed reached the keyring (before the row was cleared) leaves a store that opens.
TEST_F(AnchorIntegration, Migration10MovesAnOldSeedOutAndACrashBetweenItsStepsLeavesAStoreThatOpens) {
  const std::string pk = verify().public_key;
  close();
  // Back to what a version-9 store looked like: the seed in the row, no slot in the keyring.
  {
    auto seed = storage::Keyring::get_secret(keyring(), "audit-signing", master());
    ASSERT_TRUE(seed);
    auto db = raw_db();
    ASSERT_TRUE(db.exec("DROP TRIGGER station_secrets_no_secret_insert; DROP TRIGGER station_secrets_no_secret_update; "
                        "DROP TABLE remote_applications; DROP TABLE decision_findings; ALTER TABLE pages DROP COLUMN turn; "
                        "ALTER TABLE fields DROP COLUMN chars; DROP TABLE field_entries; DROP TABLE field_entry_states; "
                        "PRAGMA user_version = 9;"));
    auto up = db.prepare("UPDATE station_secrets SET secret = ? WHERE purpose = 'audit-signing'");
    ASSERT_TRUE(up);
    up->bind_blob(1, seed->bytes());
    ASSERT_TRUE(up->run());
    nlohmann::json j = nlohmann::json::parse(read_all(keyring()));
    j.erase("secrets");
    j.erase("store_id");
    write_all(keyring(), j.dump(2));
  }
  ASSERT_EQ(stored_secret().size(), 32u);
  ASSERT_FALSE(*storage::Keyring::secret_slot(keyring(), "audit-signing"));

  // The first open is killed between the two steps.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::setenv("STATION_CRASH_POINT", "audit-seed-in-keyring", 1);
    auto s = open();
    ::_exit(s ? 0 : 3);  // not reached when the crash point fires
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the open did not reach the crash point";
  EXPECT_TRUE(*storage::Keyring::secret_slot(keyring(), "audit-signing")) << "step one: the seed is in the keyring";
  EXPECT_EQ(stored_secret().size(), 32u) << "step two had not run";

  // The next open finishes the move: same key, the row emptied, the log intact.
  config_.audit_public_key = pk;
  reopen();
  auto r = verify();
  EXPECT_TRUE(r.ok) << problems(r);
  EXPECT_EQ(r.public_key, pk);
  close();
  EXPECT_TRUE(stored_secret().empty());
  auto db = raw_db();
  EXPECT_EQ(db.schema_version(), station::store::kMigrations.back().version) << "every later migration ran too";
  EXPECT_FALSE(db.exec("UPDATE station_secrets SET secret = X'01' WHERE purpose = 'audit-signing'"))
      << "from version 10 on the database refuses a seed";
}

// ---- the signing credential ------------------------------------------------------------------

TEST_F(AnchorIntegration, WithoutItsSigningCredentialAStoreOpensOnlyReadOnlyAndCannotSign) {
  const fs::path cred = tmp_.path / "audit-signing.key";
  ASSERT_TRUE(st_->new_audit_signing_credential(admin_, cred));
  EXPECT_EQ(fs::file_size(cred), 32u);
  EXPECT_EQ(fs::status(cred).permissions() & fs::perms::all, fs::perms::owner_read);
  EXPECT_EQ(st_->new_audit_signing_credential(admin_, cred).error().code, ErrorCode::kInvalidInput) << "never overwritten";
  const std::string pk = verify().public_key;
  close();
  EXPECT_EQ((*storage::Keyring::secret_slot(keyring(), "audit-signing"))->wrap, storage::SecretWrap::kCredential);
  // The master key (the passphrase) no longer opens the slot.
  EXPECT_EQ(storage::Keyring::get_secret(keyring(), "audit-signing", master()).error().code, storage::Code::kWrongKey);

  // With the credential configured and readable (the service): it signs.
  config_.audit_signing_key_file = cred.string();
  config_.audit_public_key = pk;
  reopen();
  EXPECT_TRUE(verify().ok);
  close();

  // Without it (the file not readable here, or not configured): no read-write open.
  const std::int64_t before = audit_rows();
  for (const std::string& path : {(tmp_.path / "absent.key").string(), std::string()}) {
    config_.audit_signing_key_file = path;
    auto s = open();
    ASSERT_FALSE(s) << "opened read-write without the signing credential '" << path << "'";
    EXPECT_EQ(s.error().code, ErrorCode::kSigningKeyUnavailable);
    if (!path.empty()) {
      EXPECT_NE(s.error().detail.find(path), std::string::npos) << s.error().detail;
    }
    EXPECT_NE(station::message_ja(s.error().code).find("station serve"), std::string_view::npos);
  }
  // Another credential is not this one.
  const fs::path other = tmp_.path / "other.key";
  ASSERT_TRUE(storage::CredentialFile::create(other));
  config_.audit_signing_key_file = other.string();
  EXPECT_EQ(open().error().code, ErrorCode::kSigningKeyUnavailable);

  // Read-only: the log verifies (against the pinned key), and nothing at all is written.
  config_.audit_signing_key_file = (tmp_.path / "absent.key").string();
  auto ro = open(/*read_only=*/true);
  ASSERT_TRUE(ro) << ro.error().detail;
  st_ = std::move(*ro);
  auto user = st_->login("admin", kAdminPassword);
  ASSERT_TRUE(user) << user.error().detail;
  auto r = verify();
  EXPECT_TRUE(r.ok) << problems(r);
  EXPECT_EQ(r.public_key, pk);
  EXPECT_FALSE(st_->add_user(&admin_, "someone", "a-long-password-1", station::Role::kClerk)) << "no write";
  close();
  EXPECT_EQ(audit_rows(), before) << "a read-only open records nothing";
  EXPECT_EQ(stored_secret().size(), 0u);

  // The credential back: the store signs on where it left off.
  config_.audit_signing_key_file = cred.string();
  reopen();
  EXPECT_TRUE(verify().ok);
}

// ---- (a) rewritten and re-signed with the passphrase in hand ----------------------------------

TEST_F(AnchorIntegration, ALogRewrittenAndResignedWithANewKeyIsCaughtByThePinnedKeyAndAKeptHead) {
  const std::string pinned = verify().public_key;
  // What the daily set carries (Station::audit_head: the station's audit-head.json, public key
  // included) and what a backup carries: kept off the station.
  auto head = st_->audit_head(admin_);
  ASSERT_TRUE(head);
  EXPECT_EQ(nlohmann::json::parse(*head)["public_key"], pinned) << "the daily set's head names the key";
  const fs::path kept = tmp_.path / "daily-set-audit-head.json";
  write_all(kept, *head);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(st_->login("admin", kAdminPassword));

  rewrite_and_resign();

  // Control: unpinned and without a kept head, the store vouches for itself.
  reopen();
  auto self = verify();
  EXPECT_TRUE(self.ok) << "the rewrite is consistent inside the store:\n" << problems(self);
  EXPECT_NE(self.public_key, pinned);

  // The pinned key.
  close();
  config_.audit_public_key = pinned;
  reopen();
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(mentions(r, "pinned")) << problems(r);
  EXPECT_TRUE(mentions(r, "bad signature")) << problems(r);

  // The kept head alone (no pinned key): its entry is no longer the one it signed.
  close();
  config_.audit_public_key.clear();
  reopen();
  auto k = verify(kept);
  EXPECT_FALSE(k.ok);
  EXPECT_TRUE(mentions(k, "expected head")) << problems(k);
}

// The same attack on a store whose seed is wrapped under the credential: the attacker cannot
// unwrap it, but can put a seed of their own in its place; the station then signs with the
// attacker's key — which is exactly what the pinned key catches.
TEST_F(AnchorIntegration, ReplacingACredentialWrappedSeedIsCaughtByThePinnedKey) {
  const fs::path cred = tmp_.path / "audit-signing.key";
  ASSERT_TRUE(st_->new_audit_signing_credential(admin_, cred));
  const std::string pinned = verify().public_key;
  config_.audit_signing_key_file = cred.string();
  rewrite_and_resign();
  // The service (credential configured) refuses a seed found under the master key.
  auto refused = open();
  ASSERT_FALSE(refused) << "signed with a seed that the passphrase alone could have put there";
  EXPECT_EQ(refused.error().code, ErrorCode::kSigningKeyUnavailable);
  EXPECT_NE(refused.error().detail.find("replaced"), std::string::npos) << refused.error().detail;
  // Opened with the credential left out of the config, the station signs with the attacker's key:
  // the pinned key catches it.
  config_.audit_signing_key_file.clear();
  config_.audit_public_key = pinned;
  reopen();
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(mentions(r, "pinned")) << problems(r);
}

// ---- (b) rolled back to an older copy --------------------------------------------------------

TEST_F(AnchorIntegration, AStoreRolledBackToAnOlderCopyIsCaughtByTheHeadOfALaterBackup) {
  config_.audit_public_key = verify().public_key;
  close();
  const fs::path older = tmp_.path / "older-copy";
  fs::copy(config_.data_dir, older, fs::copy_options::recursive);
  reopen();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(st_->login("admin", kAdminPassword));
  const fs::path media = tmp_.path / "backup-medium";
  fs::create_directories(media);
  auto b = st_->backup(admin_, media);
  ASSERT_TRUE(b) << b.error().detail;
  const fs::path later_head = fs::path(b->path) / "audit-head.json";
  ASSERT_TRUE(fs::exists(later_head));
  close();
  fs::remove_all(config_.data_dir);
  fs::copy(older, config_.data_dir, fs::copy_options::recursive);  // the older copy, its own head included

  reopen();
  auto self = verify();
  EXPECT_TRUE(self.ok) << "control: the older copy is consistent with itself\n" << problems(self);
  auto r = verify(later_head);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(mentions(r, "rolled back")) << problems(r);
  EXPECT_EQ(r.expected_last_id, b->head_last_id);
}

// ---- (c) every backup carries the signed head ------------------------------------------------

TEST_F(AnchorIntegration, EveryBackupCarriesTheSignedHeadAndRestoreReportsIt) {
  const fs::path cred = tmp_.path / "audit-signing.key";
  ASSERT_TRUE(st_->new_audit_signing_credential(admin_, cred));
  const std::string pk = verify().public_key;
  const fs::path media = tmp_.path / "backup-medium";
  fs::create_directories(media);
  auto b = st_->backup(admin_, media);
  ASSERT_TRUE(b) << b.error().detail;
  EXPECT_EQ(b->public_key, pk);
  EXPECT_GT(b->head_last_id, 0);
  const auto head = nlohmann::json::parse(read_all(fs::path(b->path) / "audit-head.json"));
  EXPECT_EQ(head["public_key"], pk);
  EXPECT_EQ(head["last_id"].get<std::int64_t>(), b->head_last_id);
  EXPECT_TRUE(storage::verify_signature_hex(
      pk, "station-audit-head v1|" + std::to_string(b->head_last_id) + "|" + head["hash"].get<std::string>(),
      head["signature"].get<std::string>()));
  close();

  // The backup's keyring carries the slot under the credential: restoring needs it.
  station::Config target = config_;
  target.data_dir = tmp_.path / "restored";
  target.audit_public_key = pk;
  target.audit_signing_key_file = (tmp_.path / "absent.key").string();
  auto refused = station::Station::restore(target, b->path, kPass);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kSigningKeyUnavailable);
  target.audit_signing_key_file = cred.string();
  auto r = station::Station::restore(target, b->path, kPass);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->head_last_id, b->head_last_id);
  EXPECT_EQ(r->public_key, pk);
}

}  // namespace
