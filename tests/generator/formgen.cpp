// formgen: envelopes the station has never seen, for development and measurement (issue 13).
//
// Fills the official blank forms (../shared/forms/*.pdf) with random but plausible values at the
// places the station's templates (station/templates/*.json) name, adds an envelope and a passbook
// copy, and renders every page as a scanner would deliver it: many Japanese fonts from Debian
// packages, slashed and dotted zeros, handwriting-like jitter, faint or partial seals, scale
// 95-103 %, skew, specks and noise, colour/gray JPEG or bilevel CCITT G4 TIFF, 200/300/400 dpi.
// Each envelope is a folder app-NNNN/ with page files and a truth.json in the samples' format;
// index.json lists them, so `station accuracy DIR` measures the set exactly as it measures
// ../shared/samples.
//
//   formgen --seed 1 --count 20 --out /tmp/gen-dev [--forms DIR] [--templates DIR] [--handwritten 0.2]
//
// One seed is for development, another (never looked at while tuning) for measurement.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/freetype.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <vector>

#include "g4.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// ---------------------------------------------------------------------------------------------
// Randomness

struct Rng {
  std::mt19937_64 g;
  explicit Rng(std::uint64_t seed) : g(seed) {}
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(g); }
  double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(g); }
  bool chance(double p) { return real(0, 1) < p; }
  double normal(double sd) { return std::normal_distribution<double>(0, sd)(g); }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<std::size_t>(uniform(0, static_cast<int>(v.size()) - 1))]; }
  std::string digits(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + uniform(0, 9));
    return s;
  }
};

// ---------------------------------------------------------------------------------------------
// Value pools (kanji with their readings where a kana field needs them)

struct Reading {
  std::string kanji, kana;
};

const std::vector<Reading> kFamily = {
    {"佐藤", "サトウ"},   {"鈴木", "スズキ"},     {"高橋", "タカハシ"}, {"田中", "タナカ"},   {"伊藤", "イトウ"},
    {"渡辺", "ワタナベ"}, {"山本", "ヤマモト"},   {"中村", "ナカムラ"}, {"小林", "コバヤシ"}, {"加藤", "カトウ"},
    {"吉田", "ヨシダ"},   {"山田", "ヤマダ"},     {"佐々木", "ササキ"}, {"山口", "ヤマグチ"}, {"松本", "マツモト"},
    {"井上", "イノウエ"}, {"木村", "キムラ"},     {"林", "ハヤシ"},     {"清水", "シミズ"},   {"斎藤", "サイトウ"},
    {"長谷川", "ハセガワ"}, {"遠藤", "エンドウ"}, {"石川", "イシカワ"}, {"前田", "マエダ"},   {"藤田", "フジタ"},
    {"後藤", "ゴトウ"},   {"岡田", "オカダ"},     {"原田", "ハラダ"},   {"太田", "オオタ"},   {"小川", "オガワ"},
    {"近藤", "コンドウ"}, {"坂本", "サカモト"},   {"池田", "イケダ"},   {"橋本", "ハシモト"}, {"阿部", "アベ"},
};
const std::vector<Reading> kGivenM = {
    {"明", "アキラ"}, {"清", "キヨシ"},   {"誠", "マコト"},   {"博", "ヒロシ"},   {"健一", "ケンイチ"},
    {"隆", "タカシ"}, {"浩二", "コウジ"}, {"大輔", "ダイスケ"}, {"翔太", "ショウタ"}, {"修", "オサム"},
    {"茂", "シゲル"}, {"勝", "マサル"},   {"和也", "カズヤ"}, {"直樹", "ナオキ"}, {"剛", "ツヨシ"},
};
const std::vector<Reading> kGivenF = {
    {"明美", "アケミ"},   {"由美子", "ユミコ"}, {"直美", "ナオミ"}, {"京子", "キョウコ"}, {"綾", "アヤ"},
    {"恵子", "ケイコ"},   {"洋子", "ヨウコ"},   {"幸子", "サチコ"}, {"智子", "トモコ"},   {"陽子", "ヨウコ"},
    {"久美子", "クミコ"}, {"真由美", "マユミ"}, {"千尋", "チヒロ"}, {"舞", "マイ"},       {"優子", "ユウコ"},
};
const std::vector<Reading> kCorpStem = {
    {"白樺会", "シラカバカイ"}, {"睦会", "ムツミカイ"},     {"若竹会", "ワカタケカイ"}, {"光陽会", "コウヨウカイ"},
    {"千葉長寿会", "チバチョウジュカイ"}, {"松風会", "マツカゼカイ"}, {"清和会", "セイワカイ"}, {"緑樹会", "リョクジュカイ"},
    {"房総福祉会", "ボウソウフクシカイ"}, {"朝日会", "アサヒカイ"}, {"聖徳会", "セイトクカイ"}, {"晴山会", "セイザンカイ"},
    {"ひまわり会", "ヒマワリカイ"}, {"銚子愛育会", "チョウシアイイクカイ"}, {"暁会", "アカツキカイ"}, {"桜花会", "オウカカイ"},
};
const std::vector<Reading> kCompany = {
    {"グリーンハート", "グリーンハート"}, {"ケアサポート千葉", "ケアサポートチバ"}, {"やすらぎ", "ヤスラギ"},
    {"エムケイケア", "エムケイケア"},     {"ハートフル", "ハートフル"},           {"つばさ介護", "ツバサカイゴ"},
};
struct CorpType {
  std::string name, kana, passbook;  // e.g. 社会福祉法人, シャカイフクシホウジン, ｼｬ）
  bool suffix;                       // 株式会社 goes after the name (グリーンハート株式会社)
  std::vector<Reading> titles;
};
const std::vector<CorpType> kCorpTypes = {
    {"社会福祉法人", "シャカイフクシホウジン", "ｼｬ）", false, {{"理事長", "リジチョウ"}}},
    {"医療法人社団", "イリョウホウジンシャダン", "ｲ）", false, {{"理事長", "リジチョウ"}}},
    {"株式会社", "カブシキガイシャ", "ｶ）", true, {{"代表取締役", "ダイヒョウトリシマリヤク"}}},
    {"有限会社", "ユウゲンガイシャ", "ﾕ）", true, {{"取締役", "トリシマリヤク"}}},
};
const std::vector<std::string> kFacilityPrefix = {"デイサービスセンター", "ヘルパーステーション", "特別養護老人ホーム",
                                                  "グループホーム", "ケアセンター", "訪問看護ステーション", "老人保健施設"};
const std::vector<std::string> kFacilityStem = {"緑風荘", "あおば", "きずな", "寿楽荘", "房総の郷", "陽だまり", "さくら苑",
                                                "やまぶき", "潮風", "菜の花", "ひかり", "松の実", "海浜の杜", "銀杏"};
const std::vector<std::string> kFacilitySuffix = {"", "", "東", "西", "南", "北", "第二", "本館"};
const std::vector<std::string> kCities = {"千葉市中央区", "千葉市緑区", "千葉市美浜区", "船橋市", "柏市", "松戸市", "市川市",
                                          "習志野市", "八千代市", "佐倉市", "成田市", "木更津市", "銚子市", "茂原市",
                                          "館山市", "旭市", "白井市", "印西市", "栄町", "酒々井町", "大網白里市"};
const std::vector<std::string> kTowns = {"富士見", "大野町", "真間", "港町", "東習志野", "みどり台", "本町", "栄町",
                                         "若葉", "中央", "松ケ丘", "新田", "稲毛", "幸町", "高根台", "花見川"};
