// The security domain's repositories in station_store, on a migrated database of their own: the
// audit chain's rows and checkpoints (audit.h), the station's secrets (secrets.h) and the blob
// references found from the schema (maintenance.h); and blind double entry's tables (entries.h,
// migration 15), whose guarded state change and cascade are the store's to keep.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "station/store/audit.h"
#include "station/store/entries.h"
#include "station/store/fields.h"
#include "station/store/maintenance.h"
#include "station/store/schema.h"
#include "station/store/secrets.h"
#include "station/store/users.h"
#include "storage/keys.h"
#include "storage/signing.h"
#include "support.h"

namespace {

namespace store = station::store;

class StoreRepos : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = storage::SecretKey::random();
    ASSERT_TRUE(key);
    auto opened = storage::Database::open(tmp_.path / "station.db", *key);
    ASSERT_TRUE(opened);
    db_.emplace(std::move(*opened));
    ASSERT_TRUE(db_->migrate(store::kMigrations));
  }
  storage::Database& db() { return *db_; }

  // A sealed entry following `prev`, its hash made up (the repository does not check links).
  store::AuditRow entry(std::int64_t id, const std::string& prev, std::optional<std::int64_t> envelope) {
    store::AuditRow r;
    r.id = id;
    r.at = "2025-06-0" + std::to_string(id) + "T10:00:00+09:00";
    r.action = "test.action";
    r.subject = envelope ? "envelope:" + std::to_string(*envelope) : "";
    r.envelope_id = envelope;
    r.prev_hash = prev;
    r.hash = std::string(64, static_cast<char>('a' + id));
    return r;
  }

  sec::TempDir tmp_;
  std::optional<storage::Database> db_;
};

TEST_F(StoreRepos, AuditChainRowsRoundTrip) {
  auto empty = store::last_audit_link(db());
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->id, 0);
  EXPECT_EQ(empty->hash, std::string(storage::kChainGenesis));

  const auto first = entry(1, empty->hash, 12);
  const auto second = entry(2, *first.hash, std::nullopt);
  ASSERT_TRUE(store::insert_audit_entry(db(), first));
  ASSERT_TRUE(store::insert_audit_entry(db(), second));

  auto last = store::last_audit_link(db());
  ASSERT_TRUE(last);
  EXPECT_EQ(last->id, 2);
  EXPECT_EQ(last->hash, *second.hash);
  EXPECT_EQ(store::audit_count(db()).value_or(-1), 2);
  EXPECT_EQ(store::audit_hash(db(), 1).value_or(std::nullopt), first.hash);
  EXPECT_EQ(store::audit_hash(db(), 3).value_or(std::string("?")), std::nullopt) << "no such entry";

  auto rows = store::audit_rows(db());
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].envelope_id, 12);
  EXPECT_EQ((*rows)[0].prev_hash, std::string(storage::kChainGenesis));
  EXPECT_EQ((*rows)[1].envelope_id, std::nullopt);
  EXPECT_EQ((*rows)[1].user_id, std::nullopt);

  EXPECT_TRUE(store::audit_recorded(db(), "test.action", "envelope:1").value_or(false)) << "a prefix of envelope:12";
  EXPECT_FALSE(store::audit_recorded(db(), "test.action", "envelope:2").value_or(true));
  EXPECT_FALSE(store::audit_recorded(db(), "other.action", "").value_or(true));

  store::AuditFilter by_envelope;
  by_envelope.envelope_id = 12;
  auto found = store::search_audit(db(), by_envelope);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().id, 1);
  EXPECT_EQ(found->front().username, "") << "the station itself";
  store::AuditFilter from_day_two;
  from_day_two.from_date = "2025-06-02";
  from_day_two.limit = 10;
  auto newest = store::search_audit(db(), from_day_two);
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->size(), 1u);
  EXPECT_EQ(newest->front().id, 2);
}

TEST_F(StoreRepos, UnsealedEntriesAreSealedInIdOrder) {
  ASSERT_TRUE(db().exec("INSERT INTO audit(id, at, user_id, action, subject) VALUES "
                        "(1, '2025-06-01T09:00:00+09:00', NULL, 'store.create', ''), "
                        "(2, '2025-06-01T09:01:00+09:00', 1, 'login', 'envelope:7')"));
  auto pending = store::unsealed_audit_entries(db());
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].id, 1);
  EXPECT_EQ((*pending)[1].user_id, 1);
  EXPECT_EQ((*pending)[1].subject, "envelope:7");
  EXPECT_EQ(store::last_audit_link(db()).value_or(store::AuditLink{-1, ""}).id, 0) << "nothing sealed yet";

  ASSERT_TRUE(store::seal_audit_entry(db(), 1, std::nullopt, std::string(storage::kChainGenesis), std::string(64, 'b')));
  ASSERT_TRUE(store::seal_audit_entry(db(), 2, 7, std::string(64, 'b'), std::string(64, 'c')));
  EXPECT_TRUE(store::unsealed_audit_entries(db()).value_or(std::vector<store::AuditRow>(1)).empty());
  auto last = store::last_audit_link(db());
  ASSERT_TRUE(last);
  EXPECT_EQ(last->id, 2);
  EXPECT_EQ(last->hash, std::string(64, 'c'));
}

