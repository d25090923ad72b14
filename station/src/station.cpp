// The station object: opening and creating the store. The stages live in their own files.
#include "station/outputs/outputs.h"
#include "station/security/backup.h"
#include "station/security/keys.h"
#include "station/security/layout.h"
#include "station/store/schema.h"
#include "station/store/secrets.h"
#include "station_impl.h"

namespace station {

// The store's files, its lock and its keys: the security sub-library's.
using security::complete_rotation;
using security::current_keyring;
using security::kBlobDir;
using security::kBlobKeyPurpose;
using security::kDatabaseFile;
using security::kDbKeyPurpose;
using security::kElectronicFile;
using security::kElectronicKeyPurpose;
using security::kKeyringFile;
using security::recover_rotation;
using security::StoreLock;
using security::sweep_store;
using security::unlock_master;

Station::Station(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Station::~Station() = default;

const Config& Station::config() const { return impl_->config; }

Result<std::unique_ptr<Station::Impl>> Station::open_store(const Config& config, const StoreSecrets& secrets,
                                                          bool create, const Services* services) {
  const fs::path dir = config.data_dir;
  const fs::path keyring = dir / kKeyringFile;
  std::error_code ec;
  const bool exists = fs::exists(keyring, ec);
  if (create && exists) return fail(ErrorCode::kStoreExists, "a store exists at " + dir.string());
  if (!create && !exists) return fail(ErrorCode::kStoreMissing, "no store at " + dir.string());
  std::optional<storage::SecretKey> master;
  std::optional<StoreLock> store_lock;
  std::optional<security::RotationJournal> rotated;
  if (create) {
    if (!secrets.key_file.empty())
      return fail(ErrorCode::kInvalidInput, "a new store is created with a passphrase; add a key file afterwards");
    const std::string_view passphrase = secrets.passphrase;
    if (auto why = security::passphrase_problem(passphrase); !why.empty()) return fail(ErrorCode::kInvalidInput, why);
    fs::create_directories(dir, ec);
    if (ec) return fail(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    auto m = storage::Keyring::create(keyring, passphrase);
    if (!m) return unexpected_storage(m.error());
    master = std::move(*m);
    auto l = StoreLock::acquire(dir);
    if (!l) return std::unexpected(l.error());
    store_lock = std::move(*l);
  } else {
    // The lock first, so no other process is mid-rotation; then the secret, checked against the
    // keyring that holds the current master key. A wrong secret opens and changes nothing (an
    // interrupted rotation is finished or rolled back only after the secret proved right).
    auto l = StoreLock::acquire(dir);
    if (!l) return std::unexpected(l.error());
    store_lock = std::move(*l);
    auto m = unlock_master(current_keyring(dir), secrets);
    if (!m) {
      // Counted and answered late (issue #16); audited at the next good open.
      if (m.error().code == ErrorCode::kWrongPassphrase || m.error().code == ErrorCode::kWrongKeyFile)
        (void)security::record_unlock_failure(dir);
      return std::unexpected(m.error());
    }
    master = std::move(*m);
    if (secrets.read_only) {
      // Nothing is written: a rotation still to be finished needs a read-write open.
      if (current_keyring(dir) != keyring)
        return fail(ErrorCode::kConflict, "a key rotation is being finished: open the store read-write once");
    } else {
      auto r = recover_rotation(dir);
      if (!r) return std::unexpected(r.error());
      rotated = std::move(*r);
    }
  }
  auto db_key = master->derive(kDbKeyPurpose);
  auto blob_key = master->derive(kBlobKeyPurpose);
  auto edb_key = master->derive(kElectronicKeyPurpose);
  if (!db_key || !blob_key || !edb_key) return fail(ErrorCode::kInternal, "key derivation failed");
  auto db = storage::Database::open(dir / kDatabaseFile, *db_key);
  if (!db) return unexpected_storage(db.error());
  if (secrets.read_only) {
    if (auto s = store::make_query_only(*db); !s) return std::unexpected(s.error());
  }
  if (auto s = db->migrate(store::kMigrations); !s) return unexpected_storage(s.error());
  auto blobs = storage::BlobStore::open(dir / kBlobDir, std::move(*blob_key));
  if (!blobs) return unexpected_storage(blobs.error());
  // The electronic records: their own file and their own key, never joined with the mailed ones.
  auto edb = storage::Database::open(dir / kElectronicFile, *edb_key);
  if (!edb) return unexpected_storage(edb.error());
  if (secrets.read_only) {
    if (auto s = store::make_query_only(*edb); !s) return std::unexpected(s.error());
  }
  if (auto s = edb->migrate(store::kElectronicMigrations); !s) return unexpected_storage(s.error());

  auto impl =
      std::make_unique<Station::Impl>(config, resolve_services(services, config), std::move(*db), std::move(*blobs));
  impl->dir = dir;
  impl->store_lock = std::move(*store_lock);
  impl->master = std::move(*master);
  impl->edb = std::move(*edb);
  // The audit signing seed: its keyring slot, under the signing credential when one is configured
  // (read here, wiped when this function returns), else under the master key.
  security::SigningSecrets signing;
  signing.keyring = current_keyring(dir);
  signing.master = &*impl->master;
  signing.read_only = secrets.read_only;
  signing.credential_file = config.audit_signing_key_file;
  std::optional<storage::SecretKey> credential;
  if (!config.audit_signing_key_file.empty()) {
    auto c = storage::CredentialFile::read(config.audit_signing_key_file);
    if (c) {
      credential = std::move(*c);
      signing.credential = &*credential;
    } else {
      signing.credential_problem = c.error().message;
    }
  }
  if (auto s = impl->audit_log.init(signing); !s) return std::unexpected(s.error());
  credential.reset();
  if (secrets.read_only) {
    // Read-only (audit verify, status): no sweep, no background work, nothing recorded.
    impl->reader = std::make_unique<recognition::Service>(impl->store(), *impl, impl->config, impl->services.make_engine);
    impl->start_capture();
    return impl;
  }
  if (!create) {
    if (auto failed = security::take_unlock_failures(dir); failed.count > 0)
      impl->audit(nullptr, "store.unlock_failed",
                  "count:" + std::to_string(failed.count) + " first:" + failed.first_at + " last:" + failed.last_at);
  }
  if (rotated) {
    if (auto s = complete_rotation(impl->store(), impl->audit_log, dir, *rotated, "finished_at_open"); !s)
      return std::unexpected(s.error());
  }
  // The migration of keyrings made below the current Argon2id cost (INTERACTIVE before issue #16):
  // the passphrase is at hand only now, so the first open with it re-wraps the slot. A failure
  // leaves the old (still valid) keyring and is audited; the store opens either way.
  if (!create && secrets.key_file.empty()) {
    auto upgraded = storage::Keyring::upgrade_passphrase_slot(keyring, secrets.passphrase);
    if (!upgraded) {
      impl->audit(nullptr, "store.kdf_upgrade_failed", "");
    } else if (*upgraded) {
      const storage::KdfCost cost = storage::kdf_cost();
      impl->audit(nullptr, "store.kdf_upgraded",
                  "opslimit:" + std::to_string(cost.opslimit) + " memlimit:" + std::to_string(cost.memlimit));
    }
  }
  // Leftovers of a crash: temporaries of interrupted writes, blobs whose row never committed.
  auto swept = sweep_store(impl->store());
  if (!swept) return std::unexpected(swept.error());
  impl->open_report = *swept;
  return impl;
}

Result<std::unique_ptr<Station>> Station::create(const Config& config, std::string_view passphrase) {
  return create(config, passphrase, nullptr);
}

Result<std::unique_ptr<Station>> Station::create(const Config& config, std::string_view passphrase,
                                                 const Services* services) {
  auto impl = open_store(config, StoreSecrets{passphrase, {}}, true, services);
  if (!impl) return std::unexpected(impl.error());
  auto s = std::unique_ptr<Station>(new Station(std::move(*impl)));
  s->impl_->audit(nullptr, "store.create", "");
  // The installed Zengin table into the store when it is newer (docs/outputs.md, "Zengin codes"),
  // so the review finds BANK_NOT_IN_ZENGIN without a manual load. A table that cannot be read
  // does not keep the station shut: the failure is audited, and the export says what to do.
  if (auto z = outputs::Outputs(s->impl_->store(), *s->impl_).load_installed_zengin(); !z)
    s->impl_->audit(nullptr, "zengin.load_failed", z.error().detail);
  if (auto r = s->impl_->start_recognition(); !r) return std::unexpected(r.error());
  s->impl_->start_capture();
  return s;
}

Result<std::unique_ptr<Station>> Station::open(const Config& config, std::string_view passphrase) {
  return open(config, StoreSecrets{passphrase, {}});
}

Result<std::unique_ptr<Station>> Station::open(const Config& config, const StoreSecrets& secrets) {
  return open(config, secrets, nullptr);
}

Result<std::unique_ptr<Station>> Station::open(const Config& config, const StoreSecrets& secrets,
                                               const Services* services) {
  auto impl = open_store(config, secrets, false, services);
  if (!impl) return std::unexpected(impl.error());
  auto s = std::unique_ptr<Station>(new Station(std::move(*impl)));
  if (secrets.read_only) return s;
  const auto& r = s->impl_->open_report;
  s->impl_->audit(nullptr, "store.open",
                  std::string(secrets.key_file.empty() ? "" : "unlock:key_file ") +
                      "temporaries_removed:" + std::to_string(r.stale_temporaries) +
                      " orphan_blobs_removed:" + std::to_string(r.orphan_blobs));
  // The installed Zengin table into the store when it is newer (docs/outputs.md, "Zengin codes"),
  // so the review finds BANK_NOT_IN_ZENGIN without a manual load. A table that cannot be read
  // does not keep the station shut: the failure is audited, and the export says what to do.
  if (auto z = outputs::Outputs(s->impl_->store(), *s->impl_).load_installed_zengin(); !z)
    s->impl_->audit(nullptr, "zengin.load_failed", z.error().detail);
  if (auto rs = s->impl_->start_recognition(); !rs) return std::unexpected(rs.error());
  s->impl_->start_capture();
  return s;
}

Status Station::check_integrity() {
  std::lock_guard lock(impl_->mu);
  if (auto s = impl_->db.check_integrity(); !s) return unexpected_storage(s.error());
  std::lock_guard elock(impl_->edb_mu);
  if (impl_->edb) {
    if (auto s = impl_->edb->check_integrity(); !s) return unexpected_storage(s.error());
  }
  return {};
}

const MaintenanceReport& Station::open_report() const { return impl_->open_report; }

}  // namespace station
