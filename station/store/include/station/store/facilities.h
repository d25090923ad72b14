#pragma once
// The facilities table: the prefecture's facility list as loaded (replaced whole on each load),
// and facility_lists: one row per load (its version). Callers hold the store's mutex.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "station/error.h"
#include "storage/database.h"

namespace station::store {

// One row of the list (施設一覧).
struct Facility {
  std::string facility_id, city, service_type, jigyosho_no, name, postal_code, address;
  std::int64_t capacity = 0;  // 0 where blank (visiting services)
  std::string corp_name, corp_postal_code, corp_address, rep_title, rep_name;
  std::int64_t amount = 0;
};

// A loaded version of the list.
struct FacilityListVersion {
  std::int64_t version = 0;
  std::string loaded_at;
  int rows = 0;
};

// Replaces the whole list in one transaction and records it as the next version; returns it.
// kBadCsv when the list has a 施設ID twice.
Result<FacilityListVersion> replace_facilities(storage::Database& db, const std::vector<Facility>& list,
                                               const std::string& loaded_at, std::int64_t loaded_by);

Result<int> facility_count(storage::Database& db);

// The current version; nullopt when no list was ever loaded (or only before versions existed).
Result<std::optional<FacilityListVersion>> facility_list_version(storage::Database& db);

// Every row of the current list, in 施設ID order.
Result<std::vector<Facility>> all_facilities(storage::Database& db);

}  // namespace station::store
