// Station-level capture: bad files at import (zero-page PDF, decompression bomb), cleanup on
// arrival, the receipt log, progress, and scanning (a fake scanner for separation and jams
// mid-batch; real libsane through its pnm backend for the device path); the background capture
// job with real libsane's `test` backend, continuing a jammed run, blank-page confirmation.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <random>
#include <set>
#include <thread>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "ocr/cleanup.h"
#include "ocr/image.h"
#include "ocr/separator.h"
#include "scanner/scanner.h"
#include "services.h"
#include "station/station.h"
#include "../station/test_support.h"
#include "../scanner/sane_isolation.h"

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

class Capture : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.data_dir = tmp_.path / "store";
    config_.recognize_on_capture = false;  // capture alone: no background OCR
    config_.import_roots = {tmp_.path};    // the web import reads only under the configured roots
    config_.profiles_dir = (tmp_.path / "profiles").string();
    fs::create_directories(config_.profiles_dir);
    auto s = station::Station::create(config_, "unit test passphrase");
    ASSERT_TRUE(s) << s.error().detail;
    station_ = std::move(*s);
    auto a = station_->add_user(nullptr, "admin", "tsuki-hana-001", Role::kAdmin);
    auto c = station_->add_user(&*a, "clerk", "yama-kawa-002", Role::kClerk);
    ASSERT_TRUE(c);
    clerk_ = *c;
    // Page images are the reviewers' (a clerk sees only pages flagged blank: issue #16).
    auto r = station_->add_user(&*a, "pagereader", "mizu-tori-006", Role::kReviewer);
    ASSERT_TRUE(r);
    reader_ = *r;
  }
  // Scans from now on go to a FakeScanner loaded with `pages` that then reports `end`. The first
  // call reopens the station with Services::make_scanner set (injected through Station::open, as
  // a Station takes all its replaced parts); later calls reload the fake's stack.
  void use_fake(std::vector<cv::Mat> pages, scanner::Code end) {
    fake_pages_ = std::move(pages);
    fake_end_ = end;
    if (faked_) return;
    faked_ = true;
    station::Services services;
    services.make_scanner = [this](const std::string&) -> scanner::Result<std::unique_ptr<scanner::Scanner>> {
      return std::make_unique<FakeScanner>(fake_pages_, fake_end_);
    };
    station_.reset();
    auto s = station::Station::open(config_, station::StoreSecrets{"unit test passphrase", {}}, &services);
    ASSERT_TRUE(s) << s.error().detail;
    station_ = std::move(*s);
  }
  testing_support::TempDir tmp_;
  station::Config config_;
  std::unique_ptr<station::Station> station_;
  station::User clerk_;
  station::User reader_;
  bool faked_ = false;
  std::vector<cv::Mat> fake_pages_;
  scanner::Code fake_end_ = scanner::Code::kFeederEmpty;
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
  EXPECT_NE(bomb.error().reason_ja.find("c-bomb.png"), std::string::npos) << "names the file: " << bomb.error().reason_ja;
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
  // What review sees is the cleaned page turned upright by recognition, which places every form in
  // all four quarter turns (cleanup only straightens and crops: OSD cost a third of the pipeline).
  ASSERT_TRUE(station_->recognize(clerk_, r->envelope_id));
  auto png = station_->page_png(reader_, (*pages)[0].id, 1654);
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
  auto png = station_->page_png(reader_, (*pages)[1].id, 400);
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

// ---- blank pages, stacks' enclosures

// A blank back: paper white with noise, as JPEG.
std::string blank_jpeg() {
  std::vector<unsigned char> white(static_cast<std::size_t>(1654) * 2339);
  std::mt19937 rng(5);
  for (auto& p : white) p = static_cast<unsigned char>(236 + rng() % 12);
  auto blank = ocr::Image::from_pixels(1654, 2339, 1, white, 200);
  EXPECT_TRUE(blank);
  return as_string(*blank->encode_jpeg(60));
}

