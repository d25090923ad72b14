// The station object: opening and creating the store. The stages live in their own files.
#include "station_impl.h"
#include "schema.h"

namespace station {

Station::Station(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Station::~Station() = default;

const Config& Station::config() const { return impl_->config; }

Result<std::unique_ptr<Station::Impl>> Station::open_store(const Config& config, std::string_view passphrase,
                                                          bool create) {
  const fs::path dir = config.data_dir;
  const fs::path keyring = dir / kKeyringFile;
  std::error_code ec;
  const bool exists = fs::exists(keyring, ec);
  if (create && exists) return fail(ErrorCode::kStoreExists, "a store exists at " + dir.string());
  if (!create && !exists) return fail(ErrorCode::kStoreMissing, "no store at " + dir.string());
  if (create) {
    if (passphrase.size() < 8) return fail(ErrorCode::kInvalidInput, "the passphrase must have 8 characters or more");
    fs::create_directories(dir, ec);
    if (ec) return fail(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  auto master = create ? storage::Keyring::create(keyring, passphrase) : storage::Keyring::unlock(keyring, passphrase);
  if (!master) return unexpected_storage(master.error());
  auto db_key = master->derive("database");
  auto blob_key = master->derive("blobs");
  if (!db_key || !blob_key) return fail(ErrorCode::kInternal, "key derivation failed");
  auto db = storage::Database::open(dir / kDatabaseFile, *db_key);
  if (!db) return unexpected_storage(db.error());
  if (auto s = db->migrate(kMigrations); !s) return unexpected_storage(s.error());
  auto blobs = storage::BlobStore::open(dir / kBlobDir, std::move(*blob_key));
  if (!blobs) return unexpected_storage(blobs.error());
  blobs->remove_stale_temporaries();
  return std::make_unique<Station::Impl>(config, std::move(*db), std::move(*blobs));
}

Result<std::unique_ptr<Station>> Station::create(const Config& config, std::string_view passphrase) {
  auto impl = open_store(config, passphrase, true);
  if (!impl) return std::unexpected(impl.error());
  auto s = std::unique_ptr<Station>(new Station(std::move(*impl)));
  s->impl_->audit(nullptr, "store.create", "");
  return s;
}

Result<std::unique_ptr<Station>> Station::open(const Config& config, std::string_view passphrase) {
  auto impl = open_store(config, passphrase, false);
  if (!impl) return std::unexpected(impl.error());
  auto s = std::unique_ptr<Station>(new Station(std::move(*impl)));
  s->impl_->audit(nullptr, "store.open", "");
  return s;
}

Status Station::check_integrity() {
  std::lock_guard lock(impl_->mu);
  if (auto s = impl_->db.check_integrity(); !s) return unexpected_storage(s.error());
  return {};
}

}  // namespace station
