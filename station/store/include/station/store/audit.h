#pragma once
// The audit tables: the hash-chained entries (audit) and their signed checkpoints
// (audit_checkpoints). The chain's arithmetic and the signatures are the security sub-library's;
// this is only their SQL. Callers hold the store's mutex.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"
#include "station/security_types.h"
#include "storage/database.h"

namespace station::store {

// The last sealed entry: its id and link. id 0 and the genesis link when the chain is empty.
struct AuditLink {
  std::int64_t id = 0;
  std::string hash;
};
Result<AuditLink> last_audit_link(storage::Database& db);

// One row of the audit table as stored. hash is nullopt for an entry not sealed into the chain
// (written before the chain existed).
struct AuditRow {
  std::int64_t id = 0;
  std::string at;
  std::optional<std::int64_t> user_id;
  std::string action;
  std::string subject;
  std::optional<std::int64_t> envelope_id;
  std::string prev_hash;
  std::optional<std::string> hash;
};

// Appends a sealed entry (every column set).
Status insert_audit_entry(storage::Database& db, const AuditRow& row);
// Entries not sealed into the chain yet, in id order (only id, at, user_id, action, subject set).
Result<std::vector<AuditRow>> unsealed_audit_entries(storage::Database& db);
// Seals one such entry: its application reference and its links.
Status seal_audit_entry(storage::Database& db, std::int64_t id, std::optional<std::int64_t> envelope_id,
                        const std::string& prev_hash, const std::string& hash);
// The stored link of entry `id`; nullopt when there is no such entry.
Result<std::optional<std::string>> audit_hash(storage::Database& db, std::int64_t id);
// Every entry, in id order.
Result<std::vector<AuditRow>> audit_rows(storage::Database& db);
// How many entries there are.
Result<std::int64_t> audit_count(storage::Database& db);
// When the newest entry with this action was written; nullopt when there is none.
Result<std::optional<std::string>> last_audit_at(storage::Database& db, std::string_view action);
// Whether an entry with this action has a subject starting with `subject_prefix`.
Result<bool> audit_recorded(storage::Database& db, std::string_view action, const std::string& subject_prefix);

// A signed checkpoint: the link at entry audit_id.
struct AuditCheckpoint {
  std::int64_t audit_id = 0;
  std::string hash;
  std::string at;
  std::string signature;
};
Status insert_audit_checkpoint(storage::Database& db, const AuditCheckpoint& checkpoint);
// Every checkpoint, by entry.
Result<std::vector<AuditCheckpoint>> audit_checkpoints(storage::Database& db);

// The audit listing, newest first, with the user's name (empty for the station itself). Each
// filter is optional.
struct AuditFilter {
  std::optional<std::string> username;
  std::optional<std::string> from_date;  // YYYY-MM-DD, inclusive
  std::optional<std::string> to_date;    // YYYY-MM-DD, inclusive
  std::optional<std::int64_t> envelope_id;
  std::int64_t limit = 1000;
};
Result<std::vector<AuditEntry>> search_audit(storage::Database& db, const AuditFilter& filter);

}  // namespace station::store
