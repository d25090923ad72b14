// The sync's outbox (migration 8): every change the main system must learn of is written by a
// trigger in the same transaction as the change, on a real SQLCipher store; a rolled-back change
// leaves no outbox row; a store upgraded from version 6 puts what it already holds in the outbox.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "station/lifecycle.h"
#include "station/store/envelopes.h"
#include "station/store/fields.h"
#include "station/store/outbox.h"
#include "station/store/pages.h"
#include "station/store/schema.h"
#include "station/store/transaction.h"
#include "station/store/users.h"
#include "station/config.h"
#include "station/model.h"
#include "storage/keys.h"
#include "test_support.h"

namespace {

namespace lc = station::lifecycle;
using nlohmann::json;

storage::Database open_db(const std::filesystem::path& dir) {
  auto key = storage::SecretKey::random();
  return std::move(*storage::Database::open(dir / "station.db", *key));
}

std::vector<std::string> kinds(storage::Database& db) {
  std::vector<std::string> out;
  auto rows = station::store::outbox_changes(db, 0, 10000);
  EXPECT_TRUE(rows) << rows.error().detail;
  if (rows)
    for (const auto& r : *rows) out.push_back(r.kind);
  return out;
}

std::int64_t add_envelope(storage::Database& db, std::int64_t clerk) {
  auto reg = station::store::register_envelope(db, clerk, "2026-04-01", 4, "import", "2026-04-01T10:00:00+09:00");
  EXPECT_TRUE(reg) << reg.error().detail;
  return reg->id;
}

TEST(Outbox, EveryChangeIsWrittenInTheSameTransactionAsItself) {
  testing_support::TempDir dir;
  auto db = open_db(dir.path);
  ASSERT_TRUE(db.migrate(station::store::kMigrations));
  auto clerk = station::store::insert_user(db, "clerk", station::Role::kClerk, "x", "2026-04-01T10:00:00+09:00");
  ASSERT_TRUE(clerk);
  EXPECT_TRUE(station::store::pending_changes(db, 100)->empty()) << "a new store has nothing to send";
  auto store_id = station::store::sync_state(db, "store_id");
  ASSERT_TRUE(store_id);
  EXPECT_EQ(store_id->size(), 24u) << "a random id per store";

  const auto id = add_envelope(db, *clerk);
  ASSERT_TRUE(station::store::transition(db, id, lc::Event::kCaptureFinished).value_or(false));
  auto rows = *station::store::outbox_changes(db, 0, 100);
  ASSERT_EQ(rows.size(), 3u);  // the envelope, its new state, the transition
  EXPECT_EQ(rows[0].kind, "envelope");
  const json first = json::parse(rows[0].payload);
  EXPECT_EQ(first["id"], id);
  EXPECT_EQ(first["received_date"], "2026-04-01");
  EXPECT_EQ(first["status"], "capturing");
  EXPECT_EQ(rows[1].kind, "envelope");
  EXPECT_EQ(json::parse(rows[1].payload)["status"], "captured");
  EXPECT_EQ(rows[2].kind, "transition");
  EXPECT_EQ(json::parse(rows[2].payload)["to"], "captured");
  EXPECT_LT(rows[0].seq, rows[1].seq);

  // A change rolled back leaves no outbox row: they are one transaction.
  const auto before = rows.size();
  auto s = station::store::transaction(db, [&]() -> station::Status {
    if (auto r = station::store::transition(db, id, lc::Event::kRecognitionStarted); !r) return std::unexpected(r.error());
    return station::fail(station::ErrorCode::kConflict, "abandoned");
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(station::store::outbox_changes(db, 0, 100)->size(), before);
  EXPECT_EQ(station::store::state_of(db, id).value(), station::EnvelopeState::kCaptured);

  // A value read is not sent; confirmed, it is.
  station::store::NewPage page;
  page.envelope_id = id;
  page.seq = 1;
  page.blob_id = "0000";
  page.source_name = "p1.png";
  page.media_type = "image/png";
  page.width = 10;
  page.height = 10;
  page.dpi = 200;
  auto page_id = station::store::insert_page(db, page);
  ASSERT_TRUE(page_id);
  station::store::ReadValue rv;
  rv.page_id = *page_id;
  rv.key = "amount";
  rv.value = "256000";
  rv.confidence = 0.5;
  ASSERT_TRUE(station::store::upsert_read(db, id, rv));
  EXPECT_EQ(station::store::outbox_changes(db, 0, 100)->size(), before);
  auto field_ids = station::store::field_ids(db, id);
  ASSERT_TRUE(field_ids) << field_ids.error().detail;
  ASSERT_EQ(field_ids->size(), 1u);
  ASSERT_TRUE(station::store::confirm(db, field_ids->front(), id, "265000", *clerk, "2026-04-01T11:00:00+09:00"));
  rows = *station::store::outbox_changes(db, 0, 100);
  ASSERT_GT(rows.size(), before);
  EXPECT_EQ(rows[before].kind, "field");
  EXPECT_EQ(rows[before].entity, std::to_string(id) + "/amount");
  EXPECT_EQ(json::parse(rows[before].payload)["value"], "265000");
  EXPECT_EQ(json::parse(rows[before].payload)["read"], "256000");

  // Delivered up to a seq: the rest stays pending, in order.
  ASSERT_TRUE(station::store::mark_delivered(db, rows[1].seq, "2026-04-01T12:00:00+09:00"));
  auto counts = station::store::outbox_counts(db);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->delivered, 2);
  EXPECT_EQ(counts->pending, static_cast<std::int64_t>(rows.size()) - 2);
  EXPECT_EQ(counts->oldest_pending_at, rows[2].created_at);
  EXPECT_EQ(station::store::pending_changes(db, 100)->front().seq, rows[2].seq);

  // Removing an envelope is a change too.
  const auto other = add_envelope(db, *clerk);
  ASSERT_TRUE(station::store::remove(db, other));
  const auto after_remove = kinds(db);
  ASSERT_FALSE(after_remove.empty());
  EXPECT_EQ(after_remove.back(), "envelope_removed");
}

TEST(Outbox, AStoreUpgradedToMigration8SendsWhatItAlreadyHolds) {
  testing_support::TempDir dir;
  auto db = open_db(dir.path);
  const std::span<const storage::Migration> all(station::store::kMigrations);
  std::size_t before_sync = 0;
  while (before_sync < all.size() && all[before_sync].version < 8) ++before_sync;
  ASSERT_TRUE(db.migrate(all.first(before_sync)));
  auto clerk = station::store::insert_user(db, "clerk", station::Role::kClerk, "x", "2026-04-01T10:00:00+09:00");
  const auto a = add_envelope(db, *clerk);
  ASSERT_TRUE(station::store::transition(db, a, lc::Event::kCaptureFinished).value_or(false));
  add_envelope(db, *clerk);

  ASSERT_TRUE(db.migrate(station::store::kMigrations));
  const auto k = kinds(db);
  EXPECT_EQ(k, (std::vector<std::string>{"envelope", "envelope", "transition"}));
  auto rows = *station::store::outbox_changes(db, 0, 100);
  EXPECT_EQ(json::parse(rows[0].payload)["status"], "captured");
}

}  // namespace

namespace {

TEST(SyncConfig, TheKeysAreReadAndThePasswordIsNeverShown) {
  testing_support::TempDir dir;
  const auto file = dir.path / "config.toml";
  testing_support::write_file(file,
                              "[sync]\nurl = \"host=db port=5432 user=st1 password=s3cret sslmode=verify-full\"\n"
                              "interval_seconds = 5\nmax_interval_seconds = 60\nbatch = 100\ntimeout_seconds = 7\n");
  auto c = station::load_config(file, true);
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->sync_url, "host=db port=5432 user=st1 password=s3cret sslmode=verify-full");
  EXPECT_EQ(c->sync_interval_seconds, 5);
  EXPECT_EQ(c->sync_max_interval_seconds, 60);
  EXPECT_EQ(c->sync_batch, 100);
  EXPECT_EQ(c->sync_timeout_seconds, 7);
  const std::string shown = station::to_toml(*c);
  EXPECT_EQ(shown.find("s3cret"), std::string::npos) << shown;
  EXPECT_NE(shown.find("password=***"), std::string::npos) << shown;
  EXPECT_EQ(station::redact_conninfo("postgresql://st1:s3cret@db:5432/main?sslmode=verify-full"),
            "postgresql://st1:***@db:5432/main?sslmode=verify-full");
  EXPECT_EQ(station::redact_conninfo("host=db password='a b' user=x"), "host=db password=*** user=x");

