// Cross-form reconciliation: text written twice, furigana against its kanji, dates against each
// other and the postmark.
#include "reconcile.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <chrono>
#include <limits>
#include <string_view>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "station/clock.h"
#include "detail.h"
#include "ocr/language_model.h"
#include "ocr/layout.h"
#include "text_repair.h"

namespace station::recognition::detail {
namespace {

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
// one kanji of a surname read two different wrong ways on the application, the same name read right
// twice on the pledge. Both are then for the clerk to
// confirm. Values that differ by more are left alone: the applicant may have written different
// things, and the reviewer sees both.
struct SameText {
  const char* a;
  const char* b;
  bool b_has_title;  // b is "<title>　<name>" (pledge.rep); its name is compared
};
constexpr SameText kSameText[] = {
    {"corp.name", "pledge.corp_name", false},       {"corp.name", "officers.corp_name", false},
    {"corp.address", "pledge.corp_address", false}, {"facility.name", "officers.facility_name", false},
    {"corp.rep_name", "pledge.rep", true},          {"corp.name", "envelope.sender_name", false},
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

// A reading of "<corporation>　<title>　<name>" cut at `title` (its last occurrence, gaps around it
// read or not): the corporation and the name, gaps around them trimmed; nothing where the title is
// not there with something before and after it.
std::optional<std::pair<std::string, std::string>> split_at_title(const std::string& reading, const std::string& title) {
  const std::string t = strip_spaces(title);
  const auto at = t.empty() ? std::string::npos : reading.rfind(t);
  if (at == std::string::npos) return std::nullopt;
  const auto trim = [](std::string x) {
    const std::string wide = "\u3000";
    while (x.starts_with(wide) || x.starts_with(" ")) x.erase(0, x.starts_with(" ") ? 1 : wide.size());
    while (x.ends_with(wide) || x.ends_with(" ")) x.resize(x.size() - (x.ends_with(" ") ? 1 : wide.size()));
    return x;
  };
  std::string corp = trim(reading.substr(0, at)), name = trim(reading.substr(at + t.size()));
  if (corp.empty() || name.empty()) return std::nullopt;
  return std::pair{std::move(corp), std::move(name)};
}

}  // namespace

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
    // An address whose number is one beats one whose number is not (真間2-12-5, 真間2-や-5): the
    // readings may all hold the misread character the ink mended. Otherwise each reading votes for
    // the value it is nearer to; more votes win, the dictionary breaks a tie.
    const bool address = std::string_view(same.a).ends_with("address");
    if (address && address_ends_in_a_number(a->value) != address_ends_in_a_number(b_text)) {
      const std::string best = address_ends_in_a_number(a->value) ? a->value : b_text;
      a->value = best;
      b->value = title + best;
      a->confidence = std::min(a->confidence, kUnsureFreeText);
      b->confidence = std::min(b->confidence, kUnsureFreeText);
      continue;
    }
    int votes_a = 0, votes_b = 0;
    for (const std::string& r : readings) {
      const int da = edit_distance(u(r), u(a->value)), db = edit_distance(u(r), u(b_text));
      votes_a += da < db;
      votes_b += db < da;
    }
    std::string best;
    if (votes_a != votes_b)
      best = votes_a > votes_b ? a->value : b_text;
    else
      best = ocr::text_cost(b_text).value_or(0) < ocr::text_cost(a->value).value_or(0) ? b_text : a->value;
    a->value = best;
    b->value = title + best;
    a->confidence = std::min(a->confidence, kUnsureFreeText);
    b->confidence = std::min(b->confidence, kUnsureFreeText);
  }
}