TEST_F(Capture, BlankPagesAreConfirmedOrClearedNeverDroppedAndAudited) {
  const fs::path in = tmp_.path / "in";
  fs::create_directories(in);
  fs::copy_file(kShared / "samples/app-002/page-03.jpg", in / "a-page.jpg");
  testing_support::write_file(in / "b-blank.jpg", blank_jpeg());
  testing_support::write_file(in / "c-blank.jpg", blank_jpeg());
  auto r = station_->import_envelope(clerk_, {in}, {"2025-06-05", 1});
  ASSERT_TRUE(r) << r.error().detail;
  auto pages = station_->pages(clerk_, r->envelope_id);
  ASSERT_TRUE(pages && pages->size() == 3u);
  ASSERT_TRUE(has_flag((*pages)[1], "blank") && has_flag((*pages)[2], "blank"));
  const auto b = (*pages)[1].id;
  const auto c = (*pages)[2].id;
  // A reviewer may not; a page that does not exist is named as such.
  auto admin = station_->login("admin", "tsuki-hana-001");
  ASSERT_TRUE(admin);
  auto reviewer = station_->add_user(&*admin, "rev", "kumo-sora-003", Role::kReviewer);
  auto sup = station_->add_user(&*admin, "sup", "hoshi-umi-004", Role::kSupervisor);
  ASSERT_TRUE(reviewer && sup);
  auto refused = station_->confirm_blank(*reviewer, b, true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  auto missing = station_->confirm_blank(clerk_, 999999, true);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(station_->confirm_blank(clerk_, b, true));   // blank: kept, flagged as confirmed
  ASSERT_TRUE(station_->confirm_blank(clerk_, c, false));  // not blank: the flag goes
  pages = station_->pages(clerk_, r->envelope_id);
  ASSERT_TRUE(pages && pages->size() == 3u) << "no page is ever dropped";
  EXPECT_TRUE(has_flag((*pages)[1], "blank_confirmed"));
  EXPECT_FALSE(has_flag((*pages)[1], "blank"));
  EXPECT_FALSE(has_flag((*pages)[2], "blank"));
  EXPECT_FALSE(has_flag((*pages)[2], "blank_confirmed"));
  auto log = station_->intake_log(clerk_, "2025-06-05");
  ASSERT_TRUE(log && log->size() == 1u);
  EXPECT_EQ((*log)[0].blank_pages, 0);
  // Changing one's mind: the confirmed page is marked not blank after all.
  ASSERT_TRUE(station_->confirm_blank(clerk_, b, false));
  pages = station_->pages(clerk_, r->envelope_id);
  EXPECT_FALSE(has_flag((*pages)[1], "blank_confirmed"));
  // The audit log names the envelope and the page, never a value.
  station::AuditQuery q;
  q.envelope_id = r->envelope_id;
  auto entries = station_->audit_search(*sup, q);
  ASSERT_TRUE(entries) << entries.error().detail;
  int confirmed = 0, cleared = 0;
  for (const auto& e : *entries) {
    if (e.action == "page.blank_confirmed") ++confirmed;
    if (e.action == "page.blank_cleared") ++cleared;
    if (e.action.starts_with("page.blank")) {
      EXPECT_EQ(e.username, "clerk");
    }
  }
  EXPECT_EQ(confirmed, 1);
  EXPECT_EQ(cleared, 2);
}

TEST_F(Capture, EachEnvelopeOfAStackRecordsItsEnclosures) {
  const cv::Mat a1 = gray_page(kShared / "samples/app-001/page-01.jpg");
  const cv::Mat a2 = gray_page(kShared / "samples/app-001/page-02.jpg");
  const cv::Mat b1 = gray_page(kShared / "samples/app-004/page-01.jpg");
  const cv::Mat sep = separator_page();
  // Envelope 1: its own sheet and three enclosed sheets; envelope 2: its own sheet and one.
  use_fake({sep, a1, a2, b1, a2, sep, b1, a1}, scanner::Code::kFeederEmpty);
  station::ScanRequest req;
  req.device = "fake:0";
  req.separate = true;
  req.intake = {"2025-06-05", 9};  // one count cannot fit a stack: not used for it
  auto r = station_->scan(clerk_, req);
  ASSERT_TRUE(r) << r.error().detail;
  ASSERT_EQ(r->envelopes.size(), 2u);
  auto log = station_->intake_log(clerk_, "2025-06-05");
  ASSERT_TRUE(log && log->size() == 2u);
  EXPECT_EQ((*log)[0].enclosures, 3) << "sheets between the separators, the envelope's own not counted";
  EXPECT_EQ((*log)[1].enclosures, 1);
  // What the clerk counted wins, envelope by envelope; the rest are counted.
  use_fake({sep, a1, a2, sep, b1, a1, a2}, scanner::Code::kFeederEmpty);
  req.stack_enclosures = {4};
  r = station_->scan(clerk_, req);
  ASSERT_TRUE(r && r->envelopes.size() == 2u);
  log = station_->intake_log(clerk_, "2025-06-05");
  ASSERT_TRUE(log && log->size() == 4u);
  EXPECT_EQ((*log)[2].enclosures, 4);
  EXPECT_EQ((*log)[3].enclosures, 2);
  req.stack_enclosures = {-1};
  auto bad = station_->scan(clerk_, req);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
}

// ---- the background capture job (the web UI's), with real libsane's `test` backend

// Polls a job until it has ended (or `deadline` passes); returns the samples of its progress.
std::vector<station::CaptureJob> follow(station::Station& st, const station::User& u, std::int64_t id,
                                        std::chrono::seconds deadline = std::chrono::seconds(120)) {
  std::vector<station::CaptureJob> seen;
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    auto j = st.capture_job(u, id);
    EXPECT_TRUE(j) << (j ? std::string() : j.error().detail);
    if (!j) break;
    seen.push_back(*j);
    if (j->state != "running" || std::chrono::steady_clock::now() > until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return seen;
}

TEST_F(Capture, ImportJobReportsProgressToTheEndAndItsOutcome) {
  const fs::path in = tmp_.path / "in";
  fs::create_directories(in);
  fs::copy_file(kShared / "samples/app-002/page-02.jpg", in / "a.jpg");
  fs::copy_file(kShared / "samples/app-002/page-03.jpg", in / "b.jpg");
  testing_support::write_file(in / "c-blank.jpg", blank_jpeg());
  testing_support::write_file(in / "d-broken.jpg", "not a jpeg");
  station::CaptureJobRequest req;
  req.import = true;
  req.folder = in.string();
  req.scan.intake = {"2025-06-05", 2};
  auto id = station_->start_capture(clerk_, req);
  ASSERT_TRUE(id) << id.error().detail;
  const auto seen = follow(*station_, clerk_, *id);
  ASSERT_FALSE(seen.empty());
  const auto& end = seen.back();
  EXPECT_EQ(end.state, "done") << end.problem_ja;
  EXPECT_EQ(end.kind, "import");
  EXPECT_EQ(end.started_by, "clerk");
  EXPECT_EQ(end.progress.pages, 3);
  EXPECT_GT(end.progress.pages_per_minute, 0.0);
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i].progress.pages, seen[i - 1].progress.pages);
  ASSERT_EQ(end.envelopes.size(), 1u);
  EXPECT_EQ(end.envelopes[0].receipt_no, "M20250605-0001");
  EXPECT_EQ(end.envelopes[0].pages, 3);
  ASSERT_EQ(end.envelopes[0].problems_ja.size(), 1u);
  EXPECT_NE(end.envelopes[0].problems_ja[0].find("d-broken.jpg"), std::string::npos);
  EXPECT_EQ(end.blank_pages, 1);
  EXPECT_GE(end.flagged_pages, 1);
  EXPECT_EQ(end.continue_envelope_id, 0);
  // The latest job is job 0; an unknown one is not found.
  auto latest = station_->capture_job(clerk_, 0);
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->id, *id);
  EXPECT_EQ(station_->capture_job(clerk_, 4242).error().code, ErrorCode::kNotFound);
  // Bad starts are refused before anything runs, each with its own code.
  req.folder = (tmp_.path / "no-such-folder").string();
  EXPECT_EQ(station_->start_capture(clerk_, req).error().code, ErrorCode::kNoPages);
  req.folder = in.string();
  req.scan.intake.received_date = "2025-02-30";
  EXPECT_EQ(station_->start_capture(clerk_, req).error().code, ErrorCode::kInvalidInput);
  auto admin = station_->login("admin", "tsuki-hana-001");
  auto reviewer = station_->add_user(&*admin, "rev", "kumo-sora-003", Role::kReviewer);
  ASSERT_TRUE(reviewer);
  req.scan.intake.received_date = "2025-06-05";
  EXPECT_EQ(station_->start_capture(*reviewer, req).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(station_->capture_job(*reviewer, *id).error().code, ErrorCode::kForbidden);
}