  testing_support::write_file(file, "[sync]\ninterval_seconds = 100\nmax_interval_seconds = 50\n");
  auto bad = station::load_config(file, true);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, station::ErrorCode::kConfig);
}

}  // namespace

namespace {

// Delivered changes older than the cut-off go; newer delivered ones and every pending one stay;
// the seq keeps counting after a prune (an idempotency key is never reused), and the newest seq
// still shows when every row was pruned.
TEST(Outbox, PruneDeletesOnlyDeliveredChangesOlderThanTheCutOff) {
  testing_support::TempDir dir;
  auto db = open_db(dir.path);
  ASSERT_TRUE(db.migrate(station::store::kMigrations));
  auto clerk = station::store::insert_user(db, "clerk", station::Role::kClerk, "x", "2026-04-01T10:00:00+09:00");
  ASSERT_TRUE(clerk);
  for (int i = 0; i < 3; ++i) add_envelope(db, *clerk);
  auto first = *station::store::outbox_changes(db, 0, 100);
  ASSERT_EQ(first.size(), 3u);
  ASSERT_TRUE(station::store::mark_delivered(db, first[1].seq, "2026-04-01T12:00:00+09:00"));  // 2 delivered early
  for (int i = 0; i < 2; ++i) add_envelope(db, *clerk);
  auto all = *station::store::outbox_changes(db, 0, 100);
  ASSERT_EQ(all.size(), 5u);
  ASSERT_TRUE(station::store::mark_delivered(db, all[3].seq, "2026-06-01T12:00:00+09:00"));  // 2 delivered later
  // 5 rows: 2 delivered on 04-01, 2 on 06-01, 1 pending.
  auto pruned = station::store::prune_delivered(db, "2026-05-01T00:00:00+09:00");
  ASSERT_TRUE(pruned) << pruned.error().detail;
  EXPECT_EQ(*pruned, 2);
  auto left = *station::store::outbox_changes(db, 0, 100);
  ASSERT_EQ(left.size(), 3u);
  EXPECT_EQ(left[0].seq, all[2].seq);
  EXPECT_EQ(left[2].seq, all[4].seq);
  auto counts = *station::store::outbox_counts(db);
  EXPECT_EQ(counts.pending, 1);
  EXPECT_EQ(counts.delivered, 2);

  // A cut-off after every delivery: the pending change is still kept.
  EXPECT_EQ(station::store::prune_delivered(db, "2099-01-01T00:00:00+09:00").value_or(-1), 2);
  auto pending = *station::store::pending_changes(db, 100);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].seq, all[4].seq);
  ASSERT_TRUE(station::store::mark_delivered(db, all[4].seq, "2026-06-02T00:00:00+09:00"));
  EXPECT_EQ(station::store::prune_delivered(db, "2099-01-01T00:00:00+09:00").value_or(-1), 1);
  counts = *station::store::outbox_counts(db);
  EXPECT_EQ(counts.pending + counts.delivered, 0);
  EXPECT_EQ(counts.last_seq, all[4].seq) << "the newest seq survives a prune of every row";
  add_envelope(db, *clerk);
  auto next = *station::store::pending_changes(db, 100);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_GT(next[0].seq, all[4].seq) << "a pruned seq is never given again";
}

