// Classification's envelope-level decisions (classify.h), on placements and values made up here:
// a one-page form claimed by two pages, two copies of one form, a form of several pages, and the
// passbook's words and spread.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "classify.h"
#include "detail.h"
#include "station/recognizer.h"

namespace {

using station::recognition::RecognizedValue;
namespace detail = station::recognition::detail;

// The forms of these tests, by index: 0 application, 1 pledge, 2 officers (several pages).
const std::vector<bool> kSeveral = {false, false, true};

// An officer list the pledge's few lines fit better than its own model (its own placement
// second): the pledge goes to the page that places it best, the officer list to its page.
TEST(AssignKinds, APageClaimedByATakenOnePageFormTakesItsNextForm) {
  const std::vector<detail::KindCandidate> c = {
      {0, 0, 0.99},                // page 0: the application
      {1, 1, 1.00},                // page 1: the pledge
      {2, 1, 0.67}, {2, 2, 0.60},  // page 2: the pledge's lines, then the officer list's
  };
  const auto k = detail::assign_kinds(4, c, kSeveral);
  ASSERT_EQ(k.size(), 4u);
  EXPECT_EQ(k[0].form, 0);
  EXPECT_EQ(k[1].form, 1);
  EXPECT_EQ(k[2].form, 2);
  EXPECT_DOUBLE_EQ(k[2].score, 0.60);
  EXPECT_FALSE(k[2].duplicate);
  EXPECT_EQ(k[3].form, -1);  // no candidate: looked at by shape and words
  // Whichever page comes first: the page order does not decide, the scores do.
  const std::vector<detail::KindCandidate> first = {{0, 1, 0.67}, {0, 2, 0.60}, {1, 1, 1.00}};
  const auto k2 = detail::assign_kinds(2, first, kSeveral);
  EXPECT_EQ(k2[0].form, 2);
  EXPECT_EQ(k2[1].form, 1);
}

// Two copies of the application and nothing else they could be: both are applications, the
// weaker one marked as the copy.
TEST(AssignKinds, TwoCopiesOfAOnePageFormKeepTheirKindAndTheWeakerIsMarked) {
  const auto k = detail::assign_kinds(2, {{0, 0, 0.91}, {1, 0, 0.97}}, kSeveral);
  EXPECT_EQ(k[0].form, 0);
  EXPECT_TRUE(k[0].duplicate);
  EXPECT_EQ(k[1].form, 0);
  EXPECT_FALSE(k[1].duplicate);
}

// A form of several pages (the officer list) is every page that places it best.
TEST(AssignKinds, AFormOfSeveralPagesIsNotADuplicate) {
  const auto k = detail::assign_kinds(3, {{0, 2, 0.95}, {1, 2, 0.93}, {2, 2, 0.70}, {2, 1, 0.58}}, kSeveral);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(k[i].form, 2) << i;
    EXPECT_FALSE(k[i].duplicate) << i;
  }
}

RecognizedValue value(const std::string& key, const std::string& v, int page, double confidence = 0.95) {
  RecognizedValue r;
  r.key = key;
  r.value = v;
  r.page = page;
  r.confidence = confidence;
  return r;
}

// Values read under one key on two pages are not mixed: the better page's value is kept, the
// other dropped; where the pages disagree the kept value is capped below any skip threshold.
TEST(RepeatedValues, TheBetterPagesValueIsKeptAndADisagreementIsNeverCertain) {
  std::vector<RecognizedValue> v = {
      value("corp.name", "社会福祉法人清和会", 1), value("amount", "740000", 1), value("corp.address", "千葉県", 1),
      value("corp.name", "社会福祉法人清和会", 3), value("amount", "140000", 3),
      value("officers.rows[0].name", "原田　健一", 2),  // on one page only: untouched
  };
  const std::vector<double> score = {0, 0.91, 0.88, 0.97};
  const auto disputed = detail::keep_one_value_per_key(v, score);
  ASSERT_EQ(v.size(), 4u);
  for (const auto& r : v) {
    if (r.key == "corp.name" || r.key == "amount") {
      EXPECT_EQ(r.page, 3) << r.key;
    }
    if (r.key == "amount") {
      EXPECT_EQ(r.value, "140000");
    }
  }
  EXPECT_EQ(disputed, (std::set<std::string>{"amount"}));
  detail::cap_disputed(v, disputed);
  for (const auto& r : v) {
    if (r.key == "amount") {
      EXPECT_LE(r.confidence, detail::kDisputedConfidence);
    } else {
      EXPECT_DOUBLE_EQ(r.confidence, 0.95) << r.key;
    }
  }
}

// On a tie (two pages of a form of several pages, or two copies no placement tells apart) the
// earlier page's value is kept.
TEST(RepeatedValues, OnATieTheEarlierPageIsKept) {
  std::vector<RecognizedValue> v = {value("officers.corp_name", "清和会", 4), value("officers.corp_name", "清和会", 3)};
  const auto disputed = detail::keep_one_value_per_key(v, {0, 0, 0, 0.9, 0.9});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].page, 3);
  EXPECT_TRUE(disputed.empty());
}

TEST(Passbook, TwoWordsOrOneWordOnASpread) {
  EXPECT_TRUE(detail::is_passbook(2, false));
  EXPECT_TRUE(detail::is_passbook(1, true));
  EXPECT_FALSE(detail::is_passbook(1, false));
  EXPECT_FALSE(detail::is_passbook(0, true));
}

}  // namespace

