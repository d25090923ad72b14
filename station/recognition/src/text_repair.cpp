// Japanese text repair: what the engine's readings carry that is not the writer's.
#include "text_repair.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/regex.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "ocr/layout.h"

namespace station::recognition::detail {
namespace {

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

// The lexicon fix_chiba_address matches a reading against (text_repair.h).
const char* const kChibaMunicipalities[] = {
    "千葉市", "銚子市",   "市川市",     "船橋市",   "館山市",     "木更津市", "松戸市", "野田市",
    "茂原市", "成田市",   "佐倉市",     "東金市",   "旭市",       "習志野市", "柏市",   "勝浦市",
    "市原市", "流山市",   "八千代市",   "我孫子市", "鴨川市",     "鎌ケ谷市", "君津市", "富津市",
    "浦安市", "四街道市", "袖ケ浦市",   "八街市",   "印西市",     "白井市",   "富里市", "南房総市",
    "匝瑳市", "香取市",   "山武市",     "いすみ市", "大網白里市", "酒々井町", "栄町",   "神崎町",
    "多古町", "東庄町",   "九十九里町", "芝山町",   "横芝光町",   "一宮町",   "睦沢町", "長生村",
    "白子町", "長柄町",   "長南町",     "大多喜町", "御宿町",     "鋸南町"};
const char* const kChibaWards[] = {"中央区", "花見川区", "稲毛区", "若葉区", "緑区", "美浜区"};

// The top-level domains that exist: the single-label rules of the ICANN section of the Public
// Suffix List (Debian's publicsuffix). Empty when the list is not installed: then any alphabetic
// label of 2 to 6 letters passes.
constexpr const char* kPublicSuffixList = "/usr/share/publicsuffix/public_suffix_list.dat";

const std::set<std::string>& top_level_domains() {
  static const std::set<std::string> tlds = [] {
    std::set<std::string> out;
    std::ifstream in(kPublicSuffixList);
    bool icann = false;
    for (std::string line; std::getline(in, line);) {
      if (line.find("===BEGIN ICANN DOMAINS===") != std::string::npos) icann = true;
      if (line.find("===END ICANN DOMAINS===") != std::string::npos) break;
      if (!icann || line.empty() || line.starts_with("//")) continue;
      if (const auto end = line.find_first_of(" \t\r"); end != std::string::npos) line.resize(end);
      if (!line.empty() && line.find('.') == std::string::npos &&
          std::all_of(line.begin(), line.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; }))
        out.insert(line);
    }
    return out;
  }();
  return tlds;
}

// JPRS's second-level labels under jp (co.jp, or.jp, ne.jp, …).
constexpr const char* kJprsLabels[] = {"co", "or", "ne", "ac", "go", "lg", "ed", "gr", "ad"};

bool is_top_level_domain(const std::string& label) {
  const std::set<std::string>& tlds = top_level_domains();
  return tlds.empty() ? label.size() >= 2 && label.size() <= 6 : tlds.contains(label);
}

// Edits from a reading to a lexicon name, in half edits: a character the model cannot output (鋸)
// is always read as something else, so reading another in its place costs half an edit.
int lexicon_distance(const icu::UnicodeString& read, const icu::UnicodeString& name,
                     const Readable& readable) {
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

// How many of `name`'s characters `read` has in the same order (their longest common subsequence).
int32_t characters_in_common(const icu::UnicodeString& read, const icu::UnicodeString& name) {
  std::vector<int32_t> prev(static_cast<std::size_t>(name.length()) + 1, 0), cur(prev.size(), 0);
  for (int32_t i = 1; i <= read.length(); ++i) {
    for (int32_t j = 1; j <= name.length(); ++j)
      cur[j] = read.charAt(i - 1) == name.charAt(j - 1) ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    std::swap(prev, cur);
  }
  return prev[name.length()];
}

// The one best of several candidate names (by index), by fewest edits and then most characters
// read as such, with what came with it (`extra`: how much of the reading it covers); a tie between
// two different names for the best leaves none, one name offered twice is one.
class UniqueNearest {
 public:
  void offer(int distance, int32_t common, std::size_t name, int32_t extra = 0) {
    if (distance < best_ || (distance == best_ && common > common_)) {
      best_ = distance;
      common_ = common;
      name_ = name;
      extra_ = extra;
      found_ = 1;
    } else if (distance == best_ && common == common_ && name != name_) {
      ++found_;
    }
  }
  // Within one edit (two half edits), and alone there: the name's index and its `extra`.
  std::optional<std::pair<std::size_t, int32_t>> unique() const {
    if (found_ != 1) return std::nullopt;
    return std::pair{name_, extra_};
  }

 private:
  int best_ = 3, found_ = 0;
  int32_t common_ = -1, extra_ = 0;
  std::size_t name_ = 0;
};

// At `pos` of `u`, the one lexicon name within one edit (a misread, a lost or an extra character);
// returns the length of `u` it covers and sets `name`, or -1 when none or several fit equally.
// Names equally near are told apart by how many of their characters were read as such: a name of
// kanji the model cannot output (匝瑳市) is half an edit from any reading per such kanji, which must
// not tie it with the name whose other characters were read (白井市 for 臼井市).
int32_t nearest_name(const icu::UnicodeString& u, int32_t pos, const char* const* names, std::size_t n,
                     icu::UnicodeString& name, const Readable& readable) {
  UniqueNearest pick;  // the name's index, and the length of `u` it covers
  for (std::size_t k = 0; k < n; ++k) {
    const icu::UnicodeString m = icu::UnicodeString::fromUTF8(names[k]);
    for (int32_t len = m.length() - 1; len <= m.length() + 1; ++len) {
      if (len < 2 || pos + len > u.length()) continue;
      // The suffix (市, 町, 村, 区) must be read as such: it anchors the name.
      if (u.charAt(pos + len - 1) != m.charAt(m.length() - 1)) continue;
      const icu::UnicodeString read(u, pos, len);
      pick.offer(lexicon_distance(read, m, readable), characters_in_common(read, m), k, len);
    }
  }
  const auto best = pick.unique();
  if (!best) return -1;
  name = icu::UnicodeString::fromUTF8(names[best->first]);
  return best->second;
}

// The readings of the legal-entity words every corporate name in furigana carries. Tesseract
// confuses ブ/プ, ビ/ピ and a voiced kana with its plain one; where a run of the reading differs
// from one of these words only in such marks, it is that word.
const char* const kKanaWords[] = {"シャカイフクシホウジン",
                                  "イリョウホウジン",
                                  "シャダン",
                                  "ザイダン",
                                  "カブシキガイシャ",
                                  "ユウゲンガイシャ",
                                  "ゴウドウガイシャ",
                                  "ゴウシガイシャ",
                                  "トクテイヒエイリカツドウホウジン",
                                  "イッパンシャダンホウジン",
                                  "イッパンザイダンホウジン",
                                  "ダイヒョウトリシマリヤク",
                                  "トリシマリヤク",
                                  "リジチョウ"};

// Katakana the Japanese model reads for the kanji they look like, where no kana stands beside
// them: ー四九 is 一四九, 山ロ is 山口, 協カ is 協力, 第ニ is 第二. Only next to a kanji and with no
// kana on either side (ホーム, ケアプラザ keep theirs); ケ and ノ are left alone (袖ケ浦, 一ノ瀬).
std::string kanji_lookalikes(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  auto at = [&](int32_t i) -> char16_t { return i >= 0 && i < u.length() ? u.charAt(i) : u'\0'; };
  auto kana = [](char16_t c) { return (c >= 0x3041 && c <= 0x309F) || (c >= 0x30A1 && c <= 0x30FF); };
  auto kanji = [](char16_t c) { return (c >= 0x4E00 && c <= 0x9FFF) || c == 0x3005; };
  static constexpr std::pair<char16_t, char16_t> kLooks[] = {{u'ー', u'一'}, {u'ニ', u'二'}, {u'ロ', u'口'},
                                                             {u'カ', u'力'}, {u'エ', u'工'}, {u'ハ', u'八'},
                                                             {u'タ', u'夕'}};
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

}  // namespace

std::string digits_of(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

std::string fix_dashes(const std::string& s) {
  static const char* kDashes[] = {"ー", "一", "－", "‐", "—", "–", "―", "−"};
  std::string out = s;
  for (const char* d : kDashes) {
    const std::string dash = d;
    std::size_t pos = 0;
    while ((pos = out.find(dash, pos)) != std::string::npos) {
      const bool digit_before = pos > 0 && std::isdigit(static_cast<unsigned char>(out[pos - 1]));
      const bool digit_after =
          pos + dash.size() < out.size() && std::isdigit(static_cast<unsigned char>(out[pos + dash.size()]));
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

std::vector<std::string> utf8_characters(const std::string& s) {
  std::vector<std::string> out;
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) {
    std::string ch;
    u.tempSubStringBetween(i, u.moveIndex32(i, 1)).toUTF8String(ch);
    out.push_back(std::move(ch));
  }
  return out;
}

std::vector<std::size_t> place_pieces(const std::vector<std::string>& pieces, const std::string& text) {
  constexpr std::size_t npos = std::string::npos;
  // The pieces' characters, each with its piece; text's characters other than spaces, each with
  // its byte offset.
  std::vector<std::string> a;
  std::vector<std::size_t> piece_of;
  for (std::size_t p = 0; p < pieces.size(); ++p)
    for (std::string& ch : utf8_characters(pieces[p])) {
      a.push_back(std::move(ch));
      piece_of.push_back(p);
    }
  std::vector<std::string> b;
  std::vector<std::size_t> offset;
  std::size_t at = 0;
  for (std::string& ch : utf8_characters(text)) {
    const std::size_t n = ch.size();
    if (ch != " " && ch != "\t" && ch != "\u3000") {
      b.push_back(std::move(ch));
      offset.push_back(at);
    }
    at += n;
  }
  // Longest common subsequence, then walked back into a match for each of a's characters.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> l(n + 1, std::vector<int>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      l[i][j] = a[i] == b[j] ? l[i + 1][j + 1] + 1 : std::max(l[i + 1][j], l[i][j + 1]);
  std::vector<std::size_t> match(n, npos);
  for (std::size_t i = 0, j = 0; i < n && j < m;) {
    if (a[i] == b[j]) {
      match[i++] = j++;
    } else if (l[i + 1][j] >= l[i][j + 1]) {
      ++i;
    } else {
      ++j;
    }
  }
  // A piece is placed where all its characters matched, one after another.
  std::vector<std::size_t> out(pieces.size(), npos);
  for (std::size_t i = 0; i < n;) {
    const std::size_t p = piece_of[i];
    std::size_t k = i;
    bool whole = true;
    while (k < n && piece_of[k] == p) {
      if (match[k] == npos || (k > i && match[k] != match[k - 1] + 1)) whole = false;
      ++k;
    }
    if (whole) out[p] = offset[match[i]];
    i = k;
  }
  return out;
}

std::string strip_spaces(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == ' ' || s[i] == '\t') {
      ++i;
      continue;
    }
    if (s.compare(i, 3, "\u3000") == 0) {
      i += 3;
      continue;
    }
    out += s[i++];
  }
  return out;
}

bool is_name_key(const std::string& key) {
  for (const char* suffix : {"rep_name", "contact.name", "].name", "].name_kana", "pledge.rep", "bank.holder",
                             "bank.holder_kana"}) {
    const std::string sfx = suffix;
    if (key.size() >= sfx.size() && key.compare(key.size() - sfx.size(), sfx.size(), sfx) == 0) return true;
  }
  return false;
}

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

std::string keep_wide_spaces(const std::string& s) {
  static constexpr std::string_view kSpecks[] = {".", ",", "\"", "\u201d", "\u201c", "'", "\u2019", "`", ":", ";"};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == ' ' || s[i] == '\t') {
      ++i;
      continue;
    }
    std::size_t speck = 0;
    for (std::string_view k : kSpecks)
      if (s.compare(i, k.size(), k) == 0) speck = k.size();
    if (s.compare(i, 3, "\u3000") == 0 || (speck > 0 && !out.empty() && i + speck < s.size())) {
      i += speck > 0 ? speck : 3;
      if (!out.empty() && out.compare(out.size() >= 3 ? out.size() - 3 : 0, 3, "\u3000") != 0)
        out += "\u3000";
      continue;
    }
    out += s[i++];
  }
  while (out.size() >= 3 && out.compare(out.size() - 3, 3, "\u3000") == 0) out.erase(out.size() - 3);
  return out;
}

std::string trim_junk(const std::string& s) {
  // Typographic quotes too: no form value opens or closes with one (a stroke of the cell's ruling
  // or a speck read as “ after 支店).
  static const char* kJunk[] = {"|", ",", ".",  "・", "-", "_", "'", "\"", ":", ";", "!", "、",
                                "。", "`", "~", "/", "\\", "*", "“", "”", "‘", "’"};
  std::string out = s;
  for (bool changed = true; changed && !out.empty();) {
    changed = false;
    for (const char* j : kJunk) {
      const std::string t = j;
      if (out.size() >= t.size() && out.compare(0, t.size(), t) == 0) {
        out.erase(0, t.size());
        changed = true;
      }
      if (out.size() >= t.size() && out.compare(out.size() - t.size(), t.size(), t) == 0) {
        out.erase(out.size() - t.size());
        changed = true;
      }
    }
  }
  return out;
}

bool drop_stray_before_go(std::string& s) {
  const std::vector<std::string> chars = utf8_characters(s);
  const auto digit = [](const std::string& c) { return c.size() == 1 && c[0] >= '0' && c[0] <= '9'; };
  std::string out;
  bool dropped = false;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const bool stray = i > 0 && i + 1 < chars.size() && digit(chars[i - 1]) && chars[i + 1] == "号" && !digit(chars[i]) &&
                       chars[i] != "番" && chars[i] != "目" && chars[i] != "-";
    if (stray) {
      dropped = true;
      continue;
    }
    out += chars[i];
  }
  if (dropped) s = out;
  return dropped;
}

