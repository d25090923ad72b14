#pragma once
// The background recognition: a pool of OCR workers, each a thread that owns its own engine
// (Tesseract is not thread-safe; one instance per thread, loaded once). The queue is the store
// itself — envelopes in state `captured`, oldest first — so what was queued survives a restart,
// and a worker claims an envelope with a guarded state change (captured → recognizing), so two
// workers never read one envelope. Pixels are processed without the store's lock: it is taken
// only to load the pages and to write the result.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "ocr/engine.h"
#include "station/error.h"
#include "station/model.h"

namespace station::recognition {

// Makes one OCR engine; called once on each worker's thread, which then owns it.
using EngineFactory = std::function<Result<std::unique_ptr<ocr::Engine>>()>;

// What one envelope's recognition does with the store, for the pool. `read` loads the pages,
// runs the envelope stages with `engine` and writes the result; it returns the number of fields
// read, or an error (the envelope is then marked recognition_failed). `stop` turns true when the
// station closes: `read` then returns kCancelled and writes nothing.
struct Work {
  std::function<Result<int>(std::int64_t envelope_id, ocr::Engine& engine, const std::function<bool(int)>& on_page,
                            const std::atomic<bool>& stop)>
      read;
  // Claims the envelope if it is queued: captured → recognizing. False when another worker has it.
  std::function<bool(std::int64_t envelope_id)> claim;
  // Envelopes queued in the store, oldest first.
  std::function<std::vector<std::int64_t>()> queued;
  // Marks the envelope's end state (finished, failed or abandoned) after a read.
  std::function<void(std::int64_t envelope_id, const Result<int>& outcome)> finish;
  std::function<std::string(std::int64_t envelope_id)> receipt_no;
  std::function<int(std::int64_t envelope_id)> page_count;
};

class Pool {
 public:
  // `automatic`: every queued envelope is read; otherwise only those asked for (request()).
  Pool(int workers, EngineFactory make_engine, Work work, bool automatic);
  ~Pool();  // stop()
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Something was queued: wake a worker (starting the workers on first use).
  void wake();
  // Asks for this envelope to be read (ahead of the queue) even when the pool is not automatic.
  void request(std::int64_t envelope_id);
  // Waits until the envelope is neither asked for nor being read; its outcome, if it was read
  // since request() (nullopt on timeout or when the pool stopped).
  std::optional<Result<int>> wait_for(std::int64_t envelope_id, std::chrono::milliseconds timeout);
  // Waits until nothing is queued or running; true when idle.
  bool wait_idle(std::chrono::milliseconds timeout);
  // Stops every worker after the engine call it is in (the envelope goes back to the queue).
  void stop();

  int workers() const { return workers_; }
  std::vector<RecognitionTask> running() const;  // envelope, pages, pages read
  std::int64_t recognized() const { return recognized_.load(); }

 private:
  void run();
  std::optional<std::int64_t> next_job();  // with m_ held

  const int workers_;
  EngineFactory make_engine_;
  Work work_;
  const bool automatic_;
  mutable std::mutex m_;
  std::condition_variable cv_;       // work to do, or stopping
  std::condition_variable done_cv_;  // a job ended
  std::vector<std::thread> threads_;
  std::vector<std::int64_t> requested_;  // asked for, in order
  std::map<std::int64_t, RecognitionTask> running_;
  std::set<std::int64_t> wanted_;                 // someone waits for these outcomes
  std::map<std::int64_t, Result<int>> outcomes_;  // of wanted envelopes, until collected
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> recognized_{0};
  bool pending_ = false;  // woken since the queue was last found empty
  int active_ = 0;        // workers between taking a job and finishing it
};

}  // namespace station::recognition
