// The stage list's steps (pipeline.h). Each is a small function over values; the store and the
// store-less runs call the same ones in the order pipeline.h gives.
#include "station/recognition/pipeline.h"

#include <cmath>

#include "station/recognition/ocr_error.h"
#include "ocr/separator.h"

namespace station::recognition::pipeline {

std::string_view stage_name(Stage stage) {
  switch (stage) {
    case Stage::kDecode: return "decode";
    case Stage::kSeparator: return "separator";
    case Stage::kCleanup: return "cleanup";
    case Stage::kLoadCleaned: return "load_cleaned";
    case Stage::kClassify: return "classify";
    case Stage::kRead: return "read";
    case Stage::kReconcile: return "reconcile";
  }
  return "unknown";
}

ocr::DecodeLimits decode_limits(const Config& config) {
  ocr::DecodeLimits l;
  l.max_pixels = config.max_image_pixels;
  l.default_dpi = config.default_dpi;
  l.max_pages = config.max_pages;
  return l;
}

Result<DecodedFile> decode(std::span<const unsigned char> bytes, const ocr::DecodeLimits& limits) {
  DecodedFile out;
  out.format = ocr::sniff_format(bytes);
  auto pages = ocr::decode_pages(bytes, limits);
  if (!pages) return unexpected_ocr(pages.error());
  if (pages->empty()) return fail(ErrorCode::kNoPages, "the file holds no page");
  out.pages = std::move(*pages);
  return out;
}

bool is_separator(const ocr::Image& page) { return ocr::detect_separator(page).found(); }

ocr::CleanupOptions cleanup_options(const Config& config) {
  ocr::CleanupOptions o;
  o.tessdata_dir = config.tessdata_dir;
  // Orientation by the direction of the text lines only, not Tesseract OSD: recognition decides
  // every page's quarter turns itself (each registered form is placed in all four, a passbook is
  // read upright and turned, an envelope by its shape and, where that reads little, the other way
  // up) and records them on the page, which is how the reviewer sees it. OSD cost about 0.6 s of
  // CPU a page — a third of the whole pipeline — and changed no page kind and no value on the
  // samples (`station accuracy`, both ways).
  o.orient = ocr::Orient::kHeuristic;
  return o;
}

Result<CleanPage> cleanup(const ocr::Image& original, const ocr::CleanupOptions& options) {
  auto r = ocr::cleanup_page(original, options);
  if (!r) return unexpected_ocr(r.error());
  CleanPage out;
  out.color_mode = r->image.color_mode();
  // A black-and-white page losslessly, at zlib's fastest level: every imported page is cleaned once
  // and its cleaned copy is the station's own to make again (about 45 ms a page saved at 300 dpi).
  auto bytes = out.color_mode == ocr::ColorMode::kBlackWhite ? r->image.encode_png(1) : r->image.encode_jpeg(92);
  if (!bytes) return unexpected_ocr(bytes.error());
  out.bytes = std::move(*bytes);
  out.media_type = out.color_mode == ocr::ColorMode::kBlackWhite ? "image/png" : "image/jpeg";
  out.dpi = r->image.dpi();
  out.dpi_from_file = r->image.dpi_from_file();
  out.quarter_turns = r->quarter_turns;
  out.skew_degrees = r->skew_degrees;
  out.orientation_confidence = r->orientation_confidence;
  out.blank = r->blank.blank;
  if (r->blank.blank) out.flags.emplace_back("blank");
  // Only OSD's doubt is the clerk's business: the lines' direction alone never knows up from down,
  // and recognition turns the page by what it finds on it.
  if (options.orient == ocr::Orient::kOsd && r->orientation_confidence < 0.5) out.flags.emplace_back("orientation_unsure");
  if (!r->skew_corrected && std::abs(r->skew_degrees) >= options.max_skew_degrees - 0.01)
    out.flags.emplace_back("skew_large");
  return out;
}

Result<ocr::Image> load_cleaned(std::span<const unsigned char> bytes, int dpi, bool dpi_from_file,
                                const ocr::DecodeLimits& limits) {
  auto pages = ocr::decode_pages(bytes, limits);
  if (!pages) return unexpected_ocr(pages.error());
  if (pages->empty()) return fail(ErrorCode::kStoreCorrupt, "a stored page is empty");
  ocr::Image img = std::move((*pages)[0]);
  if (dpi > 0) img.set_dpi(dpi, dpi_from_file);
  return img;
}

recognition::EnvelopeRecognition recognize(const std::vector<ocr::Image>& pages, const recognition::Templates& templates,
                              ocr::Engine& engine, const Clock& clock, const PageProgress& on_page,
                              const recognition::Lexicon* lexicon) {
  return recognition::recognize_pages(pages, templates, engine, clock, on_page, lexicon);
}

}  // namespace station::recognition::pipeline
