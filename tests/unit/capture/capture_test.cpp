// Station-level capture: bad files at import (zero-page PDF, decompression bomb), cleanup on
// arrival, the receipt log, progress, and scanning (a fake scanner for separation and jams
// mid-batch; real libsane through its pnm backend for the device path).
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <random>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "ocr/cleanup.h"
#include "ocr/image.h"
#include "ocr/separator.h"
#include "scan_hooks.h"
#include "station/station.h"
#include "../station/test_support.h"

extern "C" const char* __lsan_default_options() { return "suppressions=" STATION_SOURCE_DIR "/tests/lsan.supp"; }

using station::ErrorCode;
using station::Role;
namespace fs = std::filesystem;

namespace {

const bool kSaneConfigSet = [] {
  ::setenv("SANE_CONFIG_DIR", CAPTURE_SANE_CONFIG_DIR, 1);
  for (const char* lib : {"libsane-test.so.1", "libsane-pnm.so.1"}) {
    std::string path = std::string(CAPTURE_SANE_BACKEND_DIR) + "/" + lib;
    ::dlopen(path.c_str(), RTLD_LAZY | RTLD_NODELETE);
  }
  return true;
}();

const fs::path kShared = STATION_SHARED_DIR;

std::vector<unsigned char> bytes_of(const fs::path& p) {
  const std::string s = testing_support::read_file(p);
  return {s.begin(), s.end()};
}

ocr::Image decode(const std::vector<unsigned char>& bytes) {
  auto pages = ocr::decode_pages(bytes);
  EXPECT_TRUE(pages && !pages->empty());
  return pages && !pages->empty() ? (*pages)[0] : ocr::Image{};
}

std::string as_string(const std::vector<unsigned char>& v) { return {v.begin(), v.end()}; }

std::uint32_t crc32(const unsigned char* p, std::size_t n, std::uint32_t crc = 0) {
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// A PNG that declares 30000 x 30000 pixels (900 Mpx) with a tiny compressed body.
std::string png_bomb() {
  auto be32 = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  auto chunk = [&](const std::string& type, const std::string& data) {
    std::string td = type + data;
    return be32(static_cast<std::uint32_t>(data.size())) + td +
           be32(crc32(reinterpret_cast<const unsigned char*>(td.data()), td.size()));
  };
  std::string ihdr = be32(30000) + be32(30000) + std::string("\x08\x00\x00\x00\x00", 5);
  const std::string idat("\x78\x9c\x63\x00\x00\x00\x01\x00\x01", 9);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", "");
}

const char* kZeroPagePdf =
    "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n"
    "endobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

bool has_flag(const station::PageInfo& p, const std::string& f) {
  return std::find(p.flags.begin(), p.flags.end(), f) != p.flags.end();
}

// A scanner that delivers the given pages, then reports `end` (feeder empty: a normal end).
class FakeScanner : public scanner::Scanner {
 public:
  FakeScanner(std::vector<cv::Mat> pages, scanner::Code end) : pages_(std::move(pages)), end_(end) {}
  scanner::Status configure(const scanner::Settings&) override { return {}; }
  scanner::Result<int> scan_batch(const scanner::FrameSink& sink) override {
    int n = 0;
    for (const auto& m : pages_) {
      scanner::Frame f;
      f.width = m.cols;
      f.height = m.rows;
      f.channels = 1;
      f.dpi = 200;
      f.pixels.assign(m.datastart, m.dataend);
      if (!sink(std::move(f), n)) return scanner::fail(scanner::Code::kCancelled, "stopped");
      ++n;
    }
    if (end_ == scanner::Code::kFeederEmpty) return n;
    return scanner::fail(end_, "fake device problem after " + std::to_string(n) + " pages");
  }
  void cancel() override {}

 private:
  std::vector<cv::Mat> pages_;
  scanner::Code end_;
};

cv::Mat gray_page(const fs::path& p) { return cv::imread(p.string(), cv::IMREAD_GRAYSCALE); }

cv::Mat separator_page() {
  auto png = station::Station::separator_sheet("png");
  EXPECT_TRUE(png);
  return cv::imdecode(*png, cv::IMREAD_GRAYSCALE);
}

void use_fake(std::vector<cv::Mat> pages, scanner::Code end) {
  station::scan_hooks::set_scanner_factory(
      [pages, end](const std::string&) -> scanner::Result<std::unique_ptr<scanner::Scanner>> {
        return std::make_unique<FakeScanner>(pages, end);
      });
}

class Capture : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.data_dir = tmp_.path / "store";
    config_.profiles_dir = (tmp_.path / "profiles").string();
    fs::create_directories(config_.profiles_dir);
    auto s = station::Station::create(config_, "unit test passphrase");
    ASSERT_TRUE(s) << s.error().detail;
    station_ = std::move(*s);
    auto a = station_->add_user(nullptr, "admin", "tsuki-hana-001", Role::kAdmin);
    auto c = station_->add_user(&*a, "clerk", "yama-kawa-002", Role::kClerk);
    ASSERT_TRUE(c);
    clerk_ = *c;
  }
  void TearDown() override { station::scan_hooks::set_scanner_factory({}); }
  testing_support::TempDir tmp_;
  station::Config config_;
  std::unique_ptr<station::Station> station_;
  station::User clerk_;
};

