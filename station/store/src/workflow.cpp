// The review's workflow in SQL (workflow.h).
#include "station/store/workflow.h"

#include "station/store/error.h"
#include "station/store/transaction.h"

namespace station::store {

namespace {

// The guarded UPDATE and its note on the trigger's history row, inside the caller's transaction.
Result<bool> move_noted(storage::Database& db, std::int64_t envelope_id, lifecycle::Event event,
                        const TransitionNote& note) {
  auto up = db.prepare("UPDATE envelopes SET status = '" + std::string(state_name(lifecycle::target(event))) +
                       "' WHERE id = ? AND status IN (" + lifecycle::from_states_sql(event) + ")");
  if (!up) return unexpected_storage(up.error());
  up->bind(1, envelope_id);
  if (auto r = up->run(); !r) return unexpected_storage(r.error());
  if (db.changes() == 0) return false;
  // The trigger's row for this change is the envelope's newest.
  auto note_row = db.prepare(
      "UPDATE envelope_transitions SET user_id = ?, at = ?, reason = ?, override_reason = ? "
      "WHERE id = (SELECT max(id) FROM envelope_transitions WHERE envelope_id = ?)");
  if (!note_row) return unexpected_storage(note_row.error());
  note_row->bind(1, note.user_id).bind(2, note.at).bind(3, note.reason).bind(4, note.override_reason);
  note_row->bind(5, envelope_id);
  if (auto r = note_row->run(); !r) return unexpected_storage(r.error());
  if (note.findings.empty()) return true;
  // The findings the decision was taken on, on the same transition row.
  int seq = 0;
  for (const NotedFinding& f : note.findings) {
    auto ins = db.prepare(
        "INSERT INTO decision_findings(transition_id, seq, envelope_id, code, severity, field_key, message, related) "
        "SELECT max(id), ?, ?, ?, ?, ?, ?, ? FROM envelope_transitions WHERE envelope_id = ?");
    if (!ins) return unexpected_storage(ins.error());
    ins->bind(1, ++seq).bind(2, envelope_id).bind(3, f.code).bind(4, f.severity).bind(5, f.field_key);
    ins->bind(6, f.message).bind(7, f.related).bind(8, envelope_id);
    if (auto r = ins->run(); !r) return unexpected_storage(r.error());
  }
  return true;
}

// The envelope's next round and its defects, inside the caller's transaction; its number.
Result<int> add_round(storage::Database& db, const NewRound& r) {
  auto next = db.prepare("SELECT coalesce(max(round), 0) + 1 FROM correction_rounds WHERE envelope_id = ?");
  if (!next) return unexpected_storage(next.error());
  next->bind(1, r.envelope_id);
  if (auto row = next->step(); !row) return unexpected_storage(row.error());
  const int number = static_cast<int>(next->column_int(0));
  auto ins = db.prepare(
      "INSERT INTO correction_rounds(envelope_id, round, request_date, deadline, requested_by, requested_at, note) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!ins) return unexpected_storage(ins.error());
  ins->bind(1, r.envelope_id).bind(2, number).bind(3, r.request_date).bind(4, r.deadline);
  ins->bind(5, r.requested_by).bind(6, r.requested_at).bind(7, r.note);
  if (auto x = ins->run(); !x) return unexpected_storage(x.error());
  const std::int64_t round_id = db.last_insert_id();
  int seq = 0;
  for (const auto& d : r.defects) {
    auto def = db.prepare("INSERT INTO correction_defects(round_id, seq, code, field_key, text) VALUES (?, ?, ?, ?, ?)");
    if (!def) return unexpected_storage(def.error());
    def->bind(1, round_id).bind(2, ++seq).bind(3, d.code).bind(4, d.field_key).bind(5, d.text);
    if (auto x = def->run(); !x) return unexpected_storage(x.error());
  }
  return number;
}

}  // namespace

Result<bool> transition_noted(storage::Database& db, std::int64_t envelope_id, lifecycle::Event event,
                              const TransitionNote& note) {
  bool moved = false;
  auto s = transaction(db, [&]() -> Status {
    auto m = move_noted(db, envelope_id, event, note);
    if (!m) return std::unexpected(m.error());
    moved = *m;
    return {};
  });
  if (!s) return std::unexpected(s.error());
  return moved;
}

Result<int> request_correction(storage::Database& db, const NewRound& round, const TransitionNote& note) {
  int number = 0;
  auto s = transaction(db, [&]() -> Status {
    auto n = add_round(db, round);
    if (!n) return std::unexpected(n.error());
    number = *n;
    TransitionNote with_reason = note;
    if (with_reason.reason.empty())
      with_reason.reason = "第" + std::to_string(number) + "回補正（期限 " + round.deadline + "）";
    auto m = move_noted(db, round.envelope_id, lifecycle::Event::kCorrectionRequested, with_reason);
    if (!m) return std::unexpected(m.error());
    if (!*m) return fail(ErrorCode::kConflict, "the envelope's state does not allow a correction request");
    return {};
  });
  if (!s) return std::unexpected(s.error());
  return number;
}

Result<bool> link_reply_noted(storage::Database& db, std::int64_t envelope_id, std::int64_t reply_envelope_id,
                              const std::string& received_date, const TransitionNote& note) {
  bool linked = false;
  auto s = transaction(db, [&]() -> Status {
    auto st = db.prepare(
        "UPDATE correction_rounds SET reply_envelope_id = ?, received_date = ?, received_by = ? "
        "WHERE id = (SELECT max(id) FROM correction_rounds WHERE envelope_id = ? AND received_date IS NULL)");
    if (!st) return unexpected_storage(st.error());
    st->bind(1, reply_envelope_id).bind(2, received_date).bind(3, note.user_id).bind(4, envelope_id);
    if (auto r = st->run(); !r) return unexpected_storage(r.error());
    if (db.changes() == 0) return {};
    auto m = move_noted(db, envelope_id, lifecycle::Event::kCorrectionReceived, note);
    if (!m) return std::unexpected(m.error());
    if (!*m) return fail(ErrorCode::kConflict, "the envelope awaits no correction");
    linked = true;
    return {};
  });
  if (!s) return std::unexpected(s.error());
  return linked;
}

Result<std::vector<TransitionRecord>> history(storage::Database& db, std::int64_t envelope_id) {
  auto st = db.prepare(
      "SELECT t.id, t.envelope_id, t.from_state, t.to_state, t.at, coalesce(u.username, ''), t.reason, "
      "t.override_reason, (SELECT count(*) FROM decision_findings d WHERE d.transition_id = t.id), "
      "(SELECT count(*) FROM decision_findings d WHERE d.transition_id = t.id AND d.severity = 'block') "
      "FROM envelope_transitions t LEFT JOIN users u ON u.id = t.user_id "
      "WHERE t.envelope_id = ? ORDER BY t.id");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  std::vector<TransitionRecord> out;
  for (;;) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    TransitionRecord t;
    t.id = st->column_int(0);
    t.envelope_id = st->column_int(1);
    t.from = parse_state(st->column_text(2)).value_or(EnvelopeState::kCaptured);
    t.to = parse_state(st->column_text(3)).value_or(EnvelopeState::kCaptured);
    if (auto e = lifecycle::event_between(t.from, t.to)) {
      t.event = std::string(lifecycle::event_name(*e));
      t.event_ja = std::string(lifecycle::event_label_ja(*e));
    }
    t.at = st->column_text(4);
    t.username = st->column_text(5);
    t.reason = st->column_text(6);
    t.override_reason = st->column_text(7);
    t.findings = static_cast<int>(st->column_int(8));
    t.blocking_findings = static_cast<int>(st->column_int(9));
    out.push_back(std::move(t));
  }
  return out;
}

namespace {

constexpr const char* kRoundColumns =
    "SELECT r.id, r.envelope_id, e.receipt_no, r.round, r.request_date, r.deadline, coalesce(u.username, ''), "
    "r.note, coalesce(r.reply_envelope_id, 0), coalesce(re.receipt_no, ''), coalesce(r.received_date, ''), "
    "coalesce(ru.username, '') FROM correction_rounds r JOIN envelopes e ON e.id = r.envelope_id "
    "LEFT JOIN users u ON u.id = r.requested_by LEFT JOIN envelopes re ON re.id = r.reply_envelope_id "
    "LEFT JOIN users ru ON ru.id = r.received_by ";

Result<std::vector<CorrectionRound>> round_rows(storage::Database& db, storage::Statement& st) {
  std::vector<CorrectionRound> out;
  for (;;) {
    auto row = st.step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    CorrectionRound r;
    r.id = st.column_int(0);
    r.envelope_id = st.column_int(1);
    r.receipt_no = st.column_text(2);
    r.round = static_cast<int>(st.column_int(3));
    r.request_date = st.column_text(4);
    r.deadline = st.column_text(5);
    r.requested_by = st.column_text(6);
    r.note = st.column_text(7);
    r.reply_envelope_id = st.column_int(8);
    r.reply_receipt_no = st.column_text(9);
    r.received_date = st.column_text(10);
    r.received_by = st.column_text(11);
    out.push_back(std::move(r));
  }
  for (auto& r : out) {
    auto d = db.prepare("SELECT code, field_key, text FROM correction_defects WHERE round_id = ? ORDER BY seq");
    if (!d) return unexpected_storage(d.error());
    d->bind(1, r.id);
    for (;;) {
      auto row = d->step();
      if (!row) return unexpected_storage(row.error());
      if (!*row) break;
      r.defects.push_back({d->column_text(0), d->column_text(1), d->column_text(2)});
    }
  }
  return out;
}

}  // namespace

Result<std::vector<CorrectionRound>> rounds(storage::Database& db, std::int64_t envelope_id) {
  auto st = db.prepare(std::string(kRoundColumns) + "WHERE r.envelope_id = ? ORDER BY r.round");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  return round_rows(db, *st);
}

Result<std::vector<CorrectionRound>> open_rounds(storage::Database& db) {
  auto st = db.prepare(std::string(kRoundColumns) +
                       "WHERE r.received_date IS NULL AND e.status = '" +
                       std::string(state_name(EnvelopeState::kAwaitingCorrection)) +
                       "' ORDER BY r.deadline, e.receipt_no");
  if (!st) return unexpected_storage(st.error());
  return round_rows(db, *st);
}

Result<std::optional<std::int64_t>> reply_to(storage::Database& db, std::int64_t reply_envelope_id) {
  auto st = db.prepare("SELECT envelope_id FROM correction_rounds WHERE reply_envelope_id = ? LIMIT 1");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, reply_envelope_id);
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{st->column_int(0)};
}

