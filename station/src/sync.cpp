// The facade's sync with the main system (docs/sync.md): a round delivers the outbox (filled by
// migration 8's triggers in the same transaction as each change) through station_sync, then pulls
// the electronic receipts after the stored cursor into the electronic store. The store's lock is
// held only to read and to mark, never across the network.
#include <csignal>
#include <cstdlib>

#include "station/review/normalize.h"
#include "station/store/outbox.h"
#include "station/sync/client.h"
#include "station_impl.h"

namespace station {

namespace {

// Fault injection for the sync's crash test (unset in production): "after_push" kills the process
// once the server has committed a batch and before the station marks it delivered, so the batch
// is delivered again at the next round (and ignored by the server).
void crash_point(std::string_view name) {
  const char* at = std::getenv("STATION_SYNC_CRASH_POINT");
  if (at && name == at) std::raise(SIGKILL);
}

constexpr int kPullBatch = 1000;

}  // namespace

std::string Station::sync_schema_sql() { return sync::schema_sql(); }

Result<SyncReport> Station::Impl::sync_round() {
  std::lock_guard run(sync_run_mu);
  auto record = [this](const Error* e) {
    std::lock_guard lock(mu);
    const std::string now = clock().jst_now_iso();
    (void)store::set_sync_state(db, "last_attempt_at", now);
    if (e) {
      (void)store::set_sync_state(db, "last_error", std::string(error_name(e->code)));
      (void)store::set_sync_state(db, "last_error_detail", e->detail);
    } else {
      (void)store::set_sync_state(db, "last_success_at", now);
      (void)store::set_sync_state(db, "last_error", "");
      (void)store::set_sync_state(db, "last_error_detail", "");
    }
  };
  auto failed = [&](Error e) -> Result<SyncReport> {
    record(&e);
    return std::unexpected(std::move(e));
  };

  auto conn = sync::Connection::open(config.sync_url, std::chrono::seconds(config.sync_timeout_seconds));
  if (!conn) return failed(conn.error());
  SyncReport report;
  report.role = conn->role();

  std::string store_id;
  std::int64_t last_seq = 0;
  {
    std::lock_guard lock(mu);
    auto id = store::sync_state(db, "store_id");
    if (!id) return failed(id.error());
    store_id = *id;
    auto counts = store::outbox_counts(db);
    if (!counts) return failed(counts.error());
    last_seq = counts->last_seq;  // what exists now; later changes wait for the next round
  }
  if (store_id.empty()) return failed(Error{ErrorCode::kInternal, "the store has no sync id"});

  // Upstream: the outbox in seq order, a batch per server transaction, marked once acknowledged.
  for (;;) {
    std::vector<store::OutboxRow> rows;
    {
      std::lock_guard lock(mu);
      auto r = store::pending_changes(db, config.sync_batch);
      if (!r) return failed(r.error());
      rows = std::move(*r);
    }
    std::erase_if(rows, [&](const store::OutboxRow& r) { return r.seq > last_seq; });
    if (rows.empty()) break;
    std::vector<sync::Change> changes;
    changes.reserve(rows.size());
    for (auto& r : rows)
      changes.push_back(sync::Change{r.seq, store_id + ":" + std::to_string(r.seq), std::move(r.kind),
                                     std::move(r.entity), std::move(r.payload), std::move(r.created_at)});
    auto applied = conn->push(changes);
    if (!applied) return failed(applied.error());
    crash_point("after_push");
    {
      std::lock_guard lock(mu);
      if (auto s = store::mark_delivered(db, changes.back().seq, clock().jst_now_iso()); !s) return failed(s.error());
    }
    report.sent += static_cast<std::int64_t>(changes.size());
    report.applied += *applied;
  }

  // Downstream: electronic receipts after the cursor. The receipts are upserted first and the
  // cursor moved after, so a crash between the two only pulls the same receipts again.
  for (;;) {
    std::int64_t cursor = 0;
    {
      std::lock_guard lock(mu);
      auto c = store::sync_state(db, "cursor");
      if (!c) return failed(c.error());
      cursor = c->empty() ? 0 : std::strtoll(c->c_str(), nullptr, 10);
    }
    auto got = conn->pull(cursor, kPullBatch);
    if (!got) return failed(got.error());
    if (got->empty()) break;
    std::vector<ElectronicApplication> apps;
    for (const auto& r : *got) apps.push_back(r.application);
    {
      std::lock_guard lock(edb_mu);
      if (!edb) return failed(Error{ErrorCode::kInternal, "the electronic store is not open"});
      auto added = store::upsert_electronic_applications(*edb, apps);
      if (!added) return failed(added.error());
      report.receipts_new += *added;
    }
    {
      std::lock_guard lock(mu);
      if (auto s = store::set_sync_state(db, "cursor", std::to_string(got->back().feed_seq)); !s)
        return failed(s.error());
    }
    report.receipts += static_cast<std::int64_t>(got->size());
    if (static_cast<int>(got->size()) < kPullBatch) break;
  }

  // Downstream: the other stations' mailed applications after their cursor (schema v2), kept
  // apart from this station's envelopes for the duplicate check; rows and cursor in one
  // transaction. The role is kept too: it breaks a tie of received moments (station order).
  {
    std::lock_guard lock(mu);
    if (auto s = store::set_sync_state(db, "role", report.role); !s) return failed(s.error());
  }
  for (;;) {
    std::int64_t cursor = 0;
    {
      std::lock_guard lock(mu);
      auto c = store::sync_state(db, "applications_cursor");
      if (!c) return failed(c.error());
      cursor = c->empty() ? 0 : std::strtoll(c->c_str(), nullptr, 10);
    }
    auto got = conn->pull_applications(cursor, kPullBatch);
    if (!got) return failed(got.error());
    if (got->empty()) break;
    std::vector<store::RemoteApplicationRow> rows;
    rows.reserve(got->size());
    for (auto& a : *got) {
      const std::string key = review::digits_only(a.jigyosho_no);
      rows.push_back(store::RemoteApplicationRow{std::move(a.station), a.envelope_id, std::move(a.receipt_no),
                                                 std::move(a.received_date), std::move(a.registered_at),
                                                 std::move(a.jigyosho_no), key, a.removed});
    }
    {
      std::lock_guard lock(mu);
      if (auto s = store::apply_remote_applications(db, rows, got->back().feed_seq, clock().jst_now_iso()); !s)
        return failed(s.error());
    }
    report.applications += static_cast<std::int64_t>(got->size());
    if (static_cast<int>(got->size()) < kPullBatch) break;
  }

  {
    std::lock_guard lock(mu);
    // Delivered changes older than [sync] retention_days go (the server holds them); a failed
    // round prunes nothing, so what a failure leaves is always there to look at.
    const std::string before = clock().iso_in_minutes(-config.sync_retention_days * 24 * 60);
    auto pruned = store::prune_delivered(db, before);
    if (!pruned) return failed(pruned.error());
    report.pruned = *pruned;
    auto counts = store::outbox_counts(db);
    if (!counts) return failed(counts.error());
    report.pending = counts->pending;
  }
  record(nullptr);
  return report;
}

void Station::Impl::sync_worker_loop(std::stop_token stop) {
  using namespace std::chrono;
  const seconds base(config.sync_interval_seconds);
  const seconds bound(config.sync_max_interval_seconds);
  seconds wait = seconds(0);  // a first round at once
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(sync_wake_mu);
      if (wait.count() > 0 && sync_wake.wait_for(lock, stop, wait, [] { return false; })) break;
    }
    if (stop.stop_requested()) break;
    auto r = sync_round();
    if (r) {
      // More left (written meanwhile): go on at once; otherwise the regular interval.
      wait = r->pending > 0 ? seconds(0) : base;
    } else {
      wait = wait.count() == 0 ? base : std::min(wait * 2, bound);
    }
  }
}

