// Tests of scanner::Sane against the real libsane with the `test` and `pnm` backends
// (no mocks). SANE_CONFIG_DIR is pointed at tests/unit/scanner/sane-config before the first
// sane_init, so only those two backends load.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scanner/scanner.h"
#include "sane_isolation.h"

// Under LeakSanitizer, use the project's suppression file even when ctest runs without the
// preset's LSAN_OPTIONS (an LSAN_OPTIONS in the environment still takes precedence).
extern "C" const char* __lsan_default_options() { return "suppressions=" STATION_SOURCE_DIR "/tests/lsan.supp"; }

namespace {

const bool kSaneConfigSet = [] {
  ::setenv("SANE_CONFIG_DIR", SCANNER_SANE_CONFIG_DIR, 1);
  // Keep the test/pnm backends mapped after sane_exit() (which dlcloses them), so that
  // LeakSanitizer can name them and tests/lsan.supp can suppress their own internal leaks.
  for (const char* lib : {"libsane-test.so.1", "libsane-pnm.so.1"}) {
    std::string path = std::string(SCANNER_SANE_BACKEND_DIR) + "/" + lib;
    ::dlopen(path.c_str(), RTLD_LAZY | RTLD_NODELETE);
  }
  return true;
}();

using scanner::Code;
using scanner::Frame;
using scanner::Mode;
using scanner::Sane;
using scanner::Settings;
using scanner::Source;

std::unique_ptr<scanner::Scanner> open_or_die(const std::string& name) {
  auto s = Sane::open(name);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
  if (!s) return nullptr;
  if (name.starts_with("test:")) {
    // The test backend keeps option values across sane_close/sane_open within a process
    // (only the feeder count resets on open): put back the ones tests change.
    auto& sc = **s;
    (void)sc.set_option("mode", "Color");
    (void)sc.set_option("three-pass", "no");
    (void)sc.set_option("mode", "Gray");
    (void)sc.set_option("depth", "8");
    for (auto [opt, value] : {std::pair{"read-return-value", "Default"}, std::pair{"test-picture", "Solid black"},
                              std::pair{"hand-scanner", "no"}, std::pair{"read-delay", "no"},
                              std::pair{"read-limit", "no"}, std::pair{"source", "Flatbed"}}) {
      auto st = sc.set_option(opt, value);
      EXPECT_TRUE(st.has_value()) << st.error().message;
    }
  }
  return std::move(*s);
}

Settings small(Source source, Mode mode, int dpi = 50) {
  Settings s;
  s.source = source;
  s.mode = mode;
  s.dpi = dpi;
  s.page_width_mm = 40;
  s.page_height_mm = 30;
  return s;
}

int expected_px(double mm, int dpi) { return static_cast<int>(dpi * mm / 25.4); }

struct Collected {
  std::vector<Frame> frames;
  std::vector<int> indexes;
  scanner::FrameSink sink() {
    return [this](Frame&& f, int index) {
      frames.push_back(std::move(f));
      indexes.push_back(index);
      return true;
    };
  }
};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "scanner-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& p, const std::string& header, const std::vector<unsigned char>& data) {
  std::ofstream out(p, std::ios::binary);
  out << header;
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

TEST(SaneTest, InitOnceAndVersion) {
  EXPECT_TRUE(kSaneConfigSet);
  EXPECT_FALSE(Sane::version().empty());
  EXPECT_EQ(Sane::version(), Sane::version());
}

TEST(SaneTest, ListFindsTestDevice) {
  auto devices = Sane::list_devices();
  ASSERT_TRUE(devices.has_value()) << devices.error().message;
  auto it = std::find_if(devices->begin(), devices->end(), [](const auto& d) { return d.name == "test:0"; });
  ASSERT_NE(it, devices->end());
  EXPECT_FALSE(it->model.empty());
  // Listing twice is fine (sane_get_devices is re-entrant after init).
  auto again = Sane::list_devices(false);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->size(), devices->size());
}

TEST(SaneTest, UnknownDeviceIsNoDevice) {
  for (const char* name : {"test:99", "nosuchbackend:0"}) {
    auto s = Sane::open(name);
    ASSERT_FALSE(s.has_value()) << name;
    EXPECT_EQ(s.error().code, Code::kNoDevice) << name << ": " << s.error().message;
    EXPECT_NE(s.error().message.find(name), std::string::npos);
  }
  auto empty = Sane::open("");
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, Code::kInvalid);
}

