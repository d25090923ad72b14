// The facility list's names as a lexicon (lexicon.h), and readings matched against it.
#include "station/recognition/lexicon.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include "detail.h"
#include "reconcile.h"
#include "text_repair.h"

namespace station::recognition {

namespace {

void add(std::vector<std::string>& list, std::unordered_set<std::string>& set, const std::string& s) {
  if (s.empty() || !set.insert(s).second) return;
  list.push_back(s);
}

}  // namespace

Lexicon make_lexicon(const std::vector<std::string>& facility_names, const std::vector<std::string>& corporation_names,
                     const std::vector<std::string>& addresses, const std::vector<std::string>& jigyosho_numbers) {
  Lexicon l;
  for (const std::string& n : jigyosho_numbers)
    if (const std::string d = detail::digits_of(n); !d.empty()) {
      l.jigyosho_numbers.insert(d);
      if (d.size() >= 2) l.jigyosho_heads.insert(d.substr(0, 2));
    }
  for (const std::string& n : facility_names) add(l.facilities, l.facility_set, detail::strip_spaces(n));
  for (const std::string& n : corporation_names) add(l.corporations, l.corporation_set, detail::strip_spaces(n));
  for (const std::string& a : addresses) {
    const std::string s = detail::strip_spaces(a);
    if (const auto t = detail::chiba_town(s); t && t->end > t->begin) add(l.towns, l.town_set, s.substr(t->begin, t->end - t->begin));
  }
  return l;
}

std::map<std::string, AmountRule> amount_rules_of(const std::vector<ListedAmount>& list) {
  struct Seen {
    std::set<long long> per_place, flat;
    bool uneven = false;  // an amount that is no whole sum a place
  };
  std::map<std::string, Seen> seen;
  for (const ListedAmount& f : list) {
    const std::string type = detail::strip_spaces(f.service_type);
    if (type.empty() || f.amount <= 0) continue;
    Seen& s = seen[type];
    if (f.capacity <= 0)
      s.flat.insert(f.amount);
    else if (f.amount % f.capacity != 0)
      s.uneven = true;
    else
      s.per_place.insert(f.amount / f.capacity);
  }
  std::map<std::string, AmountRule> out;
  for (const auto& [type, s] : seen) {
    if (s.uneven) continue;
    if (s.per_place.size() == 1 && s.flat.empty())
      out[type] = AmountRule{*s.per_place.begin(), 0};
    else if (s.per_place.empty() && s.flat.size() == 1)
      out[type] = AmountRule{0, *s.flat.begin()};
  }
  return out;
}

namespace detail {

namespace {

// Which of the lexicon's lists a value's key is matched against.
enum class Kind { kNone, kFacility, kCorporation, kAddress, kJigyoshoNo };

Kind kind_of(std::string_view key) {
  if (key == "facility.name" || key == "officers.facility_name") return Kind::kFacility;
  if (key == "facility.jigyosho_no" || key == "officers.jigyosho_no") return Kind::kJigyoshoNo;
  if (key == "corp.name" || key == "pledge.corp_name" || key == "officers.corp_name") return Kind::kCorporation;
  if (key.ends_with("address")) return Kind::kAddress;
  return Kind::kNone;
}

// Whether what the engine saw bears `mended` out over `read` (the value as read, spaces stripped):
// one of the two models read it so, or, where the two differ in one character, the engine offered
// the lexicon's character as that glyph's alternative or (with `vote`) the glyph's own ink votes
// for it unanimously. A name written on the form as it is not in the list (ひまわり荘北 where the
// list has ひまわり荘東) is what the review must see, so the lexicon only chooses among what the
// engine itself saw or the ink bears out.
bool engine_saw(const RecognizedValue& v, const std::string& read, const std::string& mended, const GlyphVote& vote) {
  for (const std::string& r : v.readings)
    if (strip_spaces(r) == mended) return true;
  const std::vector<std::string> a = utf8_characters(read), b = utf8_characters(mended);
  if (a.size() != b.size()) return false;
  std::size_t at = a.size(), differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) ++differ, at = i;
  if (differ != 1) return false;
  // The characters as read, one per character of the value, where they spell it.
  std::vector<const CharReading*> chars;
  std::string spelt;
  for (const CharReading& ch : v.chars)
    if (!strip_spaces(ch.text).empty()) {
      chars.push_back(&ch);
      spelt += strip_spaces(ch.text);
    }
  if (spelt != read || chars.size() != a.size()) return false;
  const std::vector<std::string>& alts = chars[at]->alternatives;
  if (std::find(alts.begin(), alts.end(), b[at]) != alts.end()) return true;
  // Both models read the glyph alike wrong (さくら爺 for さくら苑): its own ink, voted by the glyph
  // classifier between the character read and the list's, unanimously for the list's.
  if (!vote) return false;
  const auto index = static_cast<std::size_t>(chars[at] - v.chars.data());
  std::vector<std::string> pair = {a[at], b[at]};
  std::sort(pair.begin(), pair.end());
  const auto voted = vote(v, index, pair);
  return voted && voted->first == b[at] && voted->second >= 1.0;
}

// Of addresses whose municipality the reading has one character off (municipalities_one_off),
// the one whose character the glyph's own ink votes for clearly (0.8 of the neighbours) among the
// character read and the candidates': all candidates must differ from the reading in the same
// place (析市 for 柏市 or 旭市). Nothing where the ink keeps the character read.
std::optional<std::string> municipality_by_ink(const RecognizedValue& v, const std::string& read,
                                               const GlyphVote& vote) {
  constexpr double kClearShare = 0.8;
  const std::vector<MunicipalityCandidate> near = municipalities_one_off(read);
  if (!vote || near.empty()) return std::nullopt;
  const std::size_t at = near.front().at;
  const std::vector<std::string> a = utf8_characters(read);
  std::vector<std::string> symbols = {a[at]};
  for (const MunicipalityCandidate& m : near) {
    if (m.at != at) return std::nullopt;
    symbols.push_back(utf8_characters(m.address)[at]);
  }
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
  // The value's characters must be the reading's, one by one, for the glyph's box to be its.
  const std::vector<std::size_t> index = char_indices(v, read);
  if (index.size() != a.size()) return std::nullopt;
  const auto voted = vote(v, index[at], symbols);
  if (!voted || voted->second < kClearShare || voted->first == a[at]) return std::nullopt;
  for (const MunicipalityCandidate& m : near)
    if (utf8_characters(m.address)[at] == voted->first) return m.address;
  return std::nullopt;
}

}  // namespace

void match_lexicon(std::vector<RecognizedValue>& values, const Lexicon& lexicon, const Readable& readable,
                   const GlyphVote& vote) {
  if (lexicon.empty()) return;
  // Names are long: one character off a name of four or more is that name. A town is short (栄町,
  // 港町): one off a two-character town fits many, which the uniqueness rule leaves alone.
  constexpr std::size_t kLeastName = 4, kLeastTown = 2;
  for (RecognizedValue& v : values) {
    const Kind kind = kind_of(v.key);
    if (kind == Kind::kNone || v.value.empty()) continue;
    const std::string read = strip_spaces(v.value);
    std::optional<std::string> mended;
    if (kind == Kind::kFacility && !lexicon.facility_set.contains(read)) {
      mended = nearest_in_lexicon(read, lexicon.facilities, readable, kLeastName);
    } else if (kind == Kind::kCorporation && !lexicon.corporation_set.contains(read)) {
      mended = nearest_in_lexicon(read, lexicon.corporations, readable, kLeastName);
    } else if (kind == Kind::kJigyoshoNo) {
      if (lexicon.jigyosho_numbers.contains(read)) continue;
      // A number is not spelt like a name: any listed number one digit off is as near as any
      // other. Only the engine's own alternatives are tried (engine_saw asks no more), and only
      // where exactly one of them makes a listed number.
      const std::vector<std::size_t> index = char_indices(v, read);
      if (index.size() != read.size()) continue;
      // The numbers one alternative of the first `digits` digits makes that `listed` accepts.
      const auto made = [&](std::size_t digits, const auto& listed) {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < digits; ++i)
          for (const std::string& alt : v.chars[index[i]].alternatives) {
            if (alt.size() != 1 || alt[0] < '0' || alt[0] > '9' || alt[0] == read[i]) continue;
            std::string other = read;
            other[i] = alt[0];
            if (listed(other) && std::find(out.begin(), out.end(), other) == out.end()) out.push_back(other);
          }
        return out;
      };
      std::vector<std::string> found = made(read.size(), [&](const std::string& n) { return lexicon.jigyosho_numbers.contains(n); });
      // A number the list lacks (a facility not yet listed) still begins with its prefecture's code,
      // as every listed number does: a head no listed number has is the one an alternative of its
      // first two digits makes, where exactly one does.
      const auto listed_head = [&](const std::string& n) { return n.size() >= 2 && lexicon.jigyosho_heads.contains(n.substr(0, 2)); };
      if (found.empty() && read.size() >= 2 && !listed_head(read)) found = made(2, listed_head);
      if (found.size() == 1) mended = found.front();
    } else if (kind == Kind::kAddress) {
      const auto t = chiba_town(read);
      if (!t || t->end <= t->begin) continue;
      const std::string town = read.substr(t->begin, t->end - t->begin);
      if (lexicon.town_set.contains(town)) continue;
      if (const auto near = nearest_in_lexicon(town, lexicon.towns, readable, kLeastTown))
        mended = read.substr(0, t->begin) + *near + read.substr(t->end);
    }
    // The ink is asked about names only: a town's one character off another's is often the same
    // town spelt another way (松ケ丘, 松が丘), which the review is to see as written.
    if (!mended || *mended == read || !engine_saw(v, read, *mended, kind == Kind::kAddress ? GlyphVote{} : vote)) continue;
    v.value = *mended;
    v.chars.clear();
    v.confidence = std::min(v.confidence, kUnsureFreeText);
  }
}

