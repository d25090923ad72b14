// The passbook copy's mechanisms (issue 13): its text grammars (the bank named in a line, the
// account type from a closed list, the holder line in a bank's katakana), the bank's comparison key
// for holders, and the envelope-level cross-check against the application's bank fields, which
// trusts values the two pages agree on and doubts the others.
#include <algorithm>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "detail.h"
#include "ocr/fake_engine.h"
#include "readers.h"
#include "reconcile.h"
#include "station/clock.h"
#include "text_repair.h"

namespace {

namespace d = station::recognition::detail;
using station::recognition::RecognizedValue;

RecognizedValue value(const std::string& key, const std::string& type, const std::string& v, double conf,
                      std::vector<std::string> readings = {}) {
  RecognizedValue r;
  r.key = key;
  r.type = type;
  r.value = v;
  r.confidence = conf;
  r.readings = std::move(readings);
  return r;
}

const RecognizedValue& get(const std::vector<RecognizedValue>& vs, const std::string& key) {
  for (const auto& v : vs)
    if (v.key == key) return v;
  static const RecognizedValue none;
  ADD_FAILURE() << "no value for " << key;
  return none;
}

TEST(PassbookText, BankMentionStartsAfterThePassbooksOwnWords) {
  auto m = d::bank_mention("普通預金通帳 三菱りFJ銀行 南浦和");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->name, "三菱UFJ銀行");
  EXPECT_EQ(m->kind, "銀行");
  EXPECT_EQ(m->rest, "南浦和");
  // 預金通帳 with its last character misread still ends the passbook's words.
  m = d::bank_mention("普通預金通由千葉みらい農業協同組合");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->name, "千葉みらい農業協同組合");
  EXPECT_EQ(m->kind, "農業協同組合");
  m = d::bank_mention("当座預金通上京葉信用金庫");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->name, "京葉信用金庫");
  EXPECT_FALSE(d::bank_mention("この通帳を大切に保管してください。").has_value());
}

TEST(PassbookText, AccountTypeFromItsClosedList) {
  bool exact = false;
  EXPECT_EQ(d::account_type_in("千葉銀行\n当座預金通帳\n", exact), "当座");
  EXPECT_TRUE(exact);
  EXPECT_EQ(d::account_type_in("普通預金通帳", exact), "普通");
  // One of its two characters misread: the other tells which, never exactly.
  EXPECT_EQ(d::account_type_in("京葉銀行\n普遍預金通帳\n", exact), "普通");
  EXPECT_FALSE(exact);
  EXPECT_EQ(d::account_type_in("京葉銀行\n半通預金通帳\n", exact), "普通");
  EXPECT_EQ(d::account_type_in("京葉銀行\n当産預金通帳\n", exact), "当座");
  EXPECT_EQ(d::account_type_in("京葉銀行\n半授入金通上\n", exact), "");
  EXPECT_EQ(d::account_type_in("お名前\n", exact), "");
}

TEST(PassbookText, HolderGrammar) {
  EXPECT_TRUE(d::passbook_holder_grammar_ok("ｼｬ）ﾘｮｸｼﾞｭｶｲ ﾘｼﾞﾁｮｳ ｻｶﾓﾄ ﾀﾞｲｽｹ"));
  EXPECT_TRUE(d::passbook_holder_grammar_ok("シャ) リョクジュカイ リジチョウ"));
  EXPECT_TRUE(d::passbook_holder_grammar_ok("ﾔｽﾗｷﾞﾕ） ﾄﾘｼﾏﾘﾔｸ ﾊｼﾓﾄ ﾁﾋﾛ"));
  EXPECT_TRUE(d::passbook_holder_grammar_ok("ﾐﾄﾞﾘ(ｶ"));
  EXPECT_TRUE(d::passbook_holder_grammar_ok("ｲ）ﾑﾂﾐｶｲ"));
  // A stray voicing mark, two brackets, a kanji, a doubled bracket, nothing.
  EXPECT_FALSE(d::passbook_holder_grammar_ok("ハートフルカ)゚ イビョウトリシマリヤク"));
  EXPECT_FALSE(d::passbook_holder_grammar_ok("シャ) ミドリ(カ"));
  EXPECT_FALSE(d::passbook_holder_grammar_ok("シャ) 緑樹会"));
  EXPECT_FALSE(d::passbook_holder_grammar_ok("シャ)) ミドリ"));
  EXPECT_FALSE(d::passbook_holder_grammar_ok(""));
  // Small kana where none can stand.
  EXPECT_FALSE(d::passbook_holder_grammar_ok("ャマダ タロウ"));
}

TEST(PassbookText, HolderKeyIsTheBanksComparison) {
  const std::string app = "シャカイフクシホウジンリョクジュカイ　リジチョウ　サカモト　ダイスケ";
  EXPECT_EQ(d::holder_kana_key("ｼｬ）ﾘｮｸｼﾞｭｶｲ ﾘｼﾞﾁｮｳ ｻｶﾓﾄ ﾀﾞｲｽｹ"), d::holder_kana_key(app));
  EXPECT_EQ(d::holder_kana_key("ｼﾔ)ﾘﾖｸｼﾞﾕｶｲ ﾘｼﾞﾁﾖｳ ｻｶﾓﾄ ﾀﾞｲｽｹ"), d::holder_kana_key(app));
  EXPECT_EQ(d::holder_kana_key("ﾔｽﾗｷﾞﾕ） ﾄﾘｼﾏﾘﾔｸ"), d::holder_kana_key("ヤスラギユウゲンガイシャ　トリシマリヤク"));
  // A voicing mark is part of the name.
  EXPECT_NE(d::holder_kana_key("ｼｬ）ﾘｮｸｼﾕｶｲ ﾘｼﾞﾁｮｳ ｻｶﾓﾄ ﾀﾞｲｽｹ"), d::holder_kana_key(app));
}