TEST(SaneTest, FlatbedGray300A4OnePage) {
  auto sc = open_or_die("test:0");
  ASSERT_TRUE(sc);
  Settings s;  // A4
  s.source = Source::kFlatbed;
  s.mode = Mode::kGray;
  s.dpi = 300;
  auto st = sc->configure(s);
  ASSERT_TRUE(st.has_value()) << st.error().message;
  EXPECT_EQ(sc->get_option("source").value_or(""), "Flatbed");
  EXPECT_EQ(sc->get_option("resolution").value_or(""), "300");
  Collected c;
  std::vector<long long> progress;
  sc->set_progress([&](int page, long long got, long long expected) {
    EXPECT_EQ(page, 0);
    EXPECT_GT(expected, 0);
    progress.push_back(got);
  });
  auto r = sc->scan_batch(c.sink());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 1);  // flatbed: one page, even though the test backend would go on
  ASSERT_EQ(c.frames.size(), 1u);
  const Frame& f = c.frames[0];
  EXPECT_NEAR(f.width, expected_px(210, 300), 1);   // 2480
  EXPECT_NEAR(f.height, expected_px(297, 300), 1);  // 3507
  EXPECT_EQ(f.channels, 1);
  EXPECT_EQ(f.dpi, 300);
  ASSERT_EQ(f.pixels.size(), static_cast<size_t>(f.width) * f.height);
  EXPECT_TRUE(std::all_of(f.pixels.begin(), f.pixels.end(), [](unsigned char p) { return p == 0; }));  // solid black
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
}

TEST(SaneTest, NearestResolutionAndOversizePage) {
  auto sc = open_or_die("test:0");
  ASSERT_TRUE(sc);
  Settings s = small(Source::kFlatbed, Mode::kGray, 5000);
  EXPECT_EQ(sc->configure(s).error().code, Code::kInvalid);  // nonsense dpi is the caller's fault
  s.dpi = 1199;
  ASSERT_TRUE(sc->configure(s).has_value());
  EXPECT_EQ(sc->get_option("resolution").value_or(""), "1199");
  s.page_width_mm = 400;  // the test glass is 300 mm
  auto st = sc->configure(s);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, Code::kUnsupported);
  EXPECT_NE(st.error().message.find("br-x"), std::string::npos) << st.error().message;
}

TEST(SaneTest, AdfBatchDeliversPagesThenEndsCleanly) {
  auto sc = open_or_die("test:0");
  ASSERT_TRUE(sc);
  ASSERT_TRUE(sc->configure(small(Source::kAdf, Mode::kGray)).has_value());
  EXPECT_EQ(sc->get_option("source").value_or(""), "Automatic Document Feeder");
  Collected c;
  auto r = sc->scan_batch(c.sink());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 10);  // the test backend's feeder holds 10 sheets
  ASSERT_EQ(c.frames.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(c.indexes[static_cast<size_t>(i)], i);
    EXPECT_EQ(c.frames[static_cast<size_t>(i)].width, expected_px(40, 50));
    EXPECT_EQ(c.frames[static_cast<size_t>(i)].height, expected_px(30, 50));
  }
  // The feeder is now empty: the next batch reports it rather than returning zero pages.
  Collected none;
  auto again = sc->scan_batch(none.sink());
  if (!again) {
    EXPECT_EQ(again.error().code, Code::kFeederEmpty) << again.error().message;
    EXPECT_TRUE(none.frames.empty());
  }
}

TEST(SaneTest, SinkCanStopTheBatch) {
  auto sc = open_or_die("test:1");
  ASSERT_TRUE(sc);
  ASSERT_TRUE(sc->configure(small(Source::kAdf, Mode::kGray)).has_value());
  int calls = 0;
  auto r = sc->scan_batch([&](Frame&&, int index) {
    ++calls;
    return index < 2;  // persisting page 3 "failed"
  });
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 3);
  EXPECT_EQ(calls, 3);
}

