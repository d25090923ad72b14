#pragma once
// Zonal OCR. An Engine reads one zone of one image; it is not thread-safe (one engine per worker
// thread, as Tesseract requires). TesseractEngine is the real implementation; tests may supply
// their own Engine.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ocr/error.h"
#include "ocr/image.h"

namespace ocr {

// kAuto: Tesseract finds the blocks itself (a whole page of unknown layout); kSparse: scattered
// labels and values, as much text as can be found in no particular order.
// kRawLine: one line, without Tesseract's own finding of the line (a short line whose layout
// analysis finds nothing to read: a name with a wide gap scanned at 200 dpi).
enum class ZoneLayout { kSingleLine, kSingleWord, kSingleChar, kBlock, kAuto, kSparse, kRawLine };

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
  // Pixels (of the image as read, after any scaling) by which dark strokes are thinned on each
  // side before reading (0: not). The Japanese model now and then returns nothing for a short line of heavy
  // strokes (a bold face, black-and-white print that spread) that it reads thinned.
  int thin_strokes_px = 0;
  // Pixels (of the image as given, before any scaling) by which dark strokes are thickened before
  // reading, on a copy (0: not): kanji read scaled to 400 dpi read better about 0.25 mm heavier.
  int thicken_strokes_px = 0;
  // Horizontal stretch before reading: half-width katakana (ｼｬｶｲ) read far better drawn at the
  // proportions of full-width ones.
  double stretch_x = 1.0;
  // Also return each recognised character with its box (Reading::glyphs); with `alternatives`,
  // the other characters the model weighed for it (Tesseract's LSTM choices; costs a little time).
  bool glyphs = false;
  bool alternatives = false;
};

// One line of text a block or page reading found.
struct TextLine {
  std::string text;         // UTF-8, as read
  double confidence = 0.0;  // 0..1
  Box box;                  // page pixels
};

// One recognised character: its box (page px) and, when asked for, the model's other candidates
// for the same place, best first, each with its probability (0..1).
struct Glyph {
  std::string text;
  double confidence = 0.0;
  Box box;
  std::vector<std::pair<std::string, double>> alternatives;
};

struct Reading {
  std::string text;         // UTF-8, as read (no normalisation)
  double confidence = 0.0;  // 0..1
  Box box;                  // where on the page, in page pixels
  std::vector<TextLine> lines;  // kBlock, kAuto and kSparse readings: each line, top to bottom
  std::vector<Glyph> glyphs;    // ZoneSpec::glyphs: each character in reading order
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual Result<Reading> read(const Image& page, Box zone, const ZoneSpec& spec) = 0;
  // Whether the model for `languages` (empty: the default) can output `ch` at all. A character it
  // cannot (鋸 and 邉 are missing from Tesseract's jpn model) is always read as something else, so a
  // lexicon may weigh a mismatch there lightly. An engine that cannot tell says true.
  virtual bool can_read(char32_t ch, const std::string& languages = "") {
    (void)ch, (void)languages;
    return true;
  }
  // Whether the data for one language (e.g. "jpn_best") is installed.
  virtual bool has_language(const std::string& lang) {
    (void)lang;
    return false;
  }
};

struct TesseractOptions {
  std::string tessdata_dir;       // empty: Tesseract's default
  std::string languages = "jpn+eng";
  // Also searched for a language the main folder lacks: the second Japanese model (jpn_best,
  // Tesseract's larger "best" network, see docs/dependencies.md) is installed here, beside
  // Debian's data rather than in it.
  std::vector<std::string> extra_tessdata_dirs = {"/usr/local/share/station/tessdata"};
};

// The second Japanese model's language name: a larger network than Debian's jpn, with different
// mistakes; recognition reads kanji text with both and keeps the more plausible.
inline constexpr const char* kSecondJapaneseModel = "jpn_best";

// The reading's text without the glyphs the LSTM seems to have emitted twice for one printed
// character (やまでびこ for やまびこ: two neighbours much closer than the line's pitch, either naming
// the other among its alternatives); needs a reading with alternatives. Only a hint: two different
// printed characters can look so too (あお), so a caller checks it against another reading.
std::string mend_stutters(const Reading& r);

// Starts Tesseract once (language data are loaded here). kEngine if the data are missing.
Result<std::unique_ptr<Engine>> make_tesseract_engine(const TesseractOptions& options = {});

}  // namespace ocr
