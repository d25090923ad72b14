#pragma once
// Accounts: users, roles, passwords, login with lockout, and their lifecycle (own password change,
// an admin's reset to a one-time password, disabling, role change). Every change and every login
// attempt is audited (ids only, never a password).
//
// Login answers the same for a name that does not exist as for a real account: the password is
// hashed either way, and unknown names lock after the same number of failures (in this process).
// The store's lock is not held while a password is hashed, so one login does not stall the
// station for the Argon2 time.
#include <cstdint>
#include <string_view>
#include <vector>

#include "station/audit_trail.h"
#include "station/config.h"
#include "station/error.h"
#include "station/model.h"
#include "station/security_types.h"
#include "station/store/context.h"

namespace station::security {

// The rules a new account's name and password follow (add_user's): kInvalidInput, saying which.
// Checked before anything is written where a failure would leave something behind (a store's
// first administrator, before the store is created).
Status check_new_account(const Config& config, std::string_view username, std::string_view password);

// The first account needs no actor (it becomes the store's first user); every later one an admin.
// kInvalidInput for a bad name or a weak password (config.password_min_length), kConflict when
// the name is taken.
Result<User> add_user(const store::Context& ctx, AuditTrail& audit, const Config& config, const User* actor,
                      std::string_view username, std::string_view password, Role role);
// kLoginFailed (unknown name, wrong password, or a disabled account), kAccountLocked once
// config.lockout_attempts failed in a row (for config.lockout_minutes), kPasswordChangeRequired
// when the password is right but is an admin's one-time password.
Result<User> login(const store::Context& ctx, AuditTrail& audit, const Config& config, std::string_view username,
                   std::string_view password);
// Changes one's own password: the current one (an admin's one-time password included) must be
// right (a failure counts like a failed login); the new one follows the password rules and
// differs from the current one. Clears the one-time mark. Errors as login, and kInvalidInput.
Result<User> change_password(const store::Context& ctx, AuditTrail& audit, const Config& config,
                             std::string_view username, std::string_view current_password,
                             std::string_view new_password);
// Admin only: a new random one-time password that must be changed at the next login; clears a
// lockout. kNotFound.
Result<PasswordReset> reset_password(const store::Context& ctx, AuditTrail& audit, const Config& config,
                                     const User& actor, std::string_view username);
// Admin only: a disabled account cannot log in (it answers like a wrong password). An admin
// cannot disable themself, nor the last enabled admin (kConflict). kNotFound.
Status set_disabled(const store::Context& ctx, AuditTrail& audit, const User& actor, std::string_view username,
                    bool disabled);
// Admin only: a new role. The last enabled admin keeps the admin role (kConflict). kNotFound.
Result<User> set_role(const store::Context& ctx, AuditTrail& audit, const User& actor, std::string_view username,
                      Role role);
// Admin only: every account with its state, last login and failed attempts.
Result<std::vector<AccountInfo>> list_accounts(const store::Context& ctx, const User& actor);
// Admin only: clears a locked account's lock. kNotFound.
Status unlock_user(const store::Context& ctx, AuditTrail& audit, const User& actor, std::string_view username);
// kNotFound.
Result<User> user_by_id(const store::Context& ctx, std::int64_t id);
// The enabled account with this id, as it stands now; kSessionExpired when it is disabled, gone,
// or was reset by an admin (a one-time password is pending).
Result<User> active_user(const store::Context& ctx, std::int64_t id);

}  // namespace station::security
