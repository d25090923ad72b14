// A Station takes its clock through its constructor (Services::clock): what it records is stamped
// with that clock's time, never the wall clock's (see docs/architecture.md, Services).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "ocr/fake_engine.h"
#include "services.h"
#include "station/clock.h"
#include "station/station.h"
#include "test_support.h"

using station::Role;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const fs::path kSamples = fs::path(STATION_SHARED_DIR) / "samples";

TEST(StationClock, WhatTheStationRecordsCarriesItsClocksTime) {
  // 00:30 JST on 2031-02-03 is still 2031-02-02 in UTC: a date taken from UTC, or from the wall
  // clock, shows.
  auto clock = std::make_shared<station::FixedClock>(
      station::jst_time_point(std::chrono::year{2031} / std::chrono::February / 3, 30min));
  station::Services services;
  services.clock = clock;
  services.make_engine = []() -> station::Result<std::unique_ptr<ocr::Engine>> {
    return std::make_unique<ocr::FakeEngine>();
  };
  testing_support::TempDir tmp;
  station::Config config;
  config.data_dir = tmp.path / "store";
  config.recognize_on_capture = false;  // capture alone: no background reading
  auto st = station::Station::create(config, "unit test passphrase", &services);
  ASSERT_TRUE(st) << st.error().detail;
  auto admin = (*st)->add_user(nullptr, "admin", "tsuki-hana-001", Role::kAdmin);
  ASSERT_TRUE(admin);
  auto clerk = (*st)->add_user(&*admin, "clerk", "yama-kawa-002", Role::kClerk);
  ASSERT_TRUE(clerk);

  // An import without a received date is received on the clock's day (JST); its 受付番号 says so.
  clock->advance(2h);  // 02:30 JST
  station::Intake intake;
  intake.enclosures = 1;
  auto imported = (*st)->import_envelope(*clerk, {kSamples / "app-001/page-03.jpg"}, intake);
  ASSERT_TRUE(imported) << imported.error().detail;
  EXPECT_EQ(imported->receipt_no, "M20310203-0001");
  auto envelope = (*st)->envelope(*admin, imported->envelope_id);
  ASSERT_TRUE(envelope) << envelope.error().detail;
  EXPECT_EQ(envelope->received_date, "2031-02-03");
  // The intake log of "today" is the clock's day.
  auto log = (*st)->intake_log(*clerk, "");
  ASSERT_TRUE(log) << log.error().detail;
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].receipt_no, "M20310203-0001");

  // Audit entries carry the clock's time: the store's creation at 00:30, the import at 02:30.
  auto entries = (*st)->audit_search(*admin, station::AuditQuery{});
  ASSERT_TRUE(entries) << entries.error().detail;
  ASSERT_FALSE(entries->empty());
  bool saw_create = false, saw_import = false;
  for (const auto& e : *entries) {
    EXPECT_TRUE(e.at.starts_with("2031-02-03T0")) << e.action << " at " << e.at;
    if (e.action == "store.create") {
      saw_create = true;
      EXPECT_EQ(e.at, "2031-02-03T00:30:00+09:00");
    }
    if (e.action.starts_with("envelope.import")) {
      saw_import = true;
      EXPECT_EQ(e.at, "2031-02-03T02:30:00+09:00");
    }
  }
  EXPECT_TRUE(saw_create);
  EXPECT_TRUE(saw_import);
  // Searching by the clock's date finds them (and the first search, itself audited).
  station::AuditQuery q;
  q.from_date = q.to_date = "2031-02-03";
  auto today = (*st)->audit_search(*admin, q);
  ASSERT_TRUE(today);
  EXPECT_GT(today->size(), entries->size());
}

}  // namespace
