#pragma once
// The open store's parts that the key and backup operations read and replace, owned by the
// station: the mailed database and blobs (with their mutex and the clock), the folder, the master
// key and the electronic database (with its own mutex).
#include <filesystem>
#include <mutex>
#include <optional>

#include "station/store/context.h"
#include "storage/database.h"
#include "storage/keys.h"

namespace station::security {

struct StoreParts {
  store::Context ctx;
  std::filesystem::path dir;
  std::optional<storage::SecretKey>& master;
  std::optional<storage::Database>& edb;
  std::mutex& edb_mu;  // guards edb
};

}  // namespace station::security
