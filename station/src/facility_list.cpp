// Loading the prefecture's facility list into the store.
#include "station_impl.h"
#include "facilities.h"

namespace station {

Result<int> Station::load_facilities(const User& actor, const fs::path& csv) {
  if (auto s = require(actor, {Role::kSupervisor, Role::kAdmin}, "load the facility list"); !s)
    return std::unexpected(s.error());
  auto bytes = read_file(csv);
  if (!bytes) return std::unexpected(bytes.error());
  auto list = parse_facility_csv(std::string(bytes->begin(), bytes->end()));
  if (!list) return std::unexpected(list.error());
  std::lock_guard lock(impl_->mu);
  if (auto s = store::replace_facilities(impl_->db, *list); !s) return std::unexpected(s.error());
  impl_->audit(&actor, "facilities.load", "rows:" + std::to_string(list->size()));
  return static_cast<int>(list->size());
}

Result<int> Station::facility_count() {
  std::lock_guard lock(impl_->mu);
  return store::facility_count(impl_->db);
}

}  // namespace station