namespace {

using ReadingKind = ocr::KanaReadingMatch::Kind;
using EditOp = ocr::KanaReadingMatch::Edit::Op;

// A kana value at or above this raw confidence is taken as the witness for its kanji.
constexpr double kConfidentKana = 0.9;

// The parts of a name or holder between its full-width gaps.
std::vector<icu::UnicodeString> gap_parts(const std::string& s) {
  std::vector<icu::UnicodeString> out;
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  int32_t start = 0;
  for (int32_t k = 0; k <= u.length(); ++k)
    if (k == u.length() || u.charAt(k) == u'\u3000') {
      if (k > start) out.emplace_back(u, start, k - start);
      start = k + 1;
    }
  return out;
}

std::string utf8(const icu::UnicodeString& u) {
  std::string out;
  u.toUTF8String(out);
  return out;
}

// Per character of the value (spaces removed): the other characters the readers weighed for it
// (Tesseract's alternatives). Empty when the value's characters do not map one to one.
using Alternatives = std::vector<std::vector<icu::UnicodeString>>;
Alternatives alternatives_of(const RecognizedValue& v) {
  const icu::UnicodeString bare = icu::UnicodeString::fromUTF8(strip_spaces(v.value));
  Alternatives out;
  if (v.chars.size() != static_cast<std::size_t>(bare.length())) return {};
  for (std::size_t k = 0; k < v.chars.size(); ++k) {
    const icu::UnicodeString t = icu::UnicodeString::fromUTF8(v.chars[k].text);
    if (t.length() != 1 || t.charAt(0) != bare.charAt(static_cast<int32_t>(k))) return {};
    std::vector<icu::UnicodeString> alts;
    for (const std::string& a : v.chars[k].alternatives) {
      const icu::UnicodeString ua = icu::UnicodeString::fromUTF8(a);
      if (ua.length() == 1 && ua != t) alts.push_back(ua);
    }
    out.push_back(std::move(alts));
  }
  return out;
}

bool among(const std::vector<icu::UnicodeString>& list, const icu::UnicodeString& x) {
  return std::find(list.begin(), list.end(), x) != list.end();
}

bool is_kana_char(char16_t c) { return (c >= 0x3041 && c <= 0x3096) || (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC; }

// The kana part mended to the one reading of its kanji one edit away, where the edit is a kana
// substituted (any pair: シ read ン, ユ read コ) or a kana read twice. Where several readings are
// one edit away, Tesseract's alternatives for the glyph (`alts`, this part's characters; may be
// empty) choose, if they name exactly one, else the person names' spellings (below). A kana
// missing from the furigana is never supplied: as
// likely another reading (シラカバ, the dictionary's シラカンバ). Where the kanji was not read alike by
// both models, only a kana read twice is mended (a misread kanji's reading rarely matches the
// furigana but for one kana too many).
std::optional<icu::UnicodeString> kana_from_reading(const ocr::KanaReadingMatch& m, const std::string& kanji8,
                                                    const Alternatives& alts, int32_t offset, bool agreed) {
  if (m.kind != ReadingKind::near) return std::nullopt;
  std::vector<const ocr::KanaReadingMatch::Edit*> edits, supported;
  for (const auto& e : m.near) {
    if (e.op == EditOp::missing || (e.op == EditOp::substitute && !agreed)) continue;
    edits.push_back(&e);
    const std::size_t at = static_cast<std::size_t>(offset + e.position);
    if (e.op == EditOp::substitute && at < alts.size() &&
        among(alts[at], icu::UnicodeString::fromUTF8(e.should_be)))
      supported.push_back(&e);
  }
  if (edits.size() == 1) return icu::UnicodeString::fromUTF8(edits.front()->reading);
  if (supported.size() == 1) return icu::UnicodeString::fromUTF8(supported.front()->reading);
  if (edits.empty()) return std::nullopt;
  // Several readings one edit away (キヨン: キヨシ by a kana misread, キヨ by one read twice; マエタダ:
  // マエダ or マエタ). The one the dictionary's person names spell with these kanji most commonly
  // (the name lists are ordered by cost) decides; else the dictionary's best reading of the kanji.
  std::optional<std::size_t> best_rank;
  const ocr::KanaReadingMatch::Edit* ranked = nullptr;
  bool tied = false;
  for (const auto* e : edits)
    for (const ocr::NamePart part : {ocr::NamePart::family, ocr::NamePart::given}) {
      const std::vector<std::string> spellings = ocr::name_spellings(e->reading, part);
      const auto it = std::find(spellings.begin(), spellings.end(), kanji8);
      if (it == spellings.end()) continue;
      const auto rank = static_cast<std::size_t>(it - spellings.begin());
      if (!best_rank || rank < *best_rank) {
        best_rank = rank, ranked = e, tied = false;
      } else if (rank == *best_rank && ranked->reading != e->reading) {
        tied = true;
      }
    }
  if (ranked != nullptr && !tied) return icu::UnicodeString::fromUTF8(ranked->reading);
  if (const auto best = ocr::reading_of(kanji8))
    for (const auto* e : edits)
      if (e->reading == *best) return icu::UnicodeString::fromUTF8(e->reading);
  return std::nullopt;
}

constexpr std::u16string_view kSmallKana = u"ァィゥェォッャュョヮヵヶ", kFullKana = u"アイウエオツヤユヨワカケ";

bool is_small_kana(char16_t c) { return kSmallKana.find(c) != std::u16string_view::npos; }

// A katakana's base form: voicing marks dropped, a small kana made full size (ズ → ス, ゥ → ウ).
char16_t kana_base(char16_t c) {
  icu::UnicodeString d;
  UErrorCode status = U_ZERO_ERROR;
  if (const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status); U_SUCCESS(status))
    d = nfd->normalize(icu::UnicodeString(c), status);
  char16_t b = U_SUCCESS(status) && d.length() > 0 ? d.charAt(0) : c;
  if (const auto at = kSmallKana.find(b); at != std::u16string_view::npos) b = kFullKana[at];
  return b;
}

// Kana read as a glyph, its variant, and the glyph again (ダイスズスケ, ショウゥウタ: the reader
// hesitating over one glyph), or as a glyph and its own small form (イリョウゥホウ): the glyph once.
icu::UnicodeString collapse_kana_stutters(const icu::UnicodeString& kana) {
  icu::UnicodeString out;
  const auto variant = [&](int32_t a, int32_t b) {
    return kana.charAt(a) != kana.charAt(b) && kana_base(kana.charAt(a)) == kana_base(kana.charAt(b));
  };
  for (int32_t k = 0; k < kana.length(); ++k) {
    out.append(kana.charAt(k));
    if (!is_kana_char(kana.charAt(k))) continue;
    if (k + 2 < kana.length() && kana.charAt(k + 2) == kana.charAt(k) && variant(k, k + 1))
      k += 2;
    else if (k + 1 < kana.length() && is_small_kana(kana.charAt(k + 1)) && kana_base(kana.charAt(k + 1)) == kana.charAt(k))
      k += 1;
  }
  return out;
}

// The kanji part changed in one character so that the kana is exactly a reading of it, where the
// new character is one the reader weighed for that glyph (`alts`) or the other model's character
// there (`others`: the other models' readings of this part); or the other model's whole part where
// that is a reading of the kana. Nothing when no such text, or more than one, exists.
std::optional<icu::UnicodeString> kanji_from_kana(const icu::UnicodeString& kana, const icu::UnicodeString& kanji,
                                                  const Alternatives& alts, int32_t offset,
                                                  const std::vector<icu::UnicodeString>& others) {
  const std::string kana8 = utf8(kana);
  std::vector<icu::UnicodeString> tried{kanji}, found;
  auto consider = [&](const icu::UnicodeString& candidate) {
    if (among(tried, candidate)) return;
    tried.push_back(candidate);
    if (ocr::match_reading(kana8, utf8(candidate)).kind == ReadingKind::reading) found.push_back(candidate);
  };
  for (const icu::UnicodeString& o : others) consider(o);
  for (int32_t k = 0; k < kanji.length(); ++k) {
    if (is_kana_char(kanji.charAt(k))) continue;
    std::vector<icu::UnicodeString> chars;
    const std::size_t at = static_cast<std::size_t>(offset + k);
    if (at < alts.size()) chars = alts[at];
    for (const icu::UnicodeString& o : others)
      if (o.length() == kanji.length() && o.charAt(k) != kanji.charAt(k)) chars.emplace_back(o.charAt(k));
    for (const icu::UnicodeString& c : chars) {
      if (c.length() != 1 || is_kana_char(c.charAt(0)) || c.charAt(0) == u'\u3000' || c.charAt(0) == u' ') continue;
      icu::UnicodeString candidate = kanji;
      candidate.setCharAt(k, c.charAt(0));
      consider(candidate);
    }
  }
  if (found.size() != 1) return std::nullopt;
  return found.front();
}

}  // namespace

