// The sync with the main system (issue #15) against a real PostgreSQL (Debian's, initdb'ed into a
// temporary folder, SCRAM over loopback) with real stations (SQLCipher stores, the facade, the
// CLI binary for the SIGKILLs) and a fault-injecting proxy of the tests' own.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pg_fixture.h"
#include "ocr/fake_engine.h"
#include "services.h"
#include "station/station.h"
#include "station/sync/client.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using station::ErrorCode;
using station::Role;
using station::User;
using sync_test::FaultProxy;
using sync_test::GarbageServer;
using sync_test::PgServer;
using sync_test::TempDir;

const fs::path kShared = fs::path(STATION_SHARED_DIR);
// A pledge page (様式第2号): recognised by a fake OCR engine, so that the envelope reaches the
// review states without Tesseract (the sync does not look at pixels).
const fs::path kPage = fs::path(STATION_SHARED_DIR) / "samples" / "app-001" / "page-03.jpg";
const fs::path kStationCli = fs::path(STATION_BINARY_DIR) / "bin" / "station";
constexpr const char* kPassphrase = "sync test passphrase";
constexpr const char* kUserPassword = "kawa-yama-0042";

// The samples' values (truth.json's sections, without the page list: the test's envelopes have
// one page), in folder order.
const std::vector<json>& sample_values() {
  static const std::vector<json> values = [] {
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
      v["_facility_id"] = t.value("facility_id", "");
      out.push_back(std::move(v));
    }
    return out;
  }();
  return values;
}

std::string values_text(const json& v) {
  json copy = v;
  copy.erase("_facility_id");
  return copy.dump();
}

// Applies the schema the station prints and makes the stations' roles.
void prepare_server(const PgServer& pg, int stations) {
  pg.exec(station::Station::sync_schema_sql());
  for (int i = 1; i <= stations; ++i)
    pg.exec("CREATE ROLE st" + std::to_string(i) + " LOGIN PASSWORD 'pw-st" + std::to_string(i) + "' IN ROLE station_sync");
}

// The station's parts with a fake OCR engine (every zone read as "1").
station::Services fake_ocr() {
  station::Services services;
  services.make_engine = []() -> station::Result<std::unique_ptr<ocr::Engine>> {
    auto e = std::make_unique<ocr::FakeEngine>();
    e->set_default(ocr::FakeEngine::reading("1", 0.95));
    return e;
  };
  return services;
}

// One station: its store, its users and its configuration.
struct TestStation {
  TempDir dir{"station-sync-st-"};
  station::Config config;
  station::Services services = fake_ocr();
  std::unique_ptr<station::Station> st;
  User admin, clerk, reviewer;
  std::string name;

  // `clock`: null for the system clock; `retention_days`: [sync] retention_days.
  TestStation(std::string role, const std::string& url, std::shared_ptr<const station::Clock> clock = nullptr,
              int retention_days = 90)
      : name(std::move(role)) {
    services.clock = std::move(clock);
    config.sync_retention_days = retention_days;
    config.data_dir = dir.path / "store";
    config.recognize_on_capture = true;
    config.ocr_workers = 1;
    config.sync_url = url;
    config.sync_timeout_seconds = 3;
    config.sync_batch = 200;
    auto created = station::Station::create(config, kPassphrase, &services);
    if (!created) throw std::runtime_error(created.error().detail);
    st = std::move(*created);
    admin = *st->add_user(nullptr, "admin", kUserPassword, Role::kAdmin);
    clerk = *st->add_user(&admin, "clerk", kUserPassword, Role::kClerk);
    reviewer = *st->add_user(&admin, "reviewer", kUserPassword, Role::kReviewer);
  }

  void close() { st.reset(); }

  void open(const std::string& url) {
    config.sync_url = url;
    auto opened = station::Station::open(config, station::StoreSecrets{kPassphrase, {}}, &services);
    if (!opened) throw std::runtime_error(opened.error().detail);
    st = std::move(*opened);
  }

  // An envelope received on `date`, every value of a sample confirmed; returns its id.
  std::int64_t receive(const std::string& date, const json& values) {
    auto r = st->import_envelope(clerk, {kPage}, station::Intake{date, 4});
    if (!r) throw std::runtime_error("import: " + r.error().detail);
    if (!st->wait_for_recognition(std::chrono::minutes(2))) throw std::runtime_error("recognition did not end");
    auto c = st->confirm_values(reviewer, r->envelope_id, values_text(values));
    if (!c) throw std::runtime_error("confirm: " + c.error().detail);
    return r->envelope_id;
  }
  void request_correction(std::int64_t id) {
    station::Decision d;
    d.kind = station::DecisionKind::kRequestCorrection;
    d.defects.push_back(station::CorrectionDefect{"MISSING_SEAL", "pledge.seal_present", "誓約書に押印がありません"});
    auto r = st->decide(reviewer, id, d);
    if (!r) throw std::runtime_error("decide: " + r.error().detail);
  }
  station::SyncStatus status() { return *st->sync_status(clerk); }
  // Loads the shared facility list (the duplicate check needs the application's facility).
  void load_facilities() {
    User supervisor = *st->add_user(&admin, "super", kUserPassword, Role::kSupervisor);
    auto r = st->load_facilities(supervisor, kShared / "data" / "facilities.csv");
    if (!r) throw std::runtime_error("facilities: " + r.error().detail);
  }
  std::string receipt_no(std::int64_t id) {
    auto list = st->list_envelopes(reviewer);
    if (!list) throw std::runtime_error("list: " + list.error().detail);
    for (const auto& e : *list)
      if (e.id == id) return e.receipt_no;
    return {};
  }
  // The DUPLICATE_APPLICATION finding's message of an envelope ("" when none); *matched: whether
  // the check found the application's facility (only then is there a duplicate check).
  std::string duplicate(std::int64_t id, bool* matched = nullptr) {
    auto report = st->check(reviewer, id);
    if (!report) throw std::runtime_error("check: " + report.error().detail);
    if (matched) *matched = !report->facility_id.empty();
    for (const auto& f : report->findings)
      if (f.code == "DUPLICATE_APPLICATION") return f.message_ja;
    return {};
  }
  // Rounds until one succeeds (the network may be faulty); true when one did.
  bool sync_until_ok(int attempts = 10) {
    for (int i = 0; i < attempts; ++i)
      if (st->sync_once(clerk)) return true;
    return false;
  }
};

