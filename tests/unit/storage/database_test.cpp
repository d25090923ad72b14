// The SQLCipher database: keys, encryption at rest, statements, transactions, migrations, checks.
#include "storage/database.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.h"

namespace storage {
namespace {

namespace fs = std::filesystem;
using testing::contains_bytes;
using testing::read_bytes;
using testing::ScratchDir;

SecretKey key_of(unsigned char fill) {
  std::vector<unsigned char> raw(SecretKey::kSize, fill);
  return std::move(*SecretKey::from_bytes(raw));
}

class DatabaseTest : public ::testing::Test {
 protected:
  Database open_ok(unsigned char key_fill = 1) {
    auto db = Database::open(file_, key_of(key_fill));
    EXPECT_TRUE(db) << db.error().message;
    return std::move(*db);
  }

  ScratchDir dir_;
  fs::path file_ = dir_ / "station.db";
};

TEST_F(DatabaseTest, CreatesAnEncryptedPrivateFileAndReopensWithTheKey) {
  {
    Database db = open_ok();
    ASSERT_TRUE(db.exec("CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT NOT NULL)"));
    auto ins = db.prepare("INSERT INTO person(name) VALUES(?)");
    ASSERT_TRUE(ins);
    ASSERT_TRUE(ins->bind(1, "山田 太郎").run());
    EXPECT_EQ(db.last_insert_id(), 1);
    EXPECT_EQ(db.changes(), 1);
  }
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  Database db = open_ok();
  auto q = db.prepare("SELECT name FROM person WHERE id = ?");
  ASSERT_TRUE(q);
  q->bind(1, std::int64_t{1});
  auto row = q->step();
  ASSERT_TRUE(row);
  ASSERT_TRUE(*row);
  EXPECT_EQ(q->column_text(0), "山田 太郎");
  auto done = q->step();
  ASSERT_TRUE(done);
  EXPECT_FALSE(*done);
}

TEST_F(DatabaseTest, WrongKeyIsRefusedAndLeavesTheFileAlone) {
  {
    Database db = open_ok(1);
    ASSERT_TRUE(db.exec("CREATE TABLE t(x); INSERT INTO t VALUES(1);"));
  }
  auto before = read_bytes(file_);
  ASSERT_FALSE(before.empty());

  auto wrong = Database::open(file_, key_of(2));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Code::kWrongKey);
  EXPECT_NE(wrong.error().message.find("wrong key"), std::string::npos);
  // Nothing half-opened: the file is unchanged and no journal files were left behind.
  EXPECT_EQ(read_bytes(file_), before);
  EXPECT_FALSE(fs::exists(file_.string() + "-wal"));
  EXPECT_FALSE(fs::exists(file_.string() + "-shm"));

  // The right key still opens it.
  Database db = open_ok(1);
  auto q = db.prepare("SELECT x FROM t");
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->step().value_or(false));
  EXPECT_EQ(q->column_int(0), 1);
}

TEST_F(DatabaseTest, NonDatabaseFilesAreRefused) {
  testing::write_bytes(file_, testing::pseudo_random_bytes(8192, 5));
  auto r = Database::open(file_, key_of(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kWrongKey);  // indistinguishable from a wrong key

  testing::write_bytes(file_,
                       testing::bytes_of(std::string("SQLite format 3\0", 16) + std::string(4080, '\0')));
  auto plain = Database::open(file_, key_of(1));
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code, Code::kCorrupt);
}

TEST_F(DatabaseTest, FileHoldsNoPlaintext) {
  constexpr std::string_view kMarker = "DISTINCTIVE-Chiba-Sakura-4711";
  {
    Database db = open_ok();
    ASSERT_TRUE(db.exec("CREATE TABLE applicant_secret_table(v TEXT)"));
    auto ins = db.prepare("INSERT INTO applicant_secret_table VALUES(?)");
    ASSERT_TRUE(ins);
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(ins->bind(1, std::string(kMarker) + std::to_string(i)).run());
    }
  }
  // Closing the last connection checkpoints the WAL into the main file and deletes it.
  EXPECT_FALSE(fs::exists(file_.string() + "-wal"));
  auto raw = read_bytes(file_);
  ASSERT_GT(raw.size(), 4096u);
  EXPECT_FALSE(contains_bytes(raw, kMarker));
  EXPECT_FALSE(contains_bytes(raw, "applicant_secret_table"));  // the schema is encrypted too
  EXPECT_FALSE(contains_bytes(raw, "SQLite format 3"));

  // And while it is open, the WAL holds no plaintext either.
  Database db = open_ok();
  ASSERT_TRUE(db.exec("INSERT INTO applicant_secret_table VALUES('" + std::string(kMarker) + "-wal')"));
  ASSERT_TRUE(fs::exists(file_.string() + "-wal"));
  EXPECT_FALSE(contains_bytes(read_bytes(file_.string() + "-wal"), kMarker));
}