void check_kana_by_reading(std::vector<RecognizedValue>& values) {
  const auto find = [&](const std::string& key) { return find_value(values, key); };
  const icu::UnicodeString gap = icu::UnicodeString::fromUTF8("\u3000");
  for (auto& v : values) {
    const std::string& key = v.key;
    std::string kanji_key;
    if (key.size() > 10 && key.compare(key.size() - 10, 10, ".name_kana") == 0)
      kanji_key = key.substr(0, key.size() - 10) + ".name";
    else if (key == "officers.corp_kana")
      kanji_key = "officers.corp_name";
    else if (key == "bank.holder_kana")
      kanji_key = "bank.holder";
    else
      continue;
    RecognizedValue* kanji = find(kanji_key);
    if (kanji == nullptr || kanji->value.empty() || v.value.empty()) continue;
    auto kana_parts = gap_parts(v.value);
    auto kanji_parts = gap_parts(kanji->value);
    if (kana_parts.size() == 2 && kanji_parts.size() == 1 && kanji_parts[0].length() >= 2) {
      // A name read without its gap between family and given name: split where both sides are
      // readings of the furigana's two parts, else where the reading of each side is nearest them.
      const icu::UnicodeString whole = kanji_parts[0];
      int best = -1, best_cost = 3;
      for (int32_t cut = 1; cut < whole.length() && best_cost > 0; ++cut) {
        const std::string left = utf8(icu::UnicodeString(whole, 0, cut)), right = utf8(icu::UnicodeString(whole, cut));
        if (ocr::match_reading(utf8(kana_parts[0]), left).kind == ReadingKind::reading &&
            ocr::match_reading(utf8(kana_parts[1]), right).kind == ReadingKind::reading) {
          best = cut, best_cost = 0;
          break;
        }
        const auto rl = ocr::reading_of(left), rr = ocr::reading_of(right);
        if (!rl || !rr) continue;
        const int cost = edit_distance(kana_parts[0], icu::UnicodeString::fromUTF8(*rl)) +
                         edit_distance(kana_parts[1], icu::UnicodeString::fromUTF8(*rr));
        if (cost < best_cost) best = cut, best_cost = cost;
      }
      if (best > 0) kanji_parts = {icu::UnicodeString(whole, 0, best), icu::UnicodeString(whole, best)};
    }
    bool kana_split = false;
    if (key.ends_with(".name_kana") && kana_parts.size() != 2 && kanji_parts.size() == 2) {
      // A furigana read without its gap (イシイナオコ beside 石井　直子), or with gaps where there are
      // none (ハヤシ　マコ　ミ): its kana, gaps aside, are cut where the first part is a reading of the
      // family name and the rest a reading of the given name or one edit from one (mended below);
      // the first such cut that is a reading on both sides, else the first.
      icu::UnicodeString whole;
      for (const icu::UnicodeString& part : kana_parts) whole.append(part);
      int32_t cut_at = -1;
      for (int32_t cut = 1; cut < whole.length(); ++cut) {
        const icu::UnicodeString left(whole, 0, cut), right(whole, cut);
        if (ocr::match_reading(utf8(left), utf8(kanji_parts[0])).kind != ReadingKind::reading) continue;
        const auto kind = ocr::match_reading(utf8(right), utf8(kanji_parts[1])).kind;
        if (kind == ReadingKind::reading) {
          cut_at = cut;
          break;
        }
        if (kind == ReadingKind::near && cut_at < 0) cut_at = cut;
      }
      if (cut_at > 0) {
        kana_parts = {icu::UnicodeString(whole, 0, cut_at), icu::UnicodeString(whole, cut_at)};
        kana_split = true;
      }
    }
    if (kana_parts.size() != kanji_parts.size()) {
      // Gaps read where there are none (ハシ　モト　シュ　ウタ): the whole is compared, and kana that
      // is no reading of kanji both models read alike is doubted.
      bool alike = true;
      for (const std::string& r : kanji->readings) alike = alike && strip_spaces(r) == strip_spaces(kanji->value);
      const auto m = ocr::match_reading(v.value, kanji->value);
      if (alike && (m.kind == ReadingKind::near || m.kind == ReadingKind::none))
        v.confidence = std::min(v.confidence, kUnsureFreeText);
      continue;
    }
    // The other models' readings of each kanji part, where they split alike; the part was read
    // alike where every reading has it.
    std::vector<std::vector<icu::UnicodeString>> others(kanji_parts.size());
    std::vector<bool> agreed(kanji_parts.size(), true);
    for (const std::string& r : kanji->readings) {
      const auto rp = gap_parts(r);
      const icu::UnicodeString bare = icu::UnicodeString::fromUTF8(strip_spaces(r));
      const bool same_length = bare.length() == icu::UnicodeString::fromUTF8(strip_spaces(kanji->value)).length();
      int32_t offset = 0;
      for (std::size_t k = 0; k < kanji_parts.size(); ++k) {
        if (rp.size() == kanji_parts.size()) {
          if (rp[k] != kanji_parts[k]) {
            agreed[k] = false;
            if (!among(others[k], rp[k])) others[k].push_back(rp[k]);
          }
        } else if (!same_length || icu::UnicodeString(bare, offset, kanji_parts[k].length()) != kanji_parts[k]) {
          // Split otherwise (a gap not seen): the same characters at the same place count as alike.
          agreed[k] = false;
        }
        offset += kanji_parts[k].length();
      }
    }
    const Alternatives kana_alts = alternatives_of(v), kanji_alts = alternatives_of(*kanji);
    icu::UnicodeString fixed_kana, fixed_kanji;
    bool kana_changed = false, kanji_changed = false, doubt = false;
    int32_t kana_offset = 0, kanji_offset = 0;
    for (std::size_t k = 0; k < kana_parts.size(); ++k) {
      if (k > 0) fixed_kana.append(gap), fixed_kanji.append(gap);
      icu::UnicodeString kana_part = kana_parts[k], kanji_part = kanji_parts[k];
      const auto m = ocr::match_reading(utf8(kana_part), utf8(kanji_part));
      // A glyph the reader hesitated over, read three times: once, where that makes the kana a
      // reading of the kanji.
      if (const icu::UnicodeString once = collapse_kana_stutters(kana_part);
          (m.kind == ReadingKind::near || m.kind == ReadingKind::none) && once != kana_part &&
          ocr::match_reading(utf8(once), utf8(kanji_part)).kind == ReadingKind::reading) {
        kana_part = once;
        kana_changed = true;
      } else if (m.kind == ReadingKind::near || m.kind == ReadingKind::none) {
        // A confident furigana that is a reading of the kanji but for one character the reader
        // weighed there, or the other model read: the kanji is that (清氷 → 清水 by シミズ).
        std::optional<icu::UnicodeString> kanji_fix;
        if (v.confidence >= kConfidentKana)
          kanji_fix = kanji_from_kana(kana_part, kanji_part, kanji_alts, kanji_offset, others[k]);
        if (kanji_fix) {
          kanji_part = *kanji_fix;
          kanji_changed = true;
        } else if (const auto better = kana_from_reading(m, utf8(kanji_part), kana_alts, kana_offset, agreed[k])) {
          kana_part = *better;
          kana_changed = true;
        } else if (agreed[k] || m.kind == ReadingKind::near) {
          // No reading of kanji both models read alike, or one kana from a reading of kanji the
          // models read differently (ツヨン by 剛 misread): a clerk looks.
          doubt = true;
        }
      }
      kana_offset += kana_parts[k].length();
      kanji_offset += kanji_parts[k].length();
      fixed_kana.append(kana_part);
      fixed_kanji.append(kanji_part);
    }
    if (kana_changed || kana_split) {
      v.value = utf8(fixed_kana);
      v.chars.clear();
    }
    if (kana_changed || kana_split || doubt) v.confidence = std::min(v.confidence, kUnsureFreeText);
    if (kanji_changed) {
      // The kanji's own gaps as read (the split above may have added one the reader did not see).
      const bool had_gap = gap_parts(kanji->value).size() == kanji_parts.size();
      std::string mended = utf8(fixed_kanji);
      kanji->value = had_gap ? mended : strip_spaces(mended);
      kanji->chars.clear();
      kanji->confidence = std::min(kanji->confidence, kUnsureFreeText);
    }
  }
}

namespace {

// "<family>　<given>" as one name: its two parts, gaps (full or half width) trimmed; a name read
// without its gap is one part.
std::vector<std::string> name_words(const std::string& s) {
  std::vector<std::string> out;
  for (const icu::UnicodeString& part : gap_parts(s)) {
    std::string w;
    part.toUTF8String(w);
    w = strip_spaces(w);
    if (!w.empty()) out.push_back(w);
  }
  return out;
}

// Whether the furigana `kana` ("<family>　<given>") reads `name`: each part by the dictionary's
// spellings of that family or given name, or by a reading of its kanji; a name read without its gap
// where one cut makes it so.
bool furigana_reads_name(const std::vector<std::string>& kana, const std::string& name) {
  if (kana.size() != 2) return false;
  const auto part_read = [&](std::size_t k, const std::string& w) {
    const auto sp = ocr::name_spellings(kana[k], k == 0 ? ocr::NamePart::family : ocr::NamePart::given);
    return std::find(sp.begin(), sp.end(), w) != sp.end() ||
           ocr::match_reading(kana[k], w).kind == ocr::KanaReadingMatch::Kind::reading;
  };
  const std::vector<std::string> words = name_words(name);
  if (words.size() == 2) return part_read(0, words[0]) && part_read(1, words[1]);
  if (words.size() != 1) return false;
  const icu::UnicodeString whole = icu::UnicodeString::fromUTF8(words[0]);
  for (int32_t cut = 1; cut < whole.length(); ++cut) {
    std::string a, b;
    icu::UnicodeString(whole, 0, cut).toUTF8String(a);
    icu::UnicodeString(whole, cut).toUTF8String(b);
    if (part_read(0, a) && part_read(1, b)) return true;
  }
  return false;
}

// The officer list's row for the representative ("officers.rows[i]"): the one row with the
// application's 代表者職名 as its title; nothing where no row, or more than one, has it.
std::optional<std::string> representative_row(std::vector<RecognizedValue>& values) {
  const RecognizedValue* title = find_value(values, "corp.rep_title");
  if (title == nullptr || title->value.empty()) return std::nullopt;
  static constexpr std::string_view kTitle = ".title";
  std::optional<std::string> row;
  for (const RecognizedValue& v : values) {
    if (v.key.rfind("officers.rows[", 0) != 0 || !v.key.ends_with(kTitle) || strip_spaces(v.value) != strip_spaces(title->value))
      continue;
    if (row) return std::nullopt;
    row = v.key.substr(0, v.key.size() - kTitle.size());
  }
  return row;
}

}  // namespace

