#include "station/model.h"

#include <array>

namespace station {
namespace {
struct RoleEntry {
  Role role;
  std::string_view name;
  std::string_view ja;
};
constexpr std::array kRoles = {
    RoleEntry{Role::kClerk, "clerk", "受付担当"},
    RoleEntry{Role::kReviewer, "reviewer", "審査担当"},
    RoleEntry{Role::kSupervisor, "supervisor", "責任者"},
    RoleEntry{Role::kAdmin, "admin", "管理者"},
};
}  // namespace

std::string_view role_name(Role role) {
  for (const auto& r : kRoles)
    if (r.role == role) return r.name;
  return "?";
}

std::string_view role_label_ja(Role role) {
  for (const auto& r : kRoles)
    if (r.role == role) return r.ja;
  return "?";
}

std::optional<Role> parse_role(std::string_view name) {
  for (const auto& r : kRoles)
    if (r.name == name) return r.role;
  return std::nullopt;
}

}  // namespace station
