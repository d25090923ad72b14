#pragma once
// Blind double entry's JSON API (/api/v1/entries...; docs/ui.md): the types under double entry,
// the fields waiting for one's blind entry or for a decision, an entry, a disputed field's two
// entries and its decision. Thin: the station (review/double_entry.h) checks roles, rounds and
// keyers and audits. Nothing answered to a keyer before the field is decided carries the value as
// read or the other person's entry.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>

#include "api_accounts.h"  // Reply
#include "station/station.h"

namespace ui::api_v1 {

// {"types": [{"type", "label_ja"}], "known": [{"type", "label_ja", "on"}]}. Any signed-in role.
Reply entry_settings(station::Station& st);
// ?queue=key (default: fields waiting for the actor's entry) or decide (disputed ones the actor
// may decide) → {"queue", "fields": [task]}, each task with its page (for the crop), no value.
Reply entry_tasks(station::Station& st, const station::User& actor, std::string_view queue, int max_width);
// {"round": 1|2, "value"} → {"field_id", "state", "state_ja", "confirmed", "value" (once decided)}.
Reply submit_entry(station::Station& st, const station::User& actor, std::int64_t field_id, std::string_view body);
// The disputed field with both entries (and its page), for a reviewer or supervisor who keyed neither.
Reply entry_dispute(station::Station& st, const station::User& actor, std::int64_t field_id, int max_width);
// {"value"}: the decision, which confirms the field.
Reply decide_entry(station::Station& st, const station::User& actor, std::int64_t field_id, std::string_view body);

}  // namespace ui::api_v1