bool drop_marks_after_number(std::string& s) {
  static const std::set<std::string> kMarks = {"」", "「", "』", "『", "|", "｜", "]", "[", ")", "）", "'", "\"",
                                               "`", ".", "。", "、", ",", "，", "・"};
  std::vector<std::string> chars = utf8_characters(s);
  std::size_t end = chars.size();
  while (end > 0 && kMarks.contains(chars[end - 1])) --end;
  if (end == chars.size() || end == 0 || !(chars[end - 1].size() == 1 && chars[end - 1][0] >= '0' && chars[end - 1][0] <= '9'))
    return false;
  std::string out;
  for (std::size_t i = 0; i < end; ++i) out += chars[i];
  s = out;
  return true;
}

bool mend_chome(std::string& s) {
  static const std::set<std::string> kLikeMe = {"日", "自", "月", "且"};
  const std::vector<std::string> chars = utf8_characters(s);
  const auto digit = [](const std::string& c) { return c.size() == 1 && c[0] >= '0' && c[0] <= '9'; };
  std::string out;
  bool mended = false;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    if (i >= 2 && digit(chars[i - 2]) && chars[i - 1] == "丁" && kLikeMe.contains(chars[i])) {
      out += "目";
      mended = true;
      continue;
    }
    out += chars[i];
  }
  if (mended) s = out;
  return mended;
}

