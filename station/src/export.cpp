// Export: the day's mailed set as one CMS file (station_outputs: station/outputs/outputs.h), and
// the certificates it uses. What stays here is the pixels (each stored page made ready for its PDF
// page) and the audit log's head file, which the set carries.
#include <fstream>
#include <sstream>

#include "station/outputs/outputs.h"
#include "station/security/layout.h"
#include "station/store/pages.h"
#include "station_impl.h"

namespace station {

Result<ExportReport> Station::export_batch(const User& actor, const fs::path& out_dir, std::string_view date) {
  auto page = [this](std::int64_t page_id) -> Result<outputs::PdfPage> {
    std::string blob_id;
    bool cleaned = false;
    outputs::PdfPage p;
    {
      std::lock_guard lock(impl_->mu);
      // The cleaned, upright copy when capture made one (the original stays in the store as
      // evidence); otherwise the original with the rotation recognition found.
      auto row = store::export_page(impl_->db, page_id);
      if (!row) return std::unexpected(row.error());
      if (!*row) return fail(ErrorCode::kStoreCorrupt, "page row vanished during export");
      blob_id = (*row)->blob_id;
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
    return p;
  };
  outputs::ExportRequest request{out_dir, std::string(date), {}};
  {
    // The audit log's signed head as it stands before the export's own entry (AuditLog writes it
    // after every committed entry).
    std::lock_guard lock(impl_->mu);
    std::ifstream head(impl_->dir / security::kAuditHeadFile, std::ios::binary);
    std::ostringstream text;
    if (head) text << head.rdbuf();
    request.audit_head = std::move(text).str();
  }
  return outputs::Outputs(impl_->store(), *impl_).export_batch(actor, request, page);
}

Result<ExportCertificate> Station::set_export_recipient(const User& actor, std::string_view certificate) {
  return outputs::Outputs(impl_->store(), *impl_).set_recipient(actor, certificate);
}

Result<std::string> Station::load_zengin(const User& actor, const fs::path& path) {
  return outputs::Outputs(impl_->store(), *impl_).load_zengin(actor, path);
}

Result<ExportCertificate> Station::export_recipient(const User& actor) {
  return outputs::Outputs(impl_->store(), *impl_).recipient(actor);
}

Result<ExportCertificate> Station::station_certificate(const User& actor) {
  return outputs::Outputs(impl_->store(), *impl_).station_certificate(actor);
}

}  // namespace station
