// The audit tables in SQL (audit.h).
#include "station/store/audit.h"

#include "station/store/error.h"
#include "storage/signing.h"

namespace station::store {

namespace {

std::optional<std::int64_t> opt_int(const storage::Statement& st, int column) {
  if (st.is_null(column)) return std::nullopt;
  return st.column_int(column);
}

}  // namespace

Result<AuditLink> last_audit_link(storage::Database& db) {
  auto st = db.prepare("SELECT id, hash FROM audit WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1");
  if (!st) return unexpected_storage(st.error());
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  AuditLink l{0, std::string(storage::kChainGenesis)};
  if (*row) {
    l.id = st->column_int(0);
    l.hash = st->column_text(1);
  }
  return l;
}

Status insert_audit_entry(storage::Database& db, const AuditRow& row) {
  auto ins = db.prepare(
      "INSERT INTO audit(id, at, user_id, action, subject, envelope_id, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)");
  if (!ins) return unexpected_storage(ins.error());
  ins->bind(1, row.id).bind(2, row.at).bind(3, row.user_id).bind(4, row.action).bind(5, row.subject);
  ins->bind(6, row.envelope_id).bind(7, row.prev_hash).bind(8, row.hash);
  if (auto r = ins->run(); !r) return unexpected_storage(r.error());
  return {};
}

Result<std::vector<AuditRow>> unsealed_audit_entries(storage::Database& db) {
  auto rows = db.prepare("SELECT id, at, user_id, action, subject FROM audit WHERE hash IS NULL ORDER BY id");
  if (!rows) return unexpected_storage(rows.error());
  std::vector<AuditRow> out;
  for (;;) {
    auto r = rows->step();
    if (!r) return unexpected_storage(r.error());
    if (!*r) break;
    AuditRow a;
    a.id = rows->column_int(0);
    a.at = rows->column_text(1);
    a.user_id = opt_int(*rows, 2);
    a.action = rows->column_text(3);
    a.subject = rows->column_text(4);
    out.push_back(std::move(a));
  }
  return out;
}

Status seal_audit_entry(storage::Database& db, std::int64_t id, std::optional<std::int64_t> envelope_id,
                        const std::string& prev_hash, const std::string& hash) {
  auto up = db.prepare("UPDATE audit SET envelope_id = ?, prev_hash = ?, hash = ? WHERE id = ?");
  if (!up) return unexpected_storage(up.error());
  up->bind(1, envelope_id).bind(2, prev_hash).bind(3, hash).bind(4, id);
  if (auto r = up->run(); !r) return unexpected_storage(r.error());
  return {};
}

Result<std::optional<std::string>> audit_hash(storage::Database& db, std::int64_t id) {
  auto h = db.prepare("SELECT hash FROM audit WHERE id = ?");
  if (!h) return unexpected_storage(h.error());
  h->bind(1, id);
  auto r = h->step();
  if (!r) return unexpected_storage(r.error());
  if (!*r) return std::optional<std::string>{};
  return std::optional<std::string>{h->column_text(0)};
}

Result<std::vector<AuditRow>> audit_rows(storage::Database& db) {
  auto rows = db.prepare("SELECT id, at, user_id, action, subject, envelope_id, prev_hash, hash FROM audit ORDER BY id");
  if (!rows) return unexpected_storage(rows.error());
  std::vector<AuditRow> out;
  for (;;) {
    auto r = rows->step();
    if (!r) return unexpected_storage(r.error());
    if (!*r) break;
    AuditRow a;
    a.id = rows->column_int(0);
    a.at = rows->column_text(1);
    a.user_id = opt_int(*rows, 2);
    a.action = rows->column_text(3);
    a.subject = rows->column_text(4);
    a.envelope_id = opt_int(*rows, 5);
    a.prev_hash = rows->column_text(6);
    if (!rows->is_null(7)) a.hash = rows->column_text(7);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::int64_t> audit_count(storage::Database& db) {
  auto n = db.prepare("SELECT count(*) FROM audit");
  if (!n) return unexpected_storage(n.error());
  if (auto r = n->step(); !r) return unexpected_storage(r.error());
  return n->column_int(0);
}

Result<std::optional<std::string>> last_audit_at(storage::Database& db, std::string_view action) {
  auto st = db.prepare("SELECT at FROM audit WHERE action = ? ORDER BY id DESC LIMIT 1");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, action);
  auto r = st->step();
  if (!r) return unexpected_storage(r.error());
  if (!*r) return std::optional<std::string>{};
  return std::optional<std::string>{st->column_text(0)};
}

Result<bool> audit_recorded(storage::Database& db, std::string_view action, const std::string& subject_prefix) {
  auto seen = db.prepare("SELECT count(*) FROM audit WHERE action = ? AND instr(subject, ?) = 1");
  if (!seen) return unexpected_storage(seen.error());
  seen->bind(1, action).bind(2, subject_prefix);
  if (auto r = seen->step(); !r) return unexpected_storage(r.error());
  return seen->column_int(0) > 0;
}

Status insert_audit_checkpoint(storage::Database& db, const AuditCheckpoint& checkpoint) {
  auto cp = db.prepare("INSERT INTO audit_checkpoints(audit_id, hash, at, signature) VALUES (?,?,?,?)");
  if (!cp) return unexpected_storage(cp.error());
  cp->bind(1, checkpoint.audit_id).bind(2, checkpoint.hash).bind(3, checkpoint.at).bind(4, checkpoint.signature);
  if (auto r = cp->run(); !r) return unexpected_storage(r.error());
  return {};
}

Result<std::vector<AuditCheckpoint>> audit_checkpoints(storage::Database& db) {
  auto cps = db.prepare("SELECT audit_id, hash, at, signature FROM audit_checkpoints ORDER BY audit_id");
  if (!cps) return unexpected_storage(cps.error());
  std::vector<AuditCheckpoint> out;
  for (;;) {
    auto r = cps->step();
    if (!r) return unexpected_storage(r.error());
    if (!*r) break;
    out.push_back({cps->column_int(0), cps->column_text(1), cps->column_text(2), cps->column_text(3)});
  }
  return out;
}

Result<std::vector<AuditEntry>> search_audit(storage::Database& db, const AuditFilter& filter) {
  // Each filter is "? IS NULL OR ..." so one statement serves every combination.
  auto st = db.prepare(
      "SELECT a.id, a.at, COALESCE(u.username, ''), a.action, a.subject, COALESCE(a.envelope_id, 0) "
      "FROM audit a LEFT JOIN users u ON u.id = a.user_id "
      "WHERE (?1 IS NULL OR u.username = ?1) AND (?2 IS NULL OR substr(a.at, 1, 10) >= ?2) "
      "AND (?3 IS NULL OR substr(a.at, 1, 10) <= ?3) AND (?4 IS NULL OR a.envelope_id = ?4) "
      "ORDER BY a.id DESC LIMIT ?5");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, filter.username).bind(2, filter.from_date).bind(3, filter.to_date);
  st->bind(4, filter.envelope_id).bind(5, filter.limit);
  std::vector<AuditEntry> out;
  for (;;) {
    auto r = st->step();
    if (!r) return unexpected_storage(r.error());
    if (!*r) break;
    out.push_back({st->column_int(0), st->column_text(1), st->column_text(2), st->column_text(3),
                   st->column_text(4), st->column_int(5)});
  }
  return out;
}

}  // namespace station::store
