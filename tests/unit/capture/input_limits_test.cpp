// Issue #16 (part B), input: the web import reads only under the configured roots and follows no
// symbolic link; a file's size is checked before its bytes are read (a FIFO under an image name
// is refused instead of blocking the import); a PDF's page count is bounded. Real store, real
// decoders.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "station/capture/capture.h"
#include "station/files.h"
#include "station/station.h"
#include "../station/test_support.h"

namespace {

namespace fs = std::filesystem;
using station::ErrorCode;
using station::Role;
const fs::path kShared = STATION_SHARED_DIR;

TEST(ImportRoots, OnlyFoldersUnderAConfiguredRootReachedWithoutALink) {
  testing_support::TempDir tmp;
  const fs::path root = tmp.path / "scans";
  fs::create_directories(root / "envelope-1");
  fs::create_directories(tmp.path / "secret");
  fs::create_symlink(tmp.path / "secret", root / "link-out");
  fs::create_directories(root / "inner");
  fs::create_symlink(root / "inner", root / "link-in");
  using station::capture::import_folder_within;

  auto ok = import_folder_within({root}, root / "envelope-1");
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_EQ(*ok, fs::canonical(root / "envelope-1"));
  EXPECT_TRUE(import_folder_within({root}, root));
  // No roots configured: no web import at all, with what to do.
  auto none = import_folder_within({}, root / "envelope-1");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kForbidden);
  EXPECT_NE(none.error().reason_ja.find("import_roots"), std::string::npos);
  // Outside the root, by name or by climbing out.
  for (const fs::path& p : {tmp.path / "secret", fs::path("/etc"), root / ".." / "secret", fs::path("relative/dir")}) {
    auto r = import_folder_within({root}, p);
    ASSERT_FALSE(r) << p;
    EXPECT_EQ(r.error().code, ErrorCode::kForbidden) << p;
    EXPECT_FALSE(r.error().reason_ja.empty());
  }
  // Through a symbolic link: refused whether it points out of the root or inside it.
  for (const fs::path& p : {root / "link-out", root / "link-in", root / "link-out" / "x"}) {
    auto r = import_folder_within({root}, p);
    ASSERT_FALSE(r) << p;
    EXPECT_EQ(r.error().code, ErrorCode::kForbidden) << p;
    EXPECT_NE(r.error().reason_ja.find("シンボリックリンク"), std::string::npos) << p;
  }
  // Not there: the clerk's typing, not a policy matter.
  EXPECT_EQ(import_folder_within({root}, root / "nowhere").error().code, ErrorCode::kNoPages);
}

TEST(ReadBounded, SizeIsCheckedBeforeReadingAndNothingButRegularFilesIsRead) {
  testing_support::TempDir tmp;
  testing_support::write_file(tmp.path / "small.jpg", std::string(1000, 'x'));
  auto ok = station::read_file_bounded(tmp.path / "small.jpg", 1000);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->size(), 1000u);
  // A sparse file of 3 GB: refused from its size alone (reading it would take 3 GB of memory).
  {
    std::ofstream big(tmp.path / "big.tif", std::ios::binary);
    big.seekp(3LL * 1024 * 1024 * 1024);
    big.put('\0');
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto big = station::read_file_bounded(tmp.path / "big.tif", 200ULL * 1024 * 1024);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kImageTooLarge);
  EXPECT_NE(big.error().reason_ja.find("200 MB"), std::string::npos) << big.error().reason_ja;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  // A link to a readable file: not followed.
  fs::create_symlink(tmp.path / "small.jpg", tmp.path / "link.jpg");
  auto link = station::read_file_bounded(tmp.path / "link.jpg", 1000);
  ASSERT_FALSE(link);
  EXPECT_EQ(link.error().code, ErrorCode::kIo);
  // A FIFO under an image name: refused at once (a plain read would wait for a writer forever).
  ASSERT_EQ(::mkfifo((tmp.path / "fifo.jpg").c_str(), 0600), 0);
  auto fifo = station::read_file_bounded(tmp.path / "fifo.jpg", 1000);
  ASSERT_FALSE(fifo);
  EXPECT_EQ(fifo.error().code, ErrorCode::kIo);
  // The folder listing leaves links out.
  const auto listed = station::image_files_in(tmp.path);
  EXPECT_EQ(std::count(listed.begin(), listed.end(), tmp.path / "link.jpg"), 0);
}

class ImportLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.data_dir = tmp_.path / "store";
    config_.recognize_on_capture = false;
    config_.import_roots = {tmp_.path / "roots"};
    config_.max_file_mb = 1;
    config_.max_pages = 2;
    fs::create_directories(tmp_.path / "roots");
    auto s = station::Station::create(config_, "unit test passphrase");
    ASSERT_TRUE(s) << s.error().detail;
    station_ = std::move(*s);
    auto a = station_->add_user(nullptr, "admin", "tsuki-hana-001", Role::kAdmin);
    auto c = station_->add_user(&*a, "clerk", "yama-kawa-002", Role::kClerk);
    ASSERT_TRUE(c);
    clerk_ = *c;
  }
  testing_support::TempDir tmp_;
  station::Config config_;
  std::unique_ptr<station::Station> station_;
  station::User clerk_;
};

// A PDF of `n` small blank pages with a correct cross-reference table.
std::string pdf_of_pages(int n) {
  std::vector<std::string> objects = {"<< /Type /Catalog /Pages 2 0 R >>", ""};
  std::string kids;
  for (int i = 0; i < n; ++i) {
    kids += std::to_string(objects.size() + 1) + " 0 R ";
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 144 144] >>");
  }
  objects[1] = "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n) + " >>";
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

TEST_F(ImportLimits, OversizedFilesLinksFifosAndLongPdfsAreNamedAndSkippedTheRestIsKept) {
  const fs::path in = tmp_.path / "roots" / "envelope";
  fs::create_directories(in);
  fs::copy_file(kShared / "samples/app-001/page-03.jpg", in / "a.jpg");
  ASSERT_LT(fs::file_size(in / "a.jpg"), 1024u * 1024u);
  {
    std::ofstream big(in / "b-big.tif", std::ios::binary);
    big.seekp(5 * 1024 * 1024);
    big.put('\0');
  }
  testing_support::write_file(in / "c-long.pdf", pdf_of_pages(3));
  fs::create_symlink(kShared / "samples/app-001/page-02.jpg", in / "d-link.jpg");
  ASSERT_EQ(::mkfifo((in / "e-fifo.jpg").c_str(), 0600), 0);

  auto r = station_->import_envelope(clerk_, {in}, {"2025-06-05", 1});
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->pages, 1) << "only a.jpg is a page (the FIFO is no regular file, the link is not followed)";
  std::string all;
  for (const auto& p : r->problems_ja) all += p + "\n";
  EXPECT_NE(all.find("b-big.tif"), std::string::npos) << all;
  EXPECT_NE(all.find("1 MB"), std::string::npos) << all;
  EXPECT_NE(all.find("c-long.pdf"), std::string::npos) << all;
  EXPECT_NE(all.find("ページ数"), std::string::npos) << all;
  EXPECT_EQ(all.find("d-link.jpg"), std::string::npos) << "a link is not listed as a page image at all";

  // A link named directly (the CLI's way) is refused too.
  auto direct = station_->import_envelope(clerk_, {in / "d-link.jpg"}, {"2025-06-05", 1});
  EXPECT_FALSE(direct);
}

TEST_F(ImportLimits, WebImportOutsideTheRootsIsRefusedBeforeAnythingIsRegistered) {
  const fs::path outside = tmp_.path / "elsewhere";
  fs::create_directories(outside);
  fs::copy_file(kShared / "samples/app-001/page-03.jpg", outside / "a.jpg");
  fs::create_symlink(outside, tmp_.path / "roots" / "via-link");
  station::CaptureJobRequest req;
  req.import = true;
  req.scan.intake = {"2025-06-05", 1};
  for (const fs::path& p : {outside, tmp_.path / "roots" / "via-link"}) {
    req.folder = p.string();
    auto id = station_->start_capture(clerk_, req);
    ASSERT_FALSE(id) << p;
    EXPECT_EQ(id.error().code, ErrorCode::kForbidden) << p;
    EXPECT_FALSE(id.error().reason_ja.empty());
  }
  auto log = station_->intake_log(clerk_, "2025-06-05");
  ASSERT_TRUE(log);
  EXPECT_TRUE(log->empty()) << "nothing was registered";
  EXPECT_FALSE(station_->capture_job(clerk_, 0)) << "no job was started";
}

}  // namespace
