// The review's workflow (workflow.h).
#include "station/review/workflow.h"

#include <mutex>
#include <string>

#include "station/access.h"
#include "station/lifecycle.h"
#include "station/recognition/forms.h"
#include "station/store/envelopes.h"
#include "station/store/fields.h"
#include "station/store/workflow.h"
#include "station/text.h"

namespace station::review {

namespace {

using lifecycle::Event;

std::string subject(std::int64_t envelope_id) { return "envelope:" + std::to_string(envelope_id); }

std::string_view decision_ja(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::kAccept: return "受理";
    case DecisionKind::kRequestCorrection: return "補正指示";
    case DecisionKind::kRefer: return "県へ照会";
    case DecisionKind::kReject: return "不受理";
    case DecisionKind::kResume: return "審査再開";
  }
  return "決定";
}

Event event_of(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::kAccept: return Event::kAccepted;
    case DecisionKind::kRequestCorrection: return Event::kCorrectionRequested;
    case DecisionKind::kRefer: return Event::kReferred;
    case DecisionKind::kReject: return Event::kRejected;
    case DecisionKind::kResume: return Event::kReferralAnswered;
  }
  return Event::kAccepted;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n　") == std::string_view::npos; }

}  // namespace

DecisionFindings no_findings() {
  return [](std::int64_t) -> Result<std::vector<Finding>> { return std::vector<Finding>{}; };
}

Result<DecisionResult> Workflow::decide(const User& actor, std::int64_t envelope_id, const Decision& d) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "decide on applications"); !s)
    return std::unexpected(s.error());
  if ((d.kind == DecisionKind::kRefer || d.kind == DecisionKind::kReject || d.kind == DecisionKind::kResume) &&
      blank(d.reason))
    return fail(ErrorCode::kInvalidInput, "a reason is required", "理由（--reason）を入力してください。");
  if (d.kind == DecisionKind::kRequestCorrection) {
    bool any = false;
    for (const auto& defect : d.defects) {
      if (blank(defect.text))
        return fail(ErrorCode::kInvalidInput, "a defect without text", "補正が必要な事項を、空欄のないように入力してください。");
      any = true;
    }
    if (!any)
      return fail(ErrorCode::kInvalidInput, "a correction request lists no defect",
                  "補正が必要な事項（--defect）を1つ以上入力してください。");
  }
  DecisionResult result;
  result.envelope_id = envelope_id;
  std::string override_reason;
  // What the decision is taken on: recorded with its transition, whatever the decision.
  std::vector<store::NotedFinding> noted;
  int blocking = 0;
  if (findings_) {
    auto found = findings_(envelope_id);
    if (!found) return std::unexpected(found.error());
    for (const Finding& f : *found) {
      if (f.severity == "block") ++blocking;
      noted.push_back({f.code, f.severity, f.field, f.message_ja, f.related});
    }
  }
  if (d.kind == DecisionKind::kAccept) {
    result.blocking_findings = blocking;
    if (blocking > 0) {
      if (!d.override_findings)
        return fail(ErrorCode::kConflict, "blocking findings: " + std::to_string(blocking),
                    "対応が必要な指摘が " + std::to_string(blocking) +
                        " 件あります。補正を求めるか、責任者が理由を添えて指摘を承知のうえ受理（--override）してください。");
      if (actor.role != Role::kSupervisor)
        return fail(ErrorCode::kForbidden, "only a supervisor may override findings",
                    "指摘を承知のうえでの受理は責任者だけができます。");
      if (blank(d.reason))
        return fail(ErrorCode::kInvalidInput, "an override needs a reason", "指摘を承知のうえ受理する理由（--reason）を入力してください。");
      override_reason = d.reason;
    }
  }

  std::lock_guard lock(store_.mu);
  auto& db = store_.db;
  auto state = store::state_of(db, envelope_id);
  if (!state) return std::unexpected(state.error());
  auto original = store::reply_to(db, envelope_id);
  if (!original) return std::unexpected(original.error());
  if (*original)
    return fail(ErrorCode::kConflict, "the envelope is a correction reply",
                "この封筒は補正の返送書類です。元の申請（封筒 " + std::to_string(**original) + "）で決定してください。");
  const Event event = event_of(d.kind);
  EnvelopeState from = *state;
  // A confirmed application is taken into review first (確認済 → 審査中), so the history shows it.
  if (from == EnvelopeState::kReviewed && lifecycle::next(EnvelopeState::kUnderReview, event)) from = EnvelopeState::kUnderReview;
  if (!lifecycle::next(from, event))
    return fail(ErrorCode::kConflict,
                "envelope in state " + std::string(state_name(*state)) + " cannot take " + std::string(lifecycle::event_name(event)),
                "「" + std::string(state_label_ja(*state)) + "」の申請は" + std::string(decision_ja(d.kind)) +
                    "できません。");
  // A correction request's deadline, before anything moves (the holiday data must cover it).
  store::NewRound round{envelope_id, store_.clock.jst_today(), "", d.note, actor.id, "", d.defects};
  if (d.kind == DecisionKind::kRequestCorrection) {
    auto day = parse_iso_date(round.request_date);
    if (!day) return fail(ErrorCode::kInternal, "the clock's date is not ISO");
    const auto deadline = calendar_.add_business_days(*day, settings_.correction_business_days);
    const int deadline_year = static_cast<int>(std::chrono::year_month_day{deadline}.year());
    if (!calendar_.covers(deadline_year) || !calendar_.covers(static_cast<int>(std::chrono::year_month_day{*day}.year())))
      return fail(ErrorCode::kConfig, "the holiday data does not cover " + std::to_string(deadline_year),
                  "祝日の一覧が " + std::to_string(deadline_year) +
                      " 年を含んでいません。管理者に hardware/deploy/install-deps.sh の実行を依頼してください。");
    round.deadline = iso_date(deadline);
  }
  const std::string now = store_.clock.jst_now_iso();
  round.requested_at = now;
  if (*state == EnvelopeState::kReviewed) {
    auto started = store::transition_noted(db, envelope_id, Event::kReviewStarted, {actor.id, now, "", ""});
    if (!started) return std::unexpected(started.error());
    audit_.record(&actor, "envelope.review_start", subject(envelope_id));
  }
  if (d.kind == DecisionKind::kRequestCorrection) {
    auto number = store::request_correction(db, round, {actor.id, now, d.reason, "", std::move(noted)});
    if (!number) return std::unexpected(number.error());
    result.round = *number;
    result.deadline = round.deadline;
  } else {
    auto moved = store::transition_noted(db, envelope_id, event, {actor.id, now, d.reason, override_reason, std::move(noted)});
    if (!moved) return std::unexpected(moved.error());
    if (!*moved) return fail(ErrorCode::kConflict, "the envelope's state changed meanwhile");
  }
  std::string what = subject(envelope_id) + " decision:" + std::string(decision_name(d.kind));
  if (result.round > 0) what += " round:" + std::to_string(result.round);
  if (!override_reason.empty()) what += " override:" + std::to_string(result.blocking_findings);
  audit_.record(&actor, "envelope.decide", what);
  result.state = lifecycle::target(event);
  result.state_ja = std::string(state_label_ja(result.state));
  return result;
}

