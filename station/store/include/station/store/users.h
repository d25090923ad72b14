#pragma once
// The users table: accounts, their password hashes and the login lockout counters. Callers hold
// the store's mutex.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"
#include "station/security_types.h"
#include "station/model.h"
#include "storage/database.h"

namespace station::store {

// How many accounts there are (0 before the first, who becomes the admin).
Result<std::int64_t> user_count(storage::Database& db);

// Adds an account; returns its id. kConflict when the name is taken.
Result<std::int64_t> insert_user(storage::Database& db, std::string_view username, Role role,
                                 const std::string& password_hash, const std::string& created_at);

// What a login checks, by user name.
struct Credentials {
  std::int64_t id = 0;
  std::string role;  // as stored
  std::string password_hash;
  std::int64_t failed_attempts = 0;
  std::optional<std::string> locked_until;
  bool disabled = false;
  bool must_change_password = false;
};
// nullopt when there is no such user.
Result<std::optional<Credentials>> credentials(storage::Database& db, std::string_view username);

// A failed login: the new count of failed attempts, and the lock's end when it locks the account.
Status record_failed_login(storage::Database& db, std::int64_t user_id, std::int64_t failed_attempts,
                           const std::optional<std::string>& locked_until);
// A good login clears the count and the lock and notes when it happened.
Status record_login(storage::Database& db, std::int64_t user_id, const std::string& at);

// An administrator's unlock: clears the count and the lock of the named account. false when there
// is no such user.
Result<bool> clear_lockout(storage::Database& db, std::string_view username);
// The account's id by name; nullopt when there is no such user.
Result<std::optional<std::int64_t>> user_id(storage::Database& db, std::string_view username);

// kNotFound.
Result<User> user(storage::Database& db, std::int64_t user_id);
// The account if it exists, is enabled and has no pending one-time password (an admin's reset);
// nullopt otherwise.
Result<std::optional<User>> enabled_user(storage::Database& db, std::int64_t user_id);

// A new password hash; `must_change` marks it as an admin's one-time password. Clears the
// lockout. false when there is no such user.
Result<bool> set_password(storage::Database& db, std::int64_t user_id, const std::string& password_hash,
                          bool must_change, const std::string& at);
// Disables or enables an account. false when there is no such user.
Result<bool> set_disabled(storage::Database& db, std::int64_t user_id, bool disabled);
// A new role. false when there is no such user.
Result<bool> set_role(storage::Database& db, std::int64_t user_id, Role role);
// Every account, by name, as an administrator sees it.
Result<std::vector<AccountInfo>> accounts(storage::Database& db);
// How many enabled accounts have the admin role (the last one may not be disabled or demoted).
Result<std::int64_t> enabled_admin_count(storage::Database& db);

}  // namespace station::store
