// The one pipeline (issue 11) with a fake OCR engine: the lifecycle table, capture handing off to
// the background pool, workers side by side, the queue surviving a restart, and the store-less
// reading that names bad files and reads the rest. The real Tesseract runs the same path in
// tests/integration/pipeline_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <set>

#include "station/lifecycle.h"
#include "ocr/fake_engine.h"
#include "services.h"
#include "station/recognizer.h"
#include "station/station.h"
#include "test_support.h"

using station::EnvelopeState;
using station::Role;
namespace fs = std::filesystem;
namespace lc = station::lifecycle;

namespace {

const fs::path kSamples = fs::path(STATION_SHARED_DIR) / "samples";

TEST(Lifecycle, EveryEventLeadsToOneStateAndNothingElseMoves) {
  std::set<lc::Event> events;
  for (const auto& t : lc::transitions()) {
    events.insert(t.event);
    EXPECT_EQ(t.to, lc::target(t.event)) << lc::event_name(t.event) << " has two targets";
    EXPECT_EQ(lc::next(t.from, t.event), t.to);
  }
  EXPECT_EQ(lc::next(EnvelopeState::kCapturing, lc::Event::kCaptureFinished), EnvelopeState::kCaptured);
  EXPECT_EQ(lc::next(EnvelopeState::kCapturing, lc::Event::kCaptureCutOff), EnvelopeState::kInterrupted);
  EXPECT_EQ(lc::next(EnvelopeState::kInterrupted, lc::Event::kCaptureStarted), EnvelopeState::kCapturing);
  // What the table does not allow: a read envelope takes no more pages, an exported one is not read.
  EXPECT_FALSE(lc::next(EnvelopeState::kRecognized, lc::Event::kCaptureStarted));
  EXPECT_FALSE(lc::next(EnvelopeState::kExported, lc::Event::kRecognizeAgain));
  EXPECT_FALSE(lc::next(EnvelopeState::kCapturing, lc::Event::kRecognitionStarted));
  for (auto s : {EnvelopeState::kCapturing, EnvelopeState::kInterrupted, EnvelopeState::kCaptured,
                 EnvelopeState::kRecognizing, EnvelopeState::kRecognized, EnvelopeState::kRecognitionFailed,
                 EnvelopeState::kReviewed, EnvelopeState::kExported}) {
    EXPECT_EQ(station::parse_state(station::state_name(s)), s);
    EXPECT_NE(station::state_label_ja(s), "不明");
  }
}

class Pipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.data_dir = tmp_.path / "store";
    config_.ocr_workers = 2;
    fake_.set_default(ocr::FakeEngine::reading("1", 0.95));
    services_.make_engine = [this]() -> station::Result<std::unique_ptr<ocr::Engine>> {
      engines_made_.fetch_add(1);
      return fake_.handle();  // every worker reads through the one fake: its counts see them all
    };
  }

  void open(bool create) {
    auto s = create ? station::Station::create(config_, "unit test passphrase", &services_)
                    : station::Station::open(config_, station::StoreSecrets{"unit test passphrase", {}}, &services_);
    ASSERT_TRUE(s) << s.error().detail;
    station_ = std::move(*s);
    if (create) {
      auto a = station_->add_user(nullptr, "admin", "tsuki-hana-001", Role::kAdmin);
      ASSERT_TRUE(a);
      ASSERT_TRUE(station_->add_user(&*a, "clerk", "yama-kawa-002", Role::kClerk));
      ASSERT_TRUE(station_->add_user(&*a, "rev", "umi-sora-0003", Role::kReviewer));
    }
    auto c = station_->login("clerk", "yama-kawa-002");
    auto r = station_->login("rev", "umi-sora-0003");
    ASSERT_TRUE(c && r);
    clerk_ = *c;
    reviewer_ = *r;
  }

  std::int64_t import_one(const fs::path& page) {
    auto r = station_->import_envelope(clerk_, {page}, {"2025-06-05", 1});
    EXPECT_TRUE(r) << (r ? "" : r.error().detail);
    return r ? r->envelope_id : 0;
  }

  testing_support::TempDir tmp_;
  station::Config config_;
  ocr::FakeEngine fake_;
  station::Services services_;
  std::atomic<int> engines_made_{0};
  std::unique_ptr<station::Station> station_;
  station::User clerk_, reviewer_;
};

