#pragma once
// The stage list: the one place that says in what order a page's stages run, used by every way in
// — file import, the scanner, web capture, the demo, `station recognize --json`, `station
// accuracy` and the benchmarks. Nothing has a second path.
//
//   on arrival, per page           decode → separator → cleanup
//                                  (the store keeps the original after decode and the cleaned copy
//                                   after cleanup; a store-less run keeps both in memory, encoded
//                                   exactly as the store would keep them)
//   once every page is in          load the cleaned copies → classify and register → read fields
//                                  → reconcile → (the secretariat's review rules: next)
//
// A page carries its resolution, colour mode and orientation through every stage: decode reads
// them from the file (or assumes ocr.default_dpi and flags the page), cleanup records the quarter
// turns it applied, and the cleaned copy is read back with the resolution of the page it came from
// (an encoded JPEG/PNG of the cleaned copy carries none of its own).
#include <array>
#include <atomic>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ocr/cleanup.h"
#include "ocr/engine.h"
#include "ocr/image.h"
#include "station/recognition/lexicon.h"
#include "station/recognition/recognize.h"
#include "station/config.h"
#include "station/error.h"
#include "station/recognition/templates.h"

namespace station::recognition::pipeline {

enum class Stage { kDecode, kSeparator, kCleanup, kLoadCleaned, kClassify, kRead, kReconcile };

// The order, written once.
inline constexpr std::array kPageStages = {Stage::kDecode, Stage::kSeparator, Stage::kCleanup};
inline constexpr std::array kEnvelopeStages = {Stage::kLoadCleaned, Stage::kClassify, Stage::kRead,
                                               Stage::kReconcile};

std::string_view stage_name(Stage stage);

// ---- page stages (on arrival)

// decode: one file's bytes → its pages (a multi-page TIFF or PDF gives several), each with its
// resolution and colour mode; sizes are checked before any pixel is decoded. An error names what
// is wrong with the file (kBadImage, kImageTooLarge, kNoPages, ...).
struct DecodedFile {
  std::vector<ocr::Image> pages;
  ocr::Format format = ocr::Format::kUnknown;
};
Result<DecodedFile> decode(std::span<const unsigned char> bytes, const ocr::DecodeLimits& limits);

// separator: whether a page is a separator sheet between envelopes (patch code T or the station's
// QR sheet). Only asked when the run separates a stack.
bool is_separator(const ocr::Image& page);

// cleanup: border crop, orientation, deskew, blank detection; the cleaned copy encoded as the store
// keeps it (JPEG for gray and colour — PNG costs ten times the time — PNG for black-and-white).
struct CleanPage {
  std::vector<unsigned char> bytes;
  std::string media_type;
  int dpi = 0;                 // the page's resolution, which the encoded copy does not carry
  bool dpi_from_file = false;
  ocr::ColorMode color_mode = ocr::ColorMode::kColor;
  int quarter_turns = 0;       // clockwise turns cleanup applied to make the page upright
  double skew_degrees = 0;
  double orientation_confidence = 0;
  bool blank = false;
  std::vector<std::string> flags;  // "blank", "orientation_unsure", "skew_large"
};
Result<CleanPage> cleanup(const ocr::Image& original, const ocr::CleanupOptions& options);

// The options the station cleans with.
ocr::CleanupOptions cleanup_options(const Config& config);

// ---- envelope stages (once every page is in)

// load the cleaned copy: what recognition reads, decoded from the bytes the store keeps, with the
// page's own resolution restored.
Result<ocr::Image> load_cleaned(std::span<const unsigned char> bytes, int dpi, bool dpi_from_file,
                                const ocr::DecodeLimits& limits);

// Told after each page is read; returns false to stop (the station is closing). A stopped run's
// result is incomplete and must not be stored.
using PageProgress = std::function<bool(int pages_done)>;

// classify and register → read fields → reconcile, over the envelope's pages in order. Never fails
// as a whole: a page that cannot be read is "unknown" and contributes no values. `clock` is today
// for the dates' plausibility (the station's; the store-less CLI's is the system clock).
// `lexicon` (optional): the facility list's names (lexicon.h), which the store-backed reader
// gives from the list as loaded.
recognition::EnvelopeRecognition recognize(const std::vector<ocr::Image>& pages, const recognition::Templates& templates,
                              ocr::Engine& engine, const Clock& clock, const PageProgress& on_page = {},
                              const recognition::Lexicon* lexicon = nullptr);

// The limits decode works within.
ocr::DecodeLimits decode_limits(const Config& config);

}  // namespace station::recognition::pipeline
