// Recognition of an envelope's pages: classification, registration and field reading.
#include "recognition_engine.h"

#include <unicode/normalizer2.h>
#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <bit>
#include <optional>
#include <tuple>

#include "clock.h"
#include "ocr/comb.h"
#include "ocr/language_model.h"
#include "ocr/layout.h"

namespace station {
namespace {

constexpr double kMinPlacementScore = 0.55;
constexpr double kEmptyInk = 0.004;        // share of dark pixels below which a zone is blank
constexpr double kEmptyConfidence = 0.97;  // a blank zone is blank: ink measurement is reliable

const char* kDigits = "0123456789";
const char* kKatakana =
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
    "ァィゥェォッャュョヮガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴー ";

std::string digits_of(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

// Dashes that stand for a hyphen between digits (addresses, phone numbers) become "-".
std::string fix_dashes(const std::string& s) {
  static const char* kDashes[] = {"ー", "一", "－", "‐", "—", "–", "―", "−"};
  std::string out = s;
  for (const char* d : kDashes) {
    const std::string dash = d;
    std::size_t pos = 0;
    while ((pos = out.find(dash, pos)) != std::string::npos) {
      const bool digit_before = pos > 0 && std::isdigit(static_cast<unsigned char>(out[pos - 1]));
      const bool digit_after = pos + dash.size() < out.size() && std::isdigit(static_cast<unsigned char>(out[pos + dash.size()]));
      if (digit_before && digit_after) {
        out.replace(pos, dash.size(), "-");
        pos += 1;
      } else {
        pos += dash.size();
      }
    }
  }
  return out;
}

std::string strip_spaces(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == ' ' || s[i] == '\t') { ++i; continue; }
    if (s.compare(i, 3, "\u3000") == 0) { i += 3; continue; }
    out += s[i++];
  }
  return out;
}

// Fields holding a person's name (or a title and a name): the only ones where a full-width space
// is content (遠藤　明美 — the officer list's export needs it between family and given name).
bool is_name_key(const std::string& key) {
  for (const char* suffix : {"rep_name", "contact.name", "].name", "].name_kana", "pledge.rep", "bank.holder",
                             "bank.holder_kana"}) {
    const std::string sfx = suffix;
    if (key.size() >= sfx.size() && key.compare(key.size() - sfx.size(), sfx.size(), sfx) == 0) return true;
  }
  return false;
}

// NFKC, but a full-width space (a real gap the engine saw) survives it: NFKC would make it ASCII.
std::string nfkc_keeping_wide_spaces(const std::string& s) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find("\u3000", start);
    out += ocr::normalize_nfkc(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    out += "\u3000";
    start = pos + 3;
  }
  return out;
}

// ASCII spaces and tabs go; a full-width space stays, one at most between two characters and
// none at either end.
std::string keep_wide_spaces(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == ' ' || s[i] == '\t') { ++i; continue; }
    if (s.compare(i, 3, "\u3000") == 0) {
      i += 3;
      if (!out.empty() && out.compare(out.size() >= 3 ? out.size() - 3 : 0, 3, "\u3000") != 0) out += "\u3000";
      continue;
    }
    out += s[i++];
  }
  while (out.size() >= 3 && out.compare(out.size() - 3, 3, "\u3000") == 0) out.erase(out.size() - 3);
  return out;
}

bool valid_date(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1) return false;
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d > kDays[m - 1]) return false;
  if (m == 2 && d == 29) return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return true;
}

std::string iso(int y, int m, int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

// Free text has no format to validate it: the engine's confidence must be very high for the value
// to pass unflagged.
constexpr double kCertainFreeText = 0.97;
constexpr double kUnsureFreeText = 0.85;

// Leading and trailing marks a zone's edges or ruling leave behind ("|", ",", "."): no name,
// address or title begins or ends with them.
std::string trim_junk(const std::string& s) {
  static const char* kJunk[] = {"|", ",", ".", "・", "-", "_", "'", "\"", ":", ";", "!", "、", "。", "`", "~", "/", "\\", "*"};
  std::string out = s;
  for (bool changed = true; changed && !out.empty();) {
    changed = false;
    for (const char* j : kJunk) {
      const std::string t = j;
      if (out.size() >= t.size() && out.compare(0, t.size(), t) == 0) { out.erase(0, t.size()); changed = true; }
      if (out.size() >= t.size() && out.compare(out.size() - t.size(), t.size(), t) == 0) {
        out.erase(out.size() - t.size());
        changed = true;
      }
    }
  }
  return out;
}

// A cell's printed edge read as a character before or after Japanese text ("I一五九", "i南浦和",
// "[特別…", "「池田…"): a lone mark hugging the first or last CJK character goes.
std::string trim_ruling_remnants(const std::string& s) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  if (u.length() < 3) return s;
  const icu::UnicodeString marks = icu::UnicodeString::fromUTF8("Iil|[]「」『』");
  auto cjk = [](char16_t ch) { return ch >= 0x3040 && ch <= 0x9FFF; };
  int32_t b = 0, e = u.length();
  if (marks.indexOf(u.charAt(0)) >= 0 && cjk(u.charAt(1))) b = 1;
  if (marks.indexOf(u.charAt(e - 1)) >= 0 && cjk(u.charAt(e - 2))) --e;
  // An underline or a cell's bottom edge read as long-vowel marks after a kanji (玉寿会ーー): no
  // word ends so.
  int32_t bars = 0;
  while (e - bars > b + 1 && u.charAt(e - 1 - bars) == u'ー') ++bars;
  const char16_t before = u.charAt(e - 1 - bars);
  if (bars >= 2 && before >= 0x4E00 && before <= 0x9FFF) e -= bars;
  std::string out;
  u.tempSubStringBetween(b, e).toUTF8String(out);
  return out;
}

// "1.25-19" in an address is a misread hyphen: Japanese addresses and names carry no decimals.
std::string dots_between_digits_to_dashes(const std::string& s) {
  std::string out = s;
  for (std::size_t i = 1; i + 1 < out.size(); ++i)
    if (out[i] == '.' && std::isdigit(static_cast<unsigned char>(out[i - 1])) &&
        std::isdigit(static_cast<unsigned char>(out[i + 1])))
      out[i] = '-';
  return out;
}

// Marks that do not belong in Japanese free text and betray a misreading.
bool has_stray_marks(const std::string& s) {
  for (const char* m : {"|", "!", "?", "_", "~", "`", "\\", "{", "}", "[", "]", "<", ">", ";", "・"})
    if (s.find(m) != std::string::npos) return true;
  int latin = 0;
  for (char ch : s)
    if (std::isalpha(static_cast<unsigned char>(ch))) ++latin;
  return latin > 0 && latin < static_cast<int>(s.size()) / 2;  // Latin mixed into Japanese
}

// Katakana as written: small ァィゥェォャュョッ never open a word nor follow ン, ー or another
// small kana; ャュョ only follow an i-row kana.
bool plausible_kana(const std::string& s) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  const icu::UnicodeString small = icu::UnicodeString::fromUTF8("ァィゥェォャュョッヮ");
  const icu::UnicodeString yoon = icu::UnicodeString::fromUTF8("ャュョ");
  const icu::UnicodeString irow = icu::UnicodeString::fromUTF8("キシチニヒミリギジヂビピ");
  const icu::UnicodeString bad_before = icu::UnicodeString::fromUTF8("ンー　 ァィゥェォャュョッヮ");
  if (u.isEmpty()) return false;
  for (int32_t i = 0; i < u.length(); ++i) {
    const char16_t c = u.charAt(i);
    if (small.indexOf(c) < 0) continue;
    if (i == 0 || bad_before.indexOf(u.charAt(i - 1)) >= 0) return false;
    if (yoon.indexOf(c) >= 0 && irow.indexOf(u.charAt(i - 1)) < 0) return false;
  }
  return true;
}

// A free reading of a small cell mapped onto its character set: digits from the letters they are
// mistaken for, M/F, or the era's first kanji. "" when nothing fits.
std::string lookalikes(const std::string& s, const std::string& type) {
  if (type == "era") {
    for (const char* e : {"昭", "平", "令", "大"})
      if (s.find(e) != std::string::npos) return e;
    return "";
  }
  if (type == "sex") {
    std::string out;
    for (char ch : s)
      if (ch == 'M' || ch == 'F') out += ch;
    return out.size() == 1 ? out : "";
  }
  static const std::pair<char, char> kMap[] = {{'q', '9'}, {'g', '9'}, {'o', '0'}, {'O', '0'}, {'D', '0'},
                                               {'l', '1'}, {'I', '1'}, {'|', '1'}, {'i', '1'}, {']', '1'},
                                               {'z', '2'}, {'Z', '2'}, {'S', '5'}, {'s', '5'}, {'b', '6'},
                                               {'B', '8'}, {'A', '4'}, {'T', '7'}};
  std::string out;
  for (char ch : s) {
    if (ch >= '0' && ch <= '9') { out += ch; continue; }
    bool mapped = false;
    for (const auto& [from, to] : kMap)
      if (ch == from) { out += to; mapped = true; break; }
    if (!mapped) return "";  // something that is no digit at all
  }
  return out;
}

