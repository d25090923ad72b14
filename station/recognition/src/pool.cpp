// The recognition pool (pool.h).
#include "station/recognition/pool.h"

#include <algorithm>
#include <cstdio>

namespace station::recognition {

namespace {

// Wraps a worker's engine so that every read fails at once when the station closes: the envelope
// being read then finishes quickly with nothing worth storing and goes back to the queue.
class StoppableEngine final : public ocr::Engine {
 public:
  StoppableEngine(ocr::Engine& inner, const std::atomic<bool>& stop) : inner_(inner), stop_(stop) {}
  ocr::Result<ocr::Reading> read(const ocr::Image& page, ocr::Box zone, const ocr::ZoneSpec& spec) override {
    if (stop_.load()) return std::unexpected(ocr::Error{ocr::Code::kEngine, "the station is closing"});
    return inner_.read(page, zone, spec);
  }
  bool can_read(char32_t ch, const std::string& languages) override { return inner_.can_read(ch, languages); }
  bool has_language(const std::string& lang) override { return inner_.has_language(lang); }

 private:
  ocr::Engine& inner_;
  const std::atomic<bool>& stop_;
};

}  // namespace

Pool::Pool(int workers, EngineFactory make_engine, Work work, bool automatic)
    : workers_(std::max(1, workers)), make_engine_(std::move(make_engine)), work_(std::move(work)),
      automatic_(automatic) {}

Pool::~Pool() { stop(); }

void Pool::wake() {
  std::lock_guard lock(m_);
  if (stop_.load()) return;
  if (threads_.empty())
    for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { run(); });
  pending_ = true;
  cv_.notify_all();
}

void Pool::request(std::int64_t envelope_id) {
  {
    std::lock_guard lock(m_);
    outcomes_.erase(envelope_id);
    wanted_.insert(envelope_id);
    if (std::find(requested_.begin(), requested_.end(), envelope_id) == requested_.end())
      requested_.push_back(envelope_id);
  }
  wake();
}

std::optional<Result<int>> Pool::wait_for(std::int64_t envelope_id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_);
  const bool ended = done_cv_.wait_for(lock, timeout, [&] { return stop_.load() || outcomes_.contains(envelope_id); });
  wanted_.erase(envelope_id);
  if (!ended || !outcomes_.contains(envelope_id)) return std::nullopt;
  auto out = std::move(outcomes_.at(envelope_id));
  outcomes_.erase(envelope_id);
  return out;
}

bool Pool::wait_idle(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    bool busy;
    {
      std::lock_guard lock(m_);
      busy = active_ > 0 || !running_.empty() || !requested_.empty();
    }
    // The store's queue is read without m_ held (the store's lock comes first elsewhere).
    if (!busy && automatic_ && !work_.queued().empty()) busy = true;
    if (!busy) return true;
    if (stop_.load() || std::chrono::steady_clock::now() >= deadline) return false;
    std::unique_lock lock(m_);
    done_cv_.wait_for(lock, std::chrono::milliseconds(200));
  }
}

void Pool::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(m_);
    stop_.store(true);
    threads = std::move(threads_);
  }
  cv_.notify_all();
  done_cv_.notify_all();
  for (auto& t : threads)
    if (t.joinable()) t.join();
}

std::vector<RecognitionTask> Pool::running() const {
  std::lock_guard lock(m_);
  std::vector<RecognitionTask> out;
  for (const auto& [id, t] : running_) out.push_back(t);
  return out;
}

void Pool::run() {
  std::unique_ptr<ocr::Engine> engine;
  for (;;) {
    std::optional<std::int64_t> job;
    {
      std::unique_lock lock(m_);
      cv_.wait(lock, [&] { return stop_.load() || !requested_.empty() || (automatic_ && pending_); });
      if (stop_.load()) return;
      if (!requested_.empty()) {
        job = requested_.front();
        requested_.erase(requested_.begin());
      } else {
        pending_ = false;
      }
      ++active_;  // from here until the job's end this worker counts as busy (wait_idle)
    }
    struct Idle {
      Pool& p;
      ~Idle() {
        {
          std::lock_guard lock(p.m_);
          --p.active_;
        }
        p.done_cv_.notify_all();
      }
    } idle{*this};
    // Claiming takes the store's lock: never with m_ held.
    if (job) {
      if (!work_.claim(*job)) continue;  // another worker is reading it; its outcome is recorded
    } else {
      for (const auto id : work_.queued())
        if (work_.claim(id)) {
          job = id;
          break;
        }
      if (!job) continue;
      std::lock_guard lock(m_);
      pending_ = true;  // more may be queued: let another worker look
      cv_.notify_one();
    }
    const std::int64_t id = *job;
    RecognitionTask task;
    task.envelope_id = id;
    task.state = EnvelopeState::kRecognizing;
    task.receipt_no = work_.receipt_no(id);  // the store's lock: before m_
    task.pages = work_.page_count(id);
    {
      std::lock_guard lock(m_);
      running_[id] = task;
    }
    Result<int> outcome = fail(ErrorCode::kOcrUnavailable, "no OCR engine");
    if (!engine && make_engine_) {
      auto e = make_engine_();
      if (e) engine = std::move(*e);
      else outcome = std::unexpected(e.error());
    }
    if (engine) {
      StoppableEngine stoppable(*engine, stop_);
      auto on_page = [&](int pages_done) {
        std::lock_guard lock(m_);
        running_[id].pages_recognized = pages_done;
        return !stop_.load();
      };
      outcome = work_.read(id, stoppable, on_page, stop_);
    }
    work_.finish(id, outcome);
    {
      std::lock_guard lock(m_);
      running_.erase(id);
      if (outcome && !stop_.load()) ++recognized_;
      if (wanted_.contains(id)) outcomes_.insert_or_assign(id, outcome);
    }
    done_cv_.notify_all();
  }
}

}  // namespace station::recognition