// What the server holds of one station, compared with the station itself.
struct Comparison {
  long long changes = 0, distinct_keys = 0, last_seq = 0;
  long long findings = 0;  // the station's decision findings (equal to the server's when same_state)
  bool same_state = true;
  std::string difference;
};

Comparison compare(const PgServer& pg, TestStation& s) {
  Comparison c;
  const std::string where = " WHERE station = '" + s.name + "'";
  c.changes = pg.count("SELECT count(*) FROM mailed.changes" + where);
  c.distinct_keys = pg.count("SELECT count(DISTINCT change_key) FROM mailed.changes" + where);
  c.last_seq = s.status().last_seq;
  // Applications and their states.
  std::set<std::string> station_apps, server_apps, station_values, server_values;
  std::size_t station_history = 0;
  long long station_findings = 0, station_blocking = 0;
  auto list = s.st->list_envelopes(s.reviewer);
  for (const auto& e : *list) {
    station_apps.insert(e.receipt_no + "\t" + std::string(station::state_name(e.state)));
    auto fields = s.st->fields(s.reviewer, e.id);
    for (const auto& f : *fields)
      if (f.status == station::FieldStatus::kConfirmed) station_values.insert(std::to_string(e.id) + "\t" + f.key + "\t" + f.confirmed_value);
    const auto h = s.st->history(s.reviewer, e.id);
    station_history += h->size();
    for (const auto& t : *h) {
      station_findings += t.findings;
      station_blocking += t.blocking_findings;
    }
  }
  for (const auto& r : pg.query("SELECT receipt_no, status FROM mailed.applications" + where)) server_apps.insert(r);
  for (const auto& r : pg.query("SELECT envelope_id, key, coalesce(value, '') FROM mailed.field_values" + where))
    server_values.insert(r);
  const auto server_history = pg.count("SELECT count(*) FROM mailed.status_history" + where);
  if (station_apps != server_apps) {
    c.same_state = false;
    c.difference += " applications differ (" + std::to_string(station_apps.size()) + " vs " +
                    std::to_string(server_apps.size()) + ")";
  }
  if (station_values != server_values) {
    c.same_state = false;
    c.difference += " values differ (" + std::to_string(station_values.size()) + " vs " +
                    std::to_string(server_values.size()) + ")";
  }
  // The findings each decision was taken on (schema v3).
  const auto server_findings = pg.count("SELECT count(*) FROM mailed.findings" + where);
  const auto server_blocking = pg.count("SELECT count(*) FROM mailed.findings" + where + " AND severity = 'block'");
  c.findings = station_findings;
  if (station_findings != server_findings || station_blocking != server_blocking) {
    c.same_state = false;
    c.difference += " decision findings differ (" + std::to_string(station_findings) + " vs " +
                    std::to_string(server_findings) + ")";
  }
  if (static_cast<long long>(station_history) != server_history) {
    c.same_state = false;
    c.difference += " history differs (" + std::to_string(station_history) + " vs " + std::to_string(server_history) + ")";
  }
  return c;
}

// Runs the station CLI on a closed store; returns the exit code (128 + signal when killed).
// `kill_after_ms` > 0: SIGKILL after that long if still running.
int run_cli(const TestStation& s, const std::vector<std::string>& args, const std::string& crash_point,
            int kill_after_ms, const fs::path& out) {
  const fs::path config = s.dir.path / "config.toml";
  {
    std::ofstream c(config);
    c << "[ocr]\nrecognize_on_capture = false\nworkers = 1\n[sync]\nurl = \"" << s.config.sync_url
      << "\"\ntimeout_seconds = 3\nbatch = 50\n";
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("STATION_PASSPHRASE", kPassphrase, 1);
    ::setenv("STATION_USER_PASSWORD", kUserPassword, 1);
    if (!crash_point.empty()) ::setenv("STATION_SYNC_CRASH_POINT", crash_point.c_str(), 1);
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<std::string> full = {kStationCli.string(), "--data-dir", s.config.data_dir.string(), "--config",
                                     config.string()};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (kill_after_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms));
    ::kill(pid, SIGKILL);
  }
  return sync_test::wait_exit(pid);
}

// ---------------------------------------------------------------------------------------------

