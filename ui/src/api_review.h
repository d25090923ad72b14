#pragma once
// The JSON shapes of the review screen's API (/api/v1/envelopes/{id}/review, /api/v1/corrections,
// docs/ui.md): built from the station's models only, no business rules.
#include <nlohmann/json.hpp>

#include <vector>

#include "station/finding.h"
#include "station/model.h"

namespace ui::api_v1 {

// One finding with the page it is on as the screen knows it (page_id, null without a page) and
// its box as {x, y, w, h} in page pixels.
nlohmann::json review_finding_json(const station::Finding& f, const std::vector<station::PageInfo>& pages);
// The review screen's data: the findings, the facility-list candidates beside the application's
// own facility values (fields keyed "facility.*"), the pages to draw the boxes on.
nlohmann::json review_json(const station::EnvelopeSummary& envelope, const station::CheckReport& report,
                           const std::vector<station::PageInfo>& pages, const std::vector<station::FieldInfo>& fields,
                           int max_width);
nlohmann::json transition_json(const station::TransitionRecord& t);
nlohmann::json round_json(const station::CorrectionRound& r);
// Open correction requests, overdue first, then by deadline (the list screen's order).
nlohmann::json corrections_json(std::vector<station::CorrectionRound> rounds);

}  // namespace ui::api_v1
