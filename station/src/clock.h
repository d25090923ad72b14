#pragma once
// Wall-clock helpers in Japan Standard Time (UTC+9, no daylight saving), which is what every date
// the station records means.
#include <chrono>
#include <string>

namespace station {

inline std::chrono::system_clock::time_point jst_now_shifted() {
  return std::chrono::system_clock::now() + std::chrono::hours(9);
}

// "2025-06-04"
std::string jst_today();
// "2025-06-04T10:15:30+09:00"
std::string jst_now_iso();
// Validates "YYYY-MM-DD" (a real calendar date).
bool valid_iso_date(std::string_view s);

}  // namespace station

namespace station {
// The ISO timestamp `minutes` from now (JST), comparable as a string with jst_now_iso().
std::string iso_in_minutes(int minutes);
// "2025-06-04" -> "20250604"
std::string compact_date(std::string_view iso_date);
}  // namespace station
