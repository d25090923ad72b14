// The review's workflow (issue #12) through station_review's and station_outputs' public headers,
// on a store of its own: the lifecycle's table for the new states, decisions with who, when and
// why, values frozen once decided, business days, correction rounds with their deadlines and the
// overdue list (FixedClock), agreed changes, the letter PDF, and the export of accepted ones only.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "station/audit_trail.h"
#include "station/clock.h"
#include "station/lifecycle.h"
#include "station/outputs/cms.h"
#include "station/outputs/letter.h"
#include "station/outputs/outputs.h"
#include "station/review/business_days.h"
#include "station/review/review.h"
#include "station/review/workflow.h"
#include "station/store/context.h"
#include "station/store/envelopes.h"
#include "station/store/fields.h"
#include "station/store/pages.h"
#include "station/store/schema.h"
#include "station/store/users.h"
#include "storage/keys.h"
#include "test_support.h"

namespace {

using station::DecisionKind;
using station::EnvelopeState;
using station::ErrorCode;
using station::Role;
using station::User;
namespace lc = station::lifecycle;
namespace chr = std::chrono;
using station::review::BusinessCalendar;
using station::review::parse_iso_date;

struct RecordedTrail final : station::AuditTrail {
  std::vector<std::pair<std::string, std::string>> entries;
  void record(const User*, std::string_view action, const std::string& subject) override {
    entries.emplace_back(std::string(action), subject);
  }
};

chr::system_clock::time_point jst(int y, unsigned m, unsigned d, int hour = 10) {
  return chr::sys_days{chr::year{y} / m / d} + chr::hours{hour - 9};
}

chr::sys_days day(const char* iso) { return *parse_iso_date(iso); }

// A fresh migrated store with a reviewer, a supervisor and a clerk, at 2026-04-01 (Wed) 10:00 JST.
struct Store {
  testing_support::TempDir dir;
  storage::Database db;
  storage::BlobStore blobs;
  std::recursive_mutex mu;
  station::FixedClock clock{jst(2026, 4, 1)};
  RecordedTrail trail;
  User reviewer, supervisor, clerk;

  Store() : db(open_db(dir.path)), blobs(open_blobs(dir.path)) {
    EXPECT_TRUE(db.migrate(station::store::kMigrations));
    reviewer = add("reviewer", Role::kReviewer);
    supervisor = add("supervisor", Role::kSupervisor);
    clerk = add("clerk", Role::kClerk);
  }
  station::store::Context context() { return {db, blobs, mu, clock}; }

  User add(const char* name, Role role) {
    auto id = station::store::insert_user(db, name, role, "x", "2026-04-01T10:00:00+09:00");
    EXPECT_TRUE(id);
    return User{*id, name, role};
  }

  // An envelope read with the given fields, in state recognized.
  std::int64_t recognized(std::vector<std::pair<std::string, std::string>> fields,
                          const std::string& received = "2026-03-30") {
    auto reg = station::store::register_envelope(db, clerk.id, received, 4, "import", clock.jst_now_iso());
    EXPECT_TRUE(reg);
    station::store::NewPage page;
    page.envelope_id = reg->id;
    page.seq = 1;
    page.blob_id = "0000";
    page.source_name = "p1.jpg";
    page.media_type = "image/jpeg";
    page.kind = "application";
    page.width = 1654;
    page.height = 2339;
    page.dpi = 200;
    auto page_id = station::store::insert_page(db, page);
    EXPECT_TRUE(page_id) << page_id.error().detail;
    for (auto e : {lc::Event::kCaptureFinished, lc::Event::kRecognitionStarted, lc::Event::kRecognitionFinished})
      EXPECT_TRUE(station::store::transition(db, reg->id, e).value_or(false));
    for (const auto& [k, v] : fields) {
      station::store::ReadValue rv;
      rv.page_id = page_id.value_or(0);
      rv.key = k;
      rv.value = v;
      rv.confidence = 0.99;
      auto up = station::store::upsert_read(db, reg->id, rv);
      EXPECT_TRUE(up) << up.error().detail;
    }
    return reg->id;
  }
  // The same, every value confirmed by the reviewer: state reviewed (確認済).
  std::int64_t reviewed(std::vector<std::pair<std::string, std::string>> fields = {{"corp.name", "社会福祉法人テスト会"},
                                                                                   {"amount", "256000"}}) {
    const auto id = recognized(fields);
    station::review::Review review(context(), trail, 0.9);
    auto list = review.fields(reviewer, id);
    EXPECT_TRUE(list);
    for (const auto& f : *list) EXPECT_TRUE(review.confirm(reviewer, f.id, f.value));
    EXPECT_EQ(state(id), EnvelopeState::kReviewed);
    return id;
  }
  EnvelopeState state(std::int64_t id) { return station::store::state_of(db, id).value_or(EnvelopeState::kCapturing); }

