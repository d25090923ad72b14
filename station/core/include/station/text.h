#pragma once
// Text helpers: joining and splitting, value normalisation for confirmed fields, and the
// password policy (NIST SP 800-63B: length and a blocklist, no composition rules).
#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"

namespace station {

std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::vector<std::string> split(const std::string& s, char sep);

// Full-width digits and hyphens to ASCII, surrounding blanks (half- and full-width) trimmed.
std::string narrow_digits(std::string_view s);

// Validates and normalises a value a reviewer confirms for `key` (e.g. 10 digits for
// facility.jigyosho_no). kInvalidInput says what the value must look like.
Result<std::string> normalise_field_value(std::string_view key, std::string_view value);

// Empty if acceptable; otherwise why not (English, for the error detail).
std::string password_problem(std::string_view password, std::string_view username);

}  // namespace station