struct Bank {
  std::string name, kind;
  std::vector<std::string> branches;
};
const std::vector<Bank> kBanks = {
    {"千葉銀行", "銀行", {"本店営業部", "船橋", "柏", "松戸", "千葉駅前", "成田"}},
    {"千葉興業銀行", "銀行", {"千葉駅前", "船橋", "木更津", "八千代"}},
    {"京葉銀行", "銀行", {"本店", "市川", "佐倉", "茂原"}},
    {"三菱ＵＦＪ銀行", "銀行", {"南浦和", "目黒駅前", "千葉", "柏"}},
    {"千葉信用金庫", "信用金庫", {"本店", "神崎", "旭"}},
    {"千葉みらい農業協同組合", "農業協同組合", {"本店", "稲毛"}},
};
const std::vector<std::string> kServiceTypes = {
    "介護老人福祉施設", "地域密着型介護老人福祉施設", "介護老人保健施設", "介護医療院", "養護老人ホーム", "軽費老人ホーム",
    "単独型短期入所生活介護", "認知症対応型共同生活介護", "通所介護", "認知症対応型通所介護", "地域密着型通所介護",
    "小規模多機能型居宅介護", "複合型サービス（看護小規模多機能型居宅介護）", "訪問介護", "訪問看護ステーション",
    "訪問リハビリテーション", "訪問入浴", "定期巡回・随時対応型訪問介護看護", "夜間対応型訪問介護"};
const std::vector<std::string> kMailLocal = {"jimu", "office", "info", "kaigo", "soumu", "keiri", "care", "honbu"};
const std::vector<std::string> kMailDomain = {"example.or.jp", "example.ne.jp", "example.jp", "example.co.jp", "example.com"};

// Full-width katakana → half-width (voiced marks as separate characters), for the passbook's name.
std::string to_halfwidth_kana(const std::string& s) {
  static const std::map<std::string, std::string> m = [] {
    std::map<std::string, std::string> t;
    const char* full[] = {"ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ", "タ",
                          "チ", "ツ", "テ", "ト", "ナ", "ニ", "ヌ", "ネ", "ノ", "ハ", "ヒ", "フ", "ヘ", "ホ", "マ", "ミ",
                          "ム", "メ", "モ", "ヤ", "ユ", "ヨ", "ラ", "リ", "ル", "レ", "ロ", "ワ", "ヲ", "ン", "ァ", "ィ",
                          "ゥ", "ェ", "ォ", "ャ", "ュ", "ョ", "ッ", "ー", "　"};
    const char* half[] = {"ｱ", "ｲ", "ｳ", "ｴ", "ｵ", "ｶ", "ｷ", "ｸ", "ｹ", "ｺ", "ｻ", "ｼ", "ｽ", "ｾ", "ｿ", "ﾀ",
                          "ﾁ", "ﾂ", "ﾃ", "ﾄ", "ﾅ", "ﾆ", "ﾇ", "ﾈ", "ﾉ", "ﾊ", "ﾋ", "ﾌ", "ﾍ", "ﾎ", "ﾏ", "ﾐ",
                          "ﾑ", "ﾒ", "ﾓ", "ﾔ", "ﾕ", "ﾖ", "ﾗ", "ﾘ", "ﾙ", "ﾚ", "ﾛ", "ﾜ", "ｦ", "ﾝ", "ｧ", "ｨ",
                          "ｩ", "ｪ", "ｫ", "ｬ", "ｭ", "ｮ", "ｯ", "ｰ", " "};
    for (std::size_t i = 0; i < std::size(full); ++i) t[full[i]] = half[i];
    const char* voiced[] = {"ガ", "ギ", "グ", "ゲ", "ゴ", "ザ", "ジ", "ズ", "ゼ", "ゾ", "ダ", "ヂ", "ヅ", "デ", "ド",
                            "バ", "ビ", "ブ", "ベ", "ボ"};
    const char* base[] = {"ｶ", "ｷ", "ｸ", "ｹ", "ｺ", "ｻ", "ｼ", "ｽ", "ｾ", "ｿ", "ﾀ", "ﾁ", "ﾂ", "ﾃ", "ﾄ", "ﾊ", "ﾋ", "ﾌ", "ﾍ", "ﾎ"};
    for (std::size_t i = 0; i < std::size(voiced); ++i) t[voiced[i]] = std::string(base[i]) + "ﾞ";
    const char* semi[] = {"パ", "ピ", "プ", "ペ", "ポ"};
    const char* sbase[] = {"ﾊ", "ﾋ", "ﾌ", "ﾍ", "ﾎ"};
    for (std::size_t i = 0; i < std::size(semi); ++i) t[semi[i]] = std::string(sbase[i]) + "ﾟ";
    t["ヴ"] = "ｳﾞ";
    return t;
  }();
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    const std::string ch = s.substr(i, len);
    auto it = m.find(ch);
    out += it != m.end() ? it->second : ch;
    i += len;
  }
  return out;
}

