// The fields table in SQL (fields.h).
#include "station/store/fields.h"

#include "station/store/envelopes.h"

#include "station/lifecycle.h"
#include "station/store/error.h"
#include "station/store/transaction.h"

namespace station::store {

Status upsert_read(storage::Database& db, std::int64_t envelope_id, const ReadValue& v) {
  auto st = db.prepare(
      "INSERT INTO fields(envelope_id, key, value, confidence, page_id, x, y, w, h, type, boolean, chars) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT(envelope_id, key) DO UPDATE SET value = excluded.value, confidence = excluded.confidence, "
      "page_id = excluded.page_id, x = excluded.x, y = excluded.y, w = excluded.w, h = excluded.h, "
      "type = excluded.type, boolean = excluded.boolean, chars = excluded.chars WHERE status <> 'confirmed'");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id).bind(2, v.key).bind(3, v.value).bind(4, v.confidence);
  st->bind(5, v.page_id).bind(6, std::int64_t{v.x}).bind(7, std::int64_t{v.y});
  st->bind(8, std::int64_t{v.w}).bind(9, std::int64_t{v.h}).bind(10, v.type);
  st->bind(11, std::int64_t{v.boolean ? 1 : 0});
  st->bind(12, v.chars);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return {};
}

Result<FieldInfo> field(storage::Database& db, std::int64_t field_id) {
  auto st = row_by_id(db, 
      "SELECT f.id, f.envelope_id, f.key, f.value, f.confidence, f.page_id, f.x, f.y, f.w, f.h, f.status, "
      "f.confirmed_value, u.username, f.confirmed_at, f.chars FROM fields f LEFT JOIN users u ON u.id = f.confirmed_by "
      "WHERE f.id = ?", field_id, "field");
  if (!st) return std::unexpected(st.error());
  FieldInfo f;
  f.id = st->column_int(0);
  f.envelope_id = st->column_int(1);
  f.key = st->column_text(2);
  f.value = st->column_text(3);
  f.confidence = st->column_double(4);
  f.page_id = st->is_null(5) ? 0 : st->column_int(5);
  f.box = {static_cast<int>(st->column_int(6)), static_cast<int>(st->column_int(7)),
           static_cast<int>(st->column_int(8)), static_cast<int>(st->column_int(9))};
  f.status = st->column_text(10) == "confirmed" ? FieldStatus::kConfirmed : FieldStatus::kSuggested;
  f.confirmed_value = st->column_opt_text(11).value_or("");
  f.confirmed_by = st->column_opt_text(12).value_or("");
  f.confirmed_at = st->column_opt_text(13).value_or("");
  f.reader_chars = st->column_text(14);
  return f;
}

Result<std::vector<std::int64_t>> field_ids(storage::Database& db, std::int64_t envelope_id) {
  return ids_by_id(db, "SELECT id FROM fields WHERE envelope_id = ? ORDER BY id", envelope_id);
}

