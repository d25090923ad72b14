// One pipeline, two ways in: every sample envelope of ../shared/samples (200 and 300 dpi,
// black-and-white TIFF, upside-down sheets, typed and handwritten) is imported through the store
// and read by the background recognition (two OCR workers), then read again store-less, as
// `station recognize --json` does. The stored reading (`station show`, Station::envelope_json)
// must give the same page kinds and rotations and, for every leaf of fields / pledge / officers /
// passbook / envelope, the same value, page and box, with the confidence equal to 3 decimals.
// Page classification must match truth.json on every page, and every envelope must end
// recognised.
//
// One test doing both paths once: whole-sample recognition takes minutes under AddressSanitizer.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "station/recognizer.h"
#include "station/station.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kSamples = fs::path(STATION_SHARED_DIR) / "samples";

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("station-pipeline-" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::vector<fs::path> sample_folders() {
  std::vector<fs::path> out;
  for (const auto& d : fs::directory_iterator(kSamples))
    if (d.is_directory() && d.path().filename().string().rfind("app-", 0) == 0 && fs::exists(d.path() / "truth.json"))
      out.push_back(d.path());
  std::sort(out.begin(), out.end());
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Every leaf ({"value": ...}) under the compared sections, by its path ("officers.rows[2].name").
void collect_leaves(const json& node, const std::string& path, std::map<std::string, json>& out) {
  if (node.is_object() && node.contains("value")) {
    out[path] = node;
    return;
  }
  if (node.is_object()) {
    for (const auto& [k, v] : node.items()) collect_leaves(v, path.empty() ? k : path + "." + k, out);
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) collect_leaves(node[i], path + "[" + std::to_string(i) + "]", out);
  }
}

std::map<std::string, json> leaves_of(const json& doc) {
  std::map<std::string, json> out;
  for (const char* section : {"fields", "pledge", "officers", "passbook", "envelope"})
    if (doc.contains(section)) collect_leaves(doc[section], section, out);
  return out;
}

long long milli(const json& confidence) { return std::llround(confidence.get<double>() * 1000); }

}  // namespace