TEST(Sync, OutboxIsDeliveredOnceAndAReplayChangesNothing) {
  PgServer pg;
  prepare_server(pg, 1);
  TestStation s("st1", pg.url("st1", "pw-st1"));
  const auto& samples = sample_values();
  ASSERT_GE(samples.size(), 3u);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(s.receive("2026-04-0" + std::to_string(i + 1), samples[i]));
  s.request_correction(ids[1]);

  const auto before = s.status();
  EXPECT_GT(before.pending, 60) << "each confirmed value, envelope and transition is a change";
  EXPECT_FALSE(before.oldest_pending_at.empty());
  EXPECT_EQ(before.delivered, 0);

  auto r = s.st->sync_once(s.clerk);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->role, "st1");
  EXPECT_EQ(r->sent, before.pending);
  EXPECT_EQ(r->applied, before.pending);
  EXPECT_EQ(r->pending, 0);
  const auto after = s.status();
  EXPECT_EQ(after.pending, 0);
  EXPECT_EQ(after.delivered, before.pending);
  EXPECT_TRUE(after.oldest_pending_at.empty());
  EXPECT_TRUE(after.last_error.empty());
  EXPECT_FALSE(after.last_success_at.empty());

  Comparison c = compare(pg, s);
  EXPECT_EQ(c.changes, c.last_seq);
  EXPECT_EQ(c.distinct_keys, c.changes);
  EXPECT_TRUE(c.same_state) << c.difference;
  EXPECT_EQ(pg.count("SELECT count(*) FROM mailed.correction_rounds WHERE station = 'st1'"), 1);
  EXPECT_EQ(pg.count("SELECT count(*) FROM mailed.correction_defects WHERE station = 'st1'"), 1);
  // The correction request was taken on the check's findings; they reached the server with it.
  EXPECT_GT(c.findings, 0);
  EXPECT_EQ(pg.count("SELECT count(*) FROM mailed.findings f JOIN mailed.status_history h USING (station, transition_id) "
                     "WHERE f.station = 'st1' AND h.to_state = 'awaiting_correction' AND f.envelope_id = h.envelope_id"),
            c.findings);
  // Mailed applications never land in the electronic schema.
  EXPECT_EQ(pg.count("SELECT count(*) FROM electronic.receipts"), 0);

  // The same changes delivered again (an acknowledgement lost on the way back): nothing applied.
  auto conn = station::sync::Connection::open(pg.url("st1", "pw-st1"), std::chrono::seconds(5));
  ASSERT_TRUE(conn) << conn.error().detail;
  std::vector<station::sync::Change> again;
  for (const auto& row : pg.query("SELECT seq, change_key, kind, entity, payload::text, created_at FROM mailed.changes "
                                  "WHERE station = 'st1' ORDER BY seq")) {
    std::vector<std::string> col;
    std::size_t from = 0;
    for (std::size_t tab; (tab = row.find('\t', from)) != std::string::npos; from = tab + 1)
      col.push_back(row.substr(from, tab - from));
    col.push_back(row.substr(from));
    again.push_back({std::stoll(col[0]), col[1], col[2], col[3], col[4], col[5]});
  }
  ASSERT_EQ(static_cast<long long>(again.size()), c.changes);
  auto replay = conn->push(again);
  ASSERT_TRUE(replay) << replay.error().detail;
  EXPECT_EQ(*replay, 0);
  Comparison c2 = compare(pg, s);
  EXPECT_EQ(c2.changes, c.changes);
  EXPECT_TRUE(c2.same_state) << c2.difference;

  // Another station role cannot write as st1: its changes are its own, keyed by its login.
  pg.exec("CREATE ROLE intruder LOGIN PASSWORD 'pw-x'");
  auto outsider = station::sync::Connection::open(pg.url("intruder", "pw-x"), std::chrono::seconds(5));
  ASSERT_FALSE(outsider);
  EXPECT_EQ(outsider.error().code, ErrorCode::kSyncAuth) << outsider.error().detail;

  // A later change goes out alone.
  s.request_correction(ids[0]);
  auto r2 = s.st->sync_once(s.clerk);
  ASSERT_TRUE(r2) << r2.error().detail;
  EXPECT_GT(r2->sent, 0);
  EXPECT_EQ(r2->applied, r2->sent);
  EXPECT_TRUE(compare(pg, s).same_state);
}

// Delivered outbox changes are deleted by the first successful round after [sync] retention_days;
// those delivered more recently and every pending one stay; the server keeps all of them; a seq is
// never given again after a prune, so the server's keys stay distinct.
TEST(Sync, DeliveredChangesArePrunedAfterTheRetentionPeriod) {
  using namespace std::chrono;
  PgServer pg;
  prepare_server(pg, 1);
  auto clock = std::make_shared<station::FixedClock>(station::jst_time_point(2026y / April / 10, 10h));
  TestStation s("st1", pg.url("st1", "pw-st1"), clock, 2);
  const auto& samples = sample_values();
  ASSERT_GE(samples.size(), 2u);
  s.receive("2026-04-01", samples[0]);
  auto r1 = s.st->sync_once(s.clerk);
  ASSERT_TRUE(r1) << r1.error().detail;
  EXPECT_GT(r1->sent, 0);
  EXPECT_EQ(r1->pruned, 0) << "delivered just now: kept";
  EXPECT_EQ(s.status().delivered, r1->sent);

  clock->advance(days(1));
  s.receive("2026-04-02", samples[1]);
  auto r2 = s.st->sync_once(s.clerk);
  ASSERT_TRUE(r2) << r2.error().detail;
  EXPECT_EQ(r2->pruned, 0) << "one day old, retention two days: kept";
  EXPECT_EQ(s.status().delivered, r1->sent + r2->sent);

  // Three days after the first delivery, two after the second: only the first round's go.
  clock->advance(days(1) + hours(1));
  s.request_correction(s.st->list_envelopes(s.reviewer)->front().id);
  const auto pending = s.status().pending;
  ASSERT_GT(pending, 0);
  // A failed round prunes nothing.
  s.close();
  s.open(pg.url("st1", "wrong-password"));
  auto failed = s.st->sync_once(s.clerk);
  ASSERT_FALSE(failed);
  EXPECT_EQ(s.status().delivered, r1->sent + r2->sent);
  EXPECT_EQ(s.status().pending, pending);
  s.close();
  s.open(pg.url("st1", "pw-st1"));
  auto r3 = s.st->sync_once(s.clerk);
  ASSERT_TRUE(r3) << r3.error().detail;
  EXPECT_EQ(r3->sent, pending);
  EXPECT_EQ(r3->pruned, r1->sent);
  const auto after = s.status();
  EXPECT_EQ(after.pending, 0);
  EXPECT_EQ(after.delivered, r2->sent + r3->sent);
  // The server holds every change, each under its own key, up to the newest seq.
  Comparison c = compare(pg, s);
  EXPECT_EQ(c.changes, r1->sent + r2->sent + r3->sent);
  EXPECT_EQ(c.changes, c.last_seq);
  EXPECT_EQ(c.distinct_keys, c.changes);
  EXPECT_TRUE(c.same_state) << c.difference;
}

