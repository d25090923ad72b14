#pragma once
// The storage leaf's errors in the station's one vocabulary. It lives in the store because the
// store is where station talks to storage; station/src/convert.h re-exports it for the facade's
// own storage calls (blobs, opening the databases), and station_security uses it directly.
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"
#include "storage/database.h"
#include "storage/error.h"

namespace station::store {

inline Error from_storage(const storage::Error& e) {
  using C = storage::Code;
  switch (e.code) {
    case C::kWrongKey: return {ErrorCode::kWrongPassphrase, e.message};
    case C::kCorrupt: return {ErrorCode::kStoreCorrupt, e.message};
    case C::kIo: return {ErrorCode::kIo, e.message};
    case C::kDiskFull: return {ErrorCode::kDiskFull, e.message};
    case C::kNotFound: return {ErrorCode::kNotFound, e.message};
    case C::kInvalid: return {ErrorCode::kInternal, e.message};
    case C::kConstraint: return {ErrorCode::kConflict, e.message};
    case C::kBusy: return {ErrorCode::kConflict, e.message};
  }
  return {ErrorCode::kInternal, e.message};
}

inline std::unexpected<Error> unexpected_storage(const storage::Error& e) { return std::unexpected(from_storage(e)); }

// Runs `sql` with `id` as its one parameter and steps to its first row; kNotFound ("no <what>
// <id>") when there is none. The repositories' one way to read a row by id.
inline Result<storage::Statement> row_by_id(storage::Database& db, const std::string& sql, std::int64_t id,
                                            std::string_view what) {
  auto st = db.prepare(sql);
  if (!st) return unexpected_storage(st.error());
  st->bind(1, id);
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return fail(ErrorCode::kNotFound, "no " + std::string(what) + " " + std::to_string(id));
  return std::move(*st);
}

// The first column of every row a prepared (and bound) statement returns, in the query's order. A
// step that fails is an error, never a short list.
inline Result<std::vector<std::int64_t>> ids_of(storage::Statement& st) {
  std::vector<std::int64_t> ids;
  while (true) {
    auto row = st.step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    ids.push_back(st.column_int(0));
  }
  return ids;
}

// The ids a query without parameters returns, in its order.
inline Result<std::vector<std::int64_t>> ids_of(storage::Database& db, const std::string& sql) {
  auto st = db.prepare(sql);
  if (!st) return unexpected_storage(st.error());
  return ids_of(*st);
}

// The ids `sql` returns with `id` as its one parameter (an envelope's pages, fields, ...).
inline Result<std::vector<std::int64_t>> ids_by_id(storage::Database& db, const std::string& sql, std::int64_t id) {
  auto st = db.prepare(sql);
  if (!st) return unexpected_storage(st.error());
  st->bind(1, id);
  return ids_of(*st);
}

}  // namespace station::store