namespace {

// The ink's spelling is taken at this cost or less (ocr::InkSpelling::cost). On the development
// sets (seed 20261301's handwritten envelopes, seed 20261230) addresses spelt right cost 1.1 to
// 2.1 and those spelt wrong (a town the list lacks, digits whose ink touches) 1.0 and up: the cost
// does not tell them apart, which is why a spelt address is always for the clerk to confirm; it
// leaves alone lines the spellings hardly fit (another field's text, a line outside Chiba).
constexpr double kMostSpellingCost = 1.8;

// The town of an address read as 千葉県, a municipality, a town and a number as addresses write
// it; nothing where the reading is not so (a town of kana and kanji only, of one to six).
std::optional<std::string> town_of_address(const std::string& read) {
  const auto t = chiba_town(read);
  if (!t || t->end <= t->begin || !address_number_grammar_ok(read.substr(t->end))) return std::nullopt;
  const std::string town = read.substr(t->begin, t->end - t->begin);
  const std::vector<std::string> chars = utf8_characters(town);
  if (chars.size() > 6 || has_stray_marks(town)) return std::nullopt;
  for (const std::string& ch : chars)
    if (ch.size() < 3) return std::nullopt;  // Latin letters or marks in a town
  return town;
}

// An address read as 千葉県, a municipality, a town, a number and a building's name written
// straight after it (2-3-4みどりハイツ201): no spelling here holds a building, so spelling the
// line could only lose it. The name starts with two characters that are not digits (a misread digit
// is one: 1-14ぞ4) and holds no more of an address's number (6本同番19号, a misread 丁目).
bool has_building_after_number(const std::string& read) {
  const auto t = chiba_town(read);
  if (!t || t->end <= t->begin) return false;
  const std::string tail = read.substr(t->end);
  const std::string number = leading_address_number(tail);
  if (number.empty() || !town_of_address(read.substr(0, t->end) + number)) return false;
  const std::string rest = tail.substr(number.size());
  const std::vector<std::string> chars = utf8_characters(rest);
  const auto digit_or_dash = [](const std::string& ch) { return std::isdigit(static_cast<unsigned char>(ch[0])) || ch == "-"; };
  if (chars.size() < 3 || digit_or_dash(chars[0]) || digit_or_dash(chars[1]) || rest.find('-') != std::string::npos) return false;
  std::string without_room = rest;
  if (const auto room = without_room.find("号室"); room != std::string::npos) without_room.erase(room);
  for (const char* mark : {"丁目", "番", "号"})
    if (without_room.find(mark) != std::string::npos) return false;
  return true;
}

const std::vector<std::string>& municipalities() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> out;
    for (const std::string& m : chiba_municipalities()) {
      if (m == "千葉市")
        for (const std::string& w : chiba_wards()) out.push_back(m + w);
      else
        out.push_back(m);
    }
    return out;
  }();
  return all;
}

