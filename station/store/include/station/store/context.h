#pragma once
// The open store as the station's domains see it: the database, the blobs, the lock that guards
// the database and the station's clock. Owned by the station; domains hold a copy of the refs.
#include <mutex>

#include "station/clock.h"
#include "storage/blob_store.h"
#include "storage/database.h"

namespace station::store {

struct Context {
  storage::Database& db;
  storage::BlobStore& blobs;
  std::recursive_mutex& mu;  // guards db; recursive so that nested repository calls may take it
  const Clock& clock;
};

}  // namespace station::store