// Several stations, one decision: two stations receive the same facility's application on the
// same day; after the sync each holds the other's (apart from its own envelopes) and the duplicate
// check of each names the same first application as the main system's mailed.first_applications.
// A duplicate found after the fact (an earlier-received letter registered later elsewhere) becomes
// a finding on the application that was first until then.
TEST(Sync, TwoStationsReceivingOneFacilityTheSameDayAgreeOnOneFirstApplication) {
  using namespace std::chrono_literals;
  PgServer pg;
  prepare_server(pg, 2);
  TestStation a("st1", pg.url("st1", "pw-st1")), b("st2", pg.url("st2", "pw-st2"));
  a.load_facilities();
  b.load_facilities();
  const json& v = sample_values()[0];
  const std::string jigyosho = v["fields"]["facility.jigyosho_no"];
  const auto ida = a.receive("2026-04-10", v);
  std::this_thread::sleep_for(1100ms);  // registered a second later on b
  const auto idb = b.receive("2026-04-10", v);
  bool matched = false;
  EXPECT_EQ(b.duplicate(idb, &matched), "") << "before the sync b knows only its own mail";
  ASSERT_TRUE(matched) << "the sample's facility is in the list";

  auto rb = b.st->sync_once(b.clerk);
  ASSERT_TRUE(rb) << rb.error().detail;
  EXPECT_EQ(rb->applications, 0) << "a has sent nothing yet";
  auto ra = a.st->sync_once(a.clerk);
  ASSERT_TRUE(ra) << ra.error().detail;
  EXPECT_EQ(ra->applications, 1) << "a pulls b's application";
  rb = b.st->sync_once(b.clerk);
  ASSERT_TRUE(rb) << rb.error().detail;
  EXPECT_EQ(rb->applications, 1) << "b pulls a's application";
  // Kept apart: neither station lists the other's application as its own envelope.
  EXPECT_EQ(a.st->list_envelopes(a.reviewer)->size(), 1u);
  EXPECT_EQ(b.st->list_envelopes(b.reviewer)->size(), 1u);

  const std::string first_a = a.receipt_no(ida);
  EXPECT_EQ(a.duplicate(ida), "") << "a's is the first";
  const std::string dup_b = b.duplicate(idb);
  EXPECT_NE(dup_b.find(first_a), std::string::npos) << dup_b;
  EXPECT_NE(dup_b.find("st1"), std::string::npos) << dup_b;
  EXPECT_EQ(pg.query("SELECT station, application FROM mailed.first_applications WHERE jigyosho_no = '" + jigyosho + "'"),
            std::vector<std::string>{"st1\t" + first_a});

  // b registers a letter received the day before (an earlier moment): after the sync it is the
  // first on every station and on the server, and a's application gets the finding after the fact.
  const auto idb2 = b.receive("2026-04-09", v);
  const std::string first_b = b.receipt_no(idb2);
  ASSERT_TRUE(b.st->sync_once(b.clerk));
  auto ra2 = a.st->sync_once(a.clerk);
  ASSERT_TRUE(ra2) << ra2.error().detail;
  EXPECT_EQ(ra2->applications, 1);
  const std::string dup_a = a.duplicate(ida);
  EXPECT_NE(dup_a.find(first_b), std::string::npos) << dup_a;
  EXPECT_EQ(b.duplicate(idb2), "");
  EXPECT_NE(b.duplicate(idb).find(first_b), std::string::npos);
  EXPECT_EQ(pg.query("SELECT station, application FROM mailed.first_applications WHERE jigyosho_no = '" + jigyosho + "'"),
            std::vector<std::string>{"st2\t" + first_b});
  // Incremental: nothing new, nothing pulled; the cursor is the feed's newest row of the others.
  auto ra3 = a.st->sync_once(a.clerk);
  ASSERT_TRUE(ra3);
  EXPECT_EQ(ra3->applications, 0);
}

