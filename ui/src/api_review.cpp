// JSON shapes of the review screen's API (see api_review.h and docs/ui.md).
#include "api_review.h"

#include <algorithm>
#include <string>

#include "api_v1.h"
#include "state_text.h"

namespace ui::api_v1 {

nlohmann::json review_finding_json(const station::Finding& f, const std::vector<station::PageInfo>& pages) {
  nlohmann::json page_id;  // null: the finding has no place on a page
  if (f.page > 0 && static_cast<std::size_t>(f.page) <= pages.size()) page_id = pages[static_cast<std::size_t>(f.page - 1)].id;
  nlohmann::json j{{"code", f.code},
                   {"severity", f.severity},
                   {"message_ja", f.message_ja},
                   {"field", f.field.empty() ? nlohmann::json() : nlohmann::json(f.field)},
                   {"page", f.page > 0 ? nlohmann::json(f.page) : nlohmann::json()},
                   {"page_id", page_id},
                   {"box", page_id.is_null() ? nlohmann::json()
                                             : nlohmann::json{{"x", f.box.x}, {"y", f.box.y}, {"w", f.box.w}, {"h", f.box.h}}},
                   {"related", f.related}};
  return j;
}

nlohmann::json review_json(const station::EnvelopeSummary& envelope, const station::CheckReport& report,
                           const std::vector<station::PageInfo>& pages, const std::vector<station::FieldInfo>& fields,
                           int max_width) {
  auto findings = nlohmann::json::array();
  int blocking = 0;
  for (const auto& f : report.findings) {
    findings.push_back(review_finding_json(f, pages));
    if (f.severity == "block") ++blocking;
  }
  auto candidates = nlohmann::json::array();
  for (const auto& c : report.candidates)
    candidates.push_back({{"facility_id", c.facility_id}, {"name", c.name}, {"address", c.address},
                          {"jigyosho_no", c.jigyosho_no}, {"reasons_ja", c.reasons_ja}});
  // The application's own facility values, to show beside the candidates.
  auto own = nlohmann::json::array();
  for (const auto& f : fields) {
    if (!f.key.starts_with("facility.")) continue;
    own.push_back({{"key", f.key},
                   {"label_ja", f.label_ja},
                   {"value", f.status == station::FieldStatus::kConfirmed ? f.confirmed_value : f.value}});
  }
  auto pages_out = nlohmann::json::array();
  for (const auto& p : pages) pages_out.push_back(page_json(p, max_width));
  return {{"envelope", envelope_json(envelope)},
          {"list_version", report.list_version},
          {"facility_id", report.facility_id},
          {"findings", findings},
          {"blocking", blocking},
          {"candidates", candidates},
          {"facility_values", own},
          {"pages", pages_out}};
}

nlohmann::json transition_json(const station::TransitionRecord& t) {
  return {{"from", std::string(station::state_name(t.from))},
          {"from_ja", std::string(station::state_label_ja(t.from))},
          {"to", std::string(station::state_name(t.to))},
          {"to_ja", std::string(station::state_label_ja(t.to))},
          {"event", t.event},
          {"event_ja", t.event_ja},
          {"text_ja", ui::transition_text_ja(t)},
          {"at", t.at},
          {"by", t.username},
          {"reason", t.reason},
          {"override_reason", t.override_reason}};
}

nlohmann::json round_json(const station::CorrectionRound& r) {
  auto defects = nlohmann::json::array();
  for (const auto& d : r.defects) defects.push_back({{"code", d.code}, {"field_key", d.field_key}, {"text", d.text}});
  return {{"envelope_id", r.envelope_id}, {"receipt_no", r.receipt_no},   {"round", r.round},
          {"request_date", r.request_date}, {"deadline", r.deadline},     {"requested_by", r.requested_by},
          {"note", r.note},                 {"defects", defects},         {"open", r.open()},
          {"overdue", r.overdue},           {"received_date", r.received_date},
          {"letter_url", "/api/v1/envelopes/" + std::to_string(r.envelope_id) + "/corrections/" +
                             std::to_string(r.round) + "/letter.pdf"}};
}

nlohmann::json corrections_json(std::vector<station::CorrectionRound> rounds) {
  std::stable_sort(rounds.begin(), rounds.end(), [](const auto& a, const auto& b) {
    if (a.overdue != b.overdue) return a.overdue;
    return a.deadline < b.deadline;
  });
  auto out = nlohmann::json::array();
  for (const auto& r : rounds) out.push_back(round_json(r));
  return out;
}

}  // namespace ui::api_v1
