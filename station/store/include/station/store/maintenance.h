#pragma once
// What the store's upkeep reads and rewrites across tables, found from the schema itself: the
// columns that name blobs (any table, so a later table's blobs are never taken for orphans), the
// blob ids they hold, rewriting them after a re-encryption, and making a database one
// self-contained file. Plus the page counts a backup checks. Callers hold the store's mutex.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "station/error.h"
#include "storage/database.h"

namespace station::store {

// A (table, column) that names a blob: columns named blob_id or *_blob_id.
struct BlobColumn {
  std::string table;
  std::string column;
};
Result<std::vector<BlobColumn>> blob_columns(storage::Database& db);
// Every blob id the given columns hold.
Result<std::set<std::string>> referenced_blobs(storage::Database& db, const std::vector<BlobColumn>& columns);
// Rewrites every blob id in `columns` through `remap` (old -> new), in one transaction;
// kStoreCorrupt when an id has no new one.
Status remap_blob_ids(storage::Database& db, const std::vector<BlobColumn>& columns,
                      const std::map<std::string, std::string>& remap);
// Checkpoints the write-ahead log into the file and leaves WAL mode, so no -wal file stays beside it.
Status seal_journal(storage::Database& db);

// Every blob a page refers to: the original scan and, where cleanup made one, the cleaned copy.
Result<std::vector<std::string>> page_blob_ids(storage::Database& db);
// How many pages there are.
Result<int> page_count(storage::Database& db);

}  // namespace station::store