// The `test` backend reads through a helper thread that a cancel can leave hung (see
// tests/unit/scanner/sane_scanner_test.cpp): each scenario runs in a forked child with a
// deadline, retried if the child hangs.
void run_isolated(const std::function<void()>& body) { sane_test::run_isolated(body, 3, 240000); }

// A real SANE scanner whose feeder jams after `jam_after` sheets: the fault is armed in the real
// backend between sheets (as a clerk's jam happens), and the run can be held at a sheet so that
// the test can act while the job is surely running.
class JammingSane : public scanner::Scanner {
 public:
  JammingSane(std::unique_ptr<scanner::Scanner> real, int jam_after, std::atomic<bool>* hold)
      : real_(std::move(real)), jam_after_(jam_after), hold_(hold) {}
  scanner::Status configure(const scanner::Settings& s) override { return real_->configure(s); }
  scanner::Result<int> scan_batch(const scanner::FrameSink& sink) override {
    return real_->scan_batch([&](scanner::Frame&& f, int index) {
      const bool go_on = sink(std::move(f), index);
      while (hold_ != nullptr && hold_->load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (index + 1 == jam_after_) {
        EXPECT_TRUE(real_->set_option("read-return-value", "SANE_STATUS_JAMMED"));
      }
      return go_on;
    });
  }
  void cancel() override { real_->cancel(); }
  scanner::Status set_option(const std::string& n, const std::string& v) override { return real_->set_option(n, v); }
  scanner::Result<std::string> get_option(const std::string& n) override { return real_->get_option(n); }
  void set_option_names(const scanner::OptionNames& names) override { real_->set_option_names(names); }

 private:
  std::unique_ptr<scanner::Scanner> real_;
  int jam_after_;
  std::atomic<bool>* hold_;
};

// The `test` backend's feeder: small grey pages with a grid, 10 sheets.
void write_test_profile(const fs::path& dir) {
  testing_support::write_file(dir / "sane-test.json",
                              R"({ "id": "sane-test", "match": { "backend": "test" },
                                   "defaults": { "source": "adf", "mode": "gray", "dpi": 75,
                                                 "page_width_mm": 60, "page_height_mm": 80 },
                                   "values": { "adf": "Automatic Document Feeder", "flatbed": "Flatbed" },
                                   "extra": { "test-picture": "Grid", "read-return-value": "Default" } })");
}

