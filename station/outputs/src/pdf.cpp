// PDFs with libharu, built in memory.
#include <hpdf.h>

#include <memory>

#include "station/outputs/pdf.h"

namespace station::outputs {
namespace {

void on_hpdf_error(HPDF_STATUS, HPDF_STATUS, void*) {
  // Errors are read back through HPDF_GetError after each call; nothing to do here.
}

}  // namespace

Result<std::vector<unsigned char>> build_pdf(const std::vector<PdfPage>& pages, const std::string& title) {
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, decltype(&HPDF_Free)> doc(HPDF_New(on_hpdf_error, nullptr),
                                                                                &HPDF_Free);
  if (!doc) return fail(ErrorCode::kExport, "libharu could not create a document");
  HPDF_Doc pdf = doc.get();
  HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
  HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, title.c_str());
  HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "station");
  int n = 0;
  for (const auto& p : pages) {
    ++n;
    HPDF_Image image =
        p.is_jpeg ? HPDF_LoadJpegImageFromMem(pdf, p.bytes.data(), static_cast<HPDF_UINT>(p.bytes.size()))
                  : HPDF_LoadPngImageFromMem(pdf, p.bytes.data(), static_cast<HPDF_UINT>(p.bytes.size()));
    if (image == nullptr || HPDF_GetError(pdf) != HPDF_OK) {
      return fail(ErrorCode::kExport, "libharu could not load the image of page " + std::to_string(n) +
                                          " (error " + std::to_string(HPDF_GetError(pdf)) + ")");
    }
    const double dpi = p.dpi > 0 ? p.dpi : 200.0;
    const auto w = static_cast<HPDF_REAL>(p.width * 72.0 / dpi);
    const auto h = static_cast<HPDF_REAL>(p.height * 72.0 / dpi);
    HPDF_Page page = HPDF_AddPage(pdf);
    HPDF_Page_SetWidth(page, w);
    HPDF_Page_SetHeight(page, h);
    HPDF_Page_DrawImage(page, image, 0, 0, w, h);
    if (p.rotation % 360 != 0) HPDF_Page_SetRotate(page, static_cast<HPDF_UINT16>(p.rotation % 360));
    if (HPDF_GetError(pdf) != HPDF_OK)
      return fail(ErrorCode::kExport, "libharu failed on page " + std::to_string(n));
  }
  if (HPDF_SaveToStream(pdf) != HPDF_OK) return fail(ErrorCode::kExport, "libharu could not save the document");
  HPDF_ResetStream(pdf);
  std::vector<unsigned char> out(HPDF_GetStreamSize(pdf));
  HPDF_UINT32 size = static_cast<HPDF_UINT32>(out.size());
  if (HPDF_ReadFromStream(pdf, out.data(), &size) != HPDF_OK && size == 0)
    return fail(ErrorCode::kExport, "libharu could not read back the document");
  out.resize(size);
  return out;
}

}  // namespace station::outputs
