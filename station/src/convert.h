#pragma once
// Conversions from the leaf modules' errors into the station's one vocabulary.
#include "ocr/error.h"
#include "scanner/error.h"
#include "station/error.h"
#include "storage/error.h"

namespace station {

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

inline Error from_ocr(const ocr::Error& e) {
  using C = ocr::Code;
  switch (e.code) {
    case C::kUnsupportedFormat:
    case C::kCorrupt: return {ErrorCode::kBadImage, e.message};
    case C::kTooLarge: return {ErrorCode::kImageTooLarge, e.message};
    case C::kEmpty: return {ErrorCode::kNoPages, e.message};
    case C::kEngine: return {ErrorCode::kOcrUnavailable, e.message};
    case C::kInvalid: return {ErrorCode::kInvalidInput, e.message};
  }
  return {ErrorCode::kInternal, e.message};
}

inline Error from_scanner(const scanner::Error& e) { return {ErrorCode::kScanner, e.message}; }

inline std::unexpected<Error> unexpected_storage(const storage::Error& e) { return std::unexpected(from_storage(e)); }
inline std::unexpected<Error> unexpected_ocr(const ocr::Error& e) { return std::unexpected(from_ocr(e)); }

}  // namespace station