Result<std::int64_t> insert_agreed_change(storage::Database& db, const AgreedChange& c, std::int64_t recorded_by) {
  auto st = db.prepare(
      "INSERT INTO agreed_changes(envelope_id, round, field_key, old_value, new_value, agreed_on, how, recorded_by, "
      "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, c.envelope_id).bind(2, c.round).bind(3, c.field_key).bind(4, c.old_value).bind(5, c.new_value);
  st->bind(6, c.agreed_on).bind(7, c.how).bind(8, recorded_by).bind(9, c.recorded_at);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return db.last_insert_id();
}

namespace {

constexpr const char* kAgreedColumns =
    "SELECT a.id, a.envelope_id, e.receipt_no, a.round, a.field_key, a.old_value, a.new_value, a.agreed_on, a.how, "
    "coalesce(u.username, ''), a.recorded_at FROM agreed_changes a JOIN envelopes e ON e.id = a.envelope_id "
    "LEFT JOIN users u ON u.id = a.recorded_by ";

Result<std::vector<AgreedChange>> agreed_rows(storage::Statement& st) {
  std::vector<AgreedChange> out;
  for (;;) {
    auto row = st.step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    AgreedChange c;
    c.id = st.column_int(0);
    c.envelope_id = st.column_int(1);
    c.receipt_no = st.column_text(2);
    c.round = static_cast<int>(st.column_int(3));
    c.field_key = st.column_text(4);
    c.old_value = st.column_text(5);
    c.new_value = st.column_text(6);
    c.agreed_on = st.column_text(7);
    c.how = st.column_text(8);
    c.recorded_by = st.column_text(9);
    c.recorded_at = st.column_text(10);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

Result<std::vector<AgreedChange>> agreed_changes(storage::Database& db, std::int64_t envelope_id) {
  auto st = db.prepare(std::string(kAgreedColumns) + "WHERE a.envelope_id = ? ORDER BY a.id");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  return agreed_rows(*st);
}

Result<std::vector<AgreedChange>> agreed_changes_between(storage::Database& db, const std::string& from,
                                                         const std::string& to) {
  auto st = db.prepare(std::string(kAgreedColumns) +
                       "WHERE (? = '' OR a.agreed_on >= ?) AND (? = '' OR a.agreed_on <= ?) ORDER BY e.receipt_no, a.id");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, from).bind(2, from).bind(3, to).bind(4, to);
  return agreed_rows(*st);
}

}  // namespace station::store
