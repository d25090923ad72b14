// Export: the day's mailed set as one CMS file (station_outputs: station/outputs/outputs.h), and
// the certificates it uses. What stays here is the pixels (each stored page made ready for its PDF
// page) and the audit log's head file, which the set carries.
#include <fstream>
#include <sstream>

#include "ocr/ccitt.h"
#include "station/outputs/outputs.h"
#include "station/security/layout.h"
#include "station/store/pages.h"
#include "station_impl.h"

namespace station {

namespace {
// The JPEG quality of a gray or colour page that was stored losslessly (PNG, TIFF): 85 keeps
// 200-300 dpi handwriting and seals legible at a fraction of the PNG size.
constexpr int kExportJpegQuality = 85;
}  // namespace

Result<ExportReport> Station::export_batch(const User& actor, const fs::path& out_dir, std::string_view date,
                                          const std::function<void(int, int)>& progress) {
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
    if (cleaned && format == ocr::Format::kJpeg) {
      // A cleaned copy may be cropped or turned: its own size counts (PNG and TIFF: below).
      auto imgs = ocr::decode_pages(*bytes, impl_->limits());
      if (!imgs || imgs->empty()) return fail(ErrorCode::kStoreCorrupt, "a stored page no longer decodes");
      p.width = (*imgs)[0].width();
      p.height = (*imgs)[0].height();
      p.dpi = (*imgs)[0].dpi() > 0 ? (*imgs)[0].dpi() : p.dpi;
    }
    if (format == ocr::Format::kJpeg) {
      // A gray or colour JPEG goes in as it is (DCTDecode, no re-encoding).
      p.is_jpeg = true;
      p.bytes = std::move(*bytes);
      return p;
    }
    // PNG and TIFF: a black-and-white page as CCITT G4 (/CCITTFaxDecode, K -1), a gray or colour
    // one as JPEG (DCTDecode) — the forms the prefecture's archive expects, and far smaller than
    // lossless PNG (docs/outputs.md, "Page images"). The original stays in the store as evidence.
    auto imgs = ocr::decode_pages(*bytes, impl_->limits());
    if (!imgs || imgs->empty()) return fail(ErrorCode::kStoreCorrupt, "a stored page no longer decodes");
    const ocr::Image& img = (*imgs)[0];
    p.width = img.width();
    p.height = img.height();
    if (cleaned && img.dpi() > 0) p.dpi = img.dpi();
    if (img.color_mode() == ocr::ColorMode::kBlackWhite) {
      auto g4 = ocr::encode_ccitt_g4(img);
      if (!g4) return unexpected_ocr(g4.error());
      p.is_ccitt_g4 = true;
      p.bytes = std::move(*g4);
    } else {
      auto jpeg = img.encode_jpeg(kExportJpegQuality);
      if (!jpeg) return unexpected_ocr(jpeg.error());
      p.is_jpeg = true;
      p.bytes = std::move(*jpeg);
    }
    return p;
  };
  outputs::ExportRequest request{out_dir, std::string(date), {}, progress};
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
