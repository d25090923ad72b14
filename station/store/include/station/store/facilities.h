#pragma once
// The facilities table: the prefecture's facility list as loaded (replaced whole on each load).
// Callers hold the store's mutex.
#include <cstdint>
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

// Replaces the whole list in one transaction. kBadCsv when the list has a 施設ID twice.
Status replace_facilities(storage::Database& db, const std::vector<Facility>& list);

Result<int> facility_count(storage::Database& db);

}  // namespace station::store
