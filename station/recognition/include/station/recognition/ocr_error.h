#pragma once
// The ocr leaf's errors in the station's one vocabulary.
#include "ocr/error.h"
#include "station/error.h"

namespace station {

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

inline std::unexpected<Error> unexpected_ocr(const ocr::Error& e) { return std::unexpected(from_ocr(e)); }

}  // namespace station
