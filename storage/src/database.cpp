// SQLCipher database: opening with a raw key, statements, transactions, migrations, checks.
#include "storage/database.h"

#include <fcntl.h>
#include <sodium.h>
#include <sqlcipher/sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "file_util.h"
#include "secure.h"

namespace storage {

namespace fs = std::filesystem;

namespace {

// SQLCipher's raw-key literal x'<64 hex>' (bypasses its own KDF: the key comes from Argon2id),
// written into caller-provided secure memory of at least 3 + 2 * kSize + 1 bytes.
void write_raw_key_literal(char* p, std::span<const unsigned char> k) {
  constexpr std::size_t kLen = 3 + 2 * SecretKey::kSize;
  p[0] = 'x';
  p[1] = '\'';
  sodium_bin2hex(p + 2, 2 * SecretKey::kSize + 1, k.data(), k.size());
  p[kLen - 1] = '\'';
  p[kLen] = '\0';
}

constexpr int kBusyTimeoutMs = 5000;
constexpr std::size_t kSqlExcerpt = 60;

// The start of the statement, for error messages. Values are bound, never part of the SQL text, so
// this names the operation without revealing what was stored.
std::string excerpt(std::string_view sql) {
  std::string s(sql.substr(0, kSqlExcerpt));
  std::replace(s.begin(), s.end(), '\n', ' ');
  if (sql.size() > kSqlExcerpt) s += "...";
  return s;
}

Code code_of(int rc, sqlite3* db) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Code::kDiskFull;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Code::kCorrupt;
    case SQLITE_CONSTRAINT:
      return Code::kConstraint;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Code::kBusy;
    case SQLITE_IOERR: {
      // A write that hit ENOSPC may surface as an I/O error; the OS error tells.
      int err = db != nullptr ? sqlite3_system_errno(db) : 0;
      return (err == ENOSPC || err == EDQUOT || err == EFBIG) ? Code::kDiskFull : Code::kIo;
    }
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_NOMEM:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
      return Code::kIo;
    default:  // SQLITE_ERROR (syntax, no such table), MISUSE, RANGE, TOOBIG, MISMATCH ...
      return Code::kInvalid;
  }
}

Error sqlite_error(int rc, sqlite3* db, std::string_view sql, const char* text = nullptr) {
  std::string msg = text != nullptr ? text : (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  return Error{code_of(rc, db), "SQLite: " + msg + " [" + excerpt(sql) + "]"};
}

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

// Runs one statement and returns the first column of every row (for PRAGMAs).
Result<std::vector<std::string>> query_texts(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(sqlite_error(rc, db, sql));
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  std::vector<std::string> rows;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(stmt.get(), 0);
    rows.emplace_back(t != nullptr ? reinterpret_cast<const char*>(t) : "");
  }
  if (rc != SQLITE_DONE) return std::unexpected(sqlite_error(rc, db, sql));
  return rows;
}

Status exec_raw(sqlite3* db, std::string_view sql) {
  std::string text(sql);  // sqlite3_exec needs a terminated string
  char* err = nullptr;
  int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(rc, db, sql, err);
    sqlite3_free(err);
    return std::unexpected(std::move(e));
  }
  return {};
}

// Applies the raw key without SQLCipher's PBKDF2: the blob-literal form x'<64 hex>' is taken as the
// key itself. The hex string lives in guarded memory, wiped when it goes out of scope.
Status apply_key(sqlite3* db, const SecretKey& key) {
  auto k = key.bytes();
  if (k.size() != SecretKey::kSize) return fail(Code::kInvalid, "database key is empty");
  constexpr std::size_t kLen = 3 + 2 * SecretKey::kSize;  // x' + hex + '
  detail::SecureBuffer text(kLen + 1);
  if (!text.ok()) return fail(Code::kIo, "out of secure memory for the database key");
  char* p = text.chars();
  write_raw_key_literal(p, k);
  int rc = sqlite3_key_v2(db, "main", p, static_cast<int>(kLen));
  if (rc != SQLITE_OK) return std::unexpected(sqlite_error(rc, db, "PRAGMA key"));
  return {};
}

