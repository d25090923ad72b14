// The checks' SQL (checks.h).
#include "station/store/checks.h"

#include "station/lifecycle.h"
#include "station/model.h"
#include "station/store/error.h"

namespace station::store {

Status confirm_values(storage::Database& db, std::int64_t envelope_id, const std::vector<ValueToConfirm>& values,
                      const std::optional<std::vector<std::string>>& page_kinds, std::int64_t confirmed_by,
                      const std::string& confirmed_at) {
  bool bad_pages = false;
  std::size_t page_count = 0;
  auto s = db.transaction([&]() -> storage::Status {
    auto up = db.prepare(
        "INSERT INTO fields(envelope_id, key, value, confidence, type, boolean, status, confirmed_value, "
        "confirmed_by, confirmed_at) VALUES (?,?,'',0,?,?,'confirmed',?,?,?) "
        "ON CONFLICT(envelope_id, key) DO UPDATE SET status = 'confirmed', confirmed_value = excluded.confirmed_value, "
        "confirmed_by = excluded.confirmed_by, confirmed_at = excluded.confirmed_at");
    if (!up) return std::unexpected(up.error());
    for (const auto& v : values) {
      up->bind(1, envelope_id).bind(2, v.key).bind(3, v.type).bind(4, std::int64_t{v.boolean ? 1 : 0});
      up->bind(5, v.value).bind(6, confirmed_by).bind(7, confirmed_at);
      if (auto r = up->run(); !r) return r;
      if (auto r = up->reset(); !r) return r;
    }
    if (page_kinds) {
      auto ids = db.prepare("SELECT id FROM pages WHERE envelope_id = ? AND kind <> 'separator' ORDER BY seq");
      if (!ids) return std::unexpected(ids.error());
      ids->bind(1, envelope_id);
      std::vector<std::int64_t> page_ids;
      for (;;) {
        auto row = ids->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        page_ids.push_back(ids->column_int(0));
      }
      page_count = page_ids.size();
      if (page_ids.size() != page_kinds->size()) {
        bad_pages = true;
        return std::unexpected(storage::Error{storage::Code::kConstraint, "page count"});
      }
      auto set = db.prepare("UPDATE pages SET kind = ? WHERE id = ?");
      if (!set) return std::unexpected(set.error());
      for (std::size_t i = 0; i < page_ids.size(); ++i) {
        set->bind(1, (*page_kinds)[i]).bind(2, page_ids[i]);
        if (auto r = set->run(); !r) return r;
        if (auto r = set->reset(); !r) return r;
      }
    }
    auto env = db.prepare("UPDATE envelopes SET status = '" +
                          std::string(state_name(lifecycle::target(lifecycle::Event::kAllConfirmed))) +
                          "' WHERE id = ? AND status IN (" + lifecycle::from_states_sql(lifecycle::Event::kAllConfirmed) +
                          ") AND NOT EXISTS (SELECT 1 FROM fields WHERE envelope_id = ? AND status <> 'confirmed')");
    if (!env) return std::unexpected(env.error());
    env->bind(1, envelope_id).bind(2, envelope_id);
    return env->run();
  });
  if (bad_pages)
    return fail(ErrorCode::kInvalidInput, "pages: the envelope has " + std::to_string(page_count) +
                                              " pages, the values name " + std::to_string(page_kinds->size()));
  if (!s) return unexpected_storage(s.error());
  return {};
}

Result<std::vector<EnvelopeValues>> envelopes_with_values(storage::Database& db, const std::vector<std::string>& keys) {
  auto st = db.prepare("SELECT id, receipt_no, received_date, created_at FROM envelopes ORDER BY received_date, receipt_no");
  if (!st) return unexpected_storage(st.error());
  std::vector<EnvelopeValues> out;
  std::map<std::int64_t, std::size_t> at;
  for (;;) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    EnvelopeValues e;
    e.id = st->column_int(0);
    e.receipt_no = st->column_text(1);
    e.received_date = st->column_text(2);
    e.created_at = st->column_text(3);
    at[e.id] = out.size();
    out.push_back(std::move(e));
  }
  if (keys.empty() || out.empty()) return out;
  std::string sql =
      "SELECT envelope_id, key, CASE WHEN status = 'confirmed' THEN coalesce(confirmed_value, '') ELSE value END "
      "FROM fields WHERE key IN (";
  for (std::size_t i = 0; i < keys.size(); ++i) sql += i ? ",?" : "?";
  sql += ")";
  auto fv = db.prepare(sql);
  if (!fv) return unexpected_storage(fv.error());
  for (std::size_t i = 0; i < keys.size(); ++i) fv->bind(static_cast<int>(i + 1), keys[i]);
  for (;;) {
    auto row = fv->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    auto it = at.find(fv->column_int(0));
    if (it != at.end()) out[it->second].values[fv->column_text(1)] = fv->column_text(2);
  }
  return out;
}

}  // namespace station::store