TEST_F(DatabaseTest, PragmasAreSet) {
  Database db = open_ok();
  const std::array<std::pair<const char*, const char*>, 5> expected = {{
      {"PRAGMA journal_mode", "wal"},
      {"PRAGMA foreign_keys", "1"},
      {"PRAGMA secure_delete", "1"},
      {"PRAGMA temp_store", "2"},   // MEMORY
      {"PRAGMA synchronous", "2"},  // FULL
  }};
  for (const auto& [sql, value] : expected) {
    auto q = db.prepare(sql);
    ASSERT_TRUE(q) << sql;
    ASSERT_TRUE(q->step().value_or(false)) << sql;
    EXPECT_EQ(q->column_text(0), value) << sql;
  }
  EXPECT_EQ(db.cipher_version().rfind("4.", 0), 0u) << db.cipher_version();
}

TEST_F(DatabaseTest, BindsAndReadsEveryType) {
  Database db = open_ok();
  ASSERT_TRUE(db.exec("CREATE TABLE v(i INTEGER, d REAL, t TEXT, n TEXT, b BLOB, e BLOB, o TEXT)"));
  auto ins = db.prepare("INSERT INTO v VALUES(?, ?, ?, ?, ?, ?, ?)");
  ASSERT_TRUE(ins);
  const std::vector<unsigned char> blob = {0, 1, 2, 255};
  std::optional<std::string> absent;
  ins->bind(1, std::int64_t{-9'000'000'000})
      .bind(2, 2.5)
      .bind(3, std::string_view("テキスト"))
      .bind(4, std::nullopt)
      .bind_blob(5, blob)
      .bind_blob(6, {})
      .bind(7, absent);
  ASSERT_TRUE(ins->run());

  auto q = db.prepare("SELECT i, d, t, n, b, e, o, typeof(e) FROM v");
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->step().value_or(false));
  EXPECT_EQ(q->column_int(0), -9'000'000'000);
  EXPECT_DOUBLE_EQ(q->column_double(1), 2.5);
  EXPECT_EQ(q->column_text(2), "テキスト");
  EXPECT_TRUE(q->is_null(3));
  EXPECT_EQ(q->column_opt_text(3), std::nullopt);
  EXPECT_EQ(q->column_opt_text(2), std::optional<std::string>("テキスト"));
  EXPECT_EQ(q->column_blob(4), blob);
  EXPECT_TRUE(q->column_blob(5).empty());
  EXPECT_FALSE(q->is_null(5));  // an empty blob is not NULL
  EXPECT_TRUE(q->is_null(6));
  EXPECT_EQ(q->column_text(7), "blob");
}

TEST_F(DatabaseTest, StatementCanBeResetAndReused) {
  Database db = open_ok();
  ASSERT_TRUE(db.exec("CREATE TABLE n(x INTEGER)"));
  auto ins = db.prepare("INSERT INTO n VALUES(?)");
  ASSERT_TRUE(ins);
  for (std::int64_t i = 0; i < 5; ++i) ASSERT_TRUE(ins->bind(1, i).run());
  auto q = db.prepare("SELECT count(*), sum(x) FROM n");
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->step().value_or(false));
  EXPECT_EQ(q->column_int(0), 5);
  EXPECT_EQ(q->column_int(1), 10);
  ASSERT_TRUE(q->reset());
  ASSERT_TRUE(q->step().value_or(false));
  EXPECT_EQ(q->column_int(0), 5);
}

TEST_F(DatabaseTest, BadSqlAndBadBindingsAreErrors) {
  Database db = open_ok();
  auto bad = db.prepare("SELEC nonsense");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Code::kInvalid);
  EXPECT_NE(bad.error().message.find("SELEC nonsense"), std::string::npos);

  auto two = db.prepare("SELECT 1; SELECT 2");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, Code::kInvalid);

  auto q = db.prepare("SELECT ?");
  ASSERT_TRUE(q);
  q->bind(5, std::int64_t{1});  // out of range
  auto r = q->step();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalid);

  auto missing = db.exec("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Code::kInvalid);
}

