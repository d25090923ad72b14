#pragma once
// What the benchmarks share: OpenMP held to one thread per engine, and the reference every figure
// is printed beside — the plain `tesseract` CLI reading the same page files whole.
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

namespace bench {

// libgomp (Tesseract's OpenMP) reads OMP_THREAD_LIMIT once, when it loads — before main, so a
// setenv here would be too late. Without it each engine spreads over every core: set it and start
// the benchmark again.
inline void single_threaded_openmp(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT") != nullptr) return;
  setenv("OMP_THREAD_LIMIT", "1", 1);
  execv("/proc/self/exe", argv);
  std::perror("execv /proc/self/exe");  // carry on with OpenMP's own threads
}

// Seconds for the tesseract CLI to read `pages` whole, `workers` processes at a time.
inline double tesseract_cli_seconds(const std::vector<std::filesystem::path>& pages, int workers) {
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
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace bench