std::vector<std::string> utf8_chars(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

std::string pad2(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }
std::string iso(int y, int m, int d) { return std::to_string(y) + "-" + pad2(m) + "-" + pad2(d); }

std::string with_commas(const std::string& digits) {
  std::string out;
  const int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[static_cast<std::size_t>(i)];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// One envelope's values

struct Person {
  Reading family, given;
  bool male;
  std::string name() const { return family.kanji + "　" + given.kanji; }
  std::string kana() const { return family.kana + "　" + given.kana; }
};

Person random_person(Rng& r) {
  Person p;
  p.male = r.chance(0.5);
  p.family = r.pick(kFamily);
  p.given = p.male ? r.pick(kGivenM) : r.pick(kGivenF);
  return p;
}

std::string random_address(Rng& r, bool with_prefecture = true) {
  std::string a = (with_prefecture ? "千葉県" : "") + r.pick(kCities) + r.pick(kTowns);
  switch (r.uniform(0, 2)) {
    case 0: a += std::to_string(r.uniform(1, 9)) + "-" + std::to_string(r.uniform(1, 30)) + "-" + std::to_string(r.uniform(1, 40)); break;
    case 1: a += std::to_string(r.uniform(1, 9)) + "丁目" + std::to_string(r.uniform(1, 30)) + "番" + std::to_string(r.uniform(1, 40)) + "号"; break;
    default: a += std::to_string(r.uniform(1, 1500)) + "番地" + std::to_string(r.uniform(1, 30)); break;
  }
  return a;
}

struct Officer {
  Person p;
  std::string era;  // 昭 or 平
  int year = 0, month = 0, day = 0;
  std::string address, title;
};

struct Envelope {
  json truth;
  // values as drawn
  std::string corp_postal, corp_address, corp_name, corp_kana, rep_title, rep_title_kana;
  Person rep;
  std::string fac_postal, fac_address, fac_name, service, jigyosho, capacity, amount;
  std::string bank_name, bank_kind, branch, branch_code, account_type, account_no, holder_kana, holder, passbook_kana;
  Person contact;
  std::string phone, email;
  bool att_pledge = true, att_officers = true, att_passbook = true;
  int ry = 7, month = 6, day = 1;   // application date, Reiwa
  int pm_month = 6, pm_day = 1;     // postmark
  bool seal = true;
  std::vector<Officer> officers;
  bool handwritten = false;
};

int days_in_month(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return d[m - 1];
}

Envelope random_envelope(Rng& r, const std::string& id, bool handwritten) {
  Envelope e;
  e.handwritten = handwritten;
  const CorpType& ct = r.pick(kCorpTypes);
  const Reading stem = ct.suffix ? r.pick(kCompany) : r.pick(kCorpStem);
  e.corp_name = ct.suffix ? stem.kanji + ct.name : ct.name + stem.kanji;
  e.corp_kana = ct.suffix ? stem.kana + ct.kana : ct.kana + stem.kana;
  const Reading& title = r.pick(ct.titles);
  e.rep_title = title.kanji;
  e.rep_title_kana = title.kana;
  e.rep = random_person(r);
  e.corp_postal = std::to_string(r.uniform(260, 299)) + "-" + r.digits(4);
  e.corp_address = random_address(r);
  e.fac_postal = std::to_string(r.uniform(260, 299)) + "-" + r.digits(4);
  e.fac_address = random_address(r);
  e.fac_name = r.pick(kFacilityPrefix) + r.pick(kFacilityStem) + r.pick(kFacilitySuffix);
  const int si = r.uniform(0, static_cast<int>(kServiceTypes.size()) - 1);
  e.service = kServiceTypes[static_cast<std::size_t>(si)];
  const bool no_number = e.service == "養護老人ホーム" || e.service == "軽費老人ホーム";
  e.jigyosho = no_number ? "" : "12" + r.digits(8);
  int cap = 0;
  long amount = 0;
  if (si <= 7) { cap = r.uniform(9, 120); amount = 20000L * cap; }
  else if (si <= 10) { cap = r.uniform(10, 50); amount = 8000L * cap; }
  else if (si <= 12) { cap = r.uniform(18, 29); amount = 12000L * cap; }
  else amount = 50000;
  e.capacity = cap > 0 ? std::to_string(cap) : "";
  e.amount = std::to_string(amount);
  const Bank& b = r.pick(kBanks);
  e.bank_name = b.name;
  e.bank_kind = b.kind;
  const std::string br = r.pick(b.branches);
  e.branch = br.ends_with("部") ? br : br + "支店";
  e.branch_code = r.digits(3);
  e.account_type = r.chance(0.85) ? "普通" : "当座";
  e.account_no = r.digits(7);
  e.holder = e.corp_name + "　" + e.rep_title + "　" + e.rep.name();
  e.holder_kana = e.corp_kana + "　" + e.rep_title_kana + "　" + e.rep.kana();
  e.passbook_kana = ct.suffix ? to_halfwidth_kana(stem.kana) + ct.passbook : ct.passbook + to_halfwidth_kana(stem.kana);
  e.passbook_kana += " " + to_halfwidth_kana(e.rep_title_kana + "　" + e.rep.kana());
  e.contact = random_person(r);
  // A Japanese number: 0 and an area code that does not begin with 0 (00 dials abroad).
  e.phone = "0" + std::to_string(r.uniform(1, 9)) + std::to_string(r.uniform(10, 99)) + "-" + r.digits(2) + "-" + r.digits(4);
  if (r.chance(0.4)) e.phone = "04" + std::to_string(r.uniform(3, 7)) + "-" + r.digits(3) + "-" + r.digits(4);
  e.email = r.pick(kMailLocal) + std::to_string(r.uniform(1, 99)) + "@" + r.pick(kMailDomain);
  e.month = r.uniform(5, 9);
  e.day = r.uniform(1, days_in_month(2025, e.month));
  // The postmark is the same day or a day or two either side of the forms' date.
  e.pm_month = e.month;
  e.pm_day = std::clamp(e.day + r.uniform(-1, 2), 1, days_in_month(2025, e.month));
  e.seal = r.chance(0.85);
  const int n_off = r.uniform(3, 7);
  for (int i = 0; i < n_off; ++i) {
    Officer o;
    o.p = i == 0 ? e.rep : random_person(r);
    o.title = i == 0 ? e.rep_title : (ct.suffix ? r.pick(std::vector<std::string>{"取締役", "監査役"}) : r.pick(std::vector<std::string>{"理事", "理事", "監事"}));
    if (r.chance(0.7)) { o.era = "昭"; o.year = r.uniform(20, 63); }
    else { o.era = "平"; o.year = r.uniform(1, 12); }
    o.month = r.uniform(1, 12);
    o.day = r.uniform(1, days_in_month(o.era == "昭" ? 1925 + o.year : 1988 + o.year, o.month));
    o.address = random_address(r);
    e.officers.push_back(o);
  }

  json t;
  t["id"] = id;
  t["facility_id"] = "";
  t["handwritten"] = handwritten;
  const std::string date = iso(2018 + e.ry, e.month, e.day);
  t["fields"] = {
      {"application_date", date}, {"corp.postal_code", e.corp_postal}, {"corp.address", e.corp_address},
      {"corp.name", e.corp_name}, {"corp.rep_title", e.rep_title}, {"corp.rep_name", e.rep.name()},
      {"facility.postal_code", e.fac_postal}, {"facility.address", e.fac_address}, {"facility.name", e.fac_name},
      {"facility.service_type", e.service}, {"facility.jigyosho_no", e.jigyosho}, {"facility.capacity", e.capacity},
      {"amount", e.amount}, {"bank.name", e.bank_name}, {"bank.branch", e.branch}, {"bank.account_type", e.account_type},
      {"bank.account_no", e.account_no}, {"bank.holder_kana", e.holder_kana}, {"bank.holder", e.holder},
      {"contact.name", e.contact.name()}, {"contact.phone", e.phone}, {"contact.email", e.email},
      {"attachments.pledge", e.att_pledge}, {"attachments.officers", e.att_officers}, {"attachments.passbook", e.att_passbook}};
  t["pledge"] = {{"date", date}, {"corp_address", e.corp_address}, {"corp_name", e.corp_name},
                 {"rep", e.rep_title + "　" + e.rep.name()}, {"seal_present", e.seal}};
  json rows = json::array();
  for (const auto& o : e.officers) {
    const int y = o.era == "昭" ? 1925 + o.year : 1988 + o.year;
    rows.push_back({{"name_kana", o.p.kana()}, {"name", o.p.name()}, {"birth", iso(y, o.month, o.day)},
                    {"sex", o.p.male ? "M" : "F"}, {"address", o.address}, {"title", o.title}});
  }
  t["officers"] = {{"corp_kana", e.corp_kana}, {"corp_name", e.corp_name}, {"facility_name", e.fac_name},
                   {"jigyosho_no", e.jigyosho}, {"rows", rows}};
  t["passbook"] = {{"code", r.digits(4)}, {"kind", e.bank_kind}, {"bank_name_full", e.bank_name},
                   {"branch_name", br}, {"branch_code", e.branch_code}, {"account_no", e.account_no},
                   {"account_type", e.account_type}, {"holder_kana_passbook", e.passbook_kana}};
  t["envelope"] = {{"postmark_date", iso(2018 + e.ry, e.pm_month, e.pm_day)}, {"sender_name", e.corp_name}};
  t["expected_defects"] = json::array();
  e.truth = t;
  return e;
}

// ---------------------------------------------------------------------------------------------
// Drawing

enum class ZeroStyle { kPlain, kSlashed, kDotted };

struct Style {
  cv::Ptr<cv::freetype::FreeType2> font;
  std::string font_name;
  ZeroStyle zero = ZeroStyle::kPlain;
  bool handwritten = false;
  cv::Scalar ink{30, 30, 30};  // BGR
  double size = 0.62;          // glyph height as a share of the zone's height
};

struct Canvas {
  cv::Mat img;  // BGR 8-bit, upright page
  double dpi = 300;
  // Marks a scan may lose (a faint seal, a faint postmark's date under a black-and-white scanner's
  // threshold): the key of the value each carries, the page without it, and the least share of its
  // ink the scan must keep for the value to count as in the image.
  struct Mark {
    std::string key;
    cv::Mat without;
    double keep;
  };
  std::vector<Mark> marks;
  int px(double mm) const { return static_cast<int>(std::lround(mm * dpi / 25.4)); }
};

// Renders `text` into a coverage mask (0..255), character by character so that zeros can be
// restyled and handwriting jittered. Returns the tight ink box's mask.
cv::Mat render_text(const Style& st, const std::string& text, int height, Rng& r) {
  const auto chars = utf8_chars(text);
  int base0 = 0;
  const int width = st.font->getTextSize(text, height, -1, &base0).width + height * 4;
  cv::Mat mask = cv::Mat::zeros(height * 3, std::max(width, 8), CV_8UC1);
  const int x0 = height / 2;
  const int baseline_y = height * 2;
  std::string prefix;
  for (const auto& c : chars) {
    int base = 0;
    // Where the string's layout puts this character: the right edge of the text up to and
    // including it, less the character's own width (OpenCV's sizes are ink boxes, not advances).
    prefix += c;
    const int right = st.font->getTextSize(prefix, height, -1, &base).width;
    const cv::Size sz = st.font->getTextSize(c, height, -1, &base);
    const int x = x0 + right - sz.width;
    int h = height, dy = 0, dx = 0;
    if (st.handwritten) {
      h = static_cast<int>(height * r.real(0.9, 1.08));
      dy = static_cast<int>(std::lround(r.normal(height * 0.05)));
      dx = static_cast<int>(std::lround(r.normal(height * 0.04)));
    }
    if (c != " " && c != "　") {
      // FreeType2::putText draws on 3-channel images only: one small canvas per character.
      const int side = h * 3;
      cv::Mat c3 = cv::Mat::zeros(side, side, CV_8UC3);
      st.font->putText(c3, c, cv::Point(h / 2, h * 2), h, cv::Scalar::all(255), -1, cv::LINE_AA, true);
      cv::Mat cm;
      cv::extractChannel(c3, cm, 0);
      std::vector<cv::Point> nz;
      cv::findNonZero(cm, nz);
      if (!nz.empty()) {
        const cv::Rect b = cv::boundingRect(nz);
        if (c == "0" && st.zero != ZeroStyle::kPlain) {
          const int t = std::max(1, b.width / 7);
          if (st.zero == ZeroStyle::kSlashed)
            cv::line(cm, {b.x + b.width * 3 / 4, b.y + b.height / 5}, {b.x + b.width / 4, b.y + b.height * 4 / 5}, 255, t, cv::LINE_AA);
          else
            cv::circle(cm, {b.x + b.width / 2, b.y + b.height / 2}, std::max(1, b.width / 8), 255, -1, cv::LINE_AA);
        }
        // The ink's left edge goes to x (the glyph's own left bearing is already in the layout).
        const cv::Point origin(x + dx - b.x, baseline_y + dy - h * 2);
        const cv::Rect dst = cv::Rect(origin.x, origin.y, side, side) & cv::Rect(0, 0, mask.cols, mask.rows);
        if (dst.area() > 0) {
          cv::Mat roi = mask(dst);
          const cv::Rect src(dst.x - origin.x, dst.y - origin.y, dst.width, dst.height);
          cv::max(roi, cm(src), roi);
        }
      }
    }
  }
  std::vector<cv::Point> nz;
  cv::findNonZero(mask, nz);
  if (nz.empty()) return {};
  return mask(cv::boundingRect(nz)).clone();
}

// Puts a coverage mask onto the page with the given ink colour and strength.
void blit(Canvas& c, const cv::Mat& mask, cv::Point at, const cv::Scalar& ink, double alpha = 1.0) {
  for (int y = 0; y < mask.rows; ++y) {
    const int py = at.y + y;
    if (py < 0 || py >= c.img.rows) continue;
    const auto* m = mask.ptr<std::uint8_t>(y);
    auto* p = c.img.ptr<cv::Vec3b>(py);
    for (int x = 0; x < mask.cols; ++x) {
      const int px = at.x + x;
      if (px < 0 || px >= c.img.cols || m[x] == 0) continue;
      const double a = alpha * m[x] / 255.0;
      for (int k = 0; k < 3; ++k) p[px][k] = cv::saturate_cast<std::uint8_t>(p[px][k] * (1 - a) + ink[k] * a);
    }
  }
}

enum class Align { kLeft, kCenter, kRight };

// Draws text inside a zone [x, y, w, h] in mm, vertically centred, shrunk to fit its width.
void draw_in_zone(Canvas& c, const Style& st, const std::string& text, const std::vector<double>& z, Align al, Rng& r,
                  double size_share = 0) {
  if (text.empty()) return;
  const int zx = c.px(z[0]), zy = c.px(z[1]), zw = c.px(z[2]), zh = c.px(z[3]);
  const double share = size_share > 0 ? size_share : st.size;
  int h = std::max(8, static_cast<int>(zh * share));
  cv::Mat m = render_text(st, text, h, r);
  if (m.empty()) return;
  // A pen or printer lays its strokes solid: the renderer's anti-aliased edges of thin strokes in
  // small text would otherwise come out as a faint gray that a scan drops.
  m.convertTo(m, -1, 1.8, 0);
  const int margin = c.px(1.2);
  if (m.cols > zw - 2 * margin) {
    const double s = static_cast<double>(zw - 2 * margin) / m.cols;
    cv::resize(m, m, {}, s, s, cv::INTER_AREA);
  }
  int x = zx + margin + (st.handwritten ? r.uniform(0, c.px(2)) : 0);
  if (al == Align::kCenter) x = zx + (zw - m.cols) / 2;
  if (al == Align::kRight) x = zx + zw - 3 * margin - m.cols;
  const int y = zy + (zh - m.rows) / 2 + (st.handwritten ? static_cast<int>(r.normal(zh * 0.04)) : 0);
  blit(c, m, {x, y}, st.ink);
}

void tick(Canvas& c, const std::vector<double>& box, Rng& r, const Style& st) {
  const int x = c.px(box[0]), y = c.px(box[1]), w = c.px(box[2]), h = c.px(box[3]);
  const int t = std::max(2, w / 8);
  switch (r.uniform(0, 2)) {
    case 0: cv::rectangle(c.img, {x + t, y + t, w - 2 * t, h - 2 * t}, st.ink, -1); break;
    case 1:
      cv::line(c.img, {x + w / 6, y + h / 2}, {x + w / 2 - t / 2, y + h - t}, st.ink, t, cv::LINE_AA);
      cv::line(c.img, {x + w / 2 - t / 2, y + h - t}, {x + w + w / 5, y - h / 4}, st.ink, t, cv::LINE_AA);
      break;
    default:
      cv::line(c.img, {x + t, y + t}, {x + w - t, y + h - t}, st.ink, t, cv::LINE_AA);
      cv::line(c.img, {x + w - t, y + t}, {x + t, y + h - t}, st.ink, t, cv::LINE_AA);
      break;
  }
}

// A corporate seal: a red ring with the corporation's name, sometimes faint or partly printed.
void seal(Canvas& c, const Style& st, const std::string& stem, cv::Point2d centre_mm, Rng& r) {
  const int rad = c.px(r.real(8.0, 11.0));
  cv::Mat mask = cv::Mat::zeros(rad * 2 + 8, rad * 2 + 8, CV_8UC1);
  const cv::Point o(rad + 4, rad + 4);
  const int ring = std::max(2, rad / 12);
  if (r.chance(0.75)) cv::circle(mask, o, rad - ring, 255, ring, cv::LINE_AA);
  else cv::rectangle(mask, {o.x - rad + ring, o.y - rad + ring, 2 * (rad - ring), 2 * (rad - ring)}, 255, ring);
  auto chars = utf8_chars(stem);
  chars.push_back("之");
  chars.push_back("印");
  const int cols = 2, rows = static_cast<int>((chars.size() + 1) / 2);
  const int cell = static_cast<int>(rad * 1.3 / std::max(rows, cols));
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const int col = cols - 1 - static_cast<int>(i) / rows, row = static_cast<int>(i) % rows;
    Style s2 = st;
    s2.handwritten = false;
    cv::Mat g = render_text(s2, chars[i], cell, r);
    if (g.empty()) continue;
    const int gx = o.x - cell + col * cell + (cell - g.cols) / 2, gy = o.y - rows * cell / 2 + row * cell + (cell - g.rows) / 2;
    cv::Rect dst(gx, gy, g.cols, g.rows);
    dst &= cv::Rect(0, 0, mask.cols, mask.rows);
    if (dst.area() > 0) {
      cv::Mat roi = mask(dst);
      cv::max(roi, g(cv::Rect(0, 0, dst.width, dst.height)), roi);
    }
  }
  // Printed unevenly: faint overall, a part missing, speckled.
  double alpha = r.chance(0.35) ? r.real(0.25, 0.55) : r.real(0.7, 1.0);
  if (r.chance(0.3)) {
    const double a0 = r.real(0, 360);
    cv::ellipse(mask, o, {rad + 4, rad + 4}, 0, a0, a0 + r.real(40, 140), 0, -1);
  }
  cv::Mat speck(mask.size(), CV_8UC1);
  cv::randu(speck, 0, 255);
  cv::Mat keep = speck > static_cast<int>(r.real(10, 90));
  cv::Mat masked;
  mask.copyTo(masked, keep);
  const cv::Point at(c.px(centre_mm.x) - o.x, c.px(centre_mm.y) - o.y);
  blit(c, masked, at, cv::Scalar(40, 40, r.uniform(170, 220)), alpha);
}

Canvas render_pdf(const fs::path& pdf, double dpi) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(pdf.string()));
  if (!doc) throw std::runtime_error("cannot open " + pdf.string());
  std::unique_ptr<poppler::page> page(doc->create_page(0));
  poppler::page_renderer pr;
  pr.set_render_hint(poppler::page_renderer::antialiasing, true);
  pr.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  pr.set_image_format(poppler::image::format_argb32);
  poppler::image im = pr.render_page(page.get(), dpi, dpi);
  cv::Mat bgra(im.height(), im.width(), CV_8UC4, const_cast<char*>(im.const_data()), static_cast<std::size_t>(im.bytes_per_row()));
  Canvas c;
  cv::cvtColor(bgra, c.img, cv::COLOR_BGRA2BGR);
  c.dpi = dpi;
  return c;
}