TEST(PassbookText, HolderLineFromTheApplicationsFurigana) {
  EXPECT_EQ(d::passbook_holder_from("シャカイフクシホウジンリョクジュカイ　リジチョウ　サカモト　ダイスケ", "シャ)"),
            "シャ)リョクジュカイ リジチョウ サカモト ダイスケ");
  // The abbreviation as read where it is the table's; else as the furigana's word begins; else the
  // table's.
  EXPECT_EQ(d::passbook_holder_from("シャカイフクシホウジンミドリカイ", "シ)"), "シャ)ミドリカイ");
  EXPECT_EQ(d::passbook_holder_from("シャカイフクシホウジンミドリカイ", "シヤ)ミドリカイ"), "シヤ)ミドリカイ");
  EXPECT_EQ(d::passbook_holder_from("ゴウドウガイシャミドリ", ""), "ド)ミドリ");
  // An abbreviation read with a small kana where none can stand is spelt full-size.
  EXPECT_EQ(d::passbook_holder_from("イリョウホウジンシャダンミドリカイ", "ィ)ミドリカイ"), "イ)ミドリカイ");
  // A legal-form word the furigana splits across a gap.
  EXPECT_EQ(d::passbook_holder_from("ツバサカイ　ゴユウゲンガイシャ　トリシマリヤク", ""), "ツバサカイゴユ) トリシマリヤク");
  EXPECT_EQ(d::passbook_holder_from("ヤスラギユウゲンガイシャ　トリシマリヤク　ハシモト　チヒロ", ""),
            "ヤスラギユ) トリシマリヤク ハシモト チヒロ");
  EXPECT_EQ(d::passbook_holder_from("ヤマダ　タロウ", ""), "ヤマダ タロウ");
  EXPECT_EQ(d::passbook_holder_from("山田　タロウ", ""), "");
}

// An envelope's bank fields and its passbook's values, as the readers left them.
std::vector<RecognizedValue> envelope() {
  return {
      value("bank.name", "text", "三菱ＵＦＪ銀行", 0.8),
      value("bank.branch", "text", "南浦和支店", 0.8),
      value("bank.account_type", "checkbox_group", "当座", 0.9),
      value("bank.account_no", "comb", "8174570", 0.8),
      value("bank.holder_kana", "kana", "シャカイフクシホウジンリョクジュカイ　リジチョウ　サカモト　ダイスケ", 0.8),
      value("passbook.bank_name_full", "bank_name", "三菱UFJ銀行", 0.85),
      value("passbook.kind", "bank_kind", "銀行", 0.85),
      value("passbook.branch_name", "branch_name", "南浦和", 0.85),
      value("passbook.account_type", "account_type", "当座", 0.85),
      value("passbook.account_no", "labelled_digits", "8174570", 0.85),
      value("passbook.holder_kana_passbook", "holder_kana", "シャ)リョクジュカイ リジチョウ サカモト ダイスケ", 0.85),
  };
}

TEST(PassbookReconcile, AgreementIsTrustedOnBothPages) {
  auto vs = envelope();
  d::reconcile_passbook(vs);
  for (const char* key : {"passbook.bank_name_full", "passbook.kind", "passbook.branch_name", "passbook.account_type",
                          "passbook.account_no", "passbook.holder_kana_passbook", "bank.name", "bank.account_no"})
    EXPECT_GE(get(vs, key).confidence, d::kAgreesWithApplication) << key;
  EXPECT_EQ(get(vs, "passbook.account_no").value, "8174570");
  EXPECT_EQ(get(vs, "bank.account_no").value, "8174570");
}

TEST(PassbookReconcile, DisagreementIsDoubtedAndTheApplicationKept) {
  auto vs = envelope();
  for (auto& v : vs) {
    if (v.key == "passbook.account_no") v.value = "8174579";
    if (v.key == "passbook.account_type") v.value = "普通";
    if (v.key == "passbook.branch_name") v.value = "南清和";
    if (v.key == "passbook.bank_name_full") v.value = "葉軸業銀行";
  }
  d::reconcile_passbook(vs);
  EXPECT_EQ(get(vs, "passbook.account_no").value, "8174579");
  EXPECT_LE(get(vs, "passbook.account_no").confidence, d::kDisagrees);
  EXPECT_LE(get(vs, "passbook.account_type").confidence, d::kDisagrees);
  // A branch one character apart stays as read (either page may be misread), doubted.
  EXPECT_EQ(get(vs, "passbook.branch_name").value, "南清和");
  EXPECT_LE(get(vs, "passbook.branch_name").confidence, d::kDisagrees);
  EXPECT_EQ(get(vs, "passbook.bank_name_full").value, "葉軸業銀行");
  EXPECT_LE(get(vs, "passbook.bank_name_full").confidence, d::kDisagrees);
  // One digit apart: either page may be misread, so the application's number is doubted too; a
  // bank name far from the application's (a garbled reading) leaves the application's alone.
  EXPECT_EQ(get(vs, "bank.account_no").value, "8174570");
  EXPECT_LE(get(vs, "bank.account_no").confidence, d::kUnsureFreeText);
  EXPECT_DOUBLE_EQ(get(vs, "bank.name").confidence, 0.8);
  // The kind still agrees with the application's bank name.
  EXPECT_GE(get(vs, "passbook.kind").confidence, d::kAgreesWithApplication);
}

