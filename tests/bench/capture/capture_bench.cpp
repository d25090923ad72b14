// Capture + cleanup throughput on the shared samples: each image file is read, decoded (with
// the pixel limits), cleaned (border crop, orientation by Tesseract OSD, deskew, blank
// detection), checked for a separator sheet and its cleaned copy encoded for storage — the
// work the station does per page on arrival, minus the encrypted write. `workers` threads
// share the files. Prints images per minute and the peak resident memory (ru_maxrss).
#include <sys/resource.h>
#include <time.h>

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

double cpu_now() {  // this thread's CPU seconds (independent of other load on the machine)
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
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
          auto bytes = r->image.color_mode() == ocr::ColorMode::kBlackWhite ? r->image.encode_png()
                                                                              : r->image.encode_jpeg(92);
          encode_us += us_since(t2);
          if (!bytes) ++failed;
          if (r->blank.blank) ++blank;
          if (r->quarter_turns != 0) {
            ++turned;
            if (std::getenv("CAPTURE_BENCH_LIST") != nullptr)
              std::printf("  turned %d: %s (confidence %.2f)\n", r->quarter_turns, jobs[i].c_str(),
                          r->orientation_confidence);
          }
          ++images;
        }
      }
    });
  for (auto& t : threads) t.join();
  if (std::getenv("CAPTURE_BENCH_STEPS") != nullptr) {  // one thread, each step timed on the first files
    double t_sep = 0, t_box = 0, t_or = 0, t_orh = 0, t_skew = 0, t_rot = 0, t_blank = 0;
    int k = 0;
    if (auto warm = ocr::decode_pages(read_bytes(files[0]))) (void)ocr::detect_orientation((*warm)[0]);  // OSD init
    for (std::size_t i = 0; i < std::min<std::size_t>(files.size(), 10); ++i) {
      auto pages = ocr::decode_pages(read_bytes(files[i]));
      if (!pages) continue;
      const auto& p = (*pages)[0];
      double t = cpu_now();
      (void)ocr::detect_separator(p);
      t_sep += (cpu_now() - t) * 1000.0, t = cpu_now();
      (void)ocr::find_content_box(p);
      t_box += (cpu_now() - t) * 1000.0, t = cpu_now();
      (void)ocr::detect_orientation(p);
      t_or += (cpu_now() - t) * 1000.0, t = cpu_now();
      (void)ocr::detect_orientation(p, ocr::Orient::kHeuristic);
      t_orh += (cpu_now() - t) * 1000.0, t = cpu_now();
      const double sk = ocr::estimate_skew(p);
      t_skew += (cpu_now() - t) * 1000.0, t = cpu_now();
      (void)ocr::rotate_degrees(p, sk + 0.5);
      t_rot += (cpu_now() - t) * 1000.0, t = cpu_now();
      (void)ocr::detect_blank(p);
      t_blank += (cpu_now() - t) * 1000.0;
      ++k;
    }
    std::printf("  steps (ms/image, 1 thread, CPU time): separator %.0f, border %.0f, orientation %.0f (heuristic alone %.0f), "
                "skew %.0f, rotate %.0f, blank %.0f\n", t_sep / k, t_box / k, t_or / k, t_orh / k, t_skew / k, t_rot / k,
                t_blank / k);
  }
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
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::printf("  CPU: %.1f s (%.0f%% of %d cores while running; other load on the machine lowers the wall figure)\n",
              cpu, 100.0 * cpu / secs / workers, workers);
  std::printf("  CPU-bound estimate with %d free cores: %.0f images/min\n", workers, n * 60.0 / (cpu / workers));
  std::printf("  peak RSS: %.1f MiB\n", ru.ru_maxrss / 1024.0);
  return failed.load() == 0 ? 0 : 2;
}