void reconcile_representative(std::vector<RecognizedValue>& values) {
  const auto find = [&](const std::string& key) { return find_value(values, key); };
  constexpr const char* kGap = "\u3000";
  // A form's value: the text before the name (kept as read) and the name.
  struct Member {
    RecognizedValue* v;
    std::string prefix, name;
  };
  std::vector<Member> members;
  std::vector<std::vector<std::string>> furigana;
  std::string title;
  if (const RecognizedValue* t = find("corp.rep_title"); t != nullptr) title = strip_spaces(t->value);
  if (RecognizedValue* n = find("corp.rep_name"); n != nullptr && !n->value.empty()) members.push_back({n, "", n->value});
  if (const auto row = representative_row(values)) {
    if (RecognizedValue* n = find(*row + ".name"); n != nullptr && !n->value.empty()) members.push_back({n, "", n->value});
    if (RecognizedValue* k = find(*row + ".name_kana"); k != nullptr) furigana.push_back(name_words(k->value));
  }
  if (RecognizedValue* p = find("pledge.rep"); p != nullptr && !p->value.empty()) {
    // "<title>　<name>": the title as the application gives it (its gap may not have been seen),
    // else as split at the gaps.
    if (std::string name = title.empty() ? "" : after_title(p->value, title); !name.empty())
      members.push_back({p, title + kGap, name});
    else if (const auto split = split_title(p->value))
      members.push_back({p, split->first, split->second});
  }
  if (RecognizedValue* h = find("bank.holder"); h != nullptr && !h->value.empty()) {
    // "<corporation>　<title>　<family>　<given>": the name after the application's title where the
    // holder has it (gaps lost around it, 千葉長寿会理事長高橋　隆, are given back), else the last two
    // parts; with the holder's furigana's.
    std::optional<std::pair<std::string, std::string>> split;
    if (auto at_title = split_at_title(h->value, title)) {
      // The corporation as the application's 法人名 spells it, where the two differ only in gaps (a
      // gap read inside the holder's corporation: グリーンハート有限　会社).
      std::string corp = at_title->first;
      if (const RecognizedValue* c = find("corp.name"); c != nullptr && !c->value.empty() && strip_spaces(corp) == strip_spaces(c->value))
        corp = c->value;
      split = std::pair{corp + kGap + strip_spaces(title) + kGap, at_title->second};
    }
    if (split && name_words(split->second).size() == 2) {
      const std::vector<std::string> words = name_words(split->second);
      if (const std::string whole = split->first + words[0] + kGap + words[1];
          whole != h->value && strip_spaces(whole) == strip_spaces(h->value)) {
        h->value = whole;
        h->chars.clear();
      }
    }
    if (!split) split = split_title(h->value);
    if (split && split->first.size() > std::string(kGap).size()) {
      members.push_back({h, split->first, split->second});
      if (RecognizedValue* hk = find("bank.holder_kana"); hk != nullptr) {
        const std::vector<std::string> parts = name_words(hk->value);
        if (parts.size() >= 3) furigana.push_back({parts[parts.size() - 2], parts.back()});
      }
    }
  }
  if (members.size() < 2 || furigana.empty()) return;
  const auto read_by_furigana = [&](const std::string& name) {
    return std::any_of(furigana.begin(), furigana.end(), [&](const auto& k) { return furigana_reads_name(k, name); });
  };
  // The one name the furigana read (as the forms give it, with its gap).
  std::string chosen;
  for (const Member& m : members) {
    const std::vector<std::string> words = name_words(m.name);
    if (words.size() != 2 || !read_by_furigana(m.name)) continue;
    const std::string name = words[0] + kGap + words[1];
    if (!chosen.empty() && chosen != name) return;  // two names the furigana read: not for us
    chosen = name;
  }
  if (chosen.empty()) return;
  const icu::UnicodeString bare = icu::UnicodeString::fromUTF8(strip_spaces(chosen));
  for (Member& m : members) {
    const icu::UnicodeString read = icu::UnicodeString::fromUTF8(strip_spaces(m.name));
    if (read == bare || read_by_furigana(m.name)) {
      if (read == bare && m.name != chosen && name_words(m.name).size() == 1) {
        // The same name read without its gap: the gap is given back.
        m.v->value = m.prefix + chosen;
        m.v->chars.clear();
      }
      continue;
    }
    if (edit_distance(read, bare) > std::max(1, (bare.length() + 1) / 2)) continue;
    m.v->value = m.prefix + chosen;
    m.v->chars.clear();
    m.v->confidence = std::min(m.v->confidence, kUnsureFreeText);
  }
}

void reconcile_holder_kana(std::vector<RecognizedValue>& values) {
  const auto find = [&](const std::string& key) { return find_value(values, key); };
  RecognizedValue* holder_kana = find("bank.holder_kana");
  if (holder_kana == nullptr || holder_kana->value.empty()) return;
  // The holder's furigana by its last three gaps: gaps read inside the corporation's part (a small
  // kana read large after a gap: イリ　ヨウ) stay in it.
  const std::vector<icu::UnicodeString> parts = gap_parts(holder_kana->value);
  if (parts.size() < 4) return;
  icu::UnicodeString corp;
  for (std::size_t k = 0; k + 3 < parts.size(); ++k) corp.append(parts[k]);
  std::vector<icu::UnicodeString> mine = {corp, parts[parts.size() - 3], parts[parts.size() - 2], parts.back()};
  // The kanji each part spells, and each part's witness: the application's corporation and the
  // officer list's corporation furigana; the application's title and the dictionary's reading of it
  // (代表理事: ダイヒョウリジ); the application's representative and the representative's row's
  // furigana.
  std::vector<std::string> kanji(4);
  std::vector<std::optional<icu::UnicodeString>> theirs(4);
  RecognizedValue* corp_kana = find("officers.corp_kana");
  if (const RecognizedValue* n = find("corp.name"); n != nullptr) kanji[0] = strip_spaces(n->value);
  if (corp_kana != nullptr && !corp_kana->value.empty())
    theirs[0] = icu::UnicodeString::fromUTF8(strip_spaces(corp_kana->value));
  if (const RecognizedValue* t = find("corp.rep_title"); t != nullptr && !t->value.empty())
    if (const auto r = ocr::reading_of(strip_spaces(t->value))) {
      kanji[1] = strip_spaces(t->value);
      theirs[1] = icu::UnicodeString::fromUTF8(ocr::as_katakana(*r));
    }
  if (const RecognizedValue* n = find("corp.rep_name"); n != nullptr)
    if (const std::vector<std::string> name = name_words(n->value); name.size() == 2) kanji[2] = name[0], kanji[3] = name[1];
  if (const auto row = representative_row(values))
    if (const RecognizedValue* k = find(*row + ".name_kana"); k != nullptr)
      if (const std::vector<icu::UnicodeString> rk = gap_parts(k->value); rk.size() == 2) theirs[2] = rk[0], theirs[3] = rk[1];
  const auto reads = [](const icu::UnicodeString& kana, const std::string& spelt) {
    return !spelt.empty() && ocr::match_reading(utf8(kana), spelt).kind == ocr::KanaReadingMatch::Kind::reading;
  };
  bool changed = false;
  for (std::size_t k = 0; k < 4; ++k) {
    if (!theirs[k] || kanji[k].empty()) continue;
    const icu::UnicodeString& other = *theirs[k];
    if (other == mine[k]) {
      // The corporation's part read with a gap inside that its witness does not have: closed.
      changed = changed || (k == 0 && parts.size() > 4);
      continue;
    }
    if (edit_distance(other, mine[k]) > std::max(2, static_cast<int>(other.length()) / 4)) continue;
    const bool mine_reads = reads(mine[k], kanji[k]), other_reads = reads(other, kanji[k]);
    if (other_reads && !mine_reads) {
      mine[k] = other;
      changed = true;
    } else if (mine_reads && !other_reads && k == 0) {
      // The officer list's corporation furigana mended by the holder's. (A representative's row
      // is checked against its own kanji by check_kana_by_reading.)
      corp_kana->value = utf8(mine[k]);
      corp_kana->chars.clear();
      corp_kana->confidence = std::min(corp_kana->confidence, kUnsureFreeText);
    }
  }
  if (!changed) return;
  const icu::UnicodeString gap = icu::UnicodeString::fromUTF8("\u3000");
  icu::UnicodeString out = mine[0];
  for (std::size_t k = 1; k < 4; ++k) out.append(gap).append(mine[k]);
  holder_kana->value = utf8(out);
  holder_kana->chars.clear();
  holder_kana->confidence = std::min(holder_kana->confidence, kUnsureFreeText);
}


