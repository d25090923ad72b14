#pragma once
// FakeEngine: an ocr::Engine that returns canned readings, for fast deterministic tests of what
// reads zones (recognition, worker pools, progress) without Tesseract or its language data.
//
// What a read returns. First, like TesseractEngine, a read of an empty page or of a zone outside
// it is kInvalid (unless set_check_zones(false), for tests that pass no pixels). Then the first
// of these that applies:
//  1. an error, once fail_after() has let its number of reads through;
//  2. the result set for that exact zone (set_zone);
//  3. the result set for the spec's layout and whitelist (set_spec);
//  4. the callback's answer (set_callback);
//  5. the default reading (set_default; empty text, confidence 0 unless set).
// A reading without a box gets the zone clipped to the page, as the real engine reports it.
//
// Ownership: the fake keeps copies of everything it is given; the callback is copied too and
// must stay callable for as long as reads happen. Threads: unlike the real engine, every member
// may be called from any thread at once, so one fake can serve a whole worker pool. The
// configuration is guarded by a mutex (not held while sleeping or running the callback); the
// counters are atomics.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ocr/engine.h"

namespace ocr {

class FakeEngine final : public Engine {
 public:
  using Callback = std::function<Result<Reading>(const Image& page, Box zone, const ZoneSpec& spec)>;

  FakeEngine() = default;
  explicit FakeEngine(Reading default_reading) : default_(std::move(default_reading)) {}

  // A reading with this text and confidence (box left empty: filled with the zone).
  static Reading reading(std::string text, double confidence = 0.9);

  // ---- canned answers --------------------------------------------------------------------
  void set_default(Reading r);
  void set_zone(Box zone, Result<Reading> r);
  void set_spec(ZoneLayout layout, std::string whitelist, Result<Reading> r);
  void set_callback(Callback callback);
  // Reads after the first `reads` (counted from now) fail with `error` (default: kEngine).
  void fail_after(int reads, Error error = {Code::kEngine, "fake engine told to fail"});
  void stop_failing();
  // Each read sleeps this long first (to make worker pools and progress observable).
  void set_delay(std::chrono::milliseconds delay);
  void set_check_zones(bool check);

  // ---- what the model knows --------------------------------------------------------------
  // can_read is false for these characters, whatever the languages; true for any other.
  void set_unreadable(std::u32string chars);
  // has_language is true for exactly these.
  void set_languages(std::set<std::string> languages);

  // ---- what it was asked -----------------------------------------------------------------
  int calls() const { return calls_.load(); }  // reads started, failed ones included
  int failures() const { return failures_.load(); }
  int max_concurrent() const { return max_concurrent_.load(); }  // most reads in flight at once
  std::vector<Box> zones() const;  // every zone read, in the order the reads started
  void reset_counts();

  // An engine that answers through this fake, for a station's engine factory, which makes one
  // engine per worker: they all share this fake's answers and counters. The fake must outlive it.
  std::unique_ptr<Engine> handle();

  // ---- Engine ------------------------------------------------------------------------------
  Result<Reading> read(const Image& page, Box zone, const ZoneSpec& spec) override;
  bool can_read(char32_t ch, const std::string& languages = "") override;
  bool has_language(const std::string& lang) override;

 private:
  struct ZoneKey {
    int x, y, w, h;
    friend auto operator<=>(const ZoneKey&, const ZoneKey&) = default;
  };

  mutable std::mutex mutex_;
  Reading default_;
  std::map<ZoneKey, Result<Reading>> by_zone_;
  std::map<std::pair<ZoneLayout, std::string>, Result<Reading>> by_spec_;
  Callback callback_;
  std::optional<std::pair<int, Error>> failure_;  // reads still let through, then this error
  std::chrono::milliseconds delay_{0};
  bool check_zones_ = true;
  std::u32string unreadable_;
  std::set<std::string> languages_;
  std::vector<Box> zones_;

  std::atomic<int> calls_{0};
  std::atomic<int> failures_{0};
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_concurrent_{0};
};

}  // namespace ocr
