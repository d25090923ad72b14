// Keys (issue #5): master-key rotation and the key file on removable media, through the station
// and checked below it (raw keyring, databases and blob files) as an attacker would look.
#include <algorithm>
#include <set>

#include "support.h"
#include "storage/blob_store.h"
#include "storage/testing.h"

using station::ErrorCode;
using station::Role;
namespace fs = std::filesystem;

namespace {

std::vector<unsigned char> master_of(const fs::path& store) {
  auto m = storage::Keyring::unlock(store / "keyring.json", sec::kPass);
  EXPECT_TRUE(m) << m.error().message;
  return m ? std::vector<unsigned char>(m->bytes().begin(), m->bytes().end()) : std::vector<unsigned char>{};
}

// The blob ids the pages refer to (originals and cleaned copies).
std::set<std::string> page_blob_ids(const fs::path& store) {
  auto db = sec::raw_db(store);
  auto q = db.prepare("SELECT blob_id FROM pages UNION SELECT clean_blob_id FROM pages WHERE clean_blob_id IS NOT NULL");
  EXPECT_TRUE(q);
  std::set<std::string> ids;
  while (*q->step()) ids.insert(q->column_text(0));
  return ids;
}

std::set<std::string> blob_files(const fs::path& store) {
  std::set<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(store / "blobs"))
    if (e.is_regular_file()) names.insert(e.path().filename().string());
  return names;
}

std::vector<std::string> actions(station::Station& st, const station::User& admin, std::size_t n) {
  auto log = st.audit_search(admin, sec::query([&](station::AuditQuery& q) { q.limit = static_cast<int>(n); }));
  EXPECT_TRUE(log);
  std::vector<std::string> out;
  for (const auto& e : *log) out.push_back(e.action);
  return out;
}

class Keys : public sec::Store {
 protected:
  fs::path usb() {
    fs::create_directories(tmp_.path / "usb");
    return tmp_.path / "usb";
  }
};