namespace {

// The officers' titles (役職名) and the representative's (代表者職名): the offices Japanese law
// gives corporations (会社法: 取締役, 会計参与, 監査役, 執行役, 持分会社の社員; 社会福祉法, 医療法,
// 一般社団・財団法人法, 特定非営利活動促進法: 理事, 監事, 評議員; 農業協同組合法: 組合長 by custom) and the
// titles their articles customarily give those offices.
constexpr std::u16string_view kTitles[] = {
    u"理事長", u"副理事長", u"代表理事", u"業務執行理事", u"常務理事", u"専務理事", u"常任理事", u"理事",
    u"監事", u"常勤監事", u"評議員", u"評議員会長", u"会長", u"副会長", u"社長", u"副社長", u"専務", u"常務",
    u"代表取締役", u"代表取締役社長", u"代表取締役会長", u"代表取締役副社長", u"代表取締役専務",
    u"取締役", u"取締役会長", u"取締役社長", u"取締役副社長", u"専務取締役", u"常務取締役", u"社外取締役",
    u"監査役", u"常勤監査役", u"社外監査役", u"監査等委員", u"監査等委員である取締役", u"会計参与", u"会計監査人",
    u"執行役", u"代表執行役", u"執行役員", u"代表社員", u"業務執行社員", u"無限責任社員", u"有限責任社員", u"社員",
    u"組合長", u"代表理事組合長", u"副組合長", u"相談役", u"顧問", u"参与", u"施設長", u"代表者", u"代表",
};

bool is_title_key(const std::string& key) {
  return key == "corp.rep_title" || (key.starts_with("officers.rows[") && key.ends_with("].title"));
}

// Edits from `read` to `title`, in halves: a character replaced by one the reader weighed for that
// glyph (`weighed[k]`) costs half an edit, any other edit a whole one.
int title_cost(const icu::UnicodeString& read, const icu::UnicodeString& title,
               const std::vector<std::vector<icu::UnicodeString>>& weighed) {
  const int32_t n = read.length(), m = title.length();
  std::vector<std::vector<int>> d(static_cast<std::size_t>(n + 1), std::vector<int>(static_cast<std::size_t>(m + 1)));
  for (int32_t i = 0; i <= n; ++i) d[i][0] = 2 * i;
  for (int32_t j = 0; j <= m; ++j) d[0][j] = 2 * j;
  for (int32_t i = 1; i <= n; ++i)
    for (int32_t j = 1; j <= m; ++j) {
      int sub = 0;
      if (read.charAt(i - 1) != title.charAt(j - 1))
        sub = static_cast<std::size_t>(i - 1) < weighed.size() &&
                      among(weighed[static_cast<std::size_t>(i - 1)], icu::UnicodeString(title.charAt(j - 1)))
                  ? 1
                  : 2;
      d[i][j] = std::min({d[i - 1][j] + 2, d[i][j - 1] + 2, d[i - 1][j - 1] + sub});
    }
  return d[n][m];
}

}  // namespace

std::vector<std::string> nearest_titles(const std::string& read, const std::vector<std::string>& other_readings,
                                        const std::vector<std::vector<std::string>>& alternatives) {
  const icu::UnicodeString r = icu::UnicodeString::fromUTF8(strip_spaces(read));
  if (r.isEmpty()) return {};
  // What was weighed for each character: the reader's alternatives, the other model's character.
  std::vector<std::vector<icu::UnicodeString>> weighed(static_cast<std::size_t>(r.length()));
  for (std::size_t k = 0; k < weighed.size() && k < alternatives.size(); ++k)
    for (const std::string& a : alternatives[k]) weighed[k].push_back(icu::UnicodeString::fromUTF8(a));
  for (const std::string& o : other_readings) {
    const icu::UnicodeString u = icu::UnicodeString::fromUTF8(strip_spaces(o));
    if (u.length() == r.length())
      for (int32_t k = 0; k < u.length(); ++k)
        if (u.charAt(k) != r.charAt(k)) weighed[static_cast<std::size_t>(k)].emplace_back(u.charAt(k));
  }
  int best = std::numeric_limits<int>::max();
  std::vector<std::string> out;
  for (const std::u16string_view t : kTitles) {
    const icu::UnicodeString title(t.data(), static_cast<int32_t>(t.size()));
    const int cost = title_cost(r, title, weighed);
    // One edit for a title of two characters (one must stand), two for longer ones.
    const int limit = 2 * std::min(2, title.length() - 1);
    if (cost > limit || cost > best) continue;
    if (cost < best) best = cost, out.clear();
    out.push_back(utf8(title));
  }
  return out;
}

bool is_title(const std::string& s) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(strip_spaces(s));
  for (const std::u16string_view t : kTitles)
    if (u == icu::UnicodeString(t.data(), static_cast<int32_t>(t.size()))) return true;
  return false;
}