TEST(SaneTest, CancelFromSinkReturnsCancelled) {
  auto sc = open_or_die("test:1");
  ASSERT_TRUE(sc);
  ASSERT_TRUE(sc->configure(small(Source::kAdf, Mode::kGray)).has_value());
  int calls = 0;
  auto r = sc->scan_batch([&](Frame&&, int index) {
    ++calls;
    if (index == 1) sc->cancel();
    return true;
  });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Code::kCancelled) << r.error().message;
  EXPECT_EQ(calls, 2);
  EXPECT_NE(r.error().message.find("2 pages"), std::string::npos) << r.error().message;
}

TEST(SaneTest, CancelFromAnotherThread) {
  auto sc = open_or_die("test:1");
  ASSERT_TRUE(sc);
  ASSERT_TRUE(sc->configure(small(Source::kAdf, Mode::kGray, 100)).has_value());
  ASSERT_TRUE(sc->set_option("read-delay", "yes").has_value());
  ASSERT_TRUE(sc->set_option("read-delay-duration", "200000").has_value());
  ASSERT_TRUE(sc->set_option("read-limit", "yes").has_value());
  ASSERT_TRUE(sc->set_option("read-limit-size", "64").has_value());
  std::atomic<bool> started{false};
  sc->set_progress([&](int, long long, long long) { started = true; });
  std::thread t([&] {
    while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    sc->cancel();
  });
  Collected c;
  auto r = sc->scan_batch(c.sink());
  t.join();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Code::kCancelled) << r.error().message;
}

struct StatusCase {
  const char* sane_status;
  Code code;
  const char* words;
};

class SimulatedStatus : public ::testing::TestWithParam<StatusCase> {};

// The `test` backend reads through a helper thread that sane_cancel() stops with an
// asynchronous pthread_cancel. When a fault is returned right after sane_start, that thread can
// be cancelled inside malloc and leave the allocator locked, hanging the process (a backend
// defect, seen ~4% of runs under ASan; real backends read synchronously). Such scenarios run in
// a forked child with a deadline, retried if the child hangs. Faults are armed before
// sane_start or between sheets: the test backend refuses option changes mid-page.
// Statuses the pnm backend can simulate (no helper thread) are tested there directly, see
// SanePnmTest.SimulatedStatusesFromPnm.
void simulated_status_scenario(const StatusCase& c);
void jam_after_some_pages_scenario();

void run_isolated(const std::function<void()>& body) { sane_test::run_isolated(body, 4, 20000); }

TEST_P(SimulatedStatus, MapsToCodeWithoutCrash) {
  run_isolated([] { simulated_status_scenario(GetParam()); });
}

void simulated_status_scenario(const StatusCase& c) {
  auto sc = open_or_die("test:0");
  ASSERT_TRUE(sc);
  ASSERT_TRUE(sc->configure(small(Source::kAdf, Mode::kGray)).has_value());
  auto st = sc->set_option("read-return-value", c.sane_status);
  ASSERT_TRUE(st.has_value()) << st.error().message;
  Collected col;
  auto r = sc->scan_batch(col.sink());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, c.code) << r.error().message;
  EXPECT_NE(r.error().message.find(c.words), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("test:0"), std::string::npos) << r.error().message;
  EXPECT_TRUE(col.frames.empty());
  // The handle stays usable: clear the fault and scan again.
  ASSERT_TRUE(sc->set_option("read-return-value", "Default").has_value());
  ASSERT_TRUE(sc->configure(small(Source::kFlatbed, Mode::kGray)).has_value());
  auto ok = sc->scan_batch(col.sink());
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(*ok, 1);
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, SimulatedStatus,
    ::testing::Values(StatusCase{"SANE_STATUS_JAMMED", Code::kJammed, "paper jam after 0 pages"},
                      StatusCase{"SANE_STATUS_DEVICE_BUSY", Code::kBusy, "busy"},
                      StatusCase{"SANE_STATUS_CANCELLED", Code::kCancelled, "cancelled"},
                      StatusCase{"SANE_STATUS_NO_DOCS", Code::kFeederEmpty, "no paper in the feeder"}),
    [](const auto& param_info) { return std::string(param_info.param.sane_status).substr(12); });

TEST(SaneTest, JamAfterSomePagesKeepsDeliveredPages) { run_isolated(jam_after_some_pages_scenario); }