  static storage::Database open_db(const std::filesystem::path& dir) {
    auto key = storage::SecretKey::random();
    return std::move(*storage::Database::open(dir / "station.db", *key));
  }
  static storage::BlobStore open_blobs(const std::filesystem::path& dir) {
    return std::move(*storage::BlobStore::open(dir / "blobs", std::move(*storage::SecretKey::random())));
  }
};

// A calendar with the 2026 holidays the tests cross (from the installed table's format).
BusinessCalendar calendar_2026() {
  auto c = BusinessCalendar::parse(
      "# test\n2026-04-29\t昭和の日\n2026-05-03\t憲法記念日\n2026-05-04\tみどりの日\n2026-05-05\tこどもの日\n"
      "2026-05-06\tこどもの日 振替休日\n2027-01-01\t元日\n2027-01-11\t成人の日\n");
  EXPECT_TRUE(c);
  return *c;
}

station::Decision decision(DecisionKind kind, std::string reason = {}) {
  station::Decision d;
  d.kind = kind;
  d.reason = std::move(reason);
  return d;
}

station::AgreedChange agreement(std::int64_t envelope_id, std::string key, std::string new_value,
                                std::string agreed_on, std::string how) {
  station::AgreedChange c;
  c.envelope_id = envelope_id;
  c.field_key = std::move(key);
  c.new_value = std::move(new_value);
  c.agreed_on = std::move(agreed_on);
  c.how = std::move(how);
  return c;
}

station::Decision correction(std::vector<std::string> defects) {
  station::Decision d;
  d.kind = DecisionKind::kRequestCorrection;
  for (auto& t : defects) d.defects.push_back({"", "", std::move(t)});
  return d;
}

// ---- the table

TEST(WorkflowLifecycle, TheReviewStatesAndEveryAllowedAndForbiddenStep) {
  using S = EnvelopeState;
  using E = lc::Event;
  const std::vector<S> all = {S::kCapturing,   S::kInterrupted,        S::kCaptured, S::kRecognizing, S::kRecognized,
                              S::kRecognitionFailed, S::kReviewed,     S::kUnderReview, S::kAwaitingCorrection,
                              S::kAccepted,    S::kRejected,           S::kReferred, S::kExported};
  const std::vector<E> review_events = {E::kReviewStarted, E::kAccepted, E::kRejected, E::kCorrectionRequested,
                                        E::kCorrectionReceived, E::kReferred, E::kReferralAnswered, E::kExported};
  // The allowed steps, exactly.
  const std::set<std::tuple<S, E, S>> allowed = {
      {S::kReviewed, E::kReviewStarted, S::kUnderReview},
      {S::kUnderReview, E::kAccepted, S::kAccepted},
      {S::kReferred, E::kAccepted, S::kAccepted},
      {S::kUnderReview, E::kRejected, S::kRejected},
      {S::kReferred, E::kRejected, S::kRejected},
      {S::kUnderReview, E::kCorrectionRequested, S::kAwaitingCorrection},
      {S::kAwaitingCorrection, E::kCorrectionReceived, S::kUnderReview},
      {S::kUnderReview, E::kReferred, S::kReferred},
      {S::kAwaitingCorrection, E::kReferred, S::kReferred},
      {S::kReferred, E::kReferralAnswered, S::kUnderReview},
      {S::kAccepted, E::kExported, S::kExported},
  };
  for (auto from : all) {
    for (auto e : review_events) {
      auto to = lc::next(from, e);
      bool expected = false;
      for (const auto& [f, ev, t] : allowed)
        if (f == from && ev == e) {
          expected = true;
          EXPECT_EQ(to, t) << station::state_name(from) << " " << lc::event_name(e);
        }
      EXPECT_EQ(to.has_value(), expected) << station::state_name(from) << " " << lc::event_name(e);
    }
  }
  // The old events do not reach the new states, and a reviewed envelope is no longer exported.
  EXPECT_FALSE(lc::next(S::kReviewed, E::kExported));
  for (auto s : {S::kUnderReview, S::kAwaitingCorrection, S::kAccepted, S::kRejected, S::kReferred}) {
    EXPECT_FALSE(lc::next(s, E::kRecognizeAgain));
    EXPECT_FALSE(lc::next(s, E::kCaptureStarted));
    EXPECT_FALSE(lc::next(s, E::kAllConfirmed));
  }
  // Names and labels.
  EXPECT_EQ(station::state_label_ja(S::kUnderReview), "審査中");
  EXPECT_EQ(station::state_label_ja(S::kAwaitingCorrection), "補正待ち");
  EXPECT_EQ(station::state_label_ja(S::kAccepted), "受理");
  EXPECT_EQ(station::state_label_ja(S::kRejected), "不受理");
  EXPECT_EQ(station::state_label_ja(S::kReferred), "県へ照会");
  for (auto s : all) EXPECT_EQ(station::parse_state(station::state_name(s)), s);
  for (const auto& t : lc::transitions()) {
    EXPECT_EQ(lc::parse_event(lc::event_name(t.event)), t.event);
    EXPECT_EQ(lc::event_between(t.from, t.to), t.event);
    EXPECT_NE(lc::event_label_ja(t.event), "不明");
  }
  // Values freeze once decided or exported.
  for (auto s : all)
    EXPECT_EQ(lc::values_frozen(s), s == S::kAccepted || s == S::kRejected || s == S::kExported);
}

// ---- business days

TEST(BusinessDays, WeekendsHolidaysAndTheYearEnd) {
  const auto cal = calendar_2026();
  EXPECT_TRUE(cal.is_business_day(day("2026-04-01")));
  EXPECT_FALSE(cal.is_business_day(day("2026-04-04")));  // Saturday
  EXPECT_FALSE(cal.is_business_day(day("2026-04-05")));  // Sunday
  EXPECT_FALSE(cal.is_business_day(day("2026-04-29")));  // 昭和の日
  EXPECT_EQ(cal.closed_because(day("2026-05-06")).value_or(""), "こどもの日 振替休日");
  EXPECT_EQ(cal.closed_because(day("2026-12-30")).value_or(""), "年末年始休業");
  // Five business days: a plain week; over a weekend; over Golden Week; over the year end.
  EXPECT_EQ(station::review::iso_date(cal.add_business_days(day("2026-04-01"), 5)), "2026-04-08");
  EXPECT_EQ(station::review::iso_date(cal.add_business_days(day("2026-04-03"), 1)), "2026-04-06");
  EXPECT_EQ(station::review::iso_date(cal.add_business_days(day("2026-04-28"), 5)), "2026-05-11");
  EXPECT_EQ(station::review::iso_date(cal.add_business_days(day("2026-12-25"), 5)), "2027-01-07");
  // From a Saturday the count starts on Monday.
  EXPECT_EQ(station::review::iso_date(cal.add_business_days(day("2026-04-04"), 5)), "2026-04-10");
  EXPECT_TRUE(cal.covers(2026));
  EXPECT_FALSE(cal.covers(2030));
  EXPECT_EQ(station::review::japanese_date(day("2026-04-08")), "令和8年4月8日（水）");
  EXPECT_FALSE(BusinessCalendar::parse("2026/04/29\t昭和の日\n"));
  EXPECT_FALSE(BusinessCalendar::load("/nonexistent/holidays.tsv"));
}

// hardware/deploy/install-deps.sh installs the table (.ci/run runs it first): its absence is a failure.
TEST(BusinessDays, TheInstalledHolidayTable) {
  auto cal = BusinessCalendar::load("/usr/local/share/station/holidays_jp.tsv");
  ASSERT_TRUE(cal) << "holiday table not installed: run hardware/deploy/install-deps.sh";
  EXPECT_EQ(cal->closed_because(day("2026-09-22")).value_or(""), "休日");  // 国民の休日
  EXPECT_FALSE(cal->is_business_day(day("2026-01-12")));                 // 成人の日
  EXPECT_TRUE(cal->covers(2050));
}

// ---- decisions

TEST(Workflow, DecisionsAreRecordedWithWhoWhenAndWhyAndValuesFreeze) {
  Store store;
  const auto cal = calendar_2026();
  station::review::Workflow wf(store.context(), store.trail, cal, station::review::no_findings());
  const auto id = store.reviewed();

  // A clerk does not decide; refer and reject need a reason; a recognised one is not ready.
  EXPECT_EQ(wf.decide(store.clerk, id, decision(DecisionKind::kAccept)).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(wf.decide(store.reviewer, id, decision(DecisionKind::kReject)).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(wf.decide(store.reviewer, id, decision(DecisionKind::kResume, "x")).error().code, ErrorCode::kConflict);
  const auto unread = store.recognized({{"amount", "1"}});
  auto early = wf.decide(store.reviewer, unread, decision(DecisionKind::kAccept));
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::kConflict);
  EXPECT_NE(early.error().reason_ja.find("読取済"), std::string::npos);

  store.clock.set(jst(2026, 4, 2, 11));
  auto accepted = wf.decide(store.reviewer, id, decision(DecisionKind::kAccept, "問題なし"));
  ASSERT_TRUE(accepted) << accepted.error().detail;
  EXPECT_EQ(accepted->state, EnvelopeState::kAccepted);
  EXPECT_EQ(accepted->state_ja, "受理");

  auto h = wf.history(store.clerk, id);
  ASSERT_TRUE(h) << h.error().detail;
  ASSERT_GE(h->size(), 6u);  // captured, recognizing, recognized, reviewed, under_review, accepted
  const auto& last = h->back();
  EXPECT_EQ(last.from, EnvelopeState::kUnderReview);
  EXPECT_EQ(last.to, EnvelopeState::kAccepted);
  EXPECT_EQ(last.event, "accepted");
  EXPECT_EQ(last.event_ja, "受理");
  EXPECT_EQ(last.username, "reviewer");
  EXPECT_EQ(last.reason, "問題なし");
  EXPECT_EQ(last.at, "2026-04-02T11:00:00+09:00");
  const auto& started = (*h)[h->size() - 2];
  EXPECT_EQ(started.to, EnvelopeState::kUnderReview);
  EXPECT_EQ(started.event_ja, "審査開始");
  const auto& confirmed = (*h)[h->size() - 3];
  EXPECT_EQ(confirmed.to, EnvelopeState::kReviewed);
  EXPECT_EQ(confirmed.username, "reviewer");  // who confirmed the last value
  EXPECT_EQ((*h)[0].username, "");            // the station itself

  // The audit log has ids only.
  bool decided = false;
  for (const auto& [action, subject] : store.trail.entries) {
    if (action == "envelope.decide") {
      decided = true;
      EXPECT_EQ(subject, "envelope:" + std::to_string(id) + " decision:accept");
    }
    EXPECT_EQ(subject.find("問題なし"), std::string::npos);
  }
  EXPECT_TRUE(decided);

  // Frozen: confirming or correcting a value fails with kConflict and a Japanese reason.
  station::review::Review review(store.context(), store.trail, 0.9);
  auto fields = review.fields(store.reviewer, id);
  ASSERT_TRUE(fields);
  auto frozen = review.confirm(store.reviewer, fields->front().id, "別の値");
  ASSERT_FALSE(frozen);
  EXPECT_EQ(frozen.error().code, ErrorCode::kConflict);
  EXPECT_NE(frozen.error().reason_ja.find("受理"), std::string::npos);
  // No decision after acceptance.
  EXPECT_EQ(wf.decide(store.reviewer, id, decision(DecisionKind::kReject, "x")).error().code, ErrorCode::kConflict);

  // Rejected is frozen too; referral and the prefecture's answer.
  const auto other = store.reviewed();
  ASSERT_TRUE(wf.decide(store.reviewer, other, decision(DecisionKind::kRefer, "申請者が金額の誤りを認めない")));
  EXPECT_EQ(store.state(other), EnvelopeState::kReferred);
  ASSERT_TRUE(wf.decide(store.supervisor, other, decision(DecisionKind::kResume, "県の回答: 補正を求める")));
  EXPECT_EQ(store.state(other), EnvelopeState::kUnderReview);
  ASSERT_TRUE(wf.decide(store.supervisor, other, decision(DecisionKind::kReject, "対象外")));
  EXPECT_EQ(store.state(other), EnvelopeState::kRejected);
  auto f2 = review.fields(store.reviewer, other);
  ASSERT_TRUE(f2);
  EXPECT_EQ(review.confirm(store.reviewer, f2->front().id, "x").error().code, ErrorCode::kConflict);
}

TEST(Workflow, BlockingFindingsNeedTheSupervisorsOverrideWithAReason) {
  Store store;
  const auto cal = calendar_2026();
  int asked = 0;
  // Two blocking findings and a warning.
  station::review::DecisionFindings two = [&](std::int64_t) -> station::Result<std::vector<station::Finding>> {
    ++asked;
    return std::vector<station::Finding>{{.code = "AMOUNT_MISMATCH", .field = "amount.total", .severity = "block"},
                                         {.code = "MISSING_SEAL", .severity = "block"},
                                         {.code = "LATE_POSTMARK", .severity = "warn"}};
  };
  station::review::Workflow wf(store.context(), store.trail, cal, two);
  const auto id = store.reviewed();
  auto plain = wf.decide(store.reviewer, id, decision(DecisionKind::kAccept));
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code, ErrorCode::kConflict);
  EXPECT_NE(plain.error().reason_ja.find("2 件"), std::string::npos);
  auto by_reviewer = decision(DecisionKind::kAccept, "県の了解済み");
  by_reviewer.override_findings = true;
  EXPECT_EQ(wf.decide(store.reviewer, id, by_reviewer).error().code, ErrorCode::kForbidden);
  auto no_reason = decision(DecisionKind::kAccept);
  no_reason.override_findings = true;
  EXPECT_EQ(wf.decide(store.supervisor, id, no_reason).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(store.state(id), EnvelopeState::kReviewed);  // nothing moved
  auto ok = wf.decide(store.supervisor, id, by_reviewer);
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_EQ(ok->blocking_findings, 2);
  auto h = wf.history(store.reviewer, id);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->back().override_reason, "県の了解済み");
  EXPECT_EQ(h->back().username, "supervisor");
  // The decision's transition records what it was taken on; the refused attempts recorded nothing.
  EXPECT_EQ(h->back().findings, 3);
  EXPECT_EQ(h->back().blocking_findings, 2);
  for (std::size_t i = 0; i + 1 < h->size(); ++i) EXPECT_EQ((*h)[i].findings, 0);
  // Every decision records them, a correction request too.
  const int before = asked;
  const auto other = store.reviewed();
  ASSERT_TRUE(wf.decide(store.reviewer, other, correction({"誓約書に押印がありません。"})));
  EXPECT_EQ(asked, before + 1);
  auto h2 = wf.history(store.reviewer, other);
  ASSERT_TRUE(h2);
  EXPECT_EQ(h2->back().to, EnvelopeState::kAwaitingCorrection);
  EXPECT_EQ(h2->back().findings, 3);
}

// ---- correction rounds

TEST(Corrections, RoundsDeadlinesOverdueRepliesAndAgreedChanges) {
  Store store;
  const auto cal = calendar_2026();
  station::review::Workflow wf(store.context(), store.trail, cal, station::review::no_findings());
  const auto id = store.reviewed();

  EXPECT_EQ(wf.decide(store.reviewer, id, correction({})).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(wf.decide(store.reviewer, id, correction({"  "})).error().code, ErrorCode::kInvalidInput);
  auto d = correction({"誓約書に法人の印が押されていません。", "申請額が対象施設リストの給付金額と一致しません。"});
  d.defects[1].code = "AMOUNT_MISMATCH";
  d.defects[1].field_key = "amount";
  auto r1 = wf.decide(store.reviewer, id, d);
  ASSERT_TRUE(r1) << r1.error().detail;
  EXPECT_EQ(r1->state, EnvelopeState::kAwaitingCorrection);
  EXPECT_EQ(r1->round, 1);
  EXPECT_EQ(r1->deadline, "2026-04-08");  // Wed 4/1 + 5 business days

  // Overdue only after the deadline day.
  store.clock.set(jst(2026, 4, 8, 17));
  auto open = wf.corrections(store.clerk, false);
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_FALSE((*open)[0].overdue);
  EXPECT_TRUE(wf.corrections(store.clerk, true)->empty());
  store.clock.set(jst(2026, 4, 9, 9));
  auto overdue = wf.corrections(store.clerk, true);
  ASSERT_TRUE(overdue);
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].envelope_id, id);
  EXPECT_EQ((*overdue)[0].round, 1);
  ASSERT_EQ((*overdue)[0].defects.size(), 2u);
  EXPECT_EQ((*overdue)[0].defects[1].code, "AMOUNT_MISMATCH");
  EXPECT_EQ((*overdue)[0].defects[1].field_key, "amount");

