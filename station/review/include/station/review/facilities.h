#pragma once
// The prefecture's target-facility list (対象施設リスト): a CP932 (Shift_JIS) CSV with CRLF, as
// delivered. A UTF-8 copy (with or without BOM) is accepted too; anything else is refused.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "station/error.h"
#include "station/store/facilities.h"

namespace station::review {

// A row of the list; the store owns its shape (station/store/facilities.h).
using Facility = store::Facility;

// Parses the bytes of the list. kBadCsvEncoding if the bytes are neither CP932 nor UTF-8;
// kBadCsv (naming the line) if the header or a row is malformed.
Result<std::vector<Facility>> parse_facility_csv(const std::string& bytes);

// RFC 4180 CSV record splitting of UTF-8 text (also the electronic store's CSV reader).
Result<std::vector<std::vector<std::string>>> parse_csv(const std::string& utf8);

// Converts CP932 bytes to UTF-8; kBadCsvEncoding at the first byte sequence that is not CP932.
Result<std::string> cp932_to_utf8(const std::string& bytes);

}  // namespace station::review
