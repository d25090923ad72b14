#pragma once
// The exports and export_items tables: which envelopes left in which bundle, by ファイルナンバー.
// Callers hold the store's mutex.
#include <cstdint>
#include <string>
#include <vector>

#include "station/error.h"
#include "storage/database.h"

namespace station::store {

// The next ファイルナンバー of the day: M-YYYYMMDD-NN, numbered per day (today: YYYY-MM-DD, JST).
Result<std::string> next_file_no(storage::Database& db, const std::string& today);

// Records an export and its envelopes and moves each to exported, in one transaction.
Status record_export(storage::Database& db, const std::string& file_no, std::int64_t created_by,
                     const std::string& created_at, int applications, const std::vector<std::int64_t>& envelope_ids);

}  // namespace station::store