void jam_after_some_pages_scenario() {
  auto sc = open_or_die("test:0");
  ASSERT_TRUE(sc);
  ASSERT_TRUE(sc->configure(small(Source::kAdf, Mode::kGray)).has_value());
  Collected c;
  auto r = sc->scan_batch([&](Frame&& f, int index) {
    c.frames.push_back(std::move(f));
    // The fourth sheet jams: arm the fault between sheets while the batch runs.
    if (index == 2) {
      auto st = sc->set_option("read-return-value", "SANE_STATUS_JAMMED");
      EXPECT_TRUE(st.has_value()) << st.error().message;
    }
    return true;
  });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Code::kJammed);
  EXPECT_NE(r.error().message.find("paper jam after 3 pages on test:0"), std::string::npos) << r.error().message;
  EXPECT_EQ(c.frames.size(), 3u);  // already handed over before the jam
}

TEST(SaneTest, LineartIsExpandedToBlackAndWhite) {
  auto sc = open_or_die("test:0");
  ASSERT_TRUE(sc);
  ASSERT_TRUE(sc->configure(small(Source::kFlatbed, Mode::kLineart, 100)).has_value());
  EXPECT_EQ(sc->get_option("depth").value_or(""), "1");  // test backend: Gray at 1 bit
  for (const char* picture : {"Solid black", "Solid white", "Grid"}) {
    ASSERT_TRUE(sc->set_option("test-picture", picture).has_value());
    Collected c;
    auto r = sc->scan_batch(c.sink());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_EQ(c.frames.size(), 1u);
    const Frame& f = c.frames[0];
    EXPECT_EQ(f.width, expected_px(40, 100));  // 157: not a multiple of 8
    EXPECT_EQ(f.height, expected_px(30, 100));
    EXPECT_EQ(f.channels, 1);
    ASSERT_EQ(f.pixels.size(), static_cast<size_t>(f.width) * f.height);
    auto blacks = std::count(f.pixels.begin(), f.pixels.end(), 0);
    auto whites = std::count(f.pixels.begin(), f.pixels.end(), 255);
    EXPECT_EQ(static_cast<size_t>(blacks + whites), f.pixels.size()) << picture;
    if (std::string(picture) == "Solid black") {
      EXPECT_EQ(static_cast<size_t>(blacks), f.pixels.size());
    }
    if (std::string(picture) == "Solid white") {
      EXPECT_EQ(static_cast<size_t>(whites), f.pixels.size());
    }
    if (std::string(picture) == "Grid") {
      EXPECT_GT(blacks, 0);
      EXPECT_GT(whites, 0);
    }
  }
}

TEST(SaneTest, ColorFramesSingleAndThreePassAgree) {
  auto sc = open_or_die("test:0");
  ASSERT_TRUE(sc);
  ASSERT_TRUE(sc->configure(small(Source::kFlatbed, Mode::kColor, 75)).has_value());
  ASSERT_TRUE(sc->set_option("test-picture", "Color pattern").has_value());
  Collected one;
  auto r = sc->scan_batch(one.sink());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(one.frames.size(), 1u);
  const Frame& f = one.frames[0];
  EXPECT_EQ(f.channels, 3);
  EXPECT_EQ(f.width, expected_px(40, 75));
  EXPECT_EQ(f.height, expected_px(30, 75));
  ASSERT_EQ(f.pixels.size(), static_cast<size_t>(f.width) * f.height * 3);
  bool some_colour = false;  // a pixel whose channels differ
  for (size_t i = 0; i + 2 < f.pixels.size() && !some_colour; i += 3)
    some_colour = f.pixels[i] != f.pixels[i + 1] || f.pixels[i + 1] != f.pixels[i + 2];
  EXPECT_TRUE(some_colour);

  ASSERT_TRUE(sc->set_option("three-pass", "yes").has_value());
  Collected three;
  r = sc->scan_batch(three.sink());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(three.frames.size(), 1u);
  EXPECT_EQ(three.frames[0].channels, 3);
  EXPECT_EQ(three.frames[0].width, f.width);
  EXPECT_EQ(three.frames[0].height, f.height);
  EXPECT_EQ(three.frames[0].pixels, f.pixels);
}

