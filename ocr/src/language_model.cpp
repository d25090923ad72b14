// Plausibility of Japanese text by MeCab's cost over the IPADIC dictionary.
#include "ocr/language_model.h"

#include <mecab.h>
#include <unicode/ucnv.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <bit>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ocr {
namespace {

// Debian's mecab-ipadic-utf8, named explicitly: the system default may be another dictionary
// (JUMAN) whose costs mean something else.
constexpr const char* kDictionary = "-d /var/lib/mecab/dic/ipadic-utf8";

// The dictionary's sources, from which its person names are read (mecab-ipadic, EUC-JP).
constexpr const char* kNameSource = "/usr/share/mecab/dic/ipadic/Noun.name.csv";

struct NameSpellings {
  // Reading (katakana) → its spellings, most common first, per part.
  std::unordered_map<std::string, std::vector<std::string>> family, given;
};

// Each entry of an IPADIC source file (EUC-JP CSV: surface,left,right,cost,POS ×6,base,reading,
// pronunciation), as its UTF-8 fields, to `each`. Nothing where the file is not installed.
void for_each_entry(const std::string& file, const std::function<void(const std::vector<std::string>&)>& each) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return;
  UErrorCode status = U_ZERO_ERROR;
  UConverter* conv = ucnv_open("EUC-JP", &status);
  if (U_FAILURE(status)) return;
  std::string line;
  std::vector<std::string> f;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    status = U_ZERO_ERROR;
    const icu::UnicodeString u(line.data(), static_cast<int32_t>(line.size()), conv, status);
    if (U_FAILURE(status)) continue;
    std::string utf8;
    u.toUTF8String(utf8);
    f.clear();
    for (std::size_t at = 0;;) {
      const std::size_t comma = utf8.find(',', at);
      f.push_back(utf8.substr(at, comma == std::string::npos ? comma : comma - at));
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    each(f);
  }
  ucnv_close(conv);
}

const NameSpellings& name_lexicon() {
  static NameSpellings lexicon;
  static std::once_flag once;
  std::call_once(once, [] {
    std::unordered_map<std::string, std::vector<std::pair<int, std::string>>> costed[2];  // family, given
    // surface,left,right,cost,名詞,固有名詞,人名,姓|名,*,*,base,reading,pronunciation
    for_each_entry(kNameSource, [&](const std::vector<std::string>& f) {
      if (f.size() < 12) return;
      const int part = f[7] == "姓" ? 0 : f[7] == "名" ? 1 : -1;
      if (part < 0) return;
      try {
        costed[part][f[11]].emplace_back(std::stoi(f[3]), f[0]);
      } catch (const std::exception&) {
      }
    });
    // Each reading's spellings by cost, each once (the sources list a spelling per part of speech).
    for (int part = 0; part < 2; ++part)
      for (auto& [reading, spellings] : costed[part]) {
        std::sort(spellings.begin(), spellings.end());
        auto& out = (part == 0 ? lexicon.family : lexicon.given)[reading];
        for (const auto& [cost, spelling] : spellings)
          if (std::find(out.begin(), out.end(), spelling) == out.end()) out.push_back(spelling);
      }
  });
  return lexicon;
}

MeCab::Model* model() {
  static const std::unique_ptr<MeCab::Model> m(MeCab::createModel(kDictionary));
  return m.get();
}

struct PerThread {
  std::unique_ptr<MeCab::Tagger> tagger;
  std::unique_ptr<MeCab::Lattice> lattice;
};

PerThread* analyser() {
  MeCab::Model* m = model();
  if (m == nullptr) return nullptr;
  thread_local PerThread t{std::unique_ptr<MeCab::Tagger>(m->createTagger()),
                           std::unique_ptr<MeCab::Lattice>(m->createLattice())};
  if (!t.tagger || !t.lattice) return nullptr;
  return &t;
}

