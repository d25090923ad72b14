// Store benchmark: the same relational workload on the station's encrypted database (SQLCipher 4,
// raw 256-bit key, WAL, synchronous=FULL, secure_delete, 16 MiB page cache) and on plain SQLite (the same library
// without a key, the same pragmas); blob encryption throughput; keyring unlock (Argon2id) time.
//   store_bench [rows_per_txn=50] [txns=200] [reads=20000]
#include <algorithm>
#include <sqlcipher/sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "storage/blob_store.h"
#include "storage/database.h"
#include "storage/keys.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS fields (id INTEGER PRIMARY KEY, envelope_id INTEGER NOT NULL, key TEXT NOT NULL, "
    "value TEXT NOT NULL, confidence REAL NOT NULL, x INTEGER, y INTEGER, w INTEGER, h INTEGER, status TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS fields_env ON fields(envelope_id);";
constexpr const char* kInsert =
    "INSERT INTO fields(envelope_id, key, value, confidence, x, y, w, h, status) VALUES (?,?,?,?,?,?,?,?,'suggested')";
constexpr const char* kSelect = "SELECT key, value, confidence FROM fields WHERE envelope_id = ?";

// The workload on a raw sqlite3 handle (used for the plain database).
double run_plain(const fs::path& file, int txns, int rows, int reads) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  for (const char* p : {"PRAGMA temp_store = MEMORY", "PRAGMA secure_delete = ON", "PRAGMA foreign_keys = ON",
                        "PRAGMA synchronous = FULL", "PRAGMA cache_size = -16384", "PRAGMA journal_mode = WAL"})
    sqlite3_exec(db, p, nullptr, nullptr, nullptr);
  sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_stmt* sel = nullptr;
  sqlite3_prepare_v2(db, kInsert, -1, &ins, nullptr);
  sqlite3_prepare_v2(db, kSelect, -1, &sel, nullptr);
  std::mt19937 rng(1);
  const auto t = Clock::now();
  for (int i = 0; i < txns; ++i) {
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int r = 0; r < rows; ++r) {
      std::string key = "facility.name." + std::to_string(r);
      std::string value = "ヘルパーステーション" + std::to_string(rng());
      sqlite3_bind_int64(ins, 1, i);
      sqlite3_bind_text(ins, 2, key.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 3, value.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(ins, 4, 0.9);
      for (int c = 5; c <= 8; ++c) sqlite3_bind_int(ins, c, r * c);
      sqlite3_step(ins);
      sqlite3_reset(ins);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  for (int i = 0; i < reads; ++i) {
    sqlite3_bind_int64(sel, 1, static_cast<sqlite3_int64>(rng() % static_cast<unsigned>(txns)));
    while (sqlite3_step(sel) == SQLITE_ROW) {
    }
    sqlite3_reset(sel);
  }
  const double s = seconds_since(t);
  sqlite3_finalize(ins);
  sqlite3_finalize(sel);
  sqlite3_close(db);
  return s;
}

// The same workload through storage::Database (encrypted).
double run_encrypted(const fs::path& file, const storage::SecretKey& key, int txns, int rows, int reads) {
  auto db = storage::Database::open(file, key);
  if (!db) {
    std::fprintf(stderr, "open: %s\n", db.error().message.c_str());
    std::exit(1);
  }
  (void)db->exec(kSchema);
  auto ins = db->prepare(kInsert);
  auto sel = db->prepare(kSelect);
  std::mt19937 rng(1);
  const auto t = Clock::now();
  for (int i = 0; i < txns; ++i) {
    (void)db->transaction([&]() -> storage::Status {
      for (int r = 0; r < rows; ++r) {
        std::string key_text = "facility.name." + std::to_string(r);
        std::string value = "ヘルパーステーション" + std::to_string(rng());
        ins->bind(1, std::int64_t{i}).bind(2, key_text).bind(3, value).bind(4, 0.9);
        for (int c = 5; c <= 8; ++c) ins->bind(c, r * c);
        if (auto s = ins->run(); !s) return s;
      }
      return {};
    });
  }
  for (int i = 0; i < reads; ++i) {
    sel->bind(1, static_cast<std::int64_t>(rng() % static_cast<unsigned>(txns)));
    for (;;) {
      auto r = sel->step();
      if (!r || !*r) break;
    }
    (void)sel->reset();
  }
  return seconds_since(t);
}

}  // namespace