Canvas blank(double w_mm, double h_mm, double dpi) {
  Canvas c;
  c.dpi = dpi;
  c.img = cv::Mat(c.px(h_mm), c.px(w_mm), CV_8UC3, cv::Scalar(255, 255, 255));
  return c;
}

std::vector<double> zone_of(const json& f) { return f.at("zone").get<std::vector<double>>(); }

const json& field(const json& tpl, const std::string& key) {
  for (const auto& f : tpl.at("fields"))
    if (f.at("key") == key) return f;
  throw std::runtime_error("template has no field " + key);
}

void draw_date_parts(Canvas& c, const Style& st, const json& f, int ry, int m, int d, Rng& r) {
  const json& p = f.at("parts");
  draw_in_zone(c, st, std::to_string(ry), p.at("year").get<std::vector<double>>(), Align::kCenter, r, 0.55);
  draw_in_zone(c, st, std::to_string(m), p.at("month").get<std::vector<double>>(), Align::kCenter, r, 0.55);
  draw_in_zone(c, st, std::to_string(d), p.at("day").get<std::vector<double>>(), Align::kCenter, r, 0.55);
}

void draw_comb(Canvas& c, const Style& st, const json& f, const std::string& digits, Rng& r) {
  const auto z = zone_of(f);
  const int n = f.at("cells").get<int>();
  const double cw = z[2] / n;
  for (int i = 0; i < n && i < static_cast<int>(digits.size()); ++i)
    draw_in_zone(c, st, std::string(1, digits[static_cast<std::size_t>(i)]), {z[0] + i * cw, z[1], cw, z[3]}, Align::kCenter, r, 0.6);
}