// The address the line's ink spells, with the cost of that spelling.
std::optional<ocr::InkSpelling> address_on_ink(const ocr::InkLine& line, const std::vector<std::string>& towns) {
  const auto run = [](int least, int most) { return ocr::SpellingSlot::run_of(digit_symbols(), least, most); };
  const auto one_of = ocr::SpellingSlot::one_of;
  const std::vector<ocr::SpellingSlot> head = {one_of({"千葉県", ""}), one_of(municipalities()), one_of(towns)};
  // The numbers addresses are written with (address_number_grammar_ok): 8-19-20, 3丁目14番25号,
  // 1038番地20, 12番.
  const std::vector<std::vector<ocr::SpellingSlot>> numbers = {
      {run(1, 4), one_of({"-"}), run(1, 4), one_of({"-", ""}), run(0, 4)},
      {run(1, 2), one_of({"丁目"}), run(1, 3), one_of({"番"}), run(1, 3), one_of({"号", ""})},
      {run(1, 4), one_of({"番地", "番"}), run(0, 4), one_of({"号", ""})},
  };
  std::optional<ocr::InkSpelling> best;
  for (const auto& number : numbers) {
    std::vector<ocr::SpellingSlot> slots = head;
    slots.insert(slots.end(), number.begin(), number.end());
    auto s = line.spell(slots);
    if (!s) continue;
    std::string tail;
    for (std::size_t k = head.size(); k < s->parts.size(); ++k) tail += s->parts[k];
    if (!address_number_grammar_ok(tail)) continue;
    if (!best || s->cost < best->cost) best = std::move(s);
  }
  return best;
}

}  // namespace

