#pragma once
// The prefecture's target-facility list (対象施設リスト): a CP932 (Shift_JIS) CSV with CRLF, as
// delivered. A UTF-8 copy (with or without BOM) is accepted too; anything else is refused.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "station/error.h"
#include "station/store/facilities.h"

namespace station::review {

// A row of the list; the store owns its shape (station/store/facilities.h).
using Facility = store::Facility;

// Parses and validates the bytes of the list, every row: kBadCsvEncoding (naming the first line
// that is neither) if the bytes are neither CP932 nor UTF-8; kBadCsv naming the line if the header
// lacks a column, a row has the wrong number of cells, a number is not one, a 施設ID or
// 介護保険事業所番号 repeats, a service type is not one of the 19, a 介護保険事業所番号 is not 10
// digits (blank only for 養護・軽費), a name, address or amount is blank, or a capacity is missing
// where the service has one. All or nothing: the caller stores nothing on an error.
Result<std::vector<Facility>> parse_facility_csv(const std::string& bytes);

// RFC 4180 CSV record splitting of UTF-8 text (also the electronic store's CSV reader).
Result<std::vector<std::vector<std::string>>> parse_csv(const std::string& utf8);

// The amount rule's groups of the 19 service types (交付要綱).
enum class ServiceGroup { kResidential, kDayCare, kMultiFunction, kVisiting };
// nullopt for a name that is not one of the 19 (as the list spells them).
std::optional<ServiceGroup> service_group(std::string_view service_type);
// 養護老人ホーム and 軽費老人ホーム have no 介護保険事業所番号.
bool has_no_jigyosho_no(std::string_view service_type);

// Converts CP932 bytes to UTF-8; kBadCsvEncoding at the first byte sequence that is not CP932.
Result<std::string> cp932_to_utf8(const std::string& bytes);

}  // namespace station::review
