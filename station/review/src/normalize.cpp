// Match keys (normalize.h): ICU's NFKC for width, then small tables of what NFKC leaves alone.
//
// The variant-kanji table is the few old and variant forms (異体字) found in facility, corporate
// and personal names and place names of the list; see docs/dependencies.md for why it is a table
// here and what would replace it.
#include "station/review/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <array>
#include <utility>

namespace station::review {
namespace {

// Variant → common form (NFKC does not fold these: they are distinct characters).
constexpr std::array<std::pair<char32_t, char32_t>, 34> kVariants = {{
    {U'髙', U'高'}, {U'﨑', U'崎'}, {U'嵜', U'崎'}, {U'埼', U'埼'}, {U'邉', U'辺'}, {U'邊', U'辺'},
    {U'濵', U'浜'}, {U'濱', U'浜'}, {U'嶋', U'島'}, {U'嶌', U'島'}, {U'齋', U'斎'}, {U'齊', U'斉'},
    {U'澤', U'沢'}, {U'櫻', U'桜'}, {U'廣', U'広'}, {U'國', U'国'}, {U'惠', U'恵'}, {U'會', U'会'},
    {U'槇', U'槙'}, {U'𠮷', U'吉'}, {U'冨', U'富'}, {U'德', U'徳'}, {U'眞', U'真'}, {U'實', U'実'},
    {U'藏', U'蔵'}, {U'榮', U'栄'}, {U'壽', U'寿'}, {U'龍', U'竜'}, {U'遙', U'遥'}, {U'瀨', U'瀬'},
    {U'舘', U'館'}, {U'ヵ', U'ケ'}, {U'ヶ', U'ケ'}, {U'彌', U'弥'},
}};

// Abbreviations of legal forms, after NFKC (so "(株)" is ASCII parentheses).
constexpr std::array<std::pair<std::u32string_view, std::u32string_view>, 11> kLegalForms = {{
    {U"(株)", U"株式会社"}, {U"(有)", U"有限会社"}, {U"(合)", U"合同会社"}, {U"(福)", U"社会福祉法人"},
    {U"(社福)", U"社会福祉法人"}, {U"(医)", U"医療法人"}, {U"(医社)", U"医療法人社団"},
    {U"(特非)", U"特定非営利活動法人"}, {U"(NPO)", U"特定非営利活動法人"}, {U"(一社)", U"一般社団法人"},
    {U"(財)", U"財団法人"},
}};

// Legal-form words in holders' kana and the abbreviation banks print (全銀協の略語). Longer first.
constexpr std::array<std::pair<std::u32string_view, std::u32string_view>, 12> kKanaLegalForms = {{
    {U"イリヨウホウジンシヤダン", U"イ"}, {U"イリヨウホウジンザイダン", U"イ"},
    {U"シヤカイフクシホウジン", U"シヤ"}, {U"トクテイヒエイリカツドウホウジン", U"トクヒ"},
    {U"イツパンシヤダンホウジン", U"シヤ"}, {U"イリヨウホウジン", U"イ"}, {U"カブシキガイシヤ", U"カ"},
    {U"ユウゲンガイシヤ", U"ユ"}, {U"ゴウドウガイシヤ", U"ド"}, {U"ザイダンホウジン", U"ザイ"},
    {U"シヤダンホウジン", U"シヤ"}, {U"ゴウシガイシヤ", U"シ"},
}};

std::u32string to_u32(std::string_view utf8, bool nfkc) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  if (nfkc) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
    if (U_SUCCESS(status)) {
      icu::UnicodeString out = n->normalize(u, status);
      if (U_SUCCESS(status)) u = out;
    }
  }
  std::u32string s;
  s.reserve(static_cast<std::size_t>(u.length()));
  for (int32_t i = 0; i < u.length();) {
    const UChar32 c = u.char32At(i);
    s.push_back(static_cast<char32_t>(c));
    i += U16_LENGTH(c);
  }
  return s;
}

