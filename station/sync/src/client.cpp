// The connection to the main system over libpq, with every network wait bounded: a query is sent
// asynchronously and its answer awaited with poll(), so a stalled server or a proxy that holds
// the bytes ends in kSyncUnreachable instead of a hung station.
#include "station/sync/client.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

namespace station::sync {

namespace {

using Clock = std::chrono::steady_clock;

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;
using ResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// A failed connection attempt, classified by what libpq says (it gives no SQLSTATE before login):
// a peer that is not PostgreSQL first ("expected authentication request ... received H" is no
// refused login), then a refused login, else unreachable.
Error connect_error(std::string_view message) {
  std::string first(message.substr(0, message.find('\n')));
  if (contains(message, "invalid response") || contains(message, "expected authentication request") ||
      contains(message, "unexpected message") || contains(message, "protocol") ||
      contains(message, "invalid message") || contains(message, "server sent data"))
    return Error{ErrorCode::kSyncProtocol, "the main system did not answer as PostgreSQL: " + first};
  if (contains(message, "password authentication failed") || contains(message, "no password supplied") ||
      contains(message, "SCRAM") || contains(message, "certificate") || contains(message, "pg_hba.conf") ||
      contains(message, "does not exist") || contains(message, "authentication"))
    return Error{ErrorCode::kSyncAuth, "the main system refused the login: " + first};
  return Error{ErrorCode::kSyncUnreachable, "the main system could not be reached: " + first};
}

// A failed statement: by SQLSTATE, or as unreachable when the connection is gone. Data errors
// (class 22) may quote a value, so only their SQLSTATE is kept.
Error statement_error(PGconn* conn, const PGresult* res, std::string_view what) {
  if (!res || PQstatus(conn) == CONNECTION_BAD)
    return Error{ErrorCode::kSyncUnreachable, std::string(what) + ": the connection was lost"};
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const std::string code = state ? state : "";
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  std::string text = std::string(what) + ": SQLSTATE " + code;
  if (!code.starts_with("22") && primary) text += " " + std::string(primary);
  if (code.starts_with("08") || code.starts_with("57") || code == "40001" || code == "40P01" || code.starts_with("53"))
    return Error{ErrorCode::kSyncUnreachable, text};
  if (code.starts_with("28") || code == "42501") return Error{ErrorCode::kSyncAuth, text};
  if (code == "42P01" || code == "3F000" || code == "42883")
    return Error{ErrorCode::kSyncSchema, text + " (the main system has no station schema of this version)"};
  return Error{ErrorCode::kSyncProtocol, text};
}

}  // namespace

std::string schema_sql() {
  std::string out;
  for (const auto& f : schema_files()) {
    out += "-- ==== ";
    out += f.name;
    out += f.version == 1 ? ": the full schema, version 1 (a new server)"
                          : ": upgrade from version " + std::to_string(f.version - 1) + " to " +
                                std::to_string(f.version);
    out += " ====\n";
    out += f.sql;
    if (!out.ends_with('\n')) out += '\n';
  }
  return out;
}

struct Connection::Impl {
  ConnPtr conn;
  std::chrono::milliseconds timeout;
  std::string role;
  int version = 0;