TEST(Pipeline, StoredReadingEqualsStorelessReadingOnEverySample) {
  const auto folders = sample_folders();
  ASSERT_GE(folders.size(), 10u) << "the shared samples must be beside the project: " << kSamples;

  TempDir tmp;
  station::Config config;
  config.data_dir = tmp.path / "store";
  config.recognize_on_capture = true;
  config.ocr_workers = 2;
  auto created = station::Station::create(config, "integration passphrase");
  ASSERT_TRUE(created) << created.error().detail;
  auto& station = **created;
  auto admin = station.add_user(nullptr, "admin", "tsuki-hana-001", station::Role::kAdmin);
  ASSERT_TRUE(admin) << admin.error().detail;
  auto clerk = station.add_user(&*admin, "clerk", "yama-kawa-002", station::Role::kClerk);
  auto reviewer = station.add_user(&*admin, "reviewer", "umi-sora-0003", station::Role::kReviewer);
  ASSERT_TRUE(clerk && reviewer);

  // ---- through the store: import every envelope; the background pool reads them meanwhile.
  const auto t_store = std::chrono::steady_clock::now();
  std::vector<std::int64_t> ids;
  int pages = 0;
  for (const auto& folder : folders) {
    auto imported = station.import_envelope(*clerk, {folder}, {"2025-06-05", 5});
    ASSERT_TRUE(imported) << folder.filename() << ": " << imported.error().detail;
    EXPECT_TRUE(imported->problems_ja.empty()) << folder.filename() << ": " << imported->problems_ja.front();
    ids.push_back(imported->envelope_id);
    pages += imported->pages;
  }
  ASSERT_TRUE(station.wait_for_recognition(std::chrono::minutes(40))) << "the background recognition did not finish";
  const double store_seconds = seconds_since(t_store);
  auto status = station.recognition_status(*reviewer);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->workers, 2);
  EXPECT_TRUE(status->tasks.empty());
  EXPECT_EQ(status->envelopes_recognized, static_cast<std::int64_t>(folders.size()));

  // ---- store-less, as `station recognize --json`, on two threads.
  const auto t_storeless = std::chrono::steady_clock::now();
  std::vector<station::Result<std::string>> storeless(folders.size(), station::fail(station::ErrorCode::kInternal, "not read"));
  {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < 2; ++w)
      threads.emplace_back([&] {
        for (std::size_t i = next++; i < folders.size(); i = next++) storeless[i] = station::recognize_to_json(config, {folders[i]});
      });
    for (auto& t : threads) t.join();
  }
  const double storeless_seconds = seconds_since(t_storeless);

  int values_compared = 0, pages_compared = 0, pages_correct = 0;
  for (std::size_t e = 0; e < folders.size(); ++e) {
    const std::string name = folders[e].filename().string();
    SCOPED_TRACE(name);
    const json truth = json::parse(std::ifstream(folders[e] / "truth.json"));

    auto summary = station.envelope(*reviewer, ids[e]);
    ASSERT_TRUE(summary) << summary.error().detail;
    EXPECT_EQ(summary->state, station::EnvelopeState::kRecognized) << summary->status;

    auto shown = station.envelope_json(*reviewer, ids[e]);
    ASSERT_TRUE(shown) << shown.error().detail;
    ASSERT_TRUE(storeless[e]) << storeless[e].error().detail;
    const json stored = json::parse(*shown), direct = json::parse(*storeless[e]);

    // Pages: the same kinds and rotations both ways, and the kinds of truth.json.
    const json& tp = truth.at("pages");
    ASSERT_EQ(stored.at("pages").size(), tp.size());
    ASSERT_EQ(direct.at("pages").size(), tp.size());
    for (std::size_t p = 0; p < tp.size(); ++p) {
      const json &s = stored["pages"][p], &d = direct["pages"][p];
      const std::string want_file = tp[p].at("file");
      const std::string want_kind = tp[p].at("kind");
      EXPECT_EQ(s.at("file"), want_file);
      EXPECT_EQ(d.at("file"), want_file);
      EXPECT_EQ(s.at("kind"), d.at("kind")) << want_file;
      EXPECT_EQ(s.at("rotation"), d.at("rotation")) << want_file;
      EXPECT_EQ(s.at("kind"), want_kind) << want_file << " classified wrongly in the store";
      ++pages_compared;
      if (s.at("kind") == want_kind) ++pages_correct;
    }

    // Values: every leaf both ways, the same value, page, box and confidence (3 decimals).
    const auto sl = leaves_of(stored), dl = leaves_of(direct);
    for (const auto& [key, d] : dl)
      if (!sl.contains(key)) ADD_FAILURE() << key << " read store-less (" << d.dump() << ") but not in the store";
    for (const auto& [key, s] : sl) {
      auto it = dl.find(key);
      if (it == dl.end()) {
        ADD_FAILURE() << key << " in the store (" << s.dump() << ") but not read store-less";
        continue;
      }
      const json& d = it->second;
      ++values_compared;
      EXPECT_EQ(s.at("value"), d.at("value")) << key;
      EXPECT_EQ(s.at("page"), d.at("page")) << key;
      EXPECT_EQ(s.at("box"), d.at("box")) << key;
      EXPECT_EQ(milli(s.at("confidence")), milli(d.at("confidence")))
          << key << ": " << s.at("confidence") << " vs " << d.at("confidence");
      EXPECT_FALSE(s.contains("confirmed")) << key;
    }
  }
  EXPECT_EQ(pages_compared, pages);
  EXPECT_EQ(pages_correct, pages_compared) << "page classification must be 100 %";
  EXPECT_GT(values_compared, 50 * static_cast<int>(folders.size()));

  std::printf("[pipeline] %zu envelopes, %d pages (%d classified right), %d values compared; "
              "store %.1f s (2 workers), store-less %.1f s (2 threads)\n",
              folders.size(), pages, pages_correct, values_compared, store_seconds, storeless_seconds);
}