void continue_after_jam_scenario(const fs::path& root) {
  station::Config config;
  config.data_dir = root / "store";
  config.recognize_on_capture = false;  // capture alone: no background OCR
  config.profiles_dir = (root / "profiles").string();
  fs::create_directories(config.profiles_dir);
  write_test_profile(config.profiles_dir);
  // Run 1's scanner is SANE's, wrapped to jam after 3 sheets and held after the first meanwhile;
  // run 2's is SANE's own (the factory hands it over unwrapped once `wrap` is cleared).
  std::atomic<bool> hold{true};
  std::atomic<bool> wrap{true};
  station::Services services;
  services.make_scanner = [&hold, &wrap](const std::string& name) -> scanner::Result<std::unique_ptr<scanner::Scanner>> {
    auto real = scanner::Sane::open(name);
    if (!real) return std::unexpected(real.error());
    if (!wrap) return std::move(*real);
    return std::make_unique<JammingSane>(std::move(*real), 3, &hold);
  };
  auto st = station::Station::create(config, "unit test passphrase", &services);
  ASSERT_TRUE(st) << st.error().detail;
  auto admin = (*st)->add_user(nullptr, "admin", "tsuki-hana-001", Role::kAdmin);
  auto clerk = (*st)->add_user(&*admin, "clerk", "yama-kawa-002", Role::kClerk);
  auto clerk2 = (*st)->add_user(&*admin, "clerk2", "mori-hayashi-005", Role::kClerk);
  ASSERT_TRUE(clerk && clerk2);

  // Run 1: the feeder jams after 3 sheets; the run is held after the first sheet meanwhile.
  station::CaptureJobRequest req;
  req.scan.device = "test:0";
  req.scan.intake = {"2025-06-05", 2};
  auto id = (*st)->start_capture(*clerk, req);
  ASSERT_TRUE(id) << id.error().detail;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((*st)->capture_job(*clerk, *id)->progress.pages < 1 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto running = (*st)->capture_job(*clerk, *id);
  ASSERT_TRUE(running);
  EXPECT_EQ(running->state, "running");
  EXPECT_EQ(running->progress.pages, 1);
  // While it runs: a second start (anyone's) is refused with its own message; SANE is left alone.
  auto second = (*st)->start_capture(*clerk2, req);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kCaptureBusy);
  EXPECT_NE(std::string(station::message_ja(second.error().code)).find("実行中"), std::string::npos);
  auto devices = (*st)->scanners(*clerk2);
  ASSERT_FALSE(devices);
  EXPECT_EQ(devices.error().code, ErrorCode::kCaptureBusy);
  hold = false;
  auto seen = follow(**st, *clerk, *id);
  ASSERT_FALSE(seen.empty());
  auto end = seen.back();
  ASSERT_EQ(end.state, "interrupted") << end.problem_ja;
  EXPECT_NE(end.problem_ja.find("紙詰まり"), std::string::npos) << end.problem_ja;
  EXPECT_NE(end.problem_ja.find("3 ページは保存済み"), std::string::npos) << end.problem_ja;
  EXPECT_EQ(end.progress.pages, 3);
  ASSERT_EQ(end.envelopes.size(), 1u);
  const auto envelope_id = end.envelopes[0].envelope_id;
  const std::string receipt_no = end.envelopes[0].receipt_no;
  EXPECT_EQ(end.continue_envelope_id, envelope_id);
  auto before = (*st)->pages(*clerk, envelope_id);
  ASSERT_TRUE(before && before->size() == 3u);

  // Run 2: 続けてスキャン after clearing the jam, by 受付番号, through SANE itself (no wrapper):
  // the feeder delivers its 10 sheets into the same envelope, numbered 4..13.
  wrap = false;
  req.scan.continue_envelope = receipt_no;
  auto id2 = (*st)->start_capture(*clerk, req);
  ASSERT_TRUE(id2) << id2.error().detail;
  seen = follow(**st, *clerk, *id2);
  ASSERT_FALSE(seen.empty());
  end = seen.back();
  ASSERT_EQ(end.state, "done") << end.problem_ja;
  EXPECT_EQ(end.progress.pages, 10);
  EXPECT_GT(end.progress.pages_per_minute, 0.0);
  ASSERT_EQ(end.envelopes.size(), 1u);
  EXPECT_EQ(end.envelopes[0].envelope_id, envelope_id);
  EXPECT_EQ(end.envelopes[0].pages, 10);
  auto after = (*st)->pages(*clerk, envelope_id);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 13u);
  std::set<int> seqs;
  std::set<std::int64_t> ids;
  for (std::size_t i = 0; i < after->size(); ++i) {
    EXPECT_EQ((*after)[i].seq, static_cast<int>(i) + 1);
    seqs.insert((*after)[i].seq);
    ids.insert((*after)[i].id);
  }
  EXPECT_EQ(seqs.size(), 13u) << "no page number twice";
  EXPECT_EQ(ids.size(), 13u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ((*after)[i].id, (*before)[i].id) << "the pages before the jam stay";
  auto log = (*st)->intake_log(*clerk, "2025-06-05");
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 1u) << "no second envelope";
  EXPECT_EQ((*log)[0].pages, 13);
  EXPECT_EQ((*log)[0].enclosures, 2) << "the clerk's count stays";
  // Continuing an envelope that does not exist is refused before the scanner is touched.
  req.scan.continue_envelope = "M20250605-0099";
  auto none = (*st)->start_capture(*clerk, req);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  // The scanner is free again.
  EXPECT_TRUE((*st)->scanners(*clerk));
}