TEST_F(Capture, ZeroPagePdfAndBombAreNamedAndTheRestIsKept) {
  const fs::path in = tmp_.path / "in";
  fs::create_directories(in);
  fs::copy_file(kShared / "samples/app-001/page-02.jpg", in / "a-good.jpg");
  testing_support::write_file(in / "b-empty.pdf", kZeroPagePdf);
  testing_support::write_file(in / "c-bomb.png", png_bomb());
  fs::copy_file(kShared / "samples/app-001/page-03.jpg", in / "d-good.jpg");
  auto r = station_->import_envelope(clerk_, {in}, {"2025-06-05", 2});
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->pages, 2);
  ASSERT_EQ(r->problems_ja.size(), 2u);
  EXPECT_NE(r->problems_ja[0].find("b-empty.pdf"), std::string::npos);
  EXPECT_NE(r->problems_ja[1].find("c-bomb.png"), std::string::npos);
  EXPECT_NE(r->problems_ja[1].find("大きすぎ"), std::string::npos) << r->problems_ja[1];
  EXPECT_NE(r->problems_ja[1].find("読み取り直して"), std::string::npos) << "says what to do";
  auto pages = station_->pages(clerk_, r->envelope_id);
  ASSERT_TRUE(pages);
  ASSERT_EQ(pages->size(), 2u);
  EXPECT_EQ((*pages)[0].source_name, "a-good.jpg");
  EXPECT_EQ((*pages)[1].source_name, "d-good.jpg");
  // A bomb alone: refused, no envelope left behind.
  auto bomb = station_->import_envelope(clerk_, {in / "c-bomb.png"}, {"2025-06-05", 1});
  ASSERT_FALSE(bomb);
  EXPECT_EQ(bomb.error().code, ErrorCode::kNoPages);
  auto log = station_->intake_log(clerk_, "2025-06-05");
  ASSERT_TRUE(log);
  EXPECT_EQ(log->size(), 1u);
}

TEST_F(Capture, PagesAreCleanedOnArrivalAndTheOriginalIsKept) {
  const fs::path in = tmp_.path / "in";
  fs::create_directories(in);
  const ocr::Image upright = decode(bytes_of(kShared / "samples/app-002/page-02.jpg"));
  auto turned = upright.rotated(2).encode_png();
  ASSERT_TRUE(turned);
  testing_support::write_file(in / "a-upside-down.png", as_string(*turned));
  // A blank back: paper white with noise, as JPEG.
  std::vector<unsigned char> white(static_cast<std::size_t>(1654) * 2339);
  std::mt19937 rng(5);
  for (auto& p : white) p = static_cast<unsigned char>(236 + rng() % 12);
  auto blank = ocr::Image::from_pixels(1654, 2339, 1, white, 200);
  ASSERT_TRUE(blank);
  testing_support::write_file(in / "b-blank.jpg", as_string(*blank->encode_jpeg(60)));
  std::vector<station::CaptureProgress> seen;
  auto r = station_->import_envelope(clerk_, {in}, {"2025-06-05", 1},
                                     [&](const station::CaptureProgress& p) { seen.push_back(p); });
  ASSERT_TRUE(r) << r.error().detail;
  ASSERT_EQ(r->pages, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen.back().pages, 2);
  EXPECT_GT(seen.back().pages_per_minute, 0.0);
  auto pages = station_->pages(clerk_, r->envelope_id);
  ASSERT_TRUE(pages);
  ASSERT_EQ(pages->size(), 2u);
  EXPECT_FALSE(has_flag((*pages)[0], "blank"));
  EXPECT_TRUE(has_flag((*pages)[1], "blank")) << "flagged for the clerk, never dropped";
  // What recognition and review see is the cleaned, upright page.
  auto png = station_->page_png(clerk_, (*pages)[0].id, 1654);
  ASSERT_TRUE(png) << png.error().detail;
  const auto o = ocr::detect_orientation(decode(*png));
  EXPECT_EQ(o.quarter_turns, 0);
  // The receipt log counts the blank page until the clerk confirms it.
  auto log = station_->intake_log(clerk_, "2025-06-05");
  ASSERT_TRUE(log && log->size() == 1u);
  EXPECT_EQ((*log)[0].blank_pages, 1);
  ASSERT_TRUE(station_->confirm_blank(clerk_, (*pages)[1].id, true));
  log = station_->intake_log(clerk_, "2025-06-05");
  EXPECT_EQ((*log)[0].blank_pages, 0);
}

