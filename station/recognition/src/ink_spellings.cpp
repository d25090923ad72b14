// Values spelt on their own ink where the models cannot read the hand (reconcile.h), by what the
// envelope and the dictionary say they may be (ocr/ink_spelling.h): an officer's name with its
// furigana (spell_names_by_ink), a value the envelope shows again elsewhere (spell_copies_by_ink),
// the corporation's name by the reading its passbook prints (spell_corporations_by_ink).
#include <algorithm>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unicode/unistr.h>

#include "detail.h"
#include "ocr/box.h"
#include "ocr/language_model.h"
#include "ocr/layout.h"
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
  const auto spelt = ink.spell({ocr::SpellingSlot::run_of(katakana(), 2, 16)});
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

namespace station::recognition::detail {

namespace {

// A corporation's name read at this confidence or more is left as read.
constexpr double kSurelyReadName = 0.9;
// A corporation's name is taken at this cost or less (ocr::InkSpelling::cost).
constexpr double kMostCorporationCost = 2.2;
// How many spellings of each word of the name's reading are tried, most common first.
constexpr std::size_t kWordSpellingsTried = 8;
// A word of one or two kana has many (カイ: 会, 回, 海, 界, …; the dictionary's costs put 会 tenth).
constexpr std::size_t kShortWordSpellingsTried = 30;

// The legal-form words a passbook's abbreviation stands for (its kana as a bank prints it, small
// kana large), as a corporation writes them.
struct Form {
  std::string_view abbreviation;
  std::vector<std::string> words;
};
const std::vector<Form>& forms() {
  static const std::vector<Form> all = {
      {"シヤ", {"社会福祉法人", "一般社団法人", "社団法人"}}, {"イ", {"医療法人社団", "医療法人財団", "医療法人"}},
      {"カ", {"株式会社"}}, {"ユ", {"有限会社"}}, {"ド", {"合同会社"}}, {"シ", {"合資会社"}},
      {"トクヒ", {"特定非営利活動法人"}}, {"ザイ", {"一般財団法人", "財団法人"}}};
  return all;
}

std::string hiragana_of(const std::string& katakana) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(katakana);
  for (int32_t i = 0; i < u.length(); ++i)
    if (const char16_t c = u.charAt(i); c >= 0x30A1 && c <= 0x30F6) u.setCharAt(i, static_cast<char16_t>(c - 0x60));
  std::string out;
  u.toUTF8String(out);
  return out;
}

// The passbook's holder line's first word cut into its legal form (the words it may stand for, and
// whether they lead) and the name's reading: "シヤ)ムツミカイ" → 社会福祉法人 … leading, ムツミカイ.
struct Reading {
  std::vector<std::string> forms;
  bool leads = true;
  std::string stem;
};
std::optional<Reading> reading_from_passbook(const std::string& line) {
  std::string text = ocr::normalize_nfkc(line);
  for (const std::string wide = "\u3000"; text.find(wide) != std::string::npos;) text.replace(text.find(wide), wide.size(), " ");
  std::vector<std::string> words;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t space = text.find(' ', at);
    if (space != at) words.push_back(text.substr(at, space == std::string::npos ? std::string::npos : space - at));
    if (space == std::string::npos) break;
    at = space + 1;
  }
  if (words.empty()) return std::nullopt;
  Reading r;
  std::string abbreviation;
  const std::string& first = words.front();
  const std::size_t close = first.find(')'), open = first.rfind('(');
  const auto ends_in_form = [&](const std::string& s) {
    const std::string key = passbook_form_key(s);
    for (const Form& f : forms())
      if (key.ends_with(f.abbreviation) && utf8_characters(key).size() >= utf8_characters(std::string(f.abbreviation)).size() + 2) return std::string(f.abbreviation);
    return std::string();
  };
  if (open != std::string::npos && open > 0) {  // ﾊｰﾄﾌﾙ(ｶ: the form trails
    r.leads = false;
    r.stem = first.substr(0, open);
    abbreviation = first.substr(open + 1);
    if (abbreviation.ends_with(")")) abbreviation.pop_back();
  } else if (close != std::string::npos && close + 1 < first.size()) {  // ｼﾔ)ﾑﾂﾐｶｲ
    abbreviation = first.substr(0, close);
    r.stem = first.substr(close + 1);
  } else if (close != std::string::npos && !ends_in_form(first.substr(0, close)).empty() &&
             (words.size() == 1 || utf8_characters(first.substr(0, close)).size() > 4)) {  // ﾊｰﾄﾌﾙｶ): the form trails, its bracket misread
    r.leads = false;
    const std::string form = ends_in_form(first.substr(0, close));
    const std::string key = passbook_form_key(first.substr(0, close));
    abbreviation = form;
    r.stem = key.substr(0, key.size() - form.size());
  } else if (close != std::string::npos && words.size() > 1) {  // ｼﾔ) ﾑﾂﾐｶｲ
    abbreviation = first.substr(0, close);
    r.stem = words[1];
  } else {
    return std::nullopt;
  }
  // The abbreviation as read may carry a misread kana before it (シジシャ for シャ): the longest
  // abbreviation it ends with.
  abbreviation = passbook_form_key(abbreviation);
  std::size_t longest = 0;
  for (const Form& f : forms())
    if (abbreviation.ends_with(f.abbreviation) && f.abbreviation.size() > longest) {
      longest = f.abbreviation.size();
      r.forms = f.words;
    }
  const std::vector<std::string> chars = utf8_characters(r.stem);
  if (r.forms.empty() || chars.empty() || chars.size() > 12) return std::nullopt;
  for (const std::string& ch : chars) {
    const icu::UnicodeString u = icu::UnicodeString::fromUTF8(ch);
    if (u.length() != 1 || u.charAt(0) < 0x30A1 || u.charAt(0) > 0x30FC) return std::nullopt;  // katakana only
  }
  return r;
}

