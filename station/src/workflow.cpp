// The review's workflow and correction requests: thin forwarders to station_review's Workflow
// (station/review/workflow.h) and, for the letter, station_outputs (station/outputs/letter.h).
#include <algorithm>

#include "ocr/image.h"
#include "station/access.h"
#include "station/lifecycle.h"
#include "station/recognition/ocr_error.h"
#include "station/outputs/bundle.h"
#include "station/outputs/letter.h"
#include "station/review/business_days.h"
#include "station/review/workflow.h"
#include "station/store/envelopes.h"
#include "station/store/fields.h"
#include "station/store/workflow.h"
#include "station_impl.h"

namespace station {

namespace {

// The findings a decision is taken on: the checks' (Station::check, as the deciding user), unless a
// test replaced them through Services.
review::DecisionFindings findings_of(Station& station, const Services& services, const User& actor) {
  if (services.decision_findings) return services.decision_findings;
  return [&station, actor](std::int64_t envelope_id) -> Result<std::vector<Finding>> {
    auto report = station.check(actor, envelope_id);
    if (!report) return std::unexpected(report.error());
    return std::move(report->findings);
  };
}

// The application's parts of the letter (受付番号, the corporation, the facility, the received date).
template <class StationImpl>  // Station::Impl, private to the facade
Status fill_applicant(StationImpl& impl, std::int64_t envelope_id, outputs::CorrectionLetter& letter) {
  std::lock_guard lock(impl.mu);
  auto env = store::summary(impl.db, envelope_id);
  if (!env) return std::unexpected(env.error());
  auto values = store::confirmed_values(impl.db, envelope_id);
  if (!values) return std::unexpected(values.error());
  auto value = [&](const char* key) {
    auto it = values->find(key);
    return it == values->end() ? std::string() : it->second;
  };
  letter.receipt_no = env->receipt_no;
  letter.corp_postal_code = value("corp.postal_code");
  letter.corp_address = value("corp.address");
  letter.corp_name = value("corp.name");
  letter.rep_title = value("corp.rep_title");
  letter.rep_name = value("corp.rep_name");
  letter.facility_name = value("facility.name");
  auto received = review::parse_iso_date(env->received_date);
  letter.received_on_ja = received ? review::japanese_date(*received) : env->received_date;
  return {};
}

std::string japanese_or_iso(const std::string& iso) {
  auto day = review::parse_iso_date(iso);
  return day ? review::japanese_date(*day) : iso;
}

bool blank_text(std::string_view s) { return s.find_first_not_of(" \t\r\n\u3000") == std::string_view::npos; }

}  // namespace

Result<DecisionResult> Station::decide(const User& actor, std::int64_t envelope_id, const Decision& decision) {
  // Deadlines need the holidays; other decisions do not read them.
  review::BusinessCalendar calendar;
  if (decision.kind == DecisionKind::kRequestCorrection) {
    auto loaded = review::BusinessCalendar::load(impl_->config.holidays_file);
    if (!loaded) return std::unexpected(loaded.error());
    calendar = std::move(*loaded);
  }
  return review::Workflow(impl_->store(), *impl_, calendar, findings_of(*this, impl_->services, actor),
                          {impl_->config.correction_business_days})
      .decide(actor, envelope_id, decision);
}

Result<std::vector<TransitionRecord>> Station::history(const User& actor, std::int64_t envelope_id) {
  review::BusinessCalendar calendar;
  return review::Workflow(impl_->store(), *impl_, calendar, {}).history(actor, envelope_id);
}

Result<std::vector<EnvelopeSummary>> Station::envelopes_in_state(const User& actor, EnvelopeState state) {
  (void)actor;  // like the envelope list: every role, no personal values
  std::lock_guard lock(impl_->mu);
  auto ids = store::in_state(impl_->db, state);
  if (!ids) return std::unexpected(ids.error());
  std::vector<EnvelopeSummary> out;
  for (auto id : *ids) {
    auto e = impl_->load_envelope(id);
    if (!e) return std::unexpected(e.error());
    out.push_back(std::move(*e));
  }
  return out;
}

Result<std::vector<CorrectionRound>> Station::corrections(const User& actor, bool overdue_only) {
  review::BusinessCalendar calendar;
  return review::Workflow(impl_->store(), *impl_, calendar, {}).corrections(actor, overdue_only);
}

Result<std::vector<CorrectionRound>> Station::correction_rounds(const User& actor, std::int64_t envelope_id) {
  review::BusinessCalendar calendar;
  return review::Workflow(impl_->store(), *impl_, calendar, {}).rounds(actor, envelope_id);
}

Result<CorrectionRound> Station::receive_correction(const User& actor, std::int64_t envelope_id,
                                                    std::int64_t reply_envelope_id) {
  review::BusinessCalendar calendar;
  return review::Workflow(impl_->store(), *impl_, calendar, {})
      .receive_reply(actor, envelope_id, reply_envelope_id);
}

Result<std::vector<unsigned char>> Station::correction_letter_pdf(const User& actor, std::int64_t envelope_id,
                                                                  int round) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "print correction letters"); !s)
    return std::unexpected(s.error());
  auto rounds = correction_rounds(actor, envelope_id);
  if (!rounds) return std::unexpected(rounds.error());
  const CorrectionRound* found = nullptr;
  for (const auto& r : *rounds)
    if (r.round == round) found = &r;
  if (found == nullptr)
    return fail(ErrorCode::kNotFound, "no such correction round", "その回の補正指示はありません。");
  outputs::CorrectionLetter letter;
  if (auto filled = fill_applicant(*impl_, envelope_id, letter); !filled) return std::unexpected(filled.error());
  letter.round = found->round;
  auto issued = review::parse_iso_date(found->request_date);
  letter.issued_on_ja = issued ? review::japanese_date(*issued) : found->request_date;
  auto deadline = review::parse_iso_date(found->deadline);
  letter.deadline_ja = deadline ? review::japanese_date(*deadline) : found->deadline;
  for (const auto& d : found->defects) letter.defects.push_back(d.text);
  letter.note = found->note;
  letter.sender = impl_->config.letter_sender;
  auto pdf = outputs::correction_letter_pdf(letter);
  if (!pdf) return std::unexpected(pdf.error());
  impl_->audit(&actor, "correction.letter",
               "envelope:" + std::to_string(envelope_id) + " round:" + std::to_string(round));
  return pdf;
}