TEST_F(DatabaseTest, ConstraintViolationsAreReportedWithoutValues) {
  Database db = open_ok();
  ASSERT_TRUE(db.exec(
      "CREATE TABLE corp(id INTEGER PRIMARY KEY, name TEXT UNIQUE);"
      "CREATE TABLE facility(id INTEGER PRIMARY KEY, corp_id INTEGER NOT NULL REFERENCES corp(id));"));
  auto ins = db.prepare("INSERT INTO corp(name) VALUES(?)");
  ASSERT_TRUE(ins);
  ASSERT_TRUE(ins->bind(1, "社会福祉法人 秘密の名前").run());
  auto dup = ins->bind(1, "社会福祉法人 秘密の名前").run();
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Code::kConstraint);
  EXPECT_EQ(dup.error().message.find("秘密"), std::string::npos) << dup.error().message;
  EXPECT_NE(dup.error().message.find("INSERT INTO corp"), std::string::npos);

  // Foreign keys are enforced.
  auto fk = db.prepare("INSERT INTO facility(corp_id) VALUES(?)");
  ASSERT_TRUE(fk);
  auto orphan = fk->bind(1, std::int64_t{999}).run();
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, Code::kConstraint);
  // The statement is usable again after the failure.
  ASSERT_TRUE(fk->bind(1, std::int64_t{1}).run());
}

TEST_F(DatabaseTest, TransactionCommitsOrRollsBack) {
  Database db = open_ok();
  ASSERT_TRUE(db.exec("CREATE TABLE t(x INTEGER UNIQUE)"));
  auto count = [&] {
    auto q = db.prepare("SELECT count(*) FROM t");
    return q && q->step().value_or(false) ? q->column_int(0) : -1;
  };

  auto ok = db.transaction([&]() -> Status { return db.exec("INSERT INTO t VALUES(1)"); });
  ASSERT_TRUE(ok);
  EXPECT_EQ(count(), 1);

  // The body reports an error after a successful insert: everything is undone.
  auto failed = db.transaction([&]() -> Status {
    if (auto s = db.exec("INSERT INTO t VALUES(2)"); !s) return s;
    return fail(Code::kInvalid, "validation failed");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Code::kInvalid);
  EXPECT_EQ(failed.error().message, "validation failed");
  EXPECT_EQ(count(), 1);

  // A database error inside the body: same.
  auto constraint = db.transaction([&]() -> Status {
    if (auto s = db.exec("INSERT INTO t VALUES(3)"); !s) return s;
    return db.exec("INSERT INTO t VALUES(1)");
  });
  ASSERT_FALSE(constraint);
  EXPECT_EQ(constraint.error().code, Code::kConstraint);
  EXPECT_EQ(count(), 1);

  // An exception from the body rolls back too, and the database stays usable.
  EXPECT_THROW(db.transaction([&]() -> Status {
    (void)db.exec("INSERT INTO t VALUES(4)");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_EQ(count(), 1);
  EXPECT_TRUE(db.transaction([&]() -> Status { return db.exec("INSERT INTO t VALUES(5)"); }));
  EXPECT_EQ(count(), 2);
}

constexpr Migration kMigrations[] = {
    {1, "applied log", "CREATE TABLE applied(n INTEGER); INSERT INTO applied VALUES(1);"},
    {2, "corp table", "CREATE TABLE corp(id INTEGER PRIMARY KEY); INSERT INTO applied VALUES(2);"},
    {3, "corp name", "ALTER TABLE corp ADD COLUMN name TEXT; INSERT INTO applied VALUES(3);"},
};

TEST_F(DatabaseTest, MigrationsApplyOnceAndInOrder) {
  {
    Database db = open_ok();
    EXPECT_EQ(db.schema_version(), 0);
    ASSERT_TRUE(db.migrate(std::span(kMigrations).first(2)));
    EXPECT_EQ(db.schema_version(), 2);
  }
  Database db = open_ok();
  EXPECT_EQ(db.schema_version(), 2);
  auto all = db.migrate(kMigrations);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_TRUE(db.migrate(kMigrations));  // nothing left to do: no duplicate rows, no errors
  EXPECT_EQ(db.schema_version(), 3);

  auto q = db.prepare("SELECT group_concat(n, ',') FROM (SELECT n FROM applied ORDER BY rowid)");
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->step().value_or(false));
  EXPECT_EQ(q->column_text(0), "1,2,3");
}

TEST_F(DatabaseTest, FailedMigrationIsRolledBackAndStops) {
  Database db = open_ok();
  const Migration broken[] = {
      kMigrations[0],
      {2, "half broken", "CREATE TABLE half(x); INSERT INTO no_such_table VALUES(1);"},
      {3, "never reached", "CREATE TABLE later(x);"},
  };
  auto r = db.migrate(broken);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("migration 2"), std::string::npos);
  EXPECT_EQ(db.schema_version(), 1);
  EXPECT_FALSE(db.exec("SELECT * FROM half"));
  EXPECT_FALSE(db.exec("SELECT * FROM later"));
}

TEST_F(DatabaseTest, RefusesASchemaNewerThanTheProgram) {
  Database db = open_ok();
  ASSERT_TRUE(db.migrate(kMigrations));
  auto r = db.migrate(std::span(kMigrations).first(2));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalid);
  EXPECT_NE(r.error().message.find("newer"), std::string::npos);
  EXPECT_EQ(db.schema_version(), 3);

  const Migration unordered[] = {kMigrations[1], kMigrations[0]};
  auto u = db.migrate(unordered);
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().code, Code::kInvalid);
}