Canvas application_page(const fs::path& forms, const json& tpl, const Envelope& e, const Style& st, double dpi, Rng& r) {
  Canvas c = render_pdf(forms / "youshiki1_shinseisho.pdf", dpi);
  draw_date_parts(c, st, field(tpl, "application_date"), e.ry, e.month, e.day, r);
  auto text = [&](const std::string& key, const std::string& v, Align al = Align::kLeft) {
    draw_in_zone(c, st, v, zone_of(field(tpl, key)), al, r);
  };
  text("corp.postal_code", e.corp_postal);
  text("corp.address", e.corp_address);
  text("corp.name", e.corp_name);
  text("corp.rep_title", e.rep_title);
  text("corp.rep_name", e.rep.name());
  text("facility.postal_code", e.fac_postal);
  text("facility.address", e.fac_address);
  text("facility.name", e.fac_name);
  const json& size = field(tpl, "facility.service_type").at("size");
  for (const auto& o : field(tpl, "facility.service_type").at("options"))
    if (o.at("value") == e.service) tick(c, {o["at"][0], o["at"][1], size[0], size[1]}, r, st);
  draw_comb(c, st, field(tpl, "facility.jigyosho_no"), e.jigyosho, r);
  text("facility.capacity", e.capacity, Align::kRight);
  text("amount", r.chance(0.8) ? with_commas(e.amount) : e.amount, Align::kRight);
  text("bank.name", e.bank_name);
  text("bank.branch", e.branch);
  for (const auto& o : field(tpl, "bank.account_type").at("options"))
    if (o.at("value") == e.account_type) tick(c, {o["at"][0], o["at"][1], 3.3, 3.3}, r, st);
  draw_comb(c, st, field(tpl, "bank.account_no"), e.account_no, r);
  text("bank.holder_kana", e.holder_kana);
  text("bank.holder", e.holder);
  text("contact.name", e.contact.name());
  {
    // The phone's zone begins with the printed label 電話: the number is written after it.
    auto z = zone_of(field(tpl, "contact.phone"));
    z[0] += 9.0;
    z[2] -= 9.0;
    draw_in_zone(c, st, e.phone, z, Align::kLeft, r);
  }
  text("contact.email", e.email);
  for (const char* k : {"attachments.pledge", "attachments.officers", "attachments.passbook"})
    tick(c, field(tpl, k).at("box").get<std::vector<double>>(), r, st);
  return c;
}

Canvas pledge_page(const fs::path& forms, const json& tpl, const Envelope& e, const Style& st, const Style& seal_style,
                   double dpi, Rng& r, const std::string& seal_stem) {
  Canvas c = render_pdf(forms / "youshiki2_seiyakusho.pdf", dpi);
  draw_date_parts(c, st, field(tpl, "pledge.date"), e.ry, e.month, e.day, r);
  draw_in_zone(c, st, e.corp_address, zone_of(field(tpl, "pledge.corp_address")), Align::kLeft, r);
  draw_in_zone(c, st, e.corp_name, zone_of(field(tpl, "pledge.corp_name")), Align::kLeft, r);
  draw_in_zone(c, st, e.rep_title + "　" + e.rep.name(), zone_of(field(tpl, "pledge.rep")), Align::kLeft, r);
  if (e.seal) {
    const auto z = zone_of(field(tpl, "pledge.seal_present"));
    // A seal is found from a few grains of its ink: lost only when none is left.
    c.marks.push_back({"pledge.seal_present", c.img.clone(), 0.0});
    seal(c, seal_style, seal_stem, {z[0] + z[2] / 2 + r.real(-4, 4), z[1] + z[3] / 2 + r.real(-4, 4)}, r);
  }
  return c;
}

Canvas officers_page(const fs::path& forms, const json& tpl, const Envelope& e, const Style& st, double dpi, Rng& r) {
  Canvas c = render_pdf(forms / "youshiki3_yakuin_meibo.pdf", dpi);
  draw_in_zone(c, st, e.corp_kana, zone_of(field(tpl, "officers.corp_kana")), Align::kLeft, r);
  draw_in_zone(c, st, e.corp_name, zone_of(field(tpl, "officers.corp_name")), Align::kLeft, r);
  draw_in_zone(c, st, e.fac_name, zone_of(field(tpl, "officers.facility_name")), Align::kLeft, r);
  draw_in_zone(c, st, e.jigyosho, zone_of(field(tpl, "officers.jigyosho_no")), Align::kLeft, r);
  const json& t = field(tpl, "officers.rows");
  const double top = t.at("first_top").get<double>(), pitch = t.at("pitch").get<double>();
  std::map<std::string, std::pair<double, double>> col;
  for (const auto& cl : t.at("columns")) col[cl.at("key").get<std::string>()] = {cl.at("x").get<double>(), cl.at("w").get<double>()};
  for (std::size_t i = 0; i < e.officers.size() && i < 10; ++i) {
    const Officer& o = e.officers[i];
    const double y = top + static_cast<double>(i) * pitch;
    auto cell = [&](const std::string& k, const std::string& v, Align al) {
      draw_in_zone(c, st, v, {col[k].first, y + 0.6, col[k].second, pitch - 1.2}, al, r, 0.55);
    };
    cell("name_kana", o.p.kana(), Align::kLeft);
    cell("name", o.p.name(), Align::kLeft);
    cell("birth.era", o.era, Align::kCenter);
    cell("birth.year", std::to_string(o.year), Align::kCenter);
    cell("birth.month", std::to_string(o.month), Align::kCenter);
    cell("birth.day", std::to_string(o.day), Align::kCenter);
    cell("sex", o.p.male ? "M" : "F", Align::kCenter);
    cell("address", o.address, Align::kLeft);
    cell("title", o.title, Align::kLeft);
  }
  return c;
}

