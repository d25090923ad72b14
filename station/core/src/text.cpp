#include "station/text.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace station {

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string narrow_digits(std::string_view s) {
  // UTF-8 of full-width digits: EF BC 90..99; full-width hyphen-minus EF BC 8D; ideographic space E3 80 80.
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c0 = static_cast<unsigned char>(s[i]);
    if (c0 == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC) {
      const auto c2 = static_cast<unsigned char>(s[i + 2]);
      if (c2 >= 0x90 && c2 <= 0x99) {
        out.push_back(static_cast<char>('0' + (c2 - 0x90)));
        i += 3;
        continue;
      }
      if (c2 == 0x8D) {
        out.push_back('-');
        i += 3;
        continue;
      }
    }
    if (c0 == 0xE3 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        static_cast<unsigned char>(s[i + 2]) == 0x80) {
      out.push_back(' ');
      i += 3;
      continue;
    }
    out.push_back(s[i]);
    ++i;
  }
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  out.erase(out.begin(), std::find_if(out.begin(), out.end(), not_space));
  out.erase(std::find_if(out.rbegin(), out.rend(), not_space).base(), out.end());
  return out;
}

Result<std::string> normalise_field_value(std::string_view key, std::string_view value) {
  if (value.size() > 1000) return fail(ErrorCode::kInvalidInput, "value too long");
  std::string v = narrow_digits(value);
  auto all_digits = [&] { return std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }); };
  if (key == "facility.jigyosho_no") {
    // Blank is legitimate for 養護老人ホーム and 軽費老人ホーム.
    if (!v.empty() && (v.size() != 10 || !all_digits()))
      return fail(ErrorCode::kInvalidInput, "介護保険事業所番号 must be 10 digits or blank");
  } else if (key == "bank.account_no") {
    if (!v.empty() && (v.size() != 7 || !all_digits()))
      return fail(ErrorCode::kInvalidInput, "口座番号 must be 7 digits");
  } else if (key == "amount" || key == "facility.capacity") {
    v.erase(std::remove(v.begin(), v.end(), ','), v.end());
    if (!v.empty() && !all_digits()) return fail(ErrorCode::kInvalidInput, "must be a whole number");
  }
  return v;
}

std::string password_problem(std::string_view password, std::string_view username) {
  // NIST SP 800-63B 5.1.1.2: at least 8 characters (we ask 10 for a shared kiosk), up to 64
  // or more accepted, no composition rules, refuse commonly used and context-specific ones.
  static constexpr std::array<std::string_view, 16> kBlocklist = {
      "password", "password1", "password123", "1234567890", "0123456789", "qwertyuiop", "iloveyou12",
      "abcdefghij", "1111111111", "passw0rd12", "letmein123", "welcome123", "admin12345", "station123",
      "chiba12345", "kyufukin12"};
  const std::size_t len = password.size();
  if (len < 10) return "passwords must have at least 10 characters";
  if (len > 256) return "passwords may have at most 256 characters";
  std::string lower(password);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (auto b : kBlocklist)
    if (lower == b) return "this password is on the list of commonly used passwords";
  if (!username.empty() && lower.find(std::string(username)) != std::string::npos)
    return "passwords must not contain the user name";
  if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password[0]; }))
    return "passwords must not repeat one character";
  return {};
}

}  // namespace station
