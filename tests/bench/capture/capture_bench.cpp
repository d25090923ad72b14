// Capture + cleanup throughput on the shared samples: each image file is read, decoded (with
// the pixel limits), cleaned (border crop, orientation by Tesseract OSD, deskew, blank
// detection), checked for a separator sheet and its cleaned copy encoded for storage — the
// work the station does per page on arrival, minus the encrypted write. `workers` threads
// share the files. Prints images per minute and the peak resident memory (ru_maxrss).
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "ocr/cleanup.h"
#include "ocr/image.h"
#include "ocr/separator.h"

namespace fs = std::filesystem;

namespace {

std::vector<unsigned char> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool is_image(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e == ".jpg" || e == ".jpeg" || e == ".png" || e == ".tif" || e == ".tiff" || e == ".pdf";
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::path(STATION_SHARED_DIR) / "samples";
  const int workers = argc > 2 ? std::max(1, std::atoi(argv[2])) : 2;
  const int passes = argc > 3 ? std::max(1, std::atoi(argv[3])) : 1;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec))
    if (e.is_regular_file() && is_image(e.path())) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "no images under %s\n", dir.c_str());
    return 1;
  }
  std::vector<fs::path> jobs;
  for (int p = 0; p < passes; ++p) jobs.insert(jobs.end(), files.begin(), files.end());

  std::atomic<std::size_t> next{0};
  std::atomic<int> images{0}, blank{0}, turned{0}, failed{0}, separators{0};
  std::atomic<long long> decode_us{0}, cleanup_us{0}, encode_us{0};
  auto us_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t).count();
  };
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w)
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < jobs.size(); i = next++) {
        auto t0 = std::chrono::steady_clock::now();
        auto pages = ocr::decode_pages(read_bytes(jobs[i]));
        decode_us += us_since(t0);
        if (!pages) {
          ++failed;
          continue;
        }
        for (const auto& page : *pages) {
          auto t1 = std::chrono::steady_clock::now();
          if (ocr::detect_separator(page).found()) ++separators;
          auto r = ocr::cleanup_page(page);
          cleanup_us += us_since(t1);
          if (!r) {
            ++failed;
            continue;
          }
          auto t2 = std::chrono::steady_clock::now();
          auto bytes = r->image.channels() == 3 ? r->image.encode_jpeg(92) : r->image.encode_png();
          encode_us += us_since(t2);
          if (!bytes) ++failed;
          if (r->blank.blank) ++blank;
          if (r->quarter_turns != 0) ++turned;
          ++images;
        }
      }
    });
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const int n = images.load();
  std::printf("capture_bench: %s, %zu files x %d pass(es), %d workers\n", dir.c_str(), files.size(), passes, workers);
  std::printf("  images: %d in %.1f s  ->  %.0f images/min  (goal >= 140)\n", n, secs, n * 60.0 / secs);
  std::printf("  per image (thread time): decode %.0f ms, separator+cleanup %.0f ms, encode %.0f ms\n",
              decode_us.load() / 1000.0 / std::max(1, n), cleanup_us.load() / 1000.0 / std::max(1, n),
              encode_us.load() / 1000.0 / std::max(1, n));
  std::printf("  flagged blank: %d, turned upright: %d, separators: %d, failed: %d\n", blank.load(), turned.load(),
              separators.load(), failed.load());
  std::printf("  peak RSS: %.1f MiB\n", ru.ru_maxrss / 1024.0);
  return failed.load() == 0 ? 0 : 2;
}
