#pragma once
// The account screens' JSON API (/api/v1/accounts..., /api/v1/me/password; docs/ui.md): request
// bodies read, the station's account calls made (they check the role and audit), the answers
// shaped. No rules of their own: who may do what and every password rule live in the station.
#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

#include "station/error.h"
#include "station/station.h"

namespace ui::api_v1 {

// What a handler answers: the status and body to send, and the station's error to log (English,
// free of personal values) when there was one.
struct Reply {
  int status = 200;
  nlohmann::json body;
  std::optional<station::Error> error;
};

// What every v1 handler file uses to read a body and to answer a refusal.
// An error reply: the error's HTTP status and JSON (name, message_ja, reason_ja).
Reply failed(const station::Error& e);
// 400 INVALID_INPUT, with what to do in Japanese.
Reply invalid(std::string_view detail, std::string_view reason_ja);
// The body as a JSON object (an empty body is {}), or nullopt when it is not one.
std::optional<nlohmann::json> object_body(std::string_view body);
// A string member of `j`, or "" when it is absent or not a string.
std::string text(const nlohmann::json& j, const char* key);

// The name group of the account routes (user names are 1-64 of a-z, A-Z, 0-9, '-', '_', '.').
inline constexpr std::string_view kAccountNameGroup = "([A-Za-z0-9._-]+)";

nlohmann::json account_json(const station::AccountInfo& a);

Reply list_accounts(station::Station& st, const station::User& actor);
// {"username", "role", "password"}: the admin's initial password, as `station user add` takes it.
Reply create_account(station::Station& st, const station::User& actor, std::string_view body);
// The one-time password, in this answer only.
Reply reset_account(station::Station& st, const station::User& actor, std::string_view username);
Reply disable_account(station::Station& st, const station::User& actor, std::string_view username);
Reply enable_account(station::Station& st, const station::User& actor, std::string_view username);
// {"role"}
Reply set_account_role(station::Station& st, const station::User& actor, std::string_view username,
                       std::string_view body);
// {"current_password", "new_password"}: one's own password.
Reply change_own_password(station::Station& st, const station::User& me, std::string_view body);

}  // namespace ui::api_v1
