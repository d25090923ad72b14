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

#include "station/config.h"
#include "station/recognizer.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  // libgomp (Tesseract's OpenMP) reads OMP_THREAD_LIMIT once, when it loads — before main, so a
  // setenv here would be too late. Set it and start again.
  if (std::getenv("OMP_THREAD_LIMIT") == nullptr) {
    setenv("OMP_THREAD_LIMIT", "1", 1);
    execv("/proc/self/exe", argv);
    std::perror("execv /proc/self/exe");  // carry on with OpenMP's own threads
  }
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
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  std::atomic<std::size_t> next{0};
  for (int w = 0; w < workers; ++w)
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < pages.size(); i = next++) {
        const std::string cmd = "OMP_THREAD_LIMIT=1 tesseract '" + pages[i].string() + "' - -l jpn+eng >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) std::cerr << "tesseract failed on " << pages[i] << "\n";
      }
    });
  for (auto& t : threads) t.join();
  const double cli = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double ours_ppm = report->pages * 60.0 / report->seconds;
  const double cli_ppm = static_cast<double>(pages.size()) * 60.0 / cli;
  std::printf("\nthroughput (%d workers): station %.1f pages/min (structured fields) | tesseract CLI whole pages %.1f pages/min | ratio %.2fx\n",
              workers, ours_ppm, cli_ppm, ours_ppm / cli_ppm);
  return 0;
}
