#pragma once
// Private: clean-up of Tesseract's UTF-8 output.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ocr {

// The characters (code points) of UTF-8 text, each as its bytes.
std::vector<std::string> utf8_characters(std::string_view s);

// Without leading and trailing whitespace (ASCII, and the full-width space U+3000).
std::string trim(std::string_view s);

// Removes the spaces Tesseract puts between two CJK characters (kanji, kana, full-width forms);
// spaces next to Latin text or digits stay.
std::string remove_cjk_spaces(std::string_view s);

// Glyphs the LSTM emitted twice for one printed character (やまでびこ for やまびこ, カイブゴ for
// カイゴ): of two neighbours much closer than the line's pitch, where either names the other among
// its alternatives, the one squeezed between its own neighbours. Indices, ascending.
struct GlyphAt {
  std::string text;
  int x = 0;
  std::vector<std::pair<std::string, double>> alternatives;
};
std::vector<std::size_t> find_stutters(const std::vector<GlyphAt>& glyphs);

// `text` (spelt by `glyphs` in order, white space aside) without the glyphs at `stutters`; `text`
// itself when the two do not agree.
std::string mend_stutters(std::string_view text, const std::vector<GlyphAt>& glyphs, const std::vector<std::size_t>& stutters);

}  // namespace ocr
