// Accounts: users, roles, passwords, login with lockout.
#include "station_impl.h"
#include "station/text.h"

namespace station {

Result<User> Station::add_user(const User* actor, std::string_view username, std::string_view password, Role role) {
  std::lock_guard lock(impl_->mu);
  auto& db = impl_->db;
  auto count = db.prepare("SELECT count(*) FROM users");
  if (!count) return unexpected_storage(count.error());
  (void)count->step();
  const bool first = count->column_int(0) == 0;
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
  if (chars < impl_->config.password_min_length)
    return fail(ErrorCode::kInvalidInput, "the password must have at least " +
                                              std::to_string(impl_->config.password_min_length) + " characters");
  auto hash = storage::hash_password(password);
  if (!hash) return unexpected_storage(hash.error());
  auto st = db.prepare("INSERT INTO users(username, role, password_hash, created_at) VALUES (?, ?, ?, ?)");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, username).bind(2, role_name(role)).bind(3, *hash).bind(4, impl_->clock().jst_now_iso());
  if (auto s = st->run(); !s) {
    if (s.error().code == storage::Code::kConstraint) return fail(ErrorCode::kConflict, "the user exists already");
    return unexpected_storage(s.error());
  }
  User u{db.last_insert_id(), std::string(username), role};
  impl_->audit(actor, "user.add", "user:" + std::to_string(u.id));
  return u;
}

Result<User> Station::login(std::string_view username, std::string_view password) {
  std::lock_guard lock(impl_->mu);
  auto& db = impl_->db;
  auto st = db.prepare("SELECT id, role, password_hash, failed_attempts, locked_until FROM users WHERE username = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, username);
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) {
    // Spend the same effort as a real check so timing does not reveal which names exist.
    (void)storage::verify_password("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                   "2VwKKv4G1T6x5x1m4RPFcRmMh2dkA0iNv1lT3ZcIu2U",
                                   password);
    impl_->audit(nullptr, "login.unknown_user", "");
    return fail(ErrorCode::kLoginFailed, "unknown user or wrong password");
  }
  User u{st->column_int(0), std::string(username), parse_role(st->column_text(1)).value_or(Role::kClerk)};
  const std::string hash = st->column_text(2);
  const auto failed = st->column_int(3);
  const auto locked_until = st->column_opt_text(4);
  const std::string now = impl_->clock().jst_now_iso();
  if (locked_until && *locked_until > now) {
    impl_->audit(&u, "login.locked", "user:" + std::to_string(u.id));
    return fail(ErrorCode::kAccountLocked, "account locked");
  }
  if (!storage::verify_password(hash, password)) {
    const auto attempts = failed + 1;
    std::optional<std::string> lock_until;
    if (attempts >= impl_->config.lockout_attempts) {
      lock_until = impl_->clock().iso_in_minutes(impl_->config.lockout_minutes);
    }
    auto up = db.prepare("UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?");
    if (up) {
      up->bind(1, lock_until ? std::int64_t{0} : attempts).bind(2, lock_until).bind(3, u.id);
      (void)up->run();
    }
    impl_->audit(&u, lock_until ? "login.lockout" : "login.failed", "user:" + std::to_string(u.id));
    return fail(lock_until ? ErrorCode::kAccountLocked : ErrorCode::kLoginFailed, "wrong password");
  }
  auto up = db.prepare("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?");
  if (up) {
    up->bind(1, u.id);
    (void)up->run();
  }
  impl_->audit(&u, "login", "user:" + std::to_string(u.id));
  return u;
}

Result<User> Station::user_by_id(std::int64_t id) {
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.prepare("SELECT username, role FROM users WHERE id = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, id);
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return fail(ErrorCode::kNotFound, "no user " + std::to_string(id));
  return User{id, st->column_text(0), parse_role(st->column_text(1)).value_or(Role::kClerk)};
}

}  // namespace station
