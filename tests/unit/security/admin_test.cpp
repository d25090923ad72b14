// Account and key administration, the separate electronic store, schema migrations, bad input.
#include <cstdio>

#include "station/store/schema.h"
#include "support.h"

using station::ErrorCode;
using station::Role;
namespace fs = std::filesystem;

namespace {

class Admin : public sec::Store {
 protected:
  void SetUp() override {
    config_.lockout_attempts = 3;
    Store::SetUp();
  }
};

TEST_F(Admin, AnAdminUnlocksALockedAccount) {
  for (int i = 0; i < 3; ++i) (void)st_->login("rev", "wrong-password-x");
  EXPECT_EQ(st_->login("rev", "umi-sora-0003").error().code, ErrorCode::kAccountLocked);
  EXPECT_EQ(st_->unlock_user(sup_, "rev").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(st_->unlock_user(admin_, "nobody").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(st_->unlock_user(admin_, "rev"));
  EXPECT_TRUE(st_->login("rev", "umi-sora-0003"));
  auto log = st_->audit_search(admin_, sec::query([&](station::AuditQuery& q) { q.username = "admin"; q.limit = 5; }));
  ASSERT_TRUE(log);
  EXPECT_EQ(log->front().action, "user.unlock");
}

TEST_F(Admin, APasswordPolicyStricterThanTheDefaultApplies) {
  close();
  config_.password_min_length = 16;
  reopen();
  EXPECT_EQ(st_->add_user(&admin_, "short", "hoshi-tsuki-05", Role::kClerk).error().code, ErrorCode::kInvalidInput);
  EXPECT_TRUE(st_->add_user(&admin_, "long", "hoshi-tsuki-hana-06", Role::kClerk));
}

TEST_F(Admin, ThePassphraseChangesAndTheOldOneNoLongerOpens) {
  EXPECT_EQ(st_->change_passphrase(sup_, sec::kPass, "a new passphrase 1").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(st_->change_passphrase(admin_, "wrong old one", "a new passphrase 1").error().code,
            ErrorCode::kWrongPassphrase);
  ASSERT_TRUE(st_->change_passphrase(admin_, sec::kPass, "a new passphrase 1"));
  close();
  EXPECT_EQ(station::Station::open(config_, sec::kPass).error().code, ErrorCode::kWrongPassphrase);
  auto s = station::Station::open(config_, "a new passphrase 1");
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_TRUE((*s)->login("admin", "tsuki-hana-001"));
}

TEST_F(Admin, TheStoreIsOpenInOneProcessAtATime) {
  auto second = station::Station::open(config_, sec::kPass);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
}

TEST_F(Admin, ElectronicApplicationsLiveInTheirOwnStoreUnderTheirOwnKey) {
  const fs::path csv = fs::path(STATION_SHARED_DIR) / "data/electronic_applications.csv";
  EXPECT_EQ(st_->load_electronic_applications(clerk_, csv).error().code, ErrorCode::kForbidden);
  auto n = st_->load_electronic_applications(sup_, csv);
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_EQ(*n, 2466);
  EXPECT_EQ(*st_->electronic_count(rev_), 2466);
  auto one = st_->electronic_for_facility(rev_, "F03018", "");
  ASSERT_TRUE(one);
  ASSERT_GE(one->size(), 1u);
  EXPECT_EQ(one->front().application_no, "E000001");
  EXPECT_EQ(one->front().facility_name, "ヘルパーステーションほほえみ北");
  auto by_no = st_->electronic_for_facility(rev_, "", "1276433525");
  ASSERT_TRUE(by_no);
  EXPECT_EQ(by_no->size(), one->size());
  EXPECT_EQ(st_->electronic_for_facility(clerk_, "F03018", "").error().code, ErrorCode::kForbidden);

  const fs::path bad = tmp_.path / "bad.csv";
  sec::write_all(bad, "application_no,facility_id\nE1,F1\n");
  EXPECT_EQ(st_->load_electronic_applications(sup_, bad).error().code, ErrorCode::kBadCsv);
  EXPECT_EQ(*st_->electronic_count(rev_), 2466) << "a bad file replaces nothing";

  close();
  // The mailed store's key does not open the electronic file, and the mailed database has no
  // electronic table.
  auto master = storage::Keyring::unlock(config_.data_dir / "keyring.json", sec::kPass);
  ASSERT_TRUE(master);
  auto mailed_key = master->derive("database");
  auto wrong = storage::Database::open(config_.data_dir / "electronic.db", *mailed_key);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, storage::Code::kWrongKey);
  auto mailed = sec::raw_db(config_.data_dir);
  EXPECT_FALSE(mailed.prepare("SELECT count(*) FROM electronic_applications"));
}

TEST(Migrations, AVersionOneStoreIsUpgradedAndItsLogSealed) {
  sec::TempDir tmp;
  station::Config config;
  config.data_dir = tmp.path / "store";
  config.recognize_on_capture = false;  // capture alone: no background OCR
  fs::create_directories(config.data_dir);
  {
    // A store as version 1 of the schema left it, with audit rows written before the chain.
    auto master = storage::Keyring::create(config.data_dir / "keyring.json", sec::kPass);
    ASSERT_TRUE(master);
    auto db = storage::Database::open(config.data_dir / "station.db", *master->derive("database"));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->migrate(std::span(station::store::kMigrations).first(1)));
    EXPECT_EQ(db->schema_version(), 1);
    auto hash = storage::hash_password("tsuki-hana-001");
    auto u = db->prepare("INSERT INTO users(username, role, password_hash, created_at) VALUES ('admin','admin',?,'x')");
    ASSERT_TRUE(u);
    u->bind(1, *hash);
    ASSERT_TRUE(u->run());
    for (const char* a : {"store.create", "user.add", "login"})
      ASSERT_TRUE(db->exec(std::string("INSERT INTO audit(at, user_id, action, subject) VALUES "
                                       "('2025-06-01T09:00:00+09:00', 1, '") + a + "', 'envelope:7')"));
  }
  auto s = station::Station::open(config, sec::kPass);
  ASSERT_TRUE(s) << s.error().detail;
  auto admin = (*s)->login("admin", "tsuki-hana-001");
  ASSERT_TRUE(admin);
  auto r = (*s)->audit_verify(*admin);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok) << (r->problems.empty() ? "" : r->problems.front());
  EXPECT_GE(r->entries, 5);
  auto old = (*s)->audit_search(*admin, sec::query([&](station::AuditQuery& q) { q.envelope_id = 7; }));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->size(), 3u) << "legacy rows are searchable by application";
  s->reset();
  auto db = sec::raw_db(config.data_dir);
  EXPECT_EQ(db.schema_version(), station::store::kMigrations.back().version);
  EXPECT_TRUE(db.check_integrity());
}