// The v2 upgrade on a server that already holds version 1 and mail: a station of this version
// refuses the v1 server (and keeps its outbox); after v2.sql the existing applications are in the
// feed and the station syncs.
TEST(Sync, TheV2UpgradeKeepsWhatAV1ServerHolds) {
  PgServer pg;
  const auto& files = station::sync::schema_files();
  ASSERT_GE(files.size(), 2u);
  pg.exec(files[0].sql);
  pg.exec("CREATE ROLE st1 LOGIN PASSWORD 'pw-st1' IN ROLE station_sync");
  pg.exec("CREATE ROLE st2 LOGIN PASSWORD 'pw-st2' IN ROLE station_sync");
  // st2 delivered one application under version 1.
  pg.exec("SET SESSION AUTHORIZATION st2; SELECT mailed.apply_changes('["
          "{\"seq\":1,\"key\":\"old:1\",\"kind\":\"envelope\",\"entity\":\"7\",\"payload\":{\"id\":7,\"receipt_no\":\"R-OLD\","
          "\"received_date\":\"2026-04-02\",\"registered_at\":\"2026-04-02T09:00:00+09:00\",\"status\":\"confirmed\"}},"
          "{\"seq\":2,\"key\":\"old:2\",\"kind\":\"field\",\"entity\":\"7/facility.jigyosho_no\",\"payload\":"
          "{\"envelope_id\":7,\"key\":\"facility.jigyosho_no\",\"value\":\"1270000001\"}}]'); RESET SESSION AUTHORIZATION");
  TestStation s("st1", pg.url("st1", "pw-st1"));
  s.receive("2026-04-03", sample_values()[1]);
  const auto pending = s.status().pending;
  auto refused = s.st->sync_once(s.clerk);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kSyncSchema) << refused.error().detail;
  EXPECT_EQ(s.status().pending, pending);

  pg.exec(files[1].sql);
  EXPECT_EQ(pg.count("SELECT max(version) FROM station_meta.schema_version"), 2);
  // A version-2 server is refused too (this station sends decision findings, version 3).
  auto refused2 = s.st->sync_once(s.clerk);
  ASSERT_FALSE(refused2);
  EXPECT_EQ(refused2.error().code, ErrorCode::kSyncSchema) << refused2.error().detail;
  EXPECT_EQ(s.status().pending, pending);
  ASSERT_GE(files.size(), 3u);
  pg.exec(files[2].sql);
  EXPECT_EQ(pg.count("SELECT max(version) FROM station_meta.schema_version"), 3);
  // Version 2's function stays for the new one to call, not for the stations.
  EXPECT_THROW(pg.exec("SET SESSION AUTHORIZATION st2; SELECT mailed.apply_changes_v2('[]')"), std::runtime_error);
  EXPECT_EQ(pg.query("SELECT station, receipt_no, jigyosho_no, removed FROM mailed.application_feed"),
            std::vector<std::string>{"st2\tR-OLD\t1270000001\tf"});
  auto r = s.st->sync_once(s.clerk);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->sent, pending);
  EXPECT_EQ(r->applications, 1) << "st2's application from before the upgrade";
  // The station's role may call the feed function but not read the feed table.
  EXPECT_THROW(pg.exec("SET SESSION AUTHORIZATION st1; SELECT * FROM mailed.application_feed"), std::runtime_error);
  // A removal reaches the feed as a tombstone; the station drops the row.
  pg.exec("SET SESSION AUTHORIZATION st2; SELECT mailed.apply_changes('[{\"seq\":3,\"key\":\"old:3\",\"kind\":"
          "\"envelope_removed\",\"entity\":\"7\",\"payload\":{\"id\":7}}]'); RESET SESSION AUTHORIZATION");
  auto r2 = s.st->sync_once(s.clerk);
  ASSERT_TRUE(r2) << r2.error().detail;
  EXPECT_EQ(r2->applications, 1);
}

TEST(Sync, BadInputGivesAClearErrorAndLosesNothingFromTheOutbox) {
  PgServer pg;
  prepare_server(pg, 1);
  pg.exec("CREATE DATABASE empty_db");
  pg.exec("CREATE DATABASE old_db");
  GarbageServer garbage;
  TestStation s("st1", "");
  const auto& samples = sample_values();
  s.receive("2026-04-01", samples[0]);
  const auto pending = s.status().pending;
  ASSERT_GT(pending, 0);

  // An older main system: version 0 of the schema table (no apply_changes of this version).
  {
    PGconn* c = PQconnectdb(("host=" + (pg.dir() / "sock").string() + " port=" + std::to_string(pg.port()) +
                             " user=postgres dbname=old_db")
                                .c_str());
    PGresult* r = PQexec(c,
                         "CREATE SCHEMA station_meta; CREATE TABLE station_meta.schema_version (version integer);"
                         "INSERT INTO station_meta.schema_version VALUES (0);"
                         "GRANT USAGE ON SCHEMA station_meta TO PUBLIC; GRANT SELECT ON station_meta.schema_version TO PUBLIC");
    ASSERT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
  }

  struct Case {
    std::string what, url;
    ErrorCode expected;
  };
  const std::string good = pg.url("st1", "pw-st1");
  const std::vector<Case> cases = {
      {"wrong password", pg.url("st1", "not-the-password"), ErrorCode::kSyncAuth},
      {"unknown role", pg.url("nobody", "pw"), ErrorCode::kSyncAuth},
      {"nothing listening", pg.url("st1", "pw-st1", sync_test::free_port()), ErrorCode::kSyncUnreachable},
      {"not PostgreSQL", pg.url("st1", "pw-st1", garbage.port()), ErrorCode::kSyncProtocol},
      {"no station schema", "host=127.0.0.1 port=" + std::to_string(pg.port()) +
                                " dbname=empty_db user=st1 password=pw-st1 sslmode=disable",
       ErrorCode::kSyncSchema},
      {"older schema", "host=127.0.0.1 port=" + std::to_string(pg.port()) +
                           " dbname=old_db user=st1 password=pw-st1 sslmode=disable",
       ErrorCode::kSyncSchema},
      {"not a connection string", "host=127.0.0.1 port", ErrorCode::kConfig},
      {"TLS required but the server has none", good + " sslmode=require", ErrorCode::kSyncUnreachable},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    s.close();
    s.open(c.url);
    auto r = s.st->sync_once(s.clerk);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, c.expected) << r.error().detail;
    EXPECT_FALSE(station::message_ja(r.error().code).empty());
    // No password in what is logged.
    EXPECT_EQ(r.error().detail.find("pw-st1"), std::string::npos) << r.error().detail;
    EXPECT_EQ(r.error().detail.find("not-the-password"), std::string::npos) << r.error().detail;
    const auto st = s.status();
    EXPECT_EQ(st.pending, pending) << "the outbox keeps every change";
    EXPECT_EQ(st.delivered, 0);
    EXPECT_EQ(st.last_error, station::error_name(c.expected));
    EXPECT_EQ(st.url.find("pw-st1"), std::string::npos) << st.url;
  }
  EXPECT_EQ(pg.count("SELECT count(*) FROM mailed.changes"), 0);

  s.close();
  s.open(good);
  auto r = s.st->sync_once(s.clerk);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->sent, pending);
  EXPECT_TRUE(s.status().last_error.empty());
  EXPECT_TRUE(compare(pg, s).same_state);
}

