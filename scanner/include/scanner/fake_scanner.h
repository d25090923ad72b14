#pragma once
// FakeScanner: a Scanner without a device, for fast deterministic tests of whatever drives one
// (capture, the web capture job, progress and error reporting).
//
// It keeps the SANE implementation's contract (scanner.h, sane_scanner.cpp):
//  - scan_batch hands each page to the sink before the next is "fed" and returns the number of
//    sink calls; a fault after N pages returns the error, those N pages already delivered.
//  - From the feeder (kAdf, kAdfDuplex) a batch runs until the loaded pages are used up; the
//    flatbed delivers one page per batch. No page at all is kFeederEmpty.
//  - A sink returning false ends the batch; scan_batch returns the pages delivered, that one
//    included.
//  - cancel() (from the sink or another thread) ends the batch with kCancelled, even after the
//    last page; a cancel() before scan_batch starts is forgotten, as SANE forgets it.
//  - configure() refuses the same nonsense (dpi, page size) with kInvalid; a frame without a dpi
//    is stamped with the configured one.
//
// The loaded pages are a feeder stack: a batch consumes what it delivers, load() adds paper.
// A fault (fail_after) fires once, when the page after the N-th would be read; the page it hit
// stays loaded, so the next batch goes on with it, as after a clerk clears a jam.
//
// Ownership: the fake owns copies of its frames and hands each to the sink by move. Threads: one
// thread drives it, as any Scanner; cancel() and the counters may be used from any thread.
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "scanner/scanner.h"

namespace scanner {

class FakeScanner final : public Scanner {
 public:
  explicit FakeScanner(std::vector<Frame> frames = {}, std::string name = "fake:scanner");

  // A gray page of `width` x `height` pixels, every pixel `value` (dpi 0: the configured one).
  static Frame gray_frame(int width, int height, unsigned char value = 255, int dpi = 0);

  // ---- how it behaves --------------------------------------------------------------------
  void load(std::vector<Frame> frames);  // more paper in the feeder (appended)
  int pages_loaded() const;
  // Once `pages` more pages have been delivered (in this batch or later ones), the scan stops
  // with `code` (kJammed, kCoverOpen, kIo, ...). One-shot.
  void fail_after(int pages, Code code, std::string message = {});
  // configure() fails with this error (once set, until cleared with std::nullopt).
  void fail_configure(std::optional<Error> error);
  // Time each page takes to "scan" (for progress and for cancel() from another thread).
  void set_page_delay(std::chrono::milliseconds delay);

  // ---- what it was asked -----------------------------------------------------------------
  // Every Settings configure() accepted, oldest first; last_settings() is the one in force.
  std::vector<Settings> configured() const;
  std::optional<Settings> last_settings() const;
  const OptionNames& option_names() const { return names_; }
  int batches() const { return batches_.load(); }
  int pages_delivered() const { return delivered_total_.load(); }
  int cancels() const { return cancels_.load(); }

  // ---- Scanner -----------------------------------------------------------------------------
  Status configure(const Settings& settings) override;
  Result<int> scan_batch(const FrameSink& sink) override;
  void cancel() override;
  // Options are remembered as text; an option never set reads as kUnsupported, as on a
  // device without it.
  Status set_option(const std::string& name, const std::string& value) override;
  Result<std::string> get_option(const std::string& name) override;
  void set_option_names(const OptionNames& names) override { names_ = names; }
  void set_progress(ProgressCallback progress) override { progress_ = std::move(progress); }

 private:
  struct Fault {
    int after_pages = 0;
    Error error;
  };

  std::string name_;
  mutable std::mutex mutex_;  // guards the fields below it up to the atomics
  std::deque<Frame> feeder_;
  std::optional<Fault> fault_;
  std::optional<Error> configure_error_;
  std::vector<Settings> configured_;
  std::map<std::string, std::string> options_;
  std::chrono::milliseconds page_delay_{0};

  OptionNames names_;
  ProgressCallback progress_;
  std::atomic<bool> cancel_requested_{false};
  std::atomic<bool> scanning_{false};
  std::atomic<int> batches_{0};
  std::atomic<int> delivered_total_{0};
  std::atomic<int> cancels_{0};
};

}  // namespace scanner
