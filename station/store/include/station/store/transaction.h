#pragma once
// One transaction whose body speaks station errors (the repositories' Result and Status): the
// storage layer's transaction wants storage errors, so the body's own error is kept aside and
// returned as it was, not flattened into a storage error and back.
#include <optional>

#include "station/error.h"
#include "station/store/error.h"
#include "storage/database.h"

namespace station::store {

template <class Body>
Status transaction(storage::Database& db, Body&& body) {
  std::optional<Error> failed;
  auto s = db.transaction([&]() -> storage::Status {
    if (Status r = body(); !r) {
      failed = r.error();
      return storage::fail(storage::Code::kInvalid, "rolled back");
    }
    return {};
  });
  if (failed) return std::unexpected(*failed);
  if (!s) return unexpected_storage(s.error());
  return {};
}

}  // namespace station::store
