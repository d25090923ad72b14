// Values spelt on their own ink where the models cannot read the hand (reconcile.h): an officer's
// name with its furigana (spell_names_by_ink), a value the envelope shows again elsewhere
// (spell_copies_by_ink).
#include <algorithm>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "detail.h"
#include "ocr/language_model.h"
#include "reconcile.h"
#include "text_repair.h"

namespace station::recognition::detail {

namespace {

// A spelling is taken at these costs or less (ocr::InkSpelling::cost): on the development sets
// (seed 20261301's handwritten envelopes, seed 20261230) the furigana and names spelt right cost
// up to 2.1 and 2.3, the one spelt wrong 2.45 (its name; both models had misread it too).
constexpr double kMostKanaCost = 2.3;
constexpr double kMostNameCost = 2.3;
// How many of each part's spellings (most common first) and of the readings' pairs are tried.
constexpr std::size_t kSpellingsTried = 30, kPairsTried = 4;
// What each step down a reading's spellings (most common first) costs a spelling.
constexpr double kRarerSpelling = 0.02;
// What a spelling or reading the models read as the ink spells it takes off its cost.
constexpr double kModelsAgree = 0.4;

std::vector<std::string> first(std::vector<std::string> v, std::size_t n) {
  if (v.size() > n) v.resize(n);
  return v;
}

// The katakana a furigana is written with.
const std::vector<std::string>& katakana() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> out;
    const std::string s =
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポャュョッァィゥェォー";
    for (const std::string& ch : utf8_characters(s)) out.push_back(ch);
    return out;
  }();
  return all;
}

// The readings the name's part may have: the dictionary's person names' readings within one edit
// of `read` as the models or the ink read it (name_readings_near), nearest first.
void add_readings(const std::string& read, ocr::NamePart part, std::vector<std::string>& out) {
  constexpr std::size_t kNearest = 10;
  if (read.empty()) return;
  for (const std::string& r : first(ocr::name_readings_near(read, part), kNearest))
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
}

// A furigana read whole by its ink, cut into its family and given names at its widest gap between
// characters.
std::optional<std::pair<std::string, std::string>> parts_on_ink(const ocr::InkLine& ink) {
  ocr::SpellingSlot run;
  run.symbols = katakana();
  run.least = 2;
  run.most = 16;
  const auto spelt = ink.spell({run});
  if (!spelt || spelt->boxes.size() < 2) return std::nullopt;
  const std::vector<std::string> chars = utf8_characters(spelt->text());
  if (chars.size() != spelt->boxes.size()) return std::nullopt;
  std::size_t at = 0;
  int widest = -1;
  for (std::size_t i = 1; i < chars.size(); ++i) {
    const int gap = spelt->boxes[i].x - (spelt->boxes[i - 1].x + spelt->boxes[i - 1].w);
    if (gap > widest) widest = gap, at = i;
  }
  std::string family, given;
  for (std::size_t i = 0; i < chars.size(); ++i) (i < at ? family : given) += chars[i];
  return std::pair{family, given};
}

std::pair<std::string, std::string> split_on_space(const std::string& s) {
  for (const std::string sep : {"\u3000", " "})
    if (const auto at = s.find(sep); at != std::string::npos) return {strip_spaces(s.substr(0, at)), strip_spaces(s.substr(at + sep.size()))};
  return {strip_spaces(s), ""};
}


}  // namespace

