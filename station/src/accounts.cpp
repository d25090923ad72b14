// Accounts: users, roles, passwords, login with lockout. The security sub-library's
// (station/security/accounts.h); Station forwards.
#include <cstdlib>

#include "station/security/accounts.h"
#include "station_impl.h"
#include "storage/keys.h"

namespace station {

std::string random_token_hex(std::size_t bytes) {
  std::string hex = storage::random_hex(bytes);
  if (hex.size() != bytes * 2) std::abort();  // no randomness: no token is safe to hand out
  return hex;
}

Status Station::check_new_account(const Config& config, std::string_view username, std::string_view password) {
  return security::check_new_account(config, username, password);
}

Result<User> Station::add_user(const User* actor, std::string_view username, std::string_view password, Role role) {
  return security::add_user(impl_->store(), impl_->audit_log, impl_->config, actor, username, password, role);
}

Result<User> Station::login(std::string_view username, std::string_view password) {
  return security::login(impl_->store(), impl_->audit_log, impl_->config, username, password);
}

Result<User> Station::user_by_id(std::int64_t id) { return security::user_by_id(impl_->store(), id); }

Result<User> Station::active_user(std::int64_t id) { return security::active_user(impl_->store(), id); }

Result<User> Station::change_password(std::string_view username, std::string_view current_password,
                                      std::string_view new_password) {
  return security::change_password(impl_->store(), impl_->audit_log, impl_->config, username, current_password,
                                   new_password);
}

Result<PasswordReset> Station::reset_password(const User& actor, std::string_view username) {
  return security::reset_password(impl_->store(), impl_->audit_log, impl_->config, actor, username);
}

Status Station::disable_user(const User& actor, std::string_view username) {
  return security::set_disabled(impl_->store(), impl_->audit_log, actor, username, true);
}

Status Station::enable_user(const User& actor, std::string_view username) {
  return security::set_disabled(impl_->store(), impl_->audit_log, actor, username, false);
}

Result<User> Station::set_role(const User& actor, std::string_view username, Role role) {
  return security::set_role(impl_->store(), impl_->audit_log, actor, username, role);
}

Result<std::vector<AccountInfo>> Station::accounts(const User& actor) {
  return security::list_accounts(impl_->store(), actor);
}

}  // namespace station
