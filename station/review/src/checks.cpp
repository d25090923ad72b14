// The review procedure's checks (checks.h).
#include "station/review/checks.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "station/recognition/forms.h"
#include "station/review/normalize.h"

namespace station::review {
namespace {

constexpr std::string_view kBlock = "block", kWarn = "warn";

std::string label(std::string_view key) { return std::string(recognition::label_of(key)); }

const Value* find(const Values& v, std::string_view key) {
  auto it = v.find(std::string(key));
  return it == v.end() ? nullptr : &it->second;
}
std::string text_of(const Values& v, std::string_view key) {
  const Value* x = find(v, key);
  return x ? x->text : std::string();
}
bool blank(std::string_view s) { return fold(s).empty(); }

Finding make(const Values& v, std::string code, std::string_view key, std::string message, std::string_view severity) {
  Finding f;
  f.code = std::move(code);
  f.field = std::string(key);
  if (const Value* x = key.empty() ? nullptr : find(v, key); x && x->page > 0) {
    f.page = x->page;
    f.box = x->box;
  }
  f.message_ja = std::move(message);
  f.severity = std::string(severity);
  return f;
}

std::string yen(std::int64_t n) {
  std::string s = std::to_string(n), out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(s[i]);
  }
  return out + "円";
}

// The branch as banks name it without the suffix (「〇〇支店」 = 「〇〇」).
std::string branch_key(std::string_view s) {
  std::string k = fold(s);
  for (std::string_view suffix : {"支店", "出張所", "支所"})
    if (k.size() > suffix.size() && k.ends_with(suffix)) {
      k.resize(k.size() - suffix.size());
      break;
    }
  return k;
}

std::string account_key(std::string_view s) {
  std::string d = digits_only(s);
  d.erase(0, std::min(d.find_first_not_of('0'), d.size()));
  return d;
}

bool valid_date(std::string_view iso, std::chrono::year_month_day* out = nullptr) {
  int y = 0, m = 0, d = 0;
  if (iso.size() != 10 || std::sscanf(std::string(iso).c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) return false;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return false;
  if (out) *out = ymd;
  return true;
}

bool all_katakana(std::string_view s) {
  const std::string k = fold(s);  // NFKC: half-width katakana become full width
  for (std::size_t i = 0; i < k.size();) {
    const auto c = static_cast<unsigned char>(k[i]);
    if (c < 0x80) return false;
    if (c != 0xE3 || i + 2 >= k.size()) return false;
    const unsigned cp = ((c & 0x0F) << 12) | ((static_cast<unsigned char>(k[i + 1]) & 0x3F) << 6) |
                        (static_cast<unsigned char>(k[i + 2]) & 0x3F);
    if (!((cp >= 0x30A1 && cp <= 0x30FC) || cp == 0x3000)) return false;
    i += 3;
  }
  return true;
}

bool has_page(const std::vector<std::string>& kinds, std::string_view kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

}  // namespace

// ---- the index

FacilityIndex::FacilityIndex(std::vector<Facility> list, std::int64_t version) : list_(std::move(list)), version_(version) {
  for (std::size_t i = 0; i < list_.size(); ++i) {
    const auto& f = list_[i];
    if (!f.jigyosho_no.empty()) by_number_.emplace(f.jigyosho_no, i);
    by_name_.emplace(name_key(f.name), i);
    by_address_.emplace(address_key(f.address), i);
  }
}

const Facility* FacilityIndex::by_number(std::string_view jigyosho_no) const {
  const std::string d = digits_only(jigyosho_no);
  if (d.empty()) return nullptr;
  auto it = by_number_.find(d);
  return it == by_number_.end() ? nullptr : &list_[it->second];
}

std::vector<Candidate> FacilityIndex::candidates(std::string_view jigyosho_no, std::string_view name,
                                                 std::string_view address, std::size_t limit) const {
  std::map<std::size_t, Candidate> found;
  if (const Facility* f = by_number(jigyosho_no)) {
    auto& c = found[static_cast<std::size_t>(f - list_.data())];
    c.number = true;
  }
  if (const std::string k = name_key(name); !k.empty()) {
    auto [lo, hi] = by_name_.equal_range(k);
    for (auto it = lo; it != hi; ++it) found[it->second].name = true;
  }
  if (const std::string k = address_key(address); !k.empty()) {
    auto [lo, hi] = by_address_.equal_range(k);
    for (auto it = lo; it != hi; ++it) found[it->second].address = true;
  }
  std::vector<Candidate> out;
  for (auto& [i, c] : found) {
    c.facility = &list_[i];
    // Say why, for every part that agrees (not only the one it was found by).
    if (!c.name && !name.empty() && name_key(name) == name_key(c.facility->name)) c.name = true;
    if (!c.address && !address.empty() && address_key(address) == address_key(c.facility->address)) c.address = true;
    if (c.number) c.reasons_ja.push_back("介護保険事業所番号が一致");
    if (c.name)
      c.reasons_ja.push_back(name == c.facility->name ? "施設名称が一致" : "施設名称が一致（表記の違いを除く）");
    if (c.address)
      c.reasons_ja.push_back(address == c.facility->address ? "施設所在地が一致"
                                                                        : "施設所在地が一致（表記の違いを除く）");
    out.push_back(std::move(c));
  }
  auto score = [](const Candidate& c) { return (c.number ? 4 : 0) + (c.name ? 2 : 0) + (c.address ? 2 : 0); };
  std::stable_sort(out.begin(), out.end(), [&](const Candidate& a, const Candidate& b) { return score(a) > score(b); });
  if (out.size() > limit) out.resize(limit);
  return out;
}

Match match_application(const Values& values, const FacilityIndex& index, bool candidates) {
  Match m;
  const Facility* by_number = index.by_number(text_of(values, "facility.jigyosho_no"));
  if (by_number && !candidates) {
    m.facility = by_number;
    m.number_found = true;
    return m;
  }
  m.candidates = index.candidates(text_of(values, "facility.jigyosho_no"), text_of(values, "facility.name"),
                                  text_of(values, "facility.address"));
  if (by_number) {
    m.facility = by_number;
    m.number_found = true;
    return m;
  }
  const Candidate* both = nullptr;
  int n = 0;
  for (const auto& c : m.candidates)
    if (c.name && c.address) {
      both = &c;
      ++n;
    }
  if (n == 1) m.facility = both->facility;
  return m;
}

// ---- the checks

std::vector<Finding> check_application(const Values& v, const std::vector<std::string>& page_kinds, const Match& match,
                                       std::string_view today) {
  std::vector<Finding> out;
  const Facility* f = match.facility;
  const std::string service = text_of(v, "facility.service_type");
  // What the service is: the application's word, else the list's.
  const std::string service_for_rules = !blank(service) ? fold(service) : (f ? f->service_type : std::string());
  const auto group = service_group(service_for_rules);

  // 1. Nothing missing: the required fields, then the enclosures from the pages themselves.
  for (const auto& d : recognition::kApplicationFields) {
    const std::string_view key = d.key;
    if (key == "contact.email") continue;  // a contact by phone is enough
    if (key == "facility.jigyosho_no" && has_no_jigyosho_no(service_for_rules)) continue;
    if (key == "facility.capacity" && group == ServiceGroup::kVisiting) continue;
    if (blank(text_of(v, key)))
      out.push_back(make(v, "MISSING_FIELD:" + std::string(key), key, label(key) + "が記入されていません。", kBlock));
  }
  struct Enclosure {
    std::string_view kind, name_ja;
  };
  for (const Enclosure e : {Enclosure{"pledge", "誓約書（様式第2号）"}, Enclosure{"officers", "役員等名簿（様式第3号）"},
                            Enclosure{"passbook", "通帳の写し"}}) {
    if (has_page(page_kinds, e.kind)) continue;
    const std::string key = "attachments." + std::string(e.kind);
    const bool ticked = text_of(v, key) == "true";
    out.push_back(make(v, "MISSING_ATTACHMENT:" + std::string(e.kind), key,
                       std::string(e.name_ja) + "が同封されていません" + (ticked ? "（添付書類欄にはチェックがあります）。" : "。"),
                       kBlock));
  }

  // 2. The facility list.
  const std::string number = text_of(v, "facility.jigyosho_no");
  if (!match.number_found && !(blank(number) && f && has_no_jigyosho_no(f->service_type))) {
    std::string msg = blank(number) ? "施設が対象施設リストで特定できません。"
                                    : "介護保険事業所番号 " + number + " は対象施設リストにありません。";
    if (!match.candidates.empty()) {
      msg += "候補: ";
      for (std::size_t i = 0; i < match.candidates.size(); ++i) {
        const auto& c = match.candidates[i];
        if (i) msg += "／";
        msg += c.facility->facility_id + " " + c.facility->name + "（";
        for (std::size_t r = 0; r < c.reasons_ja.size(); ++r) msg += (r ? "・" : "") + c.reasons_ja[r];
        msg += "）";
      }
    }
    if (!(blank(number) && !f && match.candidates.empty() && blank(text_of(v, "facility.name"))))
      out.push_back(make(v, "FACILITY_NOT_IN_LIST", "facility.jigyosho_no", msg, kBlock));
  }
  if (f) {
    const std::string claimed = text_of(v, "amount");
    if (!blank(claimed) && account_key(claimed) != std::to_string(f->amount))
      out.push_back(make(v, "AMOUNT_MISMATCH", "amount",
                         "申請額 " + claimed + "円 が対象施設リストの給付金額 " + yen(f->amount) + " と一致しません。",
                         kBlock));
    const std::string capacity = text_of(v, "facility.capacity");
    if (!blank(capacity) && f->capacity > 0 && account_key(capacity) != std::to_string(f->capacity))
      out.push_back(make(v, "CAPACITY_MISMATCH", "facility.capacity",
                         "定員 " + capacity + " が対象施設リストの定員 " + std::to_string(f->capacity) + " と一致しません。",
                         kBlock));
    struct Against {
      std::string_view key, list_value, what;
      bool address;
    };
    const std::string rep_title = f->rep_title, rep_name = f->rep_name;
    for (const Against a : {Against{"corp.address", f->corp_address, "法人所在地", true},
                            Against{"corp.postal_code", f->corp_postal_code, "法人の郵便番号", false},
                            Against{"corp.name", f->corp_name, "法人名", false},
                            Against{"corp.rep_title", f->rep_title, "代表者職名", false},
                            Against{"corp.rep_name", f->rep_name, "代表者氏名", false},
                            Against{"facility.address", f->address, "施設の所在地", true},
                            Against{"facility.postal_code", f->postal_code, "施設の郵便番号", false},
                            Against{"facility.name", f->name, "施設の名称", false},
                            Against{"facility.service_type", f->service_type, "サービス種類", false}}) {
      const std::string mine = text_of(v, a.key);
      if (blank(mine)) continue;  // reported as missing
      const bool same = a.address ? address_key(mine) == address_key(a.list_value) : name_key(mine) == name_key(a.list_value);
      if (!same)
        out.push_back(make(v, "LIST_DIFFERS:" + std::string(a.key), a.key,
                           std::string(a.what) + "「" + mine + "」が対象施設リスト（" + f->facility_id + "）の「" +
                               std::string(a.list_value) + "」と異なります。",
                           kWarn));
    }
  }

  // The bank account against the passbook copy (where there is one and it was read).
  if (has_page(page_kinds, "passbook")) {
    struct Pair {
      std::string_view app, book, what;
      std::string (*key)(std::string_view);
    };
    for (const Pair p : {Pair{"bank.name", "passbook.bank_name_full", "金融機関名", &fold},
                         Pair{"bank.branch", "passbook.branch_name", "支店名", &branch_key},
                         Pair{"bank.account_type", "passbook.account_type", "預金種別", &fold},
                         Pair{"bank.account_no", "passbook.account_no", "口座番号", &account_key},
                         Pair{"bank.holder_kana", "passbook.holder_kana_passbook", "口座名義人（フリガナ）", &kana_key}}) {
      const std::string mine = text_of(v, p.app), book = text_of(v, p.book);
      if (blank(mine) || blank(book)) continue;
      if (p.key(mine) != p.key(book))
        out.push_back(make(v, "BANK_MISMATCH_PASSBOOK", p.app,
                           std::string(p.what) + "「" + mine + "」が通帳の写しの「" + book + "」と一致しません。", kBlock));
    }
  }

  // 3. The pledge: filled in and sealed.
  if (has_page(page_kinds, "pledge")) {
    for (std::string_view key : {"pledge.date", "pledge.corp_address", "pledge.corp_name", "pledge.rep"})
      if (blank(text_of(v, key)))
        out.push_back(make(v, "MISSING_FIELD:" + std::string(key), key, "誓約書の" + label(key) + "が記入されていません。",
                           kBlock));
    if (text_of(v, "pledge.seal_present") != "true") {
      out.push_back(make(v, "MISSING_SEAL", "pledge.seal_present", "誓約書に法人の印が押されていません。", kBlock));
      // A black-and-white scan's threshold can drop a faint red seal entirely: the paper decides.
      // Said to the reviewer beside the finding the letter quotes, not in it.
      if (const Value* seal = find(v, "pledge.seal_present"); seal != nullptr && seal->bilevel_page)
        out.push_back(make(v, "SEAL_BW_SCAN", "pledge.seal_present",
                           "誓約書は白黒で読み取られています。薄い印影は白黒の読み取りで消えることがあるため、"
                           "補正を依頼する前に原本で押印を確かめてください。",
                           kWarn));
    }
    const std::string corp = text_of(v, "corp.name"), pledged = text_of(v, "pledge.corp_name");
    if (!blank(corp) && !blank(pledged) && name_key(corp) != name_key(pledged))
      out.push_back(make(v, "PLEDGE_DIFFERS:corp_name", "pledge.corp_name",
                         "誓約書の法人名「" + pledged + "」が申請書の「" + corp + "」と異なります。", kWarn));
  }

  // 4. The officer list in the format the police check needs.
  if (has_page(page_kinds, "officers")) {
    std::chrono::year_month_day ref{};
    if (!valid_date(text_of(v, "application_date"), &ref) && !valid_date(today, &ref)) ref = {};
    int rows = 0;
    for (int r = 0;; ++r) {
      const std::string p = "officers.rows[" + std::to_string(r) + "].";
      bool any = false;
      for (std::string_view k : {"name_kana", "name", "birth", "sex", "address", "title"})
        if (find(v, p + std::string(k))) any = true;
      if (!any) break;
      ++rows;
      const std::string who = std::to_string(r + 1) + "人目の役員";
      auto off = [&](std::string_view k, std::string msg, std::string_view sev = kBlock) {
        out.push_back(make(v, "OFFICER_FORMAT:" + std::string(k), p + std::string(k), who + "の" + msg, sev));
      };
      const std::string name = text_of(v, p + "name"), kana = text_of(v, p + "name_kana");
      const std::string birth = text_of(v, p + "birth"), sex = text_of(v, p + "sex");
      if (blank(name)) off("name", "氏名が記入されていません。");
      if (blank(kana)) off("name_kana", "氏名のフリガナが記入されていません。");
      else if (!all_katakana(kana)) off("name_kana", "フリガナがカタカナではありません。", kWarn);
      else if (fold(kana).size() == kana_key(kana).size() && kana.find("\u3000") == std::string::npos &&
               kana.find(' ') == std::string::npos)
        off("name_kana", "フリガナの姓と名の間に空白がありません。", kWarn);
      std::chrono::year_month_day b{};
      if (blank(birth)) {
        off("birth", "生年月日が記入されていません。");
      } else if (!valid_date(birth, &b)) {
        off("birth", "生年月日「" + birth + "」が日付として読めません。");
      } else if (ref.ok()) {
        const int age = static_cast<int>(ref.year()) - static_cast<int>(b.year()) -
                        ((ref.month() < b.month() || (ref.month() == b.month() && ref.day() < b.day())) ? 1 : 0);
        if (age < 18 || age > 110) off("birth", "生年月日「" + birth + "」（" + std::to_string(age) + "歳）はありえません。");
      }
      if (sex != "M" && sex != "F") off("sex", blank(sex) ? "性別が記入されていません。" : "性別が男・女のどちらでもありません。");
      if (blank(text_of(v, p + "address"))) off("address", "住所が記入されていません。");
      if (blank(text_of(v, p + "title"))) off("title", "役職名が記入されていません。", kWarn);
    }
    if (rows == 0)
      out.push_back(make(v, "OFFICER_FORMAT:rows", "officers.rows", "役員等名簿に役員が一人も記入されていません。", kBlock));
    const std::string corp = text_of(v, "corp.name"), listed = text_of(v, "officers.corp_name");
    if (!blank(corp) && !blank(listed) && name_key(corp) != name_key(listed))
      out.push_back(make(v, "OFFICERS_DIFFER:corp_name", "officers.corp_name",
                         "役員等名簿の法人名「" + listed + "」が申請書の「" + corp + "」と異なります。", kWarn));
    const std::string no = text_of(v, "facility.jigyosho_no"), listed_no = text_of(v, "officers.jigyosho_no");
    if (!blank(no) && !blank(listed_no) && digits_only(no) != digits_only(listed_no))
      out.push_back(make(v, "OFFICERS_DIFFER:jigyosho_no", "officers.jigyosho_no",
                         "役員等名簿の介護保険事業所番号「" + listed_no + "」が申請書の「" + no + "」と異なります。", kWarn));
  }
  return out;
}

Finding duplicate_finding(const Values& values, std::string_view earlier, bool electronic, std::string_view when) {
  Finding f = make(values, "DUPLICATE_APPLICATION", "facility.jigyosho_no",
                   std::string("同じ施設の申請が先に受け付けられています（") + (electronic ? "電子申請 " : "郵送 受付番号 ") +
                       std::string(earlier) + "、" + std::string(when) + "）。先に受け付けた申請が有効です。",
                   kBlock);
  f.related = std::string(earlier);
  return f;
}

std::string received_moment(std::string_view received_date, std::string_view created_at) {
  if (created_at.size() >= 19 && created_at.substr(0, 10) == received_date) {
    if (auto jst = to_jst(created_at)) return *jst;
  }
  return std::string(received_date) + "T00:00:00+09:00";
}

std::optional<std::string> to_jst(std::string_view iso) {
  int y, mo, d, h, mi, s;
  char sep = 0;
  const std::string str(iso);
  int n = 0;
  if (std::sscanf(str.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &s, &n) != 7 ||
      (sep != 'T' && sep != ' ') || n != 19)
    return std::nullopt;
  std::string_view rest = iso.substr(19);
  if (rest.starts_with('.')) {  // fractions of a second
    std::size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i == 1) return std::nullopt;
    rest.remove_prefix(i);
  }
  int offset_min = 0;
  if (rest == "Z") {
    offset_min = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) != 2 || oh > 14 || om > 59)
      return std::nullopt;
    offset_min = (rest[0] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const auto utc = sys_days(ymd) + hours(h) + minutes(mi) + seconds(s) - minutes(offset_min);
  const auto jst = utc + hours(9);
  const auto day_point = floor<days>(jst);
  const year_month_day out{day_point};
  const hh_mm_ss<seconds> t{jst - day_point};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d+09:00", static_cast<int>(out.year()),
                static_cast<unsigned>(out.month()), static_cast<unsigned>(out.day()),
                static_cast<int>(t.hours().count()), static_cast<int>(t.minutes().count()),
                static_cast<int>(t.seconds().count()));
  return std::string(buf);
}

}  // namespace station::review