void spell_names_by_ink(std::vector<RecognizedValue>& values, const LineInk& line) {
  if (!line) return;
  for (RecognizedValue& name : values) {
    if (!name.key.starts_with("officers.rows[") || !name.key.ends_with("].name") || name.value.empty()) continue;
    const auto kana_at = std::find_if(values.begin(), values.end(), [&](const RecognizedValue& v) { return v.key == name.key + "_kana"; });
    RecognizedValue* kana = kana_at == values.end() ? nullptr : &*kana_at;
    if (kana == nullptr || kana->value.empty()) continue;
    // A name its furigana reads as the dictionary reads it is the models' to keep.
    if (ocr::match_reading(kana->value, name.value).kind == ocr::KanaReadingMatch::Kind::reading) continue;
    const auto kana_ink = line(*kana);
    const auto name_ink = line(name);
    if (!kana_ink || !name_ink) continue;
    // The readings each part may have: as the ink spells the furigana, as the models read it.
    std::vector<std::string> families, givens;
    if (const auto on_ink = parts_on_ink(*kana_ink)) {
      add_readings(on_ink->first, ocr::NamePart::family, families);
      add_readings(on_ink->second, ocr::NamePart::given, givens);
    }
    for (const std::string& r : [&] {
           std::vector<std::string> rs = kana->readings;
           rs.push_back(kana->value);
           return rs;
         }()) {
      const auto [f, g] = split_on_space(r);
      add_readings(ocr::as_katakana(f), ocr::NamePart::family, families);
      add_readings(ocr::as_katakana(g), ocr::NamePart::given, givens);
    }
    if (families.empty() || givens.empty()) continue;
    // The pairs of readings the furigana's ink spells best.
    struct Pair {
      double cost;
      std::string family, given;
    };
    std::vector<Pair> pairs;
    for (const std::string& f : first(families, 16))
      for (const std::string& g : first(givens, 16)) {
        ocr::SpellingSlot a, b;
        a.words = {f};
        b.words = {g};
        if (const auto s = kana_ink->spell({a, b}); s && s->cost <= kMostKanaCost) pairs.push_back({s->cost, f, g});
      }
    std::sort(pairs.begin(), pairs.end(), [](const Pair& x, const Pair& y) { return x.cost < y.cost; });
    if (pairs.size() > kPairsTried) pairs.resize(kPairsTried);
    // Each pair's spellings on the name's ink; the pair and spelling both inks bear out best.
    std::optional<std::pair<double, std::pair<std::string, std::string>>> best;
    std::pair<std::string, std::string> best_kana;
    for (const Pair& p : pairs) {
      ocr::SpellingSlot a, b;
      a.words = first(ocr::name_spellings(p.family, ocr::NamePart::family), kSpellingsTried);
      b.words = first(ocr::name_spellings(p.given, ocr::NamePart::given), kSpellingsTried);
      // A rarer spelling must be borne out by its ink more clearly than a common one.
      for (std::size_t k = 0; k < a.words.size(); ++k) a.word_costs.push_back(kRarerSpelling * static_cast<double>(k));
      for (std::size_t k = 0; k < b.words.size(); ++k) b.word_costs.push_back(kRarerSpelling * static_cast<double>(k));
      const auto s = name_ink->spell({a, b});
      if (!s || s->cost > kMostNameCost) continue;
      // What the models read counts too: a spelling or a reading they read as the ink spells it.
      double cost = p.cost + s->cost;
      const std::string spelt_bare = s->parts[0] + s->parts[1];
      if (spelt_bare == strip_spaces(name.value) ||
          std::any_of(name.readings.begin(), name.readings.end(), [&](const std::string& r) { return strip_spaces(r) == spelt_bare; }))
        cost -= kModelsAgree;
      if (ocr::as_katakana(p.family + p.given) == ocr::as_katakana(kana->value) ||
          std::any_of(kana->readings.begin(), kana->readings.end(), [&](const std::string& r) { return ocr::as_katakana(r) == ocr::as_katakana(p.family + p.given); }))
        cost -= kModelsAgree;
      if (!best || cost < best->first) {
        best = {cost, {s->parts[0], s->parts[1]}};
        best_kana = {p.family, p.given};
      }
    }
    if (!best) continue;
    const std::string spelt = best->second.first + "\u3000" + best->second.second;
    const std::string spelt_kana = best_kana.first + "\u3000" + best_kana.second;
    if (spelt != name.value) {
      name.value = spelt;
      name.chars.clear();
    }
    name.confidence = std::min(name.confidence, kUnsureFreeText);
    if (spelt_kana != kana->value) {
      kana->value = spelt_kana;
      kana->chars.clear();
    }
    kana->confidence = std::min(kana->confidence, kUnsureFreeText);
  }
}

}  // namespace station::recognition::detail