// Chiba prefecture's municipalities (and Chiba city's wards): every applicant's corporation and
// facility is in the prefecture, and most officers live there. An address read as "千葉県栓市…"
// is 千葉県柏市…; only a single nearest name within one edit is taken, never a guess between two.
const char* const kChibaMunicipalities[] = {
    "千葉市", "銚子市", "市川市", "船橋市", "館山市", "木更津市", "松戸市", "野田市", "茂原市", "成田市",
    "佐倉市", "東金市", "旭市", "習志野市", "柏市", "勝浦市", "市原市", "流山市", "八千代市", "我孫子市",
    "鴨川市", "鎌ケ谷市", "君津市", "富津市", "浦安市", "四街道市", "袖ケ浦市", "八街市", "印西市", "白井市",
    "富里市", "南房総市", "匝瑳市", "香取市", "山武市", "いすみ市", "大網白里市", "酒々井町", "栄町",
    "神崎町", "多古町", "東庄町", "九十九里町", "芝山町", "横芝光町", "一宮町", "睦沢町", "長生村", "白子町",
    "長柄町", "長南町", "大多喜町", "御宿町", "鋸南町"};
const char* const kChibaWards[] = {"中央区", "花見川区", "稲毛区", "若葉区", "緑区", "美浜区"};

// Whether the OCR model can output a character at all.
using Readable = std::function<bool(char16_t)>;

// Edits from a reading to a lexicon name, in half edits: a character the model cannot output (鋸)
// is always read as something else, so reading another in its place costs half an edit.
int lexicon_distance(const icu::UnicodeString& read, const icu::UnicodeString& name, const Readable& readable) {
  std::vector<int> prev(static_cast<std::size_t>(name.length()) + 1), cur(prev.size());
  for (int32_t j = 0; j <= name.length(); ++j) prev[j] = 2 * j;
  for (int32_t i = 1; i <= read.length(); ++i) {
    cur[0] = 2 * i;
    for (int32_t j = 1; j <= name.length(); ++j) {
      const char16_t want = name.charAt(j - 1);
      const int sub = read.charAt(i - 1) == want ? 0 : readable(want) ? 2 : 1;
      cur[j] = std::min({prev[j] + 2, cur[j - 1] + 2, prev[j - 1] + sub});
    }
    std::swap(prev, cur);
  }
  return prev[name.length()];
}

// Plain Levenshtein distance, in whole edits.
int edit_distance(const icu::UnicodeString& a, const icu::UnicodeString& b) {
  return lexicon_distance(a, b, [](char16_t) { return true; }) / 2;
}

// At `pos` of `u`, the one lexicon name within one edit (a misread, a lost or an extra character);
// returns the length of `u` it covers and sets `name`, or -1 when none or several fit equally.
int32_t nearest_name(const icu::UnicodeString& u, int32_t pos, const char* const* names, std::size_t n,
                     icu::UnicodeString& name, const Readable& readable) {
  int best = 3, found = 0;
  int32_t covered = -1;
  for (std::size_t k = 0; k < n; ++k) {
    const icu::UnicodeString m = icu::UnicodeString::fromUTF8(names[k]);
    for (int32_t len = m.length() - 1; len <= m.length() + 1; ++len) {
      if (len < 2 || pos + len > u.length()) continue;
      // The suffix (市, 町, 村, 区) must be read as such: it anchors the name.
      if (u.charAt(pos + len - 1) != m.charAt(m.length() - 1)) continue;
      const int d = lexicon_distance(icu::UnicodeString(u, pos, len), m, readable);
      if (d < best) { best = d; found = 1; name = m; covered = len; }
      else if (d == best && m != name) ++found;
    }
  }
  return found == 1 ? covered : -1;
}

// "十葉県市川市…" → "千葉県市川市…", "千葉県栓市…" → "千葉県柏市…"; anything else unchanged.
std::string fix_chiba_address(const std::string& s, bool& changed, const Readable& readable) {
  changed = false;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  const icu::UnicodeString pref = icu::UnicodeString::fromUTF8("千葉県");
  if (u.length() < 5 || edit_distance(icu::UnicodeString(u, 0, 3), pref) > 1) return s;
  if (u.tempSubString(0, 3) != pref) { u.replace(0, 3, pref); changed = true; }
  icu::UnicodeString name;
  const int32_t len = nearest_name(u, 3, kChibaMunicipalities, std::size(kChibaMunicipalities), name, readable);
  if (len < 0) return changed ? [&] { std::string o; u.toUTF8String(o); return o; }() : s;
  if (u.tempSubString(3, len) != name) { u.replace(3, len, name); changed = true; }
  if (name == icu::UnicodeString::fromUTF8("千葉市")) {
    icu::UnicodeString ward;
    const int32_t wl = nearest_name(u, 3 + name.length(), kChibaWards, std::size(kChibaWards), ward, readable);
    if (wl > 0 && u.tempSubString(3 + name.length(), wl) != ward) { u.replace(3 + name.length(), wl, ward); changed = true; }
  }
  std::string out;
  u.toUTF8String(out);
  return out;
}

// The readings of the legal-entity words every corporate name in furigana carries. Tesseract
// confuses ブ/プ, ビ/ピ and a voiced kana with its plain one; where a run of the reading differs
// from one of these words only in such marks, it is that word.
const char* const kKanaWords[] = {"シャカイフクシホウジン", "イリョウホウジン", "シャダン", "ザイダン", "カブシキガイシャ",
                                  "ユウゲンガイシャ", "ゴウドウガイシャ", "ゴウシガイシャ", "トクテイヒエイリカツドウホウジン",
                                  "イッパンシャダンホウジン", "イッパンザイダンホウジン", "ダイヒョウトリシマリヤク", "リジチョウ"};

// The kana without its voicing mark (バ, パ → ハ); other characters as they are.
char16_t unvoiced(char16_t c) {
  UErrorCode st = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(st);
  if (U_FAILURE(st) || nfd == nullptr) return c;
  const icu::UnicodeString d = nfd->normalize(icu::UnicodeString(c), st);
  return U_SUCCESS(st) && d.length() > 0 ? d.charAt(0) : c;
}

// A small vowel straight after the same full-size vowel at a word's end (カズオォ) is a doubled
// glyph, not writing; a small kana where none can stand is a full-size one. Legal-entity words are
// restored where only voicing marks differ.
std::string fix_kana_words(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  const icu::UnicodeString big = icu::UnicodeString::fromUTF8("アイウエオ"), small = icu::UnicodeString::fromUTF8("ァィゥェォ");
  for (int32_t i = u.length() - 1; i > 0; --i) {
    const int32_t k = small.indexOf(u.charAt(i));
    const bool word_end = i + 1 == u.length() || u.charAt(i + 1) == 0x3000 || u.charAt(i + 1) == ' ';
    if (k >= 0 && word_end && u.charAt(i - 1) == big.charAt(k)) u.remove(i, 1);
  }
  // Small kana write a sound only after certain kana (ファ, ティ, ウォ; キャ, デュ); anywhere else,
  // at a word's start included, the model has read a full-size one small (ァイセイ, アォバ, ョウコ).
  const icu::UnicodeString after_small_vowel = icu::UnicodeString::fromUTF8("ウヴクグシジチツテデトドフイキ");
  const icu::UnicodeString after_small_y = icu::UnicodeString::fromUTF8("キギシジチヂニヒビピミリテデフヴ");
  const icu::UnicodeString small_y = icu::UnicodeString::fromUTF8("ャュョ"), big_y = icu::UnicodeString::fromUTF8("ヤユヨ");
  for (int32_t i = 0; i < u.length(); ++i) {
    const char16_t prev = i > 0 ? u.charAt(i - 1) : u' ';
    if (const int32_t k = small.indexOf(u.charAt(i)); k >= 0 && after_small_vowel.indexOf(prev) < 0) u.setCharAt(i, big.charAt(k));
    if (const int32_t k = small_y.indexOf(u.charAt(i)); k >= 0 && after_small_y.indexOf(prev) < 0) u.setCharAt(i, big_y.charAt(k));
  }
  for (const char* w : kKanaWords) {
    const icu::UnicodeString word = icu::UnicodeString::fromUTF8(w);
    for (int32_t at = 0; at + word.length() <= u.length(); ++at) {
      bool same_base = true, differs = false;
      for (int32_t j = 0; j < word.length() && same_base; ++j) {
        const char16_t a = u.charAt(at + j), b = word.charAt(j);
        if (a == b) continue;
        differs = true;
        same_base = unvoiced(a) == unvoiced(b);
      }
      if (same_base && differs) u.replace(at, word.length(), word);
    }
  }
  std::string out;
  u.toUTF8String(out);
  return out;
}

