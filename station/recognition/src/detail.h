#pragma once
// Private to station_recognition: what the files that read a page share: the character sets, how
// sure a free text must be, the page being read, and the dates forms are written in.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ocr/engine.h"
#include "ocr/image.h"
#include "ocr/layout.h"
#include "station/recognition/recognize.h"
#include "station/recognition/templates.h"

namespace station::recognition::detail {

inline constexpr const char* kDigits = "0123456789";
inline constexpr const char* kKatakana =
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
    "ァィゥェォッャュョヮガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴー ";

// Free text has no format to validate it: where both models read it alike, Tesseract's own line
// confidence stands, and the calibration table (calibration.h), fitted on generated envelopes,
// turns it into the measured probability that the value is right (on the development seed free
// text above 0.9 raw was right 582 times in 583, at 0.7-0.8 only 91 %).
// Free text with a reason for doubt (the models disagree, a lexicon or a second form corrected it):
// a raw confidence of its own, so that calibration measures these apart.
inline constexpr double kUnsureFreeText = 0.7;
// Digits the classifier and the engine do not agree on, or that only the classifier read: for the
// clerk to confirm.
inline constexpr double kDigitsDisagree = 0.6;
// A digit the font-independent classifier read unanimously (every neighbour the same digit) where
// Tesseract read another, cut out by its own ink (a comb cell, or a line's character that
// ocr::classify_line_digits could place): the classifier's digit is taken, with this raw
// confidence, which the calibration table then weighs. On the development seed such a classifier
// was right on every one of 906 comb cells and 1,339 line digits, Tesseract on 95 and 99 %.
inline constexpr double kClassifierOverrules = 0.85;
// A value that fails its format (kana that is not kana, stray marks): below what calibration raises.
inline constexpr double kFailsFormat = 0.45;

// One page being read: the upright image, its index in the envelope and where its template's zones
// lie on it.
struct PageContext {
  const ocr::Image& page;  // upright
  int index;
  const ocr::Placement* placement;  // null: zones are mm from the page's top-left at its dpi
  ocr::Engine& engine;
  const Clock& clock;  // "today" for the dates' plausibility
  // The same page upright at its scanned resolution, where `page` was scaled down to be read
  // whole (a passbook copy); null otherwise.
  const ocr::Image* full = nullptr;

  ocr::Box box(const ZoneMm& z) const {
    if (placement != nullptr) return placement->map(z.x, z.y, z.w, z.h);
    const double k = page.dpi() / 25.4;
    return {static_cast<int>(z.x * k), static_cast<int>(z.y * k), static_cast<int>(z.w * k),
            static_cast<int>(z.h * k)};
  }
};

// A value read for `key` of field `f` on the page `c`, its confidence clamped to 0..1.
RecognizedValue make(const FieldTemplate& f, const std::string& key, const PageContext& c, std::string value,
                     double confidence, ocr::Box box);

// Whether y-m-d is a day of the Gregorian calendar.
bool valid_date(int y, int m, int d);

// "2025-06-04"
std::string iso(int y, int m, int d);

// The Gregorian year before year 1 of an era given by its first kanji (昭, 平, 令, 大) or "reiwa";
// 0 for anything else.
int era_base(const std::string& era);

// The envelope's sender block, line by line as read (NFKC, no spaces): which line is the sender's
// name — the address comes first (〒, then an address that may run over two lines, its number on
// the second), the name after it. Of the lines after the last that is a postal code or part of
// the address, the first naming an organisation (法人, 会社, 会, …), else the first; where no line
// follows the address, the first line that is neither. npos when there is none.
std::size_t sender_name_line(const std::vector<std::string>& lines);

// The sender block's postal code ("291-6255") and the index of its line: a line that begins with
// 〒 (read as itself, T or 干) and seven digits, or the block's first line if it is only the seven
// digits. nullopt when there is none.
std::optional<std::pair<std::string, std::size_t>> sender_postal_code(const std::vector<std::string>& lines);

// The sender's postal code as the envelope's block reading gives it: evidence, at most this raw
// confidence (reconcile_postal_code weighs it against the application's).
inline constexpr double kSenderPostal = 0.85;

}  // namespace station::recognition::detail
