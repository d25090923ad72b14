// Passbook copies have no fixed layout: the page is read as a whole, line by line, and values are
// found by what the lines say and where they sit (the title is the largest bank name; the holder
// is the line under お名前; the branch follows the bank on the お取引店 line).
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <optional>
#include <string_view>

#include "ocr/digits.h"
#include "ocr/layout.h"
#include "readers.h"
#include "text_repair.h"

namespace station::recognition::detail {
namespace {

// Half-width voiced marks read as separate signs (ﾊﾞ → "ハ゛") joined to their kana (バ).
std::string join_voiced_marks(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  icu::UnicodeString out;
  for (int32_t i = 0; i < u.length(); ++i) {
    const char16_t ch = u.charAt(i);
    const bool voiced = ch == 0x309B || ch == 0xFF9E, semi = ch == 0x309C || ch == 0xFF9F;
    if (voiced || semi) {
      while (out.length() > 0 && out.charAt(out.length() - 1) == ' ') out.remove(out.length() - 1);
      out.append(static_cast<char16_t>(voiced ? 0x3099 : 0x309A));
    } else {
      out.append(ch);
    }
  }
  UErrorCode st = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(st);
  if (U_SUCCESS(st) && nfc != nullptr) out = nfc->normalize(out, st);
  std::string r;
  out.toUTF8String(r);
  return r;
}

// A half-width kana line read without its voicing marks, put together again: each mark follows the
// glyph whose middle lies before it; a gap wider than 0.4 of the text's height is a space.
std::string kana_with_marks(const std::vector<ocr::Glyph>& glyphs, const ocr::SplitLine& split) {
  std::string out;
  std::size_t next_mark = 0;
  for (std::size_t i = 0; i < glyphs.size(); ++i) {
    const ocr::Box& g = glyphs[i].box;
    if (i > 0) {
      const ocr::Box& p = glyphs[i - 1].box;
      if (g.x - (p.x + p.w) > split.text_height * 4 / 10) out += ' ';
    }
    out += glyphs[i].text;
    const int end =
        i + 1 < glyphs.size() ? glyphs[i + 1].box.x + glyphs[i + 1].box.w / 2 : split.line.width() + 1;
    for (; next_mark < split.marks.size() && split.marks[next_mark].x < end; ++next_mark)
      if (split.marks[next_mark].x >= g.x + g.w / 2) {
        out += voicing_mark_after(glyphs[i].text, split.marks[next_mark].semi);
        if (split.marks[next_mark].space_after) out += ' ';
      }
  }
  return join_voiced_marks(out);
}

// The same line read piece by piece: cut at each voicing mark, a piece read alone ends with the
// glyph its mark belongs to, whatever boxes the engine gives its glyphs (a stretched line's boxes
// may span several glyphs or none). `confidence` is the pieces' mean. Empty without marks.
std::string kana_by_pieces(const PageContext& c, const ocr::SplitLine& split, const ocr::ZoneSpec& spec,
                           double& confidence) {
  confidence = 0;
  if (split.marks.empty() || split.line.empty()) return "";
  std::string out;
  double sum = 0;
  int n = 0, x0 = 0;
  for (std::size_t k = 0; k <= split.marks.size(); ++k) {
    const int x1 = k < split.marks.size() ? split.marks[k].x : split.line.width();
    // A piece narrower than a third of the text's height holds no glyph.
    if (x1 - x0 >= std::max(2, split.text_height / 3)) {
      ocr::ZoneSpec piece = spec;
      piece.glyphs = false;
      if (auto r = c.engine.read(split.line, ocr::Box{x0, 0, x1 - x0, split.line.height()}, piece)) {
        std::string t = find_re(ocr::normalize_nfkc(r->text), "^\\s*(.*?)\\s*$", 1);
        if (!t.empty()) {
          out += t;
          sum += r->confidence;
          ++n;
        }
      }
    }
    if (k < split.marks.size() && !out.empty()) {
      const icu::UnicodeString u = icu::UnicodeString::fromUTF8(out);
      std::string last;
      u.tempSubStringBetween(u.moveIndex32(u.length(), -1)).toUTF8String(last);
      out += voicing_mark_after(last, split.marks[k].semi);
      if (split.marks[k].space_after) out += ' ';
    }
    x0 = x1;
  }
  confidence = n > 0 ? sum / n : 0;
  return join_voiced_marks(out);
}

// Each digit of a number the engine read on `img`, voted by the font-independent classifier on its
// own ink (ocr::classify_line_digits), as on the application's numeric lines: the band of the run's
// glyphs is cut out between its neighbours (a label's last character, a mark after it), so that
// only the number's characters are split and paired with the engine's glyphs. Where a digit is
// placed and the classifier unanimous, its digit is taken (it read every placed digit of the
// development seed's numeric lines right; Tesseract confuses 6/8/0/9 and 3/5 in some faces);
// elsewhere Tesseract's `digits` stay. Empty when the run cannot be placed.
std::string digits_on_own_ink(const ocr::Image& img, const std::vector<ocr::Glyph>& glyphs, std::size_t first,
                              const std::string& digits) {
  if (digits.empty() || first + digits.size() > glyphs.size()) return "";
  // The line's middle and the digits' height from the run's boxes' medians: one box may be twice
  // the glyph's height or reach back over the label.
  std::vector<int> mids, heights;
  for (std::size_t j = 0; j < digits.size(); ++j) {
    const ocr::Box& b = glyphs[first + j].box;
    if (b.w < 1 || b.h < 1) return "";
    mids.push_back(b.y + b.h / 2);
    heights.push_back(b.h);
  }
  std::nth_element(mids.begin(), mids.begin() + static_cast<std::ptrdiff_t>(mids.size() / 2), mids.end());
  std::nth_element(heights.begin(), heights.begin() + static_cast<std::ptrdiff_t>(heights.size() / 2), heights.end());
  const int mid = mids[mids.size() / 2], h = heights[heights.size() / 2];
  if (h < 4) return "";
  const ocr::Box& a = glyphs[first].box;
  const ocr::Box& z = glyphs[first + digits.size() - 1].box;
  int left = a.x - h, right = z.x + z.w + h;
  if (first > 0) {
    const ocr::Box& p = glyphs[first - 1].box;
    if (p.w > 0) left = std::max(left, std::min(a.x, p.x + p.w));
  }
  if (first + digits.size() < glyphs.size()) {
    const ocr::Box& n = glyphs[first + digits.size()].box;
    if (n.w > 0) right = std::min(right, std::max(z.x + z.w, n.x));
  }
  left = std::max(0, left);
  right = std::min(img.width(), right);
  const int top = std::max(0, mid - h * 3 / 4), bottom = std::min(img.height(), mid + h * 3 / 4);
  if (right - left < 4 || bottom - top < 4) return "";
  const ocr::Image band = img.crop(ocr::Box{left, top, right - left, bottom - top});
  const std::vector<ocr::DigitVote> own = ocr::classify_run_digits(band, static_cast<int>(digits.size()));
  if (own.size() != digits.size()) return "";
  std::string out = digits;
  for (std::size_t j = 0; j < digits.size(); ++j)
    if (own[j].digit != '?' && own[j].share >= 1.0) out[j] = own[j].digit;
  return out;
}

// A passbook row on the largest image the page keeps: the scanned one where it is larger than the
// working one, else (or with `scanned` false) the working one; `box` is `row_box` (working px) on
// it, clipped to it.
struct RowImage {
  const ocr::Image* image;
  ocr::Box box;
  bool larger;
};
RowImage row_image(const PageContext& c, ocr::Box row_box, bool scanned = true) {
  const bool larger = scanned && c.full != nullptr && c.full->width() > c.page.width();
  const ocr::Image& img = larger ? *c.full : c.page;
  const double k = img.width() / static_cast<double>(c.page.width());
  ocr::Box at{static_cast<int>(row_box.x * k), static_cast<int>(row_box.y * k), static_cast<int>(row_box.w * k),
              static_cast<int>(row_box.h * k)};
  at.x = std::max(0, at.x), at.y = std::max(0, at.y);
  at.w = std::min(img.width() - at.x, at.w), at.h = std::min(img.height() - at.y, at.h);
  return {&img, at, larger};
}

// The one run of exactly `length` digits in a row's reading (runs apart by anything but a digit),
// where its label was misread (口座番号 read "eS"): the row prints its numbers at lengths of their
// own (a 3-digit branch, a 7-digit account), so the run is the number. Empty when there is not
// exactly one.
std::string only_run_of(const std::string& text, int length) {
  std::vector<std::string> runs(1);
  for (char ch : text) {
    if (ch >= '0' && ch <= '9')
      runs.back() += ch;
    else if (!runs.back().empty())
      runs.emplace_back();
  }
  std::string found;
  int count = 0;
  for (const std::string& run : runs)
    if (static_cast<int>(run.size()) == length) found = run, ++count;
  return count == 1 ? found : std::string{};
}

// The one word of a row's reading (words apart by spaces) that is exactly `length` digits, where
// the label was misread: stricter than only_run_of, since a number misread in pieces ("/000/22"
// for 7000722) holds runs of any length. Empty when there is not exactly one.
std::string only_word_of(const std::string& text, int length) {
  std::string found, word;
  int count = 0;
  const auto end_word = [&]() {
    if (static_cast<int>(word.size()) == length && word.find_first_not_of("0123456789") == std::string::npos)
      found = word, ++count;
    word.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n') { end_word(); ++i; continue; }
    if (text.compare(i, 3, "\u3000") == 0) { end_word(); i += 3; continue; }
    word += text[i++];
  }
  end_word();
  return count == 1 ? found : std::string{};
}

// A passbook number read again at the scanned resolution, its 0s, 6s, 8s and 9s told apart by
// their holes: in a condensed print a leading 0 reads as 9 or 6 (店番 906 for 006), at 200 dpi and
// at the scanned resolution alike. `row_box` is in the working image's px. Empty without a full
// image or where the row does not give a number of `length` digits. `voted`: the same reading's
// digits voted on their own ink (digits_on_own_ink), on the working image when there is no larger
// one; empty when they cannot be placed. `japanese`: the row's reading by the Japanese model alone,
// where one was made (for digits_after_label).
std::string digits_by_shape(const PageContext& c, ocr::Box row_box, const std::string& pattern, int length,
                            std::string& voted, std::optional<ocr::Reading>& japanese) {
  voted.clear();
  japanese.reset();
  if (length <= 0) return "";
  // At the scanned resolution first (the holes are counted there); where the row read there does
  // not give the number (a large print's 8026852 read "00Z06 っ 2"), at the working resolution the
  // page was read at, for the vote on the digits' own ink.
  std::vector<RowImage> rows = {row_image(c, row_box)};
  if (rows.front().larger) rows.push_back(row_image(c, row_box, false));
  for (const RowImage& row : rows) {
    const ocr::Image& img = *row.image;
    const ocr::Box& at = row.box;
    const bool larger = row.larger;
    if (at.w < 1 || at.h < 1) continue;
    // With the English model beside the Japanese one first (lone leading digits), then by the
    // Japanese one alone (the English one may claim the printed label: 店番 read "ae").
    std::optional<ocr::Reading> r;
    std::string digits;
    for (const char* languages : {"", "jpn"}) {
      ocr::ZoneSpec spec;
      spec.glyphs = true;
      spec.languages = languages;
      auto one = c.engine.read(img, at, spec);
      if (!one) continue;
      // The first image's (digits_after_label places its glyphs on the row's largest image).
      if (spec.languages == "jpn" && &row == &rows.front()) japanese = *one;
      digits = find_re(strip_spaces(ocr::normalize_nfkc(one->text)), pattern.c_str(), 1);
      // The label misread (口座番号 read 座番号 or "HBSS"): the row's one word of the number's length.
      if (digits.empty()) digits = only_word_of(ocr::normalize_nfkc(one->text), length);
      if (static_cast<int>(digits.size()) == length) {
        r = std::move(*one);
        break;
      }
    }
    if (!r) continue;
    std::vector<std::string> texts;
    for (const auto& g : r->glyphs) texts.push_back(ocr::normalize_nfkc(g.text));
    for (std::size_t i = 0; i + digits.size() <= texts.size(); ++i) {
      bool match = true;
      for (std::size_t j = 0; j < digits.size() && match; ++j)
        match = texts[i + j] == std::string(1, digits[j]);
      if (match && i + digits.size() < texts.size()) match = digits_of(texts[i + digits.size()]).empty();
      if (match && i > 0) match = digits_of(texts[i - 1]).empty();
      if (!match) continue;
      std::string out = digits;
      for (std::size_t j = 0; larger && j < digits.size(); ++j) {
        if (std::string_view("0689").find(out[j]) == std::string_view::npos) continue;
        if (const auto d = ocr::digit_by_holes(*c.full, r->glyphs[i + j].box)) out[j] = *d;
      }
      // A digit the classifier is not unanimous on keeps the holes' reading.
      voted = digits_on_own_ink(img, r->glyphs, i, out);
      return larger ? out : "";
    }
  }
  return "";
}

// A regular expression for `label` (UTF-8) read with any one character wrong: 店番 → (?:.番|店.).
std::string fuzzy_label(const std::string& label) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(label);
  std::string out = "(?:";
  for (int32_t i = 0; i < u.length(); ++i) {
    if (i > 0) out += "|";
    std::string before, after;
    u.tempSubStringBetween(0, i).toUTF8String(before);
    u.tempSubStringBetween(i + 1).toUTF8String(after);
    out += before + "." + after;
  }
  return out + ")";
}

}  // namespace