TEST_F(StoreRepos, CheckpointsRoundTripByEntry) {
  ASSERT_TRUE(store::insert_audit_checkpoint(db(), {20, std::string(64, 'e'), "t2", "sig2"}));
  ASSERT_TRUE(store::insert_audit_checkpoint(db(), {10, std::string(64, 'd'), "t1", "sig1"}));
  auto cps = store::audit_checkpoints(db());
  ASSERT_TRUE(cps);
  ASSERT_EQ(cps->size(), 2u);
  EXPECT_EQ((*cps)[0].audit_id, 10);
  EXPECT_EQ((*cps)[0].signature, "sig1");
  EXPECT_EQ((*cps)[1].hash, std::string(64, 'e'));
}

TEST_F(StoreRepos, SecretsAreStoredByPurpose) {
  EXPECT_EQ(store::secret(db(), "audit-signing").value_or(std::vector<unsigned char>{1}), std::nullopt);
  const std::vector<unsigned char> none;
  ASSERT_TRUE(store::insert_secret(db(), "audit-signing", none, "pk-hex", "2025-06-01T09:00:00+09:00"));
  EXPECT_EQ(store::secret(db(), "audit-signing").value_or(std::nullopt), none);
  EXPECT_EQ(store::secret_public_key(db(), "audit-signing").value_or(std::nullopt), "pk-hex");
  EXPECT_FALSE(store::insert_secret(db(), "audit-signing", none, "other", "x")) << "one secret per purpose";
}

// Migration 10 (issue #16): the database keeps only public keys; a seed cannot be put back.
TEST_F(StoreRepos, ASecretCannotBeStoredInTheDatabaseFromVersion10On) {
  const std::vector<unsigned char> seed(32, 7);
  EXPECT_FALSE(store::insert_secret(db(), "audit-signing", seed, "pk-hex", "t")) << "a non-empty secret is refused";
  ASSERT_TRUE(store::insert_secret(db(), "audit-signing", {}, "pk-hex", "t"));
  EXPECT_FALSE(db().exec("UPDATE station_secrets SET secret = X'0102' WHERE purpose = 'audit-signing'"));
  EXPECT_TRUE(store::clear_secret(db(), "audit-signing"));
  EXPECT_EQ(store::clear_secret(db(), "no-such").error().code, station::ErrorCode::kNotFound);
}

TEST_F(StoreRepos, BlobColumnsAreFoundFromTheSchema) {
  auto columns = store::blob_columns(db());
  ASSERT_TRUE(columns);
  std::set<std::string> names;
  for (const auto& c : *columns) names.insert(c.table + "." + c.column);
  EXPECT_TRUE(names.contains("pages.blob_id"));
  EXPECT_TRUE(names.contains("pages.clean_blob_id"));
  auto referenced = store::referenced_blobs(db(), *columns);
  ASSERT_TRUE(referenced);
  EXPECT_TRUE(referenced->empty());
  EXPECT_EQ(store::page_count(db()).value_or(-1), 0);
}

TEST_F(StoreRepos, AnUnlockClearsTheLockoutByName) {
  auto id = store::insert_user(db(), "clerk1", station::Role::kClerk, "hash", "2025-06-01T09:00:00+09:00");
  ASSERT_TRUE(id);
  ASSERT_TRUE(store::record_failed_login(db(), *id, 0, std::string("2999-01-01T00:00:00+09:00")));
  EXPECT_TRUE(store::clear_lockout(db(), "clerk1").value_or(false));
  EXPECT_FALSE(store::clear_lockout(db(), "nobody").value_or(true));
  auto c = store::credentials(db(), "clerk1");
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->locked_until, std::nullopt);
  EXPECT_EQ(store::user_id(db(), "clerk1").value_or(std::nullopt), *id);
  EXPECT_EQ(store::user_id(db(), "nobody").value_or(std::int64_t{-1}), std::nullopt);
}