TEST_F(Keys, RotationReencryptsEverythingAndTheOldKeyNoLongerOpensIt) {
  const auto env = import_page();
  ASSERT_GT(env, 0);
  auto pages = st_->pages(sup_, env);
  ASSERT_TRUE(pages);
  ASSERT_EQ(pages->size(), 1u);
  auto png_before = st_->page_png(sup_, pages->front().id, 120);
  ASSERT_TRUE(png_before);
  const fs::path csv = tmp_.path / "electronic.csv";
  sec::write_all(csv, sec::read_all(fs::path(STATION_SHARED_DIR) / "data/electronic_applications.csv").substr(0, 4000));
  // The first lines of the main system's file: whole lines only.
  {
    std::string text = sec::read_all(csv);
    sec::write_all(csv, text.substr(0, text.rfind('\n') + 1));
  }
  auto loaded = st_->load_electronic_applications(sup_, csv);
  ASSERT_TRUE(loaded) << loaded.error().detail;
  close();
  const auto old_master = master_of(config_.data_dir);
  const auto old_ids = page_blob_ids(config_.data_dir);
  ASSERT_EQ(old_ids.size(), 2u) << "the original and its cleaned copy";
  const std::string keyring_before = sec::read_all(config_.data_dir / "keyring.json");
  reopen();

  // Only an admin, and only with the store's passphrase; a refusal changes nothing.
  EXPECT_EQ(st_->rotate_master_key(sup_, {sec::kPass, {}}).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(st_->rotate_master_key(clerk_, {sec::kPass, {}}).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(st_->rotate_master_key(admin_, {"not the passphrase", {}}).error().code, ErrorCode::kWrongPassphrase);
  EXPECT_EQ(st_->rotate_master_key(admin_, {sec::kPass, usb() / "none.key"}).error().code, ErrorCode::kWrongKeyFile)
      << "a key file is given but none is registered";
  EXPECT_EQ(sec::read_all(config_.data_dir / "keyring.json"), keyring_before);

  auto rep = st_->rotate_master_key(admin_, {sec::kPass, {}});
  ASSERT_TRUE(rep) << rep.error().detail;
  EXPECT_EQ(rep->blobs, 2);
  EXPECT_FALSE(rep->key_file);
  EXPECT_EQ(rep->rotation_id.size(), 16u);
  // The latest entry, before the page view below is recorded (issue #16's read audit).
  EXPECT_EQ(actions(*st_, admin_, 1).front(), "keys.rotate");
  // The open station goes on working under the new key.
  auto png_during = st_->page_png(sup_, pages->front().id, 120);
  ASSERT_TRUE(png_during) << png_during.error().detail;
  EXPECT_EQ(*png_during, *png_before);
  EXPECT_EQ(*st_->electronic_count(rev_), *loaded);
  EXPECT_GE(import_page("samples/app-001/page-03.jpg"), 1) << "capture goes on after the rotation";

  reopen();
  ASSERT_TRUE(st_->check_integrity());
  auto png_after = st_->page_png(sup_, pages->front().id, 120);
  ASSERT_TRUE(png_after) << png_after.error().detail;
  EXPECT_EQ(*png_after, *png_before);
  EXPECT_EQ(*st_->electronic_count(rev_), *loaded);
  EXPECT_TRUE(st_->login("admin", "tsuki-hana-001"));
  auto audit = st_->audit_verify(admin_);
  ASSERT_TRUE(audit);
  EXPECT_TRUE(audit->ok) << (audit->problems.empty() ? "" : audit->problems.front());
  EXPECT_EQ(st_->open_report().orphan_blobs, 0);
  close();

  // Below the station: a new master key; every blob has a new id and file; nothing of the
  // rotation is left behind.
  const auto new_master = master_of(config_.data_dir);
  EXPECT_NE(new_master, old_master);
  const auto new_ids = page_blob_ids(config_.data_dir);
  EXPECT_EQ(new_ids.size(), 4u);
  for (const auto& id : old_ids) EXPECT_FALSE(new_ids.contains(id)) << "blob ids are keyed digests: all changed";
  EXPECT_EQ(blob_files(config_.data_dir), new_ids);
  EXPECT_FALSE(fs::exists(config_.data_dir / "rotation.partial"));
  EXPECT_FALSE(fs::exists(config_.data_dir / "rotation.ready"));

  // The old master key opens neither database nor any blob.
  auto old = storage::SecretKey::from_bytes(old_master);
  ASSERT_TRUE(old);
  auto db = storage::Database::open(config_.data_dir / "station.db", *old->derive("database"));
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, storage::Code::kWrongKey);
  auto edb = storage::Database::open(config_.data_dir / "electronic.db", *old->derive("electronic-database"));
  ASSERT_FALSE(edb);
  EXPECT_EQ(edb.error().code, storage::Code::kWrongKey);
  auto old_blobs = storage::BlobStore::open(config_.data_dir / "blobs", std::move(*old->derive("blobs")));
  ASSERT_TRUE(old_blobs);
  for (const auto& id : new_ids) {
    auto b = old_blobs->get(id);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().code, storage::Code::kCorrupt);
  }
}

TEST_F(Keys, AnUncommittedRotationLeftBehindIsRemovedAtOpenAndTheOldKeyStillOpens) {
  const auto env = import_page();
  close();
  const auto master = master_of(config_.data_dir);
  // What a rotation killed before its commit leaves: a partial next generation.
  const fs::path partial = config_.data_dir / "rotation.partial";
  fs::create_directories(partial / "blobs" / "ab");
  sec::write_all(partial / "keyring.json", "{\"half\": ");
  sec::write_all(partial / "station.db", "not finished");
  // A wrong passphrase opens nothing and changes nothing, not even the leftovers.
  EXPECT_EQ(station::Station::open(config_, "not the passphrase").error().code, ErrorCode::kWrongPassphrase);
  EXPECT_TRUE(fs::exists(partial));
  reopen();
  EXPECT_FALSE(fs::exists(partial));
  EXPECT_EQ(master_of(config_.data_dir), master);
  auto pages = st_->pages(sup_, env);
  ASSERT_TRUE(pages);
  EXPECT_TRUE(st_->page_png(sup_, pages->front().id, 64));
  EXPECT_TRUE(st_->check_integrity());
}