std::string dots_between_digits_to_dashes(const std::string& s) {
  std::string out = s;
  for (std::size_t i = 1; i + 1 < out.size(); ++i)
    if (out[i] == '.' && std::isdigit(static_cast<unsigned char>(out[i - 1])) &&
        std::isdigit(static_cast<unsigned char>(out[i + 1])))
      out[i] = '-';
  // A speck read as a dot beside a hyphen between digits (7-.18): the hyphen alone.
  for (std::size_t i = 1; i + 2 < out.size();) {
    const auto digit = [&](std::size_t k) { return std::isdigit(static_cast<unsigned char>(out[k])) != 0; };
    if (digit(i - 1) && ((out[i] == '-' && out[i + 1] == '.') || (out[i] == '.' && out[i + 1] == '-')) && digit(i + 2)) {
      out.erase(out[i] == '.' ? i : i + 1, 1);
      continue;
    }
    ++i;
  }
  return out;
}

bool is_han(const std::string& ch) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(ch);
  return u.length() > 0 && u_hasBinaryProperty(u.char32At(0), UCHAR_IDEOGRAPHIC) != 0;
}

bool is_address_number_kanji(const std::string& ch) {
  return ch == "丁" || ch == "目" || ch == "番" || ch == "地" || ch == "号";
}

// An address's number as addresses write it: 8-19-20, 3丁目14番25号, 1038番地20, 12番.
#define ADDRESS_NUMBER "([0-9]+丁目)?[0-9]+(番地?([0-9]+号?)?|(-[0-9]+){1,2})?"

bool address_number_grammar_ok(const std::string& number) {
  return !number.empty() && !find_re(number, "^" ADDRESS_NUMBER "$", 0).empty();
}

std::string leading_address_number(const std::string& text) { return find_re(text, "^(" ADDRESS_NUMBER ")", 1); }

#undef ADDRESS_NUMBER

bool address_ends_in_a_number(const std::string& address) {
  const std::vector<std::string> chars = utf8_characters(strip_spaces(address));
  std::size_t from = chars.size();
  while (from > 0 && !(is_han(chars[from - 1]) && !is_address_number_kanji(chars[from - 1]))) --from;
  std::string number;
  for (std::size_t k = from; k < chars.size(); ++k) number += chars[k];
  return address_number_grammar_ok(number);
}

bool has_stray_marks(const std::string& s) {
  for (const char* m : {"|", "!", "?", "_", "~", "`", "\\", "{", "}", "[", "]", "<", ">", ";", "・"})
    if (s.find(m) != std::string::npos) return true;
  int latin = 0;
  for (char ch : s)
    if (std::isalpha(static_cast<unsigned char>(ch))) ++latin;
  return latin > 0 && latin < static_cast<int>(s.size()) / 2;  // Latin mixed into Japanese
}

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
    if (ch >= '0' && ch <= '9') {
      out += ch;
      continue;
    }
    bool mapped = false;
    for (const auto& [from, to] : kMap)
      if (ch == from) {
        out += to;
        mapped = true;
        break;
      }
    if (!mapped) return "";  // something that is no digit at all
  }
  return out;
}

int edit_distance(const icu::UnicodeString& a, const icu::UnicodeString& b) {
  return lexicon_distance(a, b, [](char16_t) { return true; }) / 2;
}

