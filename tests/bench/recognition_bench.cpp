// Prints recognition accuracy on the samples (typed and handwritten apart) and throughput with N
// workers, side by side with the plain `tesseract` CLI reading the same pages whole (N processes
// at a time, OMP_THREAD_LIMIT=1), as a ratio.
//   recognition_bench [samples_dir] [workers] [--mismatches]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "station/config.h"
#include "station/recognizer.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  bench::single_threaded_openmp(argv);
  const fs::path samples = argc > 1 ? fs::path(argv[1]) : fs::path(STATION_SHARED_DIR) / "samples";
  const int workers = argc > 2 ? std::atoi(argv[2]) : 2;
  const bool show = argc > 3 && std::string(argv[3]) == "--mismatches";
  station::Config config;
  auto report = station::measure_accuracy(config, samples, workers);
  if (!report) {
    std::cerr << "error: " << report.error().detail << "\n";
    return 1;
  }
  std::cout << report->to_text();
  if (show)
    for (const auto& m : report->mismatches) std::cout << "  " << m << "\n";
  // The plain tesseract CLI on the same pages, whole, `workers` at a time.
  std::vector<fs::path> pages;
  for (const auto& d : fs::directory_iterator(samples))
    if (d.is_directory())
      for (const auto& f : fs::directory_iterator(d.path()))
        if (f.path().extension() != ".json") pages.push_back(f.path());
  const double cli = bench::tesseract_cli_seconds(pages, workers);
  const double ours_ppm = report->pages * 60.0 / report->seconds;
  const double cli_ppm = static_cast<double>(pages.size()) * 60.0 / cli;
  std::printf("\nthroughput (%d workers): station %.1f pages/min (structured fields) | tesseract CLI whole pages %.1f pages/min | ratio %.2fx\n",
              workers, ours_ppm, cli_ppm, ours_ppm / cli_ppm);
  return 0;
}
