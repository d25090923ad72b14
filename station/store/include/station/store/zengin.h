#pragma once
// The Zengin bank and branch code tables (zengin_banks, zengin_branches) and their versions.
// Callers hold the store's mutex.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "station/error.h"
#include "storage/database.h"

namespace station::store {

struct ZenginEntry {
  std::string bank_code;    // 4 digits
  std::string branch_code;  // 3 digits; empty for the bank itself
  std::string name, kana;
};

// Replaces the whole table with `entries` and records the version, in one transaction.
Status replace_zengin(storage::Database& db, const std::string& version, const std::string& sha256,
                      const std::vector<ZenginEntry>& entries, std::optional<std::int64_t> loaded_by,
                      const std::string& loaded_at);

// The version loaded last (nullopt: none yet).
Result<std::optional<std::string>> zengin_version(storage::Database& db);

// Every bank (branch_code empty), in code order.
Result<std::vector<ZenginEntry>> zengin_banks(storage::Database& db);
// The branches of one bank, in code order.
Result<std::vector<ZenginEntry>> zengin_branches(storage::Database& db, const std::string& bank_code);

}  // namespace station::store