// Kana the Japanese model reads for a Latin capital inside a run of capitals ("三菱りFJ" for
// 三菱UFJ): next to a capital, り is U.
std::string latin_lookalikes(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  auto capital = [&](int32_t i) { return i >= 0 && i < u.length() && u.charAt(i) >= 'A' && u.charAt(i) <= 'Z'; };
  for (int32_t i = 0; i < u.length(); ++i)
    if (u.charAt(i) == u'り' && (capital(i - 1) || capital(i + 1))) u.setCharAt(i, 'U');
  std::string out;
  u.toUTF8String(out);
  return out;
}

// Katakana the Japanese model reads for the kanji they look like, where no kana stands beside
// them: ー四九 is 一四九, 山ロ is 山口, 協カ is 協力, 第ニ is 第二. Only next to a kanji and with no
// kana on either side (ホーム, ケアプラザ keep theirs); ケ and ノ are left alone (袖ケ浦, 一ノ瀬).
std::string kanji_lookalikes(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  auto at = [&](int32_t i) -> char16_t { return i >= 0 && i < u.length() ? u.charAt(i) : u'\0'; };
  auto kana = [](char16_t c) { return (c >= 0x3041 && c <= 0x309F) || (c >= 0x30A1 && c <= 0x30FF); };
  auto kanji = [](char16_t c) { return (c >= 0x4E00 && c <= 0x9FFF) || c == 0x3005; };
  static constexpr std::pair<char16_t, char16_t> kLooks[] = {
      {u'ー', u'一'}, {u'ニ', u'二'}, {u'ロ', u'口'}, {u'カ', u'力'}, {u'エ', u'工'}, {u'ハ', u'八'}, {u'タ', u'夕'}};
  for (int32_t i = 0; i < u.length(); ++i) {
    const char16_t prev = at(i - 1), next = at(i + 1);
    if (kana(prev) || kana(next) || (!kanji(prev) && !kanji(next))) continue;
    for (const auto& [look, is] : kLooks)
      if (u.charAt(i) == look) u.setCharAt(i, is);
  }
  std::string out;
  u.toUTF8String(out);
  return out;
}

// Japanese free text as read, without what is not the writer's: junk at its ends, a cell's
// printed edge, look-alikes of the wrong script.
std::string clean_free_text(const std::string& s) {
  return kanji_lookalikes(latin_lookalikes(trim_ruling_remnants(trim_junk(fix_dashes(s)))));
}

struct PageContext {
  const ocr::Image& page;  // upright
  int index;
  const ocr::Placement* placement;  // null: zones are mm from the page's top-left at its dpi
  ocr::Engine& engine;
  // The same page upright at its scanned resolution, where `page` was scaled down to be read
  // whole (a passbook copy); null otherwise.
  const ocr::Image* full = nullptr;

  ocr::Box box(const ZoneMm& z) const {
    if (placement != nullptr) return placement->map(z.x, z.y, z.w, z.h);
    const double k = page.dpi() / 25.4;
    return {static_cast<int>(z.x * k), static_cast<int>(z.y * k), static_cast<int>(z.w * k), static_cast<int>(z.h * k)};
  }
};

struct Text {
  std::string text;
  double confidence = 0;
  ocr::Box box;
  bool blank = false;
  std::string mended;  // the text without glyphs the engine seems to have read twice
};

// One zone read as text, from the zone prepared once (ocr::prepare_zone) however often it is read:
// blank zones are not sent to the engine.
Text read_zone(const PageContext& c, const ocr::PreparedZone& prepared, ocr::Box zone, ocr::ZoneLayout layout,
               const std::string& whitelist, const std::string& languages = "", int upscale_to_dpi = 0,
               int border = -1) {
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
  spec.border = border >= 0 ? border : std::max(10, c.page.dpi() / 10);
  spec.glyphs = spec.alternatives = languages == "jpn";
  auto r = c.engine.read(clean, ocr::Box{0, 0, clean.width(), clean.height()}, spec);
  if (!r) return t;
  t.text = nfkc_keeping_wide_spaces(r->text);
  t.mended = nfkc_keeping_wide_spaces(ocr::mend_stutters(*r));
  t.confidence = r->confidence;
  const int pad = std::max(2, c.page.dpi() / 50);
  const ocr::Box& ib = prepared.ink_box;
  t.box = ocr::Box{ib.x - pad, ib.y - pad, ib.w + 2 * pad, ib.h + 2 * pad};
  return t;
}

RecognizedValue make(const FieldTemplate& f, const std::string& key, const PageContext& c, std::string value,
                     double confidence, ocr::Box box) {
  RecognizedValue v;
  v.key = key;
  v.value = std::move(value);
  v.confidence = std::clamp(confidence, 0.0, 1.0);
  v.page = c.index;
  v.box = box;
  v.type = f.type;
  return v;
}

// Text of a given type, normalised and validated; `type` may differ from f.type (table columns).
RecognizedValue read_typed(const FieldTemplate& f, const std::string& key, const std::string& type,
                           const PageContext& c, ocr::Box zone) {
  using L = ocr::ZoneLayout;
  std::string whitelist;
  if (type == "digits") whitelist = kDigits;
  else if (type == "postal") whitelist = "0123456789-";
  else if (type == "amount") whitelist = "0123456789,";
  else if (type == "phone") whitelist = "0123456789-()";
  else if (type == "kana") whitelist = kKatakana;
  else if (type == "sex") whitelist = "MF";
  else if (type == "era") whitelist = "昭平令大";
  else if (type == "email") whitelist = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._-+";
  const L layout = L::kSingleLine;  // single-word mode loses lone kanji and letters (昭, F)
  // Japanese text and kana are read with the Japanese model alone (it knows digits and Latin
  // letters too); e-mail addresses, M/F and digits keep the default jpn+eng.
  const bool japanese = type != "digits" && type != "postal" && type != "amount" && type != "phone" &&
                        type != "email" && type != "sex";
  const bool kanji = japanese && type != "era";
  const ocr::PreparedZone prepared = ocr::prepare_zone(c.page, zone, true);
  Text t = read_zone(c, prepared, zone, layout, whitelist, japanese ? "jpn" : "", kanji ? 400 : 0);
  RecognizedValue v = make(f, key, c, "", t.confidence, t.box);
  v.type = type;
  if (t.blank) return v;
  if (kanji && t.mended != t.text) {
    // A glyph read twice, perhaps: the zone at its scanned resolution decides.
    const Text again = read_zone(c, prepared, zone, layout, whitelist, "jpn", 0);
    const auto u = [](const std::string& x) { return icu::UnicodeString::fromUTF8(strip_spaces(x)); };
    if (edit_distance(u(t.mended), u(again.text)) <= edit_distance(u(t.text), u(again.text))) t.text = t.mended;
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
      t.confidence = std::min(t.confidence, kUnsureFreeText);
    }
  }
  // Spaces go, except in Japanese text a full-width one the engine saw as a real gap (between a
  // family and a given name, or a title and a name).
  std::string s = is_name_key(key) ? keep_wide_spaces(t.text) : strip_spaces(t.text);
  double conf = t.confidence;
  if (s.empty() && kanji) {
    // Ink, yet nothing read: Tesseract's single-line mode sometimes rejects a whole clean line
    // (a name with a wide gap between family and given name), at some scales and borders only.
    // The same zone at its scanned resolution, without the border, then larger.
    for (const auto& [dpi, border] : {std::pair{0, -1}, {0, 0}, {400, 0}, {500, -1}}) {
      const Text again = read_zone(c, prepared, zone, layout, whitelist, "jpn", dpi, border);
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
  if (type == "digits") {
    std::string d = digits_of(s);
    if (d.size() != s.size()) conf = std::min(conf, 0.5);
    if (f.length > 0 && static_cast<int>(d.size()) != f.length) conf = std::min(conf, 0.3);
    if (f.max > 0 && !d.empty() && std::stoll(d.substr(0, 12)) > f.max) conf = std::min(conf, 0.3);
    if (d.empty()) conf = 0;
    s = d;
  } else if (type == "postal") {
    const std::string d = digits_of(s);
    if (d.size() == 7) s = d.substr(0, 3) + "-" + d.substr(3);
    else { conf = std::min(conf, 0.2); s = d; }
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
    if (!ok || s.empty() || s[0] == '0') conf = std::min(conf, 0.4);
  } else if (type == "phone") {
    s = fix_dashes(s);
    const std::string d = digits_of(s);
    if (d.size() < 10 || d.size() > 11 || d[0] != '0') conf = std::min(conf, 0.4);
  } else if (type == "email") {
    while (!s.empty() && (s.back() == '.' || s.back() == '-' || s.back() == '_')) s.pop_back();  // never ends so
    // A domain has no case; a local part in mixed case is taken as small letters, one read as its
    // capital (soUmu for soumu: u, o, s, c, v, w, x, z differ only in size). An address written
    // all in capitals stays.
    const auto at_sign = s.find('@');
    const auto lower = [](char ch) { return static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); };
    if (at_sign != std::string::npos) {
      const std::string local = s.substr(0, at_sign);
      const bool has_lower = std::any_of(local.begin(), local.end(), [](char ch) { return std::islower(static_cast<unsigned char>(ch)); });
      if (has_lower) std::transform(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(at_sign), s.begin(), lower);
      std::transform(s.begin() + static_cast<std::ptrdiff_t>(at_sign), s.end(), s.begin() + static_cast<std::ptrdiff_t>(at_sign), lower);
    }
    const auto at = s.find('@');
    if (at == std::string::npos || at == 0 || s.find('.', at) == std::string::npos) conf = std::min(conf, 0.4);
  } else if (type == "sex") {
    if (s != "M" && s != "F") conf = std::min(conf, 0.3);
  } else if (type == "era") {
    if (s != "昭" && s != "平" && s != "令" && s != "大") conf = std::min(conf, 0.3);
  } else if (type == "kana") {
    s = fix_kana_words(trim_junk(s));
    // Tesseract's own confidence is not calibrated on kana: only a very confident reading that is
    // also well-formed katakana passes as certain.
    if (conf < kCertainFreeText || !plausible_kana(s)) conf = std::min(conf, kUnsureFreeText);
  } else {
    s = clean_free_text(s);
    if (key.size() >= 7 && key.compare(key.size() - 7, 7, "address") == 0) {
      bool fixed = false;
      s = fix_chiba_address(s, fixed, [&](char16_t ch) { return c.engine.can_read(ch, "jpn"); });
      if (fixed) conf = std::min(conf, kUnsureFreeText);  // corrected from the lexicon: the clerk looks
    }
    s = dots_between_digits_to_dashes(s);
    if (conf < kCertainFreeText || has_stray_marks(s)) conf = std::min(conf, kUnsureFreeText);
  }
  v.value = s;
  v.confidence = std::clamp(conf, 0.0, 1.0);
  return v;
}

