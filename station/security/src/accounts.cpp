// Accounts (accounts.h): users, roles, passwords, login with lockout, the account lifecycle.
#include "station/security/accounts.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "station/access.h"
#include "station/store/error.h"
#include "station/store/users.h"
#include "station/text.h"
#include "storage/keys.h"

namespace station::security {
namespace {

std::string subject_of(std::int64_t id) { return "user:" + std::to_string(id); }

// The password rules: NIST's (text.h) and the local minimum, counted in characters, not bytes.
Status password_policy(const Config& config, std::string_view password, std::string_view username) {
  if (auto why = password_problem(password, username); !why.empty()) return fail(ErrorCode::kInvalidInput, why);
  const auto chars = std::count_if(password.begin(), password.end(),
                                   [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  if (chars < config.password_min_length)
    return fail(ErrorCode::kInvalidInput,
                "the password must have at least " + std::to_string(config.password_min_length) + " characters");
  return {};
}

// A hash made like the real ones, checked when the name does not exist, so the answer takes the
// same time either way.
const std::string& dummy_hash() {
  static const std::string hash = [] {
    auto h = storage::hash_password(storage::random_hex(16));
    return h ? *h : std::string();
  }();
  return hash;
}

// Failed attempts at names that do not exist, so that they lock like real accounts do and a
// locked answer does not reveal that a name exists. In memory (bounded): a name that does not
// exist has no row to count in.
class UnknownNames {
 public:
  // Counts a failure; returns whether the name is locked now (or was).
  bool fail(const std::string& name, const Config& config, const store::Context& ctx) {
    std::lock_guard lock(mu_);
    if (counts_.size() > 4096) counts_.clear();
    auto& e = counts_[name];
    const std::string now = ctx.clock.jst_now_iso();
    if (!e.locked_until.empty() && e.locked_until > now) return true;
    if (!e.locked_until.empty()) e = {};
    if (++e.failed >= config.lockout_attempts) {
      e.locked_until = ctx.clock.iso_in_minutes(config.lockout_minutes);
      e.failed = 0;
      return true;
    }
    return false;
  }

 private:
  struct Entry {
    int failed = 0;
    std::string locked_until;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> counts_;
};

UnknownNames& unknown_names() {
  static UnknownNames names;
  return names;
}

enum class OneTime { kRefuse, kAccept };

// The check behind login and a password change: the credentials read under the store's lock, the
// password hashed outside it, the outcome recorded under it again.
Result<User> check_credentials(const store::Context& ctx, AuditTrail& audit, const Config& config,
                               std::string_view username, std::string_view password, OneTime one_time) {
  std::optional<store::Credentials> before;
  {
    std::lock_guard lock(ctx.mu);
    auto found = store::credentials(ctx.db, username);
    if (!found) return std::unexpected(found.error());
    before = std::move(*found);
  }
  // Argon2 without the store's lock; always, so a locked, disabled or unknown account answers
  // after the same work as a real check.
  const bool password_ok = storage::verify_password(before ? before->password_hash : dummy_hash(), password);

  std::lock_guard lock(ctx.mu);
  if (!before) {
    const bool locked = unknown_names().fail(std::string(username), config, ctx);
    audit.record(nullptr, "login.unknown_user", "");
    if (locked) return fail(ErrorCode::kAccountLocked, "account locked");
    return fail(ErrorCode::kLoginFailed, "unknown user or wrong password");
  }
  // Read again: another login may have counted a failure meanwhile.
  auto found = store::credentials(ctx.db, username);
  if (!found) return std::unexpected(found.error());
  if (!*found) return fail(ErrorCode::kLoginFailed, "unknown user or wrong password");
  const store::Credentials& c = **found;
  User u{c.id, std::string(username), parse_role(c.role).value_or(Role::kClerk)};
  const std::string now = ctx.clock.jst_now_iso();
  if (c.locked_until && *c.locked_until > now) {
    audit.record(&u, "login.locked", subject_of(u.id));
    return fail(ErrorCode::kAccountLocked, "account locked");
  }
  // The hash may have changed meanwhile (a reset): then the check was against the old one.
  if (!password_ok || c.password_hash != before->password_hash) {
    const auto attempts = c.failed_attempts + 1;
    std::optional<std::string> lock_until;
    if (attempts >= config.lockout_attempts) lock_until = ctx.clock.iso_in_minutes(config.lockout_minutes);
    (void)store::record_failed_login(ctx.db, u.id, lock_until ? std::int64_t{0} : attempts, lock_until);
    audit.record(&u, lock_until ? "login.lockout" : "login.failed", subject_of(u.id));
    return fail(lock_until ? ErrorCode::kAccountLocked : ErrorCode::kLoginFailed, "unknown user or wrong password");
  }
  if (c.disabled) {
    audit.record(&u, "login.disabled", subject_of(u.id));
    return fail(ErrorCode::kLoginFailed, "unknown user or wrong password");
  }
  if (c.must_change_password && one_time == OneTime::kRefuse) {
    audit.record(&u, "login.password_change_required", subject_of(u.id));
    return fail(ErrorCode::kPasswordChangeRequired, "the one-time password must be changed first");
  }
  return u;
}

// The named account, for an admin's action on it. kNotFound.
Result<User> account(const store::Context& ctx, std::string_view username) {
  auto id = store::user_id(ctx.db, username);
  if (!id) return std::unexpected(id.error());
  if (!*id) return fail(ErrorCode::kNotFound, "no such user");
  return store::user(ctx.db, **id);
}

// A one-time password long enough for the local minimum: groups of four hex digits.
std::string one_time_password(const Config& config) {
  std::string out;
  const std::size_t want = static_cast<std::size_t>(std::max(config.password_min_length, 16));
  while (out.size() < want) {
    if (!out.empty()) out += '-';
    out += storage::random_hex(2);
  }
  return out;
}

}  // namespace

Status check_new_account(const Config& config, std::string_view username, std::string_view password) {
  if (username.empty() || username.size() > 64 ||
      !std::all_of(username.begin(), username.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
      }))
    return fail(ErrorCode::kInvalidInput, "user names are 1-64 characters of a-z, 0-9, '-', '_', '.'");
  return password_policy(config, password, username);
}

Result<User> add_user(const store::Context& ctx, AuditTrail& audit, const Config& config, const User* actor,
                      std::string_view username, std::string_view password, Role role) {
  {
    std::lock_guard lock(ctx.mu);
    auto count = store::user_count(ctx.db);
    if (!count) return std::unexpected(count.error());
    if (*count != 0) {
      if (actor == nullptr) return fail(ErrorCode::kForbidden, "only an admin may add users");
      if (auto s = require(*actor, {Role::kAdmin}, "add users"); !s) return std::unexpected(s.error());
    }
  }
  if (auto s = check_new_account(config, username, password); !s) return std::unexpected(s.error());
  auto hash = storage::hash_password(password);  // without the store's lock
  if (!hash) return store::unexpected_storage(hash.error());
  std::lock_guard lock(ctx.mu);
  auto count = store::user_count(ctx.db);
  if (!count) return std::unexpected(count.error());
  if (*count != 0 && actor == nullptr) return fail(ErrorCode::kForbidden, "only an admin may add users");
  auto id = store::insert_user(ctx.db, username, role, *hash, ctx.clock.jst_now_iso());
  if (!id) return std::unexpected(id.error());
  User u{*id, std::string(username), role};
  audit.record(actor, "user.add", subject_of(u.id));
  return u;
}

Result<User> login(const store::Context& ctx, AuditTrail& audit, const Config& config, std::string_view username,
                   std::string_view password) {
  auto u = check_credentials(ctx, audit, config, username, password, OneTime::kRefuse);
  if (!u) return u;
  std::lock_guard lock(ctx.mu);
  (void)store::record_login(ctx.db, u->id, ctx.clock.jst_now_iso());
  audit.record(&*u, "login", subject_of(u->id));
  return u;
}

Result<User> change_password(const store::Context& ctx, AuditTrail& audit, const Config& config,
                             std::string_view username, std::string_view current_password,
                             std::string_view new_password) {
  auto u = check_credentials(ctx, audit, config, username, current_password, OneTime::kAccept);
  if (!u) return u;
  if (auto s = password_policy(config, new_password, username); !s) return std::unexpected(s.error());
  if (new_password == current_password)
    return fail(ErrorCode::kInvalidInput, "the new password must differ from the current one");
  auto hash = storage::hash_password(new_password);
  if (!hash) return store::unexpected_storage(hash.error());
  std::lock_guard lock(ctx.mu);
  const std::string now = ctx.clock.jst_now_iso();
  auto set = store::set_password(ctx.db, u->id, *hash, false, now);
  if (!set) return std::unexpected(set.error());
  if (!*set) return fail(ErrorCode::kNotFound, "no such user");
  (void)store::record_login(ctx.db, u->id, now);
  audit.record(&*u, "user.passwd", subject_of(u->id));
  return u;
}

Result<PasswordReset> reset_password(const store::Context& ctx, AuditTrail& audit, const Config& config,
                                     const User& actor, std::string_view username) {
  if (auto s = require(actor, {Role::kAdmin}, "reset passwords"); !s) return std::unexpected(s.error());
  PasswordReset reset;
  {
    std::lock_guard lock(ctx.mu);
    auto u = account(ctx, username);
    if (!u) return std::unexpected(u.error());
    reset.user = *u;
  }
  reset.one_time_password = one_time_password(config);
  auto hash = storage::hash_password(reset.one_time_password);
  if (!hash) return store::unexpected_storage(hash.error());
  std::lock_guard lock(ctx.mu);
  auto set = store::set_password(ctx.db, reset.user.id, *hash, true, ctx.clock.jst_now_iso());
  if (!set) return std::unexpected(set.error());
  if (!*set) return fail(ErrorCode::kNotFound, "no such user");
  audit.record(&actor, "user.reset", subject_of(reset.user.id));
  return reset;
}

Status set_disabled(const store::Context& ctx, AuditTrail& audit, const User& actor, std::string_view username,
                    bool disabled) {
  if (auto s = require(actor, {Role::kAdmin}, disabled ? "disable accounts" : "enable accounts"); !s) return s;
  std::lock_guard lock(ctx.mu);
  auto u = account(ctx, username);
  if (!u) return std::unexpected(u.error());
  if (disabled && u->id == actor.id) return fail(ErrorCode::kConflict, "an admin cannot disable their own account");
  if (disabled && u->role == Role::kAdmin) {
    auto admins = store::enabled_admin_count(ctx.db);
    if (!admins) return std::unexpected(admins.error());
    if (*admins <= 1) return fail(ErrorCode::kConflict, "the last enabled admin cannot be disabled");
  }
  auto set = store::set_disabled(ctx.db, u->id, disabled);
  if (!set) return std::unexpected(set.error());
  audit.record(&actor, disabled ? "user.disable" : "user.enable", subject_of(u->id));
  return {};
}

Result<User> set_role(const store::Context& ctx, AuditTrail& audit, const User& actor, std::string_view username,
                      Role role) {
  if (auto s = require(actor, {Role::kAdmin}, "change roles"); !s) return std::unexpected(s.error());
  std::lock_guard lock(ctx.mu);
  auto u = account(ctx, username);
  if (!u) return std::unexpected(u.error());
  if (u->role == Role::kAdmin && role != Role::kAdmin) {
    auto admins = store::enabled_admin_count(ctx.db);
    if (!admins) return std::unexpected(admins.error());
    if (*admins <= 1) return fail(ErrorCode::kConflict, "the last enabled admin keeps the admin role");
  }
  auto set = store::set_role(ctx.db, u->id, role);
  if (!set) return std::unexpected(set.error());
  audit.record(&actor, "user.role", subject_of(u->id) + " role:" + std::string(role_name(role)));
  u->role = role;
  return u;
}

Result<std::vector<AccountInfo>> list_accounts(const store::Context& ctx, const User& actor) {
  if (auto s = require(actor, {Role::kAdmin}, "list accounts"); !s) return std::unexpected(s.error());
  std::lock_guard lock(ctx.mu);
  return store::accounts(ctx.db);
}

Status unlock_user(const store::Context& ctx, AuditTrail& audit, const User& actor, std::string_view username) {
  if (auto s = require(actor, {Role::kAdmin}, "unlock accounts"); !s) return s;
  std::lock_guard lock(ctx.mu);
  auto cleared = store::clear_lockout(ctx.db, username);
  if (!cleared) return std::unexpected(cleared.error());
  if (!*cleared) return fail(ErrorCode::kNotFound, "no such user");
  std::string subject;
  if (auto id = store::user_id(ctx.db, username); id && *id) subject = subject_of(**id);
  audit.record(&actor, "user.unlock", subject);
  return {};
}

Result<User> user_by_id(const store::Context& ctx, std::int64_t id) {
  std::lock_guard lock(ctx.mu);
  return store::user(ctx.db, id);
}

Result<User> active_user(const store::Context& ctx, std::int64_t id) {
  std::lock_guard lock(ctx.mu);
  auto u = store::enabled_user(ctx.db, id);
  if (!u) return std::unexpected(u.error());
  if (!*u) return fail(ErrorCode::kSessionExpired, "the account was disabled or reset");
  return **u;
}

}  // namespace station::security
