// Cross-form reconciliation: text written twice, furigana against its kanji, dates against each
// other and the postmark.
#include "reconcile.h"

#include <unicode/unistr.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <chrono>
#include <optional>
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
    // Each reading votes for the value it is nearer to; more votes win, the dictionary breaks a tie.
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

// A furigana part against the dictionary's reading of its kanji: where the two differ by exactly
// one kana (a voicing mark alone costs nothing: 会社 is ガイシャ after 有限), and that difference is a
// kana read twice or a look-alike (ウ for ワ), the reading's is kept. Nothing changes when they
// differ by more, or by a kana the furigana lacks: a name may have several readings and the
// dictionary knows one.
std::optional<icu::UnicodeString> kana_by_reading(const icu::UnicodeString& kana,
                                                  const icu::UnicodeString& reading, bool deletions_only) {
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
  std::vector<std::vector<int>> d(static_cast<std::size_t>(n + 1),
                                  std::vector<int>(static_cast<std::size_t>(m + 1)));
  for (int32_t i = 0; i <= n; ++i) d[i][0] = i;
  for (int32_t j = 0; j <= m; ++j) d[0][j] = j;
  for (int32_t i = 1; i <= n; ++i)
    for (int32_t j = 1; j <= m; ++j)
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same(kana[i - 1], reading[j - 1]) ? 0 : 1)});
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

}  // namespace

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
    if (key.size() > 10 && key.compare(key.size() - 10, 10, ".name_kana") == 0)
      kanji_key = key.substr(0, key.size() - 10) + ".name";
    else if (key == "officers.corp_kana")
      kanji_key = "officers.corp_name";
    else if (key == "bank.holder_kana")
      kanji_key = "bank.holder";
    else
      continue;
    const RecognizedValue* kanji = find(kanji_key);
    if (kanji == nullptr || kanji->value.empty() || v.value.empty()) continue;
    // Where the two models disagree on the kanji, only a kana read twice is mended: a misread
    // kanji's reading rarely matches the furigana but for one kana too many.
    bool agreed = true;
    for (const std::string& r : kanji->readings)
      agreed = agreed && strip_spaces(r) == strip_spaces(kanji->value);
    const auto kana_parts = parts(v.value);
    auto kanji_parts = parts(kanji->value);
    if (kana_parts.size() == 2 && kanji_parts.size() == 1 && kanji_parts[0].length() >= 2) {
      // A name read without its gap between family and given name: split where the reading of each side is nearest
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
      const auto better =
          reading ? kana_by_reading(kana_parts[k], icu::UnicodeString::fromUTF8(*reading), !agreed)
                  : std::nullopt;
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

void reconcile_passbook(std::vector<RecognizedValue>& values) {
  const auto find = [&](const std::string& key) { return find_value(values, key); };
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
    const std::string want = p.key(app->value);
    if (want.empty()) continue;
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
          // read a small one large; as read, not sure.
          trust(*book, c);
          book->confidence = kMendedByApplication;
        } else {
          trust(*book, printed);
          book->confidence = kMendedByApplication;
        }
        agreed = true;
        break;
      }
      if (p.key(c) == want) {
        trust(*book, c);
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
    if (best > 2) continue;
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