TEST_F(Pipeline, AnImportedEnvelopeIsRecognisedInTheBackgroundWithoutAnyoneAsking) {
  ASSERT_NO_FATAL_FAILURE(open(true));
  const auto id = import_one(kSamples / "app-001/page-03.jpg");  // a pledge (様式第2号)
  ASSERT_GT(id, 0);
  ASSERT_TRUE(station_->wait_for_recognition(std::chrono::minutes(5)));
  auto e = station_->envelope(reviewer_, id);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->state, EnvelopeState::kRecognized) << e->status;
  EXPECT_EQ(e->status_ja, "読取済");
  EXPECT_GT(e->fields_total, 0);
  EXPECT_GT(fake_.calls(), 0) << "the pool read through the injected engine";
  auto pages = station_->pages(reviewer_, id);
  ASSERT_TRUE(pages);
  ASSERT_EQ(pages->size(), 1u);
  EXPECT_EQ((*pages)[0].kind, "pledge");
  // The stored reading, in the shape of truth.json, with the envelope's state.
  auto doc = station_->envelope_json(reviewer_, id);
  ASSERT_TRUE(doc) << doc.error().detail;
  const auto j = nlohmann::json::parse(*doc);
  EXPECT_EQ(j["state"], "recognized");
  EXPECT_EQ(j["pages"][0]["kind"], "pledge");
  ASSERT_TRUE(j.contains("pledge"));
  for (const auto& [k, leaf] : j["pledge"].items()) {
    EXPECT_TRUE(leaf.contains("value")) << k;
    EXPECT_EQ(leaf["page"], 1) << k;
    EXPECT_EQ(leaf["box"].size(), 4u) << k;
  }
  // A clerk may not read the values.
  EXPECT_FALSE(station_->envelope_json(clerk_, id));
}

TEST_F(Pipeline, WorkersReadEnvelopesSideBySideEachWithItsOwnEngine) {
  config_.recognize_on_capture = false;  // queue first, then let both workers go at once
  ASSERT_NO_FATAL_FAILURE(open(true));
  const auto a = import_one(kSamples / "app-001/page-03.jpg");
  const auto b = import_one(kSamples / "app-002/page-03.jpg");
  ASSERT_TRUE(a && b);
  auto status = station_->recognition_status(clerk_);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->workers, 2);
  ASSERT_EQ(status->tasks.size(), 2u) << "both envelopes wait in the queue";
  EXPECT_EQ(status->tasks[0].state, EnvelopeState::kCaptured);
  // The first read waits (up to 20 s, once) for a second read to be in flight: two workers, each
  // with its own engine, get there; one worker alone would not.
  std::atomic<bool> waited{false};
  fake_.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
    if (!waited.exchange(true)) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (fake_.max_concurrent() < 2 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return ocr::FakeEngine::reading("1", 0.95);
  });
  ASSERT_TRUE(station_->queue_recognition(clerk_, a));
  ASSERT_TRUE(station_->queue_recognition(clerk_, b));
  ASSERT_TRUE(station_->wait_for_recognition(std::chrono::minutes(5)));
  EXPECT_EQ(fake_.max_concurrent(), 2) << "two engines read at the same time";
  EXPECT_EQ(engines_made_.load(), 2) << "one engine per worker, made once";
  for (auto id : {a, b}) EXPECT_EQ(station_->envelope(clerk_, id)->state, EnvelopeState::kRecognized);
}

TEST_F(Pipeline, WhatWasQueuedIsReadAfterARestart) {
  config_.recognize_on_capture = false;
  ASSERT_NO_FATAL_FAILURE(open(true));
  const auto id = import_one(kSamples / "app-001/page-03.jpg");
  ASSERT_GT(id, 0);
  EXPECT_EQ(station_->envelope(clerk_, id)->state, EnvelopeState::kCaptured);
  EXPECT_EQ(fake_.calls(), 0);
  station_.reset();  // the station closes with the envelope still queued
  config_.recognize_on_capture = true;
  ASSERT_NO_FATAL_FAILURE(open(false));
  ASSERT_TRUE(station_->wait_for_recognition(std::chrono::minutes(5)));
  EXPECT_EQ(station_->envelope(clerk_, id)->state, EnvelopeState::kRecognized);
}