Result<Station::LetterPreview> Station::preview_correction_letter(const User& actor, std::int64_t envelope_id,
                                                                  const std::vector<CorrectionDefect>& defects,
                                                                  const std::string& note, int max_width) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "preview correction letters"); !s)
    return std::unexpected(s.error());
  // The same refusals as the request itself (review::Workflow::decide), so what is previewed can be issued.
  bool any = false;
  for (const auto& d : defects) {
    if (blank_text(d.text))
      return fail(ErrorCode::kInvalidInput, "a defect without text", "補正が必要な事項を、空欄のないように入力してください。");
    any = true;
  }
  if (!any)
    return fail(ErrorCode::kInvalidInput, "a correction request lists no defect",
                "補正が必要な事項を1つ以上入力してください。");
  LetterPreview out;
  {
    std::lock_guard lock(impl_->mu);
    auto state = store::state_of(impl_->db, envelope_id);
    if (!state) return std::unexpected(state.error());
    auto original = store::reply_to(impl_->db, envelope_id);
    if (!original) return std::unexpected(original.error());
    if (*original)
      return fail(ErrorCode::kConflict, "the envelope is a correction reply",
                  "この封筒は補正の返送書類です。元の申請（封筒 " + std::to_string(**original) + "）で補正を依頼してください。");
    EnvelopeState from = *state;
    if (from == EnvelopeState::kReviewed && lifecycle::next(EnvelopeState::kUnderReview, lifecycle::Event::kCorrectionRequested))
      from = EnvelopeState::kUnderReview;
    if (!lifecycle::next(from, lifecycle::Event::kCorrectionRequested))
      return fail(ErrorCode::kConflict, "envelope in state " + std::string(state_name(*state)) + " cannot take a correction request",
                  "「" + std::string(state_label_ja(*state)) + "」の申請には補正を依頼できません。");
    auto rounds = store::rounds(impl_->db, envelope_id);
    if (!rounds) return std::unexpected(rounds.error());
    int last = 0;
    for (const auto& r : *rounds) last = std::max(last, r.round);
    out.round = last + 1;
  }
  // The deadline as decide() counts it: the holiday data must cover it.
  auto calendar = review::BusinessCalendar::load(impl_->config.holidays_file);
  if (!calendar) return std::unexpected(calendar.error());
  out.request_date = impl_->clock().jst_today();
  auto day = review::parse_iso_date(out.request_date);
  if (!day) return fail(ErrorCode::kInternal, "the clock's date is not ISO");
  const auto deadline = calendar->add_business_days(*day, impl_->config.correction_business_days);
  const int deadline_year = static_cast<int>(std::chrono::year_month_day{deadline}.year());
  if (!calendar->covers(deadline_year) || !calendar->covers(static_cast<int>(std::chrono::year_month_day{*day}.year())))
    return fail(ErrorCode::kConfig, "the holiday data does not cover " + std::to_string(deadline_year),
                "祝日の一覧が " + std::to_string(deadline_year) +
                    " 年を含んでいません。管理者に hardware/deploy/install-deps.sh の実行を依頼してください。");
  out.deadline = review::iso_date(deadline);

  outputs::CorrectionLetter letter;
  if (auto filled = fill_applicant(*impl_, envelope_id, letter); !filled) return std::unexpected(filled.error());
  letter.round = out.round;
  letter.issued_on_ja = japanese_or_iso(out.request_date);
  letter.deadline_ja = japanese_or_iso(out.deadline);
  for (const auto& d : defects) letter.defects.push_back(d.text);
  letter.note = note;
  letter.sender = impl_->config.letter_sender;
  auto pdf = outputs::correction_letter_pdf(letter);
  if (!pdf) return std::unexpected(pdf.error());
  // Rendered at about the screen's width (poppler through ocr): the longest side bounds the dpi.
  const int width = std::clamp(max_width, 200, 2000);
  ocr::DecodeLimits limits;
  limits.max_side = width * 3 / 2;  // an A4 page is 1.41 times as tall as it is wide
  limits.max_pages = 20;
  auto pages = ocr::decode_pages(*pdf, limits);
  if (!pages) return unexpected_ocr(pages.error());
  for (const auto& page : *pages) {
    const ocr::Image shown = page.width() > width ? page.shown_at_width(width) : page;
    auto png = shown.encode_png();
    if (!png) return unexpected_ocr(png.error());
    out.pages.push_back({std::move(*png), shown.width(), shown.height()});
  }
  impl_->record_view(actor, envelope_id, "correction_letter_preview", "round:" + std::to_string(out.round));
  return out;
}