// True if the file starts like an unencrypted SQLite database.
bool is_plaintext_sqlite(const fs::path& path) {
  detail::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  char head[16] = {};
  return ::read(fd.get(), head, sizeof head) == static_cast<ssize_t>(sizeof head) &&
         std::memcmp(head, "SQLite format 3", 16) == 0;
}

}  // namespace

// ---- Statement ----------------------------------------------------------------------------------

struct Statement::Impl {
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  std::string sql;  // SQL text only (values are bound), for error messages
  // The first binding error, reported by the next step()/run() so bind() can chain.
  std::optional<Error> bind_error;

  ~Impl() { sqlite3_finalize(stmt); }
  void check_bind(int rc, int index) {
    if (rc != SQLITE_OK && !bind_error) {
      bind_error = sqlite_error(rc, db, sql);
      bind_error->message += " (binding parameter " + std::to_string(index) + ")";
    }
  }
};

Statement::Statement(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Statement::Statement(Statement&&) noexcept = default;
Statement& Statement::operator=(Statement&&) noexcept = default;
Statement::~Statement() = default;

Statement& Statement::bind(int index, std::int64_t value) {
  if (impl_) impl_->check_bind(sqlite3_bind_int64(impl_->stmt, index, value), index);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (impl_) impl_->check_bind(sqlite3_bind_double(impl_->stmt, index, value), index);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  if (impl_) {
    impl_->check_bind(sqlite3_bind_text64(impl_->stmt, index, text.data() != nullptr ? text.data() : "",
                                          text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
                      index);
  }
  return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
  if (impl_) impl_->check_bind(sqlite3_bind_null(impl_->stmt, index), index);
  return *this;
}

Statement& Statement::bind_blob(int index, std::span<const unsigned char> bytes) {
  if (impl_) {
    // A null pointer would bind SQL NULL; an empty blob must stay an empty blob.
    static const unsigned char kEmpty = 0;
    const void* data = bytes.empty() ? &kEmpty : bytes.data();
    impl_->check_bind(sqlite3_bind_blob64(impl_->stmt, index, data, bytes.size(), SQLITE_TRANSIENT), index);
  }
  return *this;
}

Result<bool> Statement::step() {
  if (!impl_) return fail(Code::kInvalid, "step on a moved-from statement");
  if (impl_->bind_error) return std::unexpected(*impl_->bind_error);
  int rc = sqlite3_step(impl_->stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error e = sqlite_error(rc, impl_->db, impl_->sql);
  sqlite3_reset(impl_->stmt);  // leave the statement reusable after a failure
  return std::unexpected(std::move(e));
}

Status Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return std::unexpected(r.error());
    if (!*r) break;
  }
  sqlite3_reset(impl_->stmt);  // release read locks now; bindings are kept for the next run
  return {};
}

Status Statement::reset() {
  if (!impl_) return fail(Code::kInvalid, "reset on a moved-from statement");
  // sqlite3_reset repeats the error of the last step, which step() reported already, so only the
  // state matters here. As in SQLite, bindings are kept; rebind what changes.
  sqlite3_reset(impl_->stmt);
  impl_->bind_error.reset();
  return {};
}

bool Statement::is_null(int column) const {
  return !impl_ || sqlite3_column_type(impl_->stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int(int column) const {
  return impl_ ? sqlite3_column_int64(impl_->stmt, column) : 0;
}

double Statement::column_double(int column) const {
  return impl_ ? sqlite3_column_double(impl_->stmt, column) : 0.0;
}

std::string Statement::column_text(int column) const {
  if (!impl_) return {};
  const auto* t = sqlite3_column_text(impl_->stmt, column);
  if (t == nullptr) return {};
  int n = sqlite3_column_bytes(impl_->stmt, column);  // after column_text, as SQLite requires
  return std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(n));
}

std::optional<std::string> Statement::column_opt_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_text(column);
}

std::vector<unsigned char> Statement::column_blob(int column) const {
  if (!impl_) return {};
  const auto* b = static_cast<const unsigned char*>(sqlite3_column_blob(impl_->stmt, column));
  int n = sqlite3_column_bytes(impl_->stmt, column);
  if (b == nullptr || n <= 0) return {};
  return std::vector<unsigned char>(b, b + n);
}

// ---- Database -----------------------------------------------------------------------------------

struct Database::Impl {
  DbHandle db;
  fs::path path;
};

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

Result<Database> Database::open(const fs::path& path, const SecretKey& key) {
  if (!detail::sodium_ready()) return fail(Code::kIo, "libsodium could not be initialised");
  if (key.bytes().size() != SecretKey::kSize) return fail(Code::kInvalid, "database key is empty");

  // A new database file is created here, owner-only; SQLite gives its -wal and -shm files the
  // same mode. SQLite treats an empty file as a new database.
  bool created = false;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return std::unexpected(detail::errno_error(errno, "stat", path));
    detail::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.valid()) return std::unexpected(detail::errno_error(errno, "create", path));
    created = true;
    st.st_size = 0;
  } else if (!S_ISREG(st.st_mode)) {
    return fail(Code::kInvalid, "not a regular file: " + path.string());
  }
  const bool had_content = st.st_size > 0;
  // Nothing is left behind when a database this call created cannot be set up.
  auto cleanup_created = [&] {
    if (created) {
      ::unlink(path.c_str());
      for (const char* suffix : {"-wal", "-shm", "-journal"}) ::unlink((path.string() + suffix).c_str());
    }
  };

  if (had_content && is_plaintext_sqlite(path)) {
    return fail(Code::kCorrupt, "unencrypted SQLite file, not a station database: " + path.string());
  }

  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(rc, raw, "open");
    e.message += " " + path.string();
    cleanup_created();
    return std::unexpected(std::move(e));
  }
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);

  const auto failed = [&](Error e) {
    db.reset();  // close before removing files
    cleanup_created();
    return std::unexpected(std::move(e));
  };

  // Linked against plain SQLite (or an old SQLCipher), the key would be ignored and the file
  // written in clear: refuse instead.
  auto version = query_texts(db.get(), "PRAGMA cipher_version");
  if (!version || version->empty() || (*version)[0].rfind("4.", 0) != 0) {
    return failed(Error{Code::kIo, "SQLCipher 4.x is required; the linked SQLite library is not it"});
  }
  if (auto s = apply_key(db.get(), key); !s) return failed(s.error());

  // The first read decrypts page 1: a wrong key (or a file that is not a station database at all;
  // the two cannot be told apart) fails here with SQLITE_NOTADB.
  if (auto r = query_texts(db.get(), "SELECT count(*) FROM sqlite_master"); !r) {
    int code = sqlite3_errcode(db.get());
    if (had_content && (code & 0xff) == SQLITE_NOTADB) {
      return failed(Error{Code::kWrongKey, "wrong key or not a station database: " + path.string()});
    }
    return failed(r.error());
  }

  // temp_store=MEMORY: sorts and temporary tables never reach disk unencrypted.
  // secure_delete=ON: freed pages are zeroed (inside the encryption) rather than left readable.
  // cache_size: 16 MiB of decrypted pages (default 2 MiB), so reads seldom pay for decryption
  // and HMAC again; the store's working set fits.
  for (std::string_view pragma : {"PRAGMA temp_store = MEMORY", "PRAGMA secure_delete = ON",
                                  "PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL",
                                  "PRAGMA cache_size = -16384"}) {
    if (auto r = query_texts(db.get(), pragma); !r) return failed(r.error());
  }
  auto mode = query_texts(db.get(), "PRAGMA journal_mode = WAL");
  if (!mode) return failed(mode.error());
  if (mode->empty() || (*mode)[0] != "wal") {
    return failed(Error{Code::kIo, "could not switch to WAL journal mode: " + path.string()});
  }

  auto impl = std::make_unique<Impl>();
  impl->db = std::move(db);
  impl->path = path;
  return Database(std::move(impl));
}