  // Waits until the socket is ready for `events` or the deadline passes.
  bool wait(short events, Clock::time_point deadline) {
    const int fd = PQsocket(conn.get());
    if (fd < 0) return false;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd, events, 0};
      const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) return false;
    }
  }

  // One statement with text parameters; the last result, or an error. The connection is closed
  // after a timeout or a cut (a half-read answer cannot be resumed): the next call reconnects.
  Result<ResultPtr> exec(std::string_view what, const char* sql, std::span<const std::string> params) {
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK)
      return fail(ErrorCode::kSyncUnreachable, std::string(what) + ": not connected");
    const auto deadline = Clock::now() + timeout;
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    if (!PQsendQueryParams(conn.get(), sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0))
      return lost(what);
    for (;;) {
      const int f = PQflush(conn.get());
      if (f == 0) break;
      if (f < 0 || !wait(POLLOUT | POLLIN, deadline)) return lost(what);
      if (!PQconsumeInput(conn.get())) return lost(what);
    }
    ResultPtr last;
    for (;;) {
      while (PQisBusy(conn.get())) {
        if (!wait(POLLIN, deadline) || !PQconsumeInput(conn.get())) return lost(what);
      }
      PGresult* r = PQgetResult(conn.get());
      if (!r) break;
      last.reset(r);
    }
    if (!last) return lost(what);
    const auto status = PQresultStatus(last.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return std::unexpected(statement_error(conn.get(), last.get(), what));
    return last;
  }

  std::unexpected<Error> lost(std::string_view what) {
    conn.reset();
    return std::unexpected(Error{ErrorCode::kSyncUnreachable, std::string(what) + ": no answer in time or the connection was cut"});
  }
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Result<Connection> Connection::open(const std::string& url, std::chrono::milliseconds timeout) {
  if (url.empty()) return fail(ErrorCode::kConfig, "sync.url is not set: the station has no main system to sync with");
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &err);
  if (!parsed) {
    PQfreemem(err);
    // The parser's message may quote the string, password included: not repeated here.
    return fail(ErrorCode::kConfig, "sync.url is not a libpq connection string (key=value ... or postgresql://...)");
  }
  PQconninfoFree(parsed);
  const std::string connect_timeout = std::to_string(std::max<long long>(2, (timeout.count() + 999) / 1000));
  const std::string user_timeout = std::to_string(timeout.count());
  const char* keys[] = {"dbname", "connect_timeout", "application_name", "keepalives", "keepalives_idle",
                        "keepalives_interval", "keepalives_count", "tcp_user_timeout", nullptr};
  const char* values[] = {url.c_str(), connect_timeout.c_str(), "station-sync", "1", "5", "2", "3",
                          user_timeout.c_str(), nullptr};
  auto impl = std::make_unique<Impl>();
  impl->timeout = timeout;
  impl->conn.reset(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (!impl->conn) return fail(ErrorCode::kSyncUnreachable, "libpq could not allocate a connection");
  if (PQstatus(impl->conn.get()) != CONNECTION_OK) return std::unexpected(connect_error(PQerrorMessage(impl->conn.get())));
  if (PQsetnonblocking(impl->conn.get(), 1) != 0)
    return fail(ErrorCode::kSyncUnreachable, "the connection could not be made non-blocking");
  auto r = impl->exec("checking the main system's schema version",
                      "SELECT session_user::text, (SELECT max(version) FROM station_meta.schema_version)::text", {});
  if (!r) return std::unexpected(r.error());
  PGresult* res = r->get();
  if (PQntuples(res) != 1 || PQnfields(res) != 2)
    return fail(ErrorCode::kSyncProtocol, "the schema version query returned an unexpected shape");
  impl->role = PQgetvalue(res, 0, 0);
  const int version = PQgetisnull(res, 0, 1) ? 0 : std::atoi(PQgetvalue(res, 0, 1));
  impl->version = version;
  if (version < kServerSchemaVersion)
    return fail(ErrorCode::kSyncSchema, "the main system's schema is version " + std::to_string(version) +
                                            "; this station needs version " + std::to_string(kServerSchemaVersion) +
                                            " (apply the upgrade printed by `station sync schema`)");
  if (version > kServerSchemaVersion)
    return fail(ErrorCode::kSyncSchema, "the main system's schema is version " + std::to_string(version) +
                                            ", newer than this station knows (" +
                                            std::to_string(kServerSchemaVersion) + "): update the station");
  return Connection(std::move(impl));
}

const std::string& Connection::role() const { return impl_->role; }
int Connection::server_version() const { return impl_->version; }