int era_base(const std::string& era) {
  if (era == "昭") return 1925;
  if (era == "平") return 1988;
  if (era == "令" || era == "reiwa") return 2018;
  if (era == "大") return 1911;
  return 0;
}

RecognizedValue read_date(const FieldTemplate& f, const PageContext& c) {
  int parts[3] = {0, 0, 0};
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
    if (i == 0) all = z;
    else {
      const int x1 = std::max(all.x + all.w, z.x + z.w), y1 = std::max(all.y + all.h, z.y + z.h);
      all.x = std::min(all.x, z.x); all.y = std::min(all.y, z.y);
      all.w = x1 - all.x; all.h = y1 - all.y;
    }
    RecognizedValue p = read_typed(d, f.key, "digits", c, z);
    if (p.value.empty()) { ++blank; conf = std::min(conf, p.confidence); continue; }
    parts[i] = std::stoi(p.value.substr(0, 4));
    conf = std::min(conf, p.confidence);
  }
  // A form's date is required and its digits may sit off the printed cells: a date found blank is
  // for the clerk to confirm, never certain.
  if (blank == 3) return make(f, f.key, c, "", 0.6, all);
  if (blank > 0) return make(f, f.key, c, "", 0, all);
  const int year = era_base(f.era) + parts[0];
  if (!valid_date(year, parts[1], parts[2]) || parts[0] < 1 || parts[0] > 40) conf = std::min(conf, 0.2);
  return make(f, f.key, c, iso(year, std::max(1, std::min(12, parts[1])), std::max(1, std::min(31, parts[2]))), conf, all);
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
  if (comb->filled == 0) conf = kEmptyConfidence;
  else if (static_cast<int>(value.size()) != f.cells || value.find_first_not_of(kDigits) != std::string::npos)
    conf = std::min(conf, 0.3);  // a gap or an unreadable cell
  return make(f, f.key, c, value, conf, comb->box);
}

RecognizedValue read_group(const FieldTemplate& f, const PageContext& c) {
  struct Opt { const OptionDef* o; ocr::CheckReading r; };
  std::vector<Opt> opts;
  for (const auto& o : f.options) opts.push_back({&o, ocr::read_checkbox(c.page, c.box({o.x, o.y, f.box_w, f.box_h}))});
  std::vector<const Opt*> on;
  double min_conf = 1.0;
  for (const auto& o : opts) {
    min_conf = std::min(min_conf, o.r.confidence);
    if (o.r.checked) on.push_back(&o);
  }
  if (on.size() == 1) return make(f, f.key, c, on[0]->o->value, min_conf, on[0]->r.box);
  if (on.empty()) return make(f, f.key, c, "", std::min(min_conf, 0.6), c.box({f.options[0].x, f.options[0].y, f.box_w, f.box_h}));
  const Opt* best = *std::max_element(on.begin(), on.end(), [](const Opt* a, const Opt* b) { return a->r.ink < b->r.ink; });
  return make(f, f.key, c, best->o->value, 0.3, best->r.box);  // several ticked: the clerk decides
}

void read_table(const FieldTemplate& f, const PageContext& c, int& next_row, std::vector<RecognizedValue>& out) {
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
    for (const auto& col : f.columns) {
      FieldTemplate d = f;
      d.length = 0;
      d.max = col.type == "digits" ? 99 : 0;
      RecognizedValue v = read_typed(d, prefix + col.key, col.type, c, c.box({col.x, top, col.w, h}));
      if (col.key == "birth.era") era = v;
      else if (col.key == "birth.year") year = v;
      else if (col.key == "birth.month") month = v;
      else if (col.key == "birth.day") day = v;
      else out.push_back(std::move(v));
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

// ICU regular expression over UTF-8 text: the first match's group `g`, or "".
std::string find_re(const std::string& text, const char* pattern, int g = 1) {
  UErrorCode st = U_ZERO_ERROR;
  icu::RegexMatcher m(icu::UnicodeString::fromUTF8(pattern), 0, st);
  if (U_FAILURE(st)) return "";
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  m.reset(u);
  if (!m.find(st) || U_FAILURE(st)) return "";
  std::string out;
  m.group(g, st).toUTF8String(out);
  return U_FAILURE(st) ? "" : out;
}

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
    const int end = i + 1 < glyphs.size() ? glyphs[i + 1].box.x + glyphs[i + 1].box.w / 2 : split.line.width() + 1;
    for (; next_mark < split.marks.size() && split.marks[next_mark].x < end; ++next_mark)
      if (split.marks[next_mark].x >= g.x + g.w / 2) {
        out += split.marks[next_mark].semi ? "゜" : "゛";
        if (split.marks[next_mark].space_after) out += ' ';
      }
  }
  return join_voiced_marks(out);
}

// The bank keywords a passbook's title and お取引店 line carry, longest first.
const char* const kBankKinds[] = {"農業協同組合", "信用金庫", "信用組合", "労働金庫", "銀行"};

// "三菱UFJ銀行 南浦和" → {"三菱UFJ銀行", "銀行", rest "南浦和"}; nothing when no keyword.
struct BankMention { std::string name, kind, rest; };
std::optional<BankMention> bank_mention(const std::string& line) {
  const std::string flat = strip_spaces(line);
  for (const char* k : kBankKinds) {
    const auto pos = flat.find(k);
    if (pos == std::string::npos) continue;
    // The name runs back from the keyword over name characters (kanji, kana, Latin capitals).
    const std::string head = find_re(flat.substr(0, pos), "([\\p{Han}\\p{Katakana}\\p{Hiragana}A-Zー]+)$", 1);
    if (head.empty()) continue;
    // A title line may run on from the passbook's own words (普通預金通帳ゆうちょ銀行).
    std::string name = head;
    for (const char* w : {"通帳", "お取引店", "取引店"}) {
      const auto at = name.rfind(w);
      if (at != std::string::npos) name = name.substr(at + std::string(w).size());
    }
    if (name.empty()) continue;
    return BankMention{latin_lookalikes(name) + k, k, flat.substr(pos + std::string(k).size())};
  }
  return std::nullopt;
}

