#pragma once
// Backup and restore of the whole store (signed manifest, every file's digest), and the startup
// sweep of what a crash left behind (temporaries, blobs no row refers to).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

#include "station/error.h"
#include "station/model.h"
#include "station/security/audit_log.h"
#include "station/security/store_parts.h"
#include "station/security_types.h"
#include "station/store/context.h"

namespace station::security {

// Removes stale temporaries and moves unreferenced blobs to <data_dir>/quarantine/ (never deletes
// them: a database opened without its WAL lacks rows whose blobs are still needed); takes the
// store's mutex.
Result<MaintenanceReport> sweep_store(const store::Context& ctx);

// Supervisor or admin: a complete, checked, signed backup folder in `dest_dir`.
// `actor` null: the station's own scheduled backup (audited without a user).
Result<BackupReport> backup(StoreParts& store, AuditLog& audit, const User* actor, const std::filesystem::path& dest_dir);
// The last good backup (from the audit log's "store.backup" entries) and whether it is older
// than a day.
Result<BackupStatus> backup_status(const store::Context& ctx);

// Opens the staged copy at `staging` as a station, verifies its audit chain, records the restore
// and closes it again; returns the log's entries (kStoreCorrupt when the chain does not verify).
using OpenStaged = std::function<Result<std::int64_t>(const std::filesystem::path& staging)>;
// The backup folder to restore: `dir` itself when it holds a manifest, else the newest complete
// backup folder inside it (`dir` was the folder given to `station backup`). kNotFound naming what
// to give when there is none.
Result<std::filesystem::path> find_backup(const std::filesystem::path& dir);
// Reads a written backup back and checks it: the manifest's signature under `public_key` and
// every file's size and digest. kStoreCorrupt naming the first file that differs.
Status verify_backup_files(const std::filesystem::path& backup_dir, const std::string& public_key);
// Restores `backup_dir` (or the newest backup in it, find_backup) into the empty or missing
// folder `target`, checking everything in a staging folder beside it first.
Result<RestoreReport> restore(const std::filesystem::path& target, const std::filesystem::path& backup_dir,
                              std::string_view passphrase, const OpenStaged& open_staged);

}  // namespace station::security
