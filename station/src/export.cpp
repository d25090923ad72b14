// Export: the day's mailed set as one encrypted bundle.
#include "station_impl.h"
#include "station/store/envelopes.h"
#include "station/store/exports.h"
#include "station/store/fields.h"
#include "station/store/pages.h"
#include "exports.h"

namespace station {

Result<ExportReport> Station::export_batch(const User& actor, const fs::path& out_dir) {
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
    std::lock_guard lock(impl_->mu);
    auto& db = impl_->db;
    auto reviewed = store::in_state(db, EnvelopeState::kReviewed);
    if (!reviewed) return std::unexpected(reviewed.error());
    for (const auto id : *reviewed) {
      App a;
      auto e = impl_->load_envelope(id);
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
    if (apps.empty()) return fail(ErrorCode::kNothingToExport, "no reviewed applications are waiting for export");
    // ファイルナンバー: M-YYYYMMDD-NN, numbered per day.
    auto file_no = store::next_file_no(db, impl_->clock().jst_today());
    if (!file_no) return std::unexpected(file_no.error());
    report.file_no = std::move(*file_no);
  }

  std::vector<BundleEntry> entries;
  std::vector<std::map<std::string, std::string>> rows;
  for (const auto& a : apps) {
    std::vector<PdfPage> pdf_pages;
    for (auto page_id : a.pages) {
      std::string blob_id, media;
      bool cleaned = false;
      PdfPage p;
      {
        std::lock_guard lock(impl_->mu);
        // The cleaned, upright copy when capture made one (the original stays in the store as
        // evidence); otherwise the original with the rotation recognition found.
        auto row = store::export_page(impl_->db, page_id);
        if (!row) return std::unexpected(row.error());
        if (!*row) return fail(ErrorCode::kStoreCorrupt, "page row vanished during export");
        blob_id = (*row)->blob_id;
        media = (*row)->media_type;
        p.width = (*row)->width;
        p.height = (*row)->height;
        p.dpi = (*row)->dpi;
        p.rotation = (*row)->rotation;
        cleaned = (*row)->cleaned;
      }
      auto bytes = impl_->blobs.get(blob_id);
      if (!bytes) return unexpected_storage(bytes.error());
      const auto format = ocr::sniff_format(*bytes);
      if (cleaned) {
        // A cleaned copy may be cropped or turned: its own size counts.
        auto imgs = ocr::decode_pages(*bytes, impl_->limits());
        if (!imgs || imgs->empty()) return fail(ErrorCode::kStoreCorrupt, "a stored page no longer decodes");
        p.width = (*imgs)[0].width();
        p.height = (*imgs)[0].height();
        p.dpi = (*imgs)[0].dpi() > 0 ? (*imgs)[0].dpi() : p.dpi;
      }
      if (format == ocr::Format::kJpeg || format == ocr::Format::kPng) {
        p.is_jpeg = format == ocr::Format::kJpeg;
        p.bytes = std::move(*bytes);
      } else {
        // TIFF (CCITT G4 and others) is carried into the PDF as lossless PNG.
        auto imgs = ocr::decode_pages(*bytes, impl_->limits());
        if (!imgs || imgs->empty()) return fail(ErrorCode::kStoreCorrupt, "a stored page no longer decodes");
        auto png = (*imgs)[0].encode_png();
        if (!png) return unexpected_ocr(png.error());
        p.bytes = std::move(*png);
      }
      pdf_pages.push_back(std::move(p));
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

  std::lock_guard lock(impl_->mu);
  std::vector<std::int64_t> exported;
  for (const auto& a : apps) exported.push_back(a.env.id);
  if (auto s = store::record_export(impl_->db, report.file_no, actor.id, impl_->clock().jst_now_iso(),
                                    report.applications, exported);
      !s)
    return std::unexpected(s.error());
  impl_->audit(&actor, "export.batch", "file_no:" + report.file_no + " applications:" +
                                           std::to_string(report.applications));
  return report;
}

}  // namespace station
