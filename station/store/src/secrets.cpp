// The station_secrets table in SQL (secrets.h).
#include "station/store/secrets.h"

#include "station/store/error.h"

namespace station::store {

Result<std::optional<std::vector<unsigned char>>> secret(storage::Database& db, std::string_view purpose) {
  auto sel = db.prepare("SELECT secret FROM station_secrets WHERE purpose = ?");
  if (!sel) return unexpected_storage(sel.error());
  sel->bind(1, purpose);
  auto row = sel->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return std::optional<std::vector<unsigned char>>{};
  auto bytes = sel->column_blob(0);
  (void)sel->reset();
  return std::optional<std::vector<unsigned char>>{std::move(bytes)};
}

Result<std::optional<std::string>> secret_public_key(storage::Database& db, std::string_view purpose) {
  auto st = db.prepare("SELECT public_key FROM station_secrets WHERE purpose = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, purpose);
  auto r = st->step();
  if (!r) return unexpected_storage(r.error());
  if (!*r) return std::optional<std::string>{};
  return std::optional<std::string>{st->column_text(0)};
}

Status insert_secret(storage::Database& db, std::string_view purpose, std::span<const unsigned char> secret,
                     const std::string& public_key, const std::string& created_at) {
  auto ins = db.prepare("INSERT INTO station_secrets(purpose, secret, public_key, created_at) VALUES (?,?,?,?)");
  if (!ins) return unexpected_storage(ins.error());
  ins->bind(1, purpose).bind_blob(2, secret).bind(3, public_key).bind(4, created_at);
  if (auto r = ins->run(); !r) return unexpected_storage(r.error());
  return {};
}

Status clear_secret(storage::Database& db, std::string_view purpose) {
  auto up = db.prepare("UPDATE station_secrets SET secret = X'' WHERE purpose = ?");
  if (!up) return unexpected_storage(up.error());
  up->bind(1, purpose);
  if (auto r = up->run(); !r) return unexpected_storage(r.error());
  if (db.changes() == 0) return fail(ErrorCode::kNotFound, "no stored key for " + std::string(purpose));
  return {};
}

Status make_query_only(storage::Database& db) {
  if (auto r = db.exec("PRAGMA query_only = ON"); !r) return unexpected_storage(r.error());
  return {};
}

}  // namespace station::store