// `printed` is the post office's and the printer's type (the postmark, the addressee's label); the
// sender's block is in `st`, the writer's hand or type.
Canvas envelope_page(const json& tpl, const Envelope& e, const Style& st, const Style& printed, double dpi, Rng& r) {
  Canvas c = blank(120, 235, dpi);
  Style print = printed;
  print.handwritten = false;
  // Stamp, postmark (a ring with the post office's town, R.M.D and the hour band), the addressee.
  cv::rectangle(c.img, {c.px(8), c.px(8), c.px(20), c.px(24)}, cv::Scalar(40, 40, 40), 2);
  draw_in_zone(c, print, "切手", {8, 14, 20, 8}, Align::kCenter, r);
  const auto z = zone_of(field(tpl, "envelope.postmark_date"));
  const cv::Point centre(c.px(z[0] + z[2] / 2 + r.real(-3, 3)), c.px(z[1] + z[3] / 2 + r.real(-2, 2)));
  const double faint = r.real(0.45, 0.95);
  cv::Mat pm = cv::Mat::zeros(c.img.size(), CV_8UC1);
  cv::circle(pm, centre, c.px(r.real(8.5, 10)), 255, std::max(2, c.px(0.35)), cv::LINE_AA);
  Canvas tmp;
  tmp.dpi = dpi;
  tmp.img = cv::Mat(c.img.size(), CV_8UC3, cv::Scalar(255, 255, 255));
  const double cx = (centre.x * 25.4 / dpi), cy = (centre.y * 25.4 / dpi);
  const std::string city = r.pick(kCities);
  draw_in_zone(tmp, print, utf8_chars(city).size() > 4 ? city.substr(0, 9) : city, {cx - 6, cy - 8, 12, 5}, Align::kCenter, r, 0.8);
  // The same stamp without its date line beside it (the same random draws), to tell whether the
  // scan kept the date.
  Canvas undated = tmp;
  undated.img = tmp.img.clone();
  draw_in_zone(tmp, print, std::to_string(e.ry) + "." + std::to_string(e.pm_month) + "." + std::to_string(e.pm_day),
               {cx - 7, cy - 2.6, 14, 5.2}, Align::kCenter, r, 0.85);
  const std::string hours = r.pick(std::vector<std::string>{"8-12", "12-18", "18-24", "0-8"});
  Rng same = r;
  draw_in_zone(tmp, print, hours, {cx - 6, cy + 3, 12, 4.5}, Align::kCenter, r, 0.8);
  draw_in_zone(undated, print, hours, {cx - 6, cy + 3, 12, 4.5}, Align::kCenter, same, 0.8);
  auto stamp = [&](Canvas& page, const Canvas& lettering) {
    cv::Mat g, ink = pm.clone();
    cv::cvtColor(lettering.img, g, cv::COLOR_BGR2GRAY);
    cv::max(ink, 255 - g, ink);
    blit(page, ink, {0, 0}, cv::Scalar(60, 50, 50), faint);
  };
  Canvas without = c;
  without.img = c.img.clone();
  stamp(without, undated);
  stamp(c, tmp);
  // Where the date line is: nothing drawn later reaches inside the ring.
  cv::Mat date_line;
  cv::absdiff(without.img, c.img, date_line);
  cv::cvtColor(date_line, date_line, cv::COLOR_BGR2GRAY);
  date_line = date_line > 0;
  for (int i = 0; i < 7; ++i)
    cv::rectangle(c.img, {c.px(50 + i * 8.5 + (i > 2 ? 2 : 0)), c.px(10), c.px(7), c.px(9)}, cv::Scalar(60, 60, 220), 2);
  draw_in_zone(c, print, "〒260-8667", {28, 50, 70, 10}, Align::kLeft, r);
  draw_in_zone(c, print, "千葉市中央区市場町１－１", {28, 65, 80, 10}, Align::kLeft, r);
  draw_in_zone(c, print, "千葉県高齢者福祉施設等物価高騰対策", {28, 80, 85, 10}, Align::kLeft, r);
  draw_in_zone(c, print, "給付金事務局　行", {28, 95, 60, 10}, Align::kLeft, r);
  cv::rectangle(c.img, {c.px(40), c.px(120), c.px(48), c.px(14)}, cv::Scalar(60, 60, 220), 2);
  draw_in_zone(c, print, "申請書在中", {40, 120, 48, 14}, Align::kCenter, r);
  // The sender's block, in the envelope's writer's hand.
  const auto sz = zone_of(field(tpl, "envelope.sender_name"));
  draw_in_zone(c, st, "〒" + e.corp_postal, {sz[0] + 2, sz[1] + 2, 60, 10}, Align::kLeft, r);
  draw_in_zone(c, st, e.corp_address, {sz[0] + 2, sz[1] + 15, sz[2] - 4, 10}, Align::kLeft, r);
  draw_in_zone(c, st, e.corp_name, {sz[0] + 2, sz[1] + 28, sz[2] - 4, 10}, Align::kLeft, r);
  draw_in_zone(c, st, e.fac_name, {sz[0] + 2, sz[1] + 41, sz[2] - 4, 10}, Align::kLeft, r);
  cv::Mat undated_page = c.img.clone();
  without.img.copyTo(undated_page, date_line);
  // A date is read from its strokes: lost when the scan kept less than a quarter of its ink (the
  // station read dates that kept 39 % and more; it read none of those that kept 15 % or less).
  c.marks.push_back({"envelope.postmark_date", undated_page, 0.25});
  return c;
}

// A bank prints its passbooks: `printed` is a printed face even when the envelope's forms are
// handwritten (as on the samples' handwritten envelopes).
Canvas passbook_page(const Envelope& e, const Style& printed, double dpi, Rng& r) {
  Canvas c = blank(210, 297, dpi);
  Style print = printed;
  print.handwritten = false;
  print.zero = ZeroStyle::kPlain;
  draw_in_zone(c, print, "振込先口座確認書類（通帳の写し）", {10, 8, 90, 8}, Align::kLeft, r);
  const double x0 = r.real(25, 40), y0 = r.real(35, 50);
  cv::rectangle(c.img, {c.px(x0), c.px(y0), c.px(165), c.px(100)}, cv::Scalar(50, 50, 50), 2);
  cv::line(c.img, {c.px(x0 + 83), c.px(y0)}, {c.px(x0 + 83), c.px(y0 + 100)}, cv::Scalar(50, 50, 50), 2);
  draw_in_zone(c, print, e.bank_name, {x0 + 6, y0 + 8, 70, 10}, Align::kLeft, r, 0.7);
  draw_in_zone(c, print, e.account_type + "預金通帳", {x0 + 6, y0 + 20, 70, 8}, Align::kLeft, r, 0.7);
  draw_in_zone(c, print, "お名前", {x0 + 6, y0 + 35, 30, 6}, Align::kLeft, r, 0.6);
  draw_in_zone(c, print, e.passbook_kana, {x0 + 6, y0 + 42, 76, 8}, Align::kLeft, r, 0.7);
  draw_in_zone(c, print, "店番", {x0 + 6, y0 + 58, 12, 7}, Align::kLeft, r, 0.6);
  draw_in_zone(c, print, e.branch_code, {x0 + 18, y0 + 57, 20, 8}, Align::kLeft, r, 0.75);
  draw_in_zone(c, print, "口座番号", {x0 + 40, y0 + 58, 18, 7}, Align::kLeft, r, 0.6);
  draw_in_zone(c, print, e.account_no, {x0 + 58, y0 + 57, 25, 8}, Align::kLeft, r, 0.75);
  draw_in_zone(c, print, e.branch, {x0 + 6, y0 + 72, 70, 9}, Align::kLeft, r, 0.7);
  draw_in_zone(c, print, "お取引店", {x0 + 88, y0 + 8, 40, 6}, Align::kLeft, r, 0.6);
  draw_in_zone(c, print, e.bank_name + "　" + e.truth["passbook"]["branch_name"].get<std::string>(), {x0 + 88, y0 + 16, 75, 7},
               Align::kLeft, r, 0.6);
  draw_in_zone(c, print, "この通帳を大切に保管してください。", {x0 + 88, y0 + 85, 75, 6}, Align::kLeft, r, 0.6);
  return c;
}

