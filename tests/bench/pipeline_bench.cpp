// Recognition throughput three ways in one run, on the same sample pages:
//   store       every sample envelope imported into a fresh store (import_envelope, one after
//               the other) and read by the background pool of N OCR workers, the facility list
//               beside the samples (../data/facilities.csv) loaded as a clerk's station has it;
//               pages per minute from the first import to the last page recognised
//   store-less  measure_accuracy over the same samples with N threads (recognize --json's path)
//   tesseract   the plain `tesseract` CLI reading the same pages whole, N processes at a time
// and the ratios store / store-less and each / CLI. With rounds > 1 the three alternate, round
// after round (machines are noisy), and the medians are printed.
//   pipeline_bench [samples_dir] [workers] [rounds]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "station/config.h"
#include "station/recognizer.h"
#include "station/station.h"

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<fs::path> sample_folders(const fs::path& samples) {
  std::vector<fs::path> out;
  for (const auto& d : fs::directory_iterator(samples))
    if (d.is_directory() && fs::exists(d.path() / "truth.json")) out.push_back(d.path());
  std::sort(out.begin(), out.end());
  return out;
}

// The page files of the samples (what the CLI reads), in the order the station reads them.
std::vector<fs::path> page_files(const std::vector<fs::path>& folders) {
  std::vector<fs::path> out;
  for (const auto& folder : folders) {
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(folder))
      if (f.is_regular_file() && f.path().extension() != ".json") files.push_back(f.path());
    std::sort(files.begin(), files.end());
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

struct Figure {
  int pages = 0;
  double seconds = 0;
  double ppm() const { return seconds > 0 ? pages * 60.0 / seconds : 0; }
};

// (a) through the store: a fresh store, every envelope imported, the background pool reads them.
std::optional<Figure> store_path(const std::vector<fs::path>& folders, const fs::path& facilities, int workers) {
  const fs::path dir = fs::temp_directory_path() / ("station-pipeline-bench-" + std::to_string(std::random_device{}()));
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};
  station::Config config;
  config.data_dir = dir / "store";
  config.recognize_on_capture = true;
  config.ocr_workers = workers;
  auto created = station::Station::create(config, "benchmark passphrase");
  if (!created) {
    std::cerr << "store: " << created.error().detail << "\n";
    return std::nullopt;
  }
  auto& station = **created;
  auto admin = station.add_user(nullptr, "admin", "tsuki-hana-001", station::Role::kAdmin);
  auto clerk = admin ? station.add_user(&*admin, "clerk", "yama-kawa-002", station::Role::kClerk) : admin;
  auto supervisor = admin ? station.add_user(&*admin, "super", "hoshi-tsuki-04", station::Role::kSupervisor) : admin;
  if (!clerk || !supervisor) {
    std::cerr << "store: " << (clerk ? supervisor : clerk).error().detail << "\n";
    return std::nullopt;
  }
  // As a clerk's station reads: with the prefecture's facility list loaded (recognition checks
  // names and addresses against it), before the clock starts.
  if (!facilities.empty()) {
    auto loaded = station.load_facilities(*supervisor, facilities);
    if (!loaded) {
      std::cerr << "store: " << loaded.error().detail << "\n";
      return std::nullopt;
    }
  }
  Figure f;
  const auto t0 = Clock::now();
  for (const auto& folder : folders) {
    auto imported = station.import_envelope(*clerk, {folder}, {"2025-06-05", 5});
    if (!imported) {
      std::cerr << "store: " << folder.filename().string() << ": " << imported.error().detail << "\n";
      return std::nullopt;
    }
    f.pages += imported->pages;
  }
  if (!station.wait_for_recognition(std::chrono::hours(2))) {
    std::cerr << "store: the background recognition did not finish\n";
    return std::nullopt;
  }
  f.seconds = seconds_since(t0);
  auto status = station.recognition_status(*clerk);
  if (!status || status->envelopes_recognized != static_cast<std::int64_t>(folders.size())) {
    std::cerr << "store: not every envelope was recognised\n";
    return std::nullopt;
  }
  return f;
}

// (b) store-less: measure_accuracy with `workers` threads.
std::optional<Figure> storeless_path(const fs::path& samples, int workers, bool print_accuracy) {
  station::Config config;
  const auto t0 = Clock::now();
  auto report = station::measure_accuracy(config, samples, workers, {}, false, station::AccuracyPath::kStoreless);
  if (!report) {
    std::cerr << "store-less: " << report.error().detail << "\n";
    return std::nullopt;
  }
  Figure f{report->pages, seconds_since(t0)};
  if (print_accuracy) std::cout << report->to_text() << "\n";
  return f;
}

// (c) the tesseract CLI on the same pages whole, `workers` processes at a time.
Figure cli_path(const std::vector<fs::path>& pages, int workers) {
  return Figure{static_cast<int>(pages.size()), bench::tesseract_cli_seconds(pages, workers)};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0 : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  bench::single_threaded_openmp(argv);
  const fs::path samples = argc > 1 ? fs::path(argv[1]) : fs::path(STATION_SHARED_DIR) / "samples";
  const int workers = argc > 2 ? std::max(1, std::atoi(argv[2])) : 2;
  const int rounds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1;
  // The facility list beside the samples (../shared/data), as the supervisor loads it.
  const fs::path facilities = [&] {
    fs::path dir = samples.lexically_normal();
    if (!dir.has_filename()) dir = dir.parent_path();  // samples/
    const fs::path p = dir.parent_path() / "data" / "facilities.csv";
    return fs::exists(p) ? p : fs::path();
  }();
  const auto folders = sample_folders(samples);
  const auto pages = page_files(folders);
  if (folders.empty()) {
    std::cerr << "no samples (app-*/truth.json) in " << samples << "\n";
    return 1;
  }
  std::printf("pipeline_bench: %zu envelopes, %zu page files, %d workers, %d round(s), OMP_THREAD_LIMIT=%s, %u cores, "
              "facility list %s\n",
              folders.size(), pages.size(), workers, rounds, std::getenv("OMP_THREAD_LIMIT"),
              std::thread::hardware_concurrency(), facilities.empty() ? "none" : facilities.string().c_str());

  std::vector<double> store_ppm, storeless_ppm, cli_ppm;
  for (int r = 0; r < rounds; ++r) {
    auto a = store_path(folders, facilities, workers);
    auto b = storeless_path(samples, workers, r == 0);
    if (!a || !b) return 1;
    const Figure c = cli_path(pages, workers);
    std::printf("round %d: store %.1f pages/min (%d pages, %.1f s) | store-less %.1f pages/min (%d pages, %.1f s) | "
                "tesseract CLI %.1f pages/min (%d pages, %.1f s)\n",
                r + 1, a->ppm(), a->pages, a->seconds, b->ppm(), b->pages, b->seconds, c.ppm(), c.pages, c.seconds);
    std::fflush(stdout);
    store_ppm.push_back(a->ppm());
    storeless_ppm.push_back(b->ppm());
    cli_ppm.push_back(c.ppm());
  }
  const double s = median(store_ppm), l = median(storeless_ppm), c = median(cli_ppm);
  std::printf("\nthroughput (%d workers%s): store %.1f pages/min | store-less %.1f pages/min | "
              "tesseract CLI whole pages %.1f pages/min\n",
              workers, rounds > 1 ? ", medians" : "", s, l, c);
  std::printf("ratios: store / store-less %.2f (goal >= 0.90) | store / CLI %.2fx | store-less / CLI %.2fx (goal >= 2x)\n",
              s / l, s / c, l / c);
  return 0;
}