Status Database::exec(std::string_view sql) {
  if (!impl_) return fail(Code::kInvalid, "exec on a moved-from database");
  return exec_raw(impl_->db.get(), sql);
}

Result<Statement> Database::prepare(std::string_view sql) {
  if (!impl_) return fail(Code::kInvalid, "prepare on a moved-from database");
  sqlite3* db = impl_->db.get();
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                              &tail);
  if (rc != SQLITE_OK) return std::unexpected(sqlite_error(rc, db, sql));
  if (raw == nullptr) return fail(Code::kInvalid, "empty SQL statement");
  auto impl = std::make_unique<Statement::Impl>();
  impl->db = db;
  impl->stmt = raw;
  impl->sql = std::string(sql);
  // Only one statement is compiled; refuse trailing ones rather than silently ignoring them.
  std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    return fail(Code::kInvalid, "prepare takes one statement [" + excerpt(sql) + "]");
  }
  return Statement(std::move(impl));
}

std::int64_t Database::last_insert_id() const {
  return impl_ ? sqlite3_last_insert_rowid(impl_->db.get()) : 0;
}

int Database::changes() const { return impl_ ? sqlite3_changes(impl_->db.get()) : 0; }

Status Database::transaction(const std::function<Status()>& body) {
  if (!impl_) return fail(Code::kInvalid, "transaction on a moved-from database");
  sqlite3* db = impl_->db.get();
  if (auto s = exec_raw(db, "BEGIN IMMEDIATE"); !s) return s;
  const auto rollback = [db] {
    // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
    if (sqlite3_get_autocommit(db) == 0) exec_raw(db, "ROLLBACK");
  };
  Status result;
  try {
    result = body();
  } catch (...) {
    rollback();  // keep the database consistent, then let the caller see its own exception
    throw;
  }
  if (!result) {
    rollback();
    return result;
  }
  if (auto s = exec_raw(db, "COMMIT"); !s) {
    rollback();
    return s;
  }
  return {};
}