void spell_addresses_by_ink(std::vector<RecognizedValue>& values, const Lexicon& lexicon, const LineInk& line) {
  if (lexicon.towns.empty() || !line) return;
  for (RecognizedValue& v : values) {
    if (kind_of(v.key) != Kind::kAddress || v.value.empty()) continue;
    // A reading that is an address as written is left to the lexicon's and the clerk's judgement:
    // its town may be one the list does not know; a building's name may follow it after a space
    // (2-3-4 みどりハイツ201), which no spelling here holds.
    std::string head = v.value;
    for (const char* space : {" ", "\u3000"})
      if (const auto at = head.find(space); at != std::string::npos && at > 0) head = head.substr(0, at);
    if (town_of_address(strip_spaces(head)) || has_building_after_number(strip_spaces(head))) continue;
    // The towns the line may be written with: the list's, and one the models read in an address
    // otherwise misread (a town the list lacks, its number misread).
    std::vector<std::string> towns = lexicon.towns;
    for (const std::string& r : v.readings) {
      const std::string read = strip_spaces(r);
      const auto t = chiba_town(read);
      if (!t || t->end <= t->begin) continue;
      const std::string town = read.substr(t->begin, t->end - t->begin);
      if (utf8_characters(town).size() <= 6 && !has_stray_marks(town) && !lexicon.town_set.contains(town)) towns.push_back(town);
    }
    const auto ink = line(v);
    if (!ink) continue;
    const auto spelt = address_on_ink(*ink, towns);
    if (!spelt || spelt->cost > kMostSpellingCost) continue;
    v.value = spelt->text();
    v.chars.clear();
    for (std::size_t i = 0; i < spelt->boxes.size(); ++i) {
      const std::vector<std::string> chars = utf8_characters(v.value);
      if (chars.size() != spelt->boxes.size()) break;
      v.chars.push_back(CharReading{chars[i], kUnsureFreeText, {}, spelt->boxes[i]});
    }
    v.confidence = std::min(v.confidence, kUnsureFreeText);
  }
}

void choose_municipalities(std::vector<RecognizedValue>& values, const GlyphVote& vote) {
  for (RecognizedValue& v : values) {
    if (kind_of(v.key) != Kind::kAddress || v.value.empty()) continue;
    if (auto mended = municipality_by_ink(v, strip_spaces(v.value), vote)) {
      v.value = *mended;
      v.chars.clear();
      v.confidence = std::min(v.confidence, kUnsureFreeText);
    }
  }
}

}  // namespace detail

}  // namespace station::recognition
