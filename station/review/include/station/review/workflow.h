#pragma once
// The review's workflow (審査, issue #12): decisions on a confirmed application — accept (受理),
// request a correction (補正), refer to the prefecture (県へ照会), reject (不受理), resume after the
// prefecture's answer — each one a step of the lifecycle's one table (station/lifecycle.h) recorded
// with who, when and why; the correction rounds with their business-day deadlines, the overdue
// list, the applicant's reply linked to its round, and the changes the applicant agreed to.
// Works on the open store (store::Context); records ids only to the audit trail.
#include <cstdint>
#include <functional>
#include <vector>

#include "station/audit_trail.h"
#include "station/error.h"
#include "station/model.h"
#include "station/finding.h"
#include "station/review/business_days.h"
#include "station/store/context.h"

namespace station::review {

// The seam to the checks: the envelope's findings as the deciding user sees them now (those of
// severity "block" stop an acceptance without an override). Every decision records them with its
// transition (decision_findings, sent to the main system). no_findings(): none. Called without the
// store's lock held.
using DecisionFindings = std::function<Result<std::vector<Finding>>(std::int64_t envelope_id)>;
DecisionFindings no_findings();

struct WorkflowSettings {
  int correction_business_days = 5;  // the deadline of a correction request: about a week
};

class Workflow {
 public:
  Workflow(store::Context store, AuditTrail& audit, const BusinessCalendar& calendar, DecisionFindings findings,
           WorkflowSettings settings = {})
      : store_(store), audit_(audit), calendar_(calendar), findings_(std::move(findings)), settings_(settings) {}

  // Records a decision (reviewer, supervisor; an override only the supervisor). A confirmed
  // envelope (確認済) is first taken into review (審査中). Accepting with blocking findings needs
  // decision.override_findings and a reason (kConflict otherwise); refer, reject and resume need a
  // reason; a correction request needs at least one defect and opens the next round, its deadline
  // correction_business_days business days after today. kConflict when the state does not allow it.
  Result<DecisionResult> decide(const User& actor, std::int64_t envelope_id, const Decision& decision);

  // The envelope's state changes, oldest first (clerk, reviewer, supervisor).
  Result<std::vector<TransitionRecord>> history(const User& actor, std::int64_t envelope_id);

  // The envelope's correction rounds (reviewer, supervisor), overdue marked against today.
  Result<std::vector<CorrectionRound>> rounds(const User& actor, std::int64_t envelope_id);
  // Every open round, by deadline; only the overdue ones with overdue_only (clerk, reviewer,
  // supervisor).
  Result<std::vector<CorrectionRound>> corrections(const User& actor, bool overdue_only);

  // The applicant's returned papers, received and captured as an envelope of their own (受付 like
  // any mail, so its pages are kept and read), linked to the original's open round; the original
  // goes back into review (補正待ち → 審査中). Clerk, reviewer, supervisor.
  Result<CorrectionRound> receive_reply(const User& actor, std::int64_t envelope_id, std::int64_t reply_envelope_id);

  // Records what the applicant agreed to change (field, old and new value, the date of their
  // agreement) and sets the field's value to the new one. Reviewer, supervisor; only while the
  // application is in review, awaiting its correction or referred.
  Result<AgreedChange> record_agreement(const User& actor, const AgreedChange& change);
  Result<std::vector<AgreedChange>> agreed_changes(const User& actor, std::int64_t envelope_id);
  // Every application's agreed changes agreed between from and to (YYYY-MM-DD; "" : open), by
  // 受付番号: what is reported to the prefecture. Reviewer, supervisor.
  Result<std::vector<AgreedChange>> agreed_changes_report(const User& actor, const std::string& from,
                                                          const std::string& to);

 private:
  store::Context store_;
  AuditTrail& audit_;
  const BusinessCalendar& calendar_;
  DecisionFindings findings_;
  WorkflowSettings settings_;
};

}  // namespace station::review