// The name's reading in a furigana of the whole name (シャカイフクシホウジンムツミカイ): its key as a
// bank compares it (holder_kana_key: the legal form as its abbreviation) less the abbreviation the
// passbook's reading has, at the same end.
std::optional<std::string> stem_of_furigana(const std::string& furigana, const Reading& like) {
  std::string key = holder_kana_key(furigana);
  for (const Form& f : forms()) {
    if (std::find(f.words.begin(), f.words.end(), like.forms.front()) == f.words.end()) continue;
    const std::string a(f.abbreviation);
    if (like.leads && key.starts_with(a) && key.size() > a.size()) return key.substr(a.size());
    if (!like.leads && key.ends_with(a) && key.size() > a.size()) return key.substr(0, key.size() - a.size());
  }
  return std::nullopt;
}

// The kana with ヤ, ユ, ヨ after a kana of the i row made small, as a furigana writes them.
std::string with_small_kana(const std::string& kana) {
  static const icu::UnicodeString irow = icu::UnicodeString::fromUTF8("キシチニヒミリギジヂビピ");
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(kana);
  for (int32_t i = 1; i < u.length(); ++i) {
    const char16_t c = u.charAt(i);
    if ((c == u'ヤ' || c == u'ユ' || c == u'ヨ') && irow.indexOf(u.charAt(i - 1)) >= 0) u.setCharAt(i, static_cast<char16_t>(c - 1));
  }
  std::string out;
  u.toUTF8String(out);
  return out;
}

// The ways a name read `stem` may be written: its reading cut into one to three words, each word
// as the dictionary spells it or in kana.
std::vector<std::vector<ocr::SpellingSlot>> stem_spellings(const std::string& stem) {
  const std::vector<std::string> chars = utf8_characters(stem);
  const std::size_t n = chars.size();
  const auto word = [&](std::size_t a, std::size_t b) {
    std::string kana;
    for (std::size_t i = a; i < b; ++i) kana += chars[i];
    ocr::SpellingSlot slot;
    const std::size_t tried = b - a <= 2 ? kShortWordSpellingsTried : kWordSpellingsTried;
    slot.words = first(ocr::word_spellings(kana), tried);
    // A bank prints small kana large (チヨウジユ for チョウジュ): the dictionary reads them small.
    if (const std::string small = with_small_kana(kana); small != kana)
      for (std::string& w : first(ocr::word_spellings(small), tried))
        if (std::find(slot.words.begin(), slot.words.end(), w) == slot.words.end()) slot.words.push_back(std::move(w));
    for (const std::string& k : {kana, hiragana_of(kana)})
      if (std::find(slot.words.begin(), slot.words.end(), k) == slot.words.end()) slot.words.push_back(k);
    return slot;
  };
  std::vector<std::vector<ocr::SpellingSlot>> out;
  out.push_back({word(0, n)});
  for (std::size_t i = 1; i < n; ++i) {
    out.push_back({word(0, i), word(i, n)});
    for (std::size_t j = i + 1; j < n; ++j) out.push_back({word(0, i), word(i, j), word(j, n)});
  }
  return out;
}

}  // namespace

