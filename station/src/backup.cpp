// Backup and restore: the security sub-library's (station/security/backup.h); Station forwards.
// Restore opens the staged copy as a station to verify its audit chain before moving it in place.
#include "station/security/backup.h"
#include "station_impl.h"

namespace station {

Result<BackupReport> Station::backup(const User& actor, const fs::path& dest_dir) {
  auto store = impl_->store_parts();
  return security::backup(store, impl_->audit_log, &actor, dest_dir);
}

Result<BackupReport> Station::scheduled_backup(const fs::path& dest_dir) {
  auto store = impl_->store_parts();
  return security::backup(store, impl_->audit_log, nullptr, dest_dir);
}

Result<BackupStatus> Station::backup_status(const User& actor) {
  (void)actor;  // every role sees the warning: whoever is at the station should hear of it
  return security::backup_status(impl_->store());
}

Result<RestoreReport> Station::restore(const Config& config, const fs::path& backup_dir, std::string_view passphrase) {
  const auto open_staged = [&](const fs::path& staging) -> Result<std::int64_t> {
    Config staged = config;
    staged.data_dir = staging;
    auto impl = open_store(staged, StoreSecrets{passphrase, {}}, false);
    if (!impl) return std::unexpected(impl.error());
    AuditVerifyReport audit = (*impl)->audit_log.verify();
    if (!audit.ok)
      return fail(ErrorCode::kStoreCorrupt, "the backup's audit log does not verify: " + audit.problems.front());
    (*impl)->audit(nullptr, "store.restore", "backup:" + backup_dir.filename().string());
    return audit.entries;
  };
  return security::restore(config.data_dir, backup_dir, passphrase, open_staged);
}

}  // namespace station