std::string fix_chiba_address(const std::string& s, bool& changed, const Readable& readable) {
  changed = false;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  const icu::UnicodeString pref = icu::UnicodeString::fromUTF8("千葉県");
  if (u.length() < 5 || edit_distance(icu::UnicodeString(u, 0, 3), pref) > 1) return s;
  if (u.tempSubString(0, 3) != pref) {
    u.replace(0, 3, pref);
    changed = true;
  }
  icu::UnicodeString name;
  const int32_t len =
      nearest_name(u, 3, kChibaMunicipalities, std::size(kChibaMunicipalities), name, readable);
  if (len < 0)
    return changed ? [&] { std::string o; u.toUTF8String(o); return o; }() : s;
  if (u.tempSubString(3, len) != name) {
    u.replace(3, len, name);
    changed = true;
  }
  if (name == icu::UnicodeString::fromUTF8("千葉市")) {
    icu::UnicodeString ward;
    const int32_t wl =
        nearest_name(u, 3 + name.length(), kChibaWards, std::size(kChibaWards), ward, readable);
    if (wl > 0 && u.tempSubString(3 + name.length(), wl) != ward) {
      u.replace(3 + name.length(), wl, ward);
      changed = true;
    }
  }
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::vector<std::string> chiba_municipalities() { return {std::begin(kChibaMunicipalities), std::end(kChibaMunicipalities)}; }
std::vector<std::string> chiba_wards() { return {std::begin(kChibaWards), std::end(kChibaWards)}; }

std::optional<TownSpan> chiba_town(const std::string& address) {
  static const std::string kPref = "千葉県";
  if (!address.starts_with(kPref)) return std::nullopt;
  std::size_t at = kPref.size();
  std::string found;
  for (const char* m : kChibaMunicipalities)
    if (address.compare(at, std::strlen(m), m) == 0 && std::strlen(m) > found.size()) found = m;
  if (found.empty()) return std::nullopt;
  at += found.size();
  if (found == "千葉市")
    for (const char* w : kChibaWards)
      if (address.compare(at, std::strlen(w), w) == 0) {
        at += std::strlen(w);
        break;
      }
  std::size_t end = at;
  while (end < address.size() && !(address[end] >= '0' && address[end] <= '9')) ++end;
  return TownSpan{at, end};
}

std::vector<MunicipalityCandidate> municipalities_one_off(const std::string& address) {
  std::vector<MunicipalityCandidate> out;
  const std::vector<std::string> chars = utf8_characters(address);
  constexpr std::size_t kPref = 3;  // 千葉県
  if (!address.starts_with("千葉県") || chiba_town(address)) return out;
  for (const char* m : kChibaMunicipalities) {
    const std::vector<std::string> name = utf8_characters(m);
    if (kPref + name.size() > chars.size()) continue;
    std::size_t differ = 0, at = 0;
    for (std::size_t k = 0; k < name.size(); ++k)
      if (chars[kPref + k] != name[k]) ++differ, at = kPref + k;
    if (differ != 1) continue;
    std::string mended;
    for (std::size_t k = 0; k < chars.size(); ++k) mended += k == at ? name[at - kPref] : chars[k];
    out.push_back({mended, at});
  }
  return out;
}

std::optional<std::string> nearest_in_lexicon(const std::string& read, const std::vector<std::string>& names,
                                              const Readable& readable, std::size_t min_chars) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(read);
  if (static_cast<std::size_t>(u.countChar32()) < min_chars) return std::nullopt;
  UniqueNearest pick;
  for (std::size_t k = 0; k < names.size(); ++k) {
    const icu::UnicodeString m = icu::UnicodeString::fromUTF8(names[k]);
    if (std::abs(m.length() - u.length()) > 1) continue;
    const int d = lexicon_distance(u, m, readable);
    if (d == 0) return std::nullopt;  // a name as read
    pick.offer(d, characters_in_common(u, m), k);
  }
  const auto best = pick.unique();
  if (!best) return std::nullopt;
  return names[best->first];
}

char16_t unvoiced(char16_t c) {
  UErrorCode st = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(st);
  if (U_FAILURE(st) || nfd == nullptr) return c;
  const icu::UnicodeString d = nfd->normalize(icu::UnicodeString(c), st);
  return U_SUCCESS(st) && d.length() > 0 ? d.charAt(0) : c;
}

std::vector<std::string> voicing_variants(const std::string& kana) {
  UErrorCode st = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(st);
  if (U_FAILURE(st) || nfc == nullptr) return {};
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(kana);
  std::vector<std::string> out;
  for (int32_t i = 0; i < u.length(); ++i) {
    const char16_t c = u.charAt(i), base = unvoiced(c);
    for (const char16_t mark : {char16_t{0}, char16_t{0x3099}, char16_t{0x309A}}) {
      icu::UnicodeString composed(base);
      if (mark != 0) composed.append(mark);
      composed = nfc->normalize(composed, st);
      if (U_FAILURE(st)) return out;
      if (composed.length() != 1 || composed.charAt(0) == c) continue;
      icu::UnicodeString v = u;
      v.setCharAt(i, composed.charAt(0));
      std::string s;
      v.toUTF8String(s);
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    }
  }
  return out;
}

static bool same_but_size(char16_t a, char16_t b) {
  static const std::u16string_view small = u"ァィゥェォッャュョヮ", big = u"アイウエオツヤユヨワ";
  const auto sa = small.find(a), sb = small.find(b);
  return (sa != std::u16string_view::npos && big[sa] == b) || (sb != std::u16string_view::npos && big[sb] == a);
}

