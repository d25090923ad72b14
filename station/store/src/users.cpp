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
  auto st = db.prepare("SELECT id, role, password_hash, failed_attempts, locked_until, disabled, must_change_password "
                       "FROM users WHERE username = ?");
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
  c.disabled = st->column_int(5) != 0;
  c.must_change_password = st->column_int(6) != 0;
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

Status record_login(storage::Database& db, std::int64_t user_id, const std::string& at) {
  auto up = db.prepare("UPDATE users SET failed_attempts = 0, locked_until = NULL, last_login_at = ? WHERE id = ?");
  if (!up) return unexpected_storage(up.error());
  up->bind(1, at).bind(2, user_id);
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

Result<std::optional<User>> enabled_user(storage::Database& db, std::int64_t user_id) {
  auto st = db.prepare(
      "SELECT username, role FROM users WHERE id = ? AND disabled = 0 AND must_change_password = 0");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, user_id);
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return std::optional<User>{};
  return std::optional<User>{User{user_id, st->column_text(0), parse_role(st->column_text(1)).value_or(Role::kClerk)}};
}

namespace {

Result<bool> update_one(storage::Database& db, storage::Statement& st) {
  if (auto r = st.run(); !r) return unexpected_storage(r.error());
  return db.changes() != 0;
}

}  // namespace

Result<bool> set_password(storage::Database& db, std::int64_t user_id, const std::string& password_hash,
                          bool must_change, const std::string& at) {
  auto st = db.prepare(
      "UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?, failed_attempts = 0, "
      "locked_until = NULL WHERE id = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, password_hash).bind(2, std::int64_t{must_change ? 1 : 0}).bind(3, at).bind(4, user_id);
  return update_one(db, *st);
}

Result<bool> set_disabled(storage::Database& db, std::int64_t user_id, bool disabled) {
  auto st = db.prepare("UPDATE users SET disabled = ? WHERE id = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, std::int64_t{disabled ? 1 : 0}).bind(2, user_id);
  return update_one(db, *st);
}

Result<bool> set_role(storage::Database& db, std::int64_t user_id, Role role) {
  auto st = db.prepare("UPDATE users SET role = ? WHERE id = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, role_name(role)).bind(2, user_id);
  return update_one(db, *st);
}

Result<std::vector<AccountInfo>> accounts(storage::Database& db) {
  auto st = db.prepare(
      "SELECT id, username, role, disabled, must_change_password, failed_attempts, locked_until, last_login_at, "
      "created_at FROM users ORDER BY username");
  if (!st) return unexpected_storage(st.error());
  std::vector<AccountInfo> out;
  for (;;) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    AccountInfo a;
    a.user = User{st->column_int(0), st->column_text(1), parse_role(st->column_text(2)).value_or(Role::kClerk)};
    a.disabled = st->column_int(3) != 0;
    a.must_change_password = st->column_int(4) != 0;
    a.failed_attempts = st->column_int(5);
    a.locked_until = st->column_opt_text(6).value_or("");
    a.last_login_at = st->column_opt_text(7).value_or("");
    a.created_at = st->column_text(8);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::int64_t> enabled_admin_count(storage::Database& db) {
  auto st = db.prepare("SELECT count(*) FROM users WHERE role = ? AND disabled = 0");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, role_name(Role::kAdmin));
  if (auto r = st->step(); !r) return unexpected_storage(r.error());
  return st->column_int(0);
}

}  // namespace station::store