TEST(Sync, ElectronicReceiptsArePulledByCursorAndFeedTheDuplicateCheck) {
  PgServer pg;
  prepare_server(pg, 1);
  TestStation s("st1", pg.url("st1", "pw-st1"));
  User supervisor = *s.st->add_user(&s.admin, "super", kUserPassword, Role::kSupervisor);
  ASSERT_TRUE(s.st->load_facilities(supervisor, kShared / "data" / "facilities.csv"));
  const json& v = sample_values()[0];
  const std::string jigyosho = v["fields"]["facility.jigyosho_no"];
  const std::string facility_id = v["_facility_id"];
  const auto id = s.receive("2026-04-10", v);
  auto has_duplicate = [&](std::string* detail) {
    auto report = s.st->check(s.reviewer, id);
    if (!report) throw std::runtime_error(report.error().detail);
    for (const auto& f : report->findings)
      if (f.code == "DUPLICATE_APPLICATION") {
        if (detail) *detail = f.message_ja;
        return true;
      }
    return false;
  };
  EXPECT_FALSE(has_duplicate(nullptr));

  // The main system received the same facility's application electronically, the day before.
  pg.exec("SELECT electronic.add_receipt('E-SYNC-1', '" + facility_id + "', '" + jigyosho +
          "', 'x', '2026-04-09T15:30:00+09:00')");
  auto r = s.st->sync_once(s.clerk);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->receipts, 1);
  EXPECT_EQ(r->receipts_new, 1);
  std::string message;
  EXPECT_TRUE(has_duplicate(&message)) << "the pulled receipt feeds the duplicate check at once";
  EXPECT_NE(message.find("E-SYNC-1"), std::string::npos) << message;
  // The main system decides the same: the electronic one is the first.
  EXPECT_EQ(pg.query("SELECT channel, application FROM mailed.first_applications WHERE jigyosho_no = '" + jigyosho + "'"),
            std::vector<std::string>{"electronic\tE-SYNC-1"});

  // Incrementally: only what is new after the cursor.
  pg.exec("SELECT electronic.add_receipt('E-SYNC-2', 'F-OTHER', '9999999999', 'y', '2026-04-11T09:00:00+09:00')");
  pg.exec("SELECT electronic.add_receipt('E-SYNC-3', 'F-OTHER2', '9999999998', 'z', '2026-04-11T09:05:00+09:00')");
  auto r2 = s.st->sync_once(s.clerk);
  ASSERT_TRUE(r2) << r2.error().detail;
  EXPECT_EQ(r2->receipts, 2);
  EXPECT_EQ(*s.st->electronic_count(s.reviewer), 3);
  auto r3 = s.st->sync_once(s.clerk);
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->receipts, 0);
  EXPECT_EQ(s.status().cursor, pg.count("SELECT max(feed_seq) FROM electronic.receipts"));
  // The station may read the receipts but not add any.
  auto conn = station::sync::Connection::open(pg.url("st1", "pw-st1"), std::chrono::seconds(5));
  ASSERT_TRUE(conn);
}

