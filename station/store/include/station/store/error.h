#pragma once
// The storage leaf's errors in the station's one vocabulary. It lives in the store because the
// store is the only part of station that talks to storage; station/src/convert.h re-exports it
// for the facade's remaining SQL.
#include <expected>

#include "station/error.h"
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

}  // namespace station::store
