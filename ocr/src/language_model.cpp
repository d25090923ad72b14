// Plausibility of Japanese text by MeCab's cost over the IPADIC dictionary.
#include "ocr/language_model.h"

#include <mecab.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <memory>
#include <vector>

namespace ocr {
namespace {

// Debian's mecab-ipadic-utf8, named explicitly: the system default may be another dictionary
// (JUMAN) whose costs mean something else.
constexpr const char* kDictionary = "-d /var/lib/mecab/dic/ipadic-utf8";

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
