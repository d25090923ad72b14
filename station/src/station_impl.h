#pragma once
// Private: the state behind station::Station, shared by the files that implement its stages
// (station.cpp, facility_list.cpp, capture.cpp, recognition.cpp, review.cpp, export.cpp) and the
// thin forwarders to the security sub-library (accounts.cpp, audit.cpp, keys_admin.cpp, backup.cpp).
#include <algorithm>
#include <atomic>
#include <chrono>
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
#include <stop_token>
#include <thread>
#include <string>
#include <tuple>
#include <utility>
#include <condition_variable>

#include "station/capture/capture.h"
#include "station/access.h"
#include "station/audit_trail.h"
#include "station/clock.h"
#include "station/files.h"
#include "convert.h"
#include "rendition_cache.h"
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
#include "station/recognition/service.h"
#include "station/recognition/templates.h"

namespace station::review {
class FacilityIndex;
}
#include "services.h"

namespace station {

namespace fs = std::filesystem;

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
  // The facility list indexed for the checks, rebuilt when the stored list's version changes.
  std::shared_ptr<const review::FacilityIndex> facility_index;
  std::mutex facility_index_mu;              // guards facility_index
  // The hash-chained, signed audit log (station_security); holds the station's signing key.
  security::AuditLog audit_log;
  MaintenanceReport open_report;
  // The verification screen's page renditions (Station::page_rendition): 64 MiB, about 200
  // pages of 1600-px JPEG, i.e. a day's envelopes on screen.
  // Declared before the reader: its workers warm it (start_recognition) until the reader is gone.
  static constexpr std::size_t kRenditionCacheBytes = std::size_t{64} << 20;
  RenditionCache renditions{kRenditionCacheBytes};
  // The background recognition (station/recognition/service.h): started by Station::create/open
  // (start_recognition); stopped after the capture job (members are destroyed last first: a job's
  // end may still queue an envelope) and while the store is still open.
  std::unique_ptr<recognition::Service> reader;
  // Imports, scans and the web UI's background capture job (station/capture/capture.h), made at
  // open after the reader. Keep it the last data member: destroyed first, it stops a running job
  // after the current page and joins its thread while the reader and the store are still open.
  std::unique_ptr<capture::Capture> capture_runs;
  // Sync with the main system (sync.cpp): one round at a time; the background worker is the last
  // member, so it stops (after its current statement, bounded by [sync] timeout_seconds) before
  // anything else goes.
  std::mutex sync_run_mu;
  std::mutex sync_wake_mu;
  std::condition_variable_any sync_wake;
  std::jthread sync_worker;

  Impl(Config c, Services s, storage::Database d, storage::BlobStore b)
      : config(std::move(c)),
        services(std::move(s)),
        db(std::move(d)),
        blobs(std::move(b)),
        dir(config.data_dir),
        audit_log(store(), config.data_dir, config.audit_checkpoint_every, config.audit_public_key) {}

  // The station's time: every date and timestamp it records or compares.
  const Clock& clock() const { return *services.clock; }
  // The open store as the domains see it.
  store::Context store() { return store::Context{db, blobs, mu, clock()}; }
  // The store's parts the key and backup operations read and replace.
  security::StoreParts store_parts() { return security::StoreParts{store(), dir, master, edb, edb_mu}; }

  ocr::DecodeLimits limits() const {
    ocr::DecodeLimits l;
    l.max_pixels = config.max_image_pixels;
    l.default_dpi = config.default_dpi;
    l.max_pages = config.max_pages;
    return l;
  }

  // Read audit (issue #16): a view of an application's personal data (values, page images, field
  // crops, findings, a letter) is recorded as who, which envelope, what kind of view, when; never
  // the values. One entry per person, envelope and kind of view per minute, so that a review
  // screen's dozens of crops make one entry and not dozens.
  // The width the verification screen asks for (ui's kPageImageWidth): recognition's end warms
  // the cache at it, so that the first look at a page is a cache hit.
  static constexpr int kRenditionWarmWidth = 1600;
  // JPEG quality of the display rendition: the scan's strokes stay sharp at 1600 px, the encode
  // takes a fraction of a PNG's (verify_bench).
  static constexpr int kRenditionJpegQuality = 90;
  // Encodes the upright page at most max_width wide and keeps it under (page, max_width, version).
  Result<RenditionCache::Entry> keep_rendition(std::int64_t page_id, const std::string& version, const ocr::Image& upright,
                                               int max_width) {
    ocr::Image shown = upright;
    if (max_width > 0 && shown.width() > max_width) shown = shown.shown_at_width(max_width);
    auto jpeg = shown.encode_jpeg(kRenditionJpegQuality);
    if (!jpeg) return unexpected_ocr(jpeg.error());
    RenditionCache::Entry entry{std::make_shared<const std::vector<unsigned char>>(std::move(*jpeg)), version,
                                shown.width(), shown.height()};
    renditions.insert(page_id, max_width, entry);
    return entry;
  }

  std::mutex views_mu;
  std::map<std::tuple<std::int64_t, std::int64_t, std::string>, std::chrono::steady_clock::time_point> views;
  void record_view(const User& user, std::int64_t envelope_id, std::string_view what, const std::string& extra = {}) {
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(views_mu);
      auto key = std::make_tuple(user.id, envelope_id, std::string(what));
      auto it = views.find(key);
      if (it != views.end() && now - it->second < std::chrono::minutes(1)) return;
      views[std::move(key)] = now;
      if (views.size() > 4096) std::erase_if(views, [&](const auto& kv) { return now - kv.second >= std::chrono::minutes(1); });
    }
    audit_log.record(&user, "view." + std::string(what),
                     "envelope:" + std::to_string(envelope_id) + (extra.empty() ? "" : " " + extra));
  }

  // Appends one entry to the audit log (security::AuditLog::record): takes mu itself, never fails
  // the caller's action.
  void audit(const User* user, std::string_view action, const std::string& subject) {
    audit_log.record(user, action, subject);
  }
  void record(const User* user, std::string_view action, const std::string& subject) override {
    audit_log.record(user, action, subject);
  }

  // Sync (sync.cpp): one round as the station itself (no role check, audited by the caller).
  Result<SyncReport> sync_round();
  void sync_worker_loop(std::stop_token stop);

  // Recognition: starts the background reader (recognition::Service::start).
  Status start_recognition();
  // Capture: made once the reader is there to take what it captures.
  void start_capture() {
    capture_runs = std::make_unique<capture::Capture>(store(), *this, config, services.make_scanner,
                                                      [this](std::int64_t id, bool complete) { capture_ended(id, complete); });
  }
  // A capture run ended for this envelope: every page in (captured, queued for recognition) or
  // cut off (interrupted).
  void capture_ended(std::int64_t envelope_id, bool complete) { reader->capture_ended(envelope_id, complete); }
  // The upright page image as recognition reads it (recognition::Service::load_page).
  Result<ocr::Image> load_page(std::int64_t page_id, int* rotation_out = nullptr) {
    return reader->load_page(page_id, rotation_out);
  }

  // The envelope's summary from the store, with the pages the recognition pool has read so far.
  Result<EnvelopeSummary> load_envelope(std::int64_t id) {
    auto e = store::summary(db, id);
    if (!e) return e;
    if (e->state == EnvelopeState::kRecognizing && reader)
      for (const auto& t : reader->running())
        if (t.envelope_id == e->id) e->pages_recognized = t.pages_recognized;
    return e;
  }
};


}  // namespace station
