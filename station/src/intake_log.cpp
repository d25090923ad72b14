// The receipt log (受付簿): the envelopes received on one day, with the intake facts only
// (受付番号, dates, clerk, counts, flags) — no applicant data; station_outputs' (outputs.h). Also
// the separator sheet to print.
#include "ocr/separator.h"
#include "station/outputs/outputs.h"
#include "station/outputs/pdf.h"
#include "station_impl.h"

namespace station {

Result<std::vector<IntakeLogRow>> Station::intake_log(const User& actor, std::string_view date) {
  return outputs::Outputs(impl_->store(), *impl_).intake_log(actor, date);
}

Result<std::vector<unsigned char>> Station::intake_log_xlsx(const User& actor, std::string_view date) {
  return outputs::Outputs(impl_->store(), *impl_).intake_log_xlsx(actor, date);
}

Result<std::vector<unsigned char>> Station::separator_sheet(std::string_view format) {
  auto sheet = ocr::render_separator_sheet(200);
  if (!sheet) return unexpected_ocr(sheet.error());
  auto png = sheet->encode_png();
  if (!png) return unexpected_ocr(png.error());
  if (format == "png") return std::move(*png);
  if (format != "pdf") return fail(ErrorCode::kInvalidInput, "separator sheet format must be png or pdf");
  outputs::PdfPage page;
  page.bytes = std::move(*png);
  page.width = sheet->width();
  page.height = sheet->height();
  page.dpi = sheet->dpi();
  return outputs::build_pdf({page}, "STATION SEPARATOR");
}

}  // namespace station
