// The sync's tables in SQL (outbox.h). The outbox is filled by migration 8's triggers; nothing
// here writes a change into it.
#include "station/store/outbox.h"

#include "station/store/error.h"
#include "station/store/transaction.h"

namespace station::store {

namespace {

Result<std::vector<OutboxRow>> rows(storage::Statement& st) {
  std::vector<OutboxRow> out;
  for (;;) {
    auto row = st.step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    out.push_back(OutboxRow{st.column_int(0), st.column_text(1), st.column_text(2), st.column_text(3), st.column_text(4)});
  }
  return out;
}

}  // namespace

Result<std::vector<OutboxRow>> pending_changes(storage::Database& db, int limit) {
  auto st = db.prepare(
      "SELECT seq, kind, entity, payload, created_at FROM sync_outbox WHERE delivered_at IS NULL ORDER BY seq LIMIT ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, limit);
  return rows(*st);
}

Result<std::vector<OutboxRow>> outbox_changes(storage::Database& db, std::int64_t after_seq, int limit) {
  auto st = db.prepare("SELECT seq, kind, entity, payload, created_at FROM sync_outbox WHERE seq > ? ORDER BY seq LIMIT ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, after_seq).bind(2, limit);
  return rows(*st);
}

Status mark_delivered(storage::Database& db, std::int64_t seq, const std::string& at) {
  auto st = db.prepare("UPDATE sync_outbox SET delivered_at = ? WHERE delivered_at IS NULL AND seq <= ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, at).bind(2, seq);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return {};
}

Result<OutboxCounts> outbox_counts(storage::Database& db) {
  auto st = db.prepare(
      "SELECT (SELECT count(*) FROM sync_outbox WHERE delivered_at IS NULL), "
      "(SELECT count(*) FROM sync_outbox WHERE delivered_at IS NOT NULL), "
      "coalesce((SELECT created_at FROM sync_outbox WHERE delivered_at IS NULL ORDER BY seq LIMIT 1), ''), "
      // The newest seq ever given (sqlite_sequence), so the figure survives a prune of every row.
      "max(coalesce((SELECT max(seq) FROM sync_outbox), 0), "
      "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'), 0))");
  if (!st) return unexpected_storage(st.error());
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return fail(ErrorCode::kInternal, "outbox counts returned no row");
  return OutboxCounts{st->column_int(0), st->column_int(1), st->column_text(2), st->column_int(3)};
}

Result<std::int64_t> prune_delivered(storage::Database& db, const std::string& before) {
  auto st = db.prepare("DELETE FROM sync_outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, before);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return std::int64_t{db.changes()};
}

Result<std::string> sync_state(storage::Database& db, const std::string& name) {
  auto st = db.prepare("SELECT value FROM sync_state WHERE name = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, name);
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  return *row ? st->column_text(0) : std::string();
}

Status set_sync_state(storage::Database& db, const std::string& name, const std::string& value) {
  auto st = db.prepare(
      "INSERT INTO sync_state(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, name).bind(2, value);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return {};
}

Status apply_remote_applications(storage::Database& db, const std::vector<RemoteApplicationRow>& rows,
                                 std::int64_t cursor, const std::string& at) {
  return transaction(db, [&]() -> Status {
    auto up = db.prepare(
        "INSERT INTO remote_applications(station, envelope_id, receipt_no, received_date, registered_at, jigyosho_no, "
        "jigyosho_key, pulled_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(station, envelope_id) DO UPDATE SET "
        "receipt_no = excluded.receipt_no, received_date = excluded.received_date, registered_at = excluded.registered_at, "
        "jigyosho_no = excluded.jigyosho_no, jigyosho_key = excluded.jigyosho_key, pulled_at = excluded.pulled_at");
    if (!up) return unexpected_storage(up.error());
    auto del = db.prepare("DELETE FROM remote_applications WHERE station = ? AND envelope_id = ?");
    if (!del) return unexpected_storage(del.error());
    for (const auto& r : rows) {
      if (r.removed) {
        del->bind(1, r.station).bind(2, r.envelope_id);
        if (auto x = del->run(); !x) return unexpected_storage(x.error());
        continue;
      }
      up->bind(1, r.station).bind(2, r.envelope_id).bind(3, r.receipt_no).bind(4, r.received_date);
      up->bind(5, r.registered_at).bind(6, r.jigyosho_no).bind(7, r.jigyosho_key).bind(8, at);
      if (auto x = up->run(); !x) return unexpected_storage(x.error());
    }
    return set_sync_state(db, "applications_cursor", std::to_string(cursor));
  });
}

Result<std::vector<RemoteApplicationRow>> remote_applications(storage::Database& db, const std::string& key) {
  auto st = db.prepare(
      "SELECT station, envelope_id, receipt_no, received_date, registered_at, jigyosho_no, jigyosho_key "
      "FROM remote_applications WHERE jigyosho_key = ? ORDER BY station, receipt_no");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, key);
  std::vector<RemoteApplicationRow> out;
  for (;;) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    out.push_back(RemoteApplicationRow{st->column_text(0), st->column_int(1), st->column_text(2), st->column_text(3),
                                       st->column_text(4), st->column_text(5), st->column_text(6), false});
  }
  return out;
}

Result<int> upsert_electronic_applications(storage::Database& edb, const std::vector<ElectronicApplication>& apps) {
  int added = 0;
  auto s = transaction(edb, [&]() -> Status {
    auto ins = edb.prepare(
        "INSERT INTO electronic_applications(application_no, facility_id, jigyosho_no, facility_name, received_at) "
        "VALUES (?,?,?,?,?) ON CONFLICT(application_no) DO UPDATE SET facility_id = excluded.facility_id, "
        "jigyosho_no = excluded.jigyosho_no, facility_name = excluded.facility_name, received_at = excluded.received_at");
    if (!ins) return unexpected_storage(ins.error());
    auto exists = edb.prepare("SELECT 1 FROM electronic_applications WHERE application_no = ?");
    if (!exists) return unexpected_storage(exists.error());
    for (const auto& a : apps) {
      exists->bind(1, a.application_no);
      auto found = exists->step();
      if (!found) return unexpected_storage(found.error());
      if (!*found) ++added;
      if (auto r = exists->reset(); !r) return unexpected_storage(r.error());
      ins->bind(1, a.application_no).bind(2, a.facility_id).bind(3, a.jigyosho_no).bind(4, a.facility_name);
      ins->bind(5, a.received_at);
      if (auto r = ins->run(); !r) return unexpected_storage(r.error());
    }
    return {};
  });
  if (!s) return std::unexpected(s.error());
  return added;
}

}  // namespace station::store
