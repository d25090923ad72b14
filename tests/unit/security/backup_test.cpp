// Backup and restore: an encrypted, signed backup; a restore that verifies what it restored and
// leaves nothing behind when the backup is damaged, the passphrase wrong or the disk full.
#include <sys/resource.h>

#include <csignal>

#include "support.h"

using station::ErrorCode;
namespace fs = std::filesystem;

namespace {

class Backup : public sec::Store {
 protected:
  void SetUp() override {
    Store::SetUp();
    env_ = import_page();
    ASSERT_GT(env_, 0);
  }
  fs::path make_backup() {
    auto r = st_->backup(sup_, tmp_.path / "media");
    EXPECT_TRUE(r) << r.error().detail;
    return r ? fs::path(r->path) : fs::path();
  }
  station::Config target() const {
    station::Config c = config_;
    c.data_dir = tmp_.path / "restored";
    c.recognize_on_capture = false;  // capture alone: no background OCR
    return c;
  }
  std::int64_t env_ = 0;
};

TEST_F(Backup, RestoreGivesBackEverythingVerified) {
  const fs::path b = make_backup();
  ASSERT_FALSE(b.empty());
  EXPECT_TRUE(fs::exists(b / "manifest.json"));
  EXPECT_FALSE(fs::exists(fs::path(b.string() + ".partial")));
  // Nothing personal in clear: the database is not an SQLite file anyone can read.
  EXPECT_EQ(sec::read_all(b / "station.db").rfind("SQLite format 3", 0), std::string::npos);

  auto r = station::Station::restore(target(), b, sec::kPass);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->pages, 1);
  EXPECT_EQ(r->blobs, 2) << "the original scan and its cleaned copy";
  EXPECT_GT(r->audit_entries, 5);
  station::Config c = target();
  auto restored = station::Station::open(c, sec::kPass);
  ASSERT_TRUE(restored) << restored.error().detail;
  auto& st = **restored;
  EXPECT_TRUE(st.check_integrity());
  auto admin = st.login("admin", "tsuki-hana-001");
  ASSERT_TRUE(admin);
  auto sup = st.login("sup", "kumo-yuki-004");
  ASSERT_TRUE(sup);
  auto pages = st.pages(*sup, env_);
  ASSERT_TRUE(pages) << pages.error().detail;
  ASSERT_EQ(pages->size(), 1u);
  auto png = st.page_png(*sup, (*pages)[0].id, 200);
  EXPECT_TRUE(png) << "the page decrypts and decodes: " << (png ? "" : png.error().detail);
  auto audit = st.audit_verify(*admin);
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->ok);
  auto restore_entries = st.audit_search(*admin, sec::query([&](station::AuditQuery& q) { q.limit = 10000; }));
  ASSERT_TRUE(restore_entries);
  EXPECT_TRUE(std::any_of(restore_entries->begin(), restore_entries->end(),
                          [](const station::AuditEntry& e) { return e.action == "store.restore"; }));
}

TEST_F(Backup, OnlySupervisorsAndAdminsBackUp) {
  EXPECT_EQ(st_->backup(clerk_, tmp_.path / "media").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(st_->backup(rev_, tmp_.path / "media").error().code, ErrorCode::kForbidden);
}

TEST_F(Backup, AWrongPassphraseRestoresNothing) {
  const fs::path b = make_backup();
  auto r = station::Station::restore(target(), b, "not the passphrase");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kWrongPassphrase);
  EXPECT_FALSE(fs::exists(target().data_dir));
}

TEST_F(Backup, ADamagedBlobIsDetected) {
  const fs::path b = make_backup();
  fs::path blob;
  for (const auto& e : fs::recursive_directory_iterator(b / "blobs"))
    if (e.is_regular_file()) blob = e.path();
  ASSERT_FALSE(blob.empty());
  std::string bytes = sec::read_all(blob);
  bytes[bytes.size() / 2] ^= 0x20;
  sec::write_all(blob, bytes);
  auto r = station::Station::restore(target(), b, sec::kPass);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kStoreCorrupt);
  EXPECT_FALSE(fs::exists(target().data_dir));
  for (const auto& e : fs::directory_iterator(tmp_.path))
    EXPECT_EQ(e.path().filename().string().find("restored.restore-"), std::string::npos) << "staging removed";
}

TEST_F(Backup, ATruncatedDatabaseIsDetected) {
  const fs::path b = make_backup();
  const std::string db = sec::read_all(b / "station.db");
  sec::write_all(b / "station.db", db.substr(0, db.size() / 2));
  auto r = station::Station::restore(target(), b, sec::kPass);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kStoreCorrupt);
  EXPECT_FALSE(fs::exists(target().data_dir));
}

TEST_F(Backup, AnEditedManifestIsDetected) {
  const fs::path b = make_backup();
  std::string m = sec::read_all(b / "manifest.json");
  auto pos = m.find("\"created_by\": ");
  ASSERT_NE(pos, std::string::npos);
  m.insert(pos + 14, "9");
  sec::write_all(b / "manifest.json", m);
  auto r = station::Station::restore(target(), b, sec::kPass);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kStoreCorrupt);
}

TEST_F(Backup, RestoreNeverOverwritesAStore) {
  const fs::path b = make_backup();
  auto r = station::Station::restore(config_, b, sec::kPass);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kStoreExists);
}

TEST_F(Backup, AFullMediumFailsCleanlyAndTheStoreGoesOn) {
  // RLIMIT_FSIZE makes writes past the limit fail with EFBIG, which the store treats as a full disk.
  struct rlimit old {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 16 * 1024;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  auto r = st_->backup(sup_, tmp_.path / "media");
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(r);
  // SQLite reports a write refused inside sqlcipher_export as a plain I/O error (its errno is
  // not always kept), so the database step may say IO rather than DISK_FULL; either way it fails
  // cleanly.
  EXPECT_TRUE(r.error().code == ErrorCode::kDiskFull || r.error().code == ErrorCode::kIo)
      << station::error_name(r.error().code) << ": " << r.error().detail;
  EXPECT_TRUE(fs::is_empty(tmp_.path / "media")) << "the partial backup is removed";
  EXPECT_TRUE(st_->check_integrity());
  EXPECT_TRUE(make_backup().string().size() > 0) << "with room again, the backup works";
}

}  // namespace
