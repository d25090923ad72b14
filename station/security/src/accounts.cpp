// Accounts (accounts.h): users, roles, passwords, login with lockout.
#include "station/security/accounts.h"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "station/access.h"
#include "station/store/error.h"
#include "station/store/users.h"
#include "station/text.h"
#include "storage/keys.h"

namespace station::security {

Result<User> add_user(const store::Context& ctx, AuditTrail& audit, const Config& config, const User* actor,
                      std::string_view username, std::string_view password, Role role) {
  std::lock_guard lock(ctx.mu);
  auto& db = ctx.db;
  auto count = store::user_count(db);
  if (!count) return std::unexpected(count.error());
  const bool first = *count == 0;
  if (!first) {
    if (actor == nullptr) return fail(ErrorCode::kForbidden, "only an admin may add users");
    if (auto s = require(*actor, {Role::kAdmin}, "add users"); !s) return std::unexpected(s.error());
  }
  if (username.empty() || username.size() > 64 ||
      !std::all_of(username.begin(), username.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
      }))
    return fail(ErrorCode::kInvalidInput, "user names are 1-64 characters of a-z, 0-9, '-', '_', '.'");
  if (auto why = password_problem(password, username); !why.empty()) return fail(ErrorCode::kInvalidInput, why);
  // A stricter local minimum (security.password_min_length), counted in characters, not bytes.
  const auto chars = std::count_if(password.begin(), password.end(),
                                   [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  if (chars < config.password_min_length)
    return fail(ErrorCode::kInvalidInput,
                "the password must have at least " + std::to_string(config.password_min_length) + " characters");
  auto hash = storage::hash_password(password);
  if (!hash) return store::unexpected_storage(hash.error());
  auto id = store::insert_user(db, username, role, *hash, ctx.clock.jst_now_iso());
  if (!id) return std::unexpected(id.error());
  User u{*id, std::string(username), role};
  audit.record(actor, "user.add", "user:" + std::to_string(u.id));
  return u;
}

Result<User> login(const store::Context& ctx, AuditTrail& audit, const Config& config, std::string_view username,
                   std::string_view password) {
  std::lock_guard lock(ctx.mu);
  auto& db = ctx.db;
  auto found = store::credentials(db, username);
  if (!found) return std::unexpected(found.error());
  if (!*found) {
    // Spend the same effort as a real check so timing does not reveal which names exist.
    (void)storage::verify_password("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                   "2VwKKv4G1T6x5x1m4RPFcRmMh2dkA0iNv1lT3ZcIu2U",
                                   password);
    audit.record(nullptr, "login.unknown_user", "");
    return fail(ErrorCode::kLoginFailed, "unknown user or wrong password");
  }
  const store::Credentials& c = **found;
  User u{c.id, std::string(username), parse_role(c.role).value_or(Role::kClerk)};
  const std::string& hash = c.password_hash;
  const auto failed = c.failed_attempts;
  const auto& locked_until = c.locked_until;
  const std::string now = ctx.clock.jst_now_iso();
  if (locked_until && *locked_until > now) {
    audit.record(&u, "login.locked", "user:" + std::to_string(u.id));
    return fail(ErrorCode::kAccountLocked, "account locked");
  }
  if (!storage::verify_password(hash, password)) {
    const auto attempts = failed + 1;
    std::optional<std::string> lock_until;
    if (attempts >= config.lockout_attempts) {
      lock_until = ctx.clock.iso_in_minutes(config.lockout_minutes);
    }
    (void)store::record_failed_login(db, u.id, lock_until ? std::int64_t{0} : attempts, lock_until);
    audit.record(&u, lock_until ? "login.lockout" : "login.failed", "user:" + std::to_string(u.id));
    return fail(lock_until ? ErrorCode::kAccountLocked : ErrorCode::kLoginFailed, "wrong password");
  }
  (void)store::clear_failed_logins(db, u.id);
  audit.record(&u, "login", "user:" + std::to_string(u.id));
  return u;
}

Status unlock_user(const store::Context& ctx, AuditTrail& audit, const User& actor, std::string_view username) {
  if (auto s = require(actor, {Role::kAdmin}, "unlock accounts"); !s) return s;
  std::lock_guard lock(ctx.mu);
  auto cleared = store::clear_lockout(ctx.db, username);
  if (!cleared) return std::unexpected(cleared.error());
  if (!*cleared) return fail(ErrorCode::kNotFound, "no such user");
  std::string subject;
  if (auto id = store::user_id(ctx.db, username); id && *id) subject = "user:" + std::to_string(**id);
  audit.record(&actor, "user.unlock", subject);
  return {};
}

Result<User> user_by_id(const store::Context& ctx, std::int64_t id) {
  std::lock_guard lock(ctx.mu);
  return store::user(ctx.db, id);
}

}  // namespace station::security
