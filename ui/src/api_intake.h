#pragma once
// The intake screen's JSON API (/api/v1/intake/..., /api/v1/pages/{id}/..., docs/ui.md): request
// bodies read, the station's capture and page calls made (they check the role and audit), the
// answers shaped. No rules of their own: who may see or change which page lives in the station.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "api_accounts.h"  // Reply
#include "station/station.h"

namespace ui::api_v1 {

// The width the intake screen's thumbnails ask for (a clerk sees pages of envelopes in the intake
// at most this wide: the station's rule).
inline constexpr int kThumbnailWidth = 240;

// Scanners attached, with a Japanese note when there are none or they cannot be listed.
Reply intake_scanners(station::Station& st, const station::User& actor);
// {"kind": "scan"|"import", "device", "source", "separate", "received_date", "enclosures",
//  "folder", "continue_envelope_id"}: starts a background capture job; 202 {"job_id"}.
Reply start_intake_job(station::Station& st, const station::User& actor, std::string_view body, std::string_view today);
// The job's progress and, while it runs, the pages of the envelopes being captured (so the screen
// shows thumbnails as they arrive); at its end the envelopes written, and how to continue a jam.
Reply intake_job(station::Station& st, const station::User& actor, std::int64_t job_id);
// One envelope as the intake screen shows it: its pages (thumbnails, flags) and whether they may
// still be changed.
Reply intake_envelope(station::Station& st, const station::User& actor, std::int64_t envelope_id);
// {"blank": bool}
Reply confirm_blank_page(station::Station& st, const station::User& actor, std::int64_t page_id, std::string_view body);
// {"degrees": 90|180|270}
Reply rotate_page(station::Station& st, const station::User& actor, std::int64_t page_id, std::string_view body);
// {"page_ids": [..]}: every page of the envelope once, in the new order.
Reply reorder_pages(station::Station& st, const station::User& actor, std::int64_t envelope_id, std::string_view body);
// {"to_receipt_no": "M..."} or {"to_envelope_id": n}
Reply move_page(station::Station& st, const station::User& actor, std::int64_t page_id, std::string_view body);
// The day's receipt log (受付簿), intake facts only; `date` empty: today.
Reply intake_log(station::Station& st, const station::User& actor, std::string_view date);

}  // namespace ui::api_v1