// The corporation's postal code is written twice: on the application and in the envelope's sender
// block. Agreement is trusted; one digit apart, an unsure application reading gives way to a sure
// envelope line, for the clerk, its own reading kept as a candidate; a sure application reading
// stays and both are doubted; codes further apart (another address) are left alone.
TEST(PostalReconcile, TheEnvelopesSenderBlockChecksTheApplicationsPostalCode) {
  const auto after = [](const std::string& app, double app_conf, const std::string& env, double env_conf) {
    std::vector<RecognizedValue> vs = {value("corp.postal_code", "postal", app, app_conf),
                                       value("envelope.sender_postal_code", "sender_postal", env, env_conf)};
    d::reconcile_postal_code(vs);
    return std::pair{get(vs, "corp.postal_code"), get(vs, "envelope.sender_postal_code")};
  };
  const auto [same, same_env] = after("291-6255", 0.8, "291-6255", 0.85);
  EXPECT_GE(same.confidence, d::kAgreesWithApplication);
  EXPECT_GE(same_env.confidence, d::kAgreesWithApplication);
  const auto [mended, mended_env] = after("291-6225", 0.6, "291-6255", 0.85);
  EXPECT_EQ(mended.value, "291-6255");
  EXPECT_LE(mended.confidence, d::kDigitsDisagree);
  EXPECT_EQ(mended.readings, (std::vector<std::string>{"291-6225"}));
  EXPECT_LE(mended_env.confidence, d::kDigitsDisagree);
  const auto [kept, kept_env] = after("291-6225", 0.95, "291-6255", 0.85);
  EXPECT_EQ(kept.value, "291-6225");
  EXPECT_LE(kept.confidence, d::kDigitsDisagree);
  const auto [unsure_env, _] = after("291-6225", 0.6, "291-6255", 0.5);
  EXPECT_EQ(unsure_env.value, "291-6225");
  const auto [apart, apart_env] = after("291-6225", 0.95, "260-0001", 0.85);
  EXPECT_EQ(apart.value, "291-6225");
  EXPECT_DOUBLE_EQ(apart.confidence, 0.95);
  EXPECT_DOUBLE_EQ(apart_env.confidence, 0.85);
}

// The amount rule as a facility list's amounts show it: a type paid one sum a place of every listed
// capacity is paid per place, a type listed without capacities at one sum is paid that flat, a type
// whose amounts follow no one rate has no rule. The types and amounts are made up here.
TEST(AmountReconcile, TheRuleIsWhatTheListsAmountsShow) {
  const std::map<std::string, station::recognition::AmountRule> rules = station::recognition::amount_rules_of(
      {{"通所型A", 32, 256000}, {"通所型A", 10, 80000}, {"訪問型B", 0, 50000}, {"訪問型B", 0, 50000},
       {"混在型C", 10, 80000}, {"混在型C", 12, 120000}, {"端数型D", 7, 50000}, {"両方型E", 10, 80000}, {"両方型E", 0, 50000}});
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules.at("通所型A").per_place, 8000);
  EXPECT_EQ(rules.at("訪問型B").per_place, 0);
  EXPECT_EQ(rules.at("訪問型B").flat, 50000);
  station::recognition::Lexicon l;
  l.amount_rules = rules;
  EXPECT_EQ(d::rule_amount(l, "訪問型B", ""), 50000);
  EXPECT_EQ(d::rule_amount(l, "通所型A", "32"), 256000);
  EXPECT_FALSE(d::rule_amount(l, "通所型A", ""));
  EXPECT_FALSE(d::rule_amount(l, "通所型A", "3?"));
  EXPECT_FALSE(d::rule_amount(l, "混在型C", "10"));
}

// The amount in figures against what the form claims it for (the service type checked and the
// capacity, by the amount rule): figures off the rule at exactly one digit whose alternative makes
// the rule's amount are the rule's, for the clerk, the figures as read kept as the alternative.
// Figures off the rule with no doubted digit to make it, or off at two digits, stay as read.
TEST(AmountReconcile, AFiguresDoubtedDigitMakesTheRulesAmount) {
  station::recognition::Lexicon l;
  l.amount_rules = station::recognition::amount_rules_of({{"通所型A", 32, 256000}, {"訪問型B", 0, 50000}});
  const auto after = [&](const std::string& figures, std::size_t doubted, const std::string& alternative,
                         const std::string& type, const std::string& capacity) {
    RecognizedValue a = value("amount", "amount", figures, 0.6);
    for (std::size_t i = 0; i < figures.size(); ++i)
      a.chars.push_back({figures.substr(i, 1), 0.97, i == doubted ? std::vector<std::string>{alternative} : std::vector<std::string>{}, {}});
    std::vector<RecognizedValue> vs = {a, value("facility.service_type", "checkbox_group", type, 0.99),
                                       value("facility.capacity", "digits", capacity, 0.99)};
    d::reconcile_amount(vs, l);
    return get(vs, "amount");
  };
  const RecognizedValue flat = after("59000", 1, "0", "訪問型B", "");
  EXPECT_EQ(flat.value, "50000");
  EXPECT_LE(flat.confidence, d::kUnsureFreeText);
  ASSERT_EQ(flat.chars.size(), 5u);
  EXPECT_EQ(flat.chars[1].text, "0");
  EXPECT_EQ(flat.chars[1].alternatives, (std::vector<std::string>{"9"}));
  EXPECT_EQ(after("256900", 3, "0", "通所型A", "32").value, "256000");
  // No alternative that makes it, an alternative elsewhere, two digits off, or no rule: as read.
  EXPECT_EQ(after("59000", 1, "8", "訪問型B", "").value, "59000");
  EXPECT_EQ(after("59000", 0, "6", "訪問型B", "").value, "59000");
  EXPECT_EQ(after("266900", 3, "0", "通所型A", "32").value, "266900");
  EXPECT_EQ(after("59000", 1, "0", "居宅型Z", "").value, "59000");
  const RecognizedValue same = after("50000", 1, "9", "訪問型B", "");
  EXPECT_EQ(same.value, "50000");
  EXPECT_DOUBLE_EQ(same.confidence, 0.6);
}

