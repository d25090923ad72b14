#pragma once
// The checks' findings as JSON, the same for `station check --json` and GET
// /api/envelopes/{id}/findings: [{"code", "field", "page", "box", "message_ja", "severity",
// "list_version", "related"?}] (page and box null where the value has no place on a page).
#include <nlohmann/json.hpp>

#include "station/finding.h"

namespace ui {

inline nlohmann::json finding_json(const station::Finding& f, std::int64_t list_version) {
  nlohmann::json j;
  j["code"] = f.code;
  j["field"] = f.field.empty() ? nlohmann::json() : nlohmann::json(f.field);
  j["page"] = f.page > 0 ? nlohmann::json(f.page) : nlohmann::json();
  j["box"] = f.page > 0 ? nlohmann::json::array({f.box.x, f.box.y, f.box.w, f.box.h}) : nlohmann::json();
  j["message_ja"] = f.message_ja;
  j["severity"] = f.severity;
  j["list_version"] = list_version;
  if (!f.related.empty()) j["related"] = f.related;
  return j;
}

inline nlohmann::json findings_json(const station::CheckReport& r) {
  auto out = nlohmann::json::array();
  for (const auto& f : r.findings) out.push_back(finding_json(f, r.list_version));
  return out;
}

inline nlohmann::json candidates_json(const station::CheckReport& r) {
  auto out = nlohmann::json::array();
  for (const auto& c : r.candidates)
    out.push_back({{"facility_id", c.facility_id}, {"name", c.name}, {"address", c.address},
                   {"jigyosho_no", c.jigyosho_no}, {"reasons_ja", c.reasons_ja}});
  return out;
}

}  // namespace ui