TEST_F(Capture, ReceiptLogListsTheDayAndExportsXlsx) {
  const fs::path page = kShared / "samples/app-002/page-03.jpg";
  ASSERT_TRUE(station_->import_envelope(clerk_, {page}, {"2025-06-05", 4}));
  ASSERT_TRUE(station_->import_envelope(clerk_, {page}, {"2025-06-05", 5}));
  ASSERT_TRUE(station_->import_envelope(clerk_, {page}, {"2025-06-06", 1}));
  auto log = station_->intake_log(clerk_, "2025-06-05");
  ASSERT_TRUE(log) << log.error().detail;
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].receipt_no, "M20250605-0001");
  EXPECT_EQ((*log)[1].receipt_no, "M20250605-0002");
  EXPECT_EQ((*log)[0].clerk, "clerk");
  EXPECT_EQ((*log)[0].enclosures, 4);
  EXPECT_EQ((*log)[1].enclosures, 5);
  EXPECT_EQ((*log)[0].pages, 1);
  EXPECT_EQ((*log)[0].source, "import");
  auto xlsx = station_->intake_log_xlsx(clerk_, "2025-06-05");
  ASSERT_TRUE(xlsx) << xlsx.error().detail;
  ASSERT_GT(xlsx->size(), 100u);
  EXPECT_EQ((*xlsx)[0], 'P');
  EXPECT_EQ((*xlsx)[1], 'K');
  EXPECT_FALSE(station_->intake_log(clerk_, "2025-13-40"));
}

TEST_F(Capture, SeparatorSheetRendersAsPngAndPdf) {
  auto png = station::Station::separator_sheet("png");
  ASSERT_TRUE(png);
  EXPECT_TRUE(ocr::detect_separator(decode(*png)).found());
  auto pdf = station::Station::separator_sheet("pdf");
  ASSERT_TRUE(pdf);
  EXPECT_EQ(as_string(*pdf).substr(0, 5), "%PDF-");
  EXPECT_FALSE(station::Station::separator_sheet("gif"));
}

// ---- scanning

TEST_F(Capture, AStackIsSplitOnSeparatorSheets) {
  const cv::Mat a1 = gray_page(kShared / "samples/app-001/page-01.jpg");
  const cv::Mat a2 = gray_page(kShared / "samples/app-001/page-02.jpg");
  const cv::Mat b1 = gray_page(kShared / "samples/app-004/page-01.jpg");
  const cv::Mat sep = separator_page();
  ASSERT_FALSE(a1.empty() || a2.empty() || b1.empty() || sep.empty());
  use_fake({sep, a1, a2, sep, b1, a2, b1}, scanner::Code::kFeederEmpty);
  station::ScanRequest req;
  req.device = "fake:0";
  req.separate = true;
  req.intake.received_date = "2025-06-05";
  std::vector<station::CaptureProgress> seen;
  auto r = station_->scan(clerk_, req, [&](const station::CaptureProgress& p) { seen.push_back(p); });
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_FALSE(r->interrupted) << r->problem_ja;
  EXPECT_EQ(r->pages, 7);
  ASSERT_EQ(r->envelopes.size(), 2u);
  EXPECT_EQ(r->envelopes[0].receipt_no, "M20250605-0001");
  EXPECT_EQ(r->envelopes[0].pages, 4);  // leading separator, a1, a2, the closing separator
  EXPECT_EQ(r->envelopes[1].pages, 3);
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_EQ(seen.back().envelopes, 2);
  auto pages = station_->pages(clerk_, r->envelopes[0].envelope_id);
  ASSERT_TRUE(pages && pages->size() == 4u);
  EXPECT_EQ((*pages)[0].kind, "separator");
  EXPECT_TRUE(has_flag((*pages)[0], "separator"));
  EXPECT_EQ((*pages)[1].kind, "unknown");
  EXPECT_EQ((*pages)[3].kind, "separator");
  auto log = station_->intake_log(clerk_, "2025-06-05");
  ASSERT_TRUE(log && log->size() == 2u);
  EXPECT_EQ((*log)[0].source, "scan");
  // Without --separate the same stack is one envelope.
  use_fake({a1, sep, b1}, scanner::Code::kFeederEmpty);
  req.separate = false;
  auto one = station_->scan(clerk_, req);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->envelopes.size(), 1u);
  EXPECT_EQ(one->envelopes[0].pages, 3);
}

