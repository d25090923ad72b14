#pragma once
// Private: the state behind station::Station, shared by the files that implement its stages
// (station.cpp, facility_list.cpp, capture.cpp, recognition.cpp, review.cpp, export.cpp) and the
// thin forwarders to the security sub-library (accounts.cpp, audit.cpp, keys_admin.cpp, backup.cpp).
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <set>
#include <utility>

#include "capture_pipeline.h"
#include "station/access.h"
#include "station/audit_trail.h"
#include "station/clock.h"
#include "station/files.h"
#include "convert.h"
#include "ocr/engine.h"
#include "ocr/image.h"
#include "station/recognition/forms.h"
#include "station/station.h"
#include "storage/blob_store.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "station/lifecycle.h"
#include "station/security/audit_log.h"
#include "station/security/store_lock.h"
#include "station/security/store_parts.h"
#include "station/store/context.h"
#include "station/store/envelopes.h"
#include "station/store/fields.h"
#include "recognition_service.h"
#include "station/recognition/templates.h"
#include "services.h"

namespace station {

namespace fs = std::filesystem;

namespace capture {
class JobRunner;  // capture_job.h: the web UI's background scan/import
}  // namespace capture

namespace internal {

inline ocr::Box mm_to_px(const recognition::ZoneMm& z, int dpi) {
  auto px = [dpi](double mm) { return static_cast<int>(mm / 25.4 * dpi + 0.5); };
  return {px(z.x), px(z.y), px(z.w), px(z.h)};
}

}  // namespace internal

using namespace internal;

struct Station::Impl final : AuditTrail {
  Config config;
  // The OCR engine factory, the scanner factory and the clock (tests replace them), complete
  // (resolve_services) from construction on.
  const Services services;
  storage::Database db;
  storage::BlobStore blobs;
  // Guards db. Recursive so that audit() can take it whether or not its caller holds it.
  std::recursive_mutex mu;

  // Security state (issue #5): set by Station::open_store.
  fs::path dir;                              // config.data_dir
  security::StoreLock store_lock;
  std::optional<storage::SecretKey> master;  // locked memory; for backups and the electronic store
  std::optional<storage::Database> edb;      // the electronic-records store (own file, own key)
  std::mutex edb_mu;                         // guards edb
  // The hash-chained, signed audit log (station_security); holds the station's signing key.
  security::AuditLog audit_log;
  MaintenanceReport open_report;
  std::mutex templates_mu;                                  // guards templates
  std::shared_ptr<const recognition::Templates> templates;  // form_templates(): loaded once
  // The background recognition (recognition.cpp): started by Station::create/open; stopped after
  // the capture job (members are destroyed last first: a job's end may still queue an envelope)
  // and while the store is still open.
  std::unique_ptr<recognition::Pool> ocr_pool;
  // The background capture job (capture_job.cpp). Keep it the last data member: destroyed first,
  // it stops its run after the current page and joins the thread while the store is still open.
  std::shared_ptr<capture::JobRunner> capture_jobs;

  Impl(Config c, Services s, storage::Database d, storage::BlobStore b)
      : config(std::move(c)),
        services(std::move(s)),
        db(std::move(d)),
        blobs(std::move(b)),
        dir(config.data_dir),
        audit_log(context(), config.data_dir, config.audit_checkpoint_every) {}

  // The station's time: every date and timestamp it records or compares.
  const Clock& clock() const { return *services.clock; }
  // The open store as the domains see it.
  store::Context context() { return store::Context{db, blobs, mu, clock()}; }
  // The store's parts the key and backup operations read and replace.
  security::StoreParts store_parts() { return security::StoreParts{context(), dir, master, edb, edb_mu}; }
  // The store as the capture pipeline sees it.
  capture::Store capture_store() { return capture::Store{db, blobs, mu, clock()}; }

  ocr::DecodeLimits limits() const {
    ocr::DecodeLimits l;
    l.max_pixels = config.max_image_pixels;
    l.default_dpi = config.default_dpi;
    return l;
  }

  // Appends one entry to the audit log (security::AuditLog::record): takes mu itself, never fails
  // the caller's action.
  void audit(const User* user, std::string_view action, const std::string& subject) {
    audit_log.record(user, action, subject);
  }
  void record(const User* user, std::string_view action, const std::string& subject) override {
    audit_log.record(user, action, subject);
  }

  // Capture (issue 3; capture.cpp, scan.cpp): the runs behind Station::import_envelope and
  // Station::scan. `stop` (may be null), once true, ends the run after the current page.
  Result<ImportReport> import_files(const User& actor, const std::vector<fs::path>& inputs, const Intake& intake,
                                    const std::function<void(const CaptureProgress&)>& progress,
                                    const std::atomic<bool>* stop);
  Result<ScanReport> scan(const User& actor, const ScanRequest& request,
                          const std::function<void(const CaptureProgress&)>& progress, const std::atomic<bool>* stop);

  // Recognition (recognition.cpp). At open: captures cut off by a crash become interrupted, reads
  // cut off by a closing station go back to the queue; then the pool starts on what is queued.
  Status start_recognition();
  // A capture run ended for this envelope: every page in (captured, queued for recognition) or
  // cut off (interrupted). Wakes the pool. Takes mu itself.
  void capture_ended(std::int64_t envelope_id, bool complete);
  // The form templates, read from their folder once and shared by every worker.
  Result<std::shared_ptr<const recognition::Templates>> form_templates();
  // One envelope's recognition on a worker thread (the pool's Work::read).
  Result<int> recognize_stored(std::int64_t envelope_id, ocr::Engine& engine, const std::function<bool(int)>& on_page,
                               const std::atomic<bool>& stop);

  // The upright page image: the cleaned copy made on arrival when there is one, else (or if that
  // copy cannot be read) the original; read back with the page's recorded resolution (the encoded
  // copy carries none) and the stored rotation applied. The pipeline's load_cleaned stage.
  Result<ocr::Image> load_page(std::int64_t page_id, int* rotation_out = nullptr);

  // The field from the store, with what the forms (its label) and the configuration (the
  // confidence threshold) add.
  Result<FieldInfo> load_field(std::int64_t field_id) {
    auto f = store::field(db, field_id);
    if (!f) return f;
    f->label_ja = std::string(recognition::label_of(f->key));
    f->needs_attention = f->status != FieldStatus::kConfirmed &&
                         (f->confidence < config.confidence_threshold || f->value.empty() ||
                          f->value.find('?') != std::string::npos);
    return f;
  }

  // The envelope's summary from the store, with the pages the recognition pool has read so far.
  Result<EnvelopeSummary> load_envelope(std::int64_t id) {
    auto e = store::summary(db, id);
    if (!e) return e;
    if (e->state == EnvelopeState::kRecognizing && ocr_pool)
      for (const auto& t : ocr_pool->running())
        if (t.envelope_id == e->id) e->pages_recognized = t.pages_recognized;
    return e;
  }
};


}  // namespace station