namespace {

std::vector<station::recognition::PageRecognition> kinds(std::initializer_list<const char*> k) {
  std::vector<station::recognition::PageRecognition> out;
  for (const char* s : k) {
    station::recognition::PageRecognition p;
    p.kind = s;
    out.push_back(p);
  }
  return out;
}

// The envelope's one passbook copy: when no page said it was, the one unknown page showing an open
// booklet is. Not when a passbook was found already, nor when two pages could be it.
TEST(Passbook, TheOneUnknownPageShowingASpreadIsTheEnvelopesPassbook) {
  EXPECT_EQ(detail::passbook_by_spread(kinds({"envelope", "application", "unknown", "pledge"}), {false, false, true, false}), 2);
  EXPECT_EQ(detail::passbook_by_spread(kinds({"envelope", "unknown", "passbook"}), {false, true, true}), -1);
  EXPECT_EQ(detail::passbook_by_spread(kinds({"unknown", "unknown"}), {true, true}), -1);
  EXPECT_EQ(detail::passbook_by_spread(kinds({"unknown", "application"}), {false, true}), -1);
}

}  // namespace

namespace {

namespace fs = std::filesystem;

// Real pages: two envelopes' applications (app-001's at 200 dpi, app-006's printed scaled to fit
// at 300 dpi) in one envelope with a pledge. Both are applications; every application value comes
// from one of the two pages, never some from each, and a value the two pages read differently (the
// 事業所番号, the corporation's name) is not certain.
TEST(RepeatedValues, TwoApplicationsInOneEnvelopeDoNotMixTheirFields) {
  const fs::path samples = fs::path(STATION_SHARED_DIR) / "samples";
  station::Config config;
  auto out = station::recognize_to_json(
      config, {samples / "app-001" / "page-02.jpg", samples / "app-006" / "page-02.jpg", samples / "app-001" / "page-03.jpg"});
  ASSERT_TRUE(out.has_value()) << out.error().detail;
  const nlohmann::json doc = nlohmann::json::parse(*out);
  ASSERT_EQ(doc["pages"].size(), 3u);
  EXPECT_EQ(doc["pages"][0]["kind"], "application");
  EXPECT_EQ(doc["pages"][1]["kind"], "application");
  EXPECT_EQ(doc["pages"][2]["kind"], "pledge");
  int page = -1, leaves = 0;
  for (const auto& [key, leaf] : doc["fields"].items()) {
    ASSERT_TRUE(leaf.contains("page")) << key;
    if (page < 0) page = leaf["page"].get<int>();
    EXPECT_EQ(leaf["page"].get<int>(), page) << key;
    ++leaves;
  }
  EXPECT_GT(leaves, 10);
  EXPECT_TRUE(page == 1 || page == 2) << page;
  for (const char* key : {"facility.jigyosho_no", "corp.name"}) {
    ASSERT_TRUE(doc["fields"].contains(key)) << key;
    EXPECT_LE(doc["fields"][key]["confidence"].get<double>(), detail::kDisputedConfidence) << key;
  }
}

}  // namespace

namespace {

// The envelope's sender block: the name is the line after the address, however many lines the
// address takes and whatever its last line ends with; an organisation's name is preferred among
// what follows; a block without an address still gives its name.
TEST(SenderBlock, TheNameIsTheLineAfterTheAddress) {
  using detail::sender_name_line;
  EXPECT_EQ(sender_name_line({"〒260-0001", "千葉県千葉市中央区都町1丁目2番3号", "社会福祉法人さくら会"}), 2u);
  // The address over two lines, its number on the second only.
  EXPECT_EQ(sender_name_line({"〒299-1234", "千葉県館山市富士見", "9丁目17番31号", "医療法人社団白樺会"}), 3u);
  // An address read with its digits lost still ends like an address.
  EXPECT_EQ(sender_name_line({"〒288-0001", "千葉県銚子市稲毛八丁目九番一号", "やすらぎ株式会社"}), 2u);
  // A stray line after the name: the organisation's name is taken.
  EXPECT_EQ(sender_name_line({"〒260-0001", "千葉県千葉市中央区1-2-3", "つばさ介護株式会社", "担当 経理"}), 2u);
  EXPECT_EQ(sender_name_line({"ハートフル株式会社"}), 0u);
  EXPECT_EQ(sender_name_line({"〒260-0001", "千葉県千葉市中央区1-2-3"}), std::string::npos);
  EXPECT_EQ(sender_name_line({}), std::string::npos);
}

// The sender's postal code: 〒 (read as itself, T or 干) and seven digits, hyphenated or not; or the
// block's first line if it is only the code. An address's digits are no postal code.
TEST(SenderBlock, ThePostalCodeIsTheMarkedLine) {
  using detail::sender_postal_code;
  EXPECT_EQ(sender_postal_code({"〒291-6255", "千葉県木更津市冨士見299番地29"}), (std::pair<std::string, std::size_t>{"291-6255", 0}));
  EXPECT_EQ(sender_postal_code({"T2946255", "千葉県"}), (std::pair<std::string, std::size_t>{"294-6255", 0}));
  EXPECT_EQ(sender_postal_code({"やすらぎ会", "干298－1604"}), (std::pair<std::string, std::size_t>{"298-1604", 1}));
  EXPECT_EQ(sender_postal_code({"298-1604", "千葉県"}), (std::pair<std::string, std::size_t>{"298-1604", 0}));
  EXPECT_FALSE(sender_postal_code({"千葉県", "298-1604"}).has_value());
  EXPECT_FALSE(sender_postal_code({"〒29-16045"}).has_value());
  EXPECT_FALSE(sender_postal_code({"千葉県千葉市中央区1234567番地"}).has_value());
}

}  // namespace
