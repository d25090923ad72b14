#pragma once
// Group verification's JSON API (/api/v1/doubtful-characters; docs/ui.md): the doubtful
// characters of one kind across the queue, and a pass's decisions. Thin: the facade
// (station/group_verification.h) checks the role, picks the fields and confirms them (audited).
#include <nlohmann/json.hpp>

#include <string_view>

#include "api_accounts.h"  // Reply
#include "station/group_verification.h"
#include "station/station.h"

namespace ui::api_v1 {

nlohmann::json doubtful_character_json(const station::DoubtfulCharacter& d, const station::PageInfo* page,
                                       int max_width);

// ?chars=0689 (the characters to gather; empty: every digit) &envelope=ID (0 or absent: the queue).
Reply list_doubtful_characters(station::Station& st, const station::User& actor, std::string_view chars,
                               std::string_view envelope, int max_width);

// {"cells": [{"field_id", "index", "read", "value"}]} → {"confirmed", "corrected", "refused": [...]}.
Reply decide_doubtful_characters(station::Station& st, const station::User& actor, std::string_view body);

}  // namespace ui::api_v1