TEST(PassbookReconcile, TheAgreeingCandidateIsTaken) {
  auto vs = envelope();
  for (auto& v : vs) {
    if (v.key == "passbook.account_no") v = value(v.key, v.type, "8174579", 0.6, {"8174570"});
    if (v.key == "passbook.branch_name") v = value(v.key, v.type, "南清和", 0.6, {"南浦和"});
  }
  d::reconcile_passbook(vs);
  EXPECT_EQ(get(vs, "passbook.account_no").value, "8174570");
  EXPECT_GE(get(vs, "passbook.account_no").confidence, d::kAgreesWithApplication);
  EXPECT_EQ(get(vs, "passbook.branch_name").value, "南浦和");
}

// The application's branch after the reconciliation, where it was read `app` and the passbook's `book`.
RecognizedValue branch_after(const std::string& app, const std::string& book) {
  auto vs = envelope();
  for (auto& v : vs) {
    if (v.key == "bank.branch") v = value(v.key, v.type, app, 0.8);
    if (v.key == "passbook.branch_name") v.value = book;
  }
  d::reconcile_passbook(vs);
  return get(vs, "bank.branch");
}

TEST(PassbookReconcile, AnApplicationsBranchReadWithBunForShiIsAShiten) {
  // No branch is named 文店: it is a 支店, which the passbook's branch then bears out.
  EXPECT_EQ(branch_after("南浦和文店", "南浦和").value, "南浦和支店");
  EXPECT_GE(branch_after("南浦和文店", "南浦和").confidence, d::kAgreesWithApplication);
  // Where the passbook says otherwise, the 支店 is for the clerk to confirm.
  EXPECT_EQ(branch_after("南浦和文店", "北浦和").value, "南浦和支店");
  EXPECT_LE(branch_after("南浦和文店", "北浦和").confidence, d::kUnsureFreeText);
  // 文店 alone names no branch: it stays as read.
  EXPECT_EQ(branch_after("文店", "南浦和").value, "文店");
}

TEST(PassbookReconcile, ABankNameALittleApartIsTheApplicationsUnlessSaidTwice) {
  auto vs = envelope();
  for (auto& v : vs)
    if (v.key == "passbook.bank_name_full") v = value(v.key, v.type, "三菱UFJ銀杏", 0.85);
  d::reconcile_passbook(vs);
  EXPECT_EQ(get(vs, "passbook.bank_name_full").value, "三菱UFJ銀行");
  EXPECT_DOUBLE_EQ(get(vs, "passbook.bank_name_full").confidence, d::kUnsureFreeText);
  vs = envelope();
  for (auto& v : vs)
    if (v.key == "passbook.bank_name_full") v = value(v.key, v.type, "三菱UFG銀行", 0.85, {"三菱UFG銀行"});
  d::reconcile_passbook(vs);
  EXPECT_EQ(get(vs, "passbook.bank_name_full").value, "三菱UFG銀行");
  EXPECT_LE(get(vs, "passbook.bank_name_full").confidence, d::kDisagrees);
  EXPECT_LE(get(vs, "bank.name").confidence, d::kUnsureFreeText);
}

TEST(PassbookReconcile, AHolderPrintedWithItsLegalFormInFullIsAsRead) {
  auto vs = envelope();
  for (auto& v : vs) {
    if (v.key == "bank.holder_kana") v.value = "イリョウホウジンギョクジュカイ";
    if (v.key == "passbook.holder_kana_passbook") v.value = "イリョウホウジンギョクジュカイ";
  }
  d::reconcile_passbook(vs);
  EXPECT_EQ(get(vs, "passbook.holder_kana_passbook").value, "イリョウホウジンギョクジュカイ");
  EXPECT_GE(get(vs, "passbook.holder_kana_passbook").confidence, d::kAgreesWithApplication);
  // Only the size of a kana differs: as read, not sure.
  vs = envelope();
  for (auto& v : vs) {
    if (v.key == "bank.holder_kana") v.value = "イリョウホウジンギョクジュカイ";
    if (v.key == "passbook.holder_kana_passbook") v.value = "イリョウホウジンギョクジユカイ";
  }
  d::reconcile_passbook(vs);
  EXPECT_EQ(get(vs, "passbook.holder_kana_passbook").value, "イリョウホウジンギョクジユカイ");
  // Below what calibration raises: no agreement tells which size the bank printed.
  EXPECT_LT(get(vs, "passbook.holder_kana_passbook").confidence, 0.5);
}

TEST(PassbookReconcile, ABankNameRunOnIsCutToTheApplications) {
  auto vs = envelope();
  for (auto& v : vs)
    if (v.key == "passbook.bank_name_full") v.value = "普通預金通由三菱UFJ銀行";
  d::reconcile_passbook(vs);
  EXPECT_EQ(get(vs, "passbook.bank_name_full").value, "三菱UFJ銀行");
  EXPECT_LT(get(vs, "passbook.bank_name_full").confidence, 0.9);
}

TEST(PassbookReconcile, AHolderWithItsBracketLostIsPrintedAgainNotQuiteSure) {
  auto vs = envelope();
  for (auto& v : vs)
    if (v.key == "passbook.holder_kana_passbook") v.value = "シャ リョクジュカイ リジチョウサカモト ダイスケ";
  d::reconcile_passbook(vs);
  const auto& h = get(vs, "passbook.holder_kana_passbook");
  EXPECT_EQ(h.value, "シャ)リョクジュカイ リジチョウ サカモト ダイスケ");
  EXPECT_DOUBLE_EQ(h.confidence, d::kMendedByApplication);
}