// Passbook copies have no fixed layout: the page is read as a whole, line by line, and values are
// found by what the lines say and where they sit (the title is the largest bank name; the holder
// is the line under お名前; the branch follows the bank on the お取引店 line).
// A passbook number read again at the scanned resolution, its 0s, 6s, 8s and 9s told apart by
// their holes: in a condensed print a leading 0 reads as 9 or 6 (店番 906 for 006), at 200 dpi and
// at the scanned resolution alike. `row_box` is in the working image's px. Empty without a full
// image or where the row does not give a number of `length` digits.
std::string digits_by_shape(const PageContext& c, ocr::Box row_box, const std::string& pattern, int length) {
  if (c.full == nullptr || c.full->width() <= c.page.width() || length <= 0) return "";
  const double k = c.full->width() / static_cast<double>(c.page.width());
  const ocr::Box at{static_cast<int>(row_box.x * k), static_cast<int>(row_box.y * k), static_cast<int>(row_box.w * k),
                    static_cast<int>(row_box.h * k)};
  // With the English model beside the Japanese one first (lone leading digits), then by the
  // Japanese one alone (the English one may claim the printed label: 店番 read "ae").
  std::optional<ocr::Reading> r;
  std::string digits;
  for (const char* languages : {"", "jpn"}) {
    ocr::ZoneSpec spec;
    spec.glyphs = true;
    spec.languages = languages;
    auto one = c.engine.read(*c.full, at, spec);
    if (!one) continue;
    digits = find_re(strip_spaces(ocr::normalize_nfkc(one->text)), pattern.c_str(), 1);
    if (static_cast<int>(digits.size()) == length) {
      r = std::move(*one);
      break;
    }
  }
  if (!r) return "";
  std::vector<std::string> texts;
  for (const auto& g : r->glyphs) texts.push_back(ocr::normalize_nfkc(g.text));
  for (std::size_t i = 0; i + digits.size() <= texts.size(); ++i) {
    bool match = true;
    for (std::size_t j = 0; j < digits.size() && match; ++j) match = texts[i + j] == std::string(1, digits[j]);
    if (match && i + digits.size() < texts.size()) match = digits_of(texts[i + digits.size()]).empty();
    if (match && i > 0) match = digits_of(texts[i - 1]).empty();
    if (!match) continue;
    std::string out = digits;
    for (std::size_t j = 0; j < digits.size(); ++j) {
      if (std::string_view("0689").find(out[j]) == std::string_view::npos) continue;
      if (const auto d = ocr::digit_by_holes(*c.full, r->glyphs[i + j].box)) out[j] = *d;
    }
    return out;
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

void read_passbook(const FormTemplate& t, const PageContext& c, const ocr::Reading& page,
                   std::vector<RecognizedValue>& out) {
  const ocr::Box all{0, 0, c.page.width(), c.page.height()};
  // Values found by pattern on a page-level reading are never certain: the clerk checks them.
  auto capped = [](double conf) { return std::min(conf, 0.85); };
  std::vector<ocr::TextLine> lines = page.lines;
  for (auto& l : lines) l.text = ocr::normalize_nfkc(l.text);
  const ocr::TextLine* title = nullptr;
  std::optional<BankMention> title_bank;
  for (const auto& l : lines)
    if (auto m = bank_mention(l.text); m && (title == nullptr || l.box.h > title->box.h)) { title = &l; title_bank = m; }
  const ocr::TextLine* after_label = nullptr;  // the line under a label, for the holder
  auto line_under = [&](const char* label) -> const ocr::TextLine* {
    const ocr::TextLine* lab = nullptr;
    for (const auto& l : lines)
      if (strip_spaces(l.text).find(label) != std::string::npos) { lab = &l; break; }
    if (lab == nullptr) return nullptr;
    const ocr::TextLine* best = nullptr;
    for (const auto& l : lines) {
      if (&l == lab || l.box.y < lab->box.y + lab->box.h / 2) continue;
      const bool overlaps = l.box.x < lab->box.x + std::max(lab->box.w, l.box.w) && l.box.x + l.box.w > lab->box.x - lab->box.w;
      if (overlaps && (best == nullptr || l.box.y < best->box.y)) best = &l;
    }
    return best;
  };
  std::string flat;
  for (const auto& l : lines) flat += strip_spaces(l.text) + "\n";
  for (const auto& f : t.fields) {
    std::string v;
    double conf = 0;
    ocr::Box box = all;
    if ((f.type == "bank_name" || f.type == "bank_kind") && title != nullptr) {
      v = f.type == "bank_name" ? title_bank->name : title_bank->kind;
      conf = capped(title->confidence);
      box = title->box;
    } else if (f.type == "branch_name") {
      // "お取引店" then "<bank> <branch>"; else a line naming a 支店.
      if (const ocr::TextLine* l = line_under("取引店")) {
        if (auto m = bank_mention(l->text)) {
          v = m->rest;
          conf = capped(l->confidence);
          box = l->box;
        }
      }
      if (v.empty()) v = find_re(flat, "([\\p{Han}\\p{Katakana}\\p{Hiragana}]{1,10}?)(支店|出張所|営業部)", 1), conf = v.empty() ? 0 : 0.6;
      for (const char* suffix : {"支店", "出張所", "営業部", "支所"})
        if (v.size() > std::string(suffix).size() && v.compare(v.size() - std::string(suffix).size(), std::string::npos, suffix) == 0)
          v.erase(v.size() - std::string(suffix).size());
    } else if (f.type == "account_type") {
      v = flat.find("当座") != std::string::npos ? "当座" : flat.find("普通") != std::string::npos ? "普通" : "";
      conf = v.empty() ? 0 : capped(page.confidence);
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
        std::sort(row.begin(), row.end(), [](const ocr::TextLine* a, const ocr::TextLine* b) { return a->box.x < b->box.x; });
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
        if (r) v = find_re(strip_spaces(ocr::normalize_nfkc(r->text)), pattern.c_str(), 1);
        if (v.empty()) v = find_re(joined, pattern.c_str(), 1);
        if (std::string held = digits_by_shape(c, row_box, pattern, f.length); !held.empty()) v = held;
        if (v.empty()) return false;
        conf = capped(r ? r->confidence : l.confidence);
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
        const ocr::SplitLine split = ocr::split_voiced_marks(c.page, ocr::Box{b.x - m, b.y - m, b.w + 2 * m, b.h + 2 * m});
        ocr::ZoneSpec spec;
        spec.languages = "jpn";
        spec.stretch_x = 2.0;
        spec.whitelist = std::string(kKatakana) + ")()";
        spec.glyphs = true;
        std::optional<ocr::Reading> r;
        if (!split.line.empty())
          if (auto got = c.engine.read(split.line, ocr::Box{0, 0, split.line.width(), split.line.height()}, spec)) r = std::move(*got);
        v = r && !r->glyphs.empty() ? ocr::normalize_nfkc(kana_with_marks(r->glyphs, split)) : after_label->text;
        // One space between words, as the passbook prints them.
        v = find_re(v, "^\\s*(.*?)\\s*$", 1);
        conf = capped(r ? r->confidence : after_label->confidence);
        box = b;
      }
    }
    out.push_back(make(f, f.key, c, v, v.empty() ? 0.0 : conf, box));
  }
}

// A postmark's date line as read: "7.6.4" (令和 year.month.day). The dots are specks a scan may
// lose or the engine drop: the digits are split into year (1 or 2 digits, 令和1..max_year), month
// and day at every place the dots that were read allow, and only a single valid split is a date.
// `cap`: the most confidence the reading may carry — never certain, less without both dots.
struct PostmarkDate {
  int y = 0, m = 0, d = 0;
  double cap = 0;
};

std::optional<PostmarkDate> parse_postmark(const std::string& line, int max_year) {
  std::string digits;
  std::vector<std::size_t> cuts;  // digit counts before each separator
  bool any = false;
  for (std::size_t i = 0; i < line.size();) {
    const unsigned char ch = static_cast<unsigned char>(line[i]);
    if (ch >= '0' && ch <= '9') { digits += line[i]; ++i; any = true; continue; }
    std::size_t len = 1;
    if (ch == ' ' || ch == '.' || ch == ',') {
    } else if (line.compare(i, 3, "・") == 0 || line.compare(i, 3, "･") == 0) {
      len = 3;
    } else if (line.compare(i, 2, "·") == 0) {
      len = 2;
    } else {
      return std::nullopt;  // anything else: not a date line
    }
    if (any && (cuts.empty() || cuts.back() != digits.size())) cuts.push_back(digits.size());
    i += len;
  }
  while (!cuts.empty() && cuts.back() == digits.size()) cuts.pop_back();  // trailing separator
  if (digits.size() < 3 || digits.size() > 6 || cuts.size() > 2) return std::nullopt;
  std::optional<PostmarkDate> found;
  int splits = 0;
  for (std::size_t yl = 1; yl <= 2; ++yl)
    for (std::size_t ml = 1; ml <= 2; ++ml) {
      if (yl + ml >= digits.size() || digits.size() - yl - ml > 2) continue;
      // Every separator read must fall between year and month or month and day.
      if (!std::all_of(cuts.begin(), cuts.end(), [&](std::size_t c) { return c == yl || c == yl + ml; })) continue;
      if (digits[0] == '0' || digits[yl] == '0' || digits[yl + ml] == '0') continue;
      const int y = std::stoi(digits.substr(0, yl)), m = std::stoi(digits.substr(yl, ml)), d = std::stoi(digits.substr(yl + ml));
      if (y < 1 || y > max_year || !valid_date(era_base("reiwa") + y, m, d)) continue;
      ++splits;
      found = PostmarkDate{y, m, d, cuts.size() == 2 ? 0.8 : 0.6};
    }
  if (splits != 1) return std::nullopt;  // none, or several: not a date
  return found;
}

// The current 令和 year by the clock (a postmark is not from the future).
int reiwa_now() {
  const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(jst_now_shifted())};
  return static_cast<int>(today.year()) - era_base("reiwa");
}