TEST(Sync, TheBackgroundWorkerRetriesWithBackOffAndCatchesUp) {
  PgServer pg;
  prepare_server(pg, 1);
  FaultProxy proxy(pg.port(), 7);
  proxy.set({.refuse = 1.0});
  TestStation s("st1", "");
  s.config.sync_interval_seconds = 1;
  s.config.sync_max_interval_seconds = 2;
  s.close();
  s.open(pg.url("st1", "pw-st1", proxy.port()));
  s.receive("2026-04-01", sample_values()[1]);
  ASSERT_TRUE(s.st->start_sync_worker());
  EXPECT_TRUE(s.status().worker_running);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (proxy.refused() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GE(proxy.refused(), 3) << "the worker retries";
  auto failing = s.status();
  EXPECT_EQ(failing.last_error, "SYNC_UNREACHABLE");
  EXPECT_GT(failing.pending, 0);
  proxy.set({});
  // Until a round has ended well (pending reaches 0 before the round records its success).
  auto caught_up = [&] {
    const auto st = s.status();
    return st.pending == 0 && st.last_error.empty() && !st.last_success_at.empty();
  };
  while (!caught_up() && std::chrono::steady_clock::now() < deadline + std::chrono::seconds(20))
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(s.status().pending, 0);
  EXPECT_TRUE(s.status().last_error.empty());
  EXPECT_TRUE(compare(pg, s).same_state);
}

// Three stations, random faults between each and the server, a server restart (fast) and a crash
// (immediate shutdown), a station SIGKILLed mid-sync twice (once right after the server committed a
// batch, once at a random moment). Then the checker: every change on the server exactly once, the
// same state on both sides, one first application per facility.
TEST(Sync, ThreeStationsUnderFaultsLoseNothingAndDuplicateNothing) {
  PgServer pg;
  prepare_server(pg, 3);
  std::vector<std::unique_ptr<FaultProxy>> proxies;
  std::vector<std::unique_ptr<TestStation>> stations;
  for (int i = 1; i <= 3; ++i) {
    proxies.push_back(std::make_unique<FaultProxy>(pg.port(), 100 + i));
    stations.push_back(std::make_unique<TestStation>(
        "st" + std::to_string(i), pg.url("st" + std::to_string(i), "pw-st" + std::to_string(i), proxies.back()->port())));
    proxies.back()->set({.refuse = 0.15, .cut = 0.02, .delay = 0.05, .delay_ms = 40});
    stations.back()->load_facilities();
  }
  const auto& samples = sample_values();
  std::mt19937 rng(20260415);
  long long sync_ok = 0, sync_failed = 0, kills = 0;
  const int rounds = 12;
  for (int round = 0; round < rounds; ++round) {
    for (std::size_t i = 0; i < stations.size(); ++i) {
      auto& s = *stations[i];
      // Two stations receive mail for the same facilities on the same days.
      const std::string date = "2026-04-" + std::string(round % 2 ? "14" : "13");
      const json& v = samples[(round + i) % std::min<std::size_t>(samples.size(), 6)];
      const auto id = s.receive(date, v);
      if (rng() % 3 == 0) s.request_correction(id);
      auto r = s.st->sync_once(s.clerk);
      (r ? sync_ok : sync_failed)++;
    }
    if (round == 4) pg.restart(/*immediate=*/false);
    if (round == 8) pg.restart(/*immediate=*/true);
    if (round == 6 || round == 10) {
      // Station 2 runs as its own process and is killed mid-sync.
      auto& s = *stations[1];
      s.receive("2026-04-15", samples[0]);
      const auto pending = s.status().pending;
      const std::string url = s.config.sync_url;
      s.close();
      const fs::path out = s.dir.path / "cli.log";
      // The kill right after the server's commit must reach the server: no network fault then.
      if (round == 6) proxies[1]->set({});
      const int rc = round == 6 ? run_cli(s, {"sync", "--once", "--as", "clerk"}, "after_push", 0, out)
                                : run_cli(s, {"sync", "--once", "--as", "clerk"}, "", 5 + static_cast<int>(rng() % 60), out);
      if (round == 6) {
        EXPECT_EQ(rc, 128 + SIGKILL) << PgServer::read(out);
      }
      if (rc == 128 + SIGKILL) ++kills;
      proxies[1]->set({.refuse = 0.15, .cut = 0.02, .delay = 0.05, .delay_ms = 40});
      s.open(url);
      if (round == 6) {
        // The server committed the first batch; the station did not learn it: still pending.
        EXPECT_GT(pg.count("SELECT count(*) FROM mailed.changes WHERE station = 'st2'"), s.status().delivered);
        EXPECT_EQ(s.status().pending, pending);
      }
    }
  }
  // The network heals; every station catches up.
  for (auto& p : proxies) p->set({});
  for (auto& s : stations) {
    for (int attempt = 0; attempt < 20 && s->status().pending > 0; ++attempt) {
      auto r = s->st->sync_once(s->clerk);
      (r ? sync_ok : sync_failed)++;
    }
  }

  // Everything is on the server: one more round each pulls the other stations' applications.
  for (auto& s : stations) EXPECT_TRUE(s->sync_until_ok()) << s->name;

  long long operations = 0, lost = 0, duplicated = 0;
  for (auto& s : stations) {
    SCOPED_TRACE(s->name);
    const auto st = s->status();
    EXPECT_EQ(st.pending, 0);
    const Comparison c = compare(pg, *s);
    operations += c.last_seq;
    lost += c.last_seq - c.changes;
    duplicated += c.changes - c.distinct_keys;
    EXPECT_EQ(c.changes, c.last_seq) << "every change on the server";
    EXPECT_EQ(c.distinct_keys, c.changes);
    EXPECT_EQ(pg.count("SELECT max(seq) FROM mailed.changes WHERE station = '" + s->name + "'"), c.last_seq);
    EXPECT_TRUE(c.same_state) << c.difference;
  }
  // Nothing applied twice: each transition, value and round once per station row.
  EXPECT_EQ(pg.count("SELECT count(*) FROM (SELECT station, transition_id FROM mailed.status_history "
                     "GROUP BY 1, 2 HAVING count(*) > 1) d"),
            0);
  // One first application per facility, and it is the earliest received across the stations.
  const auto firsts = pg.query("SELECT jigyosho_no, station, application FROM mailed.first_applications ORDER BY 1");
  const auto facilities = pg.count("SELECT count(DISTINCT value) FROM mailed.field_values WHERE key = 'facility.jigyosho_no'");
  EXPECT_EQ(static_cast<long long>(firsts.size()), facilities);
  const auto again = pg.query("SELECT jigyosho_no, station, application FROM mailed.first_applications ORDER BY 1");
  EXPECT_EQ(firsts, again) << "the decision is deterministic";
  const auto earlier_than_first = pg.count(
      "SELECT count(*) FROM mailed.applications a JOIN mailed.field_values f ON f.station = a.station AND "
      "f.envelope_id = a.envelope_id AND f.key = 'facility.jigyosho_no' JOIN mailed.first_applications fa ON "
      "fa.jigyosho_no = f.value WHERE (CASE WHEN left(a.registered_at, 10) = a.received_date::text THEN a.registered_at "
      "ELSE a.received_date::text || 'T00:00:00+09:00' END) < fa.received_moment");
  EXPECT_EQ(earlier_than_first, 0);

  // The same duplicate decision on every station: an application of a station is free of
  // DUPLICATE_APPLICATION exactly when the server names it the first of its facility.
  std::set<std::string> first_set;
  for (const auto& row : firsts) first_set.insert(row);
  long long decisions = 0, agree = 0;
  std::set<std::string> firsts_seen;
  for (auto& s : stations) {
    auto list = s->st->list_envelopes(s->reviewer);
    ASSERT_TRUE(list) << list.error().detail;
    for (const auto& e : *list) {
      bool matched = false;
      const bool first_here = s->duplicate(e.id, &matched).empty();
      if (!matched) continue;
      std::string jigyosho;
      auto fields = s->st->fields(s->reviewer, e.id);
      ASSERT_TRUE(fields) << fields.error().detail;
      for (const auto& f : *fields)
        if (f.key == "facility.jigyosho_no") jigyosho = f.confirmed_value;
      const bool first_there = first_set.contains(jigyosho + "\t" + s->name + "\t" + e.receipt_no);
      ++decisions;
      if (first_here == first_there) {
        ++agree;
      } else {
        ADD_FAILURE() << s->name << " " << e.receipt_no << ": station says first=" << first_here << ", the server "
                      << first_there;
      }
      if (first_here) EXPECT_TRUE(firsts_seen.insert(jigyosho).second) << "two first applications of " << jigyosho;
    }
  }
  EXPECT_GT(decisions, 30);
  EXPECT_EQ(agree, decisions);
  EXPECT_EQ(firsts_seen.size(), first_set.size()) << "every facility's first application is on some station";

  long long refused = 0, cuts = 0, delays = 0;
  for (auto& p : proxies) {
    refused += p->refused();
    cuts += p->cuts();
    delays += p->delays();
  }
  std::printf("[sync faults] stations 3, operations (changes) %lld, sync rounds ok %lld / failed %lld, "
              "faults: refused %lld, cut %lld, delayed %lld, server restarts 2, station SIGKILLs %lld; "
              "lost %lld, duplicated %lld, facilities %zu with one first application each; duplicate decisions "
              "the same on the stations and the server %lld of %lld\n",
              operations, sync_ok, sync_failed, refused, cuts, delays, kills, lost, duplicated, firsts.size(), agree,
              decisions);
  EXPECT_GE(operations, 300);
  EXPECT_GT(refused + cuts, 0);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(duplicated, 0);
}

// TLS verified against a test CA (sslmode=verify-full), SCRAM over it, a client certificate as the
// role's credential; plain TCP refused by the server, another CA refused by the station.
TEST(Sync, TlsIsVerifiedAndAClientCertificateAuthenticates) {
  PgServer pg(/*tls=*/true);
  prepare_server(pg, 1);
  pg.exec("CREATE ROLE st_cert LOGIN IN ROLE station_sync");
  const std::string base = "host=localhost port=" + std::to_string(pg.port()) + " dbname=postgres ";
  const std::string verified = base + "sslmode=verify-full sslrootcert=" + pg.ca_file().string();
  TestStation s("st1", verified + " user=st1 password=pw-st1");
  s.receive("2026-04-01", sample_values()[0]);
  const auto pending = s.status().pending;

  struct Case {
    std::string what, url;
    ErrorCode expected;
  };
  const std::vector<Case> cases = {
      {"no TLS", pg.url("st1", "pw-st1"), ErrorCode::kSyncAuth},
      {"another CA", base + "sslmode=verify-full sslrootcert=" + pg.other_ca_file().string() + " user=st1 password=pw-st1",
       ErrorCode::kSyncAuth},
      {"name not in the certificate", "host=127.0.0.2 hostaddr=127.0.0.1 port=" + std::to_string(pg.port()) +
                                          " dbname=postgres sslmode=verify-full sslrootcert=" + pg.ca_file().string() +
                                          " user=st1 password=pw-st1",
       ErrorCode::kSyncAuth},
      {"certificate role without its certificate", verified + " user=st_cert", ErrorCode::kSyncAuth},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    s.close();
    s.open(c.url);
    auto r = s.st->sync_once(s.clerk);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, c.expected) << r.error().detail;
    EXPECT_EQ(s.status().pending, pending);
  }
  s.close();
  s.open(verified + " user=st1 password=pw-st1");
  auto r = s.st->sync_once(s.clerk);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->sent, pending);
  EXPECT_TRUE(compare(pg, s).same_state);

  // The client certificate is the credential of st_cert (no password).
  TestStation c("st_cert", verified + " user=st_cert sslcert=" + pg.client_cert().string() +
                               " sslkey=" + pg.client_key().string());
  c.receive("2026-04-02", sample_values()[1]);
  auto rc = c.st->sync_once(c.clerk);
  ASSERT_TRUE(rc) << rc.error().detail;
  EXPECT_EQ(rc->role, "st_cert");
  EXPECT_TRUE(compare(pg, c).same_state);
}

