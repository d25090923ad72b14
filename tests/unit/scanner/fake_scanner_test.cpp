// scanner::FakeScanner: the contract of scanner.h (as SaneScanner keeps it) without a device.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "scanner/fake_scanner.h"

namespace {

using scanner::Code;
using scanner::FakeScanner;
using scanner::Frame;
using scanner::Settings;
using scanner::Source;

// Pages told apart by their pixel value (page i is all i+1).
std::vector<Frame> pages(int n) {
  std::vector<Frame> out;
  for (int i = 0; i < n; ++i) out.push_back(FakeScanner::gray_frame(4, 3, static_cast<unsigned char>(i + 1)));
  return out;
}

Settings adf(int dpi = 300) {
  Settings s;
  s.source = Source::kAdf;
  s.dpi = dpi;
  return s;
}

struct Collected {
  std::vector<Frame> frames;
  std::vector<int> indices;
  scanner::FrameSink sink(bool go_on = true) {
    return [this, go_on](Frame&& f, int index) {
      frames.push_back(std::move(f));
      indices.push_back(index);
      return go_on;
    };
  }
};

TEST(FakeScanner, FeederBatchDeliversEveryPageInOrder) {
  FakeScanner s(pages(3));
  ASSERT_TRUE(s.configure(adf(200)));
  Collected c;
  auto n = s.scan_batch(c.sink());
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(*n, 3);
  ASSERT_EQ(c.frames.size(), 3u);
  EXPECT_EQ(c.indices, (std::vector<int>{0, 1, 2}));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.frames[static_cast<std::size_t>(i)].pixels.front(), i + 1);
    EXPECT_EQ(c.frames[static_cast<std::size_t>(i)].width, 4);
    EXPECT_EQ(c.frames[static_cast<std::size_t>(i)].dpi, 200);  // stamped with the configured dpi
  }
  EXPECT_EQ(s.pages_loaded(), 0);
  EXPECT_EQ(s.pages_delivered(), 3);
}

TEST(FakeScanner, AFrameKeepsItsOwnDpi) {
  FakeScanner s({FakeScanner::gray_frame(2, 2, 0, 600)});
  ASSERT_TRUE(s.configure(adf(300)));
  Collected c;
  ASSERT_TRUE(s.scan_batch(c.sink()));
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0].dpi, 600);
}

TEST(FakeScanner, EmptyFeederIsFeederEmptyAndAnEmptiedOneToo) {
  FakeScanner s(pages(1));
  Collected c;
  auto first = s.scan_batch(c.sink());  // never configured: the ADF by default
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, 1);
  auto second = s.scan_batch(c.sink());
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, Code::kFeederEmpty);
  EXPECT_EQ(c.frames.size(), 1u);
  s.load(pages(2));
  auto third = s.scan_batch(c.sink());
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(*third, 2);
  EXPECT_EQ(c.indices, (std::vector<int>{0, 0, 1}));  // indices count within a batch
  EXPECT_EQ(s.batches(), 3);
}

TEST(FakeScanner, FlatbedScansOnePagePerBatch) {
  FakeScanner s(pages(2));
  Settings flat = adf();
  flat.source = Source::kFlatbed;
  ASSERT_TRUE(s.configure(flat));
  Collected c;
  auto n = s.scan_batch(c.sink());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(s.pages_loaded(), 1);
  ASSERT_TRUE(s.scan_batch(c.sink()));
  auto none = s.scan_batch(c.sink());
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, Code::kFeederEmpty);
  EXPECT_NE(none.error().message.find("no document"), std::string::npos) << none.error().message;
}

TEST(FakeScanner, JamAfterTwoPagesKeepsThePagesDeliveredAndTheJammedSheet) {
  FakeScanner s(pages(4));
  s.fail_after(2, Code::kJammed);
  Collected c;
  auto n = s.scan_batch(c.sink());
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().code, Code::kJammed);
  EXPECT_NE(n.error().message.find("after 2 pages"), std::string::npos) << n.error().message;
  ASSERT_EQ(c.frames.size(), 2u);  // delivered before the error
  EXPECT_EQ(s.pages_loaded(), 2);
  // The jam is cleared: the next batch goes on with the sheet it hit (page 3).
  auto rest = s.scan_batch(c.sink());
  ASSERT_TRUE(rest.has_value()) << rest.error().message;
  EXPECT_EQ(*rest, 2);
  ASSERT_EQ(c.frames.size(), 4u);
  EXPECT_EQ(c.frames[2].pixels.front(), 3);
}

TEST(FakeScanner, FaultCountsPagesAcrossBatchesAndKeepsItsMessage) {
  FakeScanner s(pages(1));
  s.fail_after(2, Code::kCoverOpen, "cover open on the test rig");
  Collected c;
  ASSERT_TRUE(s.scan_batch(c.sink()));  // one page, then the feeder is empty: no fault yet
  s.load(pages(3));
  auto n = s.scan_batch(c.sink());
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().code, Code::kCoverOpen);
  EXPECT_EQ(n.error().message, "cover open on the test rig");
  EXPECT_EQ(c.frames.size(), 2u);
}