namespace station::recognition::detail {

namespace {

// A copy is taken at this cost or less (ocr::InkSpelling::cost): on seed 20261301's handwritten
// envelopes banks and branches spelt right cost 1.2 to 2.0; lines holding more than the value (a
// label's remnant) cost more.
constexpr double kMostCopyCost = 2.2;

const RecognizedValue* value_of(const std::vector<RecognizedValue>& values, const std::string& key) {
  const auto it = std::find_if(values.begin(), values.end(), [&](const RecognizedValue& v) { return v.key == key; });
  return it == values.end() || it->value.empty() ? nullptr : &*it;
}

}  // namespace

void spell_copies_by_ink(std::vector<RecognizedValue>& values, const LineInk& line) {
  if (!line) return;
  // Where the envelope says the same thing again: the bank and branch the passbook (printed) shows,
  // the representative the officer list names first (its name spelt with its furigana).
  struct Copy {
    std::string key;
    std::vector<std::string> candidates;
  };
  std::vector<Copy> copies;
  if (const RecognizedValue* book = value_of(values, "passbook.bank_name_full")) copies.push_back({"bank.name", {book->value}});
  if (const RecognizedValue* book = value_of(values, "passbook.branch_name")) {
    const std::string b = strip_spaces(book->value);
    copies.push_back({"bank.branch", b.ends_with("部") || b.ends_with("支店") ? std::vector<std::string>{b}
                                                                         : std::vector<std::string>{b + "支店", b, b + "営業部"}});
  }
  if (const RecognizedValue* rep = value_of(values, "officers.rows[0].name")) {
    copies.push_back({"corp.rep_name", {rep->value}});
    std::vector<std::string> titled;
    for (const char* title_key : {"corp.rep_title", "officers.rows[0].title"})
      if (const RecognizedValue* title = value_of(values, title_key))
        if (is_title(title->value)) titled.push_back(strip_spaces(title->value) + "\u3000" + rep->value);
    if (!titled.empty()) copies.push_back({"pledge.rep", titled});
  }
  for (const Copy& c : copies) {
    const auto it = std::find_if(values.begin(), values.end(), [&](const RecognizedValue& v) { return v.key == c.key; });
    if (it == values.end() || it->value.empty()) continue;
    RecognizedValue& v = *it;
    const std::string read = strip_spaces(v.value);
    if (std::any_of(c.candidates.begin(), c.candidates.end(), [&](const std::string& k) { return strip_spaces(k) == read; })) continue;
    const auto ink = line(v);
    if (!ink) continue;
    // The copy may be misread too (the passbook's 千葉 read 二葉): the value as the models read it
    // stands beside it, and the ink chooses.
    ocr::SpellingSlot slot;
    for (const std::string& k : c.candidates) slot.words.push_back(strip_spaces(k));
    slot.words.push_back(read);
    for (const std::string& r : v.readings) slot.words.push_back(strip_spaces(r));
    const auto spelt = ink->spell({slot});
    if (!spelt || spelt->cost > kMostCopyCost) continue;
    const bool copied = std::any_of(c.candidates.begin(), c.candidates.end(), [&](const std::string& k) { return strip_spaces(k) == spelt->text(); });
    if (!copied) continue;
    for (const std::string& k : c.candidates)
      if (strip_spaces(k) == spelt->text()) v.value = k;
    v.chars.clear();
    v.confidence = std::min(v.confidence, kUnsureFreeText);
  }
}

}  // namespace station::recognition::detail