TEST(Sync, TheCliPrintsTheSchemaAndTheStatus) {
  TempDir dir;
  const fs::path out = dir.path / "schema.sql";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::execl(kStationCli.c_str(), kStationCli.c_str(), "sync", "schema", nullptr);
    ::_exit(127);
  }
  ASSERT_EQ(sync_test::wait_exit(pid), 0);
  const std::string sql = PgServer::read(out);
  EXPECT_EQ(sql, station::Station::sync_schema_sql());
  EXPECT_NE(sql.find("CREATE FUNCTION mailed.apply_changes"), std::string::npos);
  EXPECT_NE(sql.find("INSERT INTO station_meta.schema_version (version) VALUES (1)"), std::string::npos);
  // Version 2 follows as the upgrade from 1, headed as such.
  const auto v2 = sql.find("upgrade from version 1 to 2");
  ASSERT_NE(v2, std::string::npos) << sql.substr(0, 400);
  EXPECT_GT(v2, sql.find("VALUES (1)"));
  EXPECT_NE(sql.find("CREATE FUNCTION mailed.other_applications", v2), std::string::npos);
  EXPECT_NE(sql.find("INSERT INTO station_meta.schema_version (version) VALUES (2)", v2), std::string::npos);
  const auto v3 = sql.find("upgrade from version 2 to 3");
  ASSERT_NE(v3, std::string::npos);
  EXPECT_GT(v3, v2);
  EXPECT_NE(sql.find("CREATE TABLE mailed.findings", v3), std::string::npos);

  PgServer pg;
  prepare_server(pg, 1);
  TestStation s("st1", pg.url("st1", "pw-st1"));
  s.receive("2026-04-01", sample_values()[2]);
  const auto pending = s.status().pending;
  s.close();
  const fs::path status_out = s.dir.path / "status.txt";
  ASSERT_EQ(run_cli(s, {"sync", "status", "--as", "clerk"}, "", 0, status_out), 0) << PgServer::read(status_out);
  const std::string text = PgServer::read(status_out);
  EXPECT_NE(text.find("未送信の変更: " + std::to_string(pending) + " 件"), std::string::npos) << text;
  EXPECT_EQ(text.find("pw-st1"), std::string::npos) << "the password is not shown";
  const fs::path once_out = s.dir.path / "once.txt";
  ASSERT_EQ(run_cli(s, {"sync", "--once", "--as", "clerk"}, "", 0, once_out), 0) << PgServer::read(once_out);
  EXPECT_NE(PgServer::read(once_out).find("送信した変更: " + std::to_string(pending) + " 件"), std::string::npos)
      << PgServer::read(once_out);
}

}  // namespace
