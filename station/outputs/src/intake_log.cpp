// The receipt log (受付簿): the envelopes received on one day, with the intake facts only
// (受付番号, dates, clerk, counts, flags) — no applicant data.
#include <mutex>
#include <string>

#include "station/access.h"
#include "station/clock.h"
#include "station/outputs/lists.h"
#include "station/outputs/outputs.h"
#include "station/store/envelopes.h"

namespace station::outputs {

Result<std::vector<IntakeLogRow>> Outputs::intake_log(const User& actor, std::string_view date) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "view the receipt log"); !s)
    return std::unexpected(s.error());
  const std::string day = date.empty() ? store_.clock.jst_today() : std::string(date);
  if (!valid_iso_date(day)) return fail(ErrorCode::kInvalidInput, "date must be YYYY-MM-DD");
  std::lock_guard lock(store_.mu);
  return store::intake_log(store_.db, day);
}

Result<std::vector<unsigned char>> Outputs::intake_log_xlsx(const User& actor, std::string_view date) {
  auto rows = intake_log(actor, date);
  if (!rows) return std::unexpected(rows.error());
  const std::string day = date.empty() ? store_.clock.jst_today() : std::string(date);
  auto bytes = build_intake_log_xlsx(*rows, day);
  if (bytes) audit_.record(&actor, "intake_log.xlsx", "date:" + day);
  return bytes;
}

}  // namespace station::outputs
