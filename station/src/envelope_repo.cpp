// Envelope state changes in SQL (envelope_repo.h).
#include "envelope_repo.h"

#include "convert.h"

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
  auto st = db.prepare("SELECT status FROM envelopes WHERE id = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return fail(ErrorCode::kNotFound, "no envelope " + std::to_string(envelope_id));
  auto s = parse_state(st->column_text(0));
  if (!s) return fail(ErrorCode::kStoreCorrupt, "envelope " + std::to_string(envelope_id) + " has an unknown state");
  return *s;
}

namespace {

// The ids a query without parameters returns, in its order.
Result<std::vector<std::int64_t>> ids_of(storage::Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  if (!st) return unexpected_storage(st.error());
  std::vector<std::int64_t> ids;
  while (true) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    ids.push_back(st->column_int(0));
  }
  return ids;
}

}  // namespace

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

}  // namespace station::store
