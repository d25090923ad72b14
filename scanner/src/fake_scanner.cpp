// FakeScanner: see fake_scanner.h. The batch loop follows SaneScanner::scan_batch step for step
// so that a caller tested against the fake meets the same order of events on a real device.
#include "scanner/fake_scanner.h"

#include <algorithm>
#include <thread>
#include <utility>

namespace scanner {
namespace {

std::string pages_text(int n) { return std::to_string(n) + (n == 1 ? " page" : " pages"); }

// The words SaneScanner uses for the same faults, so logs read alike.
const char* what_of(Code code) {
  switch (code) {
    case Code::kJammed:
      return "paper jam";
    case Code::kCoverOpen:
      return "cover open";
    case Code::kBusy:
      return "device busy";
    case Code::kFeederEmpty:
      return "no paper in the feeder";
    case Code::kCancelled:
      return "scan cancelled";
    case Code::kIo:
      return "I/O error";
    default:
      return "scanner error";
  }
}

}  // namespace

FakeScanner::FakeScanner(std::vector<Frame> frames, std::string name) : name_(std::move(name)) {
  load(std::move(frames));
}

Frame FakeScanner::gray_frame(int width, int height, unsigned char value, int dpi) {
  Frame f;
  f.width = width;
  f.height = height;
  f.channels = 1;
  f.dpi = dpi;
  f.pixels.assign(
      static_cast<std::size_t>(std::max(width, 0)) * static_cast<std::size_t>(std::max(height, 0)), value);
  return f;
}

void FakeScanner::load(std::vector<Frame> frames) {
  std::lock_guard lock(mutex_);
  for (Frame& f : frames) feeder_.push_back(std::move(f));
}

int FakeScanner::pages_loaded() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(feeder_.size());
}

void FakeScanner::fail_after(int pages, Code code, std::string message) {
  std::lock_guard lock(mutex_);
  fault_ = Fault{std::max(pages, 0), Error{code, std::move(message)}};
}

void FakeScanner::fail_configure(std::optional<Error> error) {
  std::lock_guard lock(mutex_);
  configure_error_ = std::move(error);
}

void FakeScanner::set_page_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  page_delay_ = delay;
}

std::vector<Settings> FakeScanner::configured() const {
  std::lock_guard lock(mutex_);
  return configured_;
}

std::optional<Settings> FakeScanner::last_settings() const {
  std::lock_guard lock(mutex_);
  if (configured_.empty()) return std::nullopt;
  return configured_.back();
}

Status FakeScanner::configure(const Settings& settings) {
  // The same checks as SaneScanner::configure, in the same order, so a caller's bad settings
  // fail in tests too.
  if (settings.dpi <= 0 || settings.dpi > 4800)
    return fail(Code::kInvalid, "resolution " + std::to_string(settings.dpi) + " dpi is not sensible");
  if (!(settings.page_width_mm > 0) || !(settings.page_height_mm > 0) || settings.page_width_mm > 2000 ||
      settings.page_height_mm > 10000)
    return fail(Code::kInvalid, "page size is not sensible");
  if (scanning_.load()) return fail(Code::kInvalid, name_ + ": cannot configure while scanning");
  std::lock_guard lock(mutex_);
  if (configure_error_) return std::unexpected(*configure_error_);
  configured_.push_back(settings);
  return {};
}

void FakeScanner::cancel() {
  cancels_.fetch_add(1);
  cancel_requested_.store(true);
}

Status FakeScanner::set_option(const std::string& name, const std::string& value) {
  if (name.empty()) return fail(Code::kUnsupported, name_ + " has no option ''");
  std::lock_guard lock(mutex_);
  options_[name] = value;
  return {};
}

Result<std::string> FakeScanner::get_option(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = options_.find(name);
  if (it == options_.end()) return fail(Code::kUnsupported, name_ + " has no option '" + name + "'");
  return it->second;
}

Result<int> FakeScanner::scan_batch(const FrameSink& sink) {
  if (!sink) return fail(Code::kInvalid, "scan_batch needs a sink");
  cancel_requested_.store(false);  // SANE forgets a cancel() made between batches
  batches_.fetch_add(1);
  Settings settings;  // never configured: the device's defaults (the ADF, as Settings{} says)
  std::chrono::milliseconds delay{0};
  {
    std::lock_guard lock(mutex_);
    if (!configured_.empty()) settings = configured_.back();
    delay = page_delay_;
  }
  const bool feeder = settings.source != Source::kFlatbed;
  auto cancelled = [&](int pages) {
    return fail(Code::kCancelled, "scan cancelled after " + pages_text(pages) + " on " + name_);
  };

  scanning_.store(true);
  int delivered = 0;
  Result<int> result = 0;
  for (;;) {
    if (cancel_requested_.load()) {
      result = cancelled(delivered);
      break;
    }
    Frame frame;
    {
      std::lock_guard lock(mutex_);
      if (fault_ && fault_->after_pages == 0) {
        Error e = std::move(fault_->error);
        fault_.reset();
        if (e.message.empty())
          e.message = std::string(what_of(e.code)) + " after " + pages_text(delivered) + " on " + name_;
        result = std::unexpected(std::move(e));
        break;
      }
      if (feeder_.empty()) {
        if (delivered > 0)
          result = delivered;
        else
          result = fail(Code::kFeederEmpty,
                        feeder ? "no paper in the feeder of " + name_ : "no document on " + name_);
        break;
      }
      frame = std::move(feeder_.front());
      feeder_.pop_front();
    }
    // The page "scans" for `delay`; a cancel() meanwhile ends the batch without it, and the sheet
    // stays loaded (nothing is lost that was not delivered).
    const auto until = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < until && !cancel_requested_.load())
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(2), until - std::chrono::steady_clock::now()));
    if (cancel_requested_.load()) {
      std::lock_guard lock(mutex_);
      feeder_.push_front(std::move(frame));
      result = cancelled(delivered);
      break;
    }
    if (frame.dpi <= 0) frame.dpi = settings.dpi;
    if (progress_) {
      const auto bytes = static_cast<long long>(frame.pixels.size());
      progress_(delivered, bytes, bytes);
    }
    {
      std::lock_guard lock(mutex_);
      if (fault_) --fault_->after_pages;
    }
    const int index = delivered;
    ++delivered;
    delivered_total_.fetch_add(1);
    const bool go_on = sink(std::move(frame), index);
    result = delivered;
    if (!go_on || !feeder) break;
  }
  scanning_.store(false);
  if (cancel_requested_.load() && result) result = cancelled(delivered);
  cancel_requested_.store(false);
  return result;
}

}  // namespace scanner
