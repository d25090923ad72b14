// Envelope state changes in SQL (envelopes.h).
#include "station/store/envelopes.h"

#include <cstdio>

#include "station/clock.h"
#include "station/store/error.h"

namespace station::store {

Result<bool> transition(storage::Database& db, std::int64_t envelope_id, lifecycle::Event event) {
  const std::string sql = "UPDATE envelopes SET status = '" + std::string(state_name(lifecycle::target(event))) +
                          "' WHERE id = ? AND status IN (" + lifecycle::from_states_sql(event) + ")";
  auto st = db.prepare(sql);
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return db.changes() > 0;
}

Result<EnvelopeState> state_of(storage::Database& db, std::int64_t envelope_id) {
  auto st = row_by_id(db, "SELECT status FROM envelopes WHERE id = ?", envelope_id, "envelope");
  if (!st) return std::unexpected(st.error());
  auto s = parse_state(st->column_text(0));
  if (!s) return fail(ErrorCode::kStoreCorrupt, "envelope " + std::to_string(envelope_id) + " has an unknown state");
  return *s;
}


Result<std::vector<std::int64_t>> transition_all(storage::Database& db, lifecycle::Event event) {
  auto ids = ids_of(db, "SELECT id FROM envelopes WHERE status IN (" + lifecycle::from_states_sql(event) + ") ORDER BY id");
  if (!ids) return std::unexpected(ids.error());
  for (auto id : *ids)
    if (auto t = transition(db, id, event); !t) return std::unexpected(t.error());
  return ids;
}

Result<std::vector<std::int64_t>> in_state(storage::Database& db, EnvelopeState state) {
  return ids_of(db, "SELECT id FROM envelopes WHERE status = '" + std::string(state_name(state)) + "' ORDER BY id");
}

Result<std::vector<std::int64_t>> queued(storage::Database& db) { return in_state(db, EnvelopeState::kCaptured); }

Result<std::vector<std::int64_t>> all_ids(storage::Database& db) { return ids_of(db, "SELECT id FROM envelopes ORDER BY id"); }

Result<Registered> register_envelope(storage::Database& db, std::int64_t clerk_id, const std::string& received_date,
                                     int enclosures, const std::string& source, const std::string& created_at) {
  Registered reg;
  auto s = db.transaction([&]() -> storage::Status {
    // The highest number of the day (not the count: envelopes may have been removed).
    auto cnt = db.prepare(
        "SELECT coalesce(max(CAST(substr(receipt_no, 11) AS INTEGER)), 0) FROM envelopes WHERE received_date = ?");
    if (!cnt) return std::unexpected(cnt.error());
    cnt->bind(1, received_date);
    if (auto r = cnt->step(); !r) return std::unexpected(r.error());
    char no[32];
    std::snprintf(no, sizeof no, "M%s-%04lld", compact_date(received_date).c_str(),
                  static_cast<long long>(cnt->column_int(0) + 1));
    reg.receipt_no = no;
    auto ins = db.prepare(
        "INSERT INTO envelopes(receipt_no, received_date, clerk_id, enclosures, status, created_at, source) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!ins) return std::unexpected(ins.error());
    ins->bind(1, reg.receipt_no).bind(2, received_date).bind(3, clerk_id).bind(4, std::int64_t{enclosures});
    // Capturing until its run ends: a crash leaves it so, and the next open marks it interrupted.
    ins->bind(5, std::string(state_name(EnvelopeState::kCapturing))).bind(6, created_at).bind(7, source);
    if (auto r = ins->run(); !r) return r;
    reg.id = db.last_insert_id();
    return {};
  });
  if (!s) return unexpected_storage(s.error());
  return reg;
}

Status remove(storage::Database& db, std::int64_t envelope_id) {
  auto del = db.prepare("DELETE FROM envelopes WHERE id = ?");
  if (!del) return unexpected_storage(del.error());
  del->bind(1, envelope_id);
  if (auto r = del->run(); !r) return unexpected_storage(r.error());
  return {};
}

Status set_postmark_page(storage::Database& db, std::int64_t envelope_id, std::int64_t page_id) {
  auto st = db.prepare("UPDATE envelopes SET postmark_page_id = ? WHERE id = ? AND postmark_page_id IS NULL");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, page_id).bind(2, envelope_id);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return {};
}

Status set_enclosures(storage::Database& db, std::int64_t envelope_id, int enclosures) {
  auto st = db.prepare("UPDATE envelopes SET enclosures = ? WHERE id = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, std::int64_t{enclosures}).bind(2, envelope_id);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return {};
}

namespace {

constexpr const char* kContinuationColumns =
    "SELECT id, receipt_no, status, (SELECT coalesce(max(seq), 0) FROM pages p WHERE p.envelope_id = e.id), "
    "(SELECT count(*) FROM pages p WHERE p.envelope_id = e.id AND p.kind <> 'separator') FROM envelopes e ";

Result<std::optional<Continuation>> continuation_row(storage::Statement& st) {
  auto row = st.step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return std::optional<Continuation>{};
  Continuation c;
  c.id = st.column_int(0);
  c.receipt_no = st.column_text(1);
  c.status = st.column_text(2);
  c.last_seq = static_cast<int>(st.column_int(3));
  c.content_pages = static_cast<int>(st.column_int(4));
  return c;
}

}  // namespace

Result<std::optional<Continuation>> continuation_by_id(storage::Database& db, std::int64_t envelope_id) {
  auto st = db.prepare(std::string(kContinuationColumns) + "WHERE id = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  return continuation_row(*st);
}

Result<std::optional<Continuation>> continuation_by_receipt_no(storage::Database& db, const std::string& receipt_no) {
  auto st = db.prepare(std::string(kContinuationColumns) + "WHERE receipt_no = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, receipt_no);
  return continuation_row(*st);
}

Result<EnvelopeSummary> summary(storage::Database& db, std::int64_t envelope_id) {
  auto st = row_by_id(db, 
      "SELECT e.id, e.receipt_no, e.received_date, u.username, e.enclosures, e.status, "
      "(SELECT count(*) FROM pages p WHERE p.envelope_id = e.id), "
      "(SELECT count(*) FROM fields f WHERE f.envelope_id = e.id), "
      "(SELECT count(*) FROM fields f WHERE f.envelope_id = e.id AND f.status = 'confirmed') "
      "FROM envelopes e JOIN users u ON u.id = e.clerk_id WHERE e.id = ?", envelope_id, "envelope");
  if (!st) return std::unexpected(st.error());
  EnvelopeSummary e;
  e.id = st->column_int(0);
  e.receipt_no = st->column_text(1);
  e.received_date = st->column_text(2);
  e.clerk = st->column_text(3);
  e.enclosures = static_cast<int>(st->column_int(4));
  e.status = st->column_text(5);
  e.state = parse_state(e.status).value_or(EnvelopeState::kCaptured);
  e.status_ja = std::string(state_label_ja(e.state));
  e.pages = static_cast<int>(st->column_int(6));
  e.fields_total = static_cast<int>(st->column_int(7));
  e.fields_confirmed = static_cast<int>(st->column_int(8));
  return e;
}

Result<std::vector<IntakeLogRow>> intake_log(storage::Database& db, const std::string& received_date) {
  auto st = db.prepare(
      "SELECT e.id, e.receipt_no, e.received_date, e.created_at, u.username, e.enclosures, e.source, e.status, "
      "(SELECT count(*) FROM pages p WHERE p.envelope_id = e.id), "
      "(SELECT count(*) FROM pages p WHERE p.envelope_id = e.id AND p.blank = 1 "
      "   AND instr(',' || p.flags || ',', ',blank_confirmed,') = 0), "
      "(SELECT count(*) FROM pages p WHERE p.envelope_id = e.id AND p.flags <> '') "
      "FROM envelopes e JOIN users u ON u.id = e.clerk_id WHERE e.received_date = ? ORDER BY e.receipt_no");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, received_date);
  std::vector<IntakeLogRow> rows;
  for (;;) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    IntakeLogRow r;
    r.envelope_id = st->column_int(0);
    r.receipt_no = st->column_text(1);
    r.received_date = st->column_text(2);
    r.received_at = st->column_text(3);
    r.clerk = st->column_text(4);
    r.enclosures = static_cast<int>(st->column_int(5));
    r.source = st->column_text(6);
    r.status = st->column_text(7);
    r.pages = static_cast<int>(st->column_int(8));
    r.blank_pages = static_cast<int>(st->column_int(9));
    r.flagged_pages = static_cast<int>(st->column_int(10));
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace station::store
