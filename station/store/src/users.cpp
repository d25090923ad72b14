// The users table in SQL (users.h).
#include "station/store/users.h"

#include "station/store/error.h"

namespace station::store {

Result<std::int64_t> user_count(storage::Database& db) {
  auto count = db.prepare("SELECT count(*) FROM users");
  if (!count) return unexpected_storage(count.error());
  (void)count->step();
  return count->column_int(0);
}

Result<std::int64_t> insert_user(storage::Database& db, std::string_view username, Role role,
                                 const std::string& password_hash, const std::string& created_at) {
  auto st = db.prepare("INSERT INTO users(username, role, password_hash, created_at) VALUES (?, ?, ?, ?)");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, username).bind(2, role_name(role)).bind(3, password_hash).bind(4, created_at);
  if (auto s = st->run(); !s) {
    if (s.error().code == storage::Code::kConstraint) return fail(ErrorCode::kConflict, "the user exists already");
    return unexpected_storage(s.error());
  }
  return db.last_insert_id();
}

Result<std::optional<Credentials>> credentials(storage::Database& db, std::string_view username) {
  auto st = db.prepare("SELECT id, role, password_hash, failed_attempts, locked_until FROM users WHERE username = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, username);
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return std::optional<Credentials>{};
  Credentials c;
  c.id = st->column_int(0);
  c.role = st->column_text(1);
  c.password_hash = st->column_text(2);
  c.failed_attempts = st->column_int(3);
  c.locked_until = st->column_opt_text(4);
  return std::optional<Credentials>{std::move(c)};
}

Status record_failed_login(storage::Database& db, std::int64_t user_id, std::int64_t failed_attempts,
                           const std::optional<std::string>& locked_until) {
  auto up = db.prepare("UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?");
  if (!up) return unexpected_storage(up.error());
  up->bind(1, failed_attempts).bind(2, locked_until).bind(3, user_id);
  if (auto r = up->run(); !r) return unexpected_storage(r.error());
  return {};
}

Status clear_failed_logins(storage::Database& db, std::int64_t user_id) {
  auto up = db.prepare("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?");
  if (!up) return unexpected_storage(up.error());
  up->bind(1, user_id);
  if (auto r = up->run(); !r) return unexpected_storage(r.error());
  return {};
}

Result<bool> clear_lockout(storage::Database& db, std::string_view username) {
  auto st = db.prepare("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE username = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, username);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return db.changes() != 0;
}

Result<std::optional<std::int64_t>> user_id(storage::Database& db, std::string_view username) {
  auto st = db.prepare("SELECT id FROM users WHERE username = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, username);
  auto r = st->step();
  if (!r) return unexpected_storage(r.error());
  if (!*r) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{st->column_int(0)};
}

Result<User> user(storage::Database& db, std::int64_t user_id) {
  auto st = row_by_id(db, "SELECT username, role FROM users WHERE id = ?", user_id, "user");
  if (!st) return std::unexpected(st.error());
  return User{user_id, st->column_text(0), parse_role(st->column_text(1)).value_or(Role::kClerk)};
}

}  // namespace station::store
