#pragma once
// An encrypted SQLite database (SQLCipher 4). Not thread-safe: one Database per thread, or guard
// it with a mutex. Statements must not outlive their Database.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/error.h"
#include "storage/keys.h"

namespace storage {

class Database;

class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  // Binding is 1-based, as in SQLite. Returns *this for chaining.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::nullopt_t);
  Statement& bind_blob(int index, std::span<const unsigned char> bytes);
  template <class T>
  Statement& bind(int index, const std::optional<T>& v) {
    return v ? bind(index, *v) : bind(index, std::nullopt);
  }

  // true: a row is ready; false: done.
  Result<bool> step();
  // Runs to completion (for INSERT/UPDATE/DELETE).
  Status run();
  Status reset();

  bool is_null(int column) const;
  std::int64_t column_int(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::optional<std::string> column_opt_text(int column) const;
  std::vector<unsigned char> column_blob(int column) const;

 private:
  friend class Database;
  struct Impl;
  explicit Statement(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct Migration {
  int version;             // 1, 2, 3 ... applied in order, each once
  std::string_view name;   // for the log
  std::string_view sql;    // one or more statements
};

class Database {
 public:
  // Opens (creating if absent) the database at `path` with `key` (raw 256-bit key; SQLCipher's
  // own KDF is bypassed because the key already comes from Argon2id). kWrongKey if the file exists
  // and the key does not open it; kCorrupt if it is not a database.
  static Result<Database> open(const std::filesystem::path& path, const SecretKey& key);
  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  std::int64_t last_insert_id() const;
  int changes() const;

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back if it returns an error.
  Status transaction(const std::function<Status()>& body);

  // Applies the migrations whose version is above PRAGMA user_version, each in its own
  // transaction. Fails with kInvalid if the file is newer than this program knows.
  Status migrate(std::span<const Migration> migrations);
  int schema_version();

  // PRAGMA integrity_check and PRAGMA cipher_integrity_check; kCorrupt with what failed.
  Status check_integrity();

  // SQLCipher version string, e.g. "4.6.1 community".
  std::string cipher_version();

  // True while a transaction is open on this connection.
  bool in_transaction() const;

  // Writes a consistent copy of the whole database (schema, rows, user_version) to a new file
  // `dest`, encrypted with `key` (sqlcipher_export). `dest` must not exist; on any failure the
  // partial file is removed. kDiskFull when the medium is full.
  Status export_to(const std::filesystem::path& dest, const SecretKey& key);

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace storage