TEST(SaneTest, SixteenBitIsReducedToEightBit) {
  auto sc = open_or_die("test:0");
  ASSERT_TRUE(sc);
  ASSERT_TRUE(sc->configure(small(Source::kFlatbed, Mode::kGray, 50)).has_value());
  ASSERT_TRUE(sc->set_option("depth", "16").has_value());
  for (auto [picture, value] : {std::pair{"Solid white", 255}, std::pair{"Solid black", 0}}) {
    ASSERT_TRUE(sc->set_option("test-picture", picture).has_value());
    Collected c;
    auto r = sc->scan_batch(c.sink());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_EQ(c.frames.size(), 1u);
    const Frame& f = c.frames[0];
    EXPECT_EQ(f.width, expected_px(40, 50));
    EXPECT_EQ(f.height, expected_px(30, 50));
    ASSERT_EQ(f.pixels.size(), static_cast<size_t>(f.width) * f.height);  // one byte per sample
    EXPECT_TRUE(std::all_of(f.pixels.begin(), f.pixels.end(), [v = value](unsigned char p) { return p == v; }))
        << picture;
  }
}

TEST(SaneTest, UnknownLineCountGrows) {
  auto sc = open_or_die("test:0");
  ASSERT_TRUE(sc);
  ASSERT_TRUE(sc->configure(small(Source::kFlatbed, Mode::kGray, 50)).has_value());
  ASSERT_TRUE(sc->set_option("hand-scanner", "yes").has_value());  // lines == -1, width 11 cm
  Collected c;
  auto r = sc->scan_batch(c.sink());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0].width, expected_px(110, 50));
  EXPECT_GT(c.frames[0].height, 0);
  EXPECT_EQ(c.frames[0].pixels.size(), static_cast<size_t>(c.frames[0].width) * c.frames[0].height);
}

TEST(SaneTest, SetOptionErrors) {
  auto sc = open_or_die("test:0");
  ASSERT_TRUE(sc);
  auto r = sc->set_option("no-such-option", "1");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Code::kUnsupported);
  EXPECT_NE(r.error().message.find("no-such-option"), std::string::npos);
  r = sc->set_option("source", "Tray 7");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Code::kUnsupported);
  EXPECT_NE(r.error().message.find("Flatbed"), std::string::npos) << r.error().message;  // lists choices
  r = sc->set_option("read-delay", "perhaps");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Code::kInvalid);
  r = sc->set_option("resolution", "abc");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Code::kInvalid);
  r = sc->set_option("three-pass", "yes");  // inactive in gray mode
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Code::kUnsupported);
  EXPECT_NE(r.error().message.find("inactive"), std::string::npos);
  EXPECT_TRUE(sc->set_option("source", "automatic document feeder").has_value());  // case-insensitive
  EXPECT_EQ(sc->get_option("source").value_or(""), "Automatic Document Feeder");
}

// ---- pnm backend: reads a PNM file named by its "filename" option --------------------------

TEST(SanePnmTest, GrayFilePixelsRoundTrip) {
  TempDir dir;
  const int w = 37, h = 23;
  std::vector<unsigned char> data(static_cast<size_t>(w) * h);
  std::mt19937 rng(7);
  for (auto& p : data) p = static_cast<unsigned char>(rng() & 0xff);
  auto file = dir.path() / "page.pgm";
  write_file(file, "P5\n" + std::to_string(w) + " " + std::to_string(h) + "\n255\n", data);

  auto sc = open_or_die("pnm:0");
  ASSERT_TRUE(sc);
  auto st = sc->set_option("filename", file.string());
  ASSERT_TRUE(st.has_value()) << st.error().message;
  Collected c;
  auto r = sc->scan_batch(c.sink());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 1);  // no source option: one page
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0].width, w);
  EXPECT_EQ(c.frames[0].height, h);
  EXPECT_EQ(c.frames[0].channels, 1);
  EXPECT_EQ(c.frames[0].pixels, data);
}

