// Clean-up of Tesseract's UTF-8 output.
#include "text_util.h"

#include <algorithm>
#include <vector>

namespace ocr {
namespace {

struct Cp {
  char32_t c;
  std::string_view bytes;
};

std::vector<Cp> split_utf8(std::string_view s) {
  std::vector<Cp> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
    if (i + n > s.size()) n = 1;
    char32_t c = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (std::size_t k = 1; k < n; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back({c, s.substr(i, n)});
    i += n;
  }
  return out;
}

bool is_space(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0x3000; }

bool is_cjk(char32_t c) {
  return (c >= 0x3000 && c <= 0x30FF) ||  // CJK punctuation, hiragana, katakana
         (c >= 0x3400 && c <= 0x4DBF) ||  // CJK extension A
         (c >= 0x4E00 && c <= 0x9FFF) ||  // CJK unified ideographs
         (c >= 0xF900 && c <= 0xFAFF) ||  // compatibility ideographs
         (c >= 0xFF00 && c <= 0xFFEF) ||  // half- and full-width forms
         (c >= 0x31F0 && c <= 0x31FF) ||  // katakana phonetic extensions
         (c >= 0x20000 && c <= 0x2FFFF);  // extensions B..
}

}  // namespace

std::vector<std::string> utf8_characters(std::string_view s) {
  std::vector<std::string> out;
  for (const Cp& cp : split_utf8(s)) out.emplace_back(cp.bytes);
  return out;
}

std::string trim(std::string_view s) {
  auto cps = split_utf8(s);
  std::size_t b = 0, e = cps.size();
  while (b < e && is_space(cps[b].c)) ++b;
  while (e > b && is_space(cps[e - 1].c)) --e;
  std::string out;
  for (std::size_t i = b; i < e; ++i) out += cps[i].bytes;
  return out;
}

std::string remove_cjk_spaces(std::string_view s) {
  auto cps = split_utf8(s);
  std::string out;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if ((cps[i].c == ' ' || cps[i].c == 0x3000) && i > 0) {
      std::size_t j = i;
      while (j < cps.size() && (cps[j].c == ' ' || cps[j].c == 0x3000)) ++j;
      // Only ASCII spaces Tesseract inserted: a full-width space between kanji (氏　名) is content.
      bool ascii_only = true;
      for (std::size_t k = i; k < j; ++k) ascii_only = ascii_only && cps[k].c == ' ';
      if (ascii_only && j < cps.size() && is_cjk(cps[i - 1].c) && is_cjk(cps[j].c) && cps[i - 1].c != 0x3000 &&
          cps[j].c != 0x3000) {
        i = j - 1;
        continue;
      }
    }
    out += cps[i].bytes;
  }
  return out;
}

std::vector<std::size_t> find_stutters(const std::vector<GlyphAt>& glyphs) {
  std::vector<std::size_t> out;
  if (glyphs.size() < 3) return out;
  std::vector<int> pitches;
  for (std::size_t i = 1; i < glyphs.size(); ++i)
    if (glyphs[i].x > glyphs[i - 1].x) pitches.push_back(glyphs[i].x - glyphs[i - 1].x);
  if (pitches.size() < 2) return out;
  std::nth_element(pitches.begin(), pitches.begin() + pitches.size() / 2, pitches.end());
  const int pitch = pitches[pitches.size() / 2];
  auto names = [](const GlyphAt& g, const std::string& t) {
    for (const auto& [alt, p] : g.alternatives)
      if (alt == t && p >= 0.3) return true;
    return false;
  };
  auto ascii = [](const std::string& t) { return t.size() == 1; };
  // Candidates, closest pairs first; a glyph belongs to one pair at most.
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i + 1 < glyphs.size(); ++i) {
    const GlyphAt &a = glyphs[i], &b = glyphs[i + 1];
    if (ascii(a.text) || ascii(b.text) || b.x - a.x >= pitch * 6 / 10) continue;
    if (names(a, b.text) || names(b, a.text)) candidates.push_back(i);
  }
  std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t l, std::size_t r) {
    return glyphs[l + 1].x - glyphs[l].x < glyphs[r + 1].x - glyphs[r].x;
  });
  // Of a pair, the ghost is the glyph squeezed between its neighbours: they stand about one pitch
  // apart around it, where around a real glyph they stand two.
  auto span = [&](std::size_t k) {
    const int left = k > 0 ? glyphs[k - 1].x : glyphs[k].x - pitch;
    const int right = k + 1 < glyphs.size() ? glyphs[k + 1].x : glyphs[k].x + pitch;
    return right - left;
  };
  std::vector<char> used(glyphs.size(), 0);
  for (std::size_t i : candidates) {
    if (used[i] || used[i + 1]) continue;
    used[i] = used[i + 1] = 1;
    out.push_back(span(i + 1) < span(i) ? i + 1 : i);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string mend_stutters(std::string_view text, const std::vector<GlyphAt>& glyphs, const std::vector<std::size_t>& stutters) {
  if (stutters.empty()) return std::string(text);
  std::string out;
  std::size_t pos = 0, next = 0;
  for (std::size_t k = 0; k < glyphs.size(); ++k) {
    while (pos < text.size()) {
      if (text[pos] == ' ' || text[pos] == '\n') out += text[pos++];
      else if (text.substr(pos, 3) == "\u3000") out += text.substr(pos, 3), pos += 3;
      else break;
    }
    const std::string& g = glyphs[k].text;
    if (text.substr(pos, g.size()) != g) return std::string(text);
    pos += g.size();
    if (next < stutters.size() && stutters[next] == k) ++next;
    else out += g;
  }
  if (pos != text.size() && text.substr(pos).find_first_not_of(" \n") != std::string_view::npos) return std::string(text);
  return out;
}

}  // namespace ocr
