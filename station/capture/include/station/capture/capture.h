#pragma once
// Capture: envelopes in from files (import) or from the scanner (scan), each page committed the
// moment it is read and cleaned on two workers (steps.h), and the web UI's background capture job
// (jobs.h). When a run ends for an envelope, `ended` hands it to recognition: every page in
// (complete) or cut off.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "scanner/scanner.h"
#include "station/audit_trail.h"
#include "station/config.h"
#include "station/error.h"
#include "station/model.h"
#include "station/store/context.h"

namespace station::capture {

class JobRunner;

// Opens the scanner `device` names (tests: a fake that delivers chosen pages, jams after n pages,
// ...). Empty: SANE.
using ScannerFactory =
    std::function<scanner::Result<std::unique_ptr<scanner::Scanner>>(const std::string& device)>;

// A capture run ended for this envelope: every page in and cleaned (complete) or cut off.
using RunEnded = std::function<void(std::int64_t envelope_id, bool complete)>;

using ProgressFn = std::function<void(const CaptureProgress&)>;

// The web import's folder check: `folder` must be an absolute path inside one of `roots` (the
// configuration's [capture] import_roots), reached without a symbolic link below the root and
// without "..". Returns the folder under the root's real path. kForbidden (reason_ja says which
// folders may be used) when it is outside them or goes through a link, or when no root is
// configured; kNoPages when it is not there or not a folder.
Result<std::filesystem::path> import_folder_within(const std::vector<std::filesystem::path>& roots,
                                                   const std::filesystem::path& folder);

class Capture {
 public:
  Capture(store::Context store, AuditTrail& audit, const Config& config, ScannerFactory make_scanner, RunEnded ended);
  ~Capture();  // stops a running job after its current page and waits for it
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  // One envelope from files (a folder is its image files in name order). `stop` (may be null),
  // once true, ends the run after the current page. A file that cannot be read is named in the
  // report and skipped; the envelope keeps the rest.
  Result<ImportReport> import_files(const User& actor, const std::vector<std::filesystem::path>& inputs,
                                    const Intake& intake, const ProgressFn& progress, const std::atomic<bool>* stop);
  // A stack from the scanner, split into envelopes on separator sheets when asked; continues an
  // interrupted envelope when the request names one.
  Result<ScanReport> scan(const User& actor, const ScanRequest& request, const ProgressFn& progress,
                          const std::atomic<bool>* stop);
  // The clerk's answer to a page flagged blank: really blank (kept, not read) or not.
  Status confirm_blank(const User& actor, std::int64_t page_id, bool blank);
  // The scanners SANE finds, each with its matching profile. kCaptureBusy while a job scans.
  Result<std::vector<ScannerDevice>> scanners();

  // The web UI's background run (one at a time): checks what can be checked now, then runs the
  // same import_files or scan on a thread. kCaptureBusy while another job runs.
  Result<std::int64_t> start_job(const User& actor, const CaptureJobRequest& request);
  // A job by id; 0: the latest.
  Result<CaptureJob> job(std::int64_t job_id);

 private:
  store::Context store_;
  AuditTrail& audit_;
  const Config& config_;
  ScannerFactory make_scanner_;
  RunEnded ended_;
  std::mutex jobs_mu_;               // guards jobs_
  std::shared_ptr<JobRunner> jobs_;  // made on the first job; reset first on destruction
};

}  // namespace station::capture
