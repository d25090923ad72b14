#pragma once
// A line read against the spellings it may have, on its own ink: where the engine's reading of a
// hand it does not know (a brush face) is no help, the line's ink is cut into characters and each
// character compared with the glyphs the installed faces draw for the spelling's character (the
// glyph classifier's rendered rows, ocr/digits.h). The spellings are given as a sequence of slots,
// each one word of a closed list or a run of characters of a small set; the one spelling whose
// characters' ink lies nearest their glyphs, over every way of cutting the line, is the line's.
//
// The line's ink is cut where the engine's glyph boxes cannot be trusted: into pieces (connected
// components, those overlapping in x by more than a third of the narrower merged, specks and
// rulings left out), a character being a run of one to six consecutive pieces no wider than one and
// a half times the line's height, with no gap inside it wider than half that height. Two characters
// whose ink touches are one piece: such a line is not spelt (its cost says so).
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ocr/image.h"

namespace ocr {

// One slot of a spelling: one of `words` (UTF-8; "" among them makes the slot optional), each
// with its own cost added where it is given (`word_costs`, in the units of the line's cost times
// its width in line heights: how much less likely a word is, a name's rarer spelling), or, when
// `words` is empty, a run of `least` to `most` characters each one of `symbols`.
struct SpellingSlot {
  std::vector<std::string> words;
  std::vector<double> word_costs;
  std::vector<std::string> symbols;
  int least = 1, most = 1;

  static SpellingSlot one_of(std::vector<std::string> words) {
    SpellingSlot s;
    s.words = std::move(words);
    return s;
  }
  static SpellingSlot run_of(std::vector<std::string> symbols, int least, int most) {
    SpellingSlot s;
    s.symbols = std::move(symbols);
    s.least = least;
    s.most = most;
    return s;
  }
};

// The spelling found: each slot's text, each character's ink box (image px), and its cost: the
// distance of each character's ink to the nearest rendered glyph of its character, weighted by the
// width of line it takes (in line heights), averaged over the line: 0 would be every glyph as a
// face draws it; addresses in handwriting-like faces spelt right cost about 1 to 2.
struct InkSpelling {
  std::vector<std::string> parts;
  std::vector<Box> boxes;
  double cost = 0;
  std::string text() const;
};

class InkLine {
 public:
  // The ink of `line` (dark on light) within `region` (image px), cut into pieces; nothing where
  // the region holds no ink or no contrast.
  static std::optional<InkLine> cut(const Image& line, Box region);
  ~InkLine();
  InkLine(InkLine&&) noexcept;
  InkLine& operator=(InkLine&&) noexcept;

  // How many pieces the ink was cut into.
  int pieces() const;
  // The best spelling of the whole line by `slots`, nothing where none covers its ink. Each
  // character's distance to each glyph is computed once per line, however many spellings are tried.
  std::optional<InkSpelling> spell(const std::vector<SpellingSlot>& slots) const;

 private:
  struct State;
  explicit InkLine(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

}  // namespace ocr
