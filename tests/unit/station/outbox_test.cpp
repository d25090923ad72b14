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