void read_envelope(const FormTemplate& t, const PageContext& c, std::vector<RecognizedValue>& out) {
  for (const auto& f : t.fields) {
    const ocr::Box zone = c.box(f.zone);
    if (f.type == "postmark") {
      // The date line of a round postmark reads "7.6.4" (令和 year.month.day) between the post
      // office's name and the time. The ring is found and the line nearest its centre read alone,
      // digits and dots only, in two versions (a stamp's frame crossing the line taken out, and
      // left in); failing that, the zone without its ring is read as sparse text.
      const int max_year = reiwa_now() + 1;
      std::optional<PostmarkDate> date;
      double conf = 0;
      ocr::Box box = zone;
      bool disagree = false;
      std::vector<std::string> seen;  // every date read, for the envelope-level check
      for (const ocr::Image& line : ocr::postmark_date_lines(c.page, zone)) {
        ocr::ZoneSpec spec;
        spec.layout = ocr::ZoneLayout::kSingleLine;
        spec.whitelist = "0123456789.";
        spec.border = std::max(10, c.page.dpi() / 10);
        const auto r = c.engine.read(line, ocr::Box{0, 0, line.width(), line.height()}, spec);
        if (!r) continue;
        const auto d = parse_postmark(ocr::normalize_nfkc(r->text), max_year);
        if (!d) continue;
        seen.push_back(iso(era_base("reiwa") + d->y, d->m, d->d));
        if (!date) {
          date = d;
          conf = std::min(r->confidence, d->cap);
        } else if (date->y != d->y || date->m != d->m || date->d != d->d) {
          // Two readings of the same line, two dates: keep the one whose year is nearer the
          // present (a 7 read as 1 makes a year long past), else the more confident — as weak
          // evidence either way.
          disagree = true;
          const int now = max_year - 1;
          const int gap_old = std::abs(now - date->y), gap_new = std::abs(now - d->y);
          if (gap_new < gap_old || (gap_new == gap_old && std::min(r->confidence, d->cap) > conf))
            date = d, conf = std::min(r->confidence, d->cap);
        }
      }
      if (disagree) conf = std::min(conf, 0.4);
      if (!date) {
        const ocr::PreparedZone z = ocr::prepare_zone(c.page, zone, false, 7.0);
        if (!z.image.empty()) {
          ocr::ZoneSpec spec;
          spec.layout = ocr::ZoneLayout::kSparse;
          spec.border = std::max(10, c.page.dpi() / 10);
          if (auto r = c.engine.read(z.image, ocr::Box{0, 0, z.image.width(), z.image.height()}, spec)) {
            const std::string text = ocr::normalize_nfkc(r->text);
            std::size_t start = 0;
            while (!date && start <= text.size()) {
              const auto nl = text.find('\n', start);
              date = parse_postmark(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start), max_year);
              start = nl == std::string::npos ? text.size() + 1 : nl + 1;
            }
            if (date) conf = std::min(r->confidence, date->cap), box = z.ink_box;
          }
        }
      }
      const std::string value = date ? iso(era_base("reiwa") + date->y, date->m, date->d) : "";
      out.push_back(make(f, f.key, c, value, date ? conf : 0.0, box));
      out.back().readings = std::move(seen);
    } else if (f.type == "sender") {
      // The sender's block: 〒, address, then the corporation's name. The block is read to find
      // the name's line, which is then read alone like other Japanese text: by both models at
      // 400 dpi, the more plausible kept.
      const ocr::PreparedZone prepared = ocr::prepare_zone(c.page, zone, false);
      std::string name;
      std::vector<std::string> readings;
      double conf = 0;
      ocr::Box box = prepared.ink_box;
      if (!prepared.image.empty()) {
        const ocr::Image& img = prepared.image;
        ocr::ZoneSpec spec;
        spec.layout = ocr::ZoneLayout::kBlock;
        spec.border = std::max(10, c.page.dpi() / 10);
        auto block = c.engine.read(img, ocr::Box{0, 0, img.width(), img.height()}, spec);
        const std::vector<ocr::TextLine> lines = block ? std::move(block->lines) : std::vector<ocr::TextLine>{};
        const ocr::TextLine* found = nullptr;
        for (const auto& l : lines) {
          const std::string line = strip_spaces(nfkc_keeping_wide_spaces(l.text));
          if (line.empty()) continue;
          if (line.find("〒") != std::string::npos || digits_of(line).size() >= 5) continue;  // postal code
          if (!find_re(line, "(都|道|府|県|市|区|町|村).*[0-9０-９]", 0).empty()) continue;  // address
          found = &l;
          break;
        }
        if (found != nullptr) {
          const int m = std::max(4, found->box.h / 4);
          const ocr::Image line = img.crop(ocr::Box{found->box.x - m, found->box.y - m, found->box.w + 2 * m, found->box.h + 2 * m});
          auto read_line = [&](const char* languages) -> std::string {
            ocr::ZoneSpec one;
            one.languages = languages;
            one.upscale_to_dpi = 400;
            one.border = spec.border;
            auto r = c.engine.read(line, ocr::Box{0, 0, line.width(), line.height()}, one);
            if (r) conf = std::max(conf, r->confidence);
            return r ? clean_free_text(strip_spaces(nfkc_keeping_wide_spaces(r->text))) : std::string();
          };
          name = read_line("jpn");
          if (c.engine.has_language(ocr::kSecondJapaneseModel)) {
            const std::string other = read_line(ocr::kSecondJapaneseModel);
            readings = {name, other};
            if (other != name) name = ocr::more_plausible(name, other);
          }
          if (name.empty()) name = clean_free_text(strip_spaces(nfkc_keeping_wide_spaces(found->text)));
          const int pad = std::max(2, c.page.dpi() / 50);
          box = ocr::Box{prepared.ink_box.x - pad, prepared.ink_box.y - pad, prepared.ink_box.w + 2 * pad,
                         prepared.ink_box.h + 2 * pad};
        }
      }
      out.push_back(make(f, f.key, c, name, name.empty() ? 0.0 : std::min(conf, 0.85), box));
      out.back().readings = std::move(readings);
    }
  }
}

void read_form(const FormTemplate& t, const PageContext& c, int& officer_row, std::vector<RecognizedValue>& out) {
  for (const auto& f : t.fields) {
    if (f.type == "date") out.push_back(read_date(f, c));
    else if (f.type == "comb") out.push_back(read_comb(f, c));
    else if (f.type == "checkbox_group") out.push_back(read_group(f, c));
    else if (f.type == "checkbox") {
      const auto r = ocr::read_checkbox(c.page, c.box(f.zone));
      RecognizedValue v = make(f, f.key, c, r.checked ? "true" : "false", r.confidence, r.box);
      v.boolean = true;
      out.push_back(std::move(v));
    } else if (f.type == "seal") {
      const auto r = ocr::detect_seal(c.page, c.box(f.zone), f.blank_ink);
      RecognizedValue v = make(f, f.key, c, r.present ? "true" : "false", r.confidence, r.box);
      v.boolean = true;
      out.push_back(std::move(v));
    } else if (f.type == "table") {
      read_table(f, c, officer_row, out);
    } else {
      out.push_back(read_typed(f, f.key, f.type, c, c.box(f.zone)));
    }
  }
}

int keyword_hits(const std::string& text) {
  int n = 0;
  for (const char* k : {"通帳", "口座", "店番", "銀行", "金庫", "組合", "預金", "お名前", "お取引"})
    if (text.find(k) != std::string::npos) ++n;
  return n;
}

// The value read for `key` in an envelope's values; null when none was.
RecognizedValue* find_value(std::vector<RecognizedValue>& values, const std::string& key) {
  for (auto& v : values)
    if (v.key == key) return &v;
  return nullptr;
}

// The same text written on two forms of one application: the application's corporation, its
// representative and facility, again on the pledge and the officer list (and the corporation as
// the envelope's sender). Each was read by both
// Japanese models; where the two values differ by a little (a misread kanji, a dropped one), the
// text that most of the four readings agree on is kept for both (the dictionary breaks a tie):
// 山口礎 and 山口堺 on the application, 山口　隆 twice on the pledge. Both are then for the clerk to
// confirm. Values that differ by more are left alone: the applicant may have written different
// things, and the reviewer sees both.
struct SameText {
  const char* a;
  const char* b;
  bool b_has_title;  // b is "<title>　<name>" (pledge.rep); its name is compared
};
constexpr SameText kSameText[] = {
    {"corp.name", "pledge.corp_name", false},     {"corp.name", "officers.corp_name", false},
    {"corp.address", "pledge.corp_address", false}, {"facility.name", "officers.facility_name", false},
    {"corp.rep_name", "pledge.rep", true},        {"corp.name", "envelope.sender_name", false},
};