namespace {

// Of titles near alike (nearest_titles), the one whose character in the one place where they all
// differ from the reading `bare` the glyph there is voted for by a clear majority of its
// neighbours; nothing otherwise.
std::optional<std::string> title_by_glyph(const RecognizedValue& v, const icu::UnicodeString& bare,
                                          const std::vector<std::string>& near, const GlyphVote& vote) {
  constexpr double kClearShare = 0.8;  // six of the seven nearest rendered glyphs
  if (!vote || near.size() < 2) return std::nullopt;
  int32_t at = -1;
  std::vector<std::string> symbols;
  for (const std::string& t : near) {
    const icu::UnicodeString u = icu::UnicodeString::fromUTF8(t);
    if (u.length() != bare.length()) return std::nullopt;
    int32_t differ = -1;
    for (int32_t k = 0; k < u.length(); ++k)
      if (u.charAt(k) != bare.charAt(k)) {
        if (differ >= 0) return std::nullopt;
        differ = k;
      }
    if (differ < 0 || (at >= 0 && differ != at)) return std::nullopt;
    at = differ;
    symbols.push_back(utf8(icu::UnicodeString(u.charAt(at))));
  }
  // The value's characters must be the reading's, one by one, for the glyph's box to be its.
  if (v.chars.size() != static_cast<std::size_t>(bare.length()) ||
      v.chars[static_cast<std::size_t>(at)].text != utf8(icu::UnicodeString(bare.charAt(at))))
    return std::nullopt;
  // A kanji's box is about square: one much wider spans its neighbours too (a title read as one
  // glyph: 后 for 監事), one much narrower is part of a glyph; neither is voted.
  const ocr::Box b = v.chars[static_cast<std::size_t>(at)].box;
  if (b.w <= 0 || b.h <= 0 || b.w * 10 > b.h * 13 || b.w * 2 < b.h) return std::nullopt;
  const auto voted = vote(v, static_cast<std::size_t>(at), symbols);
  if (!voted || voted->second < kClearShare) return std::nullopt;
  for (std::size_t i = 0; i < near.size(); ++i)
    if (symbols[i] == voted->first) return near[i];
  return std::nullopt;
}

// The one title the value's ink spells, where neither model's reading comes near one (a brush
// hand's 監査役 read 條信和) or the reading's characters have no boxes to vote: the titles are a
// closed list, and a title's kanji stand about square and evenly spaced, so the value's box split
// evenly into n cells holds its n kanji. For each count n the box's shape allows (cells from 0.6
// to 1.6 times as wide as high), each cell is voted by the glyph classifier among the characters
// the list's titles of n characters have in that place; a title whose every character wins its
// cell is the ink's. Exactly one such title over all counts, else nothing.
std::optional<std::string> title_by_ink(const RecognizedValue& v, const GlyphVote& vote) {
  if (!vote || v.box.w <= 0 || v.box.h <= 0) return std::nullopt;
  const double cells = static_cast<double>(v.box.w) / v.box.h;
  std::set<std::string> found;
  for (int n = 2; n <= 4; ++n) {
    if (cells / n < 0.6 || cells / n > 1.6) continue;
    std::vector<icu::UnicodeString> titles;
    for (const std::u16string_view t : kTitles)
      if (static_cast<int>(t.size()) == n) titles.emplace_back(t.data(), static_cast<int32_t>(t.size()));
    if (titles.empty()) continue;
    RecognizedValue cut = v;
    cut.chars.clear();
    for (int k = 0; k < n; ++k)
      cut.chars.push_back(CharReading{"", 0, {}, ocr::Box{v.box.x + v.box.w * k / n, v.box.y, v.box.w / n, v.box.h}});
    std::vector<std::string> won(static_cast<std::size_t>(n));
    bool voted_all = true;
    for (int k = 0; k < n && voted_all; ++k) {
      std::set<std::string> here;
      for (const auto& t : titles) here.insert(utf8(icu::UnicodeString(t.charAt(k))));
      if (here.size() == 1) {
        won[static_cast<std::size_t>(k)] = *here.begin();
        continue;
      }
      const auto voted = vote(cut, static_cast<std::size_t>(k), std::vector<std::string>(here.begin(), here.end()));
      if (!voted) voted_all = false;
      else won[static_cast<std::size_t>(k)] = voted->first;
    }
    if (!voted_all) continue;
    std::string spelt;
    for (const std::string& ch : won) spelt += ch;
    if (is_title(spelt)) found.insert(spelt);
  }
  if (found.size() != 1) return std::nullopt;
  return *found.begin();
}

}  // namespace

std::vector<std::size_t> char_indices(const RecognizedValue& v, const std::string& text) {
  std::vector<std::size_t> index;
  std::string spelt;
  for (std::size_t i = 0; i < v.chars.size(); ++i)
    if (!strip_spaces(v.chars[i].text).empty()) {
      index.push_back(i);
      spelt += strip_spaces(v.chars[i].text);
    }
  const std::string want = strip_spaces(text);
  if (spelt != want || index.size() != utf8_characters(want).size()) return {};
  return index;
}

void check_titles(std::vector<RecognizedValue>& values, const GlyphVote& vote) {
  for (auto& v : values) {
    if (!is_title_key(v.key) || v.value.empty() || is_title(v.value)) continue;
    // Another model's reading that is a title is taken; else the one title the reading is nearest,
    // or of several alike near, the one the glyph where they differ is voted for.
    std::optional<std::string> title;
    for (const std::string& r : v.readings)
      if (is_title(r)) title = strip_spaces(r);
    if (!title) {
      std::vector<std::vector<std::string>> alternatives;
      const icu::UnicodeString bare = icu::UnicodeString::fromUTF8(strip_spaces(v.value));
      if (v.chars.size() == static_cast<std::size_t>(bare.length()))
        for (const CharReading& c : v.chars) alternatives.push_back(c.alternatives);
      const std::vector<std::string> near = nearest_titles(v.value, v.readings, alternatives);
      if (near.size() == 1) title = near.front();
      else title = title_by_glyph(v, bare, near, vote);
      if (!title) title = title_by_ink(v, vote);
    }
    if (title) {
      v.value = *title;
      v.chars.clear();
    }
    v.confidence = std::min(v.confidence, kUnsureFreeText);
  }
}

