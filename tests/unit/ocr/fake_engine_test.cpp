// ocr::FakeEngine: canned readings by zone, spec, callback and default; failures, delay, counts;
// the zone checks it shares with TesseractEngine.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "ocr/fake_engine.h"

namespace {

using ocr::Box;
using ocr::Code;
using ocr::FakeEngine;
using ocr::ZoneLayout;
using ocr::ZoneSpec;

ocr::Image page(int w = 200, int h = 100) {
  std::vector<unsigned char> px(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), 255);
  auto img = ocr::Image::from_pixels(w, h, 1, px, 200);
  EXPECT_TRUE(img.has_value());
  return img ? *img : ocr::Image{};
}

ZoneSpec spec(ZoneLayout layout, std::string whitelist = "") {
  ZoneSpec s;
  s.layout = layout;
  s.whitelist = std::move(whitelist);
  return s;
}

TEST(FakeEngine, DefaultReadingWithTheZoneAsItsBox) {
  FakeEngine e(FakeEngine::reading("default", 0.5));
  auto r = e.read(page(), {10, 20, 30, 40}, {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->text, "default");
  EXPECT_DOUBLE_EQ(r->confidence, 0.5);
  EXPECT_EQ(r->box, (Box{10, 20, 30, 40}));
  EXPECT_EQ(e.calls(), 1);
}

TEST(FakeEngine, AnUnconfiguredEngineReadsNothing) {
  FakeEngine e;
  auto r = e.read(page(), {0, 0, 10, 10}, {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->text, "");
  EXPECT_EQ(r->confidence, 0.0);
}

TEST(FakeEngine, ZoneBeatsSpecBeatsCallbackBeatsDefault) {
  FakeEngine e(FakeEngine::reading("default"));
  const Box zone{5, 5, 50, 20};
  e.set_zone(zone, FakeEngine::reading("by zone"));
  e.set_spec(ZoneLayout::kSingleLine, "0123456789", FakeEngine::reading("by spec"));
  int callback_calls = 0;
  e.set_callback([&](const ocr::Image&, Box z, const ZoneSpec& s) -> ocr::Result<ocr::Reading> {
    ++callback_calls;
    return FakeEngine::reading("cb " + std::to_string(z.x) + " " + s.languages);
  });
  const auto digits = spec(ZoneLayout::kSingleLine, "0123456789");
  EXPECT_EQ(e.read(page(), zone, digits)->text, "by zone");
  EXPECT_EQ(e.read(page(), {6, 5, 50, 20}, digits)->text, "by spec");  // another zone
  // The same whitelist with another layout, and the same layout without it: not the spec's.
  auto other = spec(ZoneLayout::kSingleWord, "0123456789");
  other.languages = "jpn";
  EXPECT_EQ(e.read(page(), {7, 0, 5, 5}, other)->text, "cb 7 jpn");
  EXPECT_EQ(e.read(page(), {8, 0, 5, 5}, spec(ZoneLayout::kSingleLine))->text, "cb 8 ");
  EXPECT_EQ(callback_calls, 2);
  e.set_callback(nullptr);
  EXPECT_EQ(e.read(page(), {9, 0, 5, 5}, {})->text, "default");
  EXPECT_EQ(e.calls(), 5);
  EXPECT_EQ(e.zones().size(), 5u);
  EXPECT_EQ(e.zones().front(), zone);
}

TEST(FakeEngine, CannedErrorForOneZone) {
  FakeEngine e;
  e.set_zone({0, 0, 10, 10}, ocr::fail(Code::kEngine, "model crashed"));
  auto r = e.read(page(), {0, 0, 10, 10}, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Code::kEngine);
  EXPECT_EQ(r.error().message, "model crashed");
  EXPECT_TRUE(e.read(page(), {0, 0, 10, 11}, {}).has_value());
  EXPECT_EQ(e.failures(), 1);
}

TEST(FakeEngine, FailsAfterNReadsUntilToldToStop) {
  FakeEngine e(FakeEngine::reading("ok"));
  e.fail_after(2);
  EXPECT_TRUE(e.read(page(), {0, 0, 10, 10}, {}).has_value());
  EXPECT_TRUE(e.read(page(), {0, 0, 10, 10}, {}).has_value());
  auto third = e.read(page(), {0, 0, 10, 10}, {});
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().code, Code::kEngine);
  EXPECT_FALSE(e.read(page(), {0, 0, 10, 10}, {}).has_value());
  e.stop_failing();
  EXPECT_TRUE(e.read(page(), {0, 0, 10, 10}, {}).has_value());
  EXPECT_EQ(e.calls(), 5);
  EXPECT_EQ(e.failures(), 2);
}

TEST(FakeEngine, RefusesZonesTheRealEngineRefusesAndClipsTheRest) {
  FakeEngine e(FakeEngine::reading("x"));
  auto clipped = e.read(page(200, 100), {150, 50, 100, 100}, {});
  ASSERT_TRUE(clipped.has_value());
  EXPECT_EQ(clipped->box, (Box{150, 50, 50, 50}));
  auto outside = e.read(page(200, 100), {500, 0, 10, 10}, {});
  ASSERT_FALSE(outside.has_value());
  EXPECT_EQ(outside.error().code, Code::kInvalid);
  auto empty_zone = e.read(page(), {0, 0, 0, 10}, {});
  ASSERT_FALSE(empty_zone.has_value());
  EXPECT_EQ(empty_zone.error().code, Code::kInvalid);
  auto empty_page = e.read(ocr::Image{}, {0, 0, 10, 10}, {});
  ASSERT_FALSE(empty_page.has_value());
  EXPECT_EQ(empty_page.error().code, Code::kInvalid);

  e.set_check_zones(false);  // for tests that pass no pixels at all
  auto unchecked = e.read(ocr::Image{}, {0, 0, 10, 10}, {});
  ASSERT_TRUE(unchecked.has_value());
  EXPECT_EQ(unchecked->box, (Box{0, 0, 10, 10}));
}

TEST(FakeEngine, KeepsACannedBox) {
  ocr::Reading r = FakeEngine::reading("boxed");
  r.box = {1, 2, 3, 4};
  FakeEngine e(r);
  EXPECT_EQ(e.read(page(), {0, 0, 50, 50}, {})->box, (Box{1, 2, 3, 4}));
}

TEST(FakeEngine, CanReadAndLanguagesAreConfigurable) {
  FakeEngine e;
  EXPECT_TRUE(e.can_read(U'鋸'));
  EXPECT_FALSE(e.has_language("jpn_best"));
  e.set_unreadable(U"鋸邉");
  e.set_languages({"jpn", "jpn_best"});
  EXPECT_FALSE(e.can_read(U'鋸'));
  EXPECT_FALSE(e.can_read(U'邉', "jpn"));
  EXPECT_TRUE(e.can_read(U'山'));
  EXPECT_TRUE(e.has_language("jpn_best"));
  EXPECT_FALSE(e.has_language("eng"));
}

TEST(FakeEngine, DelayedReadsFromManyThreadsOverlapAndAreAllCounted) {
  FakeEngine e(FakeEngine::reading("slow"));
  e.set_delay(std::chrono::milliseconds(30));
  const ocr::Image p = page();
  constexpr int kThreads = 4, kReads = 3;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kReads; ++i)
        if (auto r = e.read(p, {0, 0, 10, 10}, {}); r && r->text == "slow") ok.fetch_add(1);
    });
  for (auto& t : threads) t.join();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(ok.load(), kThreads * kReads);
  EXPECT_EQ(e.calls(), kThreads * kReads);
  EXPECT_EQ(e.zones().size(), static_cast<std::size_t>(kThreads * kReads));
  EXPECT_GE(took, std::chrono::milliseconds(30 * kReads));  // each thread slept per read
  EXPECT_GE(e.max_concurrent(), 2);                         // the sleep is outside the lock
  EXPECT_LE(e.max_concurrent(), kThreads);
  e.reset_counts();
  EXPECT_EQ(e.calls(), 0);
  EXPECT_TRUE(e.zones().empty());
}

TEST(FakeEngine, ServesThroughTheEngineInterface) {
  FakeEngine fake(FakeEngine::reading("via base"));
  ocr::Engine& engine = fake;
  auto r = engine.read(page(), {0, 0, 10, 10}, {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->text, "via base");
  EXPECT_EQ(fake.calls(), 1);
}

}  // namespace