void spell_corporations_by_ink(std::vector<RecognizedValue>& values, const LineInk& line) {
  if (!line) return;
  const RecognizedValue* book = value_of(values, "passbook.holder_kana_passbook");
  if (book == nullptr) return;
  const auto reading = reading_from_passbook(book->value);
  if (!reading) return;
  // The name's reading as the passbook prints it, and as the furigana on the forms give it (either
  // may be misread: the ink chooses among them). Gathered when a name is first to be spelt: the
  // furigana's ink is read in katakana, which costs as much as spelling a name.
  const auto gather_readings = [&] {
    std::vector<std::string> readings = {reading->stem};
    // The officer list's furigana of the corporation alone, read on its own ink in katakana.
    if (const RecognizedValue* furigana = value_of(values, "officers.corp_kana"))
      if (const auto ink = line(*furigana)) {
        if (const auto spelt = ink->spell({ocr::SpellingSlot::run_of(katakana(), 2, 24)}))
          if (const auto stem = stem_of_furigana(spelt->text(), *reading);
              stem && std::find(readings.begin(), readings.end(), *stem) == readings.end() && utf8_characters(*stem).size() <= 12)
            readings.push_back(*stem);
      }
    for (const char* key : {"officers.corp_kana", "bank.holder_kana"})
      if (const RecognizedValue* furigana = value_of(values, key)) {
        std::string whole = furigana->value;
        if (const auto wide = whole.find("\u3000"); wide != std::string::npos) whole = whole.substr(0, wide);
        if (const auto stem = stem_of_furigana(whole, *reading);
            stem && std::find(readings.begin(), readings.end(), *stem) == readings.end() && utf8_characters(*stem).size() <= 12)
          readings.push_back(*stem);
      }
    return readings;
  };
  std::optional<std::vector<std::vector<ocr::SpellingSlot>>> stems;
  ocr::SpellingSlot form;
  form.words = reading->forms;
  for (const char* key : {"corp.name", "pledge.corp_name", "officers.corp_name", "envelope.sender_name"}) {
    const auto it = std::find_if(values.begin(), values.end(), [&](const RecognizedValue& v) { return v.key == key; });
    if (it == values.end() || it->value.empty()) continue;
    RecognizedValue& v = *it;
    const std::string read = strip_spaces(v.value);
    // A name the models read surely is theirs to keep: spelling a name's
    // words every way the dictionary writes them is for a hand they cannot read.
    if (v.confidence >= kSurelyReadName) continue;
    // Nor is one whose legal form the models read as written (typed text, read but for a
    // character of its name): the form is what a hand they cannot read loses first.
    if (std::any_of(reading->forms.begin(), reading->forms.end(), [&](const std::string& f) { return read.find(f) != std::string::npos; }))
      continue;
    const auto ink = line(v);
    if (!ink) continue;
    if (!stems) {
      stems.emplace();
      for (const std::string& r : gather_readings())
        for (auto& st : stem_spellings(r)) stems->push_back(std::move(st));
    }
    // The value as the models read it stands beside the spellings: the ink chooses.
    ocr::SpellingSlot as_read;
    as_read.words = {read};
    std::optional<ocr::InkSpelling> best = ink->spell({as_read});
    bool spelt_new = false;
    for (const auto& stem : *stems) {
      std::vector<ocr::SpellingSlot> slots;
      if (reading->leads) slots.push_back(form);
      slots.insert(slots.end(), stem.begin(), stem.end());
      if (!reading->leads) slots.push_back(form);
      if (auto s = ink->spell(slots); s && (!best || s->cost < best->cost)) {
        best = std::move(s);
        spelt_new = true;
      }
    }
    if (!best || !spelt_new || best->cost > kMostCorporationCost || best->text() == read) continue;
    v.value = best->text();
    v.chars.clear();
    v.confidence = std::min(v.confidence, kUnsureFreeText);
  }
}

}  // namespace station::recognition::detail