namespace {

// Small kana write a sound only after certain kana (ファ, ティ, ウォ; キャ, デュ); anywhere else,
// at a word's start included, the model has read a full-size one small (ァイセイ, アォバ, ョウコ).
void make_small_kana_full(icu::UnicodeString& u) {
  const icu::UnicodeString big = icu::UnicodeString::fromUTF8("アイウエオ"),
                           small = icu::UnicodeString::fromUTF8("ァィゥェォ");
  const icu::UnicodeString after_small_vowel = icu::UnicodeString::fromUTF8("ウヴクグシジチツテデトドフイキ");
  const icu::UnicodeString after_small_y = icu::UnicodeString::fromUTF8("キギシジチヂニヒビピミリテデフヴ");
  const icu::UnicodeString small_y = icu::UnicodeString::fromUTF8("ャュョ"),
                           big_y = icu::UnicodeString::fromUTF8("ヤユヨ");
  for (int32_t i = 0; i < u.length(); ++i) {
    const char16_t prev = i > 0 ? u.charAt(i - 1) : u' ';
    if (const int32_t k = small.indexOf(u.charAt(i)); k >= 0 && after_small_vowel.indexOf(prev) < 0)
      u.setCharAt(i, big.charAt(k));
    if (const int32_t k = small_y.indexOf(u.charAt(i)); k >= 0 && after_small_y.indexOf(prev) < 0)
      u.setCharAt(i, big_y.charAt(k));
  }
}

}  // namespace