void reconcile_dates(std::vector<RecognizedValue>& values, const Clock& clock) {
  const auto find = [&](const std::string& key) { return find_value(values, key); };
  struct Ymd {
    int y = 0, m = 0, d = 0;
  };
  auto parse = [](const std::string& s) -> std::optional<Ymd> {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    const std::string digits = s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2);
    if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return Ymd{std::stoi(s.substr(0, 4)), std::stoi(s.substr(5, 2)), std::stoi(s.substr(8, 2))};
  };
  auto days = [](const Ymd& x) {
    return std::chrono::sys_days{std::chrono::year{x.y} / std::chrono::month{static_cast<unsigned>(x.m)} /
                                 std::chrono::day{static_cast<unsigned>(x.d)}}
        .time_since_epoch()
        .count();
  };
  RecognizedValue* app = find("application_date");
  RecognizedValue* pledge = find("pledge.date");
  if (app == nullptr || pledge == nullptr) return;
  const auto a = parse(app->value), p = parse(pledge->value);
  if (!a || !p) return;
  // The postmark is evidence: a stamp may be a few days earlier than the forms' date (forms dated
  // the day after posting occur) and bounds how late a form's date can plausibly be, with a
  // week's slack. Only a postmark far from the date both forms agree on — more than a week before
  // it or two months after it, as a month digit misread on the ring gives (2025-05-06 read from
  // a stamp of 2025-06-06) — is a misread stamp: where another of its readings lies in that
  // window, that one is kept, as weak evidence still (never certain).
  RecognizedValue* postmark = find("envelope.postmark_date");
  if (postmark != nullptr && app->value == pledge->value && valid_date(a->y, a->m, a->d)) {
    auto fits = [&](const std::optional<Ymd>& x) {
      return x && valid_date(x->y, x->m, x->d) && days(*x) >= days(*a) - 7 && days(*x) <= days(*a) + 60;
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
  const long today = std::chrono::floor<std::chrono::days>(clock.jst_now_shifted()).time_since_epoch().count();
  auto plausible = [&](const Ymd& x) {
    if (!valid_date(x.y, x.m, x.d)) return false;
    const long t = days(x);
    return mailed ? (t <= *mailed + 7 && t >= *mailed - 366) : t <= today;
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

}  // namespace station::recognition::detail

namespace station::recognition::detail {
namespace {

std::string bank_kind_of(const std::string& name) {
  for (const char* k : kBankKinds)
    if (name.size() > std::strlen(k) && name.ends_with(k)) return k;
  return "";
}

// Text compared as written: NFKC (ＵＦＪ and UFJ alike), no spaces.
std::string folded(const std::string& s) { return strip_spaces(ocr::normalize_nfkc(s)); }

// A branch as named on both: without 支店, 出張所, 支所.
std::string branch_folded(const std::string& s) {
  std::string k = folded(s);
  for (const char* suffix : {"支店", "出張所", "支所"})
    if (k.size() > std::strlen(suffix) && k.ends_with(suffix)) {
      k.resize(k.size() - std::strlen(suffix));
      break;
    }
  return k;
}

// The passbook value and the reader's other candidates for it, the value first.
std::vector<std::string> candidates_of(const RecognizedValue& v) {
  std::vector<std::string> out;
  if (!v.value.empty()) out.push_back(v.value);
  for (const std::string& r : v.readings)
    if (!r.empty() && std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  return out;
}

void trust(RecognizedValue& v, const std::string& value) {
  if (v.value != value) v.chars.clear();
  v.value = value;
  v.confidence = std::max(v.confidence, kAgreesWithApplication);
}

}  // namespace

void reconcile_postal_code(std::vector<RecognizedValue>& values) {
  RecognizedValue* app = find_value(values, "corp.postal_code");
  RecognizedValue* env = find_value(values, "envelope.sender_postal_code");
  if (app == nullptr || env == nullptr) return;
  const std::string a = digits_of(app->value), e = digits_of(env->value);
  if (a.size() != 7 || e.size() != 7) return;
  if (a == e) {
    app->confidence = std::max(app->confidence, kAgreesWithApplication);
    env->confidence = std::max(env->confidence, kAgreesWithApplication);
    return;
  }
  int apart = 0;
  for (std::size_t i = 0; i < 7; ++i) apart += a[i] != e[i] ? 1 : 0;
  if (apart > 1) return;
  if (app->confidence < kClassifierOverrules && env->confidence >= kSenderPostal) {
    app->readings.insert(app->readings.begin(), app->value);
    app->value = env->value;
    app->chars.clear();
  }
  app->confidence = std::min(app->confidence, kDigitsDisagree);
  env->confidence = std::min(env->confidence, kDigitsDisagree);
}

std::optional<long long> rule_amount(const Lexicon& lexicon, const std::string& service_type, const std::string& capacity) {
  const auto it = lexicon.amount_rules.find(strip_spaces(service_type));
  if (it == lexicon.amount_rules.end()) return std::nullopt;
  if (it->second.per_place == 0) return it->second.flat;
  const std::string places = digits_of(capacity);
  if (places.empty() || places.size() > 4 || places != strip_spaces(capacity)) return std::nullopt;
  return it->second.per_place * std::stoll(places);
}

void reconcile_amount(std::vector<RecognizedValue>& values, const Lexicon& lexicon) {
  RecognizedValue* amount = find_value(values, "amount");
  const RecognizedValue* type = find_value(values, "facility.service_type");
  const RecognizedValue* capacity = find_value(values, "facility.capacity");
  if (amount == nullptr || type == nullptr || amount->value.empty()) return;
  const auto rule = rule_amount(lexicon, type->value, capacity != nullptr ? capacity->value : "");
  const std::string read = digits_of(amount->value);
  if (!rule || read != amount->value || read == std::to_string(*rule)) return;
  const std::string want = std::to_string(*rule);
  if (want.size() != read.size()) return;
  const std::vector<std::size_t> index = char_indices(*amount, read);
  if (index.size() != read.size()) return;
  std::size_t at = read.size();
  int ways = 0;
  for (std::size_t i = 0; i < read.size(); ++i) {
    if (read[i] == want[i]) continue;
    const std::vector<std::string>& alts = amount->chars[index[i]].alternatives;
    if (std::find(alts.begin(), alts.end(), std::string(1, want[i])) == alts.end()) return;  // not a doubted digit
    at = i;
    ++ways;
  }
  if (ways != 1) return;
  CharReading& ch = amount->chars[index[at]];
  std::erase(ch.alternatives, std::string(1, want[at]));
  ch.alternatives.insert(ch.alternatives.begin(), ch.text);
  ch.text = std::string(1, want[at]);
  ch.confidence = std::min(ch.confidence, kUnsureFreeText);
  amount->value = want;
  amount->confidence = std::min(amount->confidence, kUnsureFreeText);
}

void reconcile_passbook(std::vector<RecognizedValue>& values, const GlyphVote& vote) {
  const auto find = [&](const std::string& key) { return find_value(values, key); };
  // The application's branch read with 文 for 支 (柏文店): no branch is named so; it is a 支店, for
  // the clerk to confirm unless the passbook names the same branch (below).
  constexpr std::string_view kBunten = "文店";
  if (RecognizedValue* branch = find("bank.branch");
      branch != nullptr && branch->value.ends_with(kBunten) && branch->value.size() > kBunten.size()) {
    branch->value.replace(branch->value.size() - kBunten.size(), kBunten.size(), "支店");
    for (std::size_t i = branch->chars.size(); i-- > 0;)
      if (branch->chars[i].text == "文") {
        branch->chars[i].alternatives.insert(branch->chars[i].alternatives.begin(), "文");
        branch->chars[i].text = "支";
        break;
      }
    branch->confidence = std::min(branch->confidence, kUnsureFreeText);
  }
  struct Pair {
    const char* app;
    const char* book;
    std::string (*key)(const std::string&);
  };
  static const auto digits_key = [](const std::string& s) { return digits_of(ocr::normalize_nfkc(s)); };
  RecognizedValue* book_name = find("passbook.bank_name_full");
  for (const Pair p : {Pair{"bank.name", "passbook.bank_name_full", &folded},
                       Pair{"bank.branch", "passbook.branch_name", &branch_folded},
                       Pair{"bank.account_type", "passbook.account_type", &folded},
                       Pair{"bank.account_no", "passbook.account_no", +digits_key},
                       Pair{"bank.holder_kana", "passbook.holder_kana_passbook", &holder_kana_key}}) {
    RecognizedValue* app = find(p.app);
    RecognizedValue* book = find(p.book);
    if (app == nullptr || book == nullptr || app->value.empty()) continue;
    std::string want = p.key(app->value);
    if (want.empty()) continue;
    // The passbook's branch as the page read it and the application's one character apart: the
    // application's own glyph, voted between the two characters, decides. Clearly the passbook's
    // (six of seven), the application was misread (茂原 read 成原) and takes the passbook's
    // character, for the clerk to confirm; the lines read again, which the same models read,
    // may have misread it alike.
    bool app_mended = false;
    if (book->type == "branch_name" && vote && !book->value.empty())
      if (const std::string first = p.key(book->value); first != want) {
        const std::vector<std::string> a = utf8_characters(want), b = utf8_characters(first);
        std::size_t at = a.size(), differ = 0;
        for (std::size_t k = 0; k < a.size() && a.size() == b.size(); ++k)
          if (a[k] != b[k]) ++differ, at = k;
        const std::vector<std::size_t> index = char_indices(*app, app->value);
        if (a.size() == b.size() && differ == 1 && at < index.size()) {
          std::vector<std::string> pair = {a[at], b[at]};
          std::sort(pair.begin(), pair.end());
          const auto voted = vote(*app, index[at], pair);
          if (voted && voted->first == b[at] && voted->second >= 0.8) {
            std::vector<std::string> chars = utf8_characters(strip_spaces(app->value));
            chars[at] = b[at];
            app->value.clear();
            for (const std::string& ch : chars) app->value += ch;
            app->chars.clear();
            app->confidence = std::min(app->confidence, kUnsureFreeText);
            want = p.key(app->value);
            app_mended = true;
          }
        }
      }
    bool agreed = false;
    for (const std::string& c : candidates_of(*book)) {
      if (p.key(c) == want && book->type == "holder_kana") {
        // The same name by the bank's key, which ignores brackets and long-vowel marks: as read
        // where it is the line the bank prints for the application's furigana, else that line
        // (a bracket or ー the reading lost), not quite sure.
        // A passbook may also print the legal form in full, as the furigana has it.
        const std::string printed = passbook_holder_from(app->value, c);
        const auto as_written = [](const std::string& x) { return strip_spaces(ocr::normalize_nfkc(x)); };
        if (printed.empty() || as_written(printed) == as_written(c) || as_written(app->value) == as_written(c)) {
          trust(*book, c);
        } else if (passbook_form_key(printed) == passbook_form_key(c) ||
                   passbook_form_key(app->value) == passbook_form_key(c)) {
          // Only the size of a kana differs (ジュ, ジユ): a bank may print large kana, a reader may
          // read a small one large; as read, not sure — below what calibration raises (the
          // agreement by the bank's key says nothing of which size is printed).
          trust(*book, c);
          book->confidence = kFailsFormat;
        } else {
          trust(*book, printed);
          book->confidence = kMendedByApplication;
        }
        agreed = true;
        break;
      }
      if (p.key(c) == want) {
        const bool first_reading = c == book->value;
        trust(*book, c);
        // A branch only the lines read again agree on (the page read 船槍): the same models read
        // the application, and may misread a face's kanji alike on both (茂原 read 成原 on each);
        // the agreement is taken, neither is trusted for it.
        if (book->type == "branch_name" && !first_reading) {
          book->confidence = kUnsureFreeText;
          app->confidence = std::min(app->confidence, kUnsureFreeText);
        }
        agreed = true;
        break;
      }
      // A bank's name read run on from the words before it on its line (普通預金通帳三菱UFJ銀行):
      // the application's name, where it is a whole bank name, read at the end of the passbook's.
      if (book == book_name && !bank_kind_of(folded(app->value)).empty() && p.key(c).ends_with(want)) {
        trust(*book, folded(app->value));
        book->confidence = std::min(book->confidence, kUnsureFreeText);
        agreed = true;
        break;
      }
    }
    if (agreed) {
      if (app_mended) book->confidence = std::min(book->confidence, kUnsureFreeText);
      if (book->confidence >= kAgreesWithApplication) app->confidence = std::max(app->confidence, book->confidence);
      continue;
    }
    // They differ. Where by two characters or fewer (a misreading on one page or the other, and
    // nothing tells which), neither is sure: the application's value is doubted too.
    int best = 3;
    std::string closest;
    for (const std::string& c : candidates_of(*book)) {
      const int d = edit_distance(icu::UnicodeString::fromUTF8(p.key(c)), icu::UnicodeString::fromUTF8(want));
      if (d < best) best = d, closest = c;
    }
    book->confidence = std::min(book->confidence, kDisagrees);
    // A passbook's half-width holder line gains and loses voicing marks (ﾊﾞ read パ or ハ゛, a ﾞ
    // read デ or as a kana of its own): with voicing set aside, a line within a fifth of the
    // furigana's kana of it is that furigana misread — where the furigana is surely read, or the
    // line as read breaks the passbook's grammar (a mark left alone): a handwritten furigana
    // misread as far would otherwise take the passbook's right reading away.
    constexpr double kSurelyRead = 0.9;  // the skip threshold
    bool near = best <= 2;
    if (book->type == "holder_kana" && !near &&
        (app->confidence >= kSurelyRead || !passbook_holder_grammar_ok(book->value))) {
      const auto unvoiced_key = [](const std::string& key) {
        const icu::UnicodeString u = icu::UnicodeString::fromUTF8(key);
        icu::UnicodeString out;
        for (int32_t i = 0; i < u.length(); ++i)
          if (const char16_t c = u.charAt(i); !(c >= 0x3099 && c <= 0x309C)) out.append(unvoiced(c));
        return out;
      };
      const icu::UnicodeString w = unvoiced_key(want);
      int nearest = std::max(2, static_cast<int>(w.length()) / 5) + 1;  // the first too far
      for (const std::string& c : candidates_of(*book))
        if (const int d = edit_distance(unvoiced_key(p.key(c)), w); d < nearest) nearest = d, closest = c;
      near = nearest <= std::max(2, static_cast<int>(w.length()) / 5);
    }
    if (!near) continue;
    app->confidence = std::min(app->confidence, kUnsureFreeText);
    // A bank's name a little apart, as text written twice (reconcile_same_text): the
    // application's, for the clerk to confirm. Not a branch (a handwritten application's branch is
    // as often the one misread: 二四八 written, 一四八 read), never a number (a digit apart is what
    // the review's check is for).
    // Where the passbook says it twice alike (title and お取引店 line), the passbook's stands.
    const bool said_twice = std::find(book->readings.begin(), book->readings.end(), book->value) != book->readings.end();
    if (book->type == "bank_name" && !said_twice &&
        best <= std::max(1, static_cast<int>(icu::UnicodeString::fromUTF8(want).length()) / 3)) {
      book->value = folded(app->value);
      book->chars.clear();
      book->confidence = kUnsureFreeText;
    }
    if (book->type == "holder_kana") {
      // The application's furigana in the passbook's form, keeping the abbreviation as read; for
      // the clerk to confirm.
      const std::string rebuilt = passbook_holder_from(app->value, closest);
      if (icu::UnicodeString::fromUTF8(want).length() >= 6 && !rebuilt.empty() && holder_kana_key(rebuilt) == want) {
        book->value = rebuilt;
        book->chars.clear();
        book->confidence = kUnsureFreeText;
      }
    }
  }
  // The bank's kind is the word its name ends with: the passbook's against the application's bank
  // name's; a kind the passbook's own name contradicts is that name's, for the clerk to confirm.
  RecognizedValue* kind = find("passbook.kind");
  const RecognizedValue* app_name = find("bank.name");
  if (kind != nullptr && !kind->value.empty()) {
    const std::string mine = folded(kind->value);
    const std::string from_app = app_name != nullptr ? bank_kind_of(folded(app_name->value)) : "";
    const std::string from_book = book_name != nullptr ? bank_kind_of(folded(book_name->value)) : "";
    if (!from_book.empty() && from_book != mine) {
      kind->value = from_book;
      kind->chars.clear();
      kind->confidence = std::min(kind->confidence, kUnsureFreeText);
    }
    if (!from_app.empty() && from_app == folded(kind->value))
      kind->confidence = std::max(kind->confidence, kAgreesWithApplication);
    else if (!from_app.empty())
      kind->confidence = std::min(kind->confidence, kDisagrees);
  }
}

}  // namespace station::recognition::detail
