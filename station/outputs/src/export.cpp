// Export: the day's mailed set as one encrypted bundle.
#include <map>
#include <mutex>
#include <string>
#include <system_error>

#include "station/access.h"
#include "station/outputs/bundle.h"
#include "station/outputs/lists.h"
#include "station/outputs/outputs.h"
#include "station/store/envelopes.h"
#include "station/store/exports.h"
#include "station/store/fields.h"
#include "station/store/pages.h"

namespace station::outputs {

namespace fs = std::filesystem;

Result<ExportReport> Outputs::export_batch(const User& actor, const fs::path& out_dir,
                                           const PageSource& page) {
  if (auto s = require(actor, {Role::kSupervisor}, "export"); !s) return std::unexpected(s.error());
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return fail(ErrorCode::kExport, "cannot create the output folder: " + ec.message());

  struct App {
    EnvelopeSummary env;
    std::map<std::string, std::string> values;
    std::vector<std::int64_t> pages;
  };
  std::vector<App> apps;
  ExportReport report;
  {
    std::lock_guard lock(store_.mu);
    auto& db = store_.db;
    // Only accepted applications (受理) go out; the lifecycle then moves them to exported.
    auto accepted = store::in_state(db, EnvelopeState::kAccepted);
    if (!accepted) return std::unexpected(accepted.error());
    for (const auto id : *accepted) {
      App a;
      auto e = store::summary(db, id);  // accepted: no recognition progress to add
      if (!e) return std::unexpected(e.error());
      a.env = *e;
      apps.push_back(std::move(a));
    }
    for (auto& a : apps) {
      auto values = store::confirmed_values(db, a.env.id);
      if (!values) return std::unexpected(values.error());
      a.values = std::move(*values);
      auto ids = store::page_ids(db, a.env.id);
      if (!ids) return std::unexpected(ids.error());
      a.pages = std::move(*ids);
    }
    if (apps.empty())
      return fail(ErrorCode::kNothingToExport, "no accepted applications are waiting for export");
    // ファイルナンバー: M-YYYYMMDD-NN, numbered per day.
    auto file_no = store::next_file_no(db, store_.clock.jst_today());
    if (!file_no) return std::unexpected(file_no.error());
    report.file_no = std::move(*file_no);
  }

  std::vector<BundleEntry> entries;
  std::vector<std::map<std::string, std::string>> rows;
  for (const auto& a : apps) {
    std::vector<PdfPage> pdf_pages;
    for (auto page_id : a.pages) {
      auto p = page(page_id);
      if (!p) return std::unexpected(p.error());
      pdf_pages.push_back(std::move(*p));
    }
    auto pdf = build_pdf(pdf_pages, a.env.receipt_no);
    if (!pdf) return std::unexpected(pdf.error());
    report.files.push_back(a.env.receipt_no + ".pdf");
    entries.push_back({a.env.receipt_no + ".pdf", std::move(*pdf)});
    rows.push_back(a.values);
  }
  auto xlsx = build_list_a_xlsx(rows, report.file_no);
  if (!xlsx) return std::unexpected(xlsx.error());
  const std::string list_name = "受付一覧表A_" + report.file_no + ".xlsx";
  entries.insert(entries.begin(), BundleEntry{list_name, std::move(*xlsx)});
  report.files.insert(report.files.begin(), list_name);

  report.password = make_bundle_password();
  const fs::path bundle = out_dir / ("郵送分_" + report.file_no + ".zip");
  if (auto s = write_encrypted_bundle(bundle.string(), entries, report.password); !s)
    return std::unexpected(s.error());
  report.bundle_path = bundle.string();
  report.applications = static_cast<int>(apps.size());

  std::lock_guard lock(store_.mu);
  std::vector<std::int64_t> exported;
  for (const auto& a : apps) exported.push_back(a.env.id);
  if (auto s = store::record_export(store_.db, report.file_no, actor.id, store_.clock.jst_now_iso(),
                                    report.applications, exported);
      !s)
    return std::unexpected(s.error());
  audit_.record(&actor, "export.batch",
                "file_no:" + report.file_no + " applications:" + std::to_string(report.applications));
  return report;
}

}  // namespace station::outputs
