#pragma once
// Private: the state behind station::Station, shared by the files that implement its stages
// (station.cpp, accounts.cpp, facility_list.cpp, capture.cpp, recognition.cpp, review.cpp,
// export.cpp).
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

#include "station/capture/capture.h"
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
#include "storage/signing.h"
#include "station/lifecycle.h"
#include "station/store/context.h"
#include "station/store/envelopes.h"
#include "station/store/fields.h"
#include "station/recognition/service.h"
#include "station/recognition/templates.h"
#include "services.h"

namespace station {

namespace fs = std::filesystem;

namespace internal {

inline constexpr const char* kKeyringFile = "keyring.json";
inline constexpr const char* kDatabaseFile = "station.db";
inline constexpr const char* kBlobDir = "blobs";
inline constexpr const char* kElectronicFile = "electronic.db";   // the electronic store, own key
inline constexpr const char* kAuditHeadFile = "audit-head.json";  // the signed head of the audit chain
inline constexpr const char* kLockFile = "station.lock";          // held while a Station is open
// Sub-key purposes (SecretKey::derive); the mailed and electronic stores never share a key.
inline constexpr const char* kDbKeyPurpose = "database";
inline constexpr const char* kBlobKeyPurpose = "blobs";
inline constexpr const char* kElectronicKeyPurpose = "electronic-database";

// Every (table, column) of `db` that names a blob: columns named blob_id or *_blob_id.
storage::Result<std::vector<std::pair<std::string, std::string>>> blob_columns(storage::Database& db);

// Master-key rotation (keys_admin.cpp). The next generation of the store is built in
// <data_dir>/rotation.partial and committed by renaming it to rotation.ready; open() rolls a
// ready one forward (moves its files into place) and deletes a partial one.
inline constexpr const char* kRotationPartialDir = "rotation.partial";
inline constexpr const char* kRotationReadyDir = "rotation.ready";
struct RotationJournal {
  std::string id;                      // names the rotation in the audit log
  std::optional<std::int64_t> actor;   // the admin who started it
};
// The keyring that holds the current master key: the committed next generation's while a
// rotation is being rolled forward, else <dir>/keyring.json.
fs::path current_keyring(const fs::path& dir);
// Unwraps the master key with the passphrase or, when secrets.key_file is set, the key file
// (kWrongKeyFile / kBadKeyFile).
Result<storage::SecretKey> unlock_master(const fs::path& keyring, const StoreSecrets& secrets);
// With the store's lock held and before anything is opened: deletes an uncommitted rotation,
// or moves a committed one into place and returns its journal (for complete_rotation).
Result<std::optional<RotationJournal>> recover_rotation(const fs::path& dir);

// An exclusive flock on <data_dir>/station.lock for the lifetime of the Station, so two processes
// never work on one store (and the startup sweep can tell orphans from blobs being written).
class StoreLock {
 public:
  StoreLock() = default;
  explicit StoreLock(int fd) : fd_(fd) {}
  StoreLock(StoreLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  StoreLock& operator=(StoreLock&& o) noexcept;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock();
  // kConflict when another process holds the store.
  static Result<StoreLock> acquire(const fs::path& dir);

 private:
  int fd_ = -1;
};


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
  StoreLock store_lock;
  std::optional<storage::SecretKey> master;  // locked memory; for backups and the electronic store
  std::optional<storage::SigningKey> signer; // the station's Ed25519 key (audit checkpoints, backups)
  std::optional<storage::Database> edb;      // the electronic-records store (own file, own key)
  std::mutex edb_mu;                         // guards edb
  MaintenanceReport open_report;
  // The background recognition (station/recognition/service.h): started by Station::create/open
  // (start_recognition); stopped after the capture job (members are destroyed last first: a job's
  // end may still queue an envelope) and while the store is still open.
  std::unique_ptr<recognition::Service> reader;
  // Imports, scans and the web UI's background capture job (station/capture/capture.h), made at
  // open after the reader. Keep it the last data member: destroyed first, it stops a running job
  // after the current page and joins its thread while the reader and the store are still open.
  std::unique_ptr<capture::Capture> capture_runs;

  Impl(Config c, Services s, storage::Database d, storage::BlobStore b)
      : config(std::move(c)), services(std::move(s)), db(std::move(d)), blobs(std::move(b)) {}

  // The station's time: every date and timestamp it records or compares.
  const Clock& clock() const { return *services.clock; }
  // The open store as the domains see it.
  store::Context store() { return store::Context{db, blobs, mu, clock()}; }

  ocr::DecodeLimits limits() const {
    ocr::DecodeLimits l;
    l.max_pixels = config.max_image_pixels;
    l.default_dpi = config.default_dpi;
    return l;
  }

  // Appends one entry to the hash-chained audit log (audit.cpp). Takes mu itself. Records who,
  // what and on which subject (ids), never personal values. Never fails the caller's action: a
  // failure to record is reported on stderr.
  void audit(const User* user, std::string_view action, const std::string& subject);
  void record(const User* user, std::string_view action, const std::string& subject) override {
    audit(user, action, subject);
  }
  // The same, reporting failure. Inside an open transaction the entry joins it.
  storage::Status append_audit(std::optional<std::int64_t> user_id, std::string_view action,
                               const std::string& subject);
  // Loads (or on first use creates) the audit signing key and seals entries written before the
  // chain existed. Called once at open.
  Status init_audit();
  // Writes <dir>/audit-head.json: the last entry's id and link, signed.
  storage::Status write_audit_head(std::int64_t last_id, const std::string& hash);
  // Checks the chain, checkpoints and head; with mu held.
  AuditVerifyReport verify_audit();
  // Removes stale temporaries and unreferenced blobs; with mu held.
  Result<MaintenanceReport> sweep_store();
  // The last step of a master-key rotation once its files are in place: records "keys.rotate"
  // unless the log has it already, then deletes the rotation folder (keys_admin.cpp).
  Status complete_rotation(const RotationJournal& journal, const std::string& detail);

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