// The number after its label read from the row's own ink, where no reading of the row gives a
// number of `length` digits (a 7 read "/", a 5 read "っ" or lost): in the row's reading by the
// Japanese model with glyphs (`japanese`, as digits_by_shape made it; read here when null), the
// label found by its last two characters, and the band from the label to the next kanji (the next
// label) or the row's end split by its ink (ocr::classify_run_digits: specks off the middle row
// and a ruled line beside it left out). Only exactly `length` characters, the classifier
// unanimous on each, make the number. First, the row's ink from where the label's last glyph
// begins: that box may lie over the number's first digit, and the band after it cut that digit
// or leave it out.
std::string digits_after_label(const PageContext& c, ocr::Box row_box, const std::vector<std::string>& labels,
                               int length, const ocr::Reading* japanese) {
  if (length <= 0) return "";
  const RowImage row = row_image(c, row_box);
  const ocr::Image& img = *row.image;
  const ocr::Box& at = row.box;
  if (at.w < 8 || at.h < 8) return "";
  std::optional<ocr::Reading> read_here;
  if (japanese == nullptr) {
    ocr::ZoneSpec spec;
    spec.glyphs = true;
    spec.languages = "jpn";
    auto got = c.engine.read(img, at, spec);
    if (!got) return "";
    read_here = std::move(*got);
    japanese = &*read_here;
  }
  const ocr::Reading* r = japanese;
  std::vector<std::string> texts;
  for (const auto& g : r->glyphs) texts.push_back(strip_spaces(ocr::normalize_nfkc(g.text)));
  for (const std::string& label : labels) {
    const std::vector<std::string> lc = utf8_characters(label);
    if (lc.size() < 2) continue;
    for (std::size_t i = 1; i < texts.size(); ++i) {
      if (texts[i] != lc.back() || texts[i - 1] != lc[lc.size() - 2]) continue;
      // The band: after the label's last glyph up to the next kanji or the row's end.
      const ocr::Box& end = r->glyphs[i].box;
      int right = at.x + at.w;
      for (std::size_t j = i + 1; j < texts.size(); ++j)
        if (is_han(texts[j])) {
          right = std::min(right, r->glyphs[j].box.x);
          break;
        }
      const int left = end.x + end.w + 1;
      if (right - left < 8) continue;
      const ocr::Image band = img.crop(ocr::Box{left, at.y, right - left, at.h});
      // The band's characters by their own ink, from where the label's last glyph begins (its box
      // may reach over the number's first digit: 号 boxed over the 5 after it, the band cut through
      // the 5; or its box lagging a glyph, wholly over the 5): the last `length` characters, each a
      // digit as high as the band's tallest and the classifier unanimous on it, after a character
      // that is no such digit (the label's) or none.
      if (end.x < left) {
        std::vector<ocr::InkCharacter> ink = ocr::ink_characters(img.crop(ocr::Box{end.x, at.y, right - end.x, at.h}));
        int tall = 0;
        for (const ocr::InkCharacter& ch : ink) tall = std::max(tall, ch.box.h);
        std::erase_if(ink, [&](const ocr::InkCharacter& ch) { return ch.box.h * 4 < tall && ch.box.w * 4 < tall; });
        const auto digit = [&](const ocr::InkCharacter& ch) {
          return ch.box.h * 10 >= tall * 6 && ch.box.w <= ch.box.h && ch.vote.digit != '?' && ch.vote.share >= 1.0;
        };
        // A digit before the number is as high as its digits and as wide as a narrow one of them (a
        // stroke of the label cut off at its glyph's box is neither).
        const auto digit_before = [&](const ocr::InkCharacter& ch) {
          std::vector<int> widths;
          for (std::size_t k = ink.size() - static_cast<std::size_t>(length); k < ink.size(); ++k) widths.push_back(ink[k].box.w);
          std::sort(widths.begin(), widths.end());
          return digit(ch) && ch.box.h * 10 >= tall * 9 && ch.box.w * 10 >= widths[widths.size() / 2] * 6;
        };
        if (static_cast<int>(ink.size()) == length ||
            (static_cast<int>(ink.size()) > length && !digit_before(ink[ink.size() - static_cast<std::size_t>(length) - 1]))) {
          std::string out;
          for (std::size_t k = ink.size() - static_cast<std::size_t>(length); k < ink.size(); ++k)
            if (digit(ink[k])) out += ink[k].vote.digit;
          if (static_cast<int>(out.size()) == length) return out;
        }
      }
      const std::vector<ocr::DigitVote> votes = ocr::classify_run_digits(band, length);
      if (static_cast<int>(votes.size()) != length) continue;
      std::string out;
      for (const ocr::DigitVote& v : votes)
        if (v.digit != '?' && v.share >= 1.0) out += v.digit;
      if (static_cast<int>(out.size()) == length) return out;
    }
  }
  return "";
}

