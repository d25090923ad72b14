// Field reading on a registered form: zonal OCR by field type, check boxes and seals, then
// normalisation and validation, which set each value's confidence.
#include "readers.h"

#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "ocr/comb.h"
#include "ocr/digits.h"
#include "ocr/language_model.h"
#include "ocr/layout.h"
#include "station/recognition/model_pairs.h"
#include "text_repair.h"

namespace station::recognition::detail {
namespace {

constexpr double kEmptyInk = 0.004;        // share of dark pixels below which a zone is blank
constexpr double kEmptyConfidence = 0.97;  // a blank zone is blank: ink measurement is reliable

struct Text {
  std::string text;
  double confidence = 0;
  ocr::Box box;
  bool blank = false;
  std::string mended;  // the text without glyphs the engine seems to have read twice
  std::vector<ocr::Glyph> glyphs;  // Japanese readings: each character with its alternatives
};

// A glyph's box on the page: the engine reads the prepared zone's image, which lies at `image`.
ocr::Box on_page(const ocr::Box& glyph, const ocr::Box& image) {
  if (glyph.empty() || image.empty()) return {};
  return ocr::Box{glyph.x + image.x, glyph.y + image.y, glyph.w, glyph.h};
}

// The columns two boxes share (negative: the width of the gap between them).
int shared_columns(const ocr::Box& a, const ocr::Box& b) { return std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x); }

// Each glyph's text as the values are normalised (NFKC, no spaces): what place_pieces matches.
std::vector<std::string> glyph_texts(const std::vector<ocr::Glyph>& glyphs) {
  std::vector<std::string> out;
  for (const ocr::Glyph& g : glyphs) out.push_back(strip_spaces(ocr::normalize_nfkc(g.text)));
  return out;
}

// The value's characters (spaces aside), each with the engine's glyph where one is placed there
// (place_pieces: the value may differ from what the glyphs spell — the other model's character
// chosen, a repair): the glyph's confidence, alternatives and box on the page (`image`: where the
// read image lies on the page). A character no glyph gives has `unplaced` confidence and no box.
// Nothing where no glyph is placed at all.
std::vector<CharReading> chars_of(const std::vector<ocr::Glyph>& glyphs, const std::string& value,
                                  const ocr::Box& image, double unplaced) {
  const std::vector<std::string> texts = glyph_texts(glyphs);
  const std::string bare = strip_spaces(value);
  const std::vector<std::size_t> where = place_pieces(texts, bare);
  std::map<std::size_t, std::size_t> glyph_at;  // byte offset in `bare` -> glyph
  for (std::size_t i = 0; i < glyphs.size(); ++i)
    if (where[i] != std::string::npos && !texts[i].empty()) glyph_at.emplace(where[i], i);
  if (glyph_at.empty()) return {};
  std::vector<CharReading> out;
  std::size_t at = 0, covered = 0;  // byte offsets: this character's, and the end of the last glyph's
  for (const std::string& ch : utf8_characters(bare)) {
    if (at >= covered) {
      if (const auto it = glyph_at.find(at); it != glyph_at.end()) {
        const ocr::Glyph& g = glyphs[it->second];
        CharReading c{texts[it->second], g.confidence, {}, on_page(g.box, image)};
        for (const auto& [alt, p] : g.alternatives)
          if (alt != g.text && !alt.empty()) c.alternatives.push_back(alt);
        covered = at + texts[it->second].size();
        out.push_back(std::move(c));
      } else {
        out.push_back(CharReading{ch, unplaced, {}, {}});  // a character no glyph gives
      }
    }
    at += ch.size();
  }
  return out;
}

// One zone read as text, from the zone prepared once (ocr::prepare_zone) however often it is read:
// blank zones are not sent to the engine.
Text read_zone(const PageContext& c, const ocr::PreparedZone& prepared, ocr::Box zone, ocr::ZoneLayout layout,
               const std::string& whitelist, const std::string& languages = "", int upscale_to_dpi = 0,
               int border = -1, int thin_strokes_px = 0) {
  Text t;
  t.box = zone;
  if (prepared.ink < kEmptyInk || prepared.image.empty()) {
    t.blank = true;
    t.confidence = kEmptyConfidence;
    return t;
  }
  const ocr::Image& clean = prepared.image;
  ocr::ZoneSpec spec;
  spec.layout = layout;
  spec.whitelist = whitelist;
  spec.languages = languages;
  spec.upscale_to_dpi = upscale_to_dpi;
  spec.thin_strokes_px = thin_strokes_px;
  // Kanji (read scaled to 400 dpi) with their strokes thickened by about 0.25 mm, at every
  // resolution and colour mode: on the development seed typed text 97.5 % → 98.3 % and the share a
  // clerk may skip 71.5 % → 75.8 % (session 23). Until then the page structure's min filter had
  // done it by accident, on gray and black-and-white pages only, digits and passbooks included.
  if (thin_strokes_px == 0 && upscale_to_dpi >= 400)
    spec.thicken_strokes_px = std::max(0, static_cast<int>(std::lround(clean.dpi() / 25.4 / 4.0)) - 1);
  spec.border = border >= 0 ? border : std::max(10, c.page.dpi() / 10);
  spec.glyphs = spec.alternatives = languages == "jpn";
  // An e-mail address keeps its glyphs: the digits of its local part are voted on their ink.
  if (whitelist.find('@') != std::string::npos) spec.glyphs = true;
  // A numeric line keeps its glyphs too: each digit is voted by the font-independent classifier.
  const bool numeric_line = !whitelist.empty() && whitelist.find_first_not_of("0123456789,-()") == std::string::npos;
  if (numeric_line) spec.glyphs = true;
  auto r = c.engine.read(clean, ocr::Box{0, 0, clean.width(), clean.height()}, spec);
  if (!r) return t;
  t.text = nfkc_keeping_wide_spaces(r->text);
  t.mended = nfkc_keeping_wide_spaces(ocr::mend_stutters(*r));
  t.confidence = r->confidence;
  t.glyphs = r->glyphs;
  // A numeric line's confidence is its least sure glyph's. Tesseract's word confidence is that and
  // more: a character the whitelist suppressed (the 円 after an amount, the 電話 label beside a
  // phone number) still weighs on it, down to 0 for a line whose every digit was read at 0.99.
  if (numeric_line) {
    double least = 1.0;
    bool any = false;
    for (const ocr::Glyph& g : r->glyphs)
      if (!strip_spaces(g.text).empty()) least = std::min(least, g.confidence), any = true;
    if (any) t.confidence = least;
  }
  const int pad = std::max(2, c.page.dpi() / 50);
  const ocr::Box& ib = prepared.ink_box;
  t.box = ocr::Box{ib.x - pad, ib.y - pad, ib.w + 2 * pad, ib.h + 2 * pad};
  return t;
}

// Tesseract's one systematic digit error: a zero drawn with a dot or a slash inside read as 9, 6 or
// 8, the inner mark taken for a loop. Where the glyph has that shape — ink inside its hole, or two
// holes, which no 6 or 9 has — and the classifier, which learnt those zeros from every installed
// font, is nearly unanimous (6 of 7 neighbours) that it is 0, the 0 is kept: still doubted,
// Tesseract's digit its alternative. The classifier's other disagreements in a line (a glyph box
// less exact than a comb cell) only doubt the digit: on the development seed they were mostly its
// own mistakes, and on the samples' scans it took plain 6s and 9s for zeros.
bool zero_with_a_mark(char tesseract, const ocr::DigitVote& v) {
  return v.digit == '0' && (tesseract == '9' || tesseract == '6' || tesseract == '8') && v.share >= 6.0 / 7.0 &&
         (v.ink_in_hole || v.holes >= 2);
}

// The engine's glyphs as single characters with their boxes, for ocr::classify_line_digits; empty
// where a glyph is not one character.
std::vector<ocr::LineGlyph> line_glyphs(const std::vector<const ocr::Glyph*>& glyphs) {
  std::vector<ocr::LineGlyph> out;
  for (const ocr::Glyph* g : glyphs) {
    const std::string s = strip_spaces(ocr::normalize_nfkc(g->text));
    if (s.size() != 1) return {};
    out.push_back({s[0], g->box});
  }
  return out;
}

// A glyph the engine read as one digit, with a box.
bool is_digit_glyph(const ocr::Glyph& g) {
  const std::string s = strip_spaces(g.text);
  return s.size() == 1 && s[0] >= '0' && s[0] <= '9' && !g.box.empty();
}

// Which glyphs of a numeric line (in reading order; boxes in `zone`'s pixels) are no character of
// the number, given the line's median digit width (0: fewer than three digits, not known).
std::vector<bool> strays_in_number(const ocr::Image& zone, const std::vector<const ocr::Glyph*>& glyphs, int digit_w) {
  std::vector<bool> stray(glyphs.size(), false);
  // One character's ink read twice (a slashed zero read as a sliver and as a whole zero, a lone 7
  // read 77, a Mincho 3 read as a 5 over all of it and a 3 over its right half): two neighbouring
  // digit boxes that start within a quarter of a digit's width of each other, or of which the
  // narrower lies over the wider by more than half its width, where a digit's successor starts a
  // digit's width on. The engine's boxes are loose (a second box may start with the first and run
  // over both digits), so only where their columns hold the ink of one character, of a digit's shape.
  for (std::size_t i = 0; i + 1 < glyphs.size(); ++i) {
    const ocr::Glyph &a = *glyphs[i], &b = *glyphs[i + 1];
    if (stray[i] || !is_digit_glyph(a) || !is_digit_glyph(b)) continue;
    const int shared = shared_columns(a.box, b.box);
    if (std::abs(a.box.x - b.box.x) * 4 > std::max(a.box.w, b.box.w) && shared * 2 <= std::min(a.box.w, b.box.w)) continue;
    const int x0 = std::min(a.box.x, b.box.x), y0 = std::min(a.box.y, b.box.y);
    const ocr::Box both{x0, y0, std::max(a.box.x + a.box.w, b.box.x + b.box.w) - x0, std::max(a.box.y + a.box.h, b.box.y + b.box.h) - y0};
    const std::vector<ocr::Box> ink = ocr::ink_columns_in(zone, both);
    // Two characters, or two touching (handwritten digits do): wider than four fifths of its height
    // or than the line's digits, or not one digit to the classifier, nearly unanimous, one of the
    // two read.
    if (ink.size() != 1 || ink[0].w * 10 > ink[0].h * 8 || (digit_w > 0 && ink[0].w * 10 > digit_w * 14)) continue;
    const ocr::DigitVote v = ocr::classify_digit_at(zone, ink[0]);
    const char da = strip_spaces(a.text)[0], db = strip_spaces(b.text)[0];
    if (v.digit == '?' || v.share < 6.0 / 7.0 || (v.digit != da && v.digit != db)) continue;
    // The glyph of the classifier's digit stays; of two alike, the wider, or else the surer.
    const bool a_goes = da != db ? v.digit != da : a.box.w != b.box.w ? a.box.w < b.box.w : a.confidence < b.confidence;
    stray[a_goes ? i : i + 1] = true;
  }
  // At either end of the line, one or two glyphs more than two digits' width off the rest, each
  // barely read: a label's remnant or a speck the character set made a digit (電話 read 0). Not by
  // their boxes' size: the engine's box of a digit it read well may be a sliver placed off its ink.
  if (digit_w <= 0) return stray;  // too few digits to know a digit's width by
  const auto not_the_number = [](const ocr::Glyph& g) { return g.confidence < 0.5; };
  const auto far_apart = [&](const ocr::Glyph& l, const ocr::Glyph& r) { return r.box.x - (l.box.x + l.box.w) > 2 * digit_w; };
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < glyphs.size(); ++i)
    if (!stray[i] && !glyphs[i]->box.empty()) kept.push_back(i);
  for (std::size_t head = 1; head <= 2 && head < kept.size(); ++head) {
    if (!far_apart(*glyphs[kept[head - 1]], *glyphs[kept[head]])) continue;
    bool all = true;
    for (std::size_t k = 0; k < head; ++k) all = all && not_the_number(*glyphs[kept[k]]);
    if (all)
      for (std::size_t k = 0; k < head; ++k) stray[kept[k]] = true;
    break;
  }
  for (std::size_t tail = 1; tail <= 2 && tail < kept.size(); ++tail) {
    const std::size_t first = kept.size() - tail;
    if (stray[kept[first - 1]] || !far_apart(*glyphs[kept[first - 1]], *glyphs[kept[first]])) continue;
    bool all = true;
    for (std::size_t k = first; k < kept.size(); ++k) all = all && not_the_number(*glyphs[kept[k]]);
    if (all)
      for (std::size_t k = first; k < kept.size(); ++k) stray[kept[k]] = true;
    break;
  }
  return stray;
}

