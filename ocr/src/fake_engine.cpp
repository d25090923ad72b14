// FakeEngine: see fake_engine.h.
#include "ocr/fake_engine.h"

#include <algorithm>
#include <thread>

namespace ocr {

Reading FakeEngine::reading(std::string text, double confidence) {
  Reading r;
  r.text = std::move(text);
  r.confidence = confidence;
  return r;
}

void FakeEngine::set_default(Reading r) {
  std::lock_guard lock(mutex_);
  default_ = std::move(r);
}

void FakeEngine::set_zone(Box zone, Result<Reading> r) {
  std::lock_guard lock(mutex_);
  by_zone_.insert_or_assign(ZoneKey{zone.x, zone.y, zone.w, zone.h}, std::move(r));
}

void FakeEngine::set_spec(ZoneLayout layout, std::string whitelist, Result<Reading> r) {
  std::lock_guard lock(mutex_);
  by_spec_.insert_or_assign(std::pair{layout, std::move(whitelist)}, std::move(r));
}

void FakeEngine::set_callback(Callback callback) {
  std::lock_guard lock(mutex_);
  callback_ = std::move(callback);
}

void FakeEngine::fail_after(int reads, Error error) {
  std::lock_guard lock(mutex_);
  failure_ = std::pair{std::max(reads, 0), std::move(error)};
}

void FakeEngine::stop_failing() {
  std::lock_guard lock(mutex_);
  failure_.reset();
}

void FakeEngine::set_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  delay_ = delay;
}

void FakeEngine::set_check_zones(bool check) {
  std::lock_guard lock(mutex_);
  check_zones_ = check;
}

void FakeEngine::set_unreadable(std::u32string chars) {
  std::lock_guard lock(mutex_);
  unreadable_ = std::move(chars);
}

void FakeEngine::set_languages(std::set<std::string> languages) {
  std::lock_guard lock(mutex_);
  languages_ = std::move(languages);
}

std::vector<Box> FakeEngine::zones() const {
  std::lock_guard lock(mutex_);
  return zones_;
}

void FakeEngine::reset_counts() {
  std::lock_guard lock(mutex_);
  zones_.clear();
  calls_.store(0);
  failures_.store(0);
  max_concurrent_.store(0);
}

Result<Reading> FakeEngine::read(const Image& page, Box zone, const ZoneSpec& spec) {
  calls_.fetch_add(1);
  // Tracks how many reads overlap, so a test can tell a pool really ran them in parallel.
  const int now_in_flight = in_flight_.fetch_add(1) + 1;
  int seen = max_concurrent_.load();
  while (now_in_flight > seen && !max_concurrent_.compare_exchange_weak(seen, now_in_flight)) {
  }
  struct Leave {
    std::atomic<int>& n;
    ~Leave() { n.fetch_sub(1); }
  } leave{in_flight_};

  // Decide under the lock, then sleep and call back without it, so slow reads overlap.
  std::optional<Result<Reading>> canned;
  Callback callback;
  std::chrono::milliseconds delay{0};
  bool check = true;
  {
    std::lock_guard lock(mutex_);
    zones_.push_back(zone);
    delay = delay_;
    check = check_zones_;
    if (failure_) {
      if (failure_->first == 0)
        canned = Result<Reading>(std::unexpected(failure_->second));
      else
        --failure_->first;
    }
    if (!canned) {
      if (auto it = by_zone_.find(ZoneKey{zone.x, zone.y, zone.w, zone.h}); it != by_zone_.end())
        canned = it->second;
      else if (auto is = by_spec_.find(std::pair{spec.layout, spec.whitelist}); is != by_spec_.end())
        canned = is->second;
      else if (callback_)
        callback = callback_;
      else
        canned = Result<Reading>(default_);
    }
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);

  // The zone checks of TesseractEngine::read, so that a caller's bad zones fail in tests too.
  Box clipped = zone;
  if (check) {
    if (page.empty()) {
      failures_.fetch_add(1);
      return fail(Code::kInvalid, "cannot read a zone of an empty image");
    }
    const int x0 = std::max(zone.x, 0), y0 = std::max(zone.y, 0);
    const int x1 = std::min(zone.x + zone.w, page.width()), y1 = std::min(zone.y + zone.h, page.height());
    clipped = Box{x0, y0, x1 - x0, y1 - y0};
    if (zone.empty() || clipped.empty()) {
      failures_.fetch_add(1);
      return fail(Code::kInvalid, "zone lies outside the page");
    }
  }

  Result<Reading> r = canned ? std::move(*canned) : callback(page, zone, spec);
  if (!r) {
    failures_.fetch_add(1);
    return r;
  }
  if (r->box.empty()) r->box = clipped;
  return r;
}

bool FakeEngine::can_read(char32_t ch, const std::string& languages) {
  (void)languages;
  std::lock_guard lock(mutex_);
  return unreadable_.find(ch) == std::u32string::npos;
}

bool FakeEngine::has_language(const std::string& lang) {
  std::lock_guard lock(mutex_);
  return languages_.contains(lang);
}

namespace {

class FakeHandle final : public Engine {
 public:
  explicit FakeHandle(FakeEngine& fake) : fake_(fake) {}
  Result<Reading> read(const Image& page, Box zone, const ZoneSpec& spec) override {
    return fake_.read(page, zone, spec);
  }
  bool can_read(char32_t ch, const std::string& languages) override { return fake_.can_read(ch, languages); }
  bool has_language(const std::string& lang) override { return fake_.has_language(lang); }

 private:
  FakeEngine& fake_;
};

}  // namespace

std::unique_ptr<Engine> FakeEngine::handle() { return std::make_unique<FakeHandle>(*this); }

}  // namespace ocr
