#pragma once
// The electronic store's tables (electronic.db, its own file and key): the applications the main
// system received electronically and the log of their loads. Callers hold the electronic store's
// mutex.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"
#include "station/security_types.h"
#include "storage/database.h"

namespace station::store {

// One application to load, with the file's line it came from (for the error message).
struct ElectronicRow {
  int line = 0;
  ElectronicApplication application;
};
// Replaces every application with `rows` and logs the load, in one transaction; returns how many
// were loaded. kBadCsv ("line N repeats an application number") when a number repeats.
Result<int> replace_electronic_applications(storage::Database& db, const std::vector<ElectronicRow>& rows,
                                            const std::string& loaded_at, std::int64_t loaded_by);
// How many applications there are.
Result<int> electronic_count(storage::Database& db);
// The applications of a facility, by its id or its jigyosho number (an empty one matches nothing),
// by receipt time.
Result<std::vector<ElectronicApplication>> electronic_for_facility(storage::Database& db, std::string_view facility_id,
                                                                   std::string_view jigyosho_no);

}  // namespace station::store