std::string Station::today() const { return impl_->clock().jst_today(); }

Result<std::string> Station::write_correction_letter(const User& actor, std::int64_t envelope_id, int round,
                                                     const fs::path& zip_path) {
  auto pdf = correction_letter_pdf(actor, envelope_id, round);
  if (!pdf) return std::unexpected(pdf.error());
  std::string password = outputs::make_bundle_password();
  const std::string name = "hosei-" + std::to_string(envelope_id) + "-" + std::to_string(round) + ".pdf";
  if (auto w = outputs::write_encrypted_bundle(zip_path.string(), {{name, std::move(*pdf)}}, password); !w)
    return std::unexpected(w.error());
  return password;
}

Result<AgreedChange> Station::record_agreed_change(const User& actor, const AgreedChange& change) {
  review::BusinessCalendar calendar;
  return review::Workflow(impl_->store(), *impl_, calendar, {}).record_agreement(actor, change);
}

Result<std::vector<AgreedChange>> Station::agreed_changes(const User& actor, std::int64_t envelope_id) {
  review::BusinessCalendar calendar;
  auto out = review::Workflow(impl_->store(), *impl_, calendar, {}).agreed_changes(actor, envelope_id);
  if (out) impl_->record_view(actor, envelope_id, "agreed_changes");
  return out;
}

Result<std::vector<AgreedChange>> Station::agreed_changes_report(const User& actor, const std::string& from,
                                                                const std::string& to) {
  review::BusinessCalendar calendar;
  return review::Workflow(impl_->store(), *impl_, calendar, {}).agreed_changes_report(actor, from, to);
}

}  // namespace station