TEST(PassbookReconcile, AHolderTwoKanaApartIsTheApplicationsInThePassbooksForm) {
  auto vs = envelope();
  for (auto& v : vs)
    if (v.key == "passbook.holder_kana_passbook") v.value = "シジシャ) リョクジュカイ リジチョウ サカモト ダイスケ";
  d::reconcile_passbook(vs);
  const auto& h = get(vs, "passbook.holder_kana_passbook");
  EXPECT_EQ(d::holder_kana_key(h.value), d::holder_kana_key(get(vs, "bank.holder_kana").value));
  EXPECT_LT(h.confidence, 0.9);
  EXPECT_GT(h.confidence, d::kDisagrees);
  EXPECT_LE(get(vs, "bank.holder_kana").confidence, d::kUnsureFreeText);
  // Further apart: left as read, doubted.
  vs = envelope();
  for (auto& v : vs)
    if (v.key == "passbook.holder_kana_passbook") v.value = "シャ) オウカカイ リジチョウ ワタナベ ショウタ";
  d::reconcile_passbook(vs);
  EXPECT_EQ(get(vs, "passbook.holder_kana_passbook").value, "シャ) オウカカイ リジチョウ ワタナベ ショウタ");
  EXPECT_LE(get(vs, "passbook.holder_kana_passbook").confidence, d::kDisagrees);
}

// A half-width holder line whose voicing marks the reader gained and lost (ﾀﾞ read ダ゙, a ﾞ read as
// デ of its own, ﾊﾞ read パ): five kana apart from the furigana, but within a fifth of its kana
// with voicing set aside, it is the application's furigana in the passbook's form, for the clerk to
// confirm — where the furigana is surely read, or the line as read breaks the passbook's grammar
// (a voicing mark alone): a furigana misread as far (a hand) would take the passbook's right
// reading away, so an unsure one leaves a well-formed line as read. Another name as far apart,
// voicing aside, stays as read.
TEST(PassbookReconcile, AHolderApartByItsVoicingMarksIsTheApplicationsInThePassbooksForm) {
  struct Case {
    std::string read;
    double furigana;
    bool mended;
  };
  for (const Case& k : {Case{"シャ)リョクジュカイデ リジチョウ サカモト ダ゙イスケ゚", 0.95, true},
                        Case{"シャ)リョクジュカイデ リジチョウ サカモト ダ゙イスケ゚", 0.8, true},
                        Case{"シャ)リョクジュカイデ リジチョウデ サカモト ダイスケデ", 0.95, true},
                        Case{"シャ)リョクジュカイデ リジチョウデ サカモト ダイスケデ", 0.8, false}}) {
    const std::string& misread = k.read;
    auto vs = envelope();
    for (auto& v : vs) {
      if (v.key == "passbook.holder_kana_passbook") v.value = misread;
      if (v.key == "bank.holder_kana") v.confidence = k.furigana;
    }
    d::reconcile_passbook(vs);
    const auto& h = get(vs, "passbook.holder_kana_passbook");
    if (k.mended) {
      EXPECT_EQ(d::holder_kana_key(h.value), d::holder_kana_key(get(vs, "bank.holder_kana").value));
      EXPECT_LE(h.confidence, d::kUnsureFreeText);
      EXPECT_LE(get(vs, "bank.holder_kana").confidence, d::kUnsureFreeText);
    } else {
      EXPECT_EQ(h.value, misread);
      EXPECT_LE(h.confidence, d::kDisagrees);
    }
  }
  auto vs = envelope();
  for (auto& v : vs) {
    if (v.key == "passbook.holder_kana_passbook") v.value = "シャ)リョクジュカイ リジチョウ ノグチ ユウタ";
    if (v.key == "bank.holder_kana") v.confidence = 0.95;
  }
  d::reconcile_passbook(vs);
  EXPECT_EQ(get(vs, "passbook.holder_kana_passbook").value, "シャ)リョクジュカイ リジチョウ ノグチ ユウタ");
  EXPECT_LE(get(vs, "passbook.holder_kana_passbook").confidence, d::kDisagrees);
}

TEST(PassbookReconcile, WithoutTheApplicationNothingChanges) {
  auto vs = envelope();
  vs.erase(vs.begin(), vs.begin() + 5);
  const auto before = vs;
  d::reconcile_passbook(vs);
  for (std::size_t i = 0; i < vs.size(); ++i) {
    EXPECT_EQ(vs[i].value, before[i].value);
    EXPECT_DOUBLE_EQ(vs[i].confidence, before[i].confidence);
  }
}

// A blank 200 dpi passbook page, and a passbook template of one field (`key`, `type`).
ocr::Image blank_passbook_page() {
  auto blank = ocr::Image::from_pixels(1654, 2339, 1, std::vector<std::uint8_t>(1654u * 2339u, 255), 200);
  EXPECT_TRUE(blank.has_value());
  return blank ? *blank : ocr::Image();
}
station::recognition::FormTemplate passbook_of(const std::string& key, const std::string& type) {
  station::recognition::FormTemplate t;
  t.kind = "passbook";
  station::recognition::FieldTemplate f;
  f.key = key;
  f.type = type;
  t.fields.push_back(f);
  return t;
}

