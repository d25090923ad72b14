#include "station/clock.h"

#include <cstdio>

namespace station {

namespace {
std::string iso_at(std::chrono::system_clock::time_point now) {
  auto days = std::chrono::floor<std::chrono::days>(now);
  std::chrono::year_month_day ymd{days};
  std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(now - days)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d+09:00", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace

std::string Clock::jst_today() const {
  auto days = std::chrono::floor<std::chrono::days>(jst_now_shifted());
  std::chrono::year_month_day ymd{days};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string Clock::jst_now_iso() const { return iso_at(jst_now_shifted()); }

std::string Clock::iso_in_minutes(int minutes) const {
  return iso_at(jst_now_shifted() + std::chrono::minutes(minutes));
}

const SystemClock& SystemClock::instance() {
  static const SystemClock clock{};
  return clock;
}

std::chrono::system_clock::time_point jst_time_point(std::chrono::year_month_day day,
                                                     std::chrono::seconds time_of_day) {
  // Midnight JST is 15:00 UTC the day before: take the day's midnight as if it were UTC, then
  // move back by the offset.
  return std::chrono::sys_days(day) + time_of_day - std::chrono::hours(9);
}

std::string compact_date(std::string_view iso_date) {
  std::string out;
  for (char c : iso_date)
    if (c != '-') out.push_back(c);
  return out;
}

bool valid_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int y = 0, m = 0, d = 0;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[static_cast<std::size_t>(i)] < '0' || s[static_cast<std::size_t>(i)] > '9') return false;
  y = std::stoi(std::string(s.substr(0, 4)));
  m = std::stoi(std::string(s.substr(5, 2)));
  d = std::stoi(std::string(s.substr(8, 2)));
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  return ymd.ok();
}

}  // namespace station
