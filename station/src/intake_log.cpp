// The receipt log (受付簿): the envelopes received on one day, with the intake facts only
// (受付番号, dates, clerk, counts, flags) — no applicant data. Also the separator sheet to print.
#include "exports.h"
#include "intake_xlsx.h"
#include "ocr/separator.h"
#include "station_impl.h"

namespace station {

Result<std::vector<IntakeLogRow>> Station::intake_log(const User& actor, std::string_view date) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "view the receipt log"); !s)
    return std::unexpected(s.error());
  const std::string day = date.empty() ? impl_->clock().jst_today() : std::string(date);
  if (!valid_iso_date(day)) return fail(ErrorCode::kInvalidInput, "date must be YYYY-MM-DD");
  std::lock_guard lock(impl_->mu);
  return store::intake_log(impl_->db, day);
}

Result<std::vector<unsigned char>> Station::intake_log_xlsx(const User& actor, std::string_view date) {
  auto rows = intake_log(actor, date);
  if (!rows) return std::unexpected(rows.error());
  const std::string day = date.empty() ? impl_->clock().jst_today() : std::string(date);
  auto bytes = build_intake_log_xlsx(*rows, day);
  if (bytes) impl_->audit(&actor, "intake_log.xlsx", "date:" + day);
  return bytes;
}

Result<std::vector<unsigned char>> Station::separator_sheet(std::string_view format) {
  auto sheet = ocr::render_separator_sheet(200);
  if (!sheet) return unexpected_ocr(sheet.error());
  auto png = sheet->encode_png();
  if (!png) return unexpected_ocr(png.error());
  if (format == "png") return std::move(*png);
  if (format != "pdf") return fail(ErrorCode::kInvalidInput, "separator sheet format must be png or pdf");
  PdfPage page;
  page.bytes = std::move(*png);
  page.width = sheet->width();
  page.height = sheet->height();
  page.dpi = sheet->dpi();
  return build_pdf({page}, "STATION SEPARATOR");
}

}  // namespace station