  // Values may change while awaiting the correction; agreed changes are recorded and applied.
  auto bad_date = wf.record_agreement(store.reviewer, agreement(id, "amount", "240000", "4/9", "電話"));
  EXPECT_EQ(bad_date.error().code, ErrorCode::kInvalidInput);
  auto unknown = wf.record_agreement(store.reviewer, agreement(id, "no.such", "1", "2026-04-09", ""));
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto agreed = wf.record_agreement(store.reviewer, agreement(id, "amount", "240000", "2026-04-09", "電話"));
  ASSERT_TRUE(agreed) << agreed.error().detail;
  EXPECT_EQ(agreed->old_value, "256000");
  EXPECT_EQ(agreed->new_value, "240000");
  EXPECT_EQ(agreed->round, 1);
  EXPECT_EQ(agreed->recorded_by, "reviewer");
  auto values = station::store::confirmed_values(store.db, id);
  ASSERT_TRUE(values);
  EXPECT_EQ(values->at("amount"), "240000");
  auto changes = wf.agreed_changes(store.supervisor, id);
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(changes->front().agreed_on, "2026-04-09");
  EXPECT_EQ(changes->front().how, "電話");
  EXPECT_EQ(wf.agreed_changes(store.clerk, id).error().code, ErrorCode::kForbidden);
  // The report across applications, by agreement date.
  auto report = wf.agreed_changes_report(store.supervisor, "2026-04-01", "2026-04-30");
  ASSERT_TRUE(report) << report.error().detail;
  ASSERT_EQ(report->size(), 1u);
  EXPECT_FALSE(report->front().receipt_no.empty());
  EXPECT_EQ(report->front().new_value, "240000");
  EXPECT_TRUE(wf.agreed_changes_report(store.supervisor, "2026-04-10", "")->empty());
  EXPECT_EQ(wf.agreed_changes_report(store.supervisor, "4/1", "").error().code, ErrorCode::kInvalidInput);

