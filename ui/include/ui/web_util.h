#pragma once
// Small, pure helpers of the web UI (cookies, tokens, ids; no HTML is built in C++). Public so they can be unit
// tested; they know nothing of the station.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ui::web {

// The value of cookie `name` in a Cookie request header ("a=1; b=2"), if present.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

// `bytes` random bytes from libsodium (station::random_token_hex), as lower-case hex (2 * bytes characters).
std::string random_token_hex(std::size_t bytes = 32);

// Compares two secrets without an early exit on the first differing byte.
bool constant_time_equal(std::string_view a, std::string_view b);

// A positive decimal id ("42"); nullopt for anything else (signs, spaces, overflow, empty).
std::optional<std::int64_t> parse_id(std::string_view text);

// Clamps a requested image width (?w=N); missing or malformed -> fallback.
int parse_width(std::string_view text, int fallback, int min_width, int max_width);

}  // namespace ui::web