int Database::schema_version() {
  if (!impl_) return -1;
  auto r = query_texts(impl_->db.get(), "PRAGMA user_version");
  if (!r || r->empty()) return -1;
  return std::atoi((*r)[0].c_str());
}

Status Database::migrate(std::span<const Migration> migrations) {
  if (!impl_) return fail(Code::kInvalid, "migrate on a moved-from database");
  int highest = 0;
  for (const Migration& m : migrations) {
    if (m.version <= highest) {
      return fail(Code::kInvalid, "migrations must have versions 1, 2, 3 ... in increasing order");
    }
    highest = m.version;
  }
  int current = schema_version();
  if (current < 0) return fail(Code::kIo, "could not read the schema version of " + impl_->path.string());
  if (current > highest) {
    return fail(Code::kInvalid, "database schema version " + std::to_string(current) +
                                    " is newer than this program knows (" + std::to_string(highest) +
                                    "); update the program");
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    auto s = transaction([&]() -> Status {
      if (auto r = exec(m.sql); !r) return r;
      // user_version lives in page 1, so this is part of the same transaction.
      return exec("PRAGMA user_version = " + std::to_string(m.version));
    });
    if (!s) {
      Error e = s.error();
      e.message =
          "migration " + std::to_string(m.version) + " (" + std::string(m.name) + ") failed: " + e.message;
      return std::unexpected(std::move(e));
    }
  }
  return {};
}