// UTF-8 text as its characters (each a UTF-8 string).
std::vector<std::string> chars_of(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

bool is_space(const std::string& ch) { return ch == " " || ch == "\u3000"; }

// Where two readings differ: runs of characters of each between the characters they share.
struct Part {
  std::string same;          // text both readings have here (before any difference)
  std::string first, second;  // then what each has instead (either may be empty)
};

std::vector<Part> diff(const std::string& a, const std::string& b) {
  const auto x = chars_of(a), y = chars_of(b);
  const std::size_t n = x.size(), m = y.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j)
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)});
  // Walk back, collecting matches and differences, then reverse.
  struct Op { bool match; std::string a, b; };
  std::vector<Op> ops;
  std::size_t i = n, j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && x[i - 1] == y[j - 1] && d[i][j] == d[i - 1][j - 1]) {
      ops.push_back({true, x[i - 1], y[j - 1]}); --i; --j;
    } else if (i > 0 && j > 0 && d[i][j] == d[i - 1][j - 1] + 1) {
      ops.push_back({false, x[i - 1], y[j - 1]}); --i; --j;
    } else if (i > 0 && d[i][j] == d[i - 1][j] + 1) {
      ops.push_back({false, x[i - 1], ""}); --i;
    } else {
      ops.push_back({false, "", y[j - 1]}); --j;
    }
  }
  std::vector<Part> parts(1);
  bool in_diff = false;
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
    if (it->match) {
      if (in_diff) { parts.emplace_back(); in_diff = false; }
      parts.back().same += it->a;
    } else {
      in_diff = true;
      parts.back().first += it->a;
      parts.back().second += it->b;
    }
  }
  return parts;
}

}  // namespace

std::optional<long> text_cost(std::string_view utf8) {
  PerThread* t = analyser();
  if (t == nullptr) return std::nullopt;
  std::string bare;
  for (const std::string& ch : chars_of(std::string(utf8)))
    if (!is_space(ch)) bare += ch;
  if (bare.empty()) return std::numeric_limits<long>::max() / 4;  // nothing read where ink was
  t->lattice->set_sentence(bare.c_str());
  if (!t->tagger->parse(t->lattice.get())) return std::nullopt;
  const MeCab::Node* eos = t->lattice->eos_node();
  if (eos == nullptr) return std::nullopt;
  return static_cast<long>(eos->cost);
}

