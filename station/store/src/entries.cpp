// Blind double entry's tables in SQL (entries.h).
#include "station/store/entries.h"

#include "station/store/error.h"
#include "station/store/fields.h"
#include "station/store/transaction.h"

namespace station::store {
namespace {

using double_entry::State;

constexpr const char* kFieldColumns =
    "SELECT f.id, f.envelope_id, e.receipt_no, f.key, f.type, f.value, f.status, coalesce(f.page_id, 0), "
    "coalesce(f.x, 0), coalesce(f.y, 0), coalesce(f.w, 0), coalesce(f.h, 0), s.state "
    "FROM fields f JOIN envelopes e ON e.id = f.envelope_id "
    "LEFT JOIN field_entry_states s ON s.field_id = f.id ";

Result<EntryField> read_row(storage::Statement& st) {
  EntryField f;
  f.field_id = st.column_int(0);
  f.envelope_id = st.column_int(1);
  f.receipt_no = st.column_text(2);
  f.key = st.column_text(3);
  f.type = st.column_text(4);
  f.read_value = st.column_text(5);
  f.confirmed = st.column_text(6) == "confirmed";
  f.page_id = st.column_int(7);
  f.box = {static_cast<int>(st.column_int(8)), static_cast<int>(st.column_int(9)),
           static_cast<int>(st.column_int(10)), static_cast<int>(st.column_int(11))};
  if (!st.is_null(12)) {
    auto s = double_entry::parse_state(st.column_text(12));
    if (!s) return fail(ErrorCode::kInternal, "unknown entry state of field " + std::to_string(f.field_id));
    f.state = *s;
  }
  return f;
}

Status load_keyers(storage::Database& db, EntryField& f) {
  auto st = db.prepare("SELECT user_id FROM field_entries WHERE field_id = ? AND round IN (1, 2) ORDER BY round");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, f.field_id);
  while (true) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    f.keyers.push_back(st->column_int(0));
  }
  return {};
}

}  // namespace

Result<EntryField> entry_field(storage::Database& db, std::int64_t field_id) {
  auto st = row_by_id(db, std::string(kFieldColumns) + "WHERE f.id = ?", field_id, "field");
  if (!st) return std::unexpected(st.error());
  auto f = read_row(*st);
  if (!f) return f;
  if (auto s = load_keyers(db, *f); !s) return std::unexpected(s.error());
  return f;
}

Result<std::vector<EntryField>> open_entry_fields(storage::Database& db, const std::vector<std::string>& types) {
  std::vector<EntryField> out;
  if (types.empty()) return out;
  std::string in;
  for (std::size_t i = 0; i < types.size(); ++i) in += i == 0 ? "?" : ",?";
  auto st = db.prepare(std::string(kFieldColumns) + "WHERE f.status <> 'confirmed' AND e.status = '" +
                       std::string(state_name(EnvelopeState::kRecognized)) + "' AND f.type IN (" + in +
                       ") ORDER BY e.id, f.id");
  if (!st) return unexpected_storage(st.error());
  for (std::size_t i = 0; i < types.size(); ++i) st->bind(static_cast<int>(i + 1), types[i]);
  while (true) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    auto f = read_row(*st);
    if (!f) return std::unexpected(f.error());
    out.push_back(std::move(*f));
  }
  for (auto& f : out)
    if (auto s = load_keyers(db, f); !s) return std::unexpected(s.error());
  return out;
}

Result<std::vector<std::pair<std::int64_t, double_entry::State>>> entry_states(storage::Database& db,
                                                                               std::int64_t envelope_id) {
  auto st = db.prepare(
      "SELECT s.field_id, s.state FROM field_entry_states s JOIN fields f ON f.id = s.field_id "
      "WHERE f.envelope_id = ? ORDER BY s.field_id");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  std::vector<std::pair<std::int64_t, State>> out;
  while (true) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    auto s = double_entry::parse_state(st->column_text(1));
    if (!s) return fail(ErrorCode::kInternal, "unknown entry state");
    out.emplace_back(st->column_int(0), *s);
  }
  return out;
}

Result<std::vector<double_entry::EntryRecord>> entries(storage::Database& db, std::int64_t field_id) {
  auto st = db.prepare(
      "SELECT fe.round, fe.value, coalesce(u.username, ''), fe.at FROM field_entries fe "
      "LEFT JOIN users u ON u.id = fe.user_id WHERE fe.field_id = ? ORDER BY fe.round");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, field_id);
  std::vector<double_entry::EntryRecord> out;
  while (true) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    out.push_back({static_cast<int>(st->column_int(0)), st->column_text(1), st->column_text(2), st->column_text(3)});
  }
  return out;
}

Status record_entry(storage::Database& db, const EntryWrite& w) {
  return transaction(db, [&]() -> Status {
    auto ins = db.prepare("INSERT INTO field_entries(field_id, round, value, user_id, at) VALUES (?,?,?,?,?)");
    if (!ins) return unexpected_storage(ins.error());
    ins->bind(1, w.field_id).bind(2, static_cast<std::int64_t>(w.round)).bind(3, w.value);
    ins->bind(4, w.user_id).bind(5, w.at);
    if (auto r = ins->run(); !r) {
      if (r.error().code == storage::Code::kConstraint)
        return fail(ErrorCode::kConflict, "the round was keyed meanwhile",
                    "この項目は、ほかの方が同時に入力しました。一覧を更新してから続けてください。");
      return unexpected_storage(r.error());
    }
    // The state, guarded by the one it leaves (the transition table's row).
    std::optional<storage::Statement> st;
    if (w.from == State::kAwaitingFirst) {
      auto p = db.prepare("INSERT INTO field_entry_states(field_id, state, updated_at) VALUES (?,?,?)");
      if (!p) return unexpected_storage(p.error());
      st = std::move(*p);
      st->bind(1, w.field_id).bind(2, double_entry::state_name(w.to)).bind(3, w.at);
    } else {
      auto p = db.prepare("UPDATE field_entry_states SET state = ?, updated_at = ? WHERE field_id = ? AND state = ?");
      if (!p) return unexpected_storage(p.error());
      st = std::move(*p);
      st->bind(1, double_entry::state_name(w.to)).bind(2, w.at).bind(3, w.field_id);
      st->bind(4, double_entry::state_name(w.from));
    }
    if (auto r = st->run(); !r) {
      if (r.error().code == storage::Code::kConstraint)
        return fail(ErrorCode::kConflict, "the field's entry state changed meanwhile",
                    "この項目は、ほかの方が同時に入力しました。一覧を更新してから続けてください。");
      return unexpected_storage(r.error());
    }
    if (db.changes() == 0)
      return fail(ErrorCode::kConflict, "the field's entry state changed meanwhile",
                  "この項目は、ほかの方が同時に入力しました。一覧を更新してから続けてください。");
    if (w.confirm_value) return confirm_within(db, w.field_id, w.envelope_id, *w.confirm_value, w.user_id, w.at);
    return {};
  });
}

}  // namespace station::store