// The digits in a digit glyph's box that holds the ink of several: its columns of ink of a digit's
// size (`line_w` × `line_h`, the line's median digit; commas and specks are lower), a digit's width
// apart at most, each classified, but not those another glyph's box (`others`) already reads; the
// engine's `read` digit stands for the column the classifier agrees on (the last one if none).
// Empty when fewer than two such columns remain, or the classifier cannot tell one. Boxes are in
// `zone`'s pixels.
std::vector<CharReading> split_wide_digit(const ocr::Image& zone, const ocr::Glyph& g, char read, int line_w, int line_h,
                                          const std::vector<ocr::Box>& others) {
  std::vector<ocr::Box> columns, marks;
  for (const ocr::Box& b : ocr::ink_columns_in(zone, g.box)) {
    if (b.h * 4 < line_h * 3) {  // a comma, a speck
      marks.push_back(b);
      continue;
    }
    const int centre = b.x + b.w / 2;
    if (std::any_of(others.begin(), others.end(), [&](const ocr::Box& o) { return centre >= o.x && centre < o.x + o.w; }))
      continue;
    if (b.w * 10 > line_w * 16 || b.h * 10 > line_h * 13) return {};  // not a digit: a label's remnant, a stroke
    columns.push_back(b);
  }
  if (columns.size() < 2) return {};
  // Digits of one number stand a digit's width apart at most, two with a comma between (a narrow
  // mincho 1 stands in the middle of its width): ink further off is something else (a label's
  // remnant the engine's box took in).
  for (std::size_t i = 1; i < columns.size(); ++i) {
    const int left = columns[i - 1].x + columns[i - 1].w, right = columns[i].x;
    const bool comma = std::any_of(marks.begin(), marks.end(), [&](const ocr::Box& m) { return m.x >= left && m.x + m.w <= right; });
    if ((right - left) * 10 > line_w * (comma ? 22 : 15)) return {};
  }
  std::vector<CharReading> out;
  std::size_t engines = columns.size() - 1;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const ocr::DigitVote v = ocr::classify_digit_at(zone, columns[i]);
    if (v.digit == '?' || v.share < 0.8) return {};
    if (v.digit == read) engines = i;
    out.push_back(CharReading{std::string(1, v.digit), kDigitsDisagree, {}, columns[i]});
  }
  if (out[engines].text[0] != read) {
    out[engines].alternatives.push_back(out[engines].text);
    out[engines].text = std::string(1, read);
  }
  return out;
}

