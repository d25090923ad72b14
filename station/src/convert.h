#pragma once
// Conversions from the leaf modules' errors into the station's one vocabulary.
#include "ocr/error.h"
#include "scanner/error.h"
#include "station/error.h"
#include "station/store/error.h"

namespace station {

// The storage conversion is the store's (station/store/error.h); the facade's own storage calls
// (blobs, opening the databases) use it under its old names.
using store::from_storage;
using store::unexpected_storage;

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

inline std::unexpected<Error> unexpected_ocr(const ocr::Error& e) { return std::unexpected(from_ocr(e)); }

}  // namespace station
