#pragma once
// The security domain's value types, shown by station.h and used by the security and store
// sub-libraries: the audit log's entries, queries and verification report, backups and restores,
// the startup cleanup, the secrets that unlock the store, key rotation, electronic records.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "station/model.h"

namespace station {

// ---- security types (audit log, backups, electronic records)

// One audit-log entry: who, what, when, on which subject; never the personal values themselves.
struct AuditEntry {
  std::int64_t id = 0;
  std::string at;             // ISO timestamp, JST
  std::string username;       // empty for system events (store.open, ...)
  std::string action;         // e.g. "login", "field.confirm", "export.batch"
  std::string subject;        // e.g. "envelope:12 field:amount"
  std::int64_t envelope_id = 0;  // 0 when the entry is not about one application
};

// Filters for Station::audit_search; empty/zero means "any". Dates are ISO YYYY-MM-DD, inclusive.
struct AuditQuery {
  std::string username;
  std::string from_date;
  std::string to_date;
  std::int64_t envelope_id = 0;
  std::string receipt_no;     // 受付番号; resolved to the envelope
  int limit = 1000;           // newest entries first
};

// The result of checking the hash chain, the signed checkpoints and the signed head.
struct AuditVerifyReport {
  bool ok = false;
  std::int64_t entries = 0;
  std::int64_t checkpoints = 0;
  std::int64_t last_id = 0;
  std::string head_hash;      // the chain's last link (hex), to note down off the station
  std::string public_key;     // the station's Ed25519 public key (hex)
  bool key_pinned = false;    // checked against config's audit_public_key (else the store's own key)
  std::int64_t expected_last_id = -1;  // the --expect-head file's last entry (-1: none given)
  std::vector<std::string> problems;  // English, names entry ids only; empty when ok
};

struct BackupReport {
  std::string path;           // the backup folder written (read back and verified after writing)
  std::int64_t bytes = 0;
  int files = 0;
  int blobs = 0;
  std::int64_t audit_entries = 0;
  // The signed audit head the backup carries (audit-head.json): its last entry and the key that
  // signed it, to note down or compare with `[security] audit_public_key`.
  std::int64_t head_last_id = 0;
  std::string public_key;
};

struct RestoreReport {
  std::string data_dir;
  std::string backup_dir;     // the backup folder restored (the newest inside the folder given, if that was
                              // the folder given to `station backup`)
  int files = 0;
  int blobs = 0;
  int pages = 0;
  std::int64_t audit_entries = 0;
  std::int64_t head_last_id = 0;  // the signed head the backup carried (verified against its log)
  std::string public_key;         // the audit key that signed it
};

// What the startup cleanup found (temporary files of interrupted writes, blobs no row refers to).
struct MaintenanceReport {
  int stale_temporaries = 0;
  int orphan_blobs = 0;       // moved to <data_dir>/quarantine/, never deleted (issue #16: a database
                              // opened without its WAL lacks rows whose blobs are still needed)
};

// When the last good (written and verified) backup was made, and whether that is too long ago.
struct BackupStatus {
  std::string last_backup_at;  // ISO JST; empty when there has been none
  bool stale = true;           // none, or older than a day: the UI and the CLI warn
};

// What unlocks the store (issue #5): the station passphrase, or a key file on removable media
// registered with add_key_file. open() uses key_file when it is set, else the passphrase.
// rotate_master_key needs the passphrase, and the key file too when one is registered (every way
// of unlocking is re-wrapped around the new master key). The views must outlive the call.
struct StoreSecrets {
  std::string_view passphrase;
  std::filesystem::path key_file;
  // Open for reading only (audit verify, status): nothing is written and nothing signed, so the
  // audit signing credential is not needed. A store whose signing seed is wrapped under a
  // credential that cannot be read opens only so (else kSigningKeyUnavailable).
  bool read_only = false;
};

// What a master-key rotation did.
struct KeyRotationReport {
  std::string rotation_id;  // names the rotation in the audit log ("keys.rotate")
  int blobs = 0;            // blobs re-encrypted under the new key
  bool key_file = false;    // the key-file slot was re-wrapped too
};

// An application the main system received electronically (kept in its own store and key).
struct ElectronicApplication {
  std::string application_no;  // e.g. "E000001"
  std::string facility_id;
  std::string jigyosho_no;
  std::string facility_name;
  std::string received_at;     // ISO timestamp
};

// One account as an administrator sees it (station user list): never the password hash.
struct AccountInfo {
  User user;
  bool disabled = false;
  bool must_change_password = false;  // an admin's reset: a one-time password until changed
  std::int64_t failed_attempts = 0;   // failed logins in a row since the last good one
  std::string locked_until;           // ISO JST; empty when not locked
  std::string last_login_at;          // ISO JST; empty when never
  std::string created_at;
};

// What an administrator's password reset hands out: a one-time password, shown once, that must
// be changed at the next login.
struct PasswordReset {
  User user;
  std::string one_time_password;
};

}  // namespace station