Result<int> Connection::push(std::span<const Change> changes) {
  if (changes.empty()) return 0;
  nlohmann::json batch = nlohmann::json::array();
  for (const auto& c : changes) {
    nlohmann::json payload = nlohmann::json::parse(c.payload, nullptr, /*allow_exceptions=*/false);
    if (payload.is_discarded() || !payload.is_object())
      return fail(ErrorCode::kInternal, "outbox change " + std::to_string(c.seq) + " holds no JSON object");
    batch.push_back({{"seq", c.seq}, {"key", c.key}, {"kind", c.kind}, {"entity", c.entity},
                     {"created_at", c.created_at}, {"payload", std::move(payload)}});
  }
  const std::string params[] = {batch.dump()};
  auto r = impl_->exec("delivering changes", "SELECT mailed.apply_changes($1::jsonb)", params);
  if (!r) return std::unexpected(r.error());
  if (PQntuples(r->get()) != 1 || PQnfields(r->get()) != 1 || PQgetisnull(r->get(), 0, 0))
    return fail(ErrorCode::kSyncProtocol, "mailed.apply_changes returned an unexpected shape");
  return std::atoi(PQgetvalue(r->get(), 0, 0));
}

Result<std::vector<Receipt>> Connection::pull(std::int64_t cursor, int limit) {
  const std::string params[] = {std::to_string(cursor), std::to_string(limit)};
  auto r = impl_->exec("reading electronic receipts",
                       "SELECT feed_seq, application_no, facility_id, jigyosho_no, facility_name, "
                       "to_char(received_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '+09:00' "
                       "FROM electronic.receipts WHERE feed_seq > $1::bigint ORDER BY feed_seq LIMIT $2::integer",
                       params);
  if (!r) return std::unexpected(r.error());
  PGresult* res = r->get();
  if (PQnfields(res) != 6) return fail(ErrorCode::kSyncProtocol, "electronic.receipts returned an unexpected shape");
  std::vector<Receipt> out;
  for (int i = 0; i < PQntuples(res); ++i) {
    Receipt rc;
    rc.feed_seq = std::strtoll(PQgetvalue(res, i, 0), nullptr, 10);
    rc.application = ElectronicApplication{PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
                                           PQgetvalue(res, i, 4), PQgetvalue(res, i, 5)};
    if (rc.feed_seq <= cursor) return fail(ErrorCode::kSyncProtocol, "electronic.receipts went backwards");
    cursor = rc.feed_seq;
    out.push_back(std::move(rc));
  }
  return out;
}

Result<std::vector<RemoteApplication>> Connection::pull_applications(std::int64_t cursor, int limit) {
  const std::string params[] = {std::to_string(cursor), std::to_string(limit)};
  auto r = impl_->exec("reading the other stations' applications",
                       "SELECT feed_seq, station, envelope_id, receipt_no, received_date, registered_at, jigyosho_no, "
                       "removed::text FROM mailed.other_applications($1::bigint, $2::integer)",
                       params);
  if (!r) return std::unexpected(r.error());
  PGresult* res = r->get();
  if (PQnfields(res) != 8) return fail(ErrorCode::kSyncProtocol, "mailed.other_applications returned an unexpected shape");
  std::vector<RemoteApplication> out;
  for (int i = 0; i < PQntuples(res); ++i) {
    RemoteApplication a;
    a.feed_seq = std::strtoll(PQgetvalue(res, i, 0), nullptr, 10);
    a.station = PQgetvalue(res, i, 1);
    a.envelope_id = std::strtoll(PQgetvalue(res, i, 2), nullptr, 10);
    a.receipt_no = PQgetvalue(res, i, 3);
    a.received_date = PQgetvalue(res, i, 4);
    a.registered_at = PQgetvalue(res, i, 5);
    a.jigyosho_no = PQgetvalue(res, i, 6);
    a.removed = std::string_view(PQgetvalue(res, i, 7)) == "true";
    if (a.feed_seq <= cursor) return fail(ErrorCode::kSyncProtocol, "mailed.other_applications went backwards");
    cursor = a.feed_seq;
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace station::sync