Status confirm_within(storage::Database& db, std::int64_t field_id, std::int64_t envelope_id, const std::string& value,
                      std::int64_t confirmed_by, const std::string& confirmed_at) {
  // Decided (受理, 不受理) or exported: the values are what was decided on and sent, and stay so.
  auto state = state_of(db, envelope_id);
  if (!state) return std::unexpected(state.error());
  if (lifecycle::values_frozen(*state))
    return fail(ErrorCode::kConflict, "the envelope is " + std::string(state_name(*state)) + ": its values are frozen",
                "この申請は「" + std::string(state_label_ja(*state)) +
                    "」のため、値を変更できません（受理・不受理の決定後や出力後は変更できません）。");
  auto st = db.prepare(
      "UPDATE fields SET status = 'confirmed', confirmed_value = ?, confirmed_by = ?, confirmed_at = ? WHERE id = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, value).bind(2, confirmed_by).bind(3, confirmed_at).bind(4, field_id);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  // The lifecycle's kAllConfirmed, once no field is left unconfirmed.
  auto env = db.prepare("UPDATE envelopes SET status = '" +
                        std::string(state_name(lifecycle::target(lifecycle::Event::kAllConfirmed))) +
                        "' WHERE id = ? AND status IN (" + lifecycle::from_states_sql(lifecycle::Event::kAllConfirmed) +
                        ") AND NOT EXISTS (SELECT 1 FROM fields WHERE envelope_id = ? AND status <> 'confirmed')");
  if (!env) return unexpected_storage(env.error());
  env->bind(1, envelope_id).bind(2, envelope_id);
  if (auto r = env->run(); !r) return unexpected_storage(r.error());
  if (db.changes() == 0) return {};
  // The history row the change left: the reviewer who confirmed the last value, and when.
  auto note = db.prepare(
      "UPDATE envelope_transitions SET user_id = ?, at = ? "
      "WHERE id = (SELECT max(id) FROM envelope_transitions WHERE envelope_id = ?)");
  if (!note) return unexpected_storage(note.error());
  note->bind(1, confirmed_by).bind(2, confirmed_at).bind(3, envelope_id);
  if (auto r = note->run(); !r) return unexpected_storage(r.error());
  return {};
}

Status confirm(storage::Database& db, std::int64_t field_id, std::int64_t envelope_id, const std::string& value,
               std::int64_t confirmed_by, const std::string& confirmed_at) {
  return transaction(db, [&] { return confirm_within(db, field_id, envelope_id, value, confirmed_by, confirmed_at); });
}

Result<std::vector<StoredField>> stored_fields(storage::Database& db, std::int64_t envelope_id) {
  auto st = db.prepare(
      "SELECT f.key, f.value, f.confidence, f.page_id, f.x, f.y, f.w, f.h, f.type, f.boolean, f.status, "
      "coalesce(f.confirmed_value, ''), coalesce(u.username, ''), coalesce(f.confirmed_at, '') "
      "FROM fields f LEFT JOIN users u ON u.id = f.confirmed_by WHERE f.envelope_id = ? ORDER BY f.id");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  std::vector<StoredField> out;
  while (true) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    StoredField f;
    f.key = st->column_text(0);
    f.value = st->column_text(1);
    f.confidence = st->column_double(2);
    if (!st->is_null(3)) f.page_id = st->column_int(3);
    f.x = static_cast<int>(st->column_int(4));
    f.y = static_cast<int>(st->column_int(5));
    f.w = static_cast<int>(st->column_int(6));
    f.h = static_cast<int>(st->column_int(7));
    f.type = st->column_text(8);
    f.boolean = st->column_int(9) != 0;
    f.confirmed = st->column_text(10) == "confirmed";
    if (f.confirmed) {
      f.confirmed_value = st->column_text(11);
      f.confirmed_by = st->column_text(12);
      f.confirmed_at = st->column_text(13);
    }
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::map<std::string, std::string>> confirmed_values(storage::Database& db, std::int64_t envelope_id) {
  auto fs = db.prepare("SELECT key, confirmed_value FROM fields WHERE envelope_id = ? AND status = 'confirmed'");
  if (!fs) return unexpected_storage(fs.error());
  fs->bind(1, envelope_id);
  std::map<std::string, std::string> values;
  while (auto row = fs->step()) {
    if (!*row) break;
    values[fs->column_text(0)] = fs->column_text(1);
  }
  return values;
}

// ---- intake page operations (issue #17)

Result<int> confirmed_count(storage::Database& db, std::int64_t envelope_id) {
  auto st = db.prepare("SELECT count(*) FROM fields WHERE envelope_id = ? AND status = 'confirmed'");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  return *row ? static_cast<int>(st->column_int(0)) : 0;
}

Status drop_suggestions(storage::Database& db, std::int64_t envelope_id) {
  auto st = db.prepare("DELETE FROM fields WHERE envelope_id = ? AND status <> 'confirmed'");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return {};
}

}  // namespace station::store
