#pragma once
// Recognition through the store: the background pool's work on one envelope (load the cleaned
// pages → the pipeline's envelope stages → fields rows), the queue's state changes (the lifecycle's
// events), and the stored reading as JSON (station show). The queue is the store: envelopes in
// state `captured`, oldest first.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ocr/engine.h"
#include "ocr/image.h"
#include "station/audit_trail.h"
#include "station/config.h"
#include "station/error.h"
#include "station/model.h"
#include "station/recognition/lexicon.h"
#include "station/recognition/pool.h"
#include "station/recognition/templates.h"
#include "station/store/context.h"
#include "station/store/pages.h"

namespace station::recognition {

// Tesseract with the configured data and languages (the real engine).
EngineFactory tesseract_engine_factory(const Config& config);

class Service {
 public:
  Service(store::Context store, AuditTrail& audit, const Config& config, EngineFactory make_engine);
  ~Service();  // stops the pool (a half-read envelope goes back to the queue)
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // At open: captures cut off by a crash become interrupted (audited), reads cut off by a closing
  // station go back to the queue; then the pool starts on what is queued.
  Status start();
  // A capture run ended for this envelope: every page in (captured, queued) or cut off
  // (interrupted). Wakes the pool. Takes the store's lock itself.
  void capture_ended(std::int64_t envelope_id, bool complete);

  // Asks for the envelope to be read (again, after a failure) ahead of the queue. kConflict when its
  // state does not allow it.
  Status queue(std::int64_t envelope_id);
  // queue(), then waits (up to `timeout`) for the outcome: the number of fields read.
  Result<int> read_now(std::int64_t envelope_id, std::chrono::milliseconds timeout);
  // Running envelopes, then queued ones in order.
  Result<RecognitionStatus> status();
  bool wait_idle(std::chrono::milliseconds timeout) { return pool_->wait_idle(timeout); }
  std::vector<RecognitionTask> running() const { return pool_ ? pool_->running() : std::vector<RecognitionTask>{}; }

  // Called after an envelope's reading is stored, once per page read, with the page as stored
  // (the rotation just found) and its upright image (already decoded: no second decode). Outside
  // the store's lock, on the OCR worker. Set before start(). The facade keeps the verification
  // screen's display rendition with it (Station::page_rendition).
  using PageReady = std::function<void(const store::StoredPage& page, const ocr::Image& upright)>;
  void on_page_ready(PageReady f) { on_page_ready_ = std::move(f); }

  // The form templates, read from their folder once and shared by every worker.
  Result<std::shared_ptr<const Templates>> templates();

  // The facility list's names as loaded (lexicon.h), built again only when a new version of the
  // list was loaded; empty before any. Takes the store's lock.
  Result<std::shared_ptr<const Lexicon>> lexicon();

  // The upright page image: the cleaned copy made on arrival when there is one, else (or if that
  // copy cannot be read) the original; read back with the page's recorded resolution and the
  // stored rotation applied. The pipeline's load_cleaned stage.
  Result<ocr::Image> load_page(std::int64_t page_id, int* rotation_out = nullptr);

  // The stored reading of one envelope in the shape of truth.json (reading_json.h), with its
  // state and, for confirmed values, who confirmed them and when. Takes the store's lock.
  Result<nlohmann::json> stored_reading(std::int64_t envelope_id);

 private:
  Result<int> read_stored(std::int64_t envelope_id, ocr::Engine& engine, const std::function<bool(int)>& on_page,
                          const std::atomic<bool>& stop);

  store::Context store_;
  AuditTrail& audit_;
  const Config& config_;
  EngineFactory make_engine_;
  std::mutex templates_mu_;                      // guards templates_
  std::shared_ptr<const Templates> templates_;  // loaded once
  std::mutex lexicon_mu_;                        // guards lexicon_ and lexicon_version_
  std::shared_ptr<const Lexicon> lexicon_;
  std::int64_t lexicon_version_ = -1;            // the facility list version it was built from
  std::unique_ptr<Pool> pool_;                   // from start() on
  PageReady on_page_ready_;
};

}  // namespace station::recognition