Result<std::vector<TransitionRecord>> Workflow::history(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "see an envelope's history"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(store_.mu);
  if (auto st = store::state_of(store_.db, envelope_id); !st) return std::unexpected(st.error());
  return store::history(store_.db, envelope_id);
}

Result<std::vector<CorrectionRound>> Workflow::rounds(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "see correction requests"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(store_.mu);
  if (auto st = store::state_of(store_.db, envelope_id); !st) return std::unexpected(st.error());
  auto r = store::rounds(store_.db, envelope_id);
  if (!r) return r;
  const std::string today = store_.clock.jst_today();
  for (auto& x : *r) x.overdue = x.open() && x.deadline < today;
  return r;
}

Result<std::vector<CorrectionRound>> Workflow::corrections(const User& actor, bool overdue_only) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "see correction requests"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(store_.mu);
  auto open = store::open_rounds(store_.db);
  if (!open) return open;
  const std::string today = store_.clock.jst_today();
  std::vector<CorrectionRound> out;
  for (auto& r : *open) {
    r.overdue = r.deadline < today;  // the deadline day itself still counts (必着)
    if (!overdue_only || r.overdue) out.push_back(std::move(r));
  }
  return out;
}

Result<CorrectionRound> Workflow::receive_reply(const User& actor, std::int64_t envelope_id,
                                                std::int64_t reply_envelope_id) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "receive correction papers"); !s)
    return std::unexpected(s.error());
  if (envelope_id == reply_envelope_id)
    return fail(ErrorCode::kInvalidInput, "an envelope cannot reply to itself", "返送書類として、元の申請とは別の封筒を指定してください。");
  std::lock_guard lock(store_.mu);
  auto& db = store_.db;
  auto state = store::state_of(db, envelope_id);
  if (!state) return std::unexpected(state.error());
  if (*state != EnvelopeState::kAwaitingCorrection)
    return fail(ErrorCode::kConflict, "the envelope awaits no correction",
                "この申請は「" + std::string(state_label_ja(*state)) + "」です。補正待ちの申請にだけ返送書類を結び付けられます。");
  auto reply = store::summary(db, reply_envelope_id);
  if (!reply) return std::unexpected(reply.error());
  auto already = store::reply_to(db, reply_envelope_id);
  if (!already) return std::unexpected(already.error());
  if (*already)
    return fail(ErrorCode::kConflict, "the reply is linked already", "この封筒はすでに返送書類として結び付けられています。");
  auto own = store::rounds(db, reply_envelope_id);
  if (!own) return std::unexpected(own.error());
  if (!own->empty() || lifecycle::values_frozen(reply->state) || reply->state == EnvelopeState::kUnderReview ||
      reply->state == EnvelopeState::kAwaitingCorrection || reply->state == EnvelopeState::kReferred)
    return fail(ErrorCode::kConflict, "the reply envelope is an application under review",
                "指定した封筒は審査中または決定済みの申請です。返送書類として受け付けた封筒を指定してください。");
  auto before = store::rounds(db, envelope_id);
  if (!before) return std::unexpected(before.error());
  int open_round = 0;
  for (const auto& r : *before)
    if (r.open()) open_round = r.round;
  auto linked = store::link_reply_noted(
      db, envelope_id, reply_envelope_id, reply->received_date,
      {actor.id, store_.clock.jst_now_iso(),
       "第" + std::to_string(open_round) + "回補正の返送（受付番号 " + reply->receipt_no + "）", ""});
  if (!linked) return std::unexpected(linked.error());
  if (!*linked) return fail(ErrorCode::kConflict, "no open correction round");
  auto rounds = store::rounds(db, envelope_id);
  if (!rounds) return std::unexpected(rounds.error());
  CorrectionRound round;
  for (const auto& r : *rounds)
    if (r.reply_envelope_id == reply_envelope_id) round = r;
  audit_.record(&actor, "correction.receive",
                subject(envelope_id) + " reply:" + std::to_string(reply_envelope_id) + " round:" + std::to_string(round.round));
  return round;
}

