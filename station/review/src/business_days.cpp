// Business days (business_days.h).
#include "station/review/business_days.h"

#include <cstdio>
#include <sstream>
#include <vector>

#include "station/files.h"

namespace station::review {

namespace chr = std::chrono;

std::optional<chr::sys_days> parse_iso_date(std::string_view text) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  y = std::stoi(std::string(text.substr(0, 4)));
  m = static_cast<unsigned>(std::stoi(std::string(text.substr(5, 2))));
  d = static_cast<unsigned>(std::stoi(std::string(text.substr(8, 2))));
  const chr::year_month_day ymd{chr::year{y}, chr::month{m}, chr::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return chr::sys_days{ymd};
}

std::string iso_date(chr::sys_days day) {
  const chr::year_month_day ymd{day};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string japanese_date(chr::sys_days day) {
  static constexpr const char* kWeek[] = {"日", "月", "火", "水", "木", "金", "土"};
  const chr::year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  const unsigned wd = chr::weekday{day}.c_encoding();
  std::string era = y >= 2019 ? "令和" + (y == 2019 ? std::string("元") : std::to_string(y - 2018)) : std::to_string(y);
  return era + "年" + std::to_string(static_cast<unsigned>(ymd.month())) + "月" +
         std::to_string(static_cast<unsigned>(ymd.day())) + "日（" + kWeek[wd] + "）";
}

BusinessCalendar::BusinessCalendar(std::map<chr::sys_days, std::string> holidays) : holidays_(std::move(holidays)) {
  if (!holidays_.empty()) {
    first_year_ = static_cast<int>(chr::year_month_day{holidays_.begin()->first}.year());
    last_year_ = static_cast<int>(chr::year_month_day{holidays_.rbegin()->first}.year());
  }
}

Result<BusinessCalendar> BusinessCalendar::parse(std::string_view tsv) {
  std::map<chr::sys_days, std::string> holidays;
  std::istringstream in{std::string(tsv)};
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    auto day = parse_iso_date(std::string_view(line).substr(0, tab));
    if (!day) return fail(ErrorCode::kConfig, "holiday data line " + std::to_string(n) + " is not YYYY-MM-DD<TAB>name");
    holidays[*day] = tab == std::string::npos ? std::string("祝日") : line.substr(tab + 1);
  }
  if (holidays.empty()) return fail(ErrorCode::kConfig, "the holiday data holds no dates");
  return BusinessCalendar(std::move(holidays));
}

Result<BusinessCalendar> BusinessCalendar::load(const std::filesystem::path& tsv) {
  auto bytes = read_file(tsv);
  if (!bytes)
    return fail(ErrorCode::kConfig, "cannot read the holiday data " + tsv.string() + " (run hardware/deploy/install-deps.sh)",
                "祝日の一覧（" + tsv.string() + "）を読めません。管理者に hardware/deploy/install-deps.sh の実行を依頼してください。");
  return parse(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
}

std::optional<std::string> BusinessCalendar::closed_because(chr::sys_days day) const {
  if (auto it = holidays_.find(day); it != holidays_.end()) return it->second;
  const chr::year_month_day ymd{day};
  const unsigned m = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
  if ((m == 12 && d >= 29) || (m == 1 && d <= 3)) return std::string("年末年始休業");
  return std::nullopt;
}

bool BusinessCalendar::is_business_day(chr::sys_days day) const {
  const chr::weekday wd{day};
  if (wd == chr::Saturday || wd == chr::Sunday) return false;
  return !closed_because(day).has_value();
}

chr::sys_days BusinessCalendar::add_business_days(chr::sys_days from, int n) const {
  chr::sys_days day = from;
  while (n > 0) {
    day += chr::days{1};
    if (is_business_day(day)) --n;
  }
  return day;
}

bool BusinessCalendar::covers(int year) const {
  if (first_year_ == 0) return true;
  return year >= first_year_ && year <= last_year_;
}

}  // namespace station::review
