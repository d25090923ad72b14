// Accounts: users, roles, passwords, login with lockout. The security sub-library's
// (station/security/accounts.h); Station forwards.
#include "station/security/accounts.h"
#include "station_impl.h"

namespace station {

Result<User> Station::add_user(const User* actor, std::string_view username, std::string_view password, Role role) {
  return security::add_user(impl_->store(), impl_->audit_log, impl_->config, actor, username, password, role);
}

Result<User> Station::login(std::string_view username, std::string_view password) {
  return security::login(impl_->store(), impl_->audit_log, impl_->config, username, password);
}

Result<User> Station::user_by_id(std::int64_t id) { return security::user_by_id(impl_->store(), id); }

}  // namespace station
