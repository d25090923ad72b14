#pragma once
// The station_secrets table, by purpose: the audit signing key's public half. Its secret column
// held the signing seed before issue #16; migration 10 moves the seed into the keyring (the
// secret column is then empty, and triggers refuse a non-empty one). Callers hold the store's
// mutex and wipe what they read.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"
#include "storage/database.h"

namespace station::store {

// The secret stored for `purpose`; nullopt when there is no row (an empty vector: the row's
// secret was moved out).
Result<std::optional<std::vector<unsigned char>>> secret(storage::Database& db, std::string_view purpose);
// The public key stored beside it; nullopt when there is none.
Result<std::optional<std::string>> secret_public_key(storage::Database& db, std::string_view purpose);
// Stores a new secret with its public key.
Status insert_secret(storage::Database& db, std::string_view purpose, std::span<const unsigned char> secret,
                     const std::string& public_key, const std::string& created_at);

// Empties the row's secret column (the seed has moved into the keyring). kNotFound when no row.
Status clear_secret(storage::Database& db, std::string_view purpose);
// Makes this connection refuse every write (PRAGMA query_only): a store opened read-only.
Status make_query_only(storage::Database& db);

}  // namespace station::store