TEST(SanePnmTest, ColorFilePixelsRoundTrip) {
  TempDir dir;
  const int w = 16, h = 9;
  std::vector<unsigned char> data(static_cast<size_t>(w) * h * 3);
  std::mt19937 rng(11);
  for (auto& p : data) p = static_cast<unsigned char>(rng() & 0xff);
  auto file = dir.path() / "page.ppm";
  write_file(file, "P6\n" + std::to_string(w) + " " + std::to_string(h) + "\n255\n", data);

  auto sc = open_or_die("pnm:1");
  ASSERT_TRUE(sc);
  ASSERT_TRUE(sc->set_option("filename", file.string()).has_value());
  Collected c;
  auto r = sc->scan_batch(c.sink());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0].width, w);
  EXPECT_EQ(c.frames[0].height, h);
  EXPECT_EQ(c.frames[0].channels, 3);
  EXPECT_EQ(c.frames[0].pixels, data);

  // The pnm backend's three-pass simulation (green, blue, red frames) gives the same image.
  ASSERT_TRUE(sc->set_option("three-pass", "yes").has_value());
  Collected three;
  r = sc->scan_batch(three.sink());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(three.frames.size(), 1u);
  EXPECT_EQ(three.frames[0].pixels, data);
}

TEST(SanePnmTest, BitmapFileIsExpanded) {
  TempDir dir;
  const int w = 13, h = 4;  // rows padded to 2 bytes
  std::vector<unsigned char> data = {0xF0, 0x08, 0x00, 0x00, 0xFF, 0xF8, 0xAA, 0xA8};
  auto file = dir.path() / "page.pbm";
  write_file(file, "P4\n13 4\n", data);
  auto sc = open_or_die("pnm:0");
  ASSERT_TRUE(sc);
  ASSERT_TRUE(sc->set_option("filename", file.string()).has_value());
  Collected c;
  auto r = sc->scan_batch(c.sink());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(c.frames.size(), 1u);
  const Frame& f = c.frames[0];
  ASSERT_EQ(f.width, w);
  ASSERT_EQ(f.height, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      bool black = data[static_cast<size_t>(y * 2 + x / 8)] & (0x80 >> (x % 8));
      EXPECT_EQ(f.pixels[static_cast<size_t>(y * w + x)], black ? 0 : 255) << x << "," << y;
    }
}

TEST(SanePnmTest, ConfigureReportsMissingOptionAndResolutionSnaps) {
  auto sc = open_or_die("pnm:0");
  ASSERT_TRUE(sc);
  auto st = sc->configure(small(Source::kFlatbed, Mode::kGray, 300));
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, Code::kUnsupported);
  EXPECT_NE(st.error().message.find("'mode'"), std::string::npos) << st.error().message;
  auto adf = sc->configure(small(Source::kAdf, Mode::kGray, 300));
  ASSERT_FALSE(adf.has_value());
  EXPECT_EQ(adf.error().code, Code::kUnsupported);
  EXPECT_NE(adf.error().message.find("source"), std::string::npos) << adf.error().message;
  // Word-list constraint: the nearest allowed value is taken.
  ASSERT_TRUE(sc->set_option("resolution", "299").has_value());
  EXPECT_EQ(sc->get_option("resolution").value_or(""), "300");
  ASSERT_TRUE(sc->set_option("resolution", "80").has_value());
  EXPECT_EQ(sc->get_option("resolution").value_or(""), "75");
}

TEST(SanePnmTest, SimulatedStatusesFromPnm) {
  TempDir dir;
  std::vector<unsigned char> data(64, 128);
  auto file = dir.path() / "page.pgm";
  write_file(file, "P5\n8 8\n255\n", data);
  struct Case {
    const char* option;
    Code code;
    const char* words;
  } cases[] = {{"status-jammed", Code::kJammed, "paper jam after 0 pages on pnm:0"},
               {"status-coveropen", Code::kCoverOpen, "cover open"},
               {"status-ioerror", Code::kIo, "I/O error"},
               {"status-nodocs", Code::kFeederEmpty, "no document"}};
  for (const auto& c : cases) {
    auto sc = open_or_die("pnm:0");
    ASSERT_TRUE(sc);
    ASSERT_TRUE(sc->set_option("filename", file.string()).has_value());
    ASSERT_TRUE(sc->set_option(c.option, "yes").has_value()) << c.option;
    Collected col;
    auto r = sc->scan_batch(col.sink());
    ASSERT_FALSE(r.has_value()) << c.option;
    EXPECT_EQ(r.error().code, c.code) << r.error().message;
    EXPECT_NE(r.error().message.find(c.words), std::string::npos) << r.error().message;
    EXPECT_TRUE(col.frames.empty());
    ASSERT_TRUE(sc->set_option("status", "yes").has_value());  // back to normal
  }
}

}  // namespace
