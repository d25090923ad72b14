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

// Removes stale temporaries and unreferenced blobs; takes the store's mutex.
Result<MaintenanceReport> sweep_store(const store::Context& ctx);

// Supervisor or admin: a complete, checked, signed backup folder in `dest_dir`.
Result<BackupReport> backup(StoreParts& store, AuditLog& audit, const User& actor, const std::filesystem::path& dest_dir);

// Opens the staged copy at `staging` as a station, verifies its audit chain, records the restore
// and closes it again; returns the log's entries (kStoreCorrupt when the chain does not verify).
using OpenStaged = std::function<Result<std::int64_t>(const std::filesystem::path& staging)>;
// Restores `backup_dir` into the empty or missing folder `target`, checking everything in a
// staging folder beside it first.
Result<RestoreReport> restore(const std::filesystem::path& target, const std::filesystem::path& backup_dir,
                              std::string_view passphrase, const OpenStaged& open_staged);

}  // namespace station::security