TEST_F(DatabaseTest, IntegrityCheckPassesOnAHealthyDatabase) {
  Database db = open_ok();
  ASSERT_TRUE(db.migrate(kMigrations));
  auto s = db.check_integrity();
  EXPECT_TRUE(s) << s.error().message;
}

TEST_F(DatabaseTest, AlteredPageIsDetected) {
  {
    Database db = open_ok();
    ASSERT_TRUE(db.exec("CREATE TABLE filler(x TEXT)"));
    auto ins = db.prepare("INSERT INTO filler VALUES(?)");
    ASSERT_TRUE(ins);
    for (int i = 0; i < 200; ++i)
      ASSERT_TRUE(ins->bind(1, std::string(500, static_cast<char>('a' + i % 26))).run());
  }
  auto raw = read_bytes(file_);
  constexpr std::size_t kPage = 4096;  // SQLCipher 4 default page size
  const std::size_t pages = raw.size() / kPage;
  ASSERT_GT(pages, 10u);
  const std::size_t at = (pages / 2) * kPage + 1000;
  for (std::size_t i = 0; i < 16; ++i) raw[at + i] ^= 0x5a;
  testing::write_bytes(file_, raw);

  // Page 1 (salt and schema) is intact, so the database opens; the damage shows when checked.
  auto db = Database::open(file_, key_of(1));
  ASSERT_TRUE(db) << db.error().message;
  auto s = db->check_integrity();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Code::kCorrupt);
  EXPECT_NE(s.error().message.find("cipher_integrity_check"), std::string::npos) << s.error().message;

  // Reading the altered page reports kCorrupt as well.
  auto q = db->prepare("SELECT count(*), sum(length(x)) FROM filler");
  ASSERT_TRUE(q);
  auto r = q->step();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kCorrupt) << r.error().message;
}

TEST_F(DatabaseTest, FullDiskIsReportedAndRolledBack) {
  fs::create_directories(dir_ / "mnt");
  testing::TinyTmpfs tmpfs(dir_ / "mnt", 512 * 1024);
  std::optional<testing::FileSizeLimit> limit;
  if (!tmpfs.mounted()) {
    // Without mount rights, a file size limit makes writes fail the same way (EFBIG).
    std::cout << "tmpfs not permitted (" << tmpfs.error() << "); limiting the file size instead\n";
    limit.emplace(256 * 1024);
    ASSERT_TRUE(limit->active());
  }
  const fs::path file = dir_ / "mnt" / "full.db";
  auto db = Database::open(file, key_of(1));
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE(db->exec("CREATE TABLE big(b BLOB)"));
  const auto chunk = testing::pseudo_random_bytes(64 * 1024, 9);
  auto r = db->transaction([&]() -> Status {
    auto ins = db->prepare("INSERT INTO big VALUES(?)");
    if (!ins) return std::unexpected(ins.error());
    for (int i = 0; i < 32; ++i) {  // 2 MiB: more than fits
      if (auto s = ins->bind_blob(1, chunk).run(); !s) return s;
    }
    return {};
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kDiskFull) << r.error().message;
  // Nothing of the failed transaction is visible; the database still answers.
  auto q = db->prepare("SELECT count(*) FROM big");
  ASSERT_TRUE(q);
  auto row = q->step();
  ASSERT_TRUE(row) << row.error().message;
  EXPECT_EQ(q->column_int(0), 0);
}

}  // namespace
}  // namespace storage