TEST(FakeScanner, FaultBeforeAnyPage) {
  FakeScanner s(pages(2));
  s.fail_after(0, Code::kIo);
  Collected c;
  auto n = s.scan_batch(c.sink());
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().code, Code::kIo);
  EXPECT_TRUE(c.frames.empty());
  EXPECT_EQ(s.pages_loaded(), 2);
}

TEST(FakeScanner, SinkReturningFalseStopsAfterThatPage) {
  FakeScanner s(pages(5));
  Collected c;
  int calls = 0;
  auto n = s.scan_batch([&](Frame&& f, int index) {
    c.frames.push_back(std::move(f));
    (void)index;
    return ++calls < 2;
  });
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 2);  // that page included
  EXPECT_EQ(s.pages_loaded(), 3);
}

TEST(FakeScanner, CancelFromTheSinkEndsTheBatchCancelled) {
  FakeScanner s(pages(5));
  Collected c;
  auto n = s.scan_batch([&](Frame&& f, int) {
    c.frames.push_back(std::move(f));
    if (c.frames.size() == 2) s.cancel();
    return true;
  });
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().code, Code::kCancelled);
  EXPECT_EQ(c.frames.size(), 2u);
  EXPECT_EQ(s.cancels(), 1);
}

TEST(FakeScanner, CancelOnTheLastPageStillReportsCancelled) {
  FakeScanner s(pages(1));
  auto n = s.scan_batch([&](Frame&&, int) {
    s.cancel();
    return true;
  });
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().code, Code::kCancelled);
}

TEST(FakeScanner, CancelBeforeTheBatchIsForgotten) {
  FakeScanner s(pages(2));
  s.cancel();
  Collected c;
  auto n = s.scan_batch(c.sink());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 2);
}

TEST(FakeScanner, CancelFromAnotherThreadStopsASlowBatch) {
  FakeScanner s(pages(100));
  s.set_page_delay(std::chrono::milliseconds(20));
  std::atomic<int> got{0};
  std::thread canceller([&] {
    while (got.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    s.cancel();
  });
  auto n = s.scan_batch([&](Frame&&, int) {
    got.fetch_add(1);
    return true;
  });
  canceller.join();
  ASSERT_FALSE(n.has_value());
  EXPECT_EQ(n.error().code, Code::kCancelled);
  EXPECT_GE(got.load(), 2);
  EXPECT_LT(got.load(), 100);
  // Pages not delivered stay in the feeder, the one being scanned included.
  EXPECT_EQ(s.pages_loaded() + got.load(), 100);
}

TEST(FakeScanner, RecordsItsSettingsAndRefusesNonsense) {
  FakeScanner s;
  EXPECT_FALSE(s.last_settings().has_value());
  Settings a = adf(300);
  Settings b = adf(600);
  b.mode = scanner::Mode::kColor;
  ASSERT_TRUE(s.configure(a));
  ASSERT_TRUE(s.configure(b));
  auto bad = s.configure(adf(0));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, Code::kInvalid);
  ASSERT_EQ(s.configured().size(), 2u);
  EXPECT_EQ(s.configured()[0].dpi, 300);
  ASSERT_TRUE(s.last_settings().has_value());
  EXPECT_EQ(s.last_settings()->dpi, 600);
  EXPECT_EQ(s.last_settings()->mode, scanner::Mode::kColor);

  s.fail_configure(scanner::Error{Code::kUnsupported, "no such mode"});
  auto refused = s.configure(a);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Code::kUnsupported);
  EXPECT_EQ(s.configured().size(), 2u);
  s.fail_configure(std::nullopt);
  EXPECT_TRUE(s.configure(a));
}

TEST(FakeScanner, RemembersOptionsAndNames) {
  FakeScanner s;
  auto missing = s.get_option("brightness");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, Code::kUnsupported);
  ASSERT_TRUE(s.set_option("brightness", "10"));
  auto v = s.get_option("brightness");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, "10");
  scanner::OptionNames names;
  names.source_adf = "ADF Front";
  s.set_option_names(names);
  EXPECT_EQ(s.option_names().source_adf, "ADF Front");
}

TEST(FakeScanner, ReportsProgressPerPageAndNeedsASink) {
  FakeScanner s(pages(2));
  std::vector<int> progress_pages;
  s.set_progress([&](int page, long long read, long long expected) {
    progress_pages.push_back(page);
    EXPECT_EQ(read, 12);
    EXPECT_EQ(expected, 12);
  });
  auto no_sink = s.scan_batch(scanner::FrameSink{});
  ASSERT_FALSE(no_sink.has_value());
  EXPECT_EQ(no_sink.error().code, Code::kInvalid);
  Collected c;
  ASSERT_TRUE(s.scan_batch(c.sink()));
  EXPECT_EQ(progress_pages, (std::vector<int>{0, 1}));
}

}  // namespace
