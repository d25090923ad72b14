// The store's upkeep in SQL (maintenance.h).
#include "station/store/maintenance.h"

#include "station/store/error.h"
#include "station/store/transaction.h"

namespace station::store {

namespace {

// Names come from sqlite_master, quoted as identifiers.
std::string quoted(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

Result<std::vector<BlobColumn>> blob_columns(storage::Database& db) {
  std::vector<BlobColumn> columns;
  auto tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  if (!tables) return unexpected_storage(tables.error());
  std::vector<std::string> names;
  for (;;) {
    auto r = tables->step();
    if (!r) return unexpected_storage(r.error());
    if (!*r) break;
    names.push_back(tables->column_text(0));
  }
  for (const auto& t : names) {
    auto info = db.prepare("SELECT name FROM pragma_table_info(?)");
    if (!info) return unexpected_storage(info.error());
    info->bind(1, t);
    for (;;) {
      auto r = info->step();
      if (!r) return unexpected_storage(r.error());
      if (!*r) break;
      const std::string c = info->column_text(0);
      if (c == "blob_id" || (c.size() > 8 && c.ends_with("_blob_id"))) columns.push_back({t, c});
    }
  }
  return columns;
}

Result<std::set<std::string>> referenced_blobs(storage::Database& db, const std::vector<BlobColumn>& columns) {
  std::set<std::string> referenced;
  for (const auto& [table, column] : columns) {
    auto st = db.prepare("SELECT DISTINCT " + quoted(column) + " FROM " + quoted(table) + " WHERE " + quoted(column) +
                         " IS NOT NULL");
    if (!st) return unexpected_storage(st.error());
    for (;;) {
      auto r = st->step();
      if (!r) return unexpected_storage(r.error());
      if (!*r) break;
      referenced.insert(st->column_text(0));
    }
  }
  return referenced;
}

Status remap_blob_ids(storage::Database& db, const std::vector<BlobColumn>& columns,
                      const std::map<std::string, std::string>& remap) {
  return transaction(db, [&]() -> Status {
    if (auto r = db.exec("CREATE TEMP TABLE blob_remap(old TEXT PRIMARY KEY, new TEXT NOT NULL)"); !r)
      return unexpected_storage(r.error());
    auto ins = db.prepare("INSERT INTO temp.blob_remap(old, new) VALUES (?, ?)");
    if (!ins) return unexpected_storage(ins.error());
    for (const auto& [old_id, new_id] : remap) {
      ins->bind(1, old_id).bind(2, new_id);
      if (auto r = ins->run(); !r) return unexpected_storage(r.error());
    }
    for (const auto& [table, column] : columns) {
      const std::string t = quoted(table), c = quoted(column);
      if (auto r = db.exec("UPDATE " + t + " SET " + c + " = (SELECT new FROM temp.blob_remap WHERE old = " + t + "." +
                           c + ") WHERE " + c + " IS NOT NULL");
          !r)
        return unexpected_storage(r.error());
      auto left = db.prepare("SELECT count(*) FROM " + t + " WHERE " + c + " IS NOT NULL AND " + c +
                             " NOT IN (SELECT new FROM temp.blob_remap)");
      if (!left) return unexpected_storage(left.error());
      if (auto r = left->step(); !r) return unexpected_storage(r.error());
      if (left->column_int(0) != 0)
        return fail(ErrorCode::kStoreCorrupt, "a blob id in " + table + "." + column + " was not re-encrypted");
    }
    if (auto r = db.exec("DROP TABLE temp.blob_remap"); !r) return unexpected_storage(r.error());
    return {};
  });
}

Status seal_journal(storage::Database& db) {
  if (auto s = db.exec("PRAGMA wal_checkpoint(TRUNCATE)"); !s) return unexpected_storage(s.error());
  if (auto s = db.exec("PRAGMA journal_mode = DELETE"); !s) return unexpected_storage(s.error());
  return {};
}

Result<std::vector<std::string>> page_blob_ids(storage::Database& db) {
  auto st = db.prepare(
      "SELECT blob_id FROM pages UNION SELECT clean_blob_id FROM pages WHERE clean_blob_id IS NOT NULL");
  if (!st) return unexpected_storage(st.error());
  std::vector<std::string> ids;
  for (;;) {
    auto r = st->step();
    if (!r) return unexpected_storage(r.error());
    if (!*r) break;
    ids.push_back(st->column_text(0));
  }
  return ids;
}

Result<int> page_count(storage::Database& db) {
  auto n = db.prepare("SELECT count(*) FROM pages");
  if (!n) return unexpected_storage(n.error());
  if (auto r = n->step(); !r) return unexpected_storage(r.error());
  return static_cast<int>(n->column_int(0));
}

}  // namespace station::store