TEST_F(Capture, AJamMidBatchKeepsEveryPageScanned) {
  const cv::Mat a1 = gray_page(kShared / "samples/app-002/page-01.jpg");
  const cv::Mat a2 = gray_page(kShared / "samples/app-002/page-02.jpg");
  use_fake({a1, a2}, scanner::Code::kJammed);
  station::ScanRequest req;
  req.device = "fake:0";
  req.intake = {"2025-06-05", 5};
  auto r = station_->scan(clerk_, req);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_TRUE(r->interrupted);
  EXPECT_NE(r->problem_ja.find("紙詰まり"), std::string::npos) << r->problem_ja;
  EXPECT_NE(r->problem_ja.find("2 ページは保存済み"), std::string::npos) << r->problem_ja;
  ASSERT_EQ(r->envelopes.size(), 1u);
  auto pages = station_->pages(clerk_, r->envelopes[0].envelope_id);
  ASSERT_TRUE(pages);
  EXPECT_EQ(pages->size(), 2u);
  auto png = station_->page_png(clerk_, (*pages)[1].id, 400);
  EXPECT_TRUE(png) << "the page scanned before the jam is readable";
  // The cover open, the device unplugged: each has its own message.
  use_fake({a1}, scanner::Code::kCoverOpen);
  auto cover = station_->scan(clerk_, req);
  ASSERT_TRUE(cover);
  EXPECT_NE(cover->problem_ja.find("カバー"), std::string::npos);
  use_fake({}, scanner::Code::kNoDevice);
  auto gone = station_->scan(clerk_, req);
  ASSERT_TRUE(gone);
  EXPECT_TRUE(gone->interrupted);
  EXPECT_NE(gone->problem_ja.find("スキャナーが見つかりません"), std::string::npos);
  EXPECT_TRUE(gone->envelopes.empty());
}

// Real libsane, pnm backend: the profile (from config.profiles_dir) names the file to feed.
void write_pnm_profile(const fs::path& dir, const fs::path& pgm, bool jam) {
  std::string extra = "{ \"filename\": \"" + pgm.string() + "\"" + (jam ? ", \"status-jammed\": \"yes\"" : "") + " }";
  testing_support::write_file(dir / "pnm.json", "{ \"id\": \"pnm-test\", \"match\": { \"backend\": \"pnm\" }, "
                                                "\"defaults\": { \"dpi\": 200 }, \"extra\": " + extra + " }");
}

TEST_F(Capture, ScansThroughSanePnmBackend) {
  const cv::Mat page = gray_page(kShared / "samples/app-003/page-03.jpg");
  ASSERT_FALSE(page.empty());
  const fs::path pgm = tmp_.path / "page.pgm";
  ASSERT_TRUE(cv::imwrite(pgm.string(), page));
  write_pnm_profile(config_.profiles_dir, pgm, false);
  auto devices = station_->scanners(clerk_);
  ASSERT_TRUE(devices) << devices.error().detail;
  bool listed = false;
  for (const auto& d : *devices)
    if (d.name == "pnm:0") listed = d.profile == "pnm-test";
  EXPECT_TRUE(listed);
  station::ScanRequest req;
  req.device = "pnm:0";
  req.intake = {"2025-06-05", 1};
  auto r = station_->scan(clerk_, req);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_FALSE(r->interrupted) << r->problem_ja;
  ASSERT_EQ(r->envelopes.size(), 1u);
  EXPECT_EQ(r->pages, 1);
  auto pages = station_->pages(clerk_, r->envelopes[0].envelope_id);
  ASSERT_TRUE(pages && pages->size() == 1u);
  EXPECT_EQ((*pages)[0].width, page.cols);
  EXPECT_EQ((*pages)[0].height, page.rows);
  // A jam reported by the device: a clear message; the earlier envelope stays.
  write_pnm_profile(config_.profiles_dir, pgm, true);
  auto jam = station_->scan(clerk_, req);
  ASSERT_TRUE(jam) << jam.error().detail;
  EXPECT_TRUE(jam->interrupted);
  EXPECT_NE(jam->problem_ja.find("紙詰まり"), std::string::npos) << jam->problem_ja;
  auto log = station_->intake_log(clerk_, "2025-06-05");
  ASSERT_TRUE(log);
  EXPECT_EQ(log->size(), 1u);
}

}  // namespace