// Tesseract reads a numeric line whole, and on some typefaces takes a zero for a nine (a slashed or
// dotted zero, a narrow mincho one), a 3 for a 5. Each digit it read is voted by the
// font-independent classifier, on the digit's own ink where the line's characters can be placed
// one by one (ocr::classify_line_digits): there a unanimous classifier's digit is taken
// (kClassifierOverrules), Tesseract's kept as its alternative. Elsewhere — touching digits, the
// engine's glyph box instead, which often straddles two digits — and for any vote short of
// unanimous, the classifier only doubts (kDigitsDisagree at most), except for a zero with a mark
// inside (zero_with_a_mark). Returns the line's characters, or nothing (and leaves `t` alone)
// when the engine's glyphs do not spell its text.
std::vector<CharReading> vote_line_digits(Text& t, const ocr::Image& zone, const ocr::Box& image) {
  std::string joined, voted;
  std::vector<CharReading> chars;
  std::vector<const ocr::Glyph*> read;
  for (const ocr::Glyph& g : t.glyphs)
    if (!strip_spaces(g.text).empty()) read.push_back(&g), joined += strip_spaces(g.text);
  double cap = 1.0;
  // A digit box much taller than the line's others took in ink that is not the digit's (a stroke
  // above it: a zero's box reaching up read as a 6): there the classifier only doubts.
  std::vector<int> heights;
  for (const ocr::Glyph* gp : read)
    if (is_digit_glyph(*gp)) heights.push_back(gp->box.h);
  std::vector<int> widths;
  for (const ocr::Glyph* gp : read)
    if (is_digit_glyph(*gp)) widths.push_back(gp->box.w);
  const auto median = [](std::vector<int> v) {
    if (v.empty()) return 0;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  const int median_h = median(heights), median_w = widths.size() >= 3 ? median(widths) : 0;
  // Glyphs that are no character of the number go; the line is then for the clerk to confirm.
  const std::vector<bool> stray = strays_in_number(zone, read, median_w);
  std::vector<const ocr::Glyph*> glyphs;
  for (std::size_t i = 0; i < read.size(); ++i)
    if (!stray[i]) glyphs.push_back(read[i]);
  // The line's confidence, its least sure glyph's (read_zone), is then its kept glyphs'.
  const bool strays = glyphs.size() != read.size();
  double kept_least = 1.0;
  for (const ocr::Glyph* gp : glyphs) kept_least = std::min(kept_least, gp->confidence);
  if (strays) cap = kDigitsDisagree;
  // The classifier on each digit's own ink, where the line's characters can be placed.
  const std::vector<ocr::DigitVote> own = ocr::classify_line_digits(zone, line_glyphs(glyphs));
  std::size_t next_own = 0;
  for (const ocr::Glyph* gp : glyphs) {
    const ocr::Glyph& g = *gp;
    const std::string s = strip_spaces(g.text);
    CharReading ch{s, g.confidence, {}, on_page(g.box, image)};
    if (s.size() == 1 && s[0] >= '0' && s[0] <= '9' && median_w > 0 && g.box.w * 10 > median_w * 22) {
      // One digit's box over the ink of several (the engine dropped a digit, "1,580,000" read
      // 580000 with the 5's box from the 1 on): each digit-sized column of ink there that no other
      // glyph's box reads is a digit, the classifier's, the engine's where it agrees; for the clerk
      // to confirm.
      if (next_own < own.size()) ++next_own;
      std::vector<ocr::Box> others;
      for (const ocr::Glyph* o : glyphs)
        if (o != gp && !o->box.empty()) others.push_back(o->box);
      if (auto split = split_wide_digit(zone, g, s[0], median_w, median_h, others); split.size() > 1) {
        for (CharReading& piece : split) {
          piece.box = on_page(piece.box, image);
          voted += piece.text;
          chars.push_back(std::move(piece));
        }
      } else {
        ch.confidence = std::min(ch.confidence, kDigitsDisagree);
        voted += ch.text;
        chars.push_back(std::move(ch));
      }
      cap = std::min(cap, kDigitsDisagree);
      continue;
    }
    if (s.size() == 1 && s[0] >= '0' && s[0] <= '9') {
      const bool placed = next_own < own.size();
      const ocr::DigitVote v = placed ? own[next_own++] : ocr::classify_digit_at(zone, g.box);
      const bool as_tall = median_h == 0 || g.box.h * 10 <= median_h * 12;
      if (v.digit != '?' && v.digit != s[0]) {
        if (placed && v.share >= 1.0 && as_tall) {
          ch.alternatives.push_back(s);
          ch.text = std::string(1, v.digit);
          ch.confidence = std::min(ch.confidence, kClassifierOverrules);
          cap = std::min(cap, kClassifierOverrules);
          voted += ch.text;
          chars.push_back(std::move(ch));
          continue;
        }
        if (zero_with_a_mark(s[0], v)) {
          ch.alternatives.push_back(s);
          ch.text = "0";
        } else {
          ch.alternatives.push_back(std::string(1, v.digit));
        }
        ch.confidence = std::min(ch.confidence, kDigitsDisagree);
        cap = kDigitsDisagree;
      }
    }
    voted += ch.text;
    chars.push_back(std::move(ch));
  }
  if (chars.empty() || joined != strip_spaces(t.text)) return {};
  t.text = voted;
  if (strays) t.confidence = kept_least;
  t.confidence = std::min(t.confidence, cap);
  return chars;
}

// The digits of an e-mail address's local part (`s`, as email_as_read gives `t`'s reading) on their
// own ink, as a number's are: a zero drawn with a mark the engine read 9, 6 or 8 (zero_with_a_mark)
// is a 0; a letter of the x-height as tall as the digits that the classifier reads as its
// look-alike digit is that digit (kaigos for kaigo5); a digit whose box lies over nearly all of the
// same digit's before it is that one read twice (keiri388) and goes, as does a letter over nearly
// all of the digit after it. Any other digit the classifier reads otherwise only doubts the address.
// Whether the address changed or is doubted; nothing where the glyphs do not spell the local part.
bool vote_email_digits(const Text& t, const ocr::Image& zone, std::string& s) {
  const std::size_t at = s.find('@');
  if (at == std::string::npos || t.glyphs.empty()) return false;
  std::vector<const ocr::Glyph*> local;
  std::string spelt;
  for (const ocr::Glyph& g : t.glyphs) {
    const std::string x = strip_spaces(g.text);
    if (x.empty()) continue;
    if (x == "@") break;
    if (x.size() != 1) return false;
    local.push_back(&g);
    spelt += x;
  }
  const auto lower = [](std::string x) {
    for (char& ch : x)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return x;
  };
  if (lower(spelt) != lower(s.substr(0, at))) return false;
  const auto is_digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  // A small letter as tall as a digit is a digit: the height of the local part's digits and
  // letters that reach as high (b, d, h, k, l, t), the median.
  std::vector<int> tall;
  for (std::size_t i = 0; i < local.size(); ++i)
    if (is_digit(spelt[i]) || std::string_view("bdfhklt").find(spelt[i]) != std::string_view::npos)
      tall.push_back(local[i]->box.h);
  int tall_h = 0;
  if (!tall.empty()) {
    std::nth_element(tall.begin(), tall.begin() + static_cast<std::ptrdiff_t>(tall.size() / 2), tall.end());
    tall_h = tall[tall.size() / 2];
  }
  // Two boxes of which the narrower lies nearly all over the other: one glyph's ink read twice.
  const auto one_ink = [](const ocr::Box& a, const ocr::Box& b) { return shared_columns(a, b) * 10 > std::min(a.w, b.w) * 8; };
  bool doubted = false;
  std::vector<std::size_t> drop;
  for (std::size_t i = 0; i < local.size(); ++i) {
    const ocr::Glyph& g = *local[i];
    const char read = spelt[i];
    // A letter whose box lies over nearly all of the digit's after it (or that digit's over nearly
    // all of its) is part of that digit's ink read apart (soumus58 for soumu58): it goes.
    if (!is_digit(read) && i + 1 < local.size() && is_digit(spelt[i + 1]) && one_ink(g.box, local[i + 1]->box)) {
      drop.push_back(i);
      continue;
    }
    // s for 5, o for 0 (or S, O): a letter of the x-height drawn as tall as the digits, which the
    // classifier reads as that digit (6 of its 7 neighbours).
    const char small = static_cast<char>(std::tolower(static_cast<unsigned char>(read)));
    if ((small == 's' || small == 'o') && tall_h > 0 && g.box.h * 100 >= tall_h * 85) {
      const ocr::DigitVote v = ocr::classify_digit_at(zone, g.box);
      if (v.digit == (small == 's' ? '5' : '0') && v.share >= 6.0 / 7.0) {
        s[i] = v.digit;
        doubted = true;
      }
      continue;
    }
    if (!is_digit(read) || g.box.w <= 2 || g.box.h <= 2) continue;
    if (i > 0 && spelt[i - 1] == read && one_ink(g.box, local[i - 1]->box)) {
      drop.push_back(i);
      continue;
    }
    const ocr::DigitVote v = ocr::classify_digit_at(zone, g.box);
    if (v.digit == '?' || v.digit == read) continue;
    doubted = true;
    if (zero_with_a_mark(read, v)) s[i] = '0';
  }
  for (auto it = drop.rbegin(); it != drop.rend(); ++it) s.erase(*it, 1);
  return doubted || !drop.empty();
}

// Katakana the engine takes for one another in some faces and at some scales (ケ read ク, ユ read
// コ): each pair is a closed set the glyph classifier tells apart on the glyph's own ink, trained on
// the same installed faces as the digits.
const std::vector<std::vector<std::string>> kKanaLookalikes = {{"ク", "ケ"}, {"コ", "ユ"}};

// Each katakana glyph of a look-alike pair voted by the classifier over its pair, on the ink
// centred in the glyph's box (ocr::classify_symbol_at). Where the classifier is unanimous on the
// other, it replaces the engine's character, which becomes its alternative; the text is then for
// the clerk to confirm (kUnsureFreeText).
void vote_kana(Text& t, const ocr::Image& zone) {
  const std::vector<std::string> texts = glyph_texts(t.glyphs);
  const std::vector<std::size_t> where = place_pieces(texts, t.text);
  bool changed = false;
  for (std::size_t i = t.glyphs.size(); i-- > 0;) {
    ocr::Glyph& g = t.glyphs[i];
    // A box as wide as two glyphs or more, or a sliver, holds no one kana to vote on.
    if (where[i] == std::string::npos || g.box.w <= 2 || g.box.h <= 2 || g.box.w * 3 > g.box.h * 4 ||
        g.box.h > g.box.w * 2)
      continue;
    const std::vector<std::string>* group = nullptr;
    for (const auto& gr : kKanaLookalikes)
      if (std::find(gr.begin(), gr.end(), texts[i]) != gr.end()) group = &gr;
    if (group == nullptr) continue;
    const ocr::SymbolVote v = ocr::classify_symbol_at(zone, g.box, *group);
    if (v.symbol.empty() || v.symbol == texts[i] || v.share < 1.0) continue;
    t.text.replace(where[i], texts[i].size(), v.symbol);
    g.alternatives.insert(g.alternatives.begin(), {g.text, g.confidence});
    g.text = v.symbol;
    g.confidence = std::min(g.confidence, kUnsureFreeText);
    changed = true;
  }
  if (changed) t.confidence = std::min(t.confidence, kUnsureFreeText);
}

// The two digits in the box of a glyph the engine read as one, where the box is as wide as two and
// its ink splits, by the classifier's unanimous votes, into the engine's digit and a zero: a zero
// drawn with a mark, which the engine did not take for a character and merged into its neighbour.
// Only a zero: a kanji's strokes in a loose box (4号) can split into digit-like parts too.
std::string digits_in_one_box(const ocr::Image& zone, const ocr::Glyph& g) {
  if (g.box.h <= 0 || g.box.w < 0.9 * g.box.h) return {};
  const std::vector<ocr::DigitVote> ink = ocr::classify_ink_digits(zone.crop(g.box));
  if (ink.size() != 2) return {};
  std::string read;
  for (const ocr::DigitVote& v : ink) {
    if (v.digit == '?' || v.share < 1.0) return {};
    read += v.digit;
  }
  return read == g.text + "0" || read == "0" + g.text ? read : std::string{};
}

// A run of digits (and hyphens) whose boxes cannot all be placed (the last digit's box stretched
// over the 番 after it, 298 px for a 44 px digit), where its first glyph's box is a digit's (no wider
// than high): the ink from that box on, cut where its columns are blank, its first parts as many as
// the run's characters, each a digit's ink (no wider than high, as high as the first box) and no
// further from the one before than a glyph is high, with no digit just before the first, each
// voted by the classifier; what follows them close by must be no digit (wider
// than a digit, as the 番 is), and the votes must be the engine's digits but for one (a first box
// lagging a glyph behind gives votes shifted by one). Nothing otherwise.
std::vector<ocr::DigitVote> digits_from_first_box(const ocr::Image& zone, const std::vector<const ocr::Glyph*>& run) {
  const ocr::Box& first = run.front()->box;
  if (first.empty() || first.w > first.h || strip_spaces(run.front()->text) == "-") return {};
  const int n = static_cast<int>(run.size());
  const int reach = first.x + 2 * n * first.h;
  const ocr::Box region{first.x - first.w / 8, first.y - first.h / 4, reach - first.x, first.h + first.h / 2};
  const std::vector<ocr::Box> parts = ocr::ink_columns_in(zone, region);
  if (static_cast<int>(parts.size()) < n) return {};
  // A digit's ink: no wider than a glyph is high, about as high as the first digit's box.
  const auto digit_like = [&](const ocr::Box& b) {
    return b.w * 10 <= first.h * 8 && b.h * 4 >= first.h * 3 && b.h * 10 <= first.h * 13;
  };
  // Just before the first box there must be no digit: else the box lags a glyph behind (the
  // second 1 of 1111 boxed as the first) and the run would be read one glyph late.
  {
    const int left = first.x - first.w / 8;
    const std::vector<ocr::Box> before =
        ocr::ink_columns_in(zone, ocr::Box{left - 2 * first.h, region.y, 2 * first.h, region.h});
    if (!before.empty() && left - (before.back().x + before.back().w) <= first.h * 6 / 10 && digit_like(before.back()))
      return {};
  }
  std::vector<ocr::DigitVote> out;
  for (int k = 0; k < n; ++k) {
    const ocr::Box& b = parts[static_cast<std::size_t>(k)];
    if (k > 0 && b.x - (parts[static_cast<std::size_t>(k) - 1].x + parts[static_cast<std::size_t>(k) - 1].w) > first.h) return {};
    if (strip_spaces(run[static_cast<std::size_t>(k)]->text) == "-") continue;
    if (!digit_like(b)) return {};
    out.push_back(ocr::classify_digit_at(zone, b));
  }
  // The ink after the run, close by, must not be one more digit: then the engine read fewer
  // characters than there are (a zero merged into the digit before it), which is not this.
  if (parts.size() > static_cast<std::size_t>(n)) {
    const ocr::Box& next = parts[static_cast<std::size_t>(n)];
    const ocr::Box& last = parts[static_cast<std::size_t>(n) - 1];
    if (next.x - (last.x + last.w) <= first.h && digit_like(next)) return {};
  }
  // The engine's boxes of digits in Japanese text often lag a glyph behind (the first digit's box
  // over the second): the ink's digits must be the engine's but for one, or they are another run.
  int differ = 0;
  for (std::size_t k = 0, v = 0; k < run.size() && v < out.size(); ++k) {
    const std::string d = strip_spaces(run[k]->text);
    if (d == "-") continue;
    differ += out[v++].digit != d[0];
  }
  if (differ > 1 || differ >= static_cast<int>(out.size())) return {};
  return out;
}

// The number that ends an address (1038番地20, 3丁目14番25号, 8-19-20) read again on the line's own
// ink. On a handwritten or loosely set line the engine's glyph boxes straddle the digits (a slashed
// 0 read 9 in a box over half the 0 and half the 3), so a digit's own box says little; the line's
// ink, split into characters (ocr::ink_characters), says more. The reading's characters from its
// end back to the number's first are laid on the ink's characters from the line's right end: a digit
// on one piece of a digit's shape (about as high as the line, no wider than high), a hyphen on one
// flat piece, a kanji of the number (丁, 目, 番, 地, 号) on as many pieces as make it nearly as wide
// as the line is high; the ink before the number must be no digit but a 1. One character of the
// number read as a kana, a letter or a mark (2-や-5, 5-25つ9, 番地ア) is laid on one or two pieces
// (one at the number's head, and there only before a hyphen: の-12-5; none at the end after 番 and
// its digits, where it is the 号), each a digit or a hyphen by
// its ink, where exactly one of the two lays the rest in step and makes the number grammatical. Every character must find its ink so, at least two digits must agree
// with the engine's (the two are laid in step) and at most a third (one, in a short number)
// differ; then each digit whose ink the classifier votes for unanimously otherwise is that digit,
// and the misread character what its ink is, for the clerk (kClassifierOverrules), the engine's
// digit kept as its alternative. Returns whether `t` changed.
bool address_number_by_ink(Text& t, const ocr::Image& zone) {
  const auto is_digit = [](const std::string& ch) { return ch.size() == 1 && ch[0] >= '0' && ch[0] <= '9'; };
  const auto numeric = [&](const std::string& ch) { return is_digit(ch) || ch == "-" || is_address_number_kanji(ch); };
  // The reading's characters (spaces left out) with where each starts in t.text.
  struct At {
    std::string ch;
    std::size_t at;
  };
  std::vector<At> read;
  {
    std::size_t at = 0;
    for (const std::string& ch : utf8_characters(t.text)) {
      if (ch != " " && ch != "\u3000") read.push_back({ch, at});
      at += ch.size();
    }
  }
  // The number: from the end back over its characters, and one misread character inside it or at
  // its end (none a kanji).
  std::size_t first = read.size();
  std::optional<std::size_t> wild;
  int digits = 0;
  while (first > 0) {
    const std::size_t k = first - 1;
    if (numeric(read[k].ch)) {
      digits += is_digit(read[k].ch);
      --first;
      continue;
    }
    const bool inside = k + 1 < read.size() ? numeric(read[k + 1].ch) : k > 0 && numeric(read[k - 1].ch);
    if (wild || !inside || is_han(read[k].ch) || read[k].ch.size() > 3) break;
    if (k + 1 == read.size()) {
      // At the end after 番 and its number the misread character is the 号 (29番15ヲ), no digit.
      std::size_t j = k;
      while (j > 0 && is_digit(read[j - 1].ch)) --j;
      if (j > 0 && read[j - 1].ch == "番") break;
    }
    wild = k;
    --first;
  }
  if (wild && *wild == first && first + 1 < read.size() && read[first + 1].ch != "-") {
    // At the number's head only before a hyphen (の-12-5): a kana before a digit may end the town
    // (あけぼの1-2), and a mark before 丁目 or 番 stands for more than a digit.
    ++first;
    wild.reset();
  }
  if (digits < 2) return false;
  std::vector<ocr::InkCharacter> ink = ocr::ink_characters(zone);
  if (ink.empty()) return false;
  // The line's height: the taller characters' (a quarter of them are at least as high).
  std::vector<int> heights;
  for (const ocr::InkCharacter& c : ink) heights.push_back(c.box.h);
  std::sort(heights.begin(), heights.end());
  const double line = heights[heights.size() * 3 / 4];
  if (line < 8) return false;
  // Specks are nobody's character.
  std::erase_if(ink, [&](const ocr::InkCharacter& c) { return c.box.w < 0.2 * line && c.box.h < 0.2 * line; });
  const auto digit_like = [&](const ocr::Box& b) { return b.h >= 0.5 * line && b.w <= 1.05 * b.h; };
  const auto flat = [&](const ocr::Box& b) { return b.h <= 0.35 * line && b.w >= 1.5 * b.h && b.w >= 0.2 * line; };
  // The ink just before the number is the town's last kanji: a digit there is one the reading lost
  // (570 read 5), and the reading's characters would be laid out of step. Not a 1: a kanji's lone
  // stroke (each of 川's three) is voted 1.
  const auto lost_digit = [&](const ocr::InkCharacter& c) {
    return digit_like(c.box) && c.vote.digit != '?' && c.vote.digit != '1' && c.vote.share >= 1.0;
  };
  struct Laid {
    std::vector<std::pair<std::size_t, const ocr::InkCharacter*>> digits;  // (reading index, its ink)
    std::string wild;  // what the misread character's ink is
  };
  // The reading laid on the ink with the misread character on `width` pieces; nothing where it
  // does not lie in step.
  const auto lay = [&](int width) -> std::optional<Laid> {
    Laid out;
    std::size_t p = ink.size();
    for (std::size_t k = read.size(); k-- > first;) {
      const std::string& ch = read[k].ch;
      if (p == 0) return std::nullopt;
      if (wild && k == *wild) {
        for (int w = 0; w < width; ++w) {
          if (p == 0) return std::nullopt;
          const ocr::InkCharacter& c = ink[--p];
          if (flat(c.box))
            out.wild.insert(0, "-");
          else if (digit_like(c.box) && c.vote.digit != '?' && c.vote.share >= 1.0)
            out.wild.insert(0, 1, c.vote.digit);
          else
            return std::nullopt;
        }
      } else if (is_digit(ch)) {
        if (!digit_like(ink[p - 1].box)) return std::nullopt;
        out.digits.push_back({k, &ink[--p]});
      } else if (ch == "-") {
        if (!flat(ink[p - 1].box)) return std::nullopt;
        --p;
      } else {
        int x0 = ink[p - 1].box.x, taken = 0;
        const int x1 = ink[p - 1].box.x + ink[p - 1].box.w;
        while (p > 0 && taken < 4) {
          const ocr::Box& b = ink[p - 1].box;
          if (taken > 0 && (x1 - x0 >= 0.75 * line || x1 - std::min(x0, b.x) > 1.4 * line)) break;
          x0 = std::min(x0, b.x);
          --p;
          ++taken;
        }
        if (x1 - x0 < 0.5 * line) return std::nullopt;
      }
    }
    if (p > 0 && lost_digit(ink[p - 1])) return std::nullopt;
    int agree = 0, differ = 0;
    for (const auto& [k, c] : out.digits) (c->vote.digit == read[k].ch[0] ? agree : differ) += 1;
    if (agree < 2 || differ > std::max(1, digits / 3) || (differ == 0 && !wild)) return std::nullopt;
    if (wild) {
      // The number as the ink then spells it must be one.
      std::string number;
      for (std::size_t k = first; k < read.size(); ++k) number += wild && k == *wild ? out.wild : read[k].ch;
      for (const auto& [k, c] : out.digits)
        if (c->vote.share >= 1.0 && c->vote.digit != '?') {
          std::size_t at = 0;
          for (std::size_t j = first; j < k; ++j) at += j == *wild ? out.wild.size() : read[j].ch.size();
          number[at] = c->vote.digit;
        }
      if (!address_number_grammar_ok(number)) return std::nullopt;
    }
    return out;
  };
  std::optional<Laid> laid = lay(1);
  // At the number's head, one piece: two may take in the town's last kanji.
  if (wild && *wild != first) {
    const std::optional<Laid> two = lay(2);
    if (laid && two) return false;  // either way: not known which
    if (!laid) laid = two;
  }
  if (!laid) return false;
  const std::vector<std::size_t> where = place_pieces(glyph_texts(t.glyphs), t.text);
  bool changed = false;
  for (const auto& [k, c] : laid->digits) {
    if (c->vote.digit == read[k].ch[0] || c->vote.digit == '?' || c->vote.share < 1.0) continue;
    const std::string before = read[k].ch;
    t.text[read[k].at] = c->vote.digit;
    changed = true;
    for (std::size_t i = 0; i < t.glyphs.size(); ++i)
      if (where[i] == read[k].at && strip_spaces(t.glyphs[i].text) == before) {
        ocr::Glyph& g = t.glyphs[i];
        g.confidence = std::min(g.confidence, kClassifierOverrules);
        g.alternatives.insert(g.alternatives.begin(), {before, g.confidence});
        g.text = std::string(1, c->vote.digit);
      }
  }
  if (wild) {
    // Last: the characters before it keep their places in t.text.
    t.text.replace(read[*wild].at, read[*wild].ch.size(), laid->wild);
    for (std::size_t i = 0; i < t.glyphs.size(); ++i)
      if (where[i] == read[*wild].at && strip_spaces(t.glyphs[i].text) == read[*wild].ch) {
        ocr::Glyph& g = t.glyphs[i];
        g.alternatives.insert(g.alternatives.begin(), {g.text, g.confidence});
        g.text = laid->wild;
        g.confidence = std::min(g.confidence, kClassifierOverrules);
      }
    changed = true;
  }
  if (changed) t.confidence = std::min(t.confidence, kClassifierOverrules);
  return changed;
}

// Digits inside free text (house numbers, 丁目 and 番地, a corporation's number) are as font-bound
// as a numeric line's: each glyph the engine read as a digit is voted by the same classifier, on its
// own ink where its run of digits (and hyphens) can be placed character by character
// (ocr::classify_line_digits). A unanimous classifier's digit replaces the engine's there
// (kClassifierOverrules). Any other disagreement makes the text for the clerk to confirm
// (kUnsureFreeText at most); the classifier's digit becomes that glyph's first alternative, or, for
// a zero with a mark inside, replaces it (zero_with_a_mark).
void doubt_text_digits(Text& t, const ocr::Image& zone) {
  const auto is_digit = [](const std::string& s) { return s.size() == 1 && s[0] >= '0' && s[0] <= '9'; };
  // Each glyph's text as normalised, and where it lies in t.text, which a repair may have changed
  // (npos where the glyph's characters are not there).
  const std::vector<std::string> texts = glyph_texts(t.glyphs);
  const std::vector<std::size_t> where = place_pieces(texts, t.text);
  // Runs of digits and hyphens, each voted on its own ink where it can be placed.
  std::vector<std::optional<ocr::DigitVote>> own(t.glyphs.size());
  for (std::size_t i = 0; i < t.glyphs.size();) {
    if (!is_digit(texts[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    std::vector<const ocr::Glyph*> run;
    while (j < t.glyphs.size() && (is_digit(texts[j]) || texts[j] == "-")) run.push_back(&t.glyphs[j++]);
    // A lone digit is not placed: beside a kanji (7丁目) the engine's box may as well hold the
    // kanji's stem, and one character in one box tells nothing of where it lies.
    std::vector<ocr::DigitVote> votes =
        run.size() >= 2 ? ocr::classify_line_digits(zone, line_glyphs(run)) : std::vector<ocr::DigitVote>{};
    if (run.size() >= 2 && votes.empty()) votes = digits_from_first_box(zone, run);
    for (std::size_t k = i, v = 0; k < j && v < votes.size(); ++k)
      if (is_digit(texts[k])) own[k] = votes[v++];
    i = j;
  }
  double cap = 1.0;
  for (std::size_t i = 0; i < t.glyphs.size(); ++i) {
    ocr::Glyph& g = t.glyphs[i];
    const std::string& s = texts[i];
    const std::size_t at = where[i];
    if (!is_digit(s)) continue;
    const ocr::DigitVote v = own[i] ? *own[i] : ocr::classify_digit_at(zone, g.box);
    if (v.digit == '?' || v.digit == s[0]) continue;
    if (own[i] && v.share >= 1.0 && at != std::string::npos) {
      t.text[at] = v.digit;
      g.confidence = std::min(g.confidence, kClassifierOverrules);
      g.alternatives.insert(g.alternatives.begin(), {s, g.confidence});
      g.text = std::string(1, v.digit);
      cap = std::min(cap, kClassifierOverrules);
      continue;
    }
    cap = kUnsureFreeText;
    g.confidence = std::min(g.confidence, kDigitsDisagree);
    if (zero_with_a_mark(s[0], v) && at != std::string::npos) {
      t.text[at] = '0';
      g.alternatives.insert(g.alternatives.begin(), {s, g.confidence});
      g.text = "0";
    } else {
      g.alternatives.insert(g.alternatives.begin(), {std::string(1, v.digit), v.share});
    }
  }
  // A digit whose box holds more: the engine merged a zero into the digit before it (20号 read
  // 2号). From the last, so that the places before stay true.
  for (std::size_t i = t.glyphs.size(); i-- > 0;) {
    ocr::Glyph& g = t.glyphs[i];
    if (own[i] || where[i] == std::string::npos || !is_digit(texts[i])) continue;
    // The box must hold ink no other glyph claims: a box overlapping its neighbour's (2401 read
    // with the 4's box over the 0) holds the neighbour, not a lost zero.
    const auto overlaps = [&](std::size_t k) {
      const ocr::Box& o = t.glyphs[k].box;
      return !texts[k].empty() && o.w > 0 && shared_columns(o, g.box) > g.box.w / 8;
    };
    if ((i > 0 && overlaps(i - 1)) || (i + 1 < t.glyphs.size() && overlaps(i + 1))) continue;
    const std::string read = digits_in_one_box(zone, g);
    if (read.empty()) continue;
    t.text.replace(where[i], 1, read);
    g.alternatives.insert(g.alternatives.begin(), {g.text, g.confidence});
    g.text = read;
    g.confidence = std::min(g.confidence, kDigitsDisagree);
    cap = std::min(cap, kUnsureFreeText);
  }
  t.confidence = std::min(t.confidence, cap);
}

// A short number (a table's year, month or day, a capacity), or a longer one whose reading breaks
// its length, is also what its ink holds: the
// cell's ink split into characters (components overlapping in x merged), each voted by the digit
// classifier. Where the classifier is unanimous on every character and its digits differ from the
// engine's, the field's grammar (its length, its maximum) decides first: the one reading that
// keeps it is the value. Where both do, more characters than the engine read means a digit the
// engine lost ("28" read "8"); as many means a digit misread (a small 3 read 5), which the
// classifier, trained on many faces, reads better. Fewer may be two digits touching (a bold face,
// a heavy scan), which split as one and say nothing of either. The value taken from the ink is
// for the clerk to confirm (kDigitsDisagree); the engine's characters go with its reading.
void digits_by_ink(const FieldTemplate& f, const ocr::Image& cell, std::string& s, double& conf,
                   std::vector<CharReading>& chars) {
  if (cell.empty()) return;
  const auto fits = [&f](const std::string& d) {
    if (d.empty()) return false;
    if (f.length > 0 && static_cast<int>(d.size()) != f.length) return false;
    return f.max <= 0 || (d.size() <= 12 && std::stoll(d) <= f.max);
  };
  const std::vector<ocr::DigitVote> ink = ocr::classify_ink_digits(cell);
  // A longer number only where the engine's reading breaks the field's length and the ink keeps
  // it (a 10-digit number read with a digit too many): there the grammar has already said which.
  const bool long_but_fixed = f.length > 4 && static_cast<int>(ink.size()) == f.length && !fits(digits_of(s));
  if (ink.empty() || (ink.size() > 4 && !long_but_fixed)) return;
  std::string read;
  for (const ocr::DigitVote& v : ink) {
    if (v.digit == '?' || v.share < 1.0) return;
    read += v.digit;
  }
  const std::string engine = digits_of(s);
  if (read == engine) return;
  const bool ink_fits = fits(read), engine_fits = fits(engine);
  bool take = false;
  if (ink_fits != engine_fits)
    take = ink_fits;
  else
    take = read.size() >= engine.size();
  if (!take) return;
  s = read;
  conf = std::min(conf, kDigitsDisagree);
  chars.clear();
}

// A cell holding one glyph of a closed set — M or F, an era's first kanji — voted by the glyph
// classifier on the cell's own ink (ocr::classify_symbol), as a comb digit is: Tesseract often
// drops a lone Latin letter at some scales (a clean "M" read as nothing), which no grammar can
// restore. Agreement keeps Tesseract's confidence; a unanimous classifier supplies the glyph
// Tesseract missed, or overrules one outside the set or another glyph of it, at
// kClassifierOverrules; anything less is only doubted.
void vote_symbol(const std::string& whitelist, const ocr::Image& cell, std::string& s, double& conf) {
  // The set: the type's whitelist, character by character.
  const std::vector<std::string> set = utf8_characters(whitelist);
  const ocr::SymbolVote v = ocr::classify_symbol(cell, set);
  if (v.symbol.empty()) return;
  if (s == v.symbol) return;
  if (v.share >= 1.0) {
    s = v.symbol;
    conf = kClassifierOverrules;
    return;
  }
  const bool in_set = std::find(set.begin(), set.end(), s) != set.end();
  if (!in_set && v.share >= 6.0 / 7.0) s = v.symbol;
  conf = std::min(conf, 0.6);
}

// A name the two models read with different kanji at the same places, both spellings its furigana
// reads (美紀 and 美樹 by ミキ): at each such place the glyph classifier votes between the two kanji
// on the first model's glyph there (ocr::classify_symbol_at); a unanimous vote puts its kanji into
// the chosen text. The dictionary that chose between the readings prefers the commoner spelling,
// which in a name says nothing; the ink does. Only between spellings the furigana bears out: between
// any two readings the classifier, on a glyph the first model may have misread, chose wrong as
// often as right (坂本 taken for 訴本).
void vote_between_readings(Text& t, const std::string& first, const std::string& second, const ocr::Image& zone) {
  const std::vector<std::string> a = utf8_characters(strip_spaces(first)), b = utf8_characters(strip_spaces(second));
  std::vector<std::string> chosen = utf8_characters(strip_spaces(t.text));
  if (a.size() != b.size() || chosen.size() != a.size()) return;
  // The first reading's glyphs by the byte offset of their character in it.
  const std::string bare = strip_spaces(first);
  const std::vector<std::string> texts = glyph_texts(t.glyphs);
  const std::vector<std::size_t> where = place_pieces(texts, bare);
  std::map<std::size_t, std::size_t> glyph_at;
  for (std::size_t i = 0; i < where.size(); ++i)
    if (where[i] != std::string::npos) glyph_at.emplace(where[i], i);
  bool changed = false;
  std::size_t at = 0;
  for (std::size_t i = 0; i < a.size(); at += a[i].size(), ++i) {
    if (a[i] == b[i] || !is_han(a[i]) || !is_han(b[i])) continue;
    const auto g = glyph_at.find(at);
    if (g == glyph_at.end() || texts[g->second] != a[i] || t.glyphs[g->second].box.empty()) continue;
    std::vector<std::string> pair = {a[i], b[i]};
    std::sort(pair.begin(), pair.end());
    const ocr::SymbolVote v = ocr::classify_symbol_at(zone, t.glyphs[g->second].box, pair);
    if (v.symbol.empty() || v.share < 1.0 || v.symbol == chosen[i]) continue;
    chosen[i] = v.symbol;
    changed = true;
  }
  if (!changed) return;
  // Back into the chosen text, its gaps kept.
  std::string out;
  std::size_t k = 0;
  for (const std::string& ch : utf8_characters(t.text)) {
    if (ch == " " || ch == "\u3000" || k >= chosen.size()) {
      out += ch;
      continue;
    }
    out += chosen[k++];
  }
  t.text = out;
}

// Whether `furigana` reads the name `name` (kanji, a full-width gap between family and given
// name or none): as a whole, or the family and given name each by the dictionary's person names.
bool furigana_reads(const std::string& furigana, const std::string& name) {
  if (furigana.empty() || name.empty()) return false;
  return ocr::match_reading(furigana, name).kind == ocr::KanaReadingMatch::Kind::reading;
}

// Text of a given type, normalised and validated; `type` may differ from f.type (table columns).
// `furigana`: for a name, its furigana as read beside it (the officers' table), which chooses
// between the two models' readings where it reads one and not the other.
RecognizedValue read_typed(const FieldTemplate& f, const std::string& key, const std::string& type,
                           const PageContext& c, ocr::Box zone, const std::string& furigana = {}) {
  using L = ocr::ZoneLayout;
  std::string whitelist;
  if (type == "digits")
    whitelist = kDigits;
  else if (type == "postal")
    whitelist = "0123456789-";
  else if (type == "amount")
    whitelist = "0123456789,";
  else if (type == "phone")
    whitelist = "0123456789-()";
  else if (type == "kana")
    whitelist = kKatakana;
  else if (type == "sex")
    whitelist = "MF";
  else if (type == "era")
    whitelist = "昭平令大";
  else if (type == "email")
    whitelist = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._-+";
  const L layout = L::kSingleLine;  // single-word mode loses lone kanji and letters (昭, F)
  // Japanese text and kana are read with the Japanese model alone (it knows digits and Latin
  // letters too); e-mail addresses, M/F and digits keep the default jpn+eng.
  const bool japanese = type != "digits" && type != "postal" && type != "amount" && type != "phone" &&
                        type != "email" && type != "sex";
  const bool kanji = japanese && type != "era";
  const bool numeric_type = type == "digits" || type == "postal" || type == "amount" || type == "phone";
  const ocr::PreparedZone prepared = ocr::prepare_zone(c.page, zone, true, 0, numeric_type);
  // Numbers at 200 dpi are a dozen pixels high, too small for the engine (a dotted zero read 6):
  // read at 300 dpi at least, as kanji are read at 400.
  Text t = read_zone(c, prepared, zone, layout, whitelist, japanese ? "jpn" : "", kanji ? 400 : numeric_type ? 300 : 0);
  RecognizedValue v = make(f, key, c, "", t.confidence, t.box);
  v.type = type;
  if (t.blank) return v;
  const bool numeric = type == "digits" || type == "postal" || type == "amount" || type == "phone";
  std::vector<CharReading> line_chars;
  if (numeric) line_chars = vote_line_digits(t, prepared.image, prepared.image_box);
  if (kanji && t.mended != t.text) {
    // A glyph read twice, perhaps: the zone at its scanned resolution decides.
    const Text again = read_zone(c, prepared, zone, layout, whitelist, "jpn", 0);
    const auto u = [](const std::string& x) { return icu::UnicodeString::fromUTF8(strip_spaces(x)); };
    if (edit_distance(u(t.mended), u(again.text)) <= edit_distance(u(t.text), u(again.text)))
      t.text = t.mended;
  }
  if (type == "text" && c.engine.has_language(ocr::kSecondJapaneseModel)) {
    // Free Japanese text is read again by the second, larger model, whose mistakes are mostly
    // other ones (緑風荘 read 攻/苦/注 by one, 考人 for 老人 by the other). Where the two differ,
    // the dictionary's more plausible combination of their readings is kept, and the value is
    // for the clerk to confirm.
    // Each reading is cleaned first, so that a cell edge one model read as "|" and the other as
    // "i" is no difference.
    const Text other = read_zone(c, prepared, zone, layout, whitelist, ocr::kSecondJapaneseModel, 400);
    const auto clean = [&](const std::string& x) {
      return clean_free_text(is_name_key(key) ? keep_wide_spaces(x) : strip_spaces(x));
    };
    const std::string first = clean(t.text), second = clean(other.text);
    v.readings = {first, second};
    if (strip_spaces(first) != strip_spaces(second)) {
      t.text = ocr::more_plausible(first, second);
      // The name said twice on the row: a reading its furigana reads is taken over one it does
      // not (a lone given name one model dropped, 高橋 beside タカハシ　ユウ). The dictionary's
      // plausibility prefers the shorter reading; the furigana knows how long the name is.
      if (!furigana_reads(furigana, t.text)) {
        const bool reads_first = furigana_reads(furigana, first), reads_second = furigana_reads(furigana, second);
        if (reads_first != reads_second) t.text = reads_first ? first : second;
      }
      // One character the two models read apart, where one of them is known to misread it (和也
      // read 和志 by one, 智 read 知 by the other): the model right about it on the development
      // seeds (model_pairs.h), over the dictionary, unless the furigana reads only the other's
      // reading.
      if (const auto pair = one_substitution(first, second)) {
        if (const Believe b = believed_model(pair->first, pair->second); b != Believe::kUnknown) {
          const std::string& take = b == Believe::kFirst ? first : second;
          const std::string& disbelieved = b == Believe::kFirst ? second : first;
          if (furigana_reads(furigana, take) || !furigana_reads(furigana, disbelieved)) t.text = take;
        }
      }
      // Both read by it (美紀 and 美樹 by ミキ): the ink, where unanimous, chooses between their kanji.
      if (furigana_reads(furigana, first) && furigana_reads(furigana, second))
        vote_between_readings(t, first, second, prepared.image);
      t.confidence = std::min(t.confidence, kUnsureFreeText);
    }
  }
  // On the text as chosen: the first reading's glyphs are placed in it where their characters are
  // (place_pieces), so a digit the other model read differently stays as chosen.
  if (type == "text" && key.ends_with("address")) address_number_by_ink(t, prepared.image);
  if (type == "text") doubt_text_digits(t, prepared.image);
  if (type == "kana") vote_kana(t, prepared.image);
  // Spaces go, except in Japanese text a full-width one the engine saw as a real gap (between a
  // family and a given name, or a title and a name).
  std::string s = is_name_key(key) ? keep_wide_spaces(t.text) : strip_spaces(t.text);
  double conf = t.confidence;
  if (s.empty() && kanji) {
    // Ink, yet nothing read: Tesseract's single-line mode sometimes rejects a whole clean line
    // (a name with a wide gap between family and given name; a short word of heavy strokes), at
    // some scales and borders only. The same zone at its scanned resolution, without the border,
    // then larger, then with its strokes thinned, then as a raw line.
    struct Try {
      int dpi, border, thin;
      L layout;
    };
    for (const Try& a : {Try{0, -1, 0, layout}, {0, 0, 0, layout}, {400, 0, 0, layout}, {500, -1, 0, layout},
                         {400, -1, 1, layout}, {400, -1, 0, L::kRawLine}}) {
      const Text again = read_zone(c, prepared, zone, a.layout, whitelist, "jpn", a.dpi, a.border, a.thin);
      s = is_name_key(key) ? keep_wide_spaces(again.text) : strip_spaces(again.text);
      conf = std::min(again.confidence, kUnsureFreeText);
      if (!s.empty()) break;
    }
  }
  if (s.empty() && !whitelist.empty() && (type == "digits" || type == "sex" || type == "era")) {
    // Ink, yet nothing within the character set: Tesseract's LSTM drops a lone glyph it would
    // rather call something else ("9" read as "q"). Read it freely and map look-alikes; such a
    // reading is never certain.
    // A lone glyph in a wide white border also gets lost: the crop's own margin comes first.
    const Text tight = read_zone(c, prepared, zone, layout, whitelist, japanese ? "jpn" : "", 0, 0);
    s = strip_spaces(tight.text);
    conf = std::min(tight.confidence, 0.85);
    for (int border : {0, -1}) {
      if (!s.empty()) break;
      const Text free = read_zone(c, prepared, zone, layout, "", type == "era" ? "jpn" : "", 0, border);
      s = lookalikes(strip_spaces(free.text), type);
      conf = std::min(free.confidence, 0.8);
    }
  }
  if (type == "sex" || type == "era") vote_symbol(whitelist, prepared.image, s, conf);
  if (type == "digits") digits_by_ink(f, prepared.image, s, conf, line_chars);
  if (type == "digits") {
    std::string d = digits_of(s);
    if (d.size() != s.size()) conf = std::min(conf, 0.5);
    if (f.length > 0 && static_cast<int>(d.size()) != f.length) conf = std::min(conf, 0.3);
    if (f.max > 0 && !d.empty() && std::stoll(d.substr(0, 12)) > f.max) conf = std::min(conf, 0.3);
    if (d.empty()) conf = 0;
    s = d;
  } else if (type == "postal") {
    const std::string d = digits_of(s);
    if (d.size() == 7)
      s = d.substr(0, 3) + "-" + d.substr(3);
    else {
      conf = std::min(conf, 0.2);
      s = d;
    }
  } else if (type == "amount") {
    // Commas must group by three: "264,000" — anything else is suspect.
    bool ok = !s.empty() && s.find_first_not_of("0123456789,") == std::string::npos;
    const auto first = s.find(',');
    if (ok && first != std::string::npos) {
      if (first == 0 || first > 3) ok = false;
      for (std::size_t i = first; ok && i < s.size(); i += 4)
        if (s[i] != ',' || (i + 4 <= s.size() && digits_of(s.substr(i + 1, 3)).size() != 3)) ok = false;
      if (ok && (s.size() - first) % 4 != 0) ok = false;
    }
    s = digits_of(s);
    // The programme's amounts are whole thousands of yen (its rates per place and its flat sum).
    if (!ok || s.empty() || s[0] == '0' || s.size() < 4 || s.compare(s.size() - 3, 3, "000") != 0) conf = std::min(conf, 0.4);
  } else if (type == "phone") {
    s = fix_dashes(s);
    // No number starts or ends with a hyphen: one there is the cell's edge or a speck beside it.
    const bool chars_follow = line_chars.size() == s.size();
    if (const auto [front, back] = trim_hyphens(s); front + back > 0) {
      conf = std::min(conf, kFailsFormat);  // mended: below what calibration may raise
      if (chars_follow) {
        line_chars.erase(line_chars.end() - static_cast<std::ptrdiff_t>(back), line_chars.end());
        line_chars.erase(line_chars.begin(), line_chars.begin() + static_cast<std::ptrdiff_t>(front));
      }
    }
    if (const std::size_t before = s.size(); const auto at = drop_empty_brackets(s)) {
      conf = std::min(conf, kFailsFormat);  // mended: below what calibration may raise
      if (line_chars.size() == before)
        line_chars.erase(line_chars.begin() + static_cast<std::ptrdiff_t>(*at), line_chars.begin() + static_cast<std::ptrdiff_t>(*at + 2));
      else
        line_chars.clear();
    }
    if (drop_glyph_before_phone(s)) {
      conf = std::min(conf, kFailsFormat);  // mended: below what calibration may raise
      if (!line_chars.empty()) line_chars.erase(line_chars.begin());
    } else if (restore_phone_leading_zero(s)) {
      conf = std::min(conf, kFailsFormat);  // mended: below what calibration may raise
      if (!line_chars.empty()) line_chars.insert(line_chars.begin(), CharReading{"0", kFailsFormat, {}, {}});
    } else if (const std::string before = s; restore_phone_first_zero(s)) {
      conf = std::min(conf, kFailsFormat);
      if (!line_chars.empty() && line_chars.front().text == before.substr(0, 1)) {
        line_chars.front().alternatives.push_back(line_chars.front().text);
        line_chars.front().text = "0";
        line_chars.front().confidence = kFailsFormat;
      } else {
        line_chars.clear();
      }
    } else if (const auto [chars_before, dropped] = std::pair{line_chars.size() == s.size(), drop_stuttered_phone_digits(s)};
               !dropped.empty()) {
      conf = std::min(conf, kFailsFormat);
      // The characters read there go with them where they follow the text one by one.
      if (chars_before) {
        std::vector<std::size_t> at = dropped;
        std::sort(at.rbegin(), at.rend());
        for (std::size_t i : at) line_chars.erase(line_chars.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        line_chars.clear();
      }
    }
    if (!phone_grammar_ok(s)) conf = std::min(conf, 0.4);
  } else if (type == "email") {
    // Read again by the English model alone (the Japanese one beside it takes Latin letters for
    // look-alikes: keimi for keiri, a lost @). Each reading as read (case and trailing marks
    // aside) and mended by the address's grammar (mend_email) are the candidates: two readings
    // that agree and pass the grammar are taken as read; otherwise the first candidate that passes,
    // as read before mended, the first reading before the second — for the clerk to confirm.
    const Text english = read_zone(c, prepared, zone, layout, whitelist, "eng");
    const std::string first_raw = email_as_read(s), second_raw = email_as_read(english.text);
    bool mended = false;
    const std::string first = mend_email(s, mended), second = mend_email(english.text, mended);
    v.readings = {first_raw, second_raw};
    if (first_raw == second_raw && email_grammar_ok(first_raw)) {
      s = first_raw;
    } else if (email_grammar_ok(first_raw) || email_grammar_ok(second_raw)) {
      // One reading passes as read, the other not, or otherwise: not sure.
      s = email_grammar_ok(first_raw) ? first_raw : second_raw;
      conf = std::min(conf, kUnsureFreeText);
    } else {
      // Mended by the grammar, or failing it.
      s = email_grammar_ok(first) ? first : email_grammar_ok(second) ? second : first_raw;
      conf = std::min(conf, kFailsFormat);
    }
    if (vote_email_digits(s == first_raw ? t : english, prepared.image, s)) conf = std::min(conf, kDigitsDisagree);
    if (digits_from_other_reading(s, s == first_raw ? second_raw : first_raw)) conf = std::min(conf, kUnsureFreeText);
    if (!email_grammar_ok(s)) conf = std::min(conf, 0.4);
  } else if (type == "sex") {
    if (s != "M" && s != "F") conf = std::min(conf, 0.3);
  } else if (type == "era") {
    if (s != "昭" && s != "平" && s != "令" && s != "大") conf = std::min(conf, 0.3);
  } else if (type == "kana") {
    s = fix_kana_words(trim_junk(s));
    // Ill-formed katakana is below what calibration raises; well-formed, Tesseract's confidence
    // is what the calibration table turns into the probability that it is right.
    if (!plausible_kana(s)) conf = std::min(conf, kFailsFormat);
  } else {
    s = clean_free_text(s);
    if (key.size() >= 7 && key.compare(key.size() - 7, 7, "address") == 0) {
      bool fixed = false;
      s = fix_chiba_address(s, fixed, [&](char16_t ch) { return c.engine.can_read(ch, "jpn"); });
      if (fixed) conf = std::min(conf, kUnsureFreeText);  // corrected from the lexicon: the clerk looks
      if (drop_stray_before_go(s)) conf = std::min(conf, kUnsureFreeText);
      if (mend_chome(s)) conf = std::min(conf, kUnsureFreeText);
      if (drop_marks_after_number(s)) conf = std::min(conf, kUnsureFreeText);
      // 千葉県 and then no municipality of the prefecture as spelt (析市, one off two): not sure.
      if (s.starts_with("千葉県") && !chiba_town(s)) conf = std::min(conf, kFailsFormat);
    }
    s = dots_between_digits_to_dashes(s);
    if (has_stray_marks(s)) conf = std::min(conf, kFailsFormat);
  }
  v.value = s;
  v.confidence = std::clamp(conf, 0.0, 1.0);
  v.chars = numeric ? line_chars : chars_of(t.glyphs, s, prepared.image_box, std::min(conf, kUnsureFreeText));
  // The characters must spell the value as normalised (a postal code's hyphen, an amount's commas
  // dropped): otherwise only the value's own confidence is kept.
  if (numeric) {
    std::string joined;
    for (const CharReading& ch : v.chars) joined += ch.text;
    if (joined != s) {
      std::vector<CharReading> kept;
      for (const CharReading& ch : v.chars)
        if (ch.text != "," ) kept.push_back(ch);
      std::string k;
      for (const CharReading& ch : kept) k += ch.text;
      v.chars = k == s ? kept : std::vector<CharReading>{};
    }
  }
  return v;
}

// The date's digits read as one line with the printed 年, 月 and 日 between them ("7年7月30日"):
// year, month and day, each 0 where the line does not give it (the year's digit lost before 年
// leaves the month and day the printed kanji still place).
std::array<int, 3> date_line_parts(const std::string& text) {
  const std::string s = strip_spaces(text);
  const std::string kYear = "年", kMonth = "月";
  const auto digits = [&](std::size_t from, std::size_t to) {  // [from, to) all digits, 1 or 2 of them
    if (to <= from || to - from > 2) return 0;
    for (std::size_t i = from; i < to; ++i)
      if (s[i] < '0' || s[i] > '9') return 0;
    return std::stoi(s.substr(from, to - from));
  };
  const std::size_t y = s.find(kYear);
  if (y == std::string::npos) return {0, 0, 0};
  const std::size_t m = s.find(kMonth, y + kYear.size());
  if (m == std::string::npos) return {0, 0, 0};
  std::size_t year_from = y;
  while (year_from > 0 && y - year_from < 2 && s[year_from - 1] >= '0' && s[year_from - 1] <= '9') --year_from;
  std::size_t day_to = m + kMonth.size();
  while (day_to < s.size() && day_to - (m + kMonth.size()) < 2 && s[day_to] >= '0' && s[day_to] <= '9') ++day_to;
  return {digits(year_from, y), digits(y + kYear.size(), m), digits(m + kMonth.size(), day_to)};
}

// Whether a date part's value is in its range (a 令和 or 平成 year, a month, a day).
bool date_part_in_range(int part, int v) {
  static constexpr int kMax[3] = {40, 12, 31};
  return v >= 1 && v <= kMax[part];
}

// Whether ink lies across the left or right edge of `zone` (a digit the zone cuts, or a stroke of
// the printed kanji beside it reaching in).
// Looked at on the zone and half its height either side cut from the page (the whole page's pixels
// are not gone over for each edge).
bool ink_across_edge(const ocr::Image& page, const ocr::Box& zone) {
  const int x0 = std::max(0, zone.x - zone.h), x1 = std::min(page.width(), zone.x + zone.w + zone.h);
  const int y0 = std::max(0, zone.y), y1 = std::min(page.height(), zone.y + zone.h);
  if (x1 - x0 < 3 || y1 - y0 < 3) return false;
  const ocr::Image around = ocr::clean_zone(page, ocr::Box{x0, y0, x1 - x0, y1 - y0});
  if (around.empty()) return false;
  for (const int edge : {zone.x - x0, zone.x + zone.w - x0})
    for (const ocr::Box& b : ocr::ink_columns_in(around, ocr::Box{edge - zone.h / 2, 0, zone.h, y1 - y0}))
      if (b.x < edge && b.x + b.w > edge) return true;
  return false;
}

RecognizedValue read_date(const FieldTemplate& f, const PageContext& c) {
  ocr::Box zones[3] = {};
  std::vector<CharReading> part_chars[3];
  int parts[3] = {0, 0, 0};
  std::string read[3];
  double conf = 1.0;
  int blank = 0;
  ocr::Box all{};
  const char* names[3] = {"year", "month", "day"};
  for (int i = 0; i < 3; ++i) {
    auto it = f.parts.find(names[i]);
    if (it == f.parts.end()) return make(f, f.key, c, "", 0, {});
    FieldTemplate d = f;
    d.length = 0;
    d.max = 0;
    const ocr::Box z = c.box(it->second);
    zones[i] = z;
    if (i == 0)
      all = z;
    else {
      const int x1 = std::max(all.x + all.w, z.x + z.w), y1 = std::max(all.y + all.h, z.y + z.h);
      all.x = std::min(all.x, z.x);
      all.y = std::min(all.y, z.y);
      all.w = x1 - all.x;
      all.h = y1 - all.y;
    }
    RecognizedValue p = read_typed(d, f.key, "digits", c, z);
    part_chars[i] = p.chars;
    if (p.value.empty()) {
      ++blank;
      conf = std::min(conf, p.confidence);
      continue;
    }
    parts[i] = std::stoi(p.value.substr(0, 4));
    read[i] = p.value;
    conf = std::min(conf, p.confidence);
  }
  // Each part's zone is a box around where its digits should be, and the digits may sit off it: the
  // printed 年, 月 or 日 beside a zone lends it a stroke ("301" for 30), or the zone cuts a digit off
  // ("8" for 28). The line from the year's zone to past the 日 is read too, the printed kanji
  // telling the parts apart and each digit voted by the classifier on its own ink. A part the
  // zone gave out of range, or none, is the line's where the zone's digits less one at either end
  // agree with it (or the zone gave nothing); a part whose digits the line's contain with more (a
  // digit the zone cut off) is the line's; any other disagreement leaves the zone's reading. Either
  // way the clerk confirms. The line is read only where there is reason: a part blank, out of
  // range or unsure, or ink lying across a zone's edge.
  bool doubt = blank > 0 || conf < 0.9;  // below the skip threshold a clerk looks anyway, so the line is read
  for (int i = 0; i < 3 && !doubt; ++i) doubt = !date_part_in_range(i, parts[i]) || ink_across_edge(c.page, zones[i]);
  if (blank < 3 && doubt) {
    const ocr::Box line{all.x, all.y, all.w + all.h * 3 / 2, all.h};
    const ocr::PreparedZone prepared = ocr::prepare_zone(c.page, line, true);
    Text t = read_zone(c, prepared, line, ocr::ZoneLayout::kSingleLine, "0123456789年月日", "jpn");
    std::string voted;
    for (const ocr::Glyph& g : t.glyphs) {
      std::string ch = strip_spaces(ocr::normalize_nfkc(g.text));
      if (ch.size() == 1 && ch[0] >= '0' && ch[0] <= '9' && !g.box.empty()) {
        const ocr::DigitVote v = ocr::classify_digit_at(prepared.image, g.box);
        if (v.digit != '?' && v.share >= 1.0) ch = std::string(1, v.digit);
      }
      voted += ch;
    }
    const std::array<int, 3> by_line = date_line_parts(voted.empty() ? t.text : voted);
    // The printed 年, 月 and 日 where the line found them (a box no wider than half again its
    // height: the engine may stretch one over the line): a zone's character lying on one is the
    // kanji's stroke, not a digit (日's first stroke read 1 after a day's 1: "11"), and is left out
    // where the zone's characters are placed one by one. Where they are not, a zone reaching over
    // a kanji holds some of its ink, read as a digit at that end or not: the line's part, read with
    // the kanji beside it, is taken where it is the zone's less that digit.
    std::vector<ocr::Box> kanji;
    for (const ocr::Glyph& g : t.glyphs) {
      const std::string ch = strip_spaces(ocr::normalize_nfkc(g.text));
      if ((ch == "年" || ch == "月" || ch == "日") && !g.box.empty() && g.box.w * 2 <= g.box.h * 3)
        kanji.push_back(on_page(g.box, prepared.image_box));
    }
    int kanji_side[3] = {0, 0, 0};  // -1: the zone reaches over a kanji on its left, 1: on its right
    for (int i = 0; i < 3 && !kanji.empty(); ++i) {
      if (read[i].empty()) continue;
      const auto on_a_kanji = [&](const ocr::Box& b) {
        return std::any_of(kanji.begin(), kanji.end(), [&](const ocr::Box& k) { return b.x + b.w / 2 >= k.x && b.x + b.w / 2 < k.x + k.w; });
      };
      const bool placed = part_chars[i].size() == read[i].size() &&
                          std::all_of(part_chars[i].begin(), part_chars[i].end(), [](const CharReading& ch) { return !ch.box.empty(); });
      if (placed) {
        std::string kept;
        for (const CharReading& ch : part_chars[i])
          if (!on_a_kanji(ch.box)) kept += ch.text;
        if (kept == read[i]) continue;
        conf = std::min(conf, kFailsFormat);
        read[i] = kept;
        parts[i] = kept.empty() ? 0 : std::stoi(kept.substr(0, 4));
        if (kept.empty()) ++blank;
      } else {
        for (const ocr::Box& k : kanji)
          if (shared_columns(k, zones[i]) > 0) kanji_side[i] = k.x + k.w / 2 < zones[i].x + zones[i].w / 2 ? -1 : 1;
      }
    }
    // Where the zones gave a part in range, whether the line gives the same: a line that agrees
    // with the zones wherever both read is trusted where the zone read something impossible (the
    // zone cut a 2 off and took the 日's first stroke: 29 read "94").
    bool zone_ok[3], agreed = false, disagreed = false;
    for (int i = 0; i < 3; ++i) {
      zone_ok[i] = !read[i].empty() && date_part_in_range(i, parts[i]);
      if (zone_ok[i] && by_line[i] != 0) (by_line[i] == parts[i] ? agreed : disagreed) = true;
    }
    const bool line_agrees = agreed && !disagreed;
    if (by_line[0] != 0 || by_line[1] != 0 || by_line[2] != 0) {
      for (int i = 0; i < 3; ++i) {
        if (by_line[i] == 0 || by_line[i] == parts[i]) continue;
        const std::string line_digits = std::to_string(by_line[i]);
        const bool cut_off = zone_ok[i] && line_digits.size() > read[i].size() && line_digits.find(read[i]) != std::string::npos;
        // The zone's digits less a kanji's stroke at one end, in range, hold the line's and more:
        // the line lost a digit the zone kept (20 read "205" by the zone, "2" by the line).
        std::string fuller;
        if (!zone_ok[i] && read[i].size() > 1)
          for (const std::string& less : {read[i].substr(1), read[i].substr(0, read[i].size() - 1)})
            if (fuller.empty() && less.size() > line_digits.size() && less.find(line_digits) != std::string::npos &&
                date_part_in_range(i, std::stoi(less)))
              fuller = less;
        if (!fuller.empty()) {
          parts[i] = std::stoi(fuller);
          read[i] = fuller;
          conf = std::min(conf, kFailsFormat);
          continue;
        }
        const bool trimmed_agrees = !zone_ok[i] && (read[i].empty() || line_agrees ||
                                                    (read[i].size() > 1 && (line_digits == read[i].substr(1) ||
                                                                            line_digits == read[i].substr(0, read[i].size() - 1))));
        const bool kanji_stroke = read[i].size() > 1 &&
                                  ((kanji_side[i] < 0 && line_digits == read[i].substr(1)) ||
                                   (kanji_side[i] > 0 && line_digits == read[i].substr(0, read[i].size() - 1)));
        if (date_part_in_range(i, by_line[i]) && (cut_off || trimmed_agrees || kanji_stroke)) {
          if (read[i].empty()) --blank;
          parts[i] = by_line[i];
          read[i] = line_digits;
        }
        conf = std::min(conf, kFailsFormat);
      }
    }
  }
  // A form's date is required and its digits may sit off the printed cells: a date found blank is
  // for the clerk to confirm, never certain.
  if (blank == 3) return make(f, f.key, c, "", 0.6, all);
  if (blank > 0) return make(f, f.key, c, "", 0, all);
  const int year = era_base(f.era) + parts[0];
  if (!valid_date(year, parts[1], parts[2]) || parts[0] < 1 || parts[0] > 40) conf = std::min(conf, 0.2);
  return make(f, f.key, c,
              iso(year, std::max(1, std::min(12, parts[1])), std::max(1, std::min(31, parts[2]))), conf, all);
}

RecognizedValue read_comb(const FieldTemplate& f, const PageContext& c) {
  const double m = 4.0;  // mm of slack around the printed row
  const ocr::Box search = c.box({f.zone.x - m, f.zone.y - m, f.zone.w + 2 * m, f.zone.h + 2 * m});
  auto comb = ocr::read_comb_row(c.page, search, f.cells, kDigits, c.engine);
  if (!comb) {
    FieldTemplate d = f;
    d.length = f.cells;
    return read_typed(d, f.key, "digits", c, c.box(f.zone));
  }
  std::string value = comb->text;
  value.erase(0, value.find_first_not_of(' '));
  value.erase(value.find_last_not_of(' ') + 1);
  double conf = comb->confidence;
  if (comb->filled == 0)
    conf = kEmptyConfidence;
  else if (static_cast<int>(value.size()) != f.cells || value.find_first_not_of(kDigits) != std::string::npos)
    conf = std::min(conf, 0.3);  // a gap or an unreadable cell
  RecognizedValue v = make(f, f.key, c, value, conf, comb->box);
  if (comb->filled > 0)
    for (std::size_t i = 0; i < comb->text.size() && i < comb->confidences.size(); ++i) {
      if (comb->text[i] == ' ') continue;
      // The row's ruled cells are equal: cell i's share of the located row.
      const int cells = std::max<int>(1, static_cast<int>(comb->text.size()));
      const int x0 = comb->box.x + static_cast<int>(static_cast<long long>(comb->box.w) * static_cast<long long>(i) / cells);
      const int x1 = comb->box.x + static_cast<int>(static_cast<long long>(comb->box.w) * static_cast<long long>(i + 1) / cells);
      const ocr::Box cell = comb->box.empty() ? ocr::Box{} : ocr::Box{x0, comb->box.y, std::max(1, x1 - x0), comb->box.h};
      CharReading ch{std::string(1, comb->text[i]), comb->confidences[i], {}, cell};
      if (i < comb->alternatives.size() && comb->alternatives[i] != '?' && comb->alternatives[i] != ' ' &&
          comb->alternatives[i] != comb->text[i])
        ch.alternatives.push_back(std::string(1, comb->alternatives[i]));
      v.chars.push_back(std::move(ch));
    }
  return v;
}

RecognizedValue read_group(const FieldTemplate& f, const PageContext& c) {
  struct Opt {
    const OptionDef* o;
    ocr::CheckReading r;
  };
  std::vector<Opt> opts;
  for (const auto& o : f.options)
    opts.push_back({&o, ocr::read_checkbox(c.page, c.box({o.x, o.y, f.box_w, f.box_h}))});
  std::vector<const Opt*> on;
  double min_conf = 1.0;
  for (const auto& o : opts) {
    min_conf = std::min(min_conf, o.r.confidence);
    if (o.r.checked) on.push_back(&o);
  }
  if (on.size() == 1) return make(f, f.key, c, on[0]->o->value, min_conf, on[0]->r.box);
  if (on.empty())
    return make(f, f.key, c, "", std::min(min_conf, 0.6),
                c.box({f.options[0].x, f.options[0].y, f.box_w, f.box_h}));
  const Opt* best =
      *std::max_element(on.begin(), on.end(), [](const Opt* a, const Opt* b) { return a->r.ink < b->r.ink; });
  return make(f, f.key, c, best->o->value, 0.3, best->r.box);  // several ticked: the clerk decides
}

// An officer's name and its furigana as parts: family and given name (split at the full-width gap).
std::vector<std::string> name_parts(const std::string& v) {
  std::vector<std::string> out(1);
  for (const std::string& ch : utf8_characters(v)) {
    if (ch == "\u3000") {
      out.emplace_back();
    } else if (ch != " ") {
      out.back() += ch;
    }
  }
  return out;
}

// A furigana checked against the name it reads (an officer's, beside it; an account holder's,
// "<法人>　<役職>　<姓>　<名>", above it), by their last two parts (family and given name): where a
// part of the furigana is not a
// reading of that part of the name but one edit from exactly one (オガリ beside 小川: オガワ), the
// edit is made if the ink bears it out — a substituted kana where the glyph classifier, voting over
// the two kana on the glyph's own ink, is unanimous for the reading's; a kana too many where its
// glyph lies over its neighbour's (one glyph read twice: アクケミ). The name only proposes: a
// misread name proposes nothing the ink confirms. The furigana is then for the clerk to confirm.
void furigana_by_name(const PageContext& c, RecognizedValue& kana, const RecognizedValue& name) {
  const std::vector<std::string> kanas = name_parts(kana.value), names = name_parts(name.value);
  if (kanas.size() < 2 || names.size() < 2) return;
  std::size_t length = 0, first = 0;  // first: the family name's first character
  for (std::size_t k = 0; k < kanas.size(); ++k) {
    if (k + 2 == kanas.size()) first = length;
    length += utf8_characters(kanas[k]).size();
  }
  if (kana.chars.size() != length) return;  // the characters must be the value's, one by one
  std::vector<std::size_t> drop;
  bool changed = false;
  std::size_t offset = first;
  for (std::size_t k = kanas.size() - 2; k < kanas.size(); offset += utf8_characters(kanas[k]).size(), ++k) {
    // From the end: the names' first parts may have lost or gained a gap.
    const std::string& name_part = names[names.size() - (kanas.size() - k)];
    if (name_part.empty() || kanas[k].empty()) continue;
    const ocr::KanaReadingMatch m = ocr::match_reading(kanas[k], name_part);
    if (m.kind != ocr::KanaReadingMatch::Kind::near || m.near.empty()) continue;
    // Several readings one edit away (キヨン: キヨシ, or キヨ and a kana too many) are weighed only
    // where every edit is at the same kana: the ink chooses among the kana they put there.
    const ocr::KanaReadingMatch::Edit& e = m.near[0];
    if (std::any_of(m.near.begin(), m.near.end(), [&](const auto& x) { return x.position != e.position; })) continue;
    const std::size_t i = offset + static_cast<std::size_t>(e.position);
    if (i >= kana.chars.size()) continue;
    CharReading& ch = kana.chars[i];
    if (ch.box.w <= 2 || ch.box.h <= 2) continue;
    std::vector<std::string> kanas_there = {ch.text};  // the kana read and those the readings have
    for (const auto& x : m.near)
      if (x.op == ocr::KanaReadingMatch::Edit::Op::substitute) kanas_there.push_back(x.should_be);
    if (kanas_there.size() > 1) {
      // A box as wide as two glyphs holds no one kana to vote on. A narrow one may: the glyph is
      // the ink whose components centre in it (part of ワ boxed as リ).
      if (ch.box.w * 3 > ch.box.h * 4) continue;
      std::sort(kanas_there.begin(), kanas_there.end());
      const ocr::SymbolVote v = ocr::classify_symbol_at(c.page, ch.box, kanas_there);
      if (v.symbol.empty() || v.symbol == ch.text || v.share < 1.0) continue;
      ch.alternatives.insert(ch.alternatives.begin(), ch.text);
      ch.text = v.symbol;
      ch.confidence = std::min(ch.confidence, kUnsureFreeText);
      changed = true;
    } else if (m.near.size() == 1 && e.op == ocr::KanaReadingMatch::Edit::Op::extra) {
      // Over its neighbour: most of the narrower of the two boxes shared.
      const auto over = [&](std::size_t j) {
        const ocr::Box& b = kana.chars[j].box;
        return !b.empty() && shared_columns(ch.box, b) * 2 > std::min(ch.box.w, b.w);
      };
      const bool before = i > offset && over(i - 1);
      const bool after = i + 1 < offset + utf8_characters(kanas[k]).size() && over(i + 1);
      if (!before && !after) continue;
      drop.push_back(i);
      changed = true;
    }
  }
  if (!changed) return;
  for (auto it = drop.rbegin(); it != drop.rend(); ++it) kana.chars.erase(kana.chars.begin() + static_cast<std::ptrdiff_t>(*it));
  // The value again from its characters, the gaps where they were.
  std::vector<std::size_t> ends;  // each part's end, in characters after the drops
  std::size_t end = 0;
  for (const std::string& k : kanas) {
    end += utf8_characters(k).size();
    ends.push_back(end - static_cast<std::size_t>(std::count_if(drop.begin(), drop.end(), [&](std::size_t d) { return d < end; })));
  }
  std::string value;
  for (std::size_t i = 0, part = 0; i < kana.chars.size(); ++i) {
    while (part < ends.size() && i >= ends[part]) {
      value += "\u3000";
      ++part;
    }
    value += kana.chars[i].text;
  }
  kana.value = value;
  kana.confidence = std::min(kana.confidence, kUnsureFreeText);
}

// Where character `i` of a value's glyph lies in `zone` (the value's box, ocr::clean_zone): the
// engine's box, unless it has none (a character only the other model read, or put in between
// glyphs) or one no glyph of the line fits (wider than 1.4 line heights: a box stretched over its
// neighbours). Then the ink between the boxes of the nearest characters either side that have
// one (the zone's edge where there are none), cut where its columns are blank into as many parts as
// characters lie between them, each no wider than a glyph; a lone character at the zone's edge
// whose ink there is wider than a kanji, the part of it from that edge about a kanji wide. Zone
// px; nothing otherwise.
std::optional<ocr::Box> glyph_box(const ocr::Image& zone, const RecognizedValue& v, std::size_t i) {
  if (i >= v.chars.size() || zone.empty()) return std::nullopt;
  const auto local = [&](ocr::Box b) { return b.empty() ? b : ocr::Box{b.x - v.box.x, b.y - v.box.y, b.w, b.h}; };
  std::vector<int> heights, tops, bottoms;
  for (const CharReading& ch : v.chars)
    if (!ch.box.empty()) heights.push_back(ch.box.h);
  if (heights.empty()) return std::nullopt;
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
  const int line_h = heights[heights.size() / 2];
  const auto fits = [&](const ocr::Box& b) { return !b.empty() && b.w * 10 <= line_h * 14; };
  if (fits(v.chars[i].box)) return local(v.chars[i].box);
  for (const CharReading& ch : v.chars)
    if (fits(ch.box)) tops.push_back(ch.box.y), bottoms.push_back(ch.box.y + ch.box.h);
  if (tops.empty()) return std::nullopt;
  std::nth_element(tops.begin(), tops.begin() + tops.size() / 2, tops.end());
  std::nth_element(bottoms.begin(), bottoms.begin() + bottoms.size() / 2, bottoms.end());
  const int top = tops[tops.size() / 2], bottom = bottoms[bottoms.size() / 2];
  // The run of characters without a box that fits, around i: [first, last].
  std::size_t first = i, last = i;
  while (first > 0 && !fits(v.chars[first - 1].box)) --first;
  while (last + 1 < v.chars.size() && !fits(v.chars[last + 1].box)) ++last;
  const int n = static_cast<int>(last - first + 1);
  // A box that is there but does not fit (stretched over a neighbour) leaves where the run's
  // characters are unknown: only characters without any box are cut out this way.
  if (n > 1)
    for (std::size_t j = first; j <= last; ++j)
      if (!v.chars[j].box.empty()) return std::nullopt;
  int left = v.box.x, right = v.box.x + v.box.w;
  if (first > 0) left = v.chars[first - 1].box.x + v.chars[first - 1].box.w;
  if (last + 1 < v.chars.size()) right = v.chars[last + 1].box.x;
  if (right - left < n * line_h / 4) return std::nullopt;
  const int slack = line_h / 6;
  std::optional<ocr::Box> ink = ocr::ink_box_in(zone, local(ocr::Box{left, top - slack, right - left, bottom - top + 2 * slack}));
  if (!ink) return std::nullopt;
  if (n > 1) {
    // The run's ink in runs of inked columns, the two nearest joined until there are as many as
    // characters (a kanji's parts set apart join first; the gap between a family and a given name
    // stays a gap).
    std::vector<ocr::Box> parts = ocr::ink_columns_in(zone, *ink);
    if (static_cast<int>(parts.size()) < n) return std::nullopt;
    while (static_cast<int>(parts.size()) > n) {
      std::size_t at = 0;
      for (std::size_t j = 1; j + 1 < parts.size(); ++j)
        if (parts[j + 1].x - (parts[j].x + parts[j].w) < parts[at + 1].x - (parts[at].x + parts[at].w)) at = j;
      const ocr::Box& a = parts[at];
      const ocr::Box& b = parts[at + 1];
      const int y0 = std::min(a.y, b.y), y1 = std::max(a.y + a.h, b.y + b.h);
      parts[at] = ocr::Box{a.x, y0, b.x + b.w - a.x, y1 - y0};
      parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(at) + 1);
    }
    ink = parts[i - first];
  } else if (ink->w * 10 > ink->h * 13 && (first == 0) != (last + 1 == v.chars.size())) {
    // One character whose ink is wider than a kanji is high holds a neighbour's too: the box beside
    // it lies off its own glyph (木's box 20 px right of its ink, 鈴 read 鐸 over both). At the
    // zone's edge the glyph is the ink from that edge on, cut where its columns are blank, as wide
    // as most of a kanji; between two boxes that do not bound it nothing is known.
    const std::vector<ocr::Box> parts = ocr::ink_columns_in(zone, *ink);
    const int high = ink->h;
    std::optional<ocr::Box> taken;
    const auto join = [](const ocr::Box& a, const ocr::Box& b) {
      const int x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
      return ocr::Box{x0, y0, std::max(a.x + a.w, b.x + b.w) - x0, std::max(a.y + a.h, b.y + b.h) - y0};
    };
    for (std::size_t k = 0; k < parts.size() && (!taken || taken->w * 4 < high * 3); ++k) {
      const ocr::Box& b = first == 0 ? parts[k] : parts[parts.size() - 1 - k];
      taken = taken ? join(*taken, b) : b;
    }
    if (!taken || taken->w >= ink->w) return std::nullopt;
    ink = taken;
  }
  // The engine's heights vary along a line by a third (a box that takes in a neighbour's stroke, or
  // misses one), so the ink found is allowed a little more than the engine's own boxes.
  if (ink->w * 10 > line_h * 16 || ink->h * 2 < line_h) return std::nullopt;
  return ink;
}

// At most this many kanji are weighed for one character of a name: the classifier is trained for
// each set on its first use, and a reading spelt many ways proposes too little.
constexpr std::size_t kMostSpellingsWeighed = 24;

// Whether `read` differs from one of `spellings` in exactly one kanji (same length, kanji for kanji),
// and agrees with it in another: any one kanji is one off any one-kanji name.
bool one_kanji_off(const std::vector<std::string>& spellings, const std::string& read) {
  const std::vector<std::string> r = utf8_characters(read);
  if (r.size() < 2) return false;
  for (const std::string& sp : spellings) {
    const std::vector<std::string> chars = utf8_characters(sp);
    if (chars.size() != r.size()) continue;
    std::size_t differ = 0;
    bool kanji = true;
    for (std::size_t j = 0; j < chars.size(); ++j)
      if (chars[j] != r[j]) {
        ++differ;
        kanji = kanji && is_han(chars[j]) && is_han(r[j]);
      }
    if (differ == 1 && kanji) return true;
  }
  return false;
}

// A name part read far from every spelling of its furigana (a brush hand Tesseract reads kanji by
// kanji wrong: 千牛 for 平井), spelt again from its ink: among the spellings as long as the part
// was read, kanji for kanji where they differ from it, each glyph that any of them puts another
// kanji on is voted by the glyph classifier over the reading's kanji and all theirs there. The one
// spelling whose every kanji that differs from the reading has a clear majority of the glyph's
// votes (and whose kanji it keeps agree with the votes there too) is taken, the engine's kanji
// kept as alternatives, for the clerk to confirm. None, or more than one, leaves the part as read.
// `offset`: the part's first character in `name.chars`; `zone`: the value's zone, ruling removed;
// spellings that differ from the reading in fewer than `min_differ` kanji are not weighed.
bool spelling_by_ink(const ocr::Image& zone, RecognizedValue& name, std::size_t offset,
                     const std::vector<std::string>& read, const std::vector<std::string>& spellings,
                     std::size_t min_differ) {
  constexpr double kMajority = 0.6;
  std::vector<std::vector<std::string>> candidates;
  std::vector<std::vector<std::string>> at(read.size());  // the kanji the candidates put at each glyph
  for (const std::string& sp : spellings) {
    std::vector<std::string> chars = utf8_characters(sp);
    if (chars.size() != read.size()) continue;
    bool ok = true;
    std::size_t differ = 0;
    for (std::size_t j = 0; j < chars.size() && ok; ++j)
      if (chars[j] != read[j]) {
        ++differ;
        ok = is_han(chars[j]) && is_han(read[j]);
      }
    if (!ok || differ < min_differ) continue;
    for (std::size_t j = 0; j < chars.size(); ++j)
      if (std::find(at[j].begin(), at[j].end(), chars[j]) == at[j].end()) at[j].push_back(chars[j]);
    candidates.push_back(std::move(chars));
  }
  if (candidates.empty()) return false;
  std::vector<std::optional<ocr::SymbolVote>> vote(read.size());
  for (std::size_t j = 0; j < read.size(); ++j) {
    if (at[j].size() == 1 && at[j][0] == read[j]) continue;  // every candidate agrees with the reading there
    if (at[j].size() + 1 > kMostSpellingsWeighed) return false;
    const std::optional<ocr::Box> box = glyph_box(zone, name, offset + j);
    if (!box) return false;
    std::vector<std::string> set = at[j];
    if (std::find(set.begin(), set.end(), read[j]) == set.end()) set.push_back(read[j]);
    std::sort(set.begin(), set.end());
    vote[j] = ocr::classify_symbol_at(zone, *box, set);
  }
  const std::vector<std::string>* chosen = nullptr;
  for (const auto& cand : candidates) {
    bool borne = true;
    for (std::size_t j = 0; j < cand.size() && borne; ++j)
      if (vote[j]) borne = vote[j]->symbol == cand[j] && vote[j]->share >= kMajority;
    if (!borne) continue;
    if (chosen != nullptr) return false;  // two spellings the ink bears out alike
    chosen = &cand;
  }
  if (chosen == nullptr) return false;
  for (std::size_t j = 0; j < read.size(); ++j) {
    if ((*chosen)[j] == read[j]) continue;
    CharReading& ch = name.chars[offset + j];
    ch.alternatives.insert(ch.alternatives.begin(), ch.text);
    ch.text = (*chosen)[j];
    ch.confidence = std::min(ch.confidence, kUnsureFreeText);
  }
  return true;
}

// An officer's name read in kanji, checked glyph by glyph against its furigana: where the
// dictionary spells the furigana's family (given) name in ways that differ from the reading in one
// kanji (菊地 or 菊池 for 菊他 by キクチ; 正子, 昌子, 政子, … for 止子 by マサコ), that kanji's glyph
// is voted by the glyph classifier over the reading's kanji and those spellings' (ocr::
// classify_symbol_at, on the page). A unanimous vote for another kanji replaces it, the engine's
// kept as its alternative, and the name is for the clerk to confirm. The furigana only proposes:
// the ink decides, so a furigana misread proposes kanji the ink does not bear out; and only for a
// name the furigana does not read (政子 read for 正子 stays: マサコ reads both). Whether the name
// changed (a kanji, or the gap given back).
bool name_by_furigana(const PageContext& c, RecognizedValue& name, const RecognizedValue& kana) {
  constexpr const char* kGap = "\u3000";
  std::vector<std::string> names = name_parts(name.value);
  const std::vector<std::string> kanas = name_parts(kana.value);
  if (kanas.size() != 2 || kanas[0].empty() || kanas[1].empty()) return false;
  const std::vector<std::string> spellings[2] = {ocr::name_spellings(kanas[0], ocr::NamePart::family),
                                                 ocr::name_spellings(kanas[1], ocr::NamePart::given)};
  const auto spelt = [&](std::size_t part, const std::string& s) {
    return std::find(spellings[part].begin(), spellings[part].end(), s) != spellings[part].end();
  };
  bool split = false;  // the gap given back
  if (names.size() == 1) {
    // Read without its gap: split where exactly one cut leaves a family name the furigana spells,
    // or a given name it spells; the gap is given back whether or not a kanji changes below.
    const std::vector<std::string> all = utf8_characters(names[0]);
    const auto halves = [&](std::size_t cut) {
      std::vector<std::string> out(2);
      for (std::size_t j = 0; j < all.size(); ++j) out[j < cut ? 0 : 1] += all[j];
      return out;
    };
    std::vector<std::size_t> cuts;
    for (std::size_t cut = 1; cut < all.size(); ++cut)
      if (const auto h = halves(cut); spelt(0, h[0]) || spelt(1, h[1])) cuts.push_back(cut);
    // Neither half spelt as read (a kanji misread, and the other part's furigana misread too: 曽橋京
    // beside タカハシ　キヨン): where exactly one cut leaves a half of two or more kanji one kanji off
    // a spelling of its furigana, that cut; the kanji is then voted below.
    if (cuts.empty())
      for (std::size_t cut = 1; cut < all.size(); ++cut)
        if (const auto h = halves(cut); one_kanji_off(spellings[0], h[0]) || one_kanji_off(spellings[1], h[1]))
          cuts.push_back(cut);
    if (cuts.size() != 1) return false;
    names = halves(cuts[0]);
    name.value = names[0] + kGap + names[1];
    split = true;
  }
  if (names.size() != 2 || names[0].empty() || names[1].empty()) return split;
  const std::size_t family_length = utf8_characters(names[0]).size();
  // The value's characters (gaps aside) each with its glyph.
  if (name.chars.size() != family_length + utf8_characters(names[1]).size()) return split;
  // The glyphs are voted on the zone without its ruling (a stroke that touches the cell's edge
  // would otherwise join the whole table), made only where a glyph is voted.
  std::optional<ocr::Image> zone;
  std::size_t offset = 0;
  bool changed = false;
  for (std::size_t k = 0; k < 2; offset += utf8_characters(names[k]).size(), ++k) {
    const std::vector<std::string> read = utf8_characters(names[k]);
    // A name the furigana reads is left alone: the classifier does not tell every pair of kanji
    // alike in outline apart (美 taken for 実) well enough to overrule a spelling the reading bears
    // out.
    if (spelt(k, names[k]) || ocr::match_reading(kanas[k], names[k]).kind == ocr::KanaReadingMatch::Kind::reading)
      continue;
    // For each kanji of the reading, the kanji that spellings one kanji apart have there.
    std::vector<std::vector<std::string>> others(read.size());
    for (const std::string& sp : spellings[k]) {
      const std::vector<std::string> chars = utf8_characters(sp);
      if (chars.size() != read.size()) continue;
      std::size_t differ = 0, at = 0;
      for (std::size_t j = 0; j < chars.size(); ++j)
        if (chars[j] != read[j]) ++differ, at = j;
      if (differ != 1 || !is_han(chars[at]) || !is_han(read[at])) continue;
      if (std::find(others[at].begin(), others[at].end(), chars[at]) == others[at].end()) others[at].push_back(chars[at]);
    }
    std::vector<std::pair<std::size_t, std::string>> votes;  // (character index, the ink's kanji)
    for (std::size_t j = 0; j < read.size(); ++j) {
      if (others[j].empty() || others[j].size() > kMostSpellingsWeighed) continue;
      const CharReading& ch = name.chars[offset + j];
      // Only on the glyph's own ink (glyph_box): a place guessed between the neighbours' glyphs,
      // not cut to the ink between them, gave votes the guess decided (half a kanji voted as
      // another).
      if (ch.text != read[j]) continue;
      if (!zone) zone = ocr::clean_zone(c.page, name.box);
      const std::optional<ocr::Box> box = glyph_box(*zone, name, offset + j);
      if (!box) continue;
      std::vector<std::string> set = others[j];
      set.push_back(read[j]);
      std::sort(set.begin(), set.end());
      const ocr::SymbolVote v = ocr::classify_symbol_at(*zone, *box, set);
      if (!v.symbol.empty() && v.symbol != read[j] && v.share >= 1.0) votes.emplace_back(offset + j, v.symbol);
    }
    // One kanji apart, as the spellings are: a vote on two kanji of one name is no spelling.
    if (votes.size() == 1) {
      CharReading& ch = name.chars[votes[0].first];
      ch.alternatives.insert(ch.alternatives.begin(), ch.text);
      ch.text = votes[0].second;
      ch.confidence = std::min(ch.confidence, kUnsureFreeText);
      changed = true;
      continue;
    }
    if (!votes.empty()) continue;
    if (!zone) zone = ocr::clean_zone(c.page, name.box);
    if (spelling_by_ink(*zone, name, offset, read, spellings[k], 2)) {
      changed = true;
      continue;
    }
    // The furigana misread by a voicing mark (ハルゴ for ハルコ: no spelling fits the ink): the
    // spellings of each kana with one voicing mark otherwise, together, one kanji off included.
    std::vector<std::string> more;
    for (const std::string& variant : voicing_variants(kanas[k]))
      for (std::string& sp : ocr::name_spellings(variant, k == 0 ? ocr::NamePart::family : ocr::NamePart::given))
        if (std::find(more.begin(), more.end(), sp) == more.end()) more.push_back(std::move(sp));
    changed = spelling_by_ink(*zone, name, offset, read, more, 1) || changed;
  }
  if (!changed) return split;
  std::string family, given;
  for (std::size_t i = 0; i < name.chars.size(); ++i) (i < family_length ? family : given) += name.chars[i].text;
  name.value = family + kGap + given;
  name.confidence = std::min(name.confidence, kUnsureFreeText);
  return true;
}

void read_table(const FieldTemplate& f, const PageContext& c, int& next_row,
                std::vector<RecognizedValue>& out) {
  for (int r = 0; r < f.rows; ++r) {
    const double top = f.first_top + r * f.pitch + 0.4, h = f.pitch - 0.8;
    // A row whose name cells are blank is an unused row.
    bool used = false;
    for (const auto& col : f.columns)
      if (col.key == "name" || col.key == "name_kana")
        used = used || ocr::zone_ink(c.page, c.box({col.x, top, col.w, h})) >= kEmptyInk;
    if (!used) continue;
    const std::string prefix = f.key + "[" + std::to_string(next_row++) + "].";
    std::optional<RecognizedValue> era, year, month, day;
    const std::size_t row_start = out.size();
    for (const auto& col : f.columns) {
      FieldTemplate d = f;
      d.length = 0;
      d.max = col.type == "digits" ? 99 : 0;
      // The name is read after its furigana (the template's column order), which it is checked by.
      std::string furigana;
      if (col.key == "name")
        for (std::size_t i = row_start; i < out.size(); ++i)
          if (out[i].key == prefix + "name_kana") furigana = out[i].value;
      RecognizedValue v = read_typed(d, prefix + col.key, col.type, c, c.box({col.x, top, col.w, h}), furigana);
      if (col.key == "birth.era")
        era = v;
      else if (col.key == "birth.year")
        year = v;
      else if (col.key == "birth.month")
        month = v;
      else if (col.key == "birth.day")
        day = v;
      else
        out.push_back(std::move(v));
    }
    RecognizedValue *name = nullptr, *kana = nullptr;
    for (std::size_t i = row_start; i < out.size(); ++i) {
      if (out[i].key == prefix + "name") name = &out[i];
      if (out[i].key == prefix + "name_kana") kana = &out[i];
    }
    if (name != nullptr && kana != nullptr) {
      furigana_by_name(c, *kana, *name);
      // A name spelt again from its ink checks its furigana again (ハルゴ beside 春子: ハルコ).
      if (name_by_furigana(c, *name, *kana)) furigana_by_name(c, *kana, *name);
    }
    if (era && year && month && day) {
      RecognizedValue b = *year;
      b.key = prefix + "birth";
      b.type = "date";
      b.confidence = std::min({era->confidence, year->confidence, month->confidence, day->confidence});
      b.box = ocr::Box{era->box.x, std::min({era->box.y, day->box.y}), day->box.x + day->box.w - era->box.x,
                       std::max(era->box.h, day->box.h)};
      int base = era_base(era->value);
      const int yy = year->value.empty() ? 0 : std::stoi(year->value.substr(0, 3));
      if (yy > 31 && yy <= 64) {
        // Only 昭和 ran past year 31 (平成 ended in 31, 大正 in 15, 令和 is young): the year decides.
        if (base != 1925) b.confidence = std::min({year->confidence, month->confidence, day->confidence});
        base = 1925;
      } else if (base == 0 && yy >= 1) {
        // Era unread: an officer is an adult, so 平成 only up to about year 19; later years are
        // 昭和. A guess for the clerk to confirm, never certain.
        base = yy <= 19 ? 1988 : 1925;
        b.confidence = std::min(b.confidence, 0.5);
      } else if (base != 0 && (era->confidence < 0.9)) {
        b.confidence = std::min(b.confidence, 0.6);
      }
      if (base == 0 || year->value.empty() || month->value.empty() || day->value.empty()) {
        b.value = "";
        b.confidence = 0;
      } else {
        const int y = base + std::stoi(year->value), m = std::stoi(month->value), d = std::stoi(day->value);
        if (!valid_date(y, m, d)) b.confidence = std::min(b.confidence, 0.2);
        b.value = iso(y, std::clamp(m, 1, 12), std::clamp(d, 1, 31));
      }
      out.push_back(std::move(b));
    }
  }
}

}  // namespace

namespace {

bool overlaps(const ZoneMm& a, const ZoneMm& b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

// What a seal's zone holds besides a seal, page px: the blank form's marks the template names
// (the printed 印), the ruled lines of the form's model that cross the zone, and the zones of
// the form's other fields it overlaps (a long name may reach into it).
std::vector<ocr::Box> seal_exclusions(const FormTemplate& t, const FieldTemplate& f, const PageContext& c) {
  std::vector<ocr::Box> out;
  for (const auto& z : f.printed) out.push_back(c.box(z));
  constexpr double kLine = 0.4;  // mm, a ruled line's thickness with its anti-aliasing
  for (const auto& l : t.model.horizontal) {
    const ZoneMm z{l.from, l.pos - kLine / 2, l.to - l.from, kLine};
    if (overlaps(z, f.zone)) out.push_back(c.box(z));
  }
  for (const auto& l : t.model.vertical) {
    const ZoneMm z{l.pos - kLine / 2, l.from, kLine, l.to - l.from};
    if (overlaps(z, f.zone)) out.push_back(c.box(z));
  }
  for (const auto& other : t.fields)
    if (&other != &f && other.zone.w > 0 && overlaps(other.zone, f.zone)) out.push_back(c.box(other.zone));
  return out;
}

}  // namespace

void read_form(const FormTemplate& t, const PageContext& c, int& officer_row,
               std::vector<RecognizedValue>& out) {
  for (const auto& f : t.fields) {
    if (f.type == "date")
      out.push_back(read_date(f, c));
    else if (f.type == "comb")
      out.push_back(read_comb(f, c));
    else if (f.type == "checkbox_group")
      out.push_back(read_group(f, c));
    else if (f.type == "checkbox") {
      const auto r = ocr::read_checkbox(c.page, c.box(f.zone));
      RecognizedValue v = make(f, f.key, c, r.checked ? "true" : "false", r.confidence, r.box);
      v.boolean = true;
      out.push_back(std::move(v));
    } else if (f.type == "seal") {
      const auto r = ocr::detect_seal(c.page, c.box(f.zone), seal_exclusions(t, f, c));
      RecognizedValue v = make(f, f.key, c, r.present ? "true" : "false", r.confidence, r.box);
      v.boolean = true;
      out.push_back(std::move(v));
    } else if (f.type == "table") {
      read_table(f, c, officer_row, out);
    } else {
      out.push_back(read_typed(f, f.key, f.type, c, c.box(f.zone)));
    }
  }
  // A furigana and the name it reads, both on this page.
  const auto find = [&](const std::string& key) {
    const auto it = std::find_if(out.begin(), out.end(), [&](const RecognizedValue& v) { return v.key == key && v.page == c.index; });
    return it == out.end() ? nullptr : &*it;
  };
  for (const auto& f : t.fields)
    if (!f.furigana_of.empty())
      if (RecognizedValue *kana = find(f.key), *name = find(f.furigana_of); kana != nullptr && name != nullptr)
        furigana_by_name(c, *kana, *name);
}

}  // namespace station::recognition::detail