TEST(SyncConfig, RetentionDaysIsReadAndBounded) {
  testing_support::TempDir dir;
  const auto file = dir.path / "config.toml";
  auto c = station::load_config(file, false);
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->sync_retention_days, 90) << "the default";
  testing_support::write_file(file, "[sync]\nretention_days = 7\n");
  c = station::load_config(file, true);
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->sync_retention_days, 7);
  EXPECT_NE(station::to_toml(*c).find("retention_days = 7"), std::string::npos);
  testing_support::write_file(file, "[sync]\nretention_days = -1\n");
  auto bad = station::load_config(file, true);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, station::ErrorCode::kConfig);
}

}  // namespace

namespace {

// Migration 11: the other stations' applications are kept apart from the envelopes (and never go
// to the outbox); rows and cursor move in one transaction; a removed one is dropped.
TEST(Outbox, OtherStationsApplicationsAreKeptApartWithTheirCursor) {
  testing_support::TempDir dir;
  auto db = open_db(dir.path);
  ASSERT_TRUE(db.migrate(station::store::kMigrations));
  EXPECT_EQ(station::store::sync_state(db, "applications_cursor").value_or("?"), "0");
  using Row = station::store::RemoteApplicationRow;
  std::vector<Row> rows = {
      Row{"st2", 7, "R-7", "2026-04-01", "2026-04-01T09:00:00+09:00", "1271755072", "1271755072", false},
      Row{"st3", 7, "R-7", "2026-04-01", "2026-04-01T09:30:00+09:00", "127-175-5072", "1271755072", false},
      Row{"st3", 8, "R-8", "2026-04-02", "2026-04-02T09:30:00+09:00", "1270000001", "1270000001", false}};
  ASSERT_TRUE(station::store::apply_remote_applications(db, rows, 12, "2026-04-03T10:00:00+09:00"));
  EXPECT_EQ(station::store::sync_state(db, "applications_cursor").value_or("?"), "12");
  auto found = station::store::remote_applications(db, "1271755072");
  ASSERT_TRUE(found) << found.error().detail;
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].station, "st2");
  EXPECT_EQ((*found)[1].registered_at, "2026-04-01T09:30:00+09:00");
  EXPECT_TRUE(station::store::pending_changes(db, 100)->empty()) << "pulled rows are never sent back";

  // An update and a removal.
  rows = {Row{"st2", 7, "R-7", "2026-03-31", "2026-04-01T09:00:00+09:00", "1271755072", "1271755072", false},
          Row{"st3", 7, "", "", "", "", "", true}};
  ASSERT_TRUE(station::store::apply_remote_applications(db, rows, 15, "2026-04-03T11:00:00+09:00"));
  found = station::store::remote_applications(db, "1271755072");
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].received_date, "2026-03-31");
  EXPECT_EQ(station::store::sync_state(db, "applications_cursor").value_or("?"), "15");
  EXPECT_EQ(station::store::remote_applications(db, "1270000001")->size(), 1u);
}

}  // namespace