std::optional<std::string> reading_of(std::string_view utf8) {
  PerThread* t = analyser();
  if (t == nullptr || utf8.empty()) return std::nullopt;
  const std::string text(utf8);
  t->lattice->set_sentence(text.c_str());
  if (!t->tagger->parse(t->lattice.get())) return std::nullopt;
  std::string out;
  for (const MeCab::Node* n = t->lattice->bos_node(); n != nullptr; n = n->next) {
    if (n->stat == MECAB_BOS_NODE || n->stat == MECAB_EOS_NODE) continue;
    const std::string surface(n->surface, n->length);
    // IPADIC's features: POS ×4, conjugation ×2, base form, reading, pronunciation.
    std::vector<std::string> fields;
    std::string field;
    for (const char* f = n->feature; f != nullptr && *f != '\0'; ++f) {
      if (*f == ',') { fields.push_back(field); field.clear(); } else { field += *f; }
    }
    fields.push_back(field);
    if (n->stat == MECAB_NOR_NODE && fields.size() > 7 && fields[7] != "*") { out += fields[7]; continue; }
    // Unknown to the dictionary: kana stand for themselves (hiragana as katakana).
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(surface);
    for (int32_t i = 0; i < u.length(); ++i) {
      const char16_t c = u.charAt(i);
      if (c >= 0x3041 && c <= 0x3096) u.setCharAt(i, static_cast<char16_t>(c + 0x60));
      else if (!((c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC)) return std::nullopt;
    }
    u.toUTF8String(out);
  }
  return out;
}

namespace {

// Katakana for hiragana; other characters unchanged.
char16_t katakana_of(char16_t c) { return c >= 0x3041 && c <= 0x3096 ? static_cast<char16_t>(c + 0x60) : c; }

bool is_kana(char16_t c) { return (c >= 0x3041 && c <= 0x3096) || (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC; }

// The voiced form of a kana (カ → ガ, ハ → バ), or 0 when it has none: a word's first kana after
// another word (rendaku).
char16_t voiced_of(char16_t c) {
  static constexpr std::u16string_view kPairs = u"カガキギクグケゲコゴサザシジスズセゼソゾタダチヂツヅテデトドハバヒビフブヘベホボ";
  for (std::size_t i = 0; i + 1 < kPairs.size(); i += 2)
    if (kPairs[i] == c) return kPairs[i + 1];
  return 0;
}

std::u16string u16_without_spaces(std::string_view utf8) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  std::u16string out;
  for (int32_t i = 0; i < u.length(); ++i) {
    const char16_t c = u.charAt(i);
    if (c != u' ' && c != u'\u3000') out.push_back(c);
  }
  return out;
}

std::string utf8_of(const std::u16string& s) {
  std::string out;
  icu::UnicodeString(s.data(), static_cast<int32_t>(s.size())).toUTF8String(out);
  return out;
}

// Every reading arc of `kanji`: from character i to character `end`, read `reading` (katakana).
struct Arc {
  int end;
  std::u16string reading;
};

// The arcs starting at each character, or nothing without a dictionary.
std::optional<std::vector<std::vector<Arc>>> reading_arcs(const std::u16string& kanji) {
  PerThread* t = analyser();
  if (t == nullptr) return std::nullopt;
  const int m = static_cast<int>(kanji.size());
  std::vector<std::vector<Arc>> arcs(static_cast<std::size_t>(m));
  // Byte offsets of each character in the UTF-8 sentence.
  std::string sentence;
  std::vector<std::size_t> byte_at;
  std::map<std::size_t, int> char_at;
  for (int i = 0; i < m; ++i) {
    byte_at.push_back(sentence.size());
    char_at[sentence.size()] = i;
    icu::UnicodeString(kanji[static_cast<std::size_t>(i)]).toUTF8String(sentence);
  }
  char_at[sentence.size()] = m;
  t->lattice->set_sentence(sentence.c_str());
  if (!t->tagger->parse(t->lattice.get())) return std::nullopt;
  auto add = [&](int from, int end, std::u16string reading) {
    auto& list = arcs[static_cast<std::size_t>(from)];
    for (const Arc& a : list)
      if (a.end == end && a.reading == reading) return;
    list.push_back({end, std::move(reading)});
  };
  for (int i = 0; i < m; ++i) {
    for (const MeCab::Node* n = t->lattice->begin_nodes(byte_at[static_cast<std::size_t>(i)]); n != nullptr; n = n->bnext) {
      if (n->stat != MECAB_NOR_NODE) continue;  // unknown words carry no reading
      const auto end = char_at.find(byte_at[static_cast<std::size_t>(i)] + n->length);
      if (end == char_at.end() || end->second <= i) continue;
      // IPADIC's features: POS ×4, conjugation ×2, base form, reading (the 8th), pronunciation.
      std::string_view f(n->feature != nullptr ? n->feature : "");
      for (int k = 0; k < 7 && !f.empty(); ++k) {
        const auto comma = f.find(',');
        f = comma == std::string_view::npos ? std::string_view() : f.substr(comma + 1);
      }
      const std::string_view reading = f.substr(0, f.find(','));
      if (reading.empty() || reading == "*") continue;
      std::u16string r = u16_without_spaces(reading);
      bool kana = !r.empty();
      for (char16_t& c : r) {
        c = katakana_of(c);
        kana = kana && is_kana(c);
      }
      if (kana) add(i, end->second, std::move(r));
    }
    const char16_t c = kanji[static_cast<std::size_t>(i)];
    if (is_kana(c)) add(i, i + 1, std::u16string(1, katakana_of(c)));
    // 々 repeats the kanji before it (佐々木 is a word; 野々村 may not be).
    if (c == u'々' && i > 0)
      for (const Arc& a : std::vector<Arc>(arcs[static_cast<std::size_t>(i - 1)]))
        if (a.end == i) add(i, i + 1, a.reading);
  }
  // Rendaku: a word after another may begin voiced (会社 ガイシャ after 有限, 川 ガワ after 長谷).
  for (int i = 1; i < m; ++i) {
    if (is_kana(kanji[static_cast<std::size_t>(i)])) continue;  // kana are read as written
    for (const Arc& a : std::vector<Arc>(arcs[static_cast<std::size_t>(i)]))
      if (const char16_t v = voiced_of(a.reading.front()); v != 0) {
        std::u16string r = a.reading;
        r.front() = v;
        add(i, a.end, std::move(r));
      }
  }
  return arcs;
}

}  // namespace

namespace {

// Every noun, suffix and prefix of the dictionary by its reading (katakana): the spellings a word
// read so may have, most common first.
const std::unordered_map<std::string, std::vector<std::string>>& word_lexicon() {
  static std::unordered_map<std::string, std::vector<std::string>> lexicon;
  static std::once_flag once;
  std::call_once(once, [] {
    std::unordered_map<std::string, std::vector<std::pair<int, std::string>>> costed;
    for (const char* file : {"Noun.csv", "Noun.name.csv", "Noun.proper.csv", "Noun.place.csv", "Noun.org.csv", "Noun.adjv.csv",
                             "Noun.verbal.csv", "Suffix.csv", "Prefix.csv"})
      for_each_entry(std::string("/usr/share/mecab/dic/ipadic/") + file, [&](const std::vector<std::string>& f) {
        if (f.size() < 12 || f[11].empty() || f[11] == "*") return;
        try {
          costed[f[11]].emplace_back(std::stoi(f[3]), f[0]);
        } catch (const std::exception&) {
        }
      });
    for (auto& [reading, spellings] : costed) {
      std::sort(spellings.begin(), spellings.end());
      auto& out = lexicon[reading];
      for (const auto& [cost, spelling] : spellings)
        if (std::find(out.begin(), out.end(), spelling) == out.end()) out.push_back(spelling);
    }
  });
  return lexicon;
}

}  // namespace

std::vector<std::string> word_spellings(std::string_view kana) {
  const auto& lexicon = word_lexicon();
  const auto it = lexicon.find(as_katakana(kana));
  return it == lexicon.end() ? std::vector<std::string>{} : it->second;
}

std::vector<std::string> name_spellings(std::string_view kana, NamePart part) {
  const NameSpellings& lexicon = name_lexicon();
  const auto& table = part == NamePart::family ? lexicon.family : lexicon.given;
  const auto it = table.find(as_katakana(kana));
  return it == table.end() ? std::vector<std::string>{} : it->second;
}

namespace {

// A katakana without its voicing mark and at full size (ガ, パ → カ, ハ; ャ → ヤ): two kana alike
// but for these are one glyph's misreading apart, half an edit.
char16_t kana_base(char16_t c) {
  static const std::u16string pairs =
      u"ガカギキグクゲケゴコザサジシズスゼセゾソダタヂチヅツデテドトバハパハビヒピヒブフプフベヘペヘボホポホヴウ"
      u"ァアィイゥウェエォオッツャヤュユョヨヮワ";
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2)
    if (pairs[i] == c) return pairs[i + 1];
  return c;
}

// Edits from `a` to `b`, in halves: a kana for its voiced, unvoiced, small or full-size self is one,
// anything else two.
int kana_half_edits(const std::u16string& a, const std::u16string& b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(2 * j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(2 * i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const int sub = a[i - 1] == b[j - 1] ? 0 : kana_base(a[i - 1]) == kana_base(b[j - 1]) ? 1 : 2;
      cur[j] = std::min({prev[j] + 2, cur[j - 1] + 2, prev[j - 1] + sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::vector<std::string> name_readings_near(std::string_view kana, NamePart part) {
  const NameSpellings& lexicon = name_lexicon();
  const auto& table = part == NamePart::family ? lexicon.family : lexicon.given;
  std::u16string want = u16_without_spaces(kana);
  for (char16_t& c : want) c = katakana_of(c);
  if (want.empty()) return {};
  std::vector<std::pair<int, std::string>> near;
  for (const auto& [reading, spellings] : table) {
    const std::u16string r = u16_without_spaces(reading);
    if (r.size() + 1 < want.size() || r.size() > want.size() + 1) continue;
    if (const int d = kana_half_edits(want, r); d <= 2) near.emplace_back(d, reading);
  }
  std::sort(near.begin(), near.end());
  std::vector<std::string> out;
  for (auto& [d, r] : near) out.push_back(std::move(r));
  return out;
}

std::string as_katakana(std::string_view kana) {
  std::u16string u = u16_without_spaces(kana);
  for (char16_t& c : u) c = katakana_of(c);
  return utf8_of(u);
}

KanaReadingMatch match_reading(std::string_view kana_utf8, std::string_view kanji_utf8) {
  KanaReadingMatch out;
  std::u16string kana = u16_without_spaces(kana_utf8);
  for (char16_t& c : kana) c = katakana_of(c);
  const std::u16string kanji = u16_without_spaces(kanji_utf8);
  if (kana.empty() || kanji.empty()) return out;
  auto arcs = reading_arcs(kanji);
  if (!arcs) return out;
  const int m = static_cast<int>(kanji.size()), n = static_cast<int>(kana.size());
  // Can the rest from character i be read at all? If not from the start, nothing can be told.
  std::vector<char> readable(static_cast<std::size_t>(m + 1), 0);
  readable[static_cast<std::size_t>(m)] = 1;
  for (int i = m - 1; i >= 0; --i)
    for (const Arc& a : (*arcs)[static_cast<std::size_t>(i)])
      if (readable[static_cast<std::size_t>(a.end)]) readable[static_cast<std::size_t>(i)] = 1;
  if (!readable[0]) return out;
  // Where the dictionary has the whole text as one word (清水, 服部, 和子), that word's readings are
  // its readings: a name is read as the name it is, not as any mixture of its kanji's readings
  // (清 シン + 水 ミズ, 服 フク + 部 ブ).
  std::vector<Arc> whole;
  for (const Arc& a : (*arcs)[0])
    if (a.end == m) whole.push_back(a);
  if (!whole.empty() && m > 1) (*arcs)[0] = whole;
  // Depth first over the lattice, each partial reading carrying its row of edit distances to the
  // kana's prefixes; a path whose row has nothing within one edit is dropped.
  std::vector<std::u16string> near;
  bool exact = false;
  long steps = 0;
  constexpr long kMaxSteps = 200000;
  std::u16string built;
  std::function<void(int, const std::vector<int>&)> walk = [&](int i, const std::vector<int>& row) {
    if (exact || ++steps > kMaxSteps) return;
    if (i == m) {
      if (row[static_cast<std::size_t>(n)] == 0) exact = true;
      else if (row[static_cast<std::size_t>(n)] == 1 && std::find(near.begin(), near.end(), built) == near.end())
        near.push_back(built);
      return;
    }
    for (const Arc& a : (*arcs)[static_cast<std::size_t>(i)]) {
      if (!readable[static_cast<std::size_t>(a.end)]) continue;
      std::vector<int> r = row;
      bool alive = true;
      for (char16_t c : a.reading) {
        std::vector<int> next(static_cast<std::size_t>(n + 1));
        next[0] = r[0] + 1;
        int best = next[0];
        for (int j = 1; j <= n; ++j) {
          next[static_cast<std::size_t>(j)] =
              std::min({r[static_cast<std::size_t>(j)] + 1, next[static_cast<std::size_t>(j - 1)] + 1,
                        r[static_cast<std::size_t>(j - 1)] + (kana[static_cast<std::size_t>(j - 1)] == c ? 0 : 1)});
          best = std::min(best, next[static_cast<std::size_t>(j)]);
        }
        r = std::move(next);
        if (best > 1) { alive = false; break; }
      }
      if (!alive) continue;
      const std::size_t len = built.size();
      built += a.reading;
      walk(a.end, r);
      built.resize(len);
      if (exact) return;
    }
  };
  std::vector<int> row0(static_cast<std::size_t>(n + 1));
  for (int j = 0; j <= n; ++j) row0[static_cast<std::size_t>(j)] = j;
  walk(0, row0);
  if (steps > kMaxSteps && !exact) return out;  // too many ways to tell
  if (exact) {
    out.kind = KanaReadingMatch::Kind::reading;
    return out;
  }
  if (near.empty()) {
    out.kind = KanaReadingMatch::Kind::none;
    return out;
  }
  out.kind = KanaReadingMatch::Kind::near;
  for (const std::u16string& r : near) {
    KanaReadingMatch::Edit e;
    e.reading = utf8_of(r);
    std::size_t p = 0;
    while (p < r.size() && p < kana.size() && r[p] == kana[p]) ++p;
    e.position = static_cast<int>(p);
    if (r.size() == kana.size()) {
      e.op = KanaReadingMatch::Edit::Op::substitute;
      e.should_be = utf8_of(std::u16string(1, r[p]));
    } else if (r.size() + 1 == kana.size()) {
      e.op = KanaReadingMatch::Edit::Op::extra;
    } else {
      e.op = KanaReadingMatch::Edit::Op::missing;
      e.should_be = utf8_of(std::u16string(1, r[p]));
    }
    out.near.push_back(std::move(e));
  }
  return out;
}

std::string more_plausible(const std::string& first, const std::string& second) {
  if (first == second || second.empty()) return first;
  if (first.empty()) return second;
  const std::vector<Part> parts = diff(first, second);
  std::size_t differing = 0;
  for (const Part& p : parts) differing += !p.first.empty() || !p.second.empty();
  auto build = [&](unsigned mask) {
    std::string s;
    std::size_t k = 0;
    for (const Part& p : parts) {
      s += p.same;
      if (p.first.empty() && p.second.empty()) continue;
      s += (mask >> k++) & 1U ? p.second : p.first;
    }
    return s;
  };
  // Readings that differ all over are compared whole; otherwise every combination of stretches
  // (at most 2^8 short analyses).
  const bool whole = differing > 8;
  const unsigned combos = whole ? 2U : 1U << differing;
  std::string best = first;
  long best_cost = std::numeric_limits<long>::max();
  int best_taken = 0;
  for (unsigned mask = 0; mask < combos; ++mask) {
    const std::string s = whole ? (mask == 0 ? first : second) : build(mask);
    const auto c = text_cost(s);
    if (!c) return first;
    const int taken = std::popcount(mask);
    if (*c < best_cost || (*c == best_cost && taken < best_taken)) {
      best = s;
      best_cost = *c;
      best_taken = taken;
    }
  }
  return best;
}

}  // namespace ocr
