#pragma once
// Wall-clock helpers in Japan Standard Time (UTC+9, no daylight saving), which is what every date
// the station records means.
//
// Clock is the seam for time: code that stamps or compares dates asks a Clock instead of
// std::chrono::system_clock, so tests can pin "now" with FixedClock (deterministic dates, expiry
// checks without sleeping). A Station takes its Clock through its constructor (Services::clock);
// code with no Station (the store-less CLI recognizer) names SystemClock::instance() itself.
// There is deliberately no free "today" function: each reading of the time says whose clock.
#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

namespace station {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current instant (UTC, as std::chrono::system_clock counts it).
  virtual std::chrono::system_clock::time_point now() const = 0;

  // The helpers are non-virtual so every Clock formats alike; only now() differs.
  // now() moved by +9 h, so that its calendar fields (floor to days, hh_mm_ss) read as JST.
  std::chrono::system_clock::time_point jst_now_shifted() const { return now() + std::chrono::hours(9); }
  // "2025-06-04"
  std::string jst_today() const;
  // "2025-06-04T10:15:30+09:00"
  std::string jst_now_iso() const;
  // The ISO timestamp `minutes` from now (JST), comparable as a string with jst_now_iso().
  std::string iso_in_minutes(int minutes) const;
};

// The real time. Stateless, so one instance serves the whole process (any thread).
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
  static const SystemClock& instance();
};

// A clock that stands still until told otherwise. set() and advance() may be called from any thread
// while others read now() (the instant is one atomic value).
class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::chrono::system_clock::time_point t = {}) : ticks_(t.time_since_epoch().count()) {}
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::system_clock::duration(ticks_.load()));
  }
  void set(std::chrono::system_clock::time_point t) { ticks_.store(t.time_since_epoch().count()); }
  void advance(std::chrono::system_clock::duration d) { ticks_.fetch_add(d.count()); }

 private:
  std::atomic<std::chrono::system_clock::rep> ticks_;
};

// The instant that is `time_of_day` after midnight JST on `day` (for setting a FixedClock:
// jst_time_point(2025y / June / 4, 10h + 15min) is 2025-06-04T10:15:00+09:00).
std::chrono::system_clock::time_point jst_time_point(std::chrono::year_month_day day,
                                                     std::chrono::seconds time_of_day = {});

// Validates "YYYY-MM-DD" (a real calendar date).
bool valid_iso_date(std::string_view s);

}  // namespace station

namespace station {
// "2025-06-04" -> "20250604"
std::string compact_date(std::string_view iso_date);
}  // namespace station