  // The reply comes as an envelope of its own and is linked to the round.
  const auto reply = store.recognized({{"amount", "240000"}}, "2026-04-09");
  EXPECT_EQ(wf.receive_reply(store.clerk, id, id).error().code, ErrorCode::kInvalidInput);
  auto got = wf.receive_reply(store.clerk, id, reply);
  ASSERT_TRUE(got) << got.error().detail;
  EXPECT_EQ(got->round, 1);
  EXPECT_EQ(got->reply_envelope_id, reply);
  EXPECT_EQ(got->received_date, "2026-04-09");
  EXPECT_EQ(store.state(id), EnvelopeState::kUnderReview);
  EXPECT_TRUE(wf.corrections(store.clerk, false)->empty());
  // Linked once; the reply is not decided on its own; the original awaits nothing now.
  EXPECT_EQ(wf.receive_reply(store.clerk, id, reply).error().code, ErrorCode::kConflict);
  EXPECT_EQ(wf.decide(store.reviewer, reply, decision(DecisionKind::kAccept)).error().code, ErrorCode::kConflict);

  // A second round; no reply; referred to the prefecture.
  auto r2 = wf.decide(store.reviewer, id, correction({"口座名義が通帳の写しと一致しません。"}));
  ASSERT_TRUE(r2) << r2.error().detail;
  EXPECT_EQ(r2->round, 2);
  EXPECT_EQ(r2->deadline, "2026-04-16");  // Thu 4/9 + 5
  auto rounds = wf.rounds(store.reviewer, id);
  ASSERT_TRUE(rounds);
  ASSERT_EQ(rounds->size(), 2u);
  EXPECT_FALSE((*rounds)[0].open());
  EXPECT_EQ((*rounds)[0].reply_envelope_id, reply);
  EXPECT_TRUE((*rounds)[1].open());
  store.clock.set(jst(2026, 4, 20));
  EXPECT_TRUE(wf.rounds(store.reviewer, id)->at(1).overdue);
  ASSERT_TRUE(wf.decide(store.supervisor, id, decision(DecisionKind::kRefer, "2回の補正指示に返送なし")));
  EXPECT_EQ(store.state(id), EnvelopeState::kReferred);
  EXPECT_TRUE(wf.corrections(store.clerk, true)->empty());  // referred: no longer awaited

