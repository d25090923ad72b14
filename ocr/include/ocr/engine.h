#pragma once
// Zonal OCR. An Engine reads one zone of one image; it is not thread-safe (one engine per worker
// thread, as Tesseract requires). TesseractEngine is the real implementation; tests may supply
// their own Engine.
#include <memory>
#include <string>
#include <vector>

#include "ocr/error.h"
#include "ocr/image.h"

namespace ocr {

// kAuto: Tesseract finds the blocks itself (a whole page of unknown layout); kSparse: scattered
// labels and values, as much text as can be found in no particular order.
enum class ZoneLayout { kSingleLine, kSingleWord, kSingleChar, kBlock, kAuto, kSparse };

struct ZoneSpec {
  ZoneLayout layout = ZoneLayout::kSingleLine;
  std::string whitelist;  // allowed characters; empty = any
  int border = 10;        // white border added around the crop, px
  // Tesseract languages for this zone (e.g. "jpn" for Japanese text, where "jpn+eng" lets the
  // English model claim short kanji words as Latin letters); empty: the engine's default.
  std::string languages;
  // Resolution the crop is scaled up to before reading (0: as scanned). Kanji at 200 dpi carry
  // too few pixels per stroke for the Japanese model; digits read best as scanned.
  int upscale_to_dpi = 0;
  // Horizontal stretch before reading: half-width katakana (ｼｬｶｲ) read far better drawn at the
  // proportions of full-width ones.
  double stretch_x = 1.0;
};

// One line of text a block or page reading found.
struct TextLine {
  std::string text;         // UTF-8, as read
  double confidence = 0.0;  // 0..1
  Box box;                  // page pixels
};

struct Reading {
  std::string text;         // UTF-8, as read (no normalisation)
  double confidence = 0.0;  // 0..1
  Box box;                  // where on the page, in page pixels
  std::vector<TextLine> lines;  // kBlock, kAuto and kSparse readings: each line, top to bottom
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual Result<Reading> read(const Image& page, Box zone, const ZoneSpec& spec) = 0;
};

struct TesseractOptions {
  std::string tessdata_dir;       // empty: Tesseract's default
  std::string languages = "jpn+eng";
};

// Starts Tesseract once (language data are loaded here). kEngine if the data are missing.
Result<std::unique_ptr<Engine>> make_tesseract_engine(const TesseractOptions& options = {});

}  // namespace ocr
