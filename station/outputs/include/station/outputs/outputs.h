#pragma once
// What leaves the station: the day's mailed set (one CMS file for the prefecture) and the receipt
// log (受付簿). Works on the station's open store (store::Context)
// and records what it does to the audit trail. Every call checks the acting user's role itself.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "station/audit_trail.h"
#include "station/error.h"
#include "station/model.h"
#include "station/outputs/pdf.h"
#include "station/store/context.h"

namespace station::outputs {

// A stored page as its PDF page carries it (upright or with its rotation, at its physical size).
// The station supplies it: outputs looks at no pixels itself.
using PageSource = std::function<Result<PdfPage>(std::int64_t page_id)>;

// How far an export is: `done` of the set's `total` applications written into it (their PDF and
// officer list). Called (0, total) once the applications are known and checked, then after each
// one; on the exporting thread, so it must be quick and must not call back into the station.
using ExportProgress = std::function<void(int done, int total)>;

// What the day's export needs beside the store.
struct ExportRequest {
  std::filesystem::path out_dir;
  std::string date;        // the business day (YYYY-MM-DD); empty: today (JST)
  std::string audit_head;  // the audit log's current signed head, carried in the set as a file
  ExportProgress progress = {};  // optional
};

class Outputs {
 public:
  Outputs(store::Context store, AuditTrail& audit) : store_(store), audit_(audit) {}

  // The mailed set of a business day (supervisor; docs/outputs.md): the accepted applications
  // received up to that day and not yet sent, one PDF each, 受付一覧表A, the agreed corrections,
  // the audit head and the manifest (every file with its ファイルナンバー and SHA-256) in one ZIP,
  // signed by the station's certificate and encrypted to the prefecture's as
  // `out_dir`/郵送分_<ファイルナンバー>.p7m. The file is written (atomically) before the transaction
  // that records the set and marks its applications exported, and removed if that fails: a crash
  // leaves no set or a whole one, whose number the next run reuses. One export at a time in a
  // process (kConflict). kNothingToExport (nothing written) when none is waiting; kConflict with
  // reason_ja when no recipient certificate is set; kInvalidInput for a bad or future date.
  Result<ExportReport> export_batch(const User& actor, const ExportRequest& request, const PageSource& page);
  Result<ExportReport> export_batch(const User& actor, const std::filesystem::path& out_dir, const PageSource& page) {
    return export_batch(actor, ExportRequest{out_dir, {}, {}}, page);
  }

  // The prefecture's certificate (PEM or DER): admin only, audited with its fingerprint.
  Result<ExportCertificate> set_recipient(const User& actor, std::string_view certificate);
  // The recipient certificate (kNotFound: none set) and the station's signing certificate (made,
  // with its key, on first use). Supervisor or admin.
  Result<ExportCertificate> recipient(const User& actor);
  Result<ExportCertificate> station_certificate(const User& actor);

  // Loads the Zengin code table at `path` (empty: zengin.h's kZenginTablePath) into the store
  // (admin; audited): "<version> <banks> <branches>". The export itself loads the installed table
  // when its version differs from the stored one, and refuses (kConflict) when there is none.
  Result<std::string> load_zengin(const User& actor, const std::filesystem::path& path);
  // What the station does at open (no user; audited as the station's own "zengin.load ... auto"):
  // loads the installed table when it is newer than the stored one (zengin_newer) or none is
  // stored, so the review's BANK_NOT_IN_ZENGIN works without a manual load. The version now in
  // the store (nullopt: none installed nor loaded). An older installed table never replaces a
  // newer one an admin loaded.
  Result<std::optional<std::string>> load_installed_zengin();

  // The receipt log of `date` (YYYY-MM-DD; empty: today) and the same as xlsx (intake_log.xlsx).
  Result<std::vector<IntakeLogRow>> intake_log(const User& actor, std::string_view date);
  Result<std::vector<unsigned char>> intake_log_xlsx(const User& actor, std::string_view date);

 private:
  store::Context store_;
  AuditTrail& audit_;
};

}  // namespace station::outputs
