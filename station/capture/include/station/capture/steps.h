#pragma once
// The steps capture shares between file import (import.cpp) and scanning (scan.cpp):
// register an envelope, commit a page the moment it is read, clean it on worker threads and
// record what cleanup found, and measure progress. The order of the stages on arrival is:
//   store original (committed) -> separator check (scan runs) -> cleanup on a worker
//   (border, orientation, deskew, blank) -> store the cleaned copy beside the original.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ocr/cleanup.h"
#include "ocr/image.h"
#include "scanner/error.h"
#include "station/clock.h"
#include "station/error.h"
#include "station/model.h"
#include "storage/blob_store.h"
#include "storage/database.h"
#include "station/store/context.h"

namespace station::capture {

// The parts of the store capture writes to; `mu` guards `db`.
using Store = store::Context;

// How a page's colour mode is stored (pages.color_mode): "color", "gray", "bw".
std::string_view color_mode_name(ocr::ColorMode mode);

// Registers an envelope (受付) and assigns its 受付番号 M<YYYYMMDD>-NNNN; one transaction.
Result<ImportReport> register_envelope(Store store, std::int64_t clerk_id, const std::string& received_date,
                                       int enclosures, const std::string& source);

struct NewPage {
  std::int64_t envelope_id = 0;
  int seq = 0;                              // 1-based within the envelope
  std::vector<unsigned char> bytes;         // the original, as kept
  std::string media_type;
  std::string source_name;                  // file name or "scan:<n>"
  int source_page = 0;
  const ocr::Image* image = nullptr;        // decoded pixels (size, dpi)
  std::string kind = "unknown";
  std::vector<std::string> flags;
};

// Stores the original blob and commits the page row; returns the page id.
Result<std::int64_t> store_page(Store store, const NewPage& page);

// Records the first content page of an envelope as its postmark page (the envelope's front).
void set_postmark_page(Store store, std::int64_t envelope_id, std::int64_t page_id);

// The one read-modify-write of a page's flags (pages.flags, comma-separated): reads them, lets
// `edit` change the list and writes it back, under the store's lock (a caller that changes other
// columns in step holds the lock around both). kNotFound when there is no such page.
Status edit_flags(Store store, std::int64_t page_id, const std::function<void(std::vector<std::string>&)>& edit);

// An envelope a scan continues into (after a jam): where its pages stand.
struct ContinuedEnvelope {
  std::int64_t id = 0;
  std::string receipt_no;
  int last_seq = 0;       // new pages are numbered from last_seq + 1
  int content_pages = 0;  // pages other than separator sheets
};
// Finds it by 受付番号 or id. kNotFound; kConflict unless the lifecycle lets it take more pages
// (interrupted, or captured and not yet read).
Result<ContinuedEnvelope> find_envelope_to_continue(Store store, const std::string& receipt_no_or_id);

// Pages of an envelope other than separator sheets.
int content_page_count(Store store, std::int64_t envelope_id);
// Records an envelope's number of enclosures (同封書類数).
Status set_enclosures(Store store, std::int64_t envelope_id, int enclosures);

// Over the given envelopes: pages flagged blank and not yet confirmed by the clerk, and pages with
// any flag.
void count_flags(Store store, const std::vector<std::int64_t>& envelope_ids, int& blank_pages, int& flagged_pages);

// Cleans a committed page and records the result: the cleaned copy as a second blob, skew,
// orientation confidence, the blank flag and other flags. The original is never touched.
Status clean_page(Store store, std::int64_t page_id, const ocr::Image& original, const ocr::CleanupOptions& options);

// Cleanup on `workers` threads with a bounded queue (memory stays flat however long the run).
// A page whose cleanup fails keeps its original and gets the flag "cleanup_failed".
class CleanupPool {
 public:
  CleanupPool(Store store, ocr::CleanupOptions options, int workers, std::size_t max_queue = 4);
  ~CleanupPool();
  CleanupPool(const CleanupPool&) = delete;
  CleanupPool& operator=(const CleanupPool&) = delete;
  void submit(std::int64_t page_id, ocr::Image image);  // blocks while the queue is full
  void finish();                                        // waits for every page submitted
  int failures() const;

 private:
  void run();
  Store store_;
  ocr::CleanupOptions options_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::condition_variable space_;
  std::deque<std::pair<std::int64_t, ocr::Image>> queue_;
  std::size_t max_queue_;
  bool done_ = false;
  int failures_ = 0;
  std::vector<std::thread> threads_;
};

// Pages so far and pages per minute since construction.
class RateMeter {
 public:
  RateMeter() : start_(std::chrono::steady_clock::now()) {}
  CaptureProgress at(int pages, int envelopes) const;

 private:
  std::chrono::steady_clock::time_point start_;
};

// What the clerk is told when the scanner stops: what happened, how many pages are safe, what to do.
std::string scanner_problem_ja(const scanner::Error& error, int pages_kept);

}  // namespace station::capture