// ---------------------------------------------------------------------------------------------
// The scanner

enum class Mode { kColourJpeg, kGrayJpeg, kBilevelG4 };

cv::Mat scan(const cv::Mat& page, Rng& r, Mode mode) {
  // Scale 95-103 % about the page centre and skew up to ±1.5°, on the same page size.
  const double scale = r.real(0.95, 1.03), angle = r.real(-1.5, 1.5);
  cv::Mat M = cv::getRotationMatrix2D(cv::Point2f(page.cols / 2.0f, page.rows / 2.0f), angle, scale);
  M.at<double>(0, 2) += r.real(-0.01, 0.01) * page.cols;
  M.at<double>(1, 2) += r.real(-0.01, 0.01) * page.rows;
  cv::Mat out;
  cv::warpAffine(page, out, M, page.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255, 255, 255));
  // A little blur (optics), a paper tone, sensor noise, dust specks.
  if (r.chance(0.5)) cv::GaussianBlur(out, out, {3, 3}, r.real(0.3, 0.9));
  cv::Mat noise(out.size(), CV_16SC3);
  cv::randn(noise, 0, r.real(2, 9));
  cv::Mat o16;
  out.convertTo(o16, CV_16SC3);
  o16 += noise;
  o16 -= cv::Scalar::all(r.uniform(0, 12));
  o16.convertTo(out, CV_8UC3);
  const int specks = r.uniform(5, 40);
  for (int i = 0; i < specks; ++i)
    cv::circle(out, {r.uniform(0, out.cols - 1), r.uniform(0, out.rows - 1)}, r.uniform(1, 3), cv::Scalar::all(r.uniform(0, 90)), -1);
  if (mode == Mode::kColourJpeg) return out;
  cv::Mat g;
  cv::cvtColor(out, g, cv::COLOR_BGR2GRAY);
  if (mode == Mode::kGrayJpeg) return g;
  cv::Mat b;
  cv::threshold(g, b, r.uniform(150, 190), 255, cv::THRESH_BINARY);
  return b;
}

void patch_jfif_dpi(std::vector<uchar>& jpg, int dpi) {
  // SOI, APP0 "JFIF\0": units at 13, X density at 14-15, Y density at 16-17.
  if (jpg.size() > 18 && jpg[2] == 0xFF && jpg[3] == 0xE0 && std::equal(jpg.begin() + 6, jpg.begin() + 10, "JFIF")) {
    jpg[13] = 1;
    jpg[14] = static_cast<uchar>(dpi >> 8);
    jpg[15] = static_cast<uchar>(dpi & 0xFF);
    jpg[16] = jpg[14];
    jpg[17] = jpg[15];
  }
}

// A scanned page's file name, the share of each mark's ink the scan kept, and the marks it lost.
struct Written {
  std::string file;
  std::map<std::string, double> kept;
  std::vector<std::string> lost;
};

// The share of a mark's ink (pixels it makes darker by more than 20 levels) that the scan kept:
// the page without the mark scanned with the same random state (the generator's and OpenCV's,
// restored afterwards so that the pages that follow do not change), compared with the scan, over
// the same comparison before the scan. A black-and-white scanner's threshold drops a faint red
// seal or a faint postmark entirely; what is not in the image cannot be read, so the truth says so.
struct InkKept {
  double share = 1.0;  // of the mark's ink before the scan
  int px_apart = 0;    // pixels of it in the scan clear of the page's other ink (not a printed stroke thickened)
};
InkKept ink_kept(const cv::Mat& page, const cv::Mat& scanned, const cv::Mat& without, const Rng& before,
                 const cv::RNG& cv_before, Mode mode) {
  const cv::RNG cv_after = cv::theRNG();
  Rng again = before;
  cv::theRNG() = cv_before;
  const cv::Mat u = scan(without, again, mode);
  cv::theRNG() = cv_after;
  const auto gray = [](const cv::Mat& m) {
    cv::Mat g;
    if (m.channels() == 3) cv::cvtColor(m, g, cv::COLOR_BGR2GRAY); else g = m;
    return g;
  };
  // Where the mark made the page darker by more than 20 levels (subtract saturates).
  const auto darker = [&](const cv::Mat& with, const cv::Mat& plain) {
    cv::Mat d;
    cv::subtract(gray(plain), gray(with), d);
    return cv::Mat(d > 20);
  };
  const cv::Mat kept = darker(scanned, u);
  const int printed = cv::countNonZero(darker(page, without)), left = cv::countNonZero(kept);
  // A seal's ink the scanner kept only where it overlaps printed ink (the 印 circle's strokes a
  // pixel thicker) shows no seal: what counts is its ink two pixels or more from the page's other ink.
  cv::Mat other_ink;
  cv::dilate(gray(u) < 160, other_ink, cv::getStructuringElement(cv::MORPH_RECT, {5, 5}));
  const int apart = cv::countNonZero(kept & ~other_ink);
  return {printed == 0 ? 1.0 : std::min(1.0, left / static_cast<double>(printed)), apart};
}

// Writes one scanned page.
Written write_page(const fs::path& dir, int n, const Canvas& c, Rng& r) {
  const int dpi = static_cast<int>(c.dpi);
  const double u = r.real(0, 1);
  const Mode mode = u < 0.45 ? Mode::kColourJpeg : u < 0.75 ? Mode::kGrayJpeg : Mode::kBilevelG4;
  const Rng before = r;
  const cv::RNG cv_before = cv::theRNG();
  const cv::Mat s = scan(c.img, r, mode);
  Written w;
  for (const auto& m : c.marks) {
    const InkKept kept = ink_kept(c.img, s, m.without, before, cv_before, mode);
    w.kept[m.key] = std::round(kept.share * 1000) / 1000;
    // A seal (keep 0) is lost when none of its ink is left: under 0.5 mm² of it clear of the
    // page's printed ink.
    const double ppm = c.dpi / 25.4;
    if (m.keep > 0 ? kept.share < m.keep : kept.px_apart < 0.5 * ppm * ppm) w.lost.push_back(m.key);
  }
  const std::string base = "page-" + pad2(n);
  if (mode == Mode::kBilevelG4) {
    formgen::write_g4(dir / (base + ".tif"), s.cols, s.rows, s.data, s.step[0], dpi);
    w.file = base + ".tif";
    return w;
  }
  std::vector<uchar> jpg;
  cv::imencode(".jpg", s, jpg, {cv::IMWRITE_JPEG_QUALITY, r.uniform(55, 92)});
  patch_jfif_dpi(jpg, dpi);
  std::ofstream(dir / (base + ".jpg"), std::ios::binary).write(reinterpret_cast<const char*>(jpg.data()), static_cast<std::streamsize>(jpg.size()));
  w.file = base + ".jpg";
  return w;
}

// ---------------------------------------------------------------------------------------------
// Fonts

struct FontFile {
  std::string path;
  bool handwriting;  // brush or handwriting-like
};