std::string small_kana_made_full(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  make_small_kana_full(u);
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string fix_kana_words(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  const icu::UnicodeString big = icu::UnicodeString::fromUTF8("アイウエオ"),
                           small = icu::UnicodeString::fromUTF8("ァィゥェォ");
  for (int32_t i = u.length() - 1; i > 0; --i) {
    const int32_t k = small.indexOf(u.charAt(i));
    const bool word_end = i + 1 == u.length() || u.charAt(i + 1) == 0x3000 || u.charAt(i + 1) == ' ';
    if (k >= 0 && word_end && u.charAt(i - 1) == big.charAt(k)) u.remove(i, 1);
  }
  make_small_kana_full(u);
  for (const char* w : kKanaWords) {
    const icu::UnicodeString word = icu::UnicodeString::fromUTF8(w);
    for (int32_t at = 0; at + word.length() <= u.length(); ++at) {
      bool same_base = true, differs = false;
      for (int32_t j = 0; j < word.length() && same_base; ++j) {
        const char16_t a = u.charAt(at + j), b = word.charAt(j);
        if (a == b) continue;
        differs = true;
        // A voicing mark, or the size of a kana (ャ/ヤ, ッ/ツ): what the model confuses in these words.
        same_base = unvoiced(a) == unvoiced(b) || same_but_size(a, b);
      }
      if (same_base && differs) u.replace(at, word.length(), word);
    }
  }
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string latin_lookalikes(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  auto capital = [&](int32_t i) {
    return i >= 0 && i < u.length() && u.charAt(i) >= 'A' && u.charAt(i) <= 'Z';
  };
  for (int32_t i = 0; i < u.length(); ++i)
    if (u.charAt(i) == u'り' && (capital(i - 1) || capital(i + 1))) u.setCharAt(i, 'U');
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string clean_free_text(const std::string& s) {
  return kanji_lookalikes(latin_lookalikes(trim_ruling_remnants(trim_junk(fix_dashes(s)))));
}

std::string find_re(const std::string& text, const char* pattern, int g) {
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


bool email_grammar_ok(const std::string& s) {
  const auto at = s.find('@');
  if (at == std::string::npos || at == 0 || s.find('@', at + 1) != std::string::npos) return false;
  const std::string local = s.substr(0, at), domain = s.substr(at + 1);
  const auto allowed = [](const std::string& x, const char* extra) {
    return std::all_of(x.begin(), x.end(), [&](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || std::strchr(extra, ch) != nullptr;
    });
  };
  const std::string small_local = [&] {
    std::string x = local;
    for (char& ch : x)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');  // a local part may be in capitals
    return x;
  }();
  if (!allowed(small_local, "._%+-") || local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos)
    return false;
  std::vector<std::string> labels;
  for (std::size_t start = 0;;) {
    const auto dot = domain.find('.', start);
    labels.push_back(domain.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (labels.size() < 2) return false;
  for (const std::string& l : labels)
    if (l.empty() || !allowed(l, "-") || l.front() == '-' || l.back() == '-') return false;
  const std::string& tld = labels.back();
  if (tld.size() < 2 || tld.size() > 6 || !std::all_of(tld.begin(), tld.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; }))
    return false;
  // No top-level label ends with jp but jp itself (orjp, cojjp: a dot lost, a glyph read twice),
  // and none starts with a letter read twice (jjp, ccom).
  if (tld.size() > 2 && (tld.ends_with("jp") || tld[0] == tld[1])) return false;
  // A label no registry serves (.jd, .comt) is a misreading.
  return is_top_level_domain(tld);
}

std::string email_as_read(const std::string& raw) {
  std::string s = strip_spaces(raw);
  while (!s.empty() && (s.back() == '.' || s.back() == '-' || s.back() == '_')) s.pop_back();  // never ends so
  // Case: a domain has none; a local part in mixed case is in small letters, one read as its
  // capital (soUmu: u, o, s, c, v, w, x, z differ only in size); all capitals stay.
  const auto at = s.find('@');
  if (at == std::string::npos) return s;
  const auto lower = [](std::string x) {
    for (char& ch : x)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return x;
  };
  std::string local = s.substr(0, at);
  if (std::any_of(local.begin(), local.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; })) local = lower(local);
  return local + "@" + lower(s.substr(at + 1));
}

std::string mend_email(const std::string& raw, bool& mended) {
  mended = false;
  const std::string s = email_as_read(raw);
  const auto is_letter = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); };
  const auto is_digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  const auto cased = [](const std::string& x) { return email_as_read(x); };
  // The domain's labels: the JPRS second-level labels glued to jp, a stuttered final label, and
  // look-alike digits between letters.
  const auto mend_domain = [&](std::string d) {
    for (const char* sld : kJprsLabels) {
      for (const std::string& glued : {std::string(".") + sld + "jp", std::string(".") + sld + "jjp", std::string(".") + sld + ".jjp"})
        if (d.size() > glued.size() && d.ends_with(glued)) d = d.substr(0, d.size() - glued.size()) + "." + sld + ".jp";
    }
    // A final label's first letter read twice.
    if (const auto dot = d.rfind('.'); dot != std::string::npos && d.size() - dot > 3 && d[dot + 1] == d[dot + 2])
      d.erase(dot + 1, 1);
    // A final label no registry serves, one letter from one that addresses here end with (jd, comt
    // for jp, com): that one, where it is the only such; a JPRS second-level label glued to it
    // (nejd) is put back before it.
    if (const auto dot = d.rfind('.'); dot != std::string::npos && !is_top_level_domain(d.substr(dot + 1))) {
      const std::string label = d.substr(dot + 1);
      const auto one_letter_from = [](const std::string& x, const std::string& y) {
        return edit_distance(icu::UnicodeString::fromUTF8(x), icu::UnicodeString::fromUTF8(y)) == 1;
      };
      std::string nearest;
      int found = 0;
      for (const char* usual : {"jp", "com", "net", "org", "info"})
        if (one_letter_from(label, usual)) nearest = usual, ++found;
      if (found == 1) {
        d = d.substr(0, dot + 1) + nearest;
      } else if (found == 0) {
        for (const char* jprs : kJprsLabels)
          if (label.size() == 4 && label.starts_with(jprs) && one_letter_from(label.substr(2), "jp"))
            d = d.substr(0, dot + 1) + jprs + ".jp";
      }
    }
    // Before jp, a JPRS second-level label with a look-alike digit (c0.jp).
    if (d.ends_with(".jp") && d.size() > 6 && d[d.size() - 6] == '.') {
      std::string sld = d.substr(d.size() - 5, 2);
      for (char& ch : sld) ch = ch == '0' ? 'o' : ch == '1' ? 'l' : ch;
      for (const char* jprs : kJprsLabels)
        if (sld == jprs) d.replace(d.size() - 5, 2, sld);
    }
    for (std::size_t i = 1; i + 1 < d.size(); ++i)
      if (is_letter(d[i - 1]) && is_letter(d[i + 1])) {
        if (d[i] == '0') d[i] = 'o';
        if (d[i] == '1') d[i] = 'l';
      }
    return d;
  };
  // A run of digits ending the local part: l, I, | beside a digit are 1, O and o between digits 0.
  const auto mend_local = [&](std::string l) {
    std::size_t start = l.size();
    while (start > 0 && (is_digit(l[start - 1]) || std::strchr("lI|Oo", l[start - 1]) != nullptr)) --start;
    // Look-alikes leading the run that are not next to a digit belong to the name.
    while (start < l.size() && !is_digit(l[start]) && !(start + 1 < l.size() && is_digit(l[start + 1]))) ++start;
    for (std::size_t i = start; i < l.size(); ++i) {
      if (l[i] == 'l' || l[i] == 'I' || l[i] == '|') l[i] = '1';
      if ((l[i] == 'O' || l[i] == 'o') && i > start && i + 1 < l.size() && is_digit(l[i - 1]) && is_digit(l[i + 1]))
        l[i] = '0';
    }
    return l;
  };
  std::string out = s;
  if (out.find('@') == std::string::npos) {
    // A lost @ (read as a 0 or a 9): the last such digit after the local part's first character,
    // followed by a letter, that leaves an address passing the grammar.
    for (std::size_t i = out.size(); i-- > 1;) {
      if (std::strchr("09", out[i]) == nullptr || i + 1 >= out.size() || !is_letter(out[i + 1])) continue;
      const std::string tried = cased(out.substr(0, i) + "@" + out.substr(i + 1));
      const auto at = tried.find('@');
      const std::string fixed = mend_local(tried.substr(0, at)) + "@" + mend_domain(tried.substr(at + 1));
      if (email_grammar_ok(fixed)) {
        out = tried;
        break;
      }
    }
  }
  const auto at = out.find('@');
  if (at == std::string::npos) return out;
  std::string fixed = mend_local(out.substr(0, at)) + "@" + mend_domain(out.substr(at + 1));
  mended = fixed != s;
  return fixed;
}

bool phone_grammar_ok(const std::string& s) {
  std::string digits;
  std::vector<std::string> groups(1);
  for (char ch : s) {
    if (ch >= '0' && ch <= '9') {
      digits += ch;
      groups.back() += ch;
    } else if (ch == '-') {
      groups.emplace_back();
    } else {
      return false;
    }
  }
  // 0 and an area code or a mobile prefix, which never begins with 0 (00 dials abroad).
  if (digits.size() < 2 || digits[0] != '0' || digits[1] == '0') return false;
  if (digits.size() == 11) {
    if (std::string("5789").find(digits[1]) == std::string::npos || digits[2] != '0') return false;
    if (groups.size() == 3 && (groups[0].size() != 3 || groups[1].size() != 4)) return false;  // 090-1234-5678
  } else if (digits.size() != 10) {
    return false;
  }
  if (groups.size() == 1) return true;
  if (groups.size() != 3) return false;
  return groups[0].size() >= 2 && groups[0].size() <= 5 && !groups[1].empty() && groups[1].size() <= 4 && groups[2].size() == 4;
}

std::pair<std::size_t, std::size_t> trim_hyphens(std::string& s) {
  const std::size_t first = s.find_first_not_of('-');
  if (first == std::string::npos) return {0, 0};
  const std::size_t back = s.size() - 1 - s.find_last_not_of('-');
  s = s.substr(first, s.size() - first - back);
  return {first, back};
}

std::optional<std::size_t> drop_empty_brackets(std::string& s) {
  const std::size_t at = s.find("()");
  if (at == std::string::npos || phone_grammar_ok(s)) return std::nullopt;
  std::string without = s;
  without.erase(at, 2);
  if (!phone_grammar_ok(without)) return std::nullopt;
  s = std::move(without);
  return at;
}

bool drop_glyph_before_phone(std::string& s) {
  if (phone_grammar_ok(s) || s.size() < 2 || s[0] == '0' || s[1] != '0' || !phone_grammar_ok(s.substr(1))) return false;
  s.erase(0, 1);
  return true;
}

bool restore_phone_leading_zero(std::string& s) {
  if (s.empty() || s[0] == '0' || phone_grammar_ok(s) || !phone_grammar_ok("0" + s)) return false;
  s.insert(s.begin(), '0');
  return true;
}

bool restore_phone_first_zero(std::string& s) {
  if (s.empty() || std::string_view("689").find(s[0]) == std::string_view::npos || phone_grammar_ok(s)) return false;
  const std::string mended = "0" + s.substr(1);
  if (!phone_grammar_ok(mended)) return false;
  s = mended;
  return true;
}

std::vector<std::size_t> drop_stuttered_phone_digits(std::string& s) {
  if (phone_grammar_ok(s)) return {};
  // The second digit of each doubled pair: dropping it or the first gives the same string.
  std::vector<std::size_t> doubled;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (s[i] >= '0' && s[i] <= '9' && s[i] == s[i - 1]) doubled.push_back(i);
  std::set<std::string> whole;
  std::vector<std::size_t> dropped;
  const auto without = [&s](std::vector<std::size_t> at) {
    std::string out = s;
    std::sort(at.rbegin(), at.rend());
    for (std::size_t i : at) out.erase(i, 1);
    return out;
  };
  for (std::size_t a = 0; a < doubled.size(); ++a) {
    if (const std::string one = without({doubled[a]}); phone_grammar_ok(one) && whole.insert(one).second)
      dropped = {doubled[a]};
    for (std::size_t b = a + 1; b < doubled.size(); ++b)
      if (doubled[b] != doubled[a] + 1)  // a tripled digit is one pair dropped, not two
        if (const std::string two = without({doubled[a], doubled[b]}); phone_grammar_ok(two) && whole.insert(two).second)
          dropped = {doubled[a], doubled[b]};
  }
  if (whole.size() != 1) return {};
  s = *whole.begin();
  return dropped;
}

const char* voicing_mark_after(std::string_view kana, bool looks_semi) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(kana);
  const auto one_of = [&](std::u16string_view set) { return u.length() == 1 && set.find(u.charAt(0)) != std::u16string_view::npos; };
  const bool semi_ok = one_of(u"ハヒフヘホ"), voiced_ok = one_of(u"ウカキクケコサシスセソタチツテトハヒフヘホ");
  return looks_semi && (semi_ok || !voiced_ok) ? "゜" : "゛";
}

}  // namespace station::recognition::detail

