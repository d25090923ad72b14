// Conversions to the export forms (conversions.h): ICU for script and width (the "Hiragana-Katakana",
// "Fullwidth-Halfwidth" and "Halfwidth-Fullwidth" transliterators, NFKC for the enclosed ㈱) and for
// the era (the Japanese calendar); the rest is the small grammar of Japanese lot numbers.
#include "station/review/conversions.h"

#include <unicode/calendar.h>
#include <unicode/gregocal.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/timezone.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <memory>
#include <utility>

namespace station::review {

namespace {

// ---- UTF-8 <-> UTF-32 through ICU

std::u32string to_u32(std::string_view s) {
  const auto us = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  std::u32string out(static_cast<std::size_t>(us.countChar32()), U'\0');
  UErrorCode st = U_ZERO_ERROR;
  const int32_t n = us.toUTF32(reinterpret_cast<UChar32*>(out.data()), static_cast<int32_t>(out.size()), st);
  out.resize(U_SUCCESS(st) ? static_cast<std::size_t>(n) : 0);
  return out;
}

std::string to_u8(const icu::UnicodeString& us) {
  std::string out;
  us.toUTF8String(out);
  return out;
}

std::string to_u8(const std::u32string& s) {
  return to_u8(icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(s.data()), static_cast<int32_t>(s.size())));
}

// One transliterator per thread and id (ICU's transliterators are not to be shared across threads).
icu::Transliterator* transliterator(const char* id) {
  thread_local std::map<std::string, std::unique_ptr<icu::Transliterator>> cache;
  auto& t = cache[id];
  if (!t) {
    UErrorCode st = U_ZERO_ERROR;
    t.reset(icu::Transliterator::createInstance(icu::UnicodeString::fromUTF8(id), UTRANS_FORWARD, st));
    if (U_FAILURE(st)) t.reset();
  }
  return t.get();
}

std::u32string transliterate(const char* id, const std::u32string& s) {
  auto us = icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(s.data()), static_cast<int32_t>(s.size()));
  if (auto* t = transliterator(id)) t->transliterate(us);
  return to_u32(to_u8(us));
}

bool is_space(char32_t c) { return c == U' ' || c == U'\t' || c == U'\u3000' || c == U'\r' || c == U'\n'; }

