// Bad input at import: each bad file is named with what to do, the rest of the envelope goes on,
// and nothing already captured is lost.
#include <gtest/gtest.h>

#include "station/station.h"
#include "test_support.h"

using station::ErrorCode;
using station::Role;
namespace fs = std::filesystem;

class Import : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.data_dir = tmp_.path / "store";
    config_.recognize_on_capture = false;  // capture alone: no background OCR
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
  testing_support::TempDir tmp_;
  station::Config config_;
  std::unique_ptr<station::Station> station_;
  station::User clerk_;
  station::User reader_;
};

TEST_F(Import, BadFilesAreReportedAndTheRestIsKept) {
  const fs::path shared = STATION_SHARED_DIR;
  const fs::path in = tmp_.path / "in";
  fs::create_directories(in);
  const std::string good = testing_support::read_file(shared / "samples/app-001/page-02.jpg");
  ASSERT_FALSE(good.empty());
  testing_support::write_file(in / "a-good.jpg", good);
  testing_support::write_file(in / "b-truncated.jpg", good.substr(0, good.size() / 3));
  testing_support::write_file(in / "c-garbage.tif", "II*\0garbage garbage garbage");
  testing_support::write_file(in / "d-not-an-image.png", "hello");
  fs::copy_file(shared / "samples/app-003/page-02.tif", in / "e-g4.tif");
  auto r = station_->import_envelope(clerk_, {in}, {"2025-06-05", 3});
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->pages, 2);
  ASSERT_EQ(r->problems_ja.size(), 3u);
  EXPECT_NE(r->problems_ja[0].find("b-truncated.jpg"), std::string::npos);
  EXPECT_NE(r->problems_ja[1].find("c-garbage.tif"), std::string::npos);
  EXPECT_NE(r->problems_ja[2].find("d-not-an-image.png"), std::string::npos);
  EXPECT_NE(r->problems_ja[0].find("再スキャン"), std::string::npos) << "says what to do";
  auto pages = station_->pages(clerk_, r->envelope_id);
  ASSERT_TRUE(pages);
  ASSERT_EQ(pages->size(), 2u);
  EXPECT_EQ((*pages)[0].source_name, "a-good.jpg");
  EXPECT_EQ((*pages)[0].dpi, 200);
  EXPECT_TRUE((*pages)[0].dpi_from_file);
  EXPECT_EQ((*pages)[1].source_name, "e-g4.tif");
  EXPECT_EQ((*pages)[1].width, 1654);
  // The stored page comes back intact (decrypted and decodable).
  auto png = station_->page_png(reader_, (*pages)[0].id, 400);
  ASSERT_TRUE(png) << png.error().detail;
  EXPECT_GT(png->size(), 1000u);
}

TEST_F(Import, AnEnvelopeWithNoReadablePageIsRefused) {
  const fs::path in = tmp_.path / "in";
  fs::create_directories(in);
  testing_support::write_file(in / "x.jpg", std::string("\xFF\xD8\xFF\xE0", 4));
  auto r = station_->import_envelope(clerk_, {in}, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNoPages);
  // The clerk is told which file is damaged and what to do, not only that no page came in.
  EXPECT_NE(r.error().reason_ja.find("x.jpg"), std::string::npos) << r.error().reason_ja;
  EXPECT_NE(r.error().reason_ja.find("読み取り直す"), std::string::npos) << r.error().reason_ja;
  auto list = station_->list_envelopes(clerk_);
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty()) << "no empty envelope is left behind";
}

TEST_F(Import, ReceiptNumbersCountPerDay) {
  const fs::path page = fs::path(STATION_SHARED_DIR) / "samples/app-002/page-02.jpg";
  auto a = station_->import_envelope(clerk_, {page}, {"2025-06-05", 1});
  auto b = station_->import_envelope(clerk_, {page}, {"2025-06-05", 1});
  auto c = station_->import_envelope(clerk_, {page}, {"2025-06-06", 1});
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->receipt_no, "M20250605-0001");
  EXPECT_EQ(b->receipt_no, "M20250605-0002");
  EXPECT_EQ(c->receipt_no, "M20250606-0001");
  EXPECT_EQ(station_->import_envelope(clerk_, {page}, {"2025-02-30", 1}).error().code, ErrorCode::kInvalidInput);
}
