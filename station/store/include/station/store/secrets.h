#pragma once
// The station_secrets table: secrets kept inside the encrypted database, by purpose (the audit
// signing seed and its public key). Callers hold the store's mutex and wipe what they read.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"
#include "storage/database.h"

namespace station::store {

// The secret stored for `purpose`; nullopt when there is none.
Result<std::optional<std::vector<unsigned char>>> secret(storage::Database& db, std::string_view purpose);
// The public key stored beside it; nullopt when there is none.
Result<std::optional<std::string>> secret_public_key(storage::Database& db, std::string_view purpose);
// Stores a new secret with its public key.
Status insert_secret(storage::Database& db, std::string_view purpose, std::span<const unsigned char> secret,
                     const std::string& public_key, const std::string& created_at);

}  // namespace station::store