// The value `key` that read_passbook gives for `page` (the page-level reading) on `blank` with
// `engine` for every zone read again.
RecognizedValue passbook_value(const ocr::Image& blank, const station::recognition::FormTemplate& t,
                               const ocr::Reading& page, ocr::FakeEngine& engine, const std::string& key) {
  const station::FixedClock clock(std::chrono::sys_days{std::chrono::year{2025} / 6 / 1});
  const d::PageContext c{blank, 0, nullptr, engine, clock, &blank};
  std::vector<RecognizedValue> out;
  d::read_passbook(t, c, page, out);
  return get(out, key);
}

// A passbook whose whole-page reading at 200 dpi lacks its account kind (a small face, a heavy scan)
// is read again: its print at 300 dpi, then the line under the bank's name alone. Whichever names
// the kind gives it; the page's first reading is kept where neither does.
TEST(PassbookRead, TheAccountKindIsReadAgainWhereTheFirstReadingLacksIt) {
  const ocr::Image blank = blank_passbook_page();
  ASSERT_FALSE(blank.empty());
  const station::recognition::FormTemplate t = passbook_of("passbook.account_type", "account_type");
  ocr::Reading page;
  page.confidence = 0.9;
  page.lines = {{"千葉銀行", 0.9, ocr::Box{300, 400, 480, 60}}, {"お名前", 0.9, ocr::Box{300, 600, 150, 30}}};
  struct Case {
    const char* whole;  // what the print read again says
    const char* under;  // what the band under the bank's name says
    const char* want;
  };
  for (const Case& k : {Case{"千葉銀行\n普通預金通帳\nお名前", "", "普通"}, Case{"千葉銀行\nお名前", "当座預金", "当座"},
                        Case{"千葉銀行\nお名前", "お名前", ""}}) {
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      if (spec.layout == ocr::ZoneLayout::kAuto) {
        ocr::Reading r;
        int y = 50;
        std::string text = k.whole;
        for (std::size_t at = 0; at != std::string::npos;) {
          const std::size_t nl = text.find('\n', at);
          r.lines.push_back({text.substr(at, nl == std::string::npos ? nl : nl - at), 0.9, ocr::Box{100, y, 600, 80}});
          y += 150;
          at = nl == std::string::npos ? nl : nl + 1;
        }
        return r;
      }
      return ocr::FakeEngine::reading(k.under, 0.9);
    });
    const station::FixedClock clock(std::chrono::sys_days{std::chrono::year{2025} / 6 / 1});
    const d::PageContext c{blank, 0, nullptr, engine, clock, &blank};
    std::vector<RecognizedValue> out;
    d::read_passbook(t, c, page, out);
    EXPECT_EQ(get(out, "passbook.account_type").value, k.want) << k.whole << " / " << k.under;
  }
}

// The passbook's branch as the page read it and the application's one character apart (茂原 on the
// passbook, 成原 on the application, and a line of the passbook read again agreeing with the
// application: the same models misread a face alike): the application's own glyph is voted
// between the two characters. Clearly the passbook's, the application takes it, for the clerk to
// confirm; else the candidate that agrees with the application is taken, not trusted.
TEST(PassbookReconcile, TheApplicationsGlyphDecidesABranchOneCharacterApart) {
  for (const double share : {6.0 / 7.0, 1.0 / 7.0}) {
    auto vs = envelope();
    for (auto& v : vs) {
      if (v.key == "bank.branch") {
        v = value(v.key, v.type, "成原支店", 0.9);
        v.chars = {{"成", 0.9, {}, ocr::Box{10, 10, 20, 20}}, {"原", 0.9, {}, ocr::Box{32, 10, 20, 20}},
                   {"支", 0.9, {}, ocr::Box{54, 10, 20, 20}}, {"店", 0.9, {}, ocr::Box{76, 10, 20, 20}}};
      }
      if (v.key == "passbook.branch_name") v = value(v.key, v.type, "茂原", 0.6, {"成原"});
    }
    std::vector<std::string> asked;
    std::size_t asked_at = 99;
    d::reconcile_passbook(vs, [&](const RecognizedValue&, std::size_t index, const std::vector<std::string>& symbols)
                                  -> std::optional<std::pair<std::string, double>> {
      asked = symbols;
      asked_at = index;
      return std::pair{std::string(share > 0.5 ? "茂" : "成"), share > 0.5 ? share : 1.0 - share};
    });
    EXPECT_EQ(asked_at, 0u);
    EXPECT_EQ(asked, (std::vector<std::string>{"成", "茂"}));
    const RecognizedValue& app = get(vs, "bank.branch");
    const RecognizedValue& book = get(vs, "passbook.branch_name");
    EXPECT_LE(app.confidence, d::kUnsureFreeText);
    EXPECT_LE(book.confidence, d::kUnsureFreeText);
    if (share > 0.5) {
      EXPECT_EQ(app.value, "茂原支店");
      EXPECT_EQ(book.value, "茂原");
    } else {
      EXPECT_EQ(app.value, "成原支店");
      EXPECT_EQ(book.value, "成原");
    }
  }
}

// A 200 dpi passbook page with dark bars where its lines of print stand (`bars`, page px).
ocr::Image passbook_page_with(const std::vector<ocr::Box>& bars) {
  std::vector<std::uint8_t> px(1654u * 2339u, 255);
  for (const ocr::Box& b : bars)
    for (int y = b.y; y < b.y + b.h; ++y)
      for (int x = b.x; x < b.x + b.w; x += 2) px[static_cast<std::size_t>(y) * 1654u + static_cast<std::size_t>(x)] = 20;
  auto page = ocr::Image::from_pixels(1654, 2339, 1, px, 200);
  EXPECT_TRUE(page.has_value());
  return page ? *page : ocr::Image();
}

