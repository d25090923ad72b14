#pragma once
// The store's keys: unlocking the master key (passphrase or key file), changing the passphrase,
// rotating the master key (with the recovery of a rotation a crash interrupted) and registering a
// key file. Admin only where an actor is given; audited.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "station/audit_trail.h"
#include "station/error.h"
#include "station/model.h"
#include "station/security/audit_log.h"
#include "station/security/store_parts.h"
#include "station/security_types.h"
#include "station/store/context.h"
#include "storage/keys.h"

namespace station::security {

// A committed rotation's journal (rotation.ready/journal.json).
struct RotationJournal {
  std::string id;                      // names the rotation in the audit log
  std::optional<std::int64_t> actor;   // the admin who started it
};

// The keyring that holds the current master key: the committed next generation's while a
// rotation is being rolled forward, else <dir>/keyring.json.
std::filesystem::path current_keyring(const std::filesystem::path& dir);
// Unwraps the master key with the passphrase or, when secrets.key_file is set, the key file
// (kWrongKeyFile / kBadKeyFile).
Result<storage::SecretKey> unlock_master(const std::filesystem::path& keyring, const StoreSecrets& secrets);
// With the store's lock held and before anything is opened: deletes an uncommitted rotation,
// or moves a committed one into place and returns its journal (for complete_rotation).
Result<std::optional<RotationJournal>> recover_rotation(const std::filesystem::path& dir);
// The last step of a master-key rotation once its files are in place: records "keys.rotate"
// unless the log has it already, then deletes the rotation folder.
Status complete_rotation(const store::Context& ctx, AuditLog& audit, const std::filesystem::path& dir,
                         const RotationJournal& journal, const std::string& detail);

// The station passphrase's rules (issue #16): at least 15 characters, not a commonly used phrase
// (a blocklist, case and spaces ignored), not one character repeated. Empty when acceptable,
// else why (English, for the error's detail).
std::string passphrase_problem(std::string_view passphrase);

// Failed unlocks (a wrong passphrase or key file), counted in <dir>/unlock-failures.json (times
// and a count, no secret), since the store cannot be written before it is unlocked. Each failure
// is answered only after a delay that doubles with the failures in a row (1 s, 2 s, 4 s ... at
// most 30 s), with the store's lock held so attempts cannot run side by side. The next open
// records them in the audit log ("store.unlock_failed") and clears the count.
struct UnlockFailures {
  int count = 0;
  std::string first_at;  // ISO, UTC
  std::string last_at;
};
UnlockFailures unlock_failures(const std::filesystem::path& dir);
// Records one more failure and waits the delay; returns the failures in a row so far.
int record_unlock_failure(const std::filesystem::path& dir);
// After a good unlock: the failures to audit (count 0: none), and the file removed.
UnlockFailures take_unlock_failures(const std::filesystem::path& dir);

// Re-wraps the master key under a new passphrase (the files stay as they are).
Status change_passphrase(StoreParts& store, AuditTrail& audit, const User& actor, std::string_view old_passphrase,
                         std::string_view new_passphrase);
// A new master key for the whole store; the live databases, blobs and key are replaced in `store`.
Result<KeyRotationReport> rotate_master_key(StoreParts& store, AuditLog& audit, const User& actor,
                                            const StoreSecrets& secrets);
// Writes a new key file at `path` and registers it as a second way to unlock the store.
Status add_key_file(StoreParts& store, AuditTrail& audit, const User& actor, const std::filesystem::path& path);
Status remove_key_file(StoreParts& store, AuditTrail& audit, const User& actor);
Result<bool> has_key_file(const StoreParts& store, const User& actor);

}  // namespace station::security