TEST_F(Capture, AJammedScanJobContinuesIntoTheSameEnvelopeThroughSane) {
  run_isolated([this] { continue_after_jam_scenario(tmp_.path / "sane"); });
}

void cli_like_continue_scenario(const fs::path& root) {
  // The synchronous path (what `station scan --continue` runs): a jam reported by the device at
  // the first sheet keeps the envelope; continuing by id numbers pages after the last one.
  station::Config config;
  config.data_dir = root / "store";
  config.recognize_on_capture = false;  // capture alone: no background OCR
  config.profiles_dir = (root / "profiles").string();
  fs::create_directories(config.profiles_dir);
  write_test_profile(config.profiles_dir);
  auto st = station::Station::create(config, "unit test passphrase");
  ASSERT_TRUE(st) << st.error().detail;
  auto admin = (*st)->add_user(nullptr, "admin", "tsuki-hana-001", Role::kAdmin);
  auto clerk = (*st)->add_user(&*admin, "clerk", "yama-kawa-002", Role::kClerk);
  ASSERT_TRUE(clerk);
  station::ScanRequest req;
  req.device = "test:1";
  req.source = "flatbed";
  req.intake = {"2025-06-05", 1};
  auto first = (*st)->scan(*clerk, req);
  ASSERT_TRUE(first) << first.error().detail;
  ASSERT_FALSE(first->interrupted) << first->problem_ja;
  ASSERT_EQ(first->envelopes.size(), 1u);
  const auto envelope_id = first->envelopes[0].envelope_id;
  req.continue_envelope = std::to_string(envelope_id);
  std::vector<station::CaptureProgress> seen;
  auto more = (*st)->scan(*clerk, req, [&](const station::CaptureProgress& p) { seen.push_back(p); });
  ASSERT_TRUE(more) << more.error().detail;
  ASSERT_EQ(more->envelopes.size(), 1u);
  EXPECT_EQ(more->envelopes[0].envelope_id, envelope_id);
  EXPECT_EQ(more->envelopes[0].receipt_no, first->envelopes[0].receipt_no);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].pages, 1);
  auto pages = (*st)->pages(*clerk, envelope_id);
  ASSERT_TRUE(pages && pages->size() == 2u);
  EXPECT_EQ((*pages)[1].seq, 2);
  // An envelope already read by OCR takes no more pages.
  ASSERT_TRUE((*st)->recognize(*clerk, envelope_id));
  auto late = (*st)->scan(*clerk, req);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
}

TEST_F(Capture, ScanContinuesByEnvelopeIdThroughSane) {
  run_isolated([this] { cli_like_continue_scenario(tmp_.path / "sane-sync"); });
}

}  // namespace