namespace station::recognition::detail {
namespace {

// Legal-form words in a holder's furigana and the abbreviation banks print for them (全銀協の略語),
// small kana written large as on a bank's records; longer first. The same pairs as the review's
// comparison key (station/review normalize.cpp), so that a passbook value the reader finds in
// agreement with the application is one the review check finds so too.
struct LegalForm {
  std::u16string_view word, abbreviation;
};
constexpr LegalForm kLegalForms[] = {
    {u"イリヨウホウジンシヤダン", u"イ"}, {u"イリヨウホウジンザイダン", u"イ"},
    {u"シヤカイフクシホウジン", u"シヤ"}, {u"トクテイヒエイリカツドウホウジン", u"トクヒ"},
    {u"イツパンシヤダンホウジン", u"シヤ"}, {u"イリヨウホウジン", u"イ"}, {u"カブシキガイシヤ", u"カ"},
    {u"ユウゲンガイシヤ", u"ユ"}, {u"ゴウドウガイシヤ", u"ド"}, {u"ザイダンホウジン", u"ザイ"},
    {u"シヤダンホウジン", u"シヤ"}, {u"ゴウシガイシヤ", u"シ"},
};

// Small kana as large (banks print ｼﾔ for シャ), one for one.
icu::UnicodeString large_kana(icu::UnicodeString u) {
  static constexpr std::u16string_view small = u"ァィゥェォッャュョヮヵヶ", big = u"アイウエオツヤユヨワカケ";
  for (int32_t i = 0; i < u.length(); ++i)
    if (const auto k = small.find(u.charAt(i)); k != std::u16string_view::npos) u.setCharAt(i, big[k]);
  return u;
}

icu::UnicodeString nfkc_u(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  UErrorCode st = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(st);
  if (U_SUCCESS(st) && n != nullptr) {
    icu::UnicodeString out = n->normalize(u, st);
    if (U_SUCCESS(st)) return out;
  }
  return u;
}

bool is_katakana(char16_t c) { return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC; }

}  // namespace

std::string holder_kana_key(const std::string& s) {
  const icu::UnicodeString u = large_kana(nfkc_u(s));
  icu::UnicodeString out;
  for (int32_t i = 0; i < u.length(); ++i) {
    char16_t c = u.charAt(i);
    if (c == ' ' || c == 0x3000 || c == '(' || c == ')' || c == '.' || c == ',' || c == 0x30FB || c == '-' ||
        c == 0x30FC)
      continue;
    if (c >= 0x3041 && c <= 0x3096) c += 0x60;  // hiragana as katakana
    out.append(c);
  }
  for (const LegalForm& f : kLegalForms) {
    const icu::UnicodeString word(false, f.word.data(), static_cast<int32_t>(f.word.size()));
    const icu::UnicodeString abbr(false, f.abbreviation.data(), static_cast<int32_t>(f.abbreviation.size()));
    out.findAndReplace(word, abbr);
  }
  std::string r;
  out.toUTF8String(r);
  return r;
}

std::string passbook_form_key(const std::string& s) {
  icu::UnicodeString u = large_kana(nfkc_u(s)), out;
  for (int32_t i = 0; i < u.length(); ++i)
    if (u.charAt(i) != ' ' && u.charAt(i) != 0x3000) out.append(u.charAt(i));
  std::string r;
  out.toUTF8String(r);
  return r;
}

std::string passbook_holder_from(const std::string& holder_kana, const std::string& line_read) {
  // The furigana's kana without its gaps, each with where it stands in the furigana.
  const icu::UnicodeString u = nfkc_u(holder_kana);
  icu::UnicodeString flat;
  std::vector<int32_t> at;
  for (int32_t i = 0; i < u.length(); ++i) {
    const char16_t c = u.charAt(i);
    if (c == ' ' || c == 0x3000) continue;
    if (!is_katakana(c)) return "";  // not katakana: no passbook prints it
    flat.append(c);
    at.push_back(i);
  }
  if (flat.length() == 0) return "";
  // Words one space apart, as a passbook prints them.
  auto spaced = [&](int32_t from, int32_t to) {  // furigana [from, to), gaps as one space
    icu::UnicodeString out;
    bool gap = false;
    for (int32_t i = from; i < to; ++i) {
      const char16_t c = u.charAt(i);
      if (c == ' ' || c == 0x3000) {
        gap = out.length() > 0;
      } else {
        if (gap) out.append(u' ');
        out.append(c);
        gap = false;
      }
    }
    return out;
  };
  const icu::UnicodeString read = nfkc_u(strip_spaces(line_read));
  const icu::UnicodeString large = large_kana(flat);
  icu::UnicodeString out = spaced(0, u.length());
  for (const LegalForm& f : kLegalForms) {
    const icu::UnicodeString w(false, f.word.data(), static_cast<int32_t>(f.word.size()));
    icu::UnicodeString abbr(false, f.abbreviation.data(), static_cast<int32_t>(f.abbreviation.size()));
    const int32_t pos = large.indexOf(w);
    if (pos < 0 || large.length() <= w.length()) continue;
    // Spelt as the line read on the passbook begins (a leading abbreviation), else as the
    // furigana's word begins where that is the abbreviation (シャ for シヤ), else as the table's.
    const icu::UnicodeString own(flat, pos, abbr.length());
    if (pos == 0 && read.length() >= abbr.length() && large_kana(icu::UnicodeString(read, 0, abbr.length())) == abbr) {
      abbr = icu::UnicodeString(read, 0, abbr.length());
      make_small_kana_full(abbr);  // ィ) read for イ): no word opens with a small kana
    } else if (large_kana(own) == abbr) {
      abbr = own;
    }
    const int32_t end = pos + w.length();  // in flat
    const icu::UnicodeString rest = end < flat.length() ? spaced(at[end], u.length()) : icu::UnicodeString();
    // The word leads the name: its abbreviation before it; else after the name before it.
    out = pos == 0 ? abbr + u")" + rest : icu::UnicodeString(flat, 0, pos) + abbr + u")" + (rest.length() > 0 && end < flat.length() && at[end] > at[end - 1] + 1 ? u" " : u"") + rest;
    break;
  }
  std::string r;
  out.toUTF8String(r);
  return r;
}

bool passbook_holder_grammar_ok(const std::string& s) {
  // Words of katakana one space apart; the first may carry a legal form's abbreviation of one to
  // three kana closed by ")" before the name (ｼﾔ)ﾐﾄﾞﾘｶｲ) or after it (ﾐﾄﾞﾘ(ｶ, ﾐﾄﾞﾘｶ)).
  const std::string kana = "[\\u30A1-\\u30FA\\u30FC]";
  const std::string pattern = "^((?:" + kana + "{1,3}\\) ?" + kana + "+|" + kana + "+\\)|" + kana + "+\\(" + kana +
                              "{1,3}|" + kana + "+)(?: " + kana + "+)*)$";
  const std::string flat = ocr::normalize_nfkc(s);
  if (flat.empty() || find_re(flat, pattern.c_str(), 1) != flat) return false;
  std::string words = flat;
  for (char& ch : words)
    if (ch == '(' || ch == ')') ch = ' ';
  std::size_t start = 0;
  while (start <= words.size()) {
    const std::size_t end = std::min(words.find(' ', start), words.size());
    if (end > start && !plausible_kana(words.substr(start, end - start))) return false;
    start = end + 1;
  }
  return true;
}

std::optional<BankMention> bank_mention(const std::string& line) {
  const std::string flat = strip_spaces(line);
  for (const char* k : kBankKinds) {
    const auto pos = flat.find(k);
    if (pos == std::string::npos) continue;
    // The name runs back from the keyword over name characters (kanji, kana, Latin capitals).
    const std::string head = find_re(flat.substr(0, pos), "([\\p{Han}\\p{Katakana}\\p{Hiragana}A-Zー]+)$", 1);
    if (head.empty()) continue;
    // A title line may run on from the passbook's own words (普通預金通帳 then the bank's name).
    std::string name = head;
    for (const char* w : {"通帳", "お取引店", "取引店"}) {
      const auto at = name.rfind(w);
      if (at != std::string::npos) name = name.substr(at + std::string(w).size());
    }
    // 預金通帳 with its last character misread (通由, 通上): no bank's name holds 金通.
    if (const std::string rest = find_re(name, "金通.(.+)$", 1); !rest.empty()) name = rest;
    if (name.empty()) continue;
    return BankMention{latin_lookalikes(name) + k, k, flat.substr(pos + std::string(k).size())};
  }
  return std::nullopt;
}


std::string account_type_in(const std::string& text, bool& exact) {
  exact = true;
  if (text.find("当座") != std::string::npos) return "当座";
  if (text.find("普通") != std::string::npos) return "普通";
  exact = false;
  // The type misread where it heads 預金通帳 (普遍預金, 当産預金): a closed list of two, told apart
  // by the character of the two that was read right.
  const std::string before = find_re(text, "([^\\s]{1,2})(?:預金|.金通|預.通)", 1);
  const bool ordinary = before.find("普") != std::string::npos || before.find("通") != std::string::npos;
  const bool current = before.find("当") != std::string::npos || before.find("座") != std::string::npos;
  return ordinary == current ? "" : ordinary ? "普通" : "当座";
}

// An e-mail address's local part as chosen, beside the other model's reading: where the two differ
// only by a letter in one and its look-alike digit in the other (infol9 and info19, care9q and
// care90: a dotted zero read q), next to a digit, the digit — most local parts end in a run of
// digits, and a letter there is the look-alike misread. The other reading may have lost its @
// (info1909example): its characters up to where the chosen one has it count. Returns whether a
// character changed.
bool digits_from_other_reading(std::string& address, const std::string& other) {
  const auto at = address.find('@');
  if (at == std::string::npos || other.size() < at) return false;
  if (const auto other_at = other.find('@'); other_at != std::string::npos && other_at != at) return false;
  // The digits each letter is taken for (a slashed or dotted zero read q).
  const auto digits_for = [](char letter) -> std::string_view {
    switch (letter) {
      case 'l': case 'i': return "1";
      case 'o': return "0";
      case 'q': return "09";
      case 'g': return "9";
      case 'b': return "6";
      case 's': return "5";
      case 'z': return "2";
      default: return "";
    }
  };
  const auto is_digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  std::string out = address;
  for (std::size_t i = 0; i < at; ++i) {
    if (out[i] == other[i]) continue;
    const bool beside_digit = (i > 0 && is_digit(other[i - 1])) || (i + 1 < at && is_digit(other[i + 1]));
    if (!is_digit(other[i]) || digits_for(out[i]).find(other[i]) == std::string_view::npos || !beside_digit) return false;
    out[i] = other[i];
  }
  if (out == address) return false;
  address = out;
  return true;
}

}  // namespace station::recognition::detail