Status Database::check_integrity() {
  if (!impl_) return fail(Code::kInvalid, "check on a moved-from database");
  sqlite3* db = impl_->db.get();
  std::vector<std::string> problems;
  auto integrity = query_texts(db, "PRAGMA integrity_check(20)");
  if (!integrity) {
    problems.push_back("integrity_check could not run: " + integrity.error().message);
  } else if (integrity->size() != 1 || (*integrity)[0] != "ok") {
    for (auto& row : *integrity) problems.push_back("integrity_check: " + row);
  }
  // One row per page whose HMAC does not match (a page altered on disk).
  auto cipher = query_texts(db, "PRAGMA cipher_integrity_check");
  if (!cipher) {
    problems.push_back("cipher_integrity_check could not run: " + cipher.error().message);
  } else {
    for (std::size_t i = 0; i < cipher->size() && i < 20; ++i) {
      problems.push_back("cipher_integrity_check: " + (*cipher)[i]);
    }
  }
  if (problems.empty()) return {};
  std::string msg = "database " + impl_->path.string() + " failed its integrity check:";
  for (auto& p : problems) msg += "\n  " + p;
  return fail(Code::kCorrupt, std::move(msg));
}

std::string Database::cipher_version() {
  if (!impl_) return {};
  auto r = query_texts(impl_->db.get(), "PRAGMA cipher_version");
  if (!r || r->empty()) return {};
  return (*r)[0];
}

}  // namespace storage

namespace storage {

bool Database::in_transaction() const { return impl_ && sqlite3_get_autocommit(impl_->db.get()) == 0; }

Status Database::export_to(const fs::path& dest, const SecretKey& key) {
  if (!impl_) return fail(Code::kInvalid, "export of a moved-from database");
  auto k = key.bytes();
  if (k.size() != SecretKey::kSize) return fail(Code::kInvalid, "export key is empty");
  sqlite3* db = impl_->db.get();
  if (sqlite3_get_autocommit(db) == 0) return fail(Code::kInvalid, "export inside a transaction");
  // Created here, owner-only and exclusive: an existing file is never overwritten.
  {
    detail::UniqueFd fd(::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.valid()) return std::unexpected(detail::errno_error(errno, "create", dest));
  }
  const auto remove_partial = [&] {
    ::unlink(dest.c_str());
    for (const char* suffix : {"-wal", "-shm", "-journal"}) ::unlink((dest.string() + suffix).c_str());
  };

  constexpr std::size_t kLen = 3 + 2 * SecretKey::kSize;
  detail::SecureBuffer text(kLen + 1);
  if (!text.ok()) {
    remove_partial();
    return fail(Code::kIo, "out of secure memory for the export key");
  }
  char* p = text.chars();
  write_raw_key_literal(p, k);

  const int version = schema_version();
  Status result;
  {
    auto attach = prepare("ATTACH DATABASE ? AS station_export KEY ?");
    if (!attach) {
      remove_partial();
      return std::unexpected(attach.error());
    }
    attach->bind(1, dest.string()).bind(2, std::string_view(p, kLen));
    result = attach->run();
  }
  if (!result) {
    remove_partial();
    return result;
  }
  result = exec_raw(db, "SELECT sqlcipher_export('station_export')");
  if (!result) {
    // sqlcipher_export reports a failed write as SQLITE_ERROR with the I/O error's text; recover
    // the real cause so a full medium reads as kDiskFull.
    const int sys = sqlite3_system_errno(db);
    const std::string& m = result.error().message;
    if (sys == ENOSPC || sys == EDQUOT || sys == EFBIG || m.find("disk is full") != std::string::npos) {
      result.error().code = Code::kDiskFull;
    } else if (m.find("I/O error") != std::string::npos) {
      result.error().code = Code::kIo;
    }
  }
  if (result) result = exec_raw(db, "PRAGMA station_export.user_version = " + std::to_string(version));
  if (auto d = exec_raw(db, "DETACH DATABASE station_export"); !d && result) result = d;
  if (!result) {
    remove_partial();
    return result;
  }
  // Make the new file and its directory entry durable.
  detail::UniqueFd fd(::open(dest.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid() || ::fsync(fd.get()) != 0) {
    Error e = detail::errno_error(errno, "fsync", dest);
    remove_partial();
    return std::unexpected(std::move(e));
  }
  fs::path dir = dest.parent_path();
  return detail::fsync_dir(dir.empty() ? fs::path(".") : dir);
}

}  // namespace storage
