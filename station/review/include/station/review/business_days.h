#pragma once
// Business days for deadlines (補正の提出期限): not a Saturday or Sunday, not a Japanese public
// holiday (国民の祝日・振替休日・国民の休日, from maintained data: the @holiday-jp/holiday_jp
// package's table, installed by hardware/deploy/install-deps.sh as holidays_jp.tsv), and not in the
// offices' year-end closure (12月29日〜1月3日, 行政機関の休日).
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "station/error.h"

namespace station::review {

class BusinessCalendar {
 public:
  // Weekends and the year-end closure only (tests; a calendar without holiday data).
  BusinessCalendar() = default;
  // `holidays`: date → name (国民の祝日), covering the years first_year..last_year.
  explicit BusinessCalendar(std::map<std::chrono::sys_days, std::string> holidays);

  // Reads "YYYY-MM-DD<TAB>name" lines (the installed holidays_jp.tsv); kConfig when the file is
  // missing or malformed.
  static Result<BusinessCalendar> load(const std::filesystem::path& tsv);
  // The same from text.
  static Result<BusinessCalendar> parse(std::string_view tsv);

  bool is_business_day(std::chrono::sys_days day) const;
  // The holiday's name (「元日」, 「振替休日」, 「年末年始休業」), or nullopt on a working day or a weekend.
  std::optional<std::string> closed_because(std::chrono::sys_days day) const;
  // The day `n` business days after `from` (from itself not counted).
  std::chrono::sys_days add_business_days(std::chrono::sys_days from, int n) const;
  // Whether the holiday data covers `year` (with no data: never, except for an empty calendar's
  // weekend-only use, which covers every year).
  bool covers(int year) const;

 private:
  std::map<std::chrono::sys_days, std::string> holidays_;
  int first_year_ = 0, last_year_ = 0;  // 0: no data (weekends and year end only)
};

// "YYYY-MM-DD" ↔ days.
std::optional<std::chrono::sys_days> parse_iso_date(std::string_view text);
std::string iso_date(std::chrono::sys_days day);
// 「令和8年12月4日（金）」 for letters.
std::string japanese_date(std::chrono::sys_days day);

}  // namespace station::review