namespace station::recognition::detail {

namespace {

// A number's spelling is weighed at this cost or less (ocr::InkSpelling::cost). On seed 20261230's
// envelopes postal codes and phone numbers spelt right cost 0.9 to 2.6, and wrong ones (a label's
// remnant read as a digit) 1.2 and up: the cost hardly tells them apart, the grammar and the
// characters the models doubt do; it leaves out lines the digits hardly fit.
constexpr double kMostNumberCost = 2.5;
// A digit read at this confidence or more is the engine's and the classifier's together: the
// ink's spelling does not overrule it.
constexpr double kSurelyReadDigit = 0.9;

}  // namespace

const std::vector<std::string>& digit_symbols() {
  static const std::vector<std::string> digits = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  return digits;
}

void spell_numbers_by_ink(std::vector<RecognizedValue>& values, const LineInk& line) {
  if (!line) return;
  for (RecognizedValue& v : values) {
    if ((v.type != "postal" && v.type != "phone") || v.value.empty()) continue;
    const std::string read = strip_spaces(v.value);
    const bool postal = v.type == "postal";
    const bool read_ok = postal ? !find_re(read, "^([0-9]{3}-[0-9]{4})$", 1).empty() : phone_grammar_ok(read);
    // The characters the models doubt: only there may the ink's spelling differ from the reading.
    const std::vector<std::string> chars = utf8_characters(read);
    const bool placed = v.chars.size() == chars.size();
    if (read_ok && placed &&
        std::all_of(v.chars.begin(), v.chars.end(), [](const CharReading& c) { return c.confidence >= kSurelyReadDigit; }))
      continue;
    // The ink of the characters read (a number's box may hold its label: 電話), from a little
    // before the first (a digit the models lost) to the last.
    RecognizedValue where = v;
    if (placed) {
      ocr::Box u;
      for (const CharReading& c : v.chars) u = ocr::united(u, c.box);
      if (!u.empty() && !v.box.empty()) {
        const int before = std::clamp(u.x - v.box.x, 0, u.h / 2);
        where.box = ocr::Box{u.x - before, v.box.y, u.w + before, v.box.h};
      }
    }
    const auto ink = line(where);
    if (!ink) continue;
    // The grammar the number is written in: 〒 may stand before a postal code in its box.
    using Slot = ocr::SpellingSlot;
    const auto run = [](int least, int most) { return Slot::run_of(digit_symbols(), least, most); };
    const std::vector<Slot> grammar = postal ? std::vector<Slot>{Slot::one_of({"〒", ""}), run(3, 3), Slot::one_of({"-"}), run(4, 4)}
                                             : std::vector<Slot>{run(2, 5), Slot::one_of({"-"}), run(1, 4), Slot::one_of({"-"}), run(4, 4)};
    const std::optional<ocr::InkSpelling> best = ink->spell(grammar);
    if (!best || best->cost > kMostNumberCost) continue;
    std::string spelt = best->text();
    if (spelt.starts_with("〒")) spelt = spelt.substr(std::string("〒").size());
    if (spelt == read || (!postal && !phone_grammar_ok(spelt))) continue;
    const std::vector<std::string> spelt_chars = utf8_characters(spelt);
    bool take = false;
    if (!read_ok) {
      take = true;  // a reading its grammar rejects: the ink's spelling, which it accepts
    } else if (placed && spelt_chars.size() == chars.size()) {
      take = true;  // where they differ, only at characters the models doubt
      for (std::size_t i = 0; i < chars.size(); ++i)
        if (chars[i] != spelt_chars[i] && v.chars[i].confidence >= kSurelyReadDigit) take = false;
    }
    if (!take) continue;
    v.value = spelt;
    v.chars.clear();
    v.confidence = std::min(v.confidence, kDigitsDisagree);
  }
}

}  // namespace station::recognition::detail
