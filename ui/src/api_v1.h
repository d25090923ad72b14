#pragma once
// The JSON shapes of the versioned web API (/api/v1/..., docs/ui.md is the contract): built from
// the station's models only, no business rules. The front-end (ui/web) reads exactly these.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"
#include "station/model.h"

namespace ui::api_v1 {

// One character of a value with its doubt. `source` says where the doubt comes from: "reader"
// (per-character confidence stored by the recogniser) or "value" (the whole value's confidence,
// used for every character when the store has nothing finer).
struct CharDoubt {
  std::string c;               // one Unicode character, UTF-8
  double confidence = 0.0;     // 0..1
  std::vector<std::string> alternatives;
};

// The value's characters (UTF-8 code points) each with the value's confidence: the doubt derived
// when the store holds no per-character reading.
std::vector<CharDoubt> chars_from_value(std::string_view value, double confidence);

// The recogniser's own characters (FieldInfo::reader_chars, a JSON array), when they spell
// `value` (spaces aside); empty otherwise, and then chars_from_value is what the screen gets.
std::vector<CharDoubt> chars_from_reader(std::string_view reader_chars, std::string_view value);

// The URL of a page's image as the verification screen loads it (at most `max_width` wide).
std::string page_image_url(const station::PageInfo& p, int max_width);
// The width that URL serves: the page's own, capped by max_width.
int page_image_width(const station::PageInfo& p, int max_width);

nlohmann::json user_json(const station::User& u);
nlohmann::json envelope_json(const station::EnvelopeSummary& e);
nlohmann::json page_json(const station::PageInfo& p, int max_width);
// A field for the verification screen: value (the confirmed one once confirmed), what was read,
// confidence, whether and why it needs attention, its box on the page (page pixels), its chars.
nlohmann::json field_json(const station::FieldInfo& f, double threshold);
// Whether the screen must stop at the field (the same rule field_json's needs_attention states).
bool needs_attention(const station::FieldInfo& f, double threshold);
nlohmann::json error_json(station::ErrorCode code, std::string_view reason_ja = {});

}  // namespace ui::api_v1