Result<SyncReport> Station::sync_once(const User& actor) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor, Role::kAdmin}, "sync"); !s)
    return std::unexpected(s.error());
  auto r = impl_->sync_round();
  if (!r) {
    impl_->audit(&actor, "sync.failed", std::string(error_name(r.error().code)));
    return r;
  }
  impl_->audit(&actor, "sync.run",
               "sent:" + std::to_string(r->sent) + " applied:" + std::to_string(r->applied) +
                   " receipts:" + std::to_string(r->receipts) + " pruned:" + std::to_string(r->pruned));
  return r;
}

Result<SyncStatus> Station::sync_status(const User& actor) {
  (void)actor;  // every signed-in role: counts and times, no personal value
  SyncStatus s;
  s.configured = !impl_->config.sync_url.empty();
  s.url = redact_conninfo(impl_->config.sync_url);
  s.worker_running = impl_->sync_worker.joinable();
  std::lock_guard lock(impl_->mu);
  auto& db = impl_->db;
  auto counts = store::outbox_counts(db);
  if (!counts) return std::unexpected(counts.error());
  s.pending = counts->pending;
  s.delivered = counts->delivered;
  s.oldest_pending_at = counts->oldest_pending_at;
  s.last_seq = counts->last_seq;
  auto get = [&](const char* name, std::string& out) -> Status {
    auto v = store::sync_state(db, name);
    if (!v) return std::unexpected(v.error());
    out = *v;
    return {};
  };
  std::string cursor;
  for (auto [name, out] : {std::pair{"store_id", &s.store_id}, {"last_attempt_at", &s.last_attempt_at},
                           {"last_success_at", &s.last_success_at}, {"last_error", &s.last_error},
                           {"last_error_detail", &s.last_error_detail}, {"cursor", &cursor}})
    if (auto r = get(name, *out); !r) return std::unexpected(r.error());
  s.cursor = cursor.empty() ? 0 : std::strtoll(cursor.c_str(), nullptr, 10);
  return s;
}

Status Station::start_sync_worker() {
  if (impl_->config.sync_url.empty())
    return fail(ErrorCode::kConfig, "sync.url is not set: no main system to sync with");
  if (impl_->sync_worker.joinable()) return {};
  impl_->sync_worker = std::jthread([impl = impl_.get()](std::stop_token stop) { impl->sync_worker_loop(stop); });
  return {};
}

}  // namespace station
