#pragma once
// The sync's tables on the station (migration 8, docs/sync.md): the outbox the triggers fill in
// the same transaction as each change, and sync_state (the store's id, the downstream cursor, the
// last attempt). Also the incremental upsert of pulled electronic receipts into the electronic
// store. Callers hold the store's mutex (the electronic store's for the receipts).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "station/error.h"
#include "station/security_types.h"
#include "storage/database.h"

namespace station::store {

struct OutboxRow {
  std::int64_t seq = 0;
  std::string kind;
  std::string entity;
  std::string payload;  // JSON object
  std::string created_at;
};

struct OutboxCounts {
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::string oldest_pending_at;  // "" when nothing is pending
  std::int64_t last_seq = 0;      // the newest change (0: none yet)
};

// The oldest `limit` undelivered changes, in seq order.
Result<std::vector<OutboxRow>> pending_changes(storage::Database& db, int limit);
// Marks every change up to `seq` delivered (at `at`); the server has committed them.
Status mark_delivered(storage::Database& db, std::int64_t seq, const std::string& at);
Result<OutboxCounts> outbox_counts(storage::Database& db);
// Deletes the delivered changes delivered before `before` (an ISO timestamp comparable with
// Clock::jst_now_iso()); pending changes are never touched. Returns how many were deleted. The
// seq stays unique after a prune (AUTOINCREMENT), so an idempotency key still names one change.
Result<std::int64_t> prune_delivered(storage::Database& db, const std::string& before);
// Every change of one kind, delivered or not, oldest first (for the checks of the tests and the
// status page).
Result<std::vector<OutboxRow>> outbox_changes(storage::Database& db, std::int64_t after_seq, int limit);

// sync_state: a value by name ("" when absent), and setting it.
Result<std::string> sync_state(storage::Database& db, const std::string& name);
Status set_sync_state(storage::Database& db, const std::string& name, const std::string& value);

// Adds (or refreshes, by application number) pulled receipts in the electronic store, in one
// transaction; returns how many were new.
Result<int> upsert_electronic_applications(storage::Database& edb, const std::vector<ElectronicApplication>& apps);

// Another station's mailed application as pulled (migration 11). removed: delete it here.
struct RemoteApplicationRow {
  std::string station;
  std::int64_t envelope_id = 0;
  std::string receipt_no, received_date, registered_at, jigyosho_no, jigyosho_key;
  bool removed = false;
};
// In one transaction: each row upserted (or deleted when removed) and sync_state's
// applications_cursor set to `cursor`; a crash leaves both as they were.
Status apply_remote_applications(storage::Database& db, const std::vector<RemoteApplicationRow>& rows,
                                 std::int64_t cursor, const std::string& at);
// The other stations' applications whose jigyosho_key is `key`, by station and receipt number.
Result<std::vector<RemoteApplicationRow>> remote_applications(storage::Database& db, const std::string& key);

}  // namespace station::store