// Blind double entry: one row per round; the state moves only from the one the writer saw (two
// people keying one round at once: one CONFLICT, nothing of the loser kept); a deciding entry
// confirms the field in the same transaction; the rows go with their field.
TEST_F(StoreRepos, DoubleEntryRowsAreGuardedAndGoWithTheirField) {
  using station::double_entry::Round;
  using station::double_entry::State;
  const std::string at = "2026-03-30T10:00:00+09:00";
  auto u1 = store::insert_user(db(), "rev1", station::Role::kReviewer, "hash", at);
  auto u2 = store::insert_user(db(), "rev2", station::Role::kReviewer, "hash", at);
  ASSERT_TRUE(u1 && u2);
  ASSERT_TRUE(db().exec("INSERT INTO envelopes(id, receipt_no, received_date, clerk_id, status, created_at) "
                        "VALUES (7, 'M20260330-0001', '2026-03-30', " + std::to_string(*u1) + ", 'recognized', '" + at + "')"));
  ASSERT_TRUE(db().exec("INSERT INTO pages(id, envelope_id, seq, blob_id, source_name, media_type, width, height, dpi, "
                        "dpi_from_file) VALUES (3, 7, 1, 'b', 'p1.jpg', 'image/jpeg', 100, 100, 200, 1)"));
  store::ReadValue v;
  v.page_id = 3;
  v.key = "amount";
  v.value = "100";
  v.type = "amount";
  auto upserted = store::upsert_read(db(), 7, v);
  ASSERT_TRUE(upserted) << upserted.error().detail;
  const auto field_id = store::field_ids(db(), 7).value().at(0);

  auto f = store::entry_field(db(), field_id);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->state, State::kAwaitingFirst);
  EXPECT_EQ(f->type, "amount");
  EXPECT_EQ(store::open_entry_fields(db(), {"amount"}).value().size(), 1u);
  EXPECT_TRUE(store::open_entry_fields(db(), {"comb"}).value().empty());

  store::EntryWrite first{field_id, 7, *u1, Round::kFirst, "120000", at, State::kAwaitingFirst, State::kAwaitingSecond, {}};
  ASSERT_TRUE(store::record_entry(db(), first));
  // The same round again (another person who saw the field waiting for its first entry).
  auto again = first;
  again.user_id = *u2;
  auto r = store::record_entry(db(), again);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, station::ErrorCode::kConflict);
  EXPECT_FALSE(r.error().reason_ja.empty());
  EXPECT_EQ(store::entries(db(), field_id).value().size(), 1u);
  f = store::entry_field(db(), field_id);
  EXPECT_EQ(f->state, State::kAwaitingSecond);
  EXPECT_EQ(f->keyers, (std::vector<std::int64_t>{*u1}));
  // A second entry from a state the field has left: refused, its row rolled back.
  store::EntryWrite stale{field_id, 7, *u2, Round::kSecond, "120000", at, State::kDisputed, State::kDecided, "120000"};
  ASSERT_FALSE(store::record_entry(db(), stale));
  EXPECT_EQ(store::entries(db(), field_id).value().size(), 1u);
  EXPECT_FALSE(store::field(db(), field_id)->status == station::FieldStatus::kConfirmed);
  // The deciding entry confirms the field with it, and the envelope's last value moves it on.
  store::EntryWrite second{field_id, 7, *u2, Round::kSecond, "120000", at, State::kAwaitingSecond, State::kDecided, "120000"};
  ASSERT_TRUE(store::record_entry(db(), second));
  auto confirmed = store::field(db(), field_id);
  ASSERT_TRUE(confirmed);
  EXPECT_EQ(confirmed->status, station::FieldStatus::kConfirmed);
  EXPECT_EQ(confirmed->confirmed_value, "120000");
  EXPECT_EQ(confirmed->confirmed_by, "rev2");
  EXPECT_EQ(store::entry_field(db(), field_id)->state, State::kDecided);
  EXPECT_TRUE(store::open_entry_fields(db(), {"amount"}).value().empty());
  auto states = store::entry_states(db(), 7);
  ASSERT_TRUE(states);
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ((*states)[0].second, State::kDecided);
  // A state the table does not have is refused by the schema itself.
  EXPECT_FALSE(db().exec("UPDATE field_entry_states SET state = 'awaiting_first'"));
  // The rows go with their field.
  ASSERT_TRUE(db().exec("DELETE FROM fields WHERE id = " + std::to_string(field_id)));
  EXPECT_TRUE(store::entries(db(), field_id).value().empty());
  EXPECT_TRUE(store::entry_states(db(), 7).value().empty());
}

}  // namespace
