#pragma once
// Shared fixture of the security tests: a store with one user per role, and raw access to the
// store's database below the station (as an attacker with the passphrase would have).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>

#include "station/station.h"
#include "storage/database.h"
#include "storage/keys.h"

namespace sec {

namespace fs = std::filesystem;
inline constexpr const char* kPass = "security test passphrase";

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("station-sec-" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

inline std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  if (in) out << in.rdbuf();
  return std::move(out).str();
}
inline void write_all(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// Opens <store>/station.db (or another file) directly with the key the station derives.
inline storage::Database raw_db(const fs::path& store, const char* purpose = "database",
                                const char* file = "station.db") {
  auto master = storage::Keyring::unlock(store / "keyring.json", kPass);
  EXPECT_TRUE(master);
  auto key = master->derive(purpose);
  auto db = storage::Database::open(store / file, *key);
  EXPECT_TRUE(db) << db.error().message;
  return std::move(*db);
}

// An audit query built by a setter (designated initialisers would leave members unnamed).
template <class F>
station::AuditQuery query(F&& set) {
  station::AuditQuery q;
  set(q);
  return q;
}

class Store : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.data_dir = tmp_.path / "store";
    config_.recognize_on_capture = false;  // capture alone: no background OCR
    config_.audit_checkpoint_every = 5;
    open_new();
  }
  void open_new() {
    auto s = station::Station::create(config_, kPass);
    ASSERT_TRUE(s) << s.error().detail;
    st_ = std::move(*s);
    admin_ = *st_->add_user(nullptr, "admin", "tsuki-hana-001", station::Role::kAdmin);
    sup_ = *st_->add_user(&admin_, "sup", "kumo-yuki-004", station::Role::kSupervisor);
    clerk_ = *st_->add_user(&admin_, "clerk", "yama-kawa-002", station::Role::kClerk);
    rev_ = *st_->add_user(&admin_, "rev", "umi-sora-0003", station::Role::kReviewer);
  }
  void close() { st_.reset(); }
  void reopen() {
    st_.reset();
    auto s = station::Station::open(config_, kPass);
    ASSERT_TRUE(s) << s.error().detail;
    st_ = std::move(*s);
  }
  // Imports one sample page as an envelope; returns the envelope id.
  std::int64_t import_page(const char* sample = "samples/app-001/page-01.jpg") {
    const fs::path in = tmp_.path / "in" / std::to_string(++imports_);
    fs::create_directories(in);
    fs::copy_file(fs::path(STATION_SHARED_DIR) / sample, in / "page.jpg");
    auto r = st_->import_envelope(clerk_, {in}, {"2025-06-05", 4});
    EXPECT_TRUE(r) << r.error().detail;
    return r ? r->envelope_id : 0;
  }
  TempDir tmp_;
  station::Config config_;
  std::unique_ptr<station::Station> st_;
  station::User admin_, sup_, clerk_, rev_;
  int imports_ = 0;
};

}  // namespace sec