std::string to_utf8(const std::u32string& s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (char32_t c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

bool is_space(char32_t c) { return c == U' ' || c == U'\t' || c == U'\u3000' || c == U'\r' || c == U'\n'; }
bool is_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool is_dash(char32_t c) {
  return c == U'-' || c == U'\u2010' || c == U'\u2011' || c == U'\u2012' || c == U'\u2013' || c == U'\u2014' ||
         c == U'\u2015' || c == U'\u2212' || c == U'\u30FC' || c == U'\uFF70' || c == U'\u2500';
}

std::u32string fold32(std::string_view text) {
  const std::u32string in = to_u32(text, true);
  std::u32string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char32_t c = in[i];
    if (is_space(c)) continue;
    for (const auto& [from, to] : kVariants)
      if (c == from) c = to;
    // A dash or long bar right after a digit is a hyphen (番地の「－」, 「ー」 written for it).
    if (is_dash(c) && c != U'\u30FC' && c != U'\uFF70') c = U'-';
    if (c == U'\u30FC' && !out.empty() && is_digit(out.back())) c = U'-';
    if (c >= U'A' && c <= U'Z') c = c - U'A' + U'a';
    out.push_back(c);
  }
  return out;
}

void replace_all(std::u32string& s, std::u32string_view from, std::u32string_view to) {
  for (std::size_t at = s.find(from); at != std::u32string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

std::u32string name_key32(std::string_view text) {
  std::u32string s = fold32(text);
  for (const auto& [from, to] : kLegalForms) replace_all(s, from, to);
  return s;
}

int kanji_digit(char32_t c) {
  static constexpr std::u32string_view kDigits = U"〇一二三四五六七八九";
  const auto at = kDigits.find(c);
  return at == std::u32string_view::npos ? -1 : static_cast<int>(at);
}

// A run of kanji numerals (一, 十五, 二十三, 百二) as its value; -1 if it is not one.
long kanji_number(std::u32string_view run) {
  long total = 0, current = 0;
  bool any = false;
  for (char32_t c : run) {
    const int d = kanji_digit(c);
    if (d >= 0) {
      current = current * 10 + d;
      any = true;
    } else if (c == U'十' || c == U'百' || c == U'千') {
      const long unit = c == U'十' ? 10 : c == U'百' ? 100 : 1000;
      total += (current == 0 ? 1 : current) * unit;
      current = 0;
      any = true;
    } else {
      return -1;
    }
  }
  return any ? total + current : -1;
}

bool is_kanji_numeral(char32_t c) { return kanji_digit(c) >= 0 || c == U'十' || c == U'百' || c == U'千'; }

}  // namespace

std::string fold(std::string_view text) { return to_utf8(fold32(text)); }

std::string name_key(std::string_view text) { return to_utf8(name_key32(text)); }

std::string address_key(std::string_view text) {
  std::u32string s = name_key32(text);
  if (s.starts_with(U"千葉県")) s.erase(0, 3);
  // Kanji numerals before 丁目・番・番地・号 as digits (二丁目 → 2丁目).
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    if (is_kanji_numeral(s[i])) {
      std::size_t j = i;
      while (j < s.size() && is_kanji_numeral(s[j])) ++j;
      const std::u32string_view rest(s.data() + j, s.size() - j);
      const long n = kanji_number(std::u32string_view(s.data() + i, j - i));
      if (n >= 0 && (rest.starts_with(U"丁目") || rest.starts_with(U"番") || rest.starts_with(U"号"))) {
        for (char c : std::to_string(n)) out.push_back(static_cast<char32_t>(c));
        i = j;
        continue;
      }
      out.append(s, i, j - i);
      i = j;
      continue;
    }
    out.push_back(s[i]);
    ++i;
  }
  s = std::move(out);
  for (std::u32string_view unit : {U"丁目", U"番地の", U"番地", U"番", U"号", U"の"}) {
    // Only after a digit: 番 in a place name (番場) stays.
    for (std::size_t at = s.find(unit); at != std::u32string::npos; at = s.find(unit, at + 1)) {
      if (at == 0 || !is_digit(s[at - 1])) continue;
      const bool more = at + unit.size() < s.size() && is_digit(s[at + unit.size()]);
      if (unit == U"の" && !more) continue;
      s.replace(at, unit.size(), more ? U"-" : U"");
    }
  }
  while (!s.empty() && s.back() == U'-') s.pop_back();
  return to_utf8(s);
}

std::string kana_key(std::string_view text) {
  std::u32string s = to_u32(text, true);
  std::u32string out;
  out.reserve(s.size());
  for (char32_t c : s) {
    if (is_space(c) || c == U'(' || c == U')' || c == U'.' || c == U',' || c == U'・' || c == U'-' ||
        c == U'\u30FC' || c == U'、' || c == U'。' || c == U'「' || c == U'」')
      continue;
    if (c >= U'\u3041' && c <= U'\u3096') c += 0x60;  // hiragana → katakana
    switch (c) {  // small kana as large (banks print ｼﾔ for シャ)
      case U'ァ': c = U'ア'; break;
      case U'ィ': c = U'イ'; break;
      case U'ゥ': c = U'ウ'; break;
      case U'ェ': c = U'エ'; break;
      case U'ォ': c = U'オ'; break;
      case U'ッ': c = U'ツ'; break;
      case U'ャ': c = U'ヤ'; break;
      case U'ュ': c = U'ユ'; break;
      case U'ョ': c = U'ヨ'; break;
      case U'ヮ': c = U'ワ'; break;
      case U'ヵ': c = U'カ'; break;
      case U'ヶ': c = U'ケ'; break;
      default: break;
    }
    if (c >= U'a' && c <= U'z') c = c - U'a' + U'A';
    out.push_back(c);
  }
  for (const auto& [from, to] : kKanaLegalForms) replace_all(out, from, to);
  return to_utf8(out);
}

std::string digits_only(std::string_view text) {
  std::string out;
  for (char32_t c : to_u32(text, true))
    if (is_digit(c)) out.push_back(static_cast<char>(c));
  return out;
}

}  // namespace station::review