namespace {

// What a reading's lines show of the print every passbook has: how many of its words (its account
// kind, the お取引店 label, a bank's name, the labels of its numbers), and whether it lacks what the
// passbook reader needs (the bank named twice over, by the title and the お取引店 line; the
// account kind).
struct PrintSeen {
  int words = 0;
  bool lacking = false;
};
PrintSeen print_seen(const std::vector<ocr::TextLine>& lines) {
  std::string flat;
  int banks = 0;
  for (const auto& l : lines) {
    flat += strip_spaces(l.text) + "\n";
    if (bank_mention(l.text)) ++banks;
  }
  PrintSeen seen;
  seen.words = keyword_hits(flat) + banks;
  for (const char* k : {"普通", "当座", "取引店"})
    if (flat.find(k) != std::string::npos) ++seen.words;
  bool exact = false;
  seen.lacking = banks < 2 || account_type_in(flat, exact).empty() || !exact;
  return seen;
}

// The passbook's print read again at 300 dpi (from the scan where it is larger, else scaled up), on
// its flattened background: a small face on a heavy or black-and-white scan loses at 200 dpi what
// the whole-page reading needs. The extent read is every line the first reading found, with a
// margin; the lines come back in `c.page`'s pixels.
std::vector<ocr::TextLine> reread_print(const PageContext& c, const std::vector<ocr::TextLine>& lines) {
  if (lines.empty()) return {};
  int x0 = c.page.width(), y0 = c.page.height(), x1 = 0, y1 = 0;
  for (const auto& l : lines) {
    x0 = std::min(x0, l.box.x), y0 = std::min(y0, l.box.y);
    x1 = std::max(x1, l.box.x + l.box.w), y1 = std::max(y1, l.box.y + l.box.h);
  }
  const int mx = (x1 - x0) / 10 + 8, my = (y1 - y0) / 10 + 8;
  x0 = std::max(0, x0 - mx), y0 = std::max(0, y0 - my);
  x1 = std::min(c.page.width(), x1 + mx), y1 = std::min(c.page.height(), y1 + my);
  if (x1 - x0 < 16 || y1 - y0 < 16) return {};
  const RowImage region = row_image(c, ocr::Box{x0, y0, x1 - x0, y1 - y0});
  ocr::Image crop = region.image->crop(region.box);
  if (crop.empty()) return {};
  const int dpi = region.image->dpi() > 0 ? region.image->dpi() : 300;
  if (dpi > 300) crop = crop.resized_to_width(std::max(1, crop.width() * 300 / dpi));
  crop = ocr::flatten_background(crop);
  ocr::ZoneSpec spec;
  spec.layout = ocr::ZoneLayout::kAuto;
  spec.languages = "jpn";
  spec.upscale_to_dpi = 300;
  auto r = c.engine.read(crop, ocr::Box{0, 0, crop.width(), crop.height()}, spec);
  if (!r) return {};
  // Crop pixels back to the page's.
  const double back = static_cast<double>(x1 - x0) / crop.width();
  std::vector<ocr::TextLine> out = r->lines;
  for (auto& l : out) {
    l.text = ocr::normalize_nfkc(l.text);
    l.box = ocr::Box{x0 + static_cast<int>(l.box.x * back), y0 + static_cast<int>(l.box.y * back),
                     static_cast<int>(l.box.w * back), static_cast<int>(l.box.h * back)};
  }
  return out;
}

// The account kind where a passbook prints it, the line under its bank's name (千葉銀行 /
// 普通預金通帳), read alone: read with the rest of the page, it can join the line beside it across
// the spread (the お取引店 column) and come out garbled. Three bands, the first that names a kind
// wins ("" when none does):
// - from the title (`title`, the bank's name in its largest face) down three of its heights, as
//   wide as six of its characters, read as a block (the kind's line may stand a line's height under
//   the title, and the title's box may hold the kind's line too);
// - above the holder's label (`holder_label`, お名前), nine of its heights: where the page-level
//   reading lost the title, or took the お取引店 line for it;
// - under the title alone, its main line read as a raw line: given the title's large face above a
//   smaller one and a line cut by the band's foot, the block's layout analysis can drop the
//   smaller line altogether (a Mincho 普通預金通帳 came back as its bank's name alone; a single-line
//   reading of the same clean line came back empty, a raw line's whole).
// Each band is read with a margin of white: cropped tight, the same lines read empty.
std::string account_type_under(const PageContext& c, const ocr::Box* title, const ocr::Box* holder_label) {
  const auto kind_in = [&](const ocr::Image& image, ocr::Box box, ocr::ZoneLayout layout) -> std::string {
    if (box.w < 8 || box.h < 8) return "";
    ocr::ZoneSpec spec;
    spec.layout = layout;
    spec.border = std::max(10, image.dpi() / 10);
    spec.languages = "jpn";
    spec.upscale_to_dpi = 300;
    auto r = c.engine.read(image, box, spec);
    bool exact = false;
    return r ? account_type_in(strip_spaces(ocr::normalize_nfkc(r->text)), exact) : std::string{};
  };
  const int h = title != nullptr ? title->h : 0;
  if (h >= 4) {
    const RowImage band = row_image(c, ocr::Box{title->x - h / 2, title->y - h / 2, h * 7, h * 4});
    if (std::string kind = kind_in(*band.image, band.box, ocr::ZoneLayout::kBlock); !kind.empty()) return kind;
  }
  if (holder_label != nullptr && holder_label->h >= 4) {
    const int lh = holder_label->h;
    const RowImage band = row_image(c, ocr::Box{holder_label->x - lh, holder_label->y - 9 * lh, 20 * lh, 9 * lh - lh / 4});
    if (std::string kind = kind_in(*band.image, band.box, ocr::ZoneLayout::kBlock); !kind.empty()) return kind;
  }
  if (h < 4) return "";
  const RowImage under = row_image(c, ocr::Box{title->x - h / 2, title->y + title->h + h / 10, h * 7, h * 3});
  if (under.box.w < 8 || under.box.h < 8) return "";
  const ocr::PreparedZone line = ocr::prepare_zone(*under.image, under.box, true);
  if (line.image.empty()) return "";
  return kind_in(line.image, ocr::Box{0, 0, line.image.width(), line.image.height()}, ocr::ZoneLayout::kRawLine);
}


}  // namespace