// "<title>　<family>　<given>" → {"<title>　", "<family>　<given>"}; nothing without two gaps.
std::optional<std::pair<std::string, std::string>> split_title(const std::string& s) {
  const std::string wide = "\u3000";
  const auto given = s.rfind(wide);
  if (given == std::string::npos || given == 0) return std::nullopt;
  const auto family = s.rfind(wide, given - 1);
  if (family == std::string::npos) return std::nullopt;
  return std::pair{s.substr(0, family + wide.size()), s.substr(family + wide.size())};
}

// What follows `title` in a reading of "<title>　<name>" (the gap after the title may be
// missing); empty when the reading does not begin with the title.
std::string after_title(const std::string& reading, const std::string& title) {
  const icu::UnicodeString r = icu::UnicodeString::fromUTF8(keep_wide_spaces(reading));
  const icu::UnicodeString t = icu::UnicodeString::fromUTF8(strip_spaces(title));
  auto gap = [&](int32_t i) { return r.charAt(i) == u'\u3000' || r.charAt(i) == u' '; };
  int32_t i = 0, k = 0;
  for (; k < t.length() && i < r.length(); ++i) {
    if (gap(i)) continue;
    if (r.charAt(i) != t.charAt(k++)) return "";
  }
  if (k < t.length()) return "";
  while (i < r.length() && gap(i)) ++i;
  std::string out;
  r.tempSubStringBetween(i).toUTF8String(out);
  return out;
}

void reconcile_same_text(std::vector<RecognizedValue>& values) {
  const auto find = [&](const std::string& key) { return find_value(values, key); };
  const auto u = [](const std::string& x) { return icu::UnicodeString::fromUTF8(strip_spaces(x)); };
  for (const SameText& same : kSameText) {
    RecognizedValue* a = find(same.a);
    RecognizedValue* b = find(same.b);
    if (a == nullptr || b == nullptr || a->value.empty() || b->value.empty()) continue;
    std::string title, b_text = b->value;
    std::vector<std::string> readings = a->readings;
    if (same.b_has_title) {
      const auto split = split_title(b_text);
      if (!split) continue;
      title = split->first;
      b_text = split->second;
      for (const std::string& r : b->readings)
        if (std::string name = after_title(r, title); !name.empty()) readings.push_back(std::move(name));
    } else {
      readings.insert(readings.end(), b->readings.begin(), b->readings.end());
    }
    if (strip_spaces(a->value) == strip_spaces(b_text)) continue;
    const int len = std::max(u(a->value).length(), u(b_text).length());
    if (edit_distance(u(a->value), u(b_text)) > std::max(1, len / 6)) continue;
    // Each reading votes for the value it is nearer to; more votes win, the dictionary breaks a tie.
    int votes_a = 0, votes_b = 0;
    for (const std::string& r : readings) {
      const int da = edit_distance(u(r), u(a->value)), db = edit_distance(u(r), u(b_text));
      votes_a += da < db;
      votes_b += db < da;
    }
    std::string best;
    if (votes_a != votes_b) best = votes_a > votes_b ? a->value : b_text;
    else best = ocr::text_cost(b_text).value_or(0) < ocr::text_cost(a->value).value_or(0) ? b_text : a->value;
    a->value = best;
    b->value = title + best;
    a->confidence = std::min(a->confidence, kUnsureFreeText);
    b->confidence = std::min(b->confidence, kUnsureFreeText);
  }
}

// A furigana part against the dictionary's reading of its kanji: where the two differ by exactly
// one kana (a voicing mark alone costs nothing: 会社 is ガイシャ after 有限), and that difference is a
// kana read twice or a look-alike, the reading's is kept. ハセガウ under 長谷川 is ハセガワ; ヨツウコ
// under 洋子 is ヨウコ. Nothing changes when they differ by more, or by a kana the furigana lacks
// (裕子 may be ユウコ or ヒロコ, 白樺 シラカバ or シラカンバ: the dictionary knows one).
std::optional<icu::UnicodeString> kana_by_reading(const icu::UnicodeString& kana, const icu::UnicodeString& reading,
                                                  bool deletions_only) {
  const int32_t n = kana.length(), m = reading.length();
  if (n < 3 || m < 2) return std::nullopt;
  // Kana the model confuses, where the dictionary's reading is the better witness; any other
  // difference is as likely another reading of the kanji (愛誠: アイセイ or アイオイ).
  auto lookalike = [](char16_t a, char16_t b) {
    static const icu::UnicodeString kPairs = icu::UnicodeString::fromUTF8("ウワソンシツクワ");
    for (int32_t p = 0; p + 1 < kPairs.length(); p += 2)
      if ((a == kPairs[p] && b == kPairs[p + 1]) || (b == kPairs[p] && a == kPairs[p + 1])) return true;
    return unvoiced(a) == unvoiced(b);  // ビ/ピ
  };
  // Equal, or the one the other with a voicing mark: カ/ガ (the voiced form follows its base in
  // Unicode), not ビ/ピ.
  auto same = [](char16_t a, char16_t b) {
    const char16_t base = unvoiced(a);
    return a == b || (base == unvoiced(b) && a - base <= 1 && b - base <= 1);
  };
  std::vector<std::vector<int>> d(static_cast<std::size_t>(n + 1), std::vector<int>(static_cast<std::size_t>(m + 1)));
  for (int32_t i = 0; i <= n; ++i) d[i][0] = i;
  for (int32_t j = 0; j <= m; ++j) d[0][j] = j;
  for (int32_t i = 1; i <= n; ++i)
    for (int32_t j = 1; j <= m; ++j)
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same(kana[i - 1], reading[j - 1]) ? 0 : 1)});
  if (d[n][m] != 1) return std::nullopt;
  // Walk back: matches keep the kana as read; the one edit takes the reading's side.
  icu::UnicodeString out;
  int32_t i = n, j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && d[i][j] == d[i - 1][j - 1] + (same(kana[i - 1], reading[j - 1]) ? 0 : 1)) {
      if (!same(kana[i - 1], reading[j - 1]) && (deletions_only || !lookalike(kana[i - 1], reading[j - 1])))
        return std::nullopt;
      out.insert(0, same(kana[i - 1], reading[j - 1]) ? kana[i - 1] : reading[j - 1]);
      --i, --j;
    } else if (i > 0 && d[i][j] == d[i - 1][j] + 1) {
      --i;  // a kana too many: a glyph read twice (フラジイ, ヨツウコ)
    } else {
      return std::nullopt;  // a kana missing: as likely another reading (シラカバ, シラカンバ)
    }
  }
  return out;
}

// Furigana checked against the kanji they spell, where both models agree on the kanji: each part
// (family and given name, or the words of a holder's name) by the dictionary's reading.
void check_kana_by_reading(std::vector<RecognizedValue>& values) {
  const auto find = [&](const std::string& key) { return find_value(values, key); };
  const icu::UnicodeString gap = icu::UnicodeString::fromUTF8("\u3000");
  auto parts = [&](const std::string& s) {
    std::vector<icu::UnicodeString> out;
    const icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
    int32_t start = 0;
    for (int32_t k = 0; k <= u.length(); ++k)
      if (k == u.length() || u.charAt(k) == gap.charAt(0)) {
        if (k > start) out.emplace_back(u, start, k - start);
        start = k + 1;
      }
    return out;
  };
  for (auto& v : values) {
    const std::string& key = v.key;
    std::string kanji_key;
    if (key.size() > 10 && key.compare(key.size() - 10, 10, ".name_kana") == 0) kanji_key = key.substr(0, key.size() - 10) + ".name";
    else if (key == "officers.corp_kana") kanji_key = "officers.corp_name";
    else if (key == "bank.holder_kana") kanji_key = "bank.holder";
    else continue;
    const RecognizedValue* kanji = find(kanji_key);
    if (kanji == nullptr || kanji->value.empty() || v.value.empty()) continue;
    // Where the two models disagree on the kanji, only a kana read twice is mended: a misread
    // kanji's reading rarely matches the furigana but for one kana too many.
    bool agreed = true;
    for (const std::string& r : kanji->readings) agreed = agreed && strip_spaces(r) == strip_spaces(kanji->value);
    const auto kana_parts = parts(v.value);
    auto kanji_parts = parts(kanji->value);
    if (kana_parts.size() == 2 && kanji_parts.size() == 1 && kanji_parts[0].length() >= 2) {
      // A name read without its gap (長谷川直美): split where the reading of each side is nearest
      // the furigana's two parts.
      const icu::UnicodeString whole = kanji_parts[0];
      int best = -1, best_cost = 3;
      for (int32_t cut = 1; cut < whole.length(); ++cut) {
        std::string left, right;
        whole.tempSubStringBetween(0, cut).toUTF8String(left);
        whole.tempSubStringBetween(cut).toUTF8String(right);
        const auto rl = ocr::reading_of(left), rr = ocr::reading_of(right);
        if (!rl || !rr) continue;
        const int cost = edit_distance(kana_parts[0], icu::UnicodeString::fromUTF8(*rl)) +
                         edit_distance(kana_parts[1], icu::UnicodeString::fromUTF8(*rr));
        if (cost < best_cost) best = cut, best_cost = cost;
      }
      if (best > 0) kanji_parts = {icu::UnicodeString(whole, 0, best), icu::UnicodeString(whole, best)};
    }
    if (kana_parts.size() != kanji_parts.size()) continue;
    icu::UnicodeString fixed;
    bool changed = false;
    for (std::size_t k = 0; k < kana_parts.size(); ++k) {
      if (k > 0) fixed.append(gap);
      std::string kanji_part;
      kanji_parts[k].toUTF8String(kanji_part);
      const auto reading = ocr::reading_of(kanji_part);
      const auto better = reading ? kana_by_reading(kana_parts[k], icu::UnicodeString::fromUTF8(*reading), !agreed) : std::nullopt;
      if (better && *better != kana_parts[k]) {
        fixed.append(*better);
        changed = true;
      } else {
        fixed.append(kana_parts[k]);
      }
    }
    if (!changed) continue;
    v.value.clear();
    fixed.toUTF8String(v.value);
    v.confidence = std::min(v.confidence, kUnsureFreeText);
  }
}