// Splits on runs of spaces (half- or full-width); no empty parts.
std::vector<std::u32string> words(const std::u32string& s) {
  std::vector<std::u32string> out;
  std::u32string cur;
  for (char32_t c : s) {
    if (is_space(c)) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::u32string join(const std::vector<std::u32string>& parts, std::u32string_view sep) {
  std::u32string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

// What a half-width kana export may hold: half-width katakana and its punctuation (U+FF61..FF9F),
// and the symbols, digits and capitals the 全銀 character set allows in a name.
bool halfwidth_kana_export_char(char32_t c) {
  if (c >= 0xFF61 && c <= 0xFF9F) return true;
  if ((c >= U'0' && c <= U'9') || (c >= U'A' && c <= U'Z')) return true;
  return c == U' ' || c == U'(' || c == U')' || c == U'.' || c == U'-' || c == U'/' || c == U',';
}

// Kana only: half-width katakana (with ･ and the marks) and spaces.
bool halfwidth_kana_only(const std::u32string& s) {
  return std::all_of(s.begin(), s.end(), [](char32_t c) { return c == U' ' || (c >= 0xFF65 && c <= 0xFF9F); });
}

Conversion uncertain(std::string text, std::string note) { return Conversion{std::move(text), false, std::move(note)}; }

// ---- dates

struct Ymd {
  int y = 0, m = 0, d = 0;
};

std::optional<Ymd> parse_iso(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  Ymd out;
  auto num = [&](std::size_t pos, std::size_t len, int& v) {
    const auto* b = s.data() + pos;
    auto [p, ec] = std::from_chars(b, b + len, v);
    return ec == std::errc{} && p == b + len;
  };
  if (!num(0, 4, out.y) || !num(5, 2, out.m) || !num(8, 2, out.d)) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{out.y}, std::chrono::month{static_cast<unsigned>(out.m)},
                                        std::chrono::day{static_cast<unsigned>(out.d)}};
  if (!ymd.ok()) return std::nullopt;
  return out;
}

std::string trim_ascii(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// ---- addresses

bool is_digit(char32_t c) { return (c >= U'0' && c <= U'9') || (c >= 0xFF10 && c <= 0xFF19); }
char32_t ascii_digit(char32_t c) { return c >= 0xFF10 ? U'0' + (c - 0xFF10) : c; }

// Hyphens and dashes people (and OCR) write between lot numbers. The long vowel mark and box
// drawing lines count only between two digits (the caller checks).
bool is_hyphen(char32_t c) {
  switch (c) {
    case U'-': case U'\u2010': case U'\u2011': case U'\u2012': case U'\u2013': case U'\u2014':
    case U'\u2015': case U'\u2212': case U'\uFE63': case U'\uFF0D':
      return true;
    default:
      return false;
  }
}
bool is_dash_like(char32_t c) { return is_hyphen(c) || c == U'\u30FC' || c == U'\uFF70' || c == U'\u2500' || c == U'\u2501'; }

constexpr std::u32string_view kKanjiDigits = U"〇一二三四五六七八九";
bool is_kanji_numeral(char32_t c) { return kKanjiDigits.find(c) != std::u32string_view::npos || c == U'十' || c == U'百'; }

// 二十一 -> 21, 十 -> 10, 一〇 -> 10, 百五 -> 105.
int kanji_number(std::u32string_view s) {
  int total = 0, cur = 0;
  for (char32_t c : s) {
    if (c == U'十' || c == U'百') {
      total += (cur == 0 ? 1 : cur) * (c == U'十' ? 10 : 100);
      cur = 0;
    } else {
      cur = cur * 10 + static_cast<int>(kKanjiDigits.find(c));
    }
  }
  return total + cur;
}

bool at(const std::u32string& s, std::size_t i, std::u32string_view what) {
  return s.size() >= i + what.size() && std::u32string_view(s).substr(i, what.size()) == what;
}

// Kanji numerals right before 丁目 or 番地 (本町二丁目, 三番地) become digits; elsewhere a kanji
// numeral may be part of a name (一番町, 八千代) and stays.
std::u32string kanji_lot_numbers(const std::u32string& s) {
  std::u32string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_kanji_numeral(s[i])) {
      std::size_t j = i;
      while (j < s.size() && is_kanji_numeral(s[j])) ++j;
      if (at(s, j, U"丁目") || at(s, j, U"番地")) {
        for (char c : std::to_string(kanji_number(std::u32string_view(s).substr(i, j - i)))) out.push_back(static_cast<char32_t>(c));
      } else {
        out.append(s, i, j - i);
      }
      i = j;
      continue;
    }
    out.push_back(s[i++]);
  }
  return out;
}

// ---- corporate names

struct Abbreviation {
  std::u32string_view written;  // full-width, as it appears after the width conversion
  std::u32string_view full;
};
// The 全銀 list of legal-entity abbreviations, the unambiguous ones.
constexpr Abbreviation kAbbreviations[] = {
    {U"（株）", U"株式会社"},         {U"（有）", U"有限会社"},           {U"（名）", U"合名会社"},
    {U"（資）", U"合資会社"},         {U"（同）", U"合同会社"},           {U"（福）", U"社会福祉法人"},
    {U"（医社）", U"医療法人社団"},   {U"（医財）", U"医療法人財団"},     {U"（社医）", U"社会医療法人"},
    {U"（一社）", U"一般社団法人"},   {U"（一財）", U"一般財団法人"},     {U"（公社）", U"公益社団法人"},
    {U"（公財）", U"公益財団法人"},   {U"（特非）", U"特定非営利活動法人"}, {U"（ＮＰＯ）", U"特定非営利活動法人"},
    {U"（学）", U"学校法人"},         {U"（宗）", U"宗教法人"},           {U"（生協）", U"生活協同組合"},
    {U"（独）", U"独立行政法人"},
};
// Abbreviations written without parentheses, only at the start or the end of the name.
constexpr Abbreviation kBareAbbreviations[] = {
    {U"社福", U"社会福祉法人"},
    {U"医社", U"医療法人社団"},
};
struct Ambiguous {
  std::u32string_view written;
  const char* note_ja;
};
constexpr Ambiguous kAmbiguous[] = {
    {U"（医）", "「（医）」は医療法人・医療法人社団・医療法人財団のどれか分からないため、そのままにしています"},
    {U"（社）", "「（社）」は社団法人の種類（一般・公益）が分からないため、そのままにしています"},
    {U"（財）", "「（財）」は財団法人の種類（一般・公益）が分からないため、そのままにしています"},
    {U"（合）", "「（合）」は合同会社・合資会社・合名会社のどれか分からないため、そのままにしています"},
};

void replace_all(std::u32string& s, std::u32string_view from, std::u32string_view to) {
  for (std::size_t pos = s.find(from); pos != std::u32string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}

std::u32string fullwidth(const std::u32string& s) { return transliterate("Halfwidth-Fullwidth", s); }

}  // namespace

Conversion to_halfwidth_kana(std::string_view text, Spacing spacing) {
  const std::u32string half = transliterate("Hiragana-Katakana; Fullwidth-Halfwidth", to_u32(text));
  auto parts = words(half);
  Conversion out;
  switch (spacing) {
    case Spacing::kCollapse: out.text = to_u8(join(parts, U" ")); break;
    case Spacing::kNone: out.text = to_u8(join(parts, U"")); break;
    case Spacing::kBetweenNames:
      out.text = to_u8(join(parts, U" "));
      if (parts.size() == 1) out = uncertain(out.text, "姓と名の区切り（空白）がありません");
      else if (parts.size() > 2) out = uncertain(out.text, "姓と名のほかにも空白があります");
      break;
  }
  const std::u32string result = to_u32(out.text);
  if (!std::all_of(result.begin(), result.end(), halfwidth_kana_export_char))
    out = uncertain(out.text, "半角カタカナにできない文字があります");
  return out;
}

Conversion to_fullwidth_name(std::string_view name) {
  const auto parts = words(fullwidth(to_u32(name)));
  Conversion out{to_u8(join(parts, U"\u3000")), true, {}};
  if (parts.size() == 1) return uncertain(out.text, "姓と名の区切り（空白）がありません");
  if (parts.size() > 2) return uncertain(out.text, "姓と名のほかにも空白があります");
  return out;
}

Conversion expand_corporate_name(std::string_view name) {
  // ㈱ ㈲ ... (enclosed CJK) -> (株) (有) by NFKC, then everything full-width, spaces out.
  UErrorCode st = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(st);
  std::u32string s;
  for (char32_t c : to_u32(name)) {
    if (c >= 0x3200 && c <= 0x32FF && nfkc && U_SUCCESS(st)) {
      UErrorCode st2 = U_ZERO_ERROR;
      const auto n = nfkc->normalize(icu::UnicodeString(static_cast<UChar32>(c)), st2);
      if (U_SUCCESS(st2)) {
        s += to_u32(to_u8(n));
        continue;
      }
    }
    s.push_back(c);
  }
  s = join(words(fullwidth(s)), U"");
  for (const auto& a : kAbbreviations) replace_all(s, a.written, a.full);
  for (const auto& a : kBareAbbreviations) {
    if (at(s, 0, a.written)) s.replace(0, a.written.size(), a.full);
    else if (s.size() > a.written.size() && at(s, s.size() - a.written.size(), a.written))
      s.replace(s.size() - a.written.size(), a.written.size(), a.full);
  }
  Conversion out{to_u8(s), true, {}};
  for (const auto& a : kAmbiguous)
    if (s.find(a.written) != std::u32string::npos) return uncertain(out.text, a.note_ja);
  // Any other short parenthesised word is likely an abbreviation this list does not know.
  for (std::size_t open = s.find(U'（'); open != std::u32string::npos; open = s.find(U'（', open + 1)) {
    const auto close = s.find(U'）', open);
    if (close != std::u32string::npos && close - open >= 2 && close - open <= 4)
      return uncertain(out.text, "略称と思われる「" + to_u8(s.substr(open, close - open + 1)) + "」があります");
  }
  return out;
}

Conversion to_era_date(std::string_view iso_date) {
  const std::string v = trim_ascii(iso_date);
  const auto d = parse_iso(v);
  if (!d) return uncertain("", "日付（YYYY-MM-DD）として読み取れません");
  UErrorCode st = U_ZERO_ERROR;
  icu::GregorianCalendar greg(*icu::TimeZone::getGMT(), st);
  greg.clear();
  greg.setLenient(false);
  greg.set(d->y, d->m - 1, d->d);
  const UDate when = greg.getTime(st);
  std::unique_ptr<icu::Calendar> jp(
      icu::Calendar::createInstance(icu::TimeZone::getGMT()->clone(), icu::Locale("ja_JP@calendar=japanese"), st));
  if (U_FAILURE(st) || !jp || std::string_view(jp->getType()) != "japanese")
    return uncertain("", "和暦に変換できません（暦の情報がありません）");
  jp->setTime(when, st);
  const int era = jp->get(UCAL_ERA, st);
  const int year = jp->get(UCAL_YEAR, st);
  if (U_FAILURE(st)) return uncertain("", "和暦に変換できません");
  // ICU's Japanese calendar numbers its eras from 大化 (0): 明治 is 232, 令和 236.
  constexpr std::array<char, 5> kLetters = {'M', 'T', 'S', 'H', 'R'};
  const int index = era - 232;
  if (index < 0 || index >= static_cast<int>(kLetters.size()) || year < 1 || year > 99)
    return uncertain("", "明治より前、または元号の分からない日付です");
  char buf[40];
  std::snprintf(buf, sizeof buf, "%c%02d%02d%02d", kLetters[static_cast<std::size_t>(index)], year, d->m, d->d);
  return Conversion{buf, true, {}};
}

Conversion to_export_address(std::string_view address) {
  const std::u32string s = kanji_lot_numbers(to_u32(address));
  std::u32string out;
  bool lot_started = false, lot_ended = false;
  std::string note;
  auto note_once = [&](const char* n) {
    if (note.empty()) note = n;
  };
  auto prev_digit = [&] { return !out.empty() && out.back() >= U'0' && out.back() <= U'9'; };
  auto digit_at = [&](std::size_t j) { return j < s.size() && is_digit(s[j]); };
  // After a 番 or 番地: 「の」 before the next number is part of the same separator.
  auto skip_no = [&](std::size_t j) { return j + 1 < s.size() && s[j] == U'の' && is_digit(s[j + 1]) ? j + 1 : j; };

  for (std::size_t i = 0; i < s.size(); ++i) {
    const char32_t c = s[i];
    if (is_space(c)) {
      // Spaces before the lot number go (the prefecture writes none); after it, one before the building.
      if (lot_started && !out.empty() && out.back() != U' ') {
        out.push_back(U' ');
        lot_ended = true;
      }
      continue;
    }
    if (is_digit(c)) {
      out.push_back(ascii_digit(c));
      lot_started = true;
      continue;
    }
    if (lot_ended || !prev_digit()) {
      out.push_back(is_hyphen(c) ? U'-' : c);
      continue;
    }
    // Right after a digit of the lot number.
    if (at(s, i, U"丁目")) {
      if (digit_at(i + 2)) {
        out.push_back(U'-');
      } else {
        out += U"丁目";
        lot_ended = true;
        note_once("丁目のあとに番地がないため「－」にしていません");
      }
      ++i;
    } else if (at(s, i, U"番地") || (c == U'番' && !at(s, i, U"番町") && !at(s, i, U"番丁"))) {
      const std::size_t j = skip_no(i + (at(s, i, U"番地") ? 2 : 1));
      if (digit_at(j)) out.push_back(U'-');
      else lot_ended = true;  // the last number: 番地 / 番 is dropped
      i = j - 1;
    } else if (c == U'号') {
      const char32_t next = i + 1 < s.size() ? s[i + 1] : U'\0';
      if (next == U'室' || next == U'棟' || next == U'館' || next == U'地' || next == U'線') {
        out.push_back(c);  // 号室, 号棟...: part of a building
        lot_ended = true;
      } else if (digit_at(i + 1)) {
        out.push_back(U'-');
      } else {
        lot_ended = true;  // the last number: 号 is dropped
      }
    } else if (c == U'の' && digit_at(i + 1)) {
      out.push_back(U'-');
    } else if (is_dash_like(c) && digit_at(i + 1)) {
      out.push_back(U'-');
    } else {
      out.push_back(is_hyphen(c) ? U'-' : c);
      if (!is_hyphen(c)) lot_ended = true;  // the building (or the rest of the name) starts
    }
  }
  while (!out.empty() && out.back() == U' ') out.pop_back();

  if (out.empty()) return uncertain("", "住所がありません");
  Conversion result{to_u8(fullwidth(out)), true, {}};
  if (!lot_started) return uncertain(result.text, "番地（数字）が見つかりません");
  for (std::size_t i = 0; i + 1 < out.size(); ++i)
    if (is_kanji_numeral(out[i]) && (out[i + 1] == U'番' || out[i + 1] == U'号') && !at(out, i + 1, U"番町"))
      note_once("漢数字の番地・号があります");
  if (out.find(U"番地") != std::u32string::npos) note_once("「番地」を「－」にできませんでした");
  if (out.find(U'?') != std::u32string::npos || out.find(U'？') != std::u32string::npos)
    note_once("読み取れない文字があります");
  if (!note.empty()) return uncertain(result.text, note);
  return result;
}

std::optional<Conversion> export_form(std::string_view key, std::string_view value) {
  if (trim_ascii(value).empty()) return std::nullopt;
  if (key == "bank.holder_kana") return to_halfwidth_kana(value, Spacing::kCollapse);
  if (key == "officers.corp_kana") return to_halfwidth_kana(value, Spacing::kNone);
  if (key == "corp.name" || key == "officers.corp_name" || key == "pledge.corp_name") return expand_corporate_name(value);
  constexpr std::string_view kRows = "officers.rows[";
  if (key.starts_with(kRows)) {
    const auto rb = key.find("].");
    if (rb == std::string_view::npos) return std::nullopt;
    const auto column = key.substr(rb + 2);
    if (column == "name_kana") return to_halfwidth_kana(value, Spacing::kBetweenNames);
    if (column == "name") return to_fullwidth_name(value);
    if (column == "birth") return to_era_date(value);
    if (column == "address") return to_export_address(value);
  }
  return std::nullopt;
}

std::vector<OfficerProblem> officer_list_problems(const std::map<std::string, std::string>& values,
                                                  std::string_view today_iso) {
  // officers.rows[N].<column> -> rows[N][column]
  std::map<int, std::map<std::string, std::string>> rows;
  constexpr std::string_view kRows = "officers.rows[";
  for (const auto& [key, value] : values) {
    if (!key.starts_with(kRows)) continue;
    const auto rb = key.find("].", kRows.size());
    if (rb == std::string::npos) continue;
    int row = 0;
    const char* b = key.data() + kRows.size();
    if (auto [p, ec] = std::from_chars(b, key.data() + rb, row); ec != std::errc{} || p != key.data() + rb) continue;
    rows[row][key.substr(rb + 2)] = trim_ascii(value);
  }

  // The latest plausible birth date: 18 years before today (29 February -> 28 February).
  std::string latest;
  if (const auto t = parse_iso(trim_ascii(today_iso))) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", t->y - 18, t->m, (t->m == 2 && t->d == 29) ? 28 : t->d);
    latest = buf;
  }

  std::vector<OfficerProblem> out;
  for (const auto& [row, cols] : rows) {
    auto get = [&](const std::string& c) {
      auto it = cols.find(c);
      return it == cols.end() ? std::string() : it->second;
    };
    const bool any = std::any_of(cols.begin(), cols.end(), [](const auto& kv) { return !kv.second.empty(); });
    if (!any) continue;
    auto add = [&](const std::string& column, std::string message) {
      out.push_back({row, column, "officers.rows[" + std::to_string(row) + "]." + column, std::move(message)});
    };
    const std::string kana = get("name_kana");
    if (kana.empty()) add("name_kana", "フリガナがありません");
    else if (!halfwidth_kana_only(to_u32(to_halfwidth_kana(kana, Spacing::kCollapse).text)))
      add("name_kana", "フリガナにカタカナ以外の文字があります");
    if (get("name").empty()) add("name", "氏名がありません");
    const std::string birth = get("birth");
    if (birth.empty()) add("birth", "生年月日がありません");
    else if (!parse_iso(birth) || !to_era_date(birth).certain) add("birth", "生年月日が日付として読み取れません");
    else if (birth < "1900-01-01" || (!latest.empty() && birth > latest))
      add("birth", "生年月日がありえない日付です（1900年以降で18歳以上のはずです）");
    const std::string sex = get("sex");
    if (sex.empty()) add("sex", "性別がありません");
    else if (sex != "M" && sex != "F") add("sex", "性別が M（男）/ F（女）ではありません");
    const std::string address = get("address");
    if (address.empty()) add("address", "住所がありません");
    else if (auto a = to_export_address(address); !a.certain)
      add("address", "住所を「－」の形式にできません：" + a.note_ja);
  }
  return out;
}

}  // namespace station::review