int main(int argc, char** argv) {
  const int rows = argc > 1 ? std::atoi(argv[1]) : 50;
  const int txns = argc > 2 ? std::atoi(argv[2]) : 200;
  const int reads = argc > 3 ? std::atoi(argv[3]) : 20000;
  const fs::path dir = fs::temp_directory_path() / ("store-bench-" + storage::random_hex(4));
  fs::create_directories(dir);

  const int rounds = argc > 4 ? std::max(1, std::atoi(argv[4])) : 9;

  auto key = storage::SecretKey::random();
  // Alternate the runs to even out disk-cache effects. A round is dominated by its fsyncs, whose
  // latency on a virtual disk varies from one to the next: the figure is the median of the rounds'
  // ratios, beside the best time of each side.
  double plain = 1e9, enc = 1e9;
  std::vector<double> ratios;
  for (int round = 0; round < rounds; ++round) {
    const fs::path p = dir / ("plain" + std::to_string(round) + ".db");
    const fs::path e = dir / ("enc" + std::to_string(round) + ".db");
    const double tp = run_plain(p, txns, rows, reads), te = run_encrypted(e, *key, txns, rows, reads);
    plain = std::min(plain, tp);
    enc = std::min(enc, te);
    ratios.push_back(te / tp);
  }
  std::sort(ratios.begin(), ratios.end());
  const double median = ratios[ratios.size() / 2];
  std::printf("database workload: %d transactions x %d rows, %d indexed reads (synchronous=FULL, WAL), %d rounds\n",
              txns, rows, reads, rounds);
  std::printf("  plain SQLite      %8.3f s (best)\n  SQLCipher 4       %8.3f s (best)\n"
              "  overhead          %+7.1f %%  median of the rounds (best vs best %+.1f %%, rounds %+.1f..%+.1f %%)"
              "  (goal <= 15 %%)\n",
              plain, enc, (median - 1.0) * 100.0, (enc / plain - 1.0) * 100.0, (ratios.front() - 1.0) * 100.0,
              (ratios.back() - 1.0) * 100.0);

  // Blob encryption (XChaCha20-Poly1305 secretstream, fsync per blob) and authenticated reads.
  auto blobs = storage::BlobStore::open(dir / "blobs", *key->derive("blobs"));
  constexpr std::size_t kBlob = 4 << 20;
  constexpr int kCount = 16;
  std::vector<std::vector<unsigned char>> data(kCount, std::vector<unsigned char>(kBlob));
  std::mt19937 rng(7);
  for (auto& d : data)
    for (auto& b : d) b = static_cast<unsigned char>(rng());
  std::vector<std::string> ids;
  auto t = Clock::now();
  for (const auto& d : data) ids.push_back(*blobs->put(d));
  const double put_s = seconds_since(t);
  t = Clock::now();
  for (const auto& id : ids) (void)blobs->get(id);
  const double get_s = seconds_since(t);
  const double mb = static_cast<double>(kBlob) * kCount / (1024.0 * 1024.0);
  std::printf("blobs: %d x %zu MiB\n  put (encrypt+fsync) %7.1f MB/s\n  get (decrypt+auth)  %7.1f MB/s\n", kCount,
              kBlob >> 20, mb / put_s, mb / get_s);

  // Unlock: Argon2id (interactive limits) + unwrap of the master key.
  (void)storage::Keyring::create(dir / "keyring.json", "benchmark passphrase");
  t = Clock::now();
  constexpr int kUnlocks = 5;
  for (int i = 0; i < kUnlocks; ++i) (void)storage::Keyring::unlock(dir / "keyring.json", "benchmark passphrase");
  std::printf("unlock (Argon2id):   %7.1f ms\n", seconds_since(t) * 1000.0 / kUnlocks);

  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
