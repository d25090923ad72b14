// The review's workflow and correction requests: thin forwarders to station_review's Workflow
// (station/review/workflow.h) and, for the letter, station_outputs (station/outputs/letter.h).
#include "station/access.h"
#include "station/outputs/bundle.h"
#include "station/outputs/letter.h"
#include "station/review/business_days.h"
#include "station/review/workflow.h"
#include "station/store/envelopes.h"
#include "station/store/fields.h"
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
  {
    std::lock_guard lock(impl_->mu);
    auto env = store::summary(impl_->db, envelope_id);
    if (!env) return std::unexpected(env.error());
    auto values = store::confirmed_values(impl_->db, envelope_id);
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
  }
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