std::vector<FontFile> find_fonts() {
  // Japanese fonts from Debian packages (fonts-ipafont, fonts-ipaexfont, fonts-noto-cjk,
  // fonts-takao, fonts-vlgothic, fonts-horai-umefont; handwriting-like: fonts-konatu, fonts-kouzan-mouhitsu).
  static const std::vector<std::pair<std::string, bool>> wanted = {
      {"ipag.ttf", false}, {"ipagp.ttf", false}, {"ipam.ttf", false}, {"ipamp.ttf", false}, {"ipaexg.ttf", false},
      {"ipaexm.ttf", false}, {"NotoSansCJK-Regular.ttc", false}, {"NotoSerifCJK-Regular.ttc", false},
      {"NotoSansCJK-Bold.ttc", false}, {"TakaoGothic.ttf", false}, {"TakaoPGothic.ttf", false}, {"TakaoMincho.ttf", false},
      {"VL-Gothic-Regular.ttf", false}, {"VL-PGothic-Regular.ttf", false}, {"ume-tgo4.ttf", false}, {"ume-tmo3.ttf", false},
      {"ume-pgc4.ttf", false}, {"ume-hgo4.ttf", false}, {"ume-pms3.ttf", false}, {"Konatu.ttf", true},
      {"KonatuTohaba.ttf", true}, {"kouzan-mouhitsu.ttf", true},
      {"sazanami-gothic.ttf", false}, {"sazanami-mincho.ttf", false}};
  std::vector<FontFile> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator("/usr/share/fonts", ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    for (const auto& [w, hw] : wanted)
      if (name == w && !fs::is_symlink(it->path())) out.push_back({it->path().string(), hw});
  }
  std::sort(out.begin(), out.end(), [](const FontFile& a, const FontFile& b) { return a.path < b.path; });
  return out;
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return json::parse(in);
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seed = 1;
  int count = 10;
  double handwritten_share = 0.2;
  fs::path out, forms = fs::path(STATION_SHARED_DIR) / "forms", templates = fs::path(STATION_SOURCE_DIR) / "station/templates";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value after " + a);
      return argv[++i];
    };
    try {
      if (a == "--seed") seed = std::stoull(next());
      else if (a == "--count") count = std::stoi(next());
      else if (a == "--out") out = next();
      else if (a == "--forms") forms = next();
      else if (a == "--templates") templates = next();
      else if (a == "--handwritten") handwritten_share = std::stod(next());
      else { std::cerr << "unknown argument " << a << "\n"; return 2; }
    } catch (const std::exception& ex) {
      std::cerr << ex.what() << "\n";
      return 2;
    }
  }
  if (out.empty() || count < 1) {
    std::cerr << "usage: formgen --seed N --count K --out DIR [--forms DIR] [--templates DIR] [--handwritten SHARE]\n";
    return 2;
  }
  try {
    const json t_app = read_json(templates / "youshiki1_r7.json"), t_pledge = read_json(templates / "youshiki2_r7.json");
    const json t_off = read_json(templates / "youshiki3_r7.json"), t_env = read_json(templates / "envelope.json");
    const std::vector<FontFile> fonts = find_fonts();
    std::vector<FontFile> printed, hand;
    for (const auto& f : fonts) (f.handwriting ? hand : printed).push_back(f);
    if (printed.empty()) throw std::runtime_error("no Japanese fonts found under /usr/share/fonts (run hardware/deploy/install-deps.sh)");
    if (hand.empty()) hand = printed;
    std::map<std::string, cv::Ptr<cv::freetype::FreeType2>> loaded;
    auto font = [&](const std::string& path) {
      auto& f = loaded[path];
      if (!f) {
        f = cv::freetype::createFreeType2();
        f->loadFontData(path, 0);
      }
      return f;
    };
    fs::create_directories(out);
    Rng r(seed);
    json index = json::array();
    std::map<std::string, int> font_use;
    for (int n = 1; n <= count; ++n) {
      const std::string id = "gen-" + std::to_string(seed) + "-" + (n < 10 ? "00" : n < 100 ? "0" : "") + std::to_string(n);
      const bool hw = r.chance(handwritten_share);
      Envelope e = random_envelope(r, id, hw);
      Style st;
      const FontFile& ff = hw ? r.pick(hand) : r.pick(printed);
      st.font = font(ff.path);
      st.font_name = fs::path(ff.path).filename().string();
      st.handwritten = hw;
      const double z = r.real(0, 1);
      st.zero = z < 0.2 ? ZeroStyle::kSlashed : z < 0.35 ? ZeroStyle::kDotted : ZeroStyle::kPlain;
      st.ink = r.chance(0.3) ? cv::Scalar(r.uniform(90, 140), r.uniform(30, 60), r.uniform(10, 40)) : cv::Scalar::all(r.uniform(10, 50));
      st.size = r.real(0.5, 0.7);
      ++font_use[st.font_name];
      // The seal's lettering comes from a printed font; the envelope's sender block in any.
      Style seal_style = st;
      const std::string seal_font_path = r.pick(printed).path;
      const std::string seal_font_name = fs::path(seal_font_path).filename().string();
      seal_style.font = font(seal_font_path);
      seal_style.font_name = seal_font_name;
      std::string seal_text;
      {
        auto ch = utf8_chars(e.corp_name);
        const std::size_t take = std::min<std::size_t>(ch.size(), 4);
        for (std::size_t i = ch.size() - take; i < ch.size(); ++i) seal_text += ch[i];
      }
      const std::vector<int> dpis = {200, 300, 400};
      const fs::path dir = out / id;
      fs::create_directories(dir);
      json pages = json::array();
      json not_in_image = json::array(), kept = json::object();
      auto emit = [&](const Canvas& c, const std::string& kind) {
        const Written w = write_page(dir, static_cast<int>(pages.size()) + 1, c, r);
        pages.push_back({{"file", w.file}, {"kind", kind}, {"dpi", static_cast<int>(c.dpi)}});
        for (const auto& k : w.lost) not_in_image.push_back(k);
        for (const auto& [k, v] : w.kept) kept[k] = v;
      };
      const int dpi_env = r.pick(dpis);
      // What a bank or the post office prints is in a printed face; a typed envelope's own one.
      const Style& printed_style = hw ? seal_style : st;
      emit(envelope_page(t_env, e, st, printed_style, dpi_env, r), "envelope");
      emit(application_page(forms, t_app, e, st, r.pick(dpis), r), "application");
      emit(pledge_page(forms, t_pledge, e, st, seal_style, r.pick(dpis), r, seal_text), "pledge");
      emit(officers_page(forms, t_off, e, st, r.pick(dpis), r), "officers");
      emit(passbook_page(e, printed_style, r.pick(dpis), r), "passbook");
      e.truth["pages"] = pages;
      // Values on the paper that the scan did not keep (a faint seal or postmark date under a
      // black-and-white scanner's threshold): `station accuracy` counts them apart.
      if (!not_in_image.empty()) e.truth["not_in_image"] = not_in_image;
      e.truth["ink_kept_by_scan"] = kept;
      e.truth["generator"] = {{"seed", seed}, {"font", st.font_name}, {"printed_font", hw ? seal_font_name : st.font_name},
                              {"zero", st.zero == ZeroStyle::kSlashed ? "slashed" : st.zero == ZeroStyle::kDotted ? "dotted" : "plain"}};
      std::ofstream(dir / "truth.json") << e.truth.dump(1);
      index.push_back({{"id", id}, {"facility_id", ""}, {"handwritten", hw}, {"expected_defects", json::array()}});
    }
    std::ofstream(out / "index.json") << index.dump(1);
    std::cout << "formgen: " << count << " envelopes (seed " << seed << ") in " << out.string() << "\n";
    for (const auto& [f, k] : font_use) std::cout << "  font " << f << ": " << k << "\n";
  } catch (const std::exception& ex) {
    std::cerr << "formgen: " << ex.what() << "\n";
    return 1;
  }
  return 0;
}