// The kind's line where the block reading of the band under the title drops it (a title's large
// face above a smaller line, a line cut by the band's foot): the line under the title is read
// again on its own, as a raw line; and where the page-level reading lost the title, the band above
// the holder's label (お名前) is read.
TEST(PassbookRead, TheAccountKindIsFoundUnderTheTitleAloneOrAboveTheHoldersLabel) {
  const ocr::Box title{300, 400, 400, 60}, kind{300, 500, 300, 40}, label{300, 640, 120, 24};
  const ocr::Image page_image = passbook_page_with({title, kind, label});
  ASSERT_FALSE(page_image.empty());
  station::recognition::FormTemplate t = passbook_of("passbook.account_type", "account_type");
  station::recognition::FieldTemplate holder;
  holder.key = "passbook.holder_kana_passbook";
  holder.type = "holder_kana";
  holder.labels = {"お名前"};
  t.fields.push_back(holder);
  const station::FixedClock clock(std::chrono::sys_days{std::chrono::year{2025} / 6 / 1});
  // The block reading of any band gives the title alone; the raw line under it, the kind.
  {
    ocr::Reading page;
    page.confidence = 0.9;
    page.lines = {{"千葉銀行", 0.9, title}};
    std::vector<ocr::ZoneLayout> asked;
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      asked.push_back(spec.layout);
      if (spec.layout == ocr::ZoneLayout::kRawLine) return ocr::FakeEngine::reading("普通預金通帳", 0.9);
      return ocr::FakeEngine::reading("千葉銀行", 0.9);
    });
    const d::PageContext c{page_image, 0, nullptr, engine, clock, &page_image};
    std::vector<RecognizedValue> out;
    d::read_passbook(t, c, page, out);
    EXPECT_EQ(get(out, "passbook.account_type").value, "普通");
    EXPECT_NE(std::find(asked.begin(), asked.end(), ocr::ZoneLayout::kRawLine), asked.end());
  }
  // No title read (the page-level reading lost it): the band above お名前 names the kind.
  {
    ocr::Reading page;
    page.confidence = 0.9;
    page.lines = {{"お名前", 0.9, label}};
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image&, ocr::Box zone, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      const bool above_label = zone.y + zone.h <= label.y && zone.y + zone.h > kind.y + kind.h;
      if (spec.layout == ocr::ZoneLayout::kBlock && above_label) return ocr::FakeEngine::reading("普通預金通帳", 0.9);
      return ocr::FakeEngine::reading("", 0.0);
    });
    const d::PageContext c{page_image, 0, nullptr, engine, clock, &page_image};
    std::vector<RecognizedValue> out;
    d::read_passbook(t, c, page, out);
    EXPECT_EQ(get(out, "passbook.account_type").value, "普通");
  }
}

// The lines that name the branch are read again alone by both models: what they say are the
// branch's candidates, and the application's branch, where one agrees, is the passbook's (the
// page-level reading took 橋 for 槍), for the clerk to confirm; where none agrees, the page's
// reading stays, doubted.
TEST(PassbookRead, TheBranchsLinesReadAgainAloneGiveCandidatesTheApplicationChoosesAmong) {
  const ocr::Box line{300, 900, 240, 50};
  const ocr::Image page_image = passbook_page_with({line});
  ASSERT_FALSE(page_image.empty());
  const station::recognition::FormTemplate t = passbook_of("passbook.branch_name", "branch_name");
  const station::FixedClock clock(std::chrono::sys_days{std::chrono::year{2025} / 6 / 1});
  for (const char* second : {"船橋支店", "船栓支店"}) {
    ocr::Reading page;
    page.confidence = 0.9;
    page.lines = {{"船槍支店", 0.9, line}};
    ocr::FakeEngine engine;
    engine.set_languages({"jpn", ocr::kSecondJapaneseModel});
    engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
      return ocr::FakeEngine::reading(spec.languages == "jpn" ? "船槍支店" : second, 0.9);
    });
    const d::PageContext c{page_image, 0, nullptr, engine, clock, &page_image};
    std::vector<RecognizedValue> out;
    d::read_passbook(t, c, page, out);
    ASSERT_EQ(get(out, "passbook.branch_name").value, "船槍");
    RecognizedValue app;
    app.key = "bank.branch";
    app.value = "船橋支店";
    app.confidence = 0.9;
    out.push_back(app);
    d::reconcile_passbook(out);
    const RecognizedValue& branch = get(out, "passbook.branch_name");
    if (std::string(second) == "船橋支店") {
      // Taken, not trusted: the same models read both pages and may misread a face alike.
      EXPECT_EQ(branch.value, "船橋");
      EXPECT_LE(branch.confidence, d::kUnsureFreeText);
      EXPECT_LE(get(out, "bank.branch").confidence, d::kUnsureFreeText);
    } else {
      EXPECT_EQ(branch.value, "船槍");
      EXPECT_LE(branch.confidence, d::kDisagrees);
    }
  }
}