TEST_F(Keys, AKeyFileOpensTheStoreInsteadOfThePassphrase) {
  const fs::path key = usb() / "station.key";
  EXPECT_EQ(st_->add_key_file(sup_, key).error().code, ErrorCode::kForbidden);
  EXPECT_FALSE(fs::exists(key));
  EXPECT_EQ(*st_->has_key_file(admin_), false);
  ASSERT_TRUE(st_->add_key_file(admin_, key));
  EXPECT_EQ(*st_->has_key_file(admin_), true);
  EXPECT_EQ(fs::file_size(key), storage::KeyFile::kFileSize);
  EXPECT_EQ(actions(*st_, admin_, 1).front(), "keys.keyfile_add");
  // One key file at a time; an existing file is never overwritten.
  EXPECT_EQ(st_->add_key_file(admin_, usb() / "second.key").error().code, ErrorCode::kConflict);
  EXPECT_FALSE(fs::exists(usb() / "second.key"));
  // The key file's secret is nowhere in the store.
  const std::string secret = sec::read_all(key).substr(16, 32);
  for (const auto& e : fs::recursive_directory_iterator(config_.data_dir)) {
    if (e.is_regular_file()) {
      EXPECT_EQ(sec::read_all(e.path()).find(secret), std::string::npos) << e.path();
    }
  }
  const auto env = import_page();
  close();

  auto by_file = station::Station::open(config_, station::StoreSecrets{{}, key});
  ASSERT_TRUE(by_file) << by_file.error().detail;
  auto sup = (*by_file)->login("sup", "kumo-yuki-004");
  ASSERT_TRUE(sup);
  auto pages = (*by_file)->pages(*sup, env);
  ASSERT_TRUE(pages);
  EXPECT_TRUE((*by_file)->page_png(*sup, pages->front().id, 64));
  by_file->reset();
  EXPECT_TRUE(station::Station::open(config_, sec::kPass)) << "the passphrase still opens it";
}

TEST_F(Keys, AWrongTruncatedOrMissingKeyFileGetsItsOwnErrorAndOpensNothing) {
  const fs::path key = usb() / "station.key";
  ASSERT_TRUE(st_->add_key_file(admin_, key));
  close();
  const std::string keyring = sec::read_all(config_.data_dir / "keyring.json");
  const auto files_before = [&] {
    std::set<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(config_.data_dir)) names.insert(e.path().string());
    return names;
  };
  const auto before = files_before();

  // Another store's key file.
  const fs::path foreign = usb() / "foreign.key";
  ASSERT_TRUE(storage::KeyFile::create(foreign));
  auto r1 = station::Station::open(config_, station::StoreSecrets{{}, foreign});
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, ErrorCode::kWrongKeyFile);
  // Truncated (a copy cut short), damaged (one bit), missing, a folder.
  const std::string good = sec::read_all(key);
  sec::write_all(usb() / "truncated.key", good.substr(0, 50));
  std::string flipped = good;
  flipped[30] = static_cast<char>(flipped[30] ^ 0x10);
  sec::write_all(usb() / "damaged.key", flipped);
  for (const fs::path& bad : {usb() / "truncated.key", usb() / "damaged.key", usb() / "absent.key", usb()}) {
    auto r = station::Station::open(config_, station::StoreSecrets{{}, bad});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kBadKeyFile) << bad;
  }
  // The messages say what to do, in Japanese; the details name no secret.
  EXPECT_NE(station::message_ja(ErrorCode::kBadKeyFile).find("パスフレーズで開いてください"), std::string_view::npos);
  EXPECT_NE(station::message_ja(ErrorCode::kWrongKeyFile).find("データは変更されていません"), std::string_view::npos);
  EXPECT_EQ(station::error_name(ErrorCode::kWrongKeyFile), "WRONG_KEY_FILE");
  EXPECT_EQ(station::exit_code(ErrorCode::kBadKeyFile), 17);
  // Nothing was opened, changed or left behind but the count of failed unlocks (issue #16); the
  // store is free for the next opener.
  EXPECT_EQ(sec::read_all(config_.data_dir / "keyring.json"), keyring);
  auto after = files_before();
  EXPECT_EQ(after.erase((config_.data_dir / "unlock-failures.json").string()), 1u);
  EXPECT_EQ(after, before);
  auto by_file = station::Station::open(config_, station::StoreSecrets{{}, key});
  ASSERT_TRUE(by_file) << by_file.error().detail;
}

