// The station's clock seam: FixedClock pins "now" so dates and timestamps are deterministic, and
// the free functions still read the real time.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "station/clock.h"

namespace {

using namespace std::chrono_literals;
using std::chrono::December;
using std::chrono::June;

TEST(Clock, JstTimePointIsNineHoursAheadOfUtc) {
  // 2025-06-04 10:15:30 JST is 01:15:30 UTC the same day.
  const auto t = station::jst_time_point(2025y / June / 4, 10h + 15min + 30s);
  EXPECT_EQ(t, std::chrono::sys_days(2025y / June / 4) + 1h + 15min + 30s);
}

TEST(FixedClock, FormatsItsInstantInJst) {
  station::FixedClock clock(station::jst_time_point(2025y / June / 4, 10h + 15min + 30s));
  EXPECT_EQ(clock.jst_today(), "2025-06-04");
  EXPECT_EQ(clock.jst_now_iso(), "2025-06-04T10:15:30+09:00");
  EXPECT_EQ(clock.iso_in_minutes(30), "2025-06-04T10:45:30+09:00");
  EXPECT_EQ(clock.iso_in_minutes(-20), "2025-06-04T09:55:30+09:00");
}

TEST(FixedClock, TheJstDateTurnsAtMidnightJstNotUtc) {
  // 14:59:59 UTC on 31 December is still that day in UTC but 23:59:59 in Japan; one second on
  // it is New Year's Day in Japan (the UTC date is still the 31st).
  station::FixedClock clock(std::chrono::sys_days(2024y / December / 31) + 14h + 59min + 59s);
  EXPECT_EQ(clock.jst_today(), "2024-12-31");
  EXPECT_EQ(clock.jst_now_iso(), "2024-12-31T23:59:59+09:00");
  clock.advance(1s);
  EXPECT_EQ(clock.jst_today(), "2025-01-01");
  EXPECT_EQ(clock.jst_now_iso(), "2025-01-01T00:00:00+09:00");
}

TEST(FixedClock, StandsStillUntilSetOrAdvanced) {
  const auto start = station::jst_time_point(2025y / June / 4, 9h);
  station::FixedClock clock(start);
  EXPECT_EQ(clock.now(), start);
  EXPECT_EQ(clock.now(), start);  // no drift between reads
  clock.advance(90min);
  EXPECT_EQ(clock.now(), start + 90min);
  EXPECT_EQ(clock.jst_now_iso(), "2025-06-04T10:30:00+09:00");
  clock.set(start - 24h);
  EXPECT_EQ(clock.jst_today(), "2025-06-03");
  clock.advance(-1h);  // backwards too (a corrected clock)
  EXPECT_EQ(clock.jst_now_iso(), "2025-06-03T08:00:00+09:00");
}

TEST(FixedClock, IsUsableThroughTheInterface) {
  station::FixedClock fixed(station::jst_time_point(2025y / June / 4));
  const station::Clock& clock = fixed;
  EXPECT_EQ(clock.jst_today(), "2025-06-04");
  EXPECT_EQ(clock.jst_now_shifted(), std::chrono::sys_days(2025y / June / 4));
}

TEST(FixedClock, ConcurrentAdvancesAreNotLost) {
  const auto start = station::jst_time_point(2025y / June / 4);
  station::FixedClock clock(start);
  constexpr int kThreads = 4, kSteps = 1000;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&clock] {
      for (int s = 0; s < kSteps; ++s) {
        clock.advance(1s);
        (void)clock.jst_now_iso();  // readers meanwhile see a whole instant
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.now(), start + std::chrono::seconds(kThreads * kSteps));
}

TEST(SystemClock, FollowsTheRealTime) {
  const auto before = std::chrono::system_clock::now();
  const auto now = station::SystemClock::instance().now();
  const auto after = std::chrono::system_clock::now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
}

TEST(SystemClock, ReadsJstFromTheRealTime) {
  // Compared as strings within a minute, so the test holds across a second or midnight tick.
  const station::SystemClock& clock = station::SystemClock::instance();
  EXPECT_TRUE(station::valid_iso_date(clock.jst_today())) << clock.jst_today();
  const std::string iso = clock.jst_now_iso();
  ASSERT_EQ(iso.size(), 25u) << iso;
  EXPECT_TRUE(iso.ends_with("+09:00")) << iso;
  EXPECT_GE(clock.iso_in_minutes(1), iso);
  EXPECT_LT(clock.iso_in_minutes(-1), iso);
  const auto shifted = clock.jst_now_shifted() - std::chrono::system_clock::now();
  EXPECT_GT(shifted, 9h - 1min);
  EXPECT_LT(shifted, 9h + 1min);
}

}  // namespace