void read_passbook(const FormTemplate& t, const PageContext& c, const ocr::Reading& page,
                   std::vector<RecognizedValue>& out) {
  const ocr::Box all{0, 0, c.page.width(), c.page.height()};
  // Values found by pattern on a page-level reading are never certain: the clerk checks them.
  auto capped = [](double conf) { return std::min(conf, 0.85); };
  std::vector<ocr::TextLine> lines = page.lines;
  for (auto& l : lines) l.text = ocr::normalize_nfkc(l.text);
  if (const PrintSeen first = print_seen(lines); first.lacking)
    if (auto again = reread_print(c, lines); print_seen(again).words > first.words) lines = std::move(again);
  const ocr::TextLine* title = nullptr;
  std::optional<BankMention> title_bank;
  for (const auto& l : lines)
    if (auto m = bank_mention(l.text); m && (title == nullptr || l.box.h > title->box.h)) {
      title = &l;
      title_bank = m;
    }
  const ocr::TextLine* after_label = nullptr;  // the line under a label, for the holder
  auto line_under = [&](const char* label) -> const ocr::TextLine* {
    const ocr::TextLine* lab = nullptr;
    for (const auto& l : lines)
      if (strip_spaces(l.text).find(label) != std::string::npos) {
        lab = &l;
        break;
      }
    if (lab == nullptr) return nullptr;
    const ocr::TextLine* best = nullptr;
    for (const auto& l : lines) {
      if (&l == lab || l.box.y < lab->box.y + lab->box.h / 2) continue;
      const bool overlaps =
          l.box.x < lab->box.x + std::max(lab->box.w, l.box.w) && l.box.x + l.box.w > lab->box.x - lab->box.w;
      if (overlaps && (best == nullptr || l.box.y < best->box.y)) best = &l;
    }
    return best;
  };
  std::string flat;
  for (const auto& l : lines) flat += strip_spaces(l.text) + "\n";
  // The holder's label (お名前): the account kind's line stands above it.
  const ocr::Box* holder_label = nullptr;
  for (const auto& f : t.fields)
    if (f.type == "holder_kana")
      for (const auto& label : f.labels)
        for (const auto& l : lines)
          if (holder_label == nullptr && strip_spaces(l.text).find(label) != std::string::npos) holder_label = &l.box;
  for (const auto& f : t.fields) {
    std::string v;
    double conf = 0;
    ocr::Box box = all;
    std::vector<std::string> readings;
    if ((f.type == "bank_name" || f.type == "bank_kind") && title != nullptr) {
      v = f.type == "bank_name" ? title_bank->name : title_bank->kind;
      conf = capped(title->confidence);
      box = title->box;
      // The passbook names its bank twice (the title, the お取引店 line): both are candidates.
      for (const auto& l : lines)
        if (auto m = bank_mention(l.text); m && &l != title)
          readings.push_back(f.type == "bank_name" ? m->name : m->kind);
      // Two mentions that say otherwise: neither is sure.
      for (const std::string& r : readings)
        if (r != v) conf = std::min(conf, kUnsureFreeText);
    } else if (f.type == "branch_name") {
      // "お取引店" then "<bank> <branch>"; else a line naming a 支店.
      const ocr::TextLine* trade_line = line_under("取引店");
      if (const ocr::TextLine* l = trade_line) {
        if (auto m = bank_mention(l->text)) {
          v = m->rest;
          conf = capped(l->confidence);
          box = l->box;
        }
      }
      // The line naming a 支店 (or 営業部, 出張所) on its own is a second candidate. The engine
      // takes 支 for 文 in some faces (佐倉文店): a word no passbook prints, so it is read as 支店.
      std::string named =
          find_re(flat, "(?:^|\\n)([\\p{Han}\\p{Katakana}\\p{Hiragana}]{1,10}?(?:[支文]店|出張所|営業部))\\n", 1);
      if (v.empty()) {
        v = named.empty() ? find_re(flat, "([\\p{Han}\\p{Katakana}\\p{Hiragana}]{1,10}?(?:支店|出張所|営業部))", 1) : named;
        conf = v.empty() ? 0 : 0.6;
        if (v == named && v.ends_with("文店")) conf = std::min(conf, kUnsureFreeText);
      }
      else if (!named.empty())
        readings.push_back(named);
      // The branch's name as the application writes it: without 支店 (営業部 is part of a name:
      // 本店営業部); a line that names the bank before its branch (千葉銀行本店営業部): the branch is
      // what follows.
      const auto branch_part = [](std::string name) {
        if (auto m = bank_mention(name); m && !m->rest.empty()) name = m->rest;
        for (const char* suffix : {"支店", "文店", "出張所", "支所"})
          if (name.size() > std::string(suffix).size() && name.ends_with(suffix))
            name.erase(name.size() - std::string(suffix).size());
        return name;
      };
      v = branch_part(v);
      if (!readings.empty()) readings.back() = branch_part(readings.back());
      // The lines that name the branch (the お取引店 line, the 支店 line) read again each alone, at
      // the scanned resolution: what they say are candidates the application's branch may agree
      // with (the page-level reading took a Mincho 橋 for 槍 on both lines).
      for (const auto& l : lines) {
        const std::string text = strip_spaces(l.text);
        if (&l != trade_line && find_re(text, "([\\p{Han}\\p{Katakana}\\p{Hiragana}]{1,10}?(?:[支文]店|出張所|営業部))$", 1).empty())
          continue;
        const int m = std::max(4, l.box.h / 3);
        const RowImage row = row_image(c, ocr::Box{l.box.x - m, l.box.y - m, l.box.w + 2 * m, l.box.h + 2 * m});
        if (row.box.w < 8 || row.box.h < 8) continue;
        for (const char* model : {"jpn", ocr::kSecondJapaneseModel}) {
          if (!c.engine.has_language(model)) continue;
          ocr::ZoneSpec spec;
          spec.languages = model;
          spec.border = std::max(10, row.image->dpi() / 10);
          if (model != std::string("jpn")) spec.upscale_to_dpi = 400;
          auto r = c.engine.read(*row.image, row.box, spec);
          if (!r) continue;
          const std::string again = branch_part(strip_spaces(ocr::normalize_nfkc(r->text)));
          if (!again.empty() && again != v && std::find(readings.begin(), readings.end(), again) == readings.end())
            readings.push_back(again);
        }
      }
    } else if (f.type == "account_type") {
      bool exact = false;
      v = account_type_in(flat, exact);
      conf = v.empty() ? 0 : exact ? capped(page.confidence) : 0.6;
      if (v.empty() || !exact)
        if (std::string under = account_type_under(c, title != nullptr ? &title->box : nullptr, holder_label);
            !under.empty()) {
          v = std::move(under);
          conf = 0.6;
        }
    } else if (f.type == "labelled_digits") {
      // The number after its label on the label's row. The page-level reading may split a row
      // (店番 104 | 口座番号 | 3278805): the row is every line whose middle lies within the label
      // line's height, left to right.
      const std::string number = "([0-9]{" + std::to_string(f.length) + "})(?![0-9])";
      auto try_row = [&](const ocr::TextLine& l, const std::string& pattern) {
        std::vector<const ocr::TextLine*> row;
        for (const auto& o : lines) {
          const int mid = o.box.y + o.box.h / 2;
          if (mid >= l.box.y && mid <= l.box.y + l.box.h) row.push_back(&o);
        }
        std::sort(row.begin(), row.end(),
                  [](const ocr::TextLine* a, const ocr::TextLine* b) { return a->box.x < b->box.x; });
        std::string joined;
        int x0 = l.box.x, y0 = l.box.y, x1 = l.box.x + l.box.w, y1 = l.box.y + l.box.h;
        for (const ocr::TextLine* o : row) {
          joined += strip_spaces(o->text);
          x0 = std::min(x0, o->box.x), y0 = std::min(y0, o->box.y);
          x1 = std::max(x1, o->box.x + o->box.w), y1 = std::max(y1, o->box.y + o->box.h);
        }
        // The row again, alone and with the English model beside the Japanese one: the page-level
        // reading by jpn alone misreads lone leading zeros (006 → 906).
        ocr::ZoneSpec spec;
        const int m = std::max(4, (y1 - y0) / 3);
        const ocr::Box row_box{x0 - m, y0 - m, x1 - x0 + 2 * m, y1 - y0 + 2 * m};
        auto r = c.engine.read(c.page, row_box, spec);
        // Four readings of the number: the row alone, the page's lines, the row at the scanned
        // resolution with 0, 6, 8 and 9 told apart by their holes, and that reading's digits voted
        // on their own ink; the vote first, then the holes. All are kept as candidates (the
        // application's number picks among them); where they differ, none is sure.
        std::string alone = r ? find_re(strip_spaces(ocr::normalize_nfkc(r->text)), pattern.c_str(), 1) : "";
        if (alone.empty() && r) alone = only_run_of(ocr::normalize_nfkc(r->text), f.length);
        const std::string paged = find_re(joined, pattern.c_str(), 1);
        std::string voted;
        std::optional<ocr::Reading> japanese;
        const std::string held = digits_by_shape(c, row_box, pattern, f.length, voted, japanese);
        std::vector<std::string> found;
        for (const std::string* x : std::initializer_list<const std::string*>{&voted, &held, &alone, &paged})
          if (!x->empty() && std::find(found.begin(), found.end(), *x) == found.end()) found.push_back(*x);
        if (found.empty()) {
          // No reading gives the number: the row's own ink after the label, for the clerk to confirm.
          const std::string ink = digits_after_label(c, row_box, f.labels, f.length, japanese ? &*japanese : nullptr);
          if (ink.empty()) return false;
          v = ink;
          readings.clear();
          conf = 0.6;
          box = row_box;
          return true;
        }
        v = found.front();
        readings.assign(found.begin() + 1, found.end());
        conf = capped(r ? r->confidence : l.confidence);
        if (found.size() > 1) conf = std::min(conf, 0.6);
        // No digit voted on its own ink (the glyphs of the Japanese reading did not give the
        // number): the engine's readings alone, which share their mistakes (5 read 9 by both).
        if (voted.empty() && held.empty()) conf = std::min(conf, 0.6);
        box = row_box;
        return true;
      };
      auto rows_labelled = [&](const std::string& label) {
        std::vector<const ocr::TextLine*> found;
        for (const auto& l : lines)
          if (strip_spaces(l.text).find(label) != std::string::npos) found.push_back(&l);
        return found;
      };
      bool done = false;
      for (const auto& label : f.labels)
        for (const ocr::TextLine* l : rows_labelled(label))
          if (!done) done = try_row(*l, label + "[:：]?" + number);
      // Its own label unread (店番 read "ae" by the English model, 店香 by the Japanese one): the
      // rows of the page's other labelled numbers, which a passbook prints beside it, read again,
      // and the label matched with one character wrong and a mark before the number.
      for (const auto& g : t.fields)
        if (&g != &f && g.type == "labelled_digits")
          for (const auto& other : g.labels)
            for (const ocr::TextLine* l : rows_labelled(other))
              for (const auto& label : f.labels)
                if (!done) done = try_row(*l, fuzzy_label(label) + "[^0-9]{0,2}" + number);
      // Every label of the row misread (店策 241 品央号 2197225): a line where its own label with one
      // character wrong stands before a number of the field's length, for the clerk to confirm.
      for (const auto& label : f.labels) {
        const std::string pattern = fuzzy_label(label) + "[^0-9]{0,2}" + number;
        for (const auto& l : lines) {
          if (done) break;
          if (find_re(strip_spaces(l.text), pattern.c_str(), 1).empty()) continue;  // before the row is read again
          if ((done = try_row(l, pattern))) conf = std::min(conf, 0.6);
        }
      }
    } else if (f.type == "holder_kana") {
      for (const auto& label : f.labels) {
        after_label = line_under(label.c_str());
        if (after_label != nullptr) break;
      }
      if (after_label != nullptr) {
        // Half-width katakana: the voicing marks (ﾞ ﾟ), which the model does not know, are cut out
        // of the line and put back after the glyph before them; the rest is read stretched to
        // full-width proportions.
        const ocr::Box& b = after_label->box;
        const int m = std::max(4, b.h / 3);
        const ocr::SplitLine split =
            ocr::split_voiced_marks(c.page, ocr::Box{b.x - m, b.y - m, b.w + 2 * m, b.h + 2 * m});
        ocr::ZoneSpec spec;
        spec.languages = "jpn";
        spec.stretch_x = 2.0;
        spec.whitelist = std::string(kKatakana) + ")()";
        spec.glyphs = true;
        std::optional<ocr::Reading> r;
        if (!split.line.empty())
          if (auto got =
                  c.engine.read(split.line, ocr::Box{0, 0, split.line.width(), split.line.height()}, spec))
            r = std::move(*got);
        v = r && !r->glyphs.empty() ? ocr::normalize_nfkc(kana_with_marks(r->glyphs, split))
                                    : after_label->text;
        // Read again piece by piece between the marks: where its grammar holds and the glyph
        // reading's does not, it is the value; else a candidate.
        double piece_conf = 0;
        if (const std::string pieces = ocr::normalize_nfkc(kana_by_pieces(c, split, spec, piece_conf));
            !pieces.empty() && pieces != v) {
          if (passbook_holder_grammar_ok(pieces) && !passbook_holder_grammar_ok(v)) {
            readings.push_back(v);
            v = pieces;
          } else {
            readings.push_back(pieces);
          }
        }
        // One space between words, as the passbook prints them.
        v = find_re(v, "^\\s*(.*?)\\s*$", 1);
        // A small kana where none can stand (ィ)チョウシ…: a legal form's abbreviation opens with a
        // full-size kana) was read small, in the value and in the other candidates.
        const auto full_size = [](std::string& x) {
          if (const std::string full = small_kana_made_full(x);
              full != x && !passbook_holder_grammar_ok(x) && passbook_holder_grammar_ok(full))
            x = full;
        };
        full_size(v);
        for (std::string& other : readings) full_size(other);
        conf = capped(r ? r->confidence : after_label->confidence);
        box = b;
        // The page-level reading of the line is a second candidate.
        if (std::string line = find_re(after_label->text, "^\\s*(.*?)\\s*$", 1); !line.empty() && line != v) {
          full_size(line);
          readings.push_back(line);
        }
        // A line that is not a passbook's katakana holder is never sure.
        if (!passbook_holder_grammar_ok(v)) conf = std::min(conf, kFailsFormat);
      }
    }
    RecognizedValue value = make(f, f.key, c, v, v.empty() ? 0.0 : conf, box);
    value.readings = std::move(readings);
    out.push_back(std::move(value));
  }
}

int keyword_hits(const std::string& text) {
  int n = 0;
  for (const char* k : {"通帳", "口座", "店番", "銀行", "金庫", "組合", "預金", "お名前", "お取引"})
    if (text.find(k) != std::string::npos) ++n;
  return n;
}

}  // namespace station::recognition::detail