TEST(Migrations, AStoreFromANewerProgramIsRefused) {
  sec::TempDir tmp;
  station::Config config;
  config.data_dir = tmp.path / "store";
  config.recognize_on_capture = false;  // capture alone: no background OCR
  ASSERT_TRUE(station::Station::create(config, sec::kPass));
  {
    auto db = sec::raw_db(config.data_dir);
    ASSERT_TRUE(db.exec("PRAGMA user_version = 99"));
  }
  auto s = station::Station::open(config, sec::kPass);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().detail.find("newer"), std::string::npos) << s.error().detail;
}

TEST_F(Admin, ACorruptedDatabaseIsDetectedNotUsed) {
  import_page();
  close();
  const fs::path db = config_.data_dir / "station.db";
  std::string bytes = sec::read_all(db);
  ASSERT_GT(bytes.size(), 8192u);
  for (std::size_t i = 4096 + 100; i < 4096 + 200; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  sec::write_all(db, bytes);
  auto s = station::Station::open(config_, sec::kPass);
  if (s) {
    auto c = (*s)->check_integrity();
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, ErrorCode::kStoreCorrupt);
  } else {
    EXPECT_EQ(s.error().code, ErrorCode::kStoreCorrupt) << s.error().detail;
  }
}

TEST_F(Admin, ATruncatedBlobIsDetectedNotUsed) {
  const auto env = import_page();
  auto pages = st_->pages(clerk_, env);
  ASSERT_TRUE(pages && pages->size() == 1);
  // The page's blobs: the original scan and its cleaned copy; both are cut short.
  int truncated = 0;
  for (const auto& e : fs::recursive_directory_iterator(config_.data_dir / "blobs")) {
    if (!e.is_regular_file()) continue;
    const std::string bytes = sec::read_all(e.path());
    sec::write_all(e.path(), bytes.substr(0, bytes.size() - 100));
    ++truncated;
  }
  ASSERT_GE(truncated, 1);
  auto png = st_->page_png(sup_, (*pages)[0].id, 200);
  ASSERT_FALSE(png);
  EXPECT_EQ(png.error().code, ErrorCode::kStoreCorrupt);
}

}  // namespace

namespace {

TEST_F(Admin, OpenRemovesTemporariesOfInterruptedWrites) {
  close();
  sec::write_all(config_.data_dir / "audit-head.json.tmp-0123456789abcdef", "partial");
  reopen();
  EXPECT_FALSE(fs::exists(config_.data_dir / "audit-head.json.tmp-0123456789abcdef"));
}

}  // namespace
