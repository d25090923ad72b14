#pragma once
// Who may do what: every action of the station checks the acting user's role here.
#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>

#include "station/error.h"
#include "station/model.h"

namespace station {

inline bool has_role(const User& u, std::initializer_list<Role> roles) {
  return std::find(roles.begin(), roles.end(), u.role) != roles.end();
}

// kForbidden naming the role and the action unless `u` has one of `roles`.
inline Status require(const User& u, std::initializer_list<Role> roles, std::string_view action) {
  if (has_role(u, roles)) return {};
  return fail(ErrorCode::kForbidden, "role " + std::string(role_name(u.role)) + " may not " + std::string(action));
}

}  // namespace station