TEST_F(Pipeline, ClosingTheStationMidReadPutsTheEnvelopeBackInTheQueue) {
  ASSERT_NO_FATAL_FAILURE(open(true));
  fake_.set_delay(std::chrono::milliseconds(200));  // a slow engine: the read is under way at close
  const auto id = import_one(kSamples / "app-001/page-03.jpg");
  for (int i = 0; i < 100 && fake_.calls() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_GT(fake_.calls(), 0);
  station_.reset();  // returns promptly: every read after this fails at once
  fake_.set_delay(std::chrono::milliseconds(0));
  config_.recognize_on_capture = false;
  ASSERT_NO_FATAL_FAILURE(open(false));
  EXPECT_EQ(station_->envelope(clerk_, id)->state, EnvelopeState::kCaptured) << "back in the queue, not half-read";
  EXPECT_EQ(station_->envelope(clerk_, id)->fields_total, 0) << "nothing of the cut-off read was stored";
  auto n = station_->recognize(clerk_, id);  // read now, through the same pool
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_GT(*n, 0);
  EXPECT_EQ(station_->envelope(clerk_, id)->state, EnvelopeState::kRecognized);
}

TEST_F(Pipeline, AFailedReadIsMarkedAndCanBeAskedForAgain) {
  ASSERT_NO_FATAL_FAILURE(open(true));
  // An engine that cannot start (missing language data): the envelope is marked, not lost.
  services_.make_engine = []() -> station::Result<std::unique_ptr<ocr::Engine>> {
    return station::fail(station::ErrorCode::kOcrUnavailable, "no tessdata");
  };
  station_.reset();
  ASSERT_NO_FATAL_FAILURE(open(false));
  const auto id = import_one(kSamples / "app-001/page-03.jpg");
  ASSERT_TRUE(station_->wait_for_recognition(std::chrono::minutes(5)));
  EXPECT_EQ(station_->envelope(clerk_, id)->state, EnvelopeState::kRecognitionFailed);
  services_.make_engine = [this]() -> station::Result<std::unique_ptr<ocr::Engine>> {
    return fake_.handle();  // every worker reads through the one fake: its counts see them all
  };
  station_.reset();
  ASSERT_NO_FATAL_FAILURE(open(false));
  auto n = station_->recognize(clerk_, id);
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_EQ(station_->envelope(clerk_, id)->state, EnvelopeState::kRecognized);
}

// `station recognize --json` on a folder with one good page beside a truncated JPEG, an empty PDF
// and a garbage TIFF names each bad file and still reads the good page (the real engine: the
// store-less path has no injection point, by design — it is what the CLI runs).
TEST(StorelessReading, BadFilesAreNamedAndTheGoodPageIsRead) {
  testing_support::TempDir tmp;
  const fs::path in = tmp.path / "in";
  fs::create_directories(in);
  const std::string good = testing_support::read_file(kSamples / "app-001/page-03.jpg");
  ASSERT_FALSE(good.empty());
  testing_support::write_file(in / "a-good.jpg", good);
  testing_support::write_file(in / "b-truncated.jpg", good.substr(0, good.size() / 4));
  testing_support::write_file(in / "c-empty.pdf", "");
  testing_support::write_file(in / "d-garbage.tif", std::string("II*\0garbage garbage garbage", 27));
  station::Config config;
  auto r = station::recognize_files(config, {in});
  ASSERT_TRUE(r) << r.error().detail;
  ASSERT_EQ(r->problems_ja.size(), 3u);
  EXPECT_NE(r->problems_ja[0].find("b-truncated.jpg"), std::string::npos) << r->problems_ja[0];
  EXPECT_NE(r->problems_ja[1].find("c-empty.pdf"), std::string::npos) << r->problems_ja[1];
  EXPECT_NE(r->problems_ja[2].find("d-garbage.tif"), std::string::npos) << r->problems_ja[2];
  const auto j = nlohmann::json::parse(r->json);
  ASSERT_EQ(j["pages"].size(), 1u);
  EXPECT_EQ(j["pages"][0]["file"], "a-good.jpg");
  EXPECT_EQ(j["pages"][0]["kind"], "pledge");
  EXPECT_EQ(j["problems"].size(), 3u);
  // Nothing readable at all: an error, not an empty document, that still names each file.
  fs::remove(in / "a-good.jpg");
  auto none = station::recognize_files(config, {in});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, station::ErrorCode::kNoPages);
  for (const char* name : {"b-truncated.jpg", "c-empty.pdf", "d-garbage.tif"})
    EXPECT_NE(none.error().reason_ja.find(name), std::string::npos) << none.error().reason_ja;
}

}  // namespace
