// sync_bench [applications]: the sync with the main system over loopback (issue #15), against a
// real PostgreSQL started here (tests/integration/sync/pg_fixture.h).
//   1. Catch-up: a station offline for a day of work (100 applications, every value confirmed:
//      about 7,000 values) delivers its outbox; goal < 10 s.
//   2. Three stations delivering at the same time: changes per second.
// Beside them, the reference: the same payloads inserted by plain multi-row INSERTs over libpq
// into a scratch table (no idempotency, no apply), in the same run.
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "pg_fixture.h"
#include "ocr/fake_engine.h"
#include "services.h"
#include "station/station.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

const fs::path kShared = fs::path(STATION_SHARED_DIR);
// A pledge page (様式第2号): recognised by a fake OCR engine, so that the envelope reaches the
// review states without Tesseract (the sync does not look at pixels).
const fs::path kPage = fs::path(STATION_SHARED_DIR) / "samples" / "app-001" / "page-03.jpg";

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::vector<json> sample_values() {
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(kShared / "samples"))
    if (fs::exists(d.path() / "truth.json")) dirs.push_back(d.path());
  std::sort(dirs.begin(), dirs.end());
  std::vector<json> out;
  for (const auto& d : dirs) {
    json t = json::parse(std::ifstream(d / "truth.json"));
    json v;
    for (const char* section : {"fields", "pledge", "officers", "passbook", "envelope"})
      if (t.contains(section)) v[section] = t[section];
    out.push_back(std::move(v));
  }
  return out;
}

struct BenchStation {
  sync_test::TempDir dir{"station-sync-bench-"};
  station::Services services;
  std::unique_ptr<station::Station> st;
  station::User clerk, reviewer;
  BenchStation(const std::string& url, int applications, const std::vector<json>& samples) {
    station::Config config;
    config.data_dir = dir.path / "store";
    config.recognize_on_capture = true;
    config.ocr_workers = 1;
    config.sync_url = url;
    services.make_engine = []() -> station::Result<std::unique_ptr<ocr::Engine>> {
      auto e = std::make_unique<ocr::FakeEngine>();
      e->set_default(ocr::FakeEngine::reading("1", 0.95));
      return e;
    };
    st = std::move(*station::Station::create(config, "bench passphrase", &services));
    auto admin = *st->add_user(nullptr, "admin", "bench-pass-0001", station::Role::kAdmin);
    clerk = *st->add_user(&admin, "clerk", "bench-pass-0001", station::Role::kClerk);
    reviewer = *st->add_user(&admin, "reviewer", "bench-pass-0001", station::Role::kReviewer);
    for (int i = 0; i < applications; ++i) {
      auto r = st->import_envelope(clerk, {kPage}, station::Intake{"2026-04-13", 4});
      if (!r) throw std::runtime_error(r.error().detail);
      st->wait_for_recognition(std::chrono::minutes(2));
      auto c = st->confirm_values(reviewer, r->envelope_id, samples[static_cast<std::size_t>(i) % samples.size()].dump());
      if (!c) throw std::runtime_error(c.error().detail);
    }
  }
};

// The reference: the same number of JSON payloads of the same size, inserted in batches of
// `batch` by multi-row INSERT into a plain table.
double reference_seconds(const sync_test::PgServer& pg, long long changes, const std::string& payload, int batch) {
  pg.exec("DROP TABLE IF EXISTS bench_ref; CREATE TABLE bench_ref (id bigint PRIMARY KEY, payload jsonb)");
  PGconn* c = PQconnectdb(pg.admin_conninfo().c_str());
  const auto t0 = Clock::now();
  for (long long from = 0; from < changes; from += batch) {
    std::string sql = "INSERT INTO bench_ref VALUES ";
    char* escaped = PQescapeLiteral(c, payload.c_str(), payload.size());
    for (long long i = from; i < std::min(changes, from + batch); ++i) {
      if (i > from) sql += ",";
      sql += "(" + std::to_string(i) + "," + escaped + "::jsonb)";
    }
    PQfreemem(escaped);
    PGresult* r = PQexec(c, sql.c_str());
    PQclear(r);
  }
  const double s = seconds_since(t0);
  PQfinish(c);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int applications = argc > 1 ? std::atoi(argv[1]) : 100;
  const auto samples = sample_values();
  sync_test::PgServer pg;
  pg.exec(station::Station::sync_schema_sql());
  for (int i = 1; i <= 4; ++i)
    pg.exec("CREATE ROLE st" + std::to_string(i) + " LOGIN PASSWORD 'pw' IN ROLE station_sync");

  // 1. Catch-up of one station.
  std::printf("preparing a station with %d applications...\n", applications);
  std::fflush(stdout);
  BenchStation one(pg.url("st1", "pw"), applications, samples);
  const auto before = *one.st->sync_status(one.clerk);
  const auto t0 = Clock::now();
  auto r = one.st->sync_once(one.clerk);
  const double catch_up = seconds_since(t0);
  if (!r) {
    std::fprintf(stderr, "sync failed: %s\n", r.error().detail.c_str());
    return 1;
  }
  const long long field_values = pg.count("SELECT count(*) FROM mailed.field_values");
  const std::string payload = R"({"envelope_id": 12, "key": "officers.rows[3].name", "value": "山田　太郎", "read": "山田　太郎", "confirmed_by": 3, "confirmed_at": "2026-04-13T10:00:00+09:00"})";
  const double ref = reference_seconds(pg, before.pending, payload, 500);
  std::printf("catch-up: %lld changes (%d applications, %lld field values) in %.2f s = %.0f changes/s  "
              "(goal < 10 s)  | reference: plain INSERT of as many rows %.2f s = %.0f rows/s\n",
              static_cast<long long>(r->sent), applications, field_values, catch_up, r->sent / catch_up, ref,
              before.pending / ref);

  // 2. Three stations at once.
  const int each = std::max(1, applications / 3);
  std::printf("preparing 3 stations with %d applications each...\n", each);
  std::fflush(stdout);
  std::vector<std::unique_ptr<BenchStation>> three;
  for (int i = 2; i <= 4; ++i)
    three.push_back(std::make_unique<BenchStation>(pg.url("st" + std::to_string(i), "pw"), each, samples));
  long long total = 0;
  for (auto& s : three) total += s->st->sync_status(s->clerk)->pending;
  std::vector<std::thread> threads;
  std::vector<long long> sent(3, 0);
  const auto t1 = Clock::now();
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&, i] {
      auto rr = three[static_cast<std::size_t>(i)]->st->sync_once(three[static_cast<std::size_t>(i)]->clerk);
      sent[static_cast<std::size_t>(i)] = rr ? rr->sent : -1;
    });
  for (auto& t : threads) t.join();
  const double both = seconds_since(t1);
  long long delivered = 0;
  for (auto n : sent) delivered += n;
  const double ref3 = reference_seconds(pg, total, payload, 500);
  std::printf("3 stations at once: %lld of %lld changes in %.2f s = %.0f changes/s  | reference: plain INSERT "
              "%.2f s = %.0f rows/s (one connection)\n",
              delivered, total, both, delivered / both, ref3, total / ref3);
  return delivered == total ? 0 : 1;
}
