#pragma once
// What leaves the station: the day's export (one PDF per reviewed application, 受付一覧表A, in one
// AES-256 ZIP) and the receipt log (受付簿). Works on the station's open store (store::Context)
// and records what it does to the audit trail. Every call checks the acting user's role itself.
#include <cstdint>
#include <filesystem>
#include <functional>
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

class Outputs {
 public:
  Outputs(store::Context store, AuditTrail& audit) : store_(store), audit_(audit) {}

  // The day's set (supervisor): every reviewed envelope into `out_dir`/郵送分_<ファイルナンバー>.zip,
  // then recorded as exported (export.batch). kNothingToExport when none is waiting.
  Result<ExportReport> export_batch(const User& actor, const std::filesystem::path& out_dir,
                                    const PageSource& page);

  // The receipt log of `date` (YYYY-MM-DD; empty: today) and the same as xlsx (intake_log.xlsx).
  Result<std::vector<IntakeLogRow>> intake_log(const User& actor, std::string_view date);
  Result<std::vector<unsigned char>> intake_log_xlsx(const User& actor, std::string_view date);

 private:
  store::Context store_;
  AuditTrail& audit_;
};

}  // namespace station::outputs