// A labelled number whose row, read again at the scanned resolution, gives its label misread and
// the other number in pieces ("店番 61/ 口座番号 /000/22" for 店番 817 口座番号 7000722): the pieces'
// run of three digits is no branch number; the row's other readings (817) are.
TEST(PassbookRead, ANumberReadInPiecesGivesNoRunOfAnotherLength) {
  const ocr::Image blank = blank_passbook_page();
  ASSERT_FALSE(blank.empty());
  auto full = ocr::Image::from_pixels(3308, 4678, 1, std::vector<std::uint8_t>(3308u * 4678u, 255), 400);
  ASSERT_TRUE(full.has_value());
  station::recognition::FormTemplate t = passbook_of("passbook.branch_code", "labelled_digits");
  t.fields[0].labels = {"店番"};
  t.fields[0].length = 3;
  ocr::Reading page;
  page.confidence = 0.9;
  page.lines = {{"店番 817 口座番号 7000722", 0.9, ocr::Box{300, 900, 900, 50}}};
  ocr::FakeEngine engine;
  engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec& spec) -> ocr::Result<ocr::Reading> {
    if (!spec.glyphs) return ocr::FakeEngine::reading("店番 817 口座番号 7000722", 0.9);
    ocr::Reading r = ocr::FakeEngine::reading("店番 61/ 口座番号 /000/22", 0.9);
    int x = 10;
    for (const char* g : {"店", "番", "6", "1", "/", "口", "座", "番", "号", "/", "0", "0", "0", "/", "2", "2"}) {
      r.glyphs.push_back({g, 0.9, ocr::Box{x, 10, 40, 60}, {}});
      x += 50;
    }
    return r;
  });
  const station::FixedClock clock(std::chrono::sys_days{std::chrono::year{2025} / 6 / 1});
  const d::PageContext c{blank, 0, nullptr, engine, clock, &*full};
  std::vector<RecognizedValue> out;
  d::read_passbook(t, c, page, out);
  EXPECT_EQ(get(out, "passbook.branch_code").value, "817");
}

// A branch line whose 支 the engine took for 文 (佐倉文店, no word a passbook prints) names the
// branch, not sure; a line naming no branch names none.
TEST(PassbookRead, ABranchWhoseShiWasReadAsBunIsStillTheBranch) {
  const ocr::Image blank = blank_passbook_page();
  ASSERT_FALSE(blank.empty());
  const station::recognition::FormTemplate t = passbook_of("passbook.branch_name", "branch_name");
  for (const auto& [line, want] : {std::pair{"佐倉文店", "佐倉"}, {"佐倉支店", "佐倉"}, {"文書", ""}}) {
    ocr::Reading page;
    page.confidence = 0.9;
    page.lines = {{"京葉銀行", 0.9, ocr::Box{300, 400, 480, 60}}, {line, 0.9, ocr::Box{300, 900, 300, 40}}};
    ocr::FakeEngine engine;
    const RecognizedValue v = passbook_value(blank, t, page, engine, "passbook.branch_name");
    EXPECT_EQ(v.value, want) << line;
    EXPECT_LT(v.confidence, 0.9) << line;
  }
}

// An account number whose label the row's reading misread (口座番号 read "eS") is the row's one run
// of the number's length, the page's reading (which took 1 for 7) only a candidate; the number
// then agrees with nothing the ink voted, so it is not sure. A row with two runs of that length
// gives none of them.
TEST(PassbookRead, ANumberWhoseLabelTheRowMisreadIsTheRowsOneRunOfItsLength) {
  const ocr::Image blank = blank_passbook_page();
  ASSERT_FALSE(blank.empty());
  station::recognition::FormTemplate t = passbook_of("passbook.account_no", "labelled_digits");
  t.fields[0].length = 7;
  t.fields[0].labels = {"口座番号"};
  ocr::Reading page;
  page.confidence = 0.9;
  page.lines = {{"千葉銀行", 0.9, ocr::Box{300, 400, 480, 60}}, {"店番 240 口座番号 1079648", 0.9, ocr::Box{300, 600, 900, 40}}};
  for (const auto& [row, want] : {std::pair{"店番 240 eS 1679648", "1679648"}, {"店番 240 eS 1679648 1679640", "1079648"}}) {
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      return ocr::FakeEngine::reading(row, 0.9);
    });
    const RecognizedValue v = passbook_value(blank, t, page, engine, "passbook.account_no");
    EXPECT_EQ(v.value, want) << row;
    EXPECT_LT(v.confidence, 0.9) << row;
  }
}

// A row whose every label the page's reading misread (店番 read 店策, 口座番号 read 品央号): each
// number is found where its own label, one character wrong, stands before a number of its length
// — for the clerk to confirm. A line with no such label gives nothing.
TEST(PassbookRead, ANumberWhoseEveryLabelOnTheRowWasMisreadIsFoundByItsLabelOneCharacterOff) {
  const ocr::Image blank = blank_passbook_page();
  ASSERT_FALSE(blank.empty());
  station::recognition::FormTemplate t = passbook_of("passbook.branch_code", "labelled_digits");
  t.fields[0].length = 3;
  t.fields[0].labels = {"店番", "店番号"};
  station::recognition::FieldTemplate account;
  account.key = "passbook.account_no";
  account.type = "labelled_digits";
  account.length = 7;
  account.labels = {"口座番号", "番号"};
  t.fields.push_back(account);
  for (const auto& [line, branch, number] : {std::tuple{"店策 318 品央号 5072946", "318", "5072946"},
                                             std::tuple{"取引 318 明細 5072946", "", ""}}) {
    ocr::Reading page;
    page.confidence = 0.9;
    page.lines = {{"千葉銀行", 0.9, ocr::Box{300, 400, 480, 60}}, {line, 0.9, ocr::Box{300, 600, 900, 40}}};
    ocr::FakeEngine engine;
    engine.set_callback([&](const ocr::Image&, ocr::Box, const ocr::ZoneSpec&) -> ocr::Result<ocr::Reading> {
      return ocr::FakeEngine::reading(line, 0.9);
    });
    const RecognizedValue b = passbook_value(blank, t, page, engine, "passbook.branch_code");
    const RecognizedValue a = passbook_value(blank, t, page, engine, "passbook.account_no");
    EXPECT_EQ(b.value, branch) << line;
    EXPECT_EQ(a.value, number) << line;
    if (!b.value.empty()) {
      EXPECT_LT(b.confidence, 0.9);
      EXPECT_LT(a.confidence, 0.9);
    }
  }
}

}  // namespace
