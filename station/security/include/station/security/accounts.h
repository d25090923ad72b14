#pragma once
// Accounts: users, roles, passwords, login with lockout, an administrator's unlock. Every change
// and every login attempt is audited (ids only).
#include <cstdint>
#include <string_view>

#include "station/audit_trail.h"
#include "station/config.h"
#include "station/error.h"
#include "station/model.h"
#include "station/store/context.h"

namespace station::security {

// The first account needs no actor (it becomes the store's first user); every later one an admin.
// kInvalidInput for a bad name or a weak password (config.password_min_length), kConflict when
// the name is taken.
Result<User> add_user(const store::Context& ctx, AuditTrail& audit, const Config& config, const User* actor,
                      std::string_view username, std::string_view password, Role role);
// kLoginFailed, or kAccountLocked once config.lockout_attempts failed in a row (for
// config.lockout_minutes).
Result<User> login(const store::Context& ctx, AuditTrail& audit, const Config& config, std::string_view username,
                   std::string_view password);
// Admin only: clears a locked account's lock. kNotFound.
Status unlock_user(const store::Context& ctx, AuditTrail& audit, const User& actor, std::string_view username);
// kNotFound.
Result<User> user_by_id(const store::Context& ctx, std::int64_t id);

}  // namespace station::security
