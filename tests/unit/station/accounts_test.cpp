#include <gtest/gtest.h>

#include "station/station.h"
#include "test_support.h"

using station::ErrorCode;
using station::Role;

class Accounts : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.data_dir = tmp_.path / "store";
    config_.lockout_attempts = 3;
    auto s = station::Station::create(config_, "unit test passphrase");
    ASSERT_TRUE(s) << s.error().detail;
    station_ = std::move(*s);
    auto a = station_->add_user(nullptr, "admin", "tsuki-hana-001", Role::kAdmin);
    ASSERT_TRUE(a);
    admin_ = *a;
  }
  testing_support::TempDir tmp_;
  station::Config config_;
  std::unique_ptr<station::Station> station_;
  station::User admin_;
};

TEST_F(Accounts, OnlyTheFirstUserNeedsNoAdmin) {
  EXPECT_EQ(station_->add_user(nullptr, "eve", "eve-password-123", Role::kAdmin).error().code, ErrorCode::kForbidden);
  auto clerk = station_->add_user(&admin_, "clerk", "yama-kawa-002", Role::kClerk);
  ASSERT_TRUE(clerk);
  EXPECT_EQ(station_->add_user(&*clerk, "x", "x-password-123", Role::kAdmin).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(station_->add_user(&admin_, "clerk", "another-pass-1", Role::kClerk).error().code, ErrorCode::kConflict);
  EXPECT_EQ(station_->add_user(&admin_, "weak", "password123", Role::kClerk).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(station_->add_user(&admin_, "bad name", "good-password-1", Role::kClerk).error().code,
            ErrorCode::kInvalidInput);
}

TEST_F(Accounts, LoginLocksAfterRepeatedFailures) {
  ASSERT_TRUE(station_->add_user(&admin_, "rev", "umi-sora-0003", Role::kReviewer));
  EXPECT_EQ(station_->login("rev", "nope-nope-nope").error().code, ErrorCode::kLoginFailed);
  EXPECT_EQ(station_->login("rev", "nope-nope-nope").error().code, ErrorCode::kLoginFailed);
  EXPECT_EQ(station_->login("rev", "nope-nope-nope").error().code, ErrorCode::kAccountLocked);
  // Locked: even the right password is refused until the lock expires.
  EXPECT_EQ(station_->login("rev", "umi-sora-0003").error().code, ErrorCode::kAccountLocked);
  EXPECT_EQ(station_->login("nobody", "whatever-pass").error().code, ErrorCode::kLoginFailed);
}

TEST_F(Accounts, ASuccessfulLoginResetsTheCount) {
  ASSERT_TRUE(station_->add_user(&admin_, "rev", "umi-sora-0003", Role::kReviewer));
  EXPECT_FALSE(station_->login("rev", "wrong-password"));
  EXPECT_FALSE(station_->login("rev", "wrong-password"));
  auto ok = station_->login("rev", "umi-sora-0003");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->role, Role::kReviewer);
  EXPECT_FALSE(station_->login("rev", "wrong-password"));
  EXPECT_FALSE(station_->login("rev", "wrong-password"));
  EXPECT_TRUE(station_->login("rev", "umi-sora-0003"));
}

TEST_F(Accounts, RolesAreCheckedByTheStationItself) {
  auto clerk = station_->add_user(&admin_, "clerk", "yama-kawa-002", Role::kClerk);
  ASSERT_TRUE(clerk);
  EXPECT_EQ(station_->export_batch(*clerk, tmp_.path / "out").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(station_->fields(*clerk, 1).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(station_->load_facilities(*clerk, "x.csv").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(station_->confirm_field(*clerk, 1, "1").error().code, ErrorCode::kForbidden);
}