TEST_F(Keys, ARemovedKeyFileNoLongerOpensAndRotationRewrapsARegisteredOne) {
  const fs::path key = usb() / "station.key";
  ASSERT_TRUE(st_->add_key_file(admin_, key));
  import_page();
  // Rotation re-wraps every way in: with a key file registered it needs that key file too.
  auto no_file = st_->rotate_master_key(admin_, {sec::kPass, {}});
  ASSERT_FALSE(no_file);
  EXPECT_EQ(no_file.error().code, ErrorCode::kInvalidInput);
  const fs::path foreign = usb() / "foreign.key";
  ASSERT_TRUE(storage::KeyFile::create(foreign));
  EXPECT_EQ(st_->rotate_master_key(admin_, {sec::kPass, foreign}).error().code, ErrorCode::kWrongKeyFile);
  auto rep = st_->rotate_master_key(admin_, {sec::kPass, key});
  ASSERT_TRUE(rep) << rep.error().detail;
  EXPECT_TRUE(rep->key_file);
  close();
  {
    auto by_file = station::Station::open(config_, station::StoreSecrets{{}, key});
    ASSERT_TRUE(by_file) << "the key file opens the rotated store: " << by_file.error().detail;
    ASSERT_TRUE((*by_file)->check_integrity());
    auto admin = (*by_file)->login("admin", "tsuki-hana-001");
    ASSERT_TRUE(admin);
    EXPECT_EQ((*by_file)->remove_key_file(sup_).error().code, ErrorCode::kForbidden);
    ASSERT_TRUE((*by_file)->remove_key_file(*admin));
    EXPECT_EQ((*by_file)->remove_key_file(*admin).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(actions(**by_file, *admin, 1).front(), "keys.keyfile_remove");
  }
  auto removed = station::Station::open(config_, station::StoreSecrets{{}, key});
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, ErrorCode::kWrongKeyFile);
  reopen();  // the passphrase
  EXPECT_FALSE(*st_->has_key_file(admin_));
  // Without a key file, rotation needs the passphrase alone again.
  EXPECT_TRUE(st_->rotate_master_key(admin_, {sec::kPass, {}}));
}

}  // namespace

// Issue #16: a store whose keyring was made below the current Argon2id cost (INTERACTIVE before
// MODERATE; here MIN below the suite's INTERACTIVE) is re-wrapped by the next open with the
// passphrase, audited, and opens as before.
namespace {

class KdfUpgrade : public sec::Store {
 protected:
  void TearDown() override { storage::set_test_kdf_cost(storage::interactive_kdf_cost()); }
};

TEST_F(KdfUpgrade, OpeningAnOlderCheaperKeyringRewrapsItAtTheCurrentCost) {
  const fs::path keyring = config_.data_dir / "keyring.json";
  const auto master = master_of(config_.data_dir);
  close();
  {  // the same master key, wrapped the way an older station did (cheaper)
    auto key = storage::SecretKey::from_bytes(master);
    ASSERT_TRUE(key);
    storage::set_test_kdf_cost(storage::min_kdf_cost());
    const fs::path kept = config_.data_dir / "keyring.kept";
    fs::rename(keyring, kept);
    ASSERT_TRUE(storage::Keyring::create_for(keyring, *key, sec::kPass, nullptr));
    // Its secret slot (the audit signing key) as the store had it.
    ASSERT_TRUE(storage::Keyring::copy_secrets(kept, keyring, *key, *key));
    fs::remove(kept);
    storage::set_test_kdf_cost(storage::interactive_kdf_cost());
  }
  auto before = storage::Keyring::passphrase_cost(keyring);
  ASSERT_TRUE(before);
  ASSERT_TRUE(before->below(storage::kdf_cost()));

  reopen();
  auto after = storage::Keyring::passphrase_cost(keyring);
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->below(storage::kdf_cost())) << "re-wrapped at the current cost";
  EXPECT_EQ(master_of(config_.data_dir), master) << "the same master key";
  const auto log = actions(*st_, admin_, 10);
  EXPECT_NE(std::find(log.begin(), log.end(), "store.kdf_upgraded"), log.end());

  reopen();  // nothing more to do
  const auto again = actions(*st_, admin_, 10);
  EXPECT_EQ(std::count(again.begin(), again.end(), "store.kdf_upgraded"), 1);
}

}  // namespace