// The application's date and the pledge's are filled in together and mailed soon after: a date
// that is no date (6月31日) or lies after the postmark or more than a year before it takes, part by
// part, what the other form's date says, where that makes it one. The fewest parts are taken;
// a date mended so is for the clerk to confirm. Two dates that are each plausible are left alone.
void reconcile_dates(std::vector<RecognizedValue>& values) {
  const auto find = [&](const std::string& key) { return find_value(values, key); };
  struct Ymd { int y = 0, m = 0, d = 0; };
  auto parse = [](const std::string& s) -> std::optional<Ymd> {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    const std::string digits = s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2);
    if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return Ymd{std::stoi(s.substr(0, 4)), std::stoi(s.substr(5, 2)), std::stoi(s.substr(8, 2))};
  };
  auto days = [](const Ymd& x) {
    return std::chrono::sys_days{std::chrono::year{x.y} / std::chrono::month{static_cast<unsigned>(x.m)} /
                                 std::chrono::day{static_cast<unsigned>(x.d)}}.time_since_epoch().count();
  };
  RecognizedValue* app = find("application_date");
  RecognizedValue* pledge = find("pledge.date");
  if (app == nullptr || pledge == nullptr) return;
  const auto a = parse(app->value), p = parse(pledge->value);
  if (!a || !p) return;
  // A postmark before the date both forms agree on, or long after it, is a misread stamp where one
  // of its other readings fits (2025-05-06 and 2025-06-06 read from one ring, the forms dated
  // 2025-06-06): that one is kept, as weak evidence still.
  RecognizedValue* postmark = find("envelope.postmark_date");
  if (postmark != nullptr && app->value == pledge->value && valid_date(a->y, a->m, a->d)) {
    auto fits = [&](const std::optional<Ymd>& x) {
      return x && valid_date(x->y, x->m, x->d) && days(*x) >= days(*a) && days(*x) <= days(*a) + 60;
    };
    if (!fits(parse(postmark->value)))
      for (const std::string& other : postmark->readings)
        if (fits(parse(other))) {
          postmark->value = other;
          postmark->confidence = std::min(postmark->confidence, 0.4);
          break;
        }
  }
  std::optional<long> mailed;
  if (postmark != nullptr)
    if (const auto x = parse(postmark->value); x && valid_date(x->y, x->m, x->d)) mailed = days(*x);
  const long today = std::chrono::floor<std::chrono::days>(jst_now_shifted()).time_since_epoch().count();
  auto plausible = [&](const Ymd& x) {
    if (!valid_date(x.y, x.m, x.d)) return false;
    const long t = days(x);
    return mailed ? (t <= *mailed && t >= *mailed - 366) : t <= today;
  };
  for (auto [self, own, other] : {std::tuple{app, *a, *p}, std::tuple{pledge, *p, *a}}) {
    if (plausible(own)) continue;
    std::optional<Ymd> best;
    int best_taken = 4;
    for (int mask = 1; mask < 8; ++mask) {
      const Ymd x{mask & 1 ? other.y : own.y, mask & 2 ? other.m : own.m, mask & 4 ? other.d : own.d};
      const int taken = std::popcount(static_cast<unsigned>(mask));
      if (plausible(x) && taken < best_taken) best = x, best_taken = taken;
    }
    if (!best) continue;
    self->value = iso(best->y, best->m, best->d);
    self->confidence = std::min(self->confidence, 0.5);
  }
}

}  // namespace

EnvelopeRecognition recognize_pages(const std::vector<ocr::Image>& pages, const Templates& templates,
                                    ocr::Engine& engine, const std::function<bool(int)>& on_page) {
  EnvelopeRecognition out;
  int officer_row = 0;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    if (i > 0 && on_page && !on_page(static_cast<int>(i))) return out;
    const ocr::Image& raw = pages[i];
    PageRecognition pr;
    if (raw.empty()) { out.pages.push_back(pr); continue; }
    const ocr::PageStructure structure = ocr::PageStructure::analyse(raw);
    const FormTemplate* best = nullptr;
    ocr::Placement best_p;
    for (const auto& t : templates.forms) {
      if (!t.registered()) continue;
      const ocr::Placement p = structure.place(t.model);
      if (p.score > best_p.score) { best_p = p; best = &t; }
    }
    if (best != nullptr && best_p.score >= kMinPlacementScore) {
      pr.kind = best->kind;
      pr.rotation = best_p.quarter_turns * 90;
      pr.score = best_p.score;
      const ocr::Image upright = raw.rotated(best_p.quarter_turns);
      PageContext c{upright, static_cast<int>(i), &best_p, engine};
      read_form(*best, c, officer_row, out.values);
      out.pages.push_back(pr);
      continue;
    }
    // Not a registered form: an envelope by its shape (long and narrow), else a passbook copy by
    // what it says, else unknown.
    const double aspect = std::max(raw.width(), raw.height()) / static_cast<double>(std::min(raw.width(), raw.height()));
    if (aspect > 1.6) {
      pr.kind = "envelope";
      int turns = raw.width() > raw.height() ? 1 : 0;
      pr.rotation = turns * 90;
      const ocr::Image upright = raw.rotated(turns);
      if (const FormTemplate* t = templates.find("envelope")) {
        PageContext c{upright, static_cast<int>(i), nullptr, engine};
        read_envelope(*t, c, out.values);
      }
      out.pages.push_back(pr);
      continue;
    }
    // A page of no form: a passbook copy if it says so. Read on its flattened background (the
    // passbook's tinted panel would otherwise swallow its print) at 200 dpi, upright or turned.
    const ocr::Image small = ocr::flatten_background(
        raw.dpi() > 220 ? raw.resized_to_width(raw.width() * 200 / raw.dpi()) : raw);
    ocr::Reading best_reading;
    int best_hits = -1, best_turns = 0;
    for (int turns : {0, 2}) {
      const ocr::Image up = turns == 0 ? small : small.rotated(turns);
      ocr::ZoneSpec spec;
      spec.layout = ocr::ZoneLayout::kAuto;
      spec.languages = "jpn";
      auto r = engine.read(up, ocr::Box{0, 0, up.width(), up.height()}, spec);
      if (!r) continue;
      const int hits = keyword_hits(r->text);
      if (hits > best_hits || (hits == best_hits && r->confidence > best_reading.confidence)) {
        best_hits = hits; best_reading = *r; best_turns = turns;
      }
      if (hits >= 3 && r->confidence > 0.6) break;  // upright and clearly a passbook
    }
    if (best_hits >= 2) {
      pr.kind = "passbook";
      pr.rotation = best_turns * 90;
      if (const FormTemplate* t = templates.find("passbook")) {
        const ocr::Image upright = best_turns == 0 ? small : small.rotated(best_turns);
        const ocr::Image full = best_turns == 0 ? raw : raw.rotated(best_turns);
        PageContext c{upright, static_cast<int>(i), nullptr, engine, &full};
        read_passbook(*t, c, best_reading, out.values);
      }
    }
    out.pages.push_back(pr);
  }
  if (on_page && !on_page(static_cast<int>(pages.size()))) return out;
  reconcile_same_text(out.values);
  check_kana_by_reading(out.values);
  reconcile_dates(out.values);
  return out;
}

}  // namespace station