  // Each step in the history, the reply's receipt among the reasons.
  auto h = wf.history(store.reviewer, id);
  ASSERT_TRUE(h);
  std::vector<std::string> events;
  for (const auto& t : *h) events.push_back(t.event);
  const std::vector<std::string> tail = {"review_started", "correction_requested", "correction_received",
                                         "correction_requested", "referred"};
  ASSERT_GE(events.size(), tail.size());
  EXPECT_EQ(std::vector<std::string>(events.end() - static_cast<long>(tail.size()), events.end()), tail);
  EXPECT_NE((*h)[h->size() - 3].reason.find("第1回補正の返送"), std::string::npos);
}

TEST(Corrections, ADeadlineBeyondTheHolidayDataIsRefused) {
  Store store;
  const auto cal = calendar_2026();
  station::review::Workflow wf(store.context(), store.trail, cal, station::review::no_findings());
  const auto id = store.reviewed();
  store.clock.set(jst(2030, 4, 1));
  auto r = wf.decide(store.reviewer, id, correction({"誓約書に押印がありません。"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_EQ(store.state(id), EnvelopeState::kReviewed);  // nothing moved, no round opened
  EXPECT_TRUE(wf.rounds(store.reviewer, id)->empty());
}

// ---- the letter

TEST(CorrectionLetter, IsAPdfWithAPageThatSaysTheDefects) {
  station::outputs::CorrectionLetter l;
  l.receipt_no = "M20260401-0001";
  l.round = 2;
  l.issued_on_ja = "令和8年4月1日（水）";
  l.received_on_ja = "令和8年3月30日（月）";
  l.deadline_ja = "令和8年4月8日（水）";
  l.corp_name = "社会福祉法人テスト会";
  l.rep_title = "理事長";
  l.rep_name = "山田　太郎";
  l.facility_name = "特別養護老人ホームテスト";
  l.defects = {"誓約書に法人の印が押されていません。", "申請額が対象施設リストの給付金額と一致しません。"};
  l.sender = "事務局";
  auto pdf = station::outputs::correction_letter_pdf(l);
  // fonts-ipafont-mincho is installed by hardware/deploy/install-deps.sh.
  ASSERT_TRUE(pdf) << pdf.error().detail;
  const std::string bytes(pdf->begin(), pdf->end());
  ASSERT_EQ(bytes.rfind("%PDF-", 0), 0u);
  EXPECT_NE(bytes.find("/Type /Page"), std::string::npos);
  EXPECT_NE(bytes.find("%%EOF"), std::string::npos);
  // The text, as a reader extracts it (poppler-utils' pdftotext, installed by install-deps.sh).
  testing_support::TempDir dir;
  testing_support::write_file(dir.path / "l.pdf", bytes);
  const std::string cmd = "pdftotext -enc UTF-8 '" + (dir.path / "l.pdf").string() + "' '" +
                          (dir.path / "l.txt").string() + "' 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "pdftotext (poppler-utils) failed or is not installed";
  const std::string text = testing_support::read_file(dir.path / "l.txt");
  EXPECT_NE(text.find("誓約書に法人の印が押されていません。"), std::string::npos) << text;
  EXPECT_NE(text.find("給付金額と一致しません"), std::string::npos);
  EXPECT_NE(text.find("第2回"), std::string::npos);
  EXPECT_NE(text.find("令和8年4月8日（水）"), std::string::npos);
  EXPECT_NE(text.find("社会福祉法人テスト会"), std::string::npos);
}

// ---- the export takes accepted applications only

TEST(Workflow, OnlyAcceptedApplicationsAreExported) {
  Store store;
  const auto cal = calendar_2026();
  station::review::Workflow wf(store.context(), store.trail, cal, station::review::no_findings());
  station::outputs::Outputs out(store.context(), store.trail);
  // Every page is the same sample scan (the export looks at no pixels of its own).
  const std::string jpeg = testing_support::read_file(std::filesystem::path(STATION_SHARED_DIR) / "samples/app-001/page-03.jpg");
  auto page = [&](std::int64_t) -> station::Result<station::outputs::PdfPage> {
    station::outputs::PdfPage p;
    p.bytes.assign(jpeg.begin(), jpeg.end());
    p.is_jpeg = true;
    p.width = 1654;
    p.height = 2339;
    return p;
  };
  const auto reviewed = store.reviewed();
  const auto waiting = store.reviewed();
  ASSERT_TRUE(wf.decide(store.reviewer, waiting, correction({"押印がありません。"})));
  EXPECT_EQ(out.export_batch(store.supervisor, store.dir.path / "out", page).error().code, ErrorCode::kNothingToExport);
  // List B needs the payee's bank and branch from the Zengin table (installed by install-deps.sh).
  const auto accepted = store.reviewed({{"corp.name", "社会福祉法人テスト会"},
                                        {"amount", "256000"},
                                        {"bank.name", "千葉興業銀行"},
                                        {"bank.branch", "千葉駅前支店"}});
  ASSERT_TRUE(wf.decide(store.reviewer, accepted, decision(DecisionKind::kAccept)));
  // The set is encrypted to the prefecture's certificate, which the admin sets first.
  auto pref = station::outputs::make_recipient_identity("pref");
  ASSERT_TRUE(pref);
  ASSERT_TRUE(out.set_recipient(store.add("admin", Role::kAdmin), pref->cert_pem));
  auto report = out.export_batch(store.supervisor, store.dir.path / "out", page);
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_EQ(report->applications, 1);
  EXPECT_EQ(store.state(accepted), EnvelopeState::kExported);
  EXPECT_EQ(store.state(reviewed), EnvelopeState::kReviewed);
  EXPECT_EQ(store.state(waiting), EnvelopeState::kAwaitingCorrection);
  auto h = wf.history(store.supervisor, accepted);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->back().event, "exported");
}

}  // namespace
