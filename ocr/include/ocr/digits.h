#pragma once
// A digit reader that does not depend on one font: nearest neighbours over HOG features of digits
// rendered from every Japanese and Latin font installed (gothic, mincho, rounded, monospaced,
// handwriting-like), each also bold, thin, slightly turned, and its zero slashed and dotted. It is
// trained once per process, on first use (about 2,000 glyphs), from the fonts that
// hardware/deploy/install-deps.sh installs; the comb reader votes it against Tesseract.
#include <optional>
#include <string>
#include <vector>

#include "ocr/image.h"

namespace ocr {

struct DigitVote {
  char digit = '?';      // '?' when no font could be rendered (nothing to compare with)
  double share = 0;      // share of the nearest neighbours that agree, 0..1
  char second = '?';     // the runner-up among the neighbours, '?' if none
  double second_share = 0;
  // The glyph's topology: holes in its ink (0 has one, 8 two, a slashed zero two) and whether ink
  // lies inside a hole (a dotted zero); a 6 or a 9 has one hole and nothing in it.
  int holes = 0;
  bool ink_in_hole = false;
};

// One glyph, dark on light (a comb cell with its ruling removed).
DigitVote classify_digit(const Image& glyph);

// The glyph the engine placed at `box` (image px) in a line of digits, dark on light: only the ink
// components centred within the box count, so that a neighbour's edge reaching into it, or a
// comma or hyphen beside it, does not change its shape.
DigitVote classify_digit_at(const Image& line, Box box);

// The digits of a printed line (dark on light), each cut out by the line's own ink rather than by
// the engine's glyph boxes, which on a line of digits often straddle two of them. `glyphs` are the
// engine's characters in order (digits and the marks between them: - , ( ) /), each with its box
// (image px). The line's ink is split into characters — connected components, those overlapping in
// x merged (a dotted zero's dot, a kanji's strokes) — within the span of the glyph boxes. When
// there are as many as glyphs, and each lies where the engine placed its glyph (its centre within
// the glyph's box widened by half the box either side), each digit glyph gets the classifier's vote
// on its character's ink, in order. Otherwise (touching digits, a stray mark, a label's remnant)
// nothing: the caller falls back to classify_digit_at.
struct LineGlyph {
  char ch;
  Box box;
};
std::vector<DigitVote> classify_line_digits(const Image& line, const std::vector<LineGlyph>& glyphs);

// Every character of a short line of digits (a table cell, a small number), dark on light, by the
// line's own ink alone — split as classify_line_digits splits it, over the whole image — in order:
// for a cell where the engine lost or doubled a digit, what the ink holds. Marks that are not
// digits get a vote too (a weak one): the caller decides what to believe.
std::vector<DigitVote> classify_ink_digits(const Image& line);

// The same characters, each with where its ink lies (image px): a mark much smaller than the
// line's digits (a dot, a speck) is told by its box, its vote meaning nothing.
struct InkCharacter {
  Box box;
  DigitVote vote;
};
std::vector<InkCharacter> ink_characters(const Image& line);

// A glyph of a small closed set — M or F in a table's sex column, an era's first kanji — by the
// same nearest neighbours over the same fonts, trained for that set on its first use. The cell
// (dark on light) is the glyph's zone: its ink less what touches the crop's edge (the ruling) and
// specks is the glyph. `symbol` is "" when the cell holds no glyph or no font could be rendered.
struct SymbolVote {
  std::string symbol;
  double share = 0;  // share of the nearest neighbours that agree, 0..1
  std::string second;
  double second_share = 0;
};
SymbolVote classify_symbol(const Image& cell, const std::vector<std::string>& symbols);

// The same for a glyph of a line at the engine's `box` (image px): the glyph is the line's ink
// whose components centre in the box (a stroke may reach past it), a neighbour's left out.
SymbolVote classify_symbol_at(const Image& line, Box box, const std::vector<std::string>& symbols);

// The box of the ink of `line` whose components centre in `region` (image px; specks of the scan
// left out); nothing where there is none.
std::optional<Box> ink_box_in(const Image& line, Box region);

// The same ink cut where a column holds none: each run of inked columns' box, left to right.
std::vector<Box> ink_columns_in(const Image& line, Box region);

// The digits of a band cut out around a run of `count` digits (dark on light; the digits' height
// and about a quarter of it above and below, nothing else of the line beside them), each cut out by
// its own ink, without the engine's glyph boxes, which on a passbook's number are often shifted by
// a glyph or twice its height: the ink components crossing the band's middle row (specks and marks
// above or below the line left out), those overlapping in x merged, must be exactly `count`
// characters, none wider than high; each gets the classifier's vote, left to right. Otherwise
// nothing.
std::vector<DigitVote> classify_run_digits(const Image& band, int count);

// How many rendered glyphs the classifier knows, and from how many font files (0 when none found).
struct DigitModelInfo {
  int samples = 0;
  int fonts = 0;
};
DigitModelInfo digit_model_info();

}  // namespace ocr
