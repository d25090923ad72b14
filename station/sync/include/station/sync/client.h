#pragma once
// The station's connection to the main system (PostgreSQL over libpq): the only code that speaks
// the main system's SQL. The station's own store is not seen here: the facade reads the outbox
// (station/store/outbox.h) and hands its changes over as plain values.
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "station/error.h"
#include "station/security_types.h"

namespace station::sync {

// The version of the main system's schema this program speaks (station/sync/sql/v<N>.sql).
inline constexpr int kServerSchemaVersion = 3;

// One shipped SQL file: the full schema of version 1, or the upgrade from version-1 to version.
struct SchemaFile {
  int version;
  const char* name;
  const char* sql;
};
const std::vector<SchemaFile>& schema_files();
// What `station sync schema` prints: every file in version order, each headed by a comment that
// says which server versions it applies to.
std::string schema_sql();

// One outbox change as delivered. key is the idempotency key ("<store id>:<seq>").
struct Change {
  std::int64_t seq = 0;
  std::string key;
  std::string kind;
  std::string entity;
  std::string payload;  // JSON object text
  std::string created_at;
};

// One electronic receipt from the main system's feed, with its place in the feed (the cursor).
struct Receipt {
  std::int64_t feed_seq = 0;
  ElectronicApplication application;  // received_at in JST, "YYYY-MM-DDTHH:MM:SS+09:00"
};

// One mailed application of another station from the main system's feed (mailed.application_feed,
// schema version 2): what the duplicate check needs, with its place in the feed (the cursor).
// removed: the station removed it (drop it).
struct RemoteApplication {
  std::int64_t feed_seq = 0;
  std::string station;
  std::int64_t envelope_id = 0;
  std::string receipt_no, received_date, registered_at, jigyosho_no;
  bool removed = false;
};

class Connection {
 public:
  // Connects with the libpq connection string `url` and checks the server's schema version.
  // Every network wait (connect, each statement) is bounded by `timeout`. Errors:
  // kSyncUnreachable (no answer, connection cut, TLS failed), kSyncAuth (role, password or
  // certificate refused), kSyncSchema (no station schema, or another version), kSyncProtocol
  // (the server answered something else than expected). Messages name no personal value.
  static Result<Connection> open(const std::string& url, std::chrono::milliseconds timeout);
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // The role the station is logged in as (its identity on the main system).
  const std::string& role() const;
  int server_version() const;

  // Delivers `changes` (in seq order) in one server transaction; returns how many were new to the
  // server (a replay of delivered changes returns 0 and changes nothing there).
  Result<int> push(std::span<const Change> changes);
  // At most `limit` electronic receipts after `cursor`, in feed order.
  Result<std::vector<Receipt>> pull(std::int64_t cursor, int limit);
  // At most `limit` of the other stations' mailed applications after `cursor`, in feed order.
  Result<std::vector<RemoteApplication>> pull_applications(std::int64_t cursor, int limit);

 private:
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace station::sync
