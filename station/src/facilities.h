#pragma once
// The prefecture's target-facility list (対象施設リスト): a CP932 (Shift_JIS) CSV with CRLF, as
// delivered. A UTF-8 copy (with or without BOM) is accepted too; anything else is refused.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "station/error.h"

namespace station {

struct Facility {
  std::string facility_id, city, service_type, jigyosho_no, name, postal_code, address;
  std::int64_t capacity = 0;  // 0 where blank (visiting services)
  std::string corp_name, corp_postal_code, corp_address, rep_title, rep_name;
  std::int64_t amount = 0;
};

// Parses the bytes of the list. kBadCsvEncoding if the bytes are neither CP932 nor UTF-8;
// kBadCsv (naming the line) if the header or a row is malformed.
Result<std::vector<Facility>> parse_facility_csv(const std::string& bytes);

// RFC 4180 CSV record splitting of UTF-8 text; exposed for tests.
Result<std::vector<std::vector<std::string>>> parse_csv(const std::string& utf8);

// Converts CP932 bytes to UTF-8; std::nullopt-like failure as kBadCsvEncoding.
Result<std::string> cp932_to_utf8(const std::string& bytes);

}  // namespace station