Result<AgreedChange> Workflow::record_agreement(const User& actor, const AgreedChange& change) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "record agreed changes"); !s)
    return std::unexpected(s.error());
  if (!parse_iso_date(change.agreed_on))
    return fail(ErrorCode::kInvalidInput, "agreed_on is not YYYY-MM-DD", "同意した日を YYYY-MM-DD で入力してください。");
  std::lock_guard lock(store_.mu);
  auto& db = store_.db;
  auto state = store::state_of(db, change.envelope_id);
  if (!state) return std::unexpected(state.error());
  if (*state != EnvelopeState::kUnderReview && *state != EnvelopeState::kAwaitingCorrection &&
      *state != EnvelopeState::kReferred)
    return fail(ErrorCode::kConflict, "agreed changes are recorded during the review",
                "申請者が同意した変更は、審査中・補正待ち・県へ照会中の申請にだけ記録できます（現在「" +
                    std::string(state_label_ja(*state)) + "」）。");
  auto ids = store::field_ids(db, change.envelope_id);
  if (!ids) return std::unexpected(ids.error());
  std::optional<FieldInfo> field;
  for (auto id : *ids) {
    auto f = store::field(db, id);
    if (!f) return std::unexpected(f.error());
    if (f->key == change.field_key) field = std::move(*f);
  }
  if (!field)
    return fail(ErrorCode::kNotFound, "no such field on the envelope", "この申請にその項目はありません。項目名を確認してください。");
  auto normalised = normalise_field_value(field->key, change.new_value);
  if (!normalised) return std::unexpected(normalised.error());
  AgreedChange c = change;
  c.old_value = field->status == FieldStatus::kConfirmed ? field->confirmed_value : field->value;
  c.new_value = *normalised;
  c.recorded_at = store_.clock.jst_now_iso();
  if (c.round == 0) {
    auto rounds = store::rounds(db, c.envelope_id);
    if (!rounds) return std::unexpected(rounds.error());
    if (!rounds->empty()) c.round = rounds->back().round;
  }
  if (auto s = store::confirm(db, field->id, c.envelope_id, c.new_value, actor.id, c.recorded_at); !s)
    return std::unexpected(s.error());
  auto id = store::insert_agreed_change(db, c, actor.id);
  if (!id) return std::unexpected(id.error());
  c.id = *id;
  c.recorded_by = actor.username;
  c.label_ja = std::string(recognition::label_of(c.field_key));
  audit_.record(&actor, "correction.agree", subject(c.envelope_id) + " field:" + c.field_key);
  return c;
}

Result<std::vector<AgreedChange>> Workflow::agreed_changes(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "see agreed changes"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(store_.mu);
  auto list = store::agreed_changes(store_.db, envelope_id);
  if (!list) return list;
  for (auto& c : *list) c.label_ja = std::string(recognition::label_of(c.field_key));
  return list;
}

Result<std::vector<AgreedChange>> Workflow::agreed_changes_report(const User& actor, const std::string& from,
                                                                 const std::string& to) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "see agreed changes"); !s)
    return std::unexpected(s.error());
  for (const auto* date : {&from, &to})
    if (!date->empty() && !parse_iso_date(*date))
      return fail(ErrorCode::kInvalidInput, "dates are YYYY-MM-DD", "日付は YYYY-MM-DD で入力してください。");
  std::lock_guard lock(store_.mu);
  auto list = store::agreed_changes_between(store_.db, from, to);
  if (!list) return list;
  for (auto& c : *list) c.label_ja = std::string(recognition::label_of(c.field_key));
  audit_.record(&actor, "correction.agreed_report", "rows:" + std::to_string(list->size()));
  return list;
}

}  // namespace station::review
