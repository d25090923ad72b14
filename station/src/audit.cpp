// The audit log: append-only, hash-chained, with signed checkpoints and a signed head file.
//
// Entry n's link is BLAKE2b-256(link(n-1) || encode(id, at, user_id, action, subject, envelope_id)),
// the genesis link being 64 zeros. Ids run 1, 2, 3 ... without gaps. Every
// config.audit_checkpoint_every entries a checkpoint row holds the link at that entry, signed
// with the station's Ed25519 key; and after every committed entry <data_dir>/audit-head.json holds
// the last id and link, signed. Verification recomputes every link, so an edited, deleted or
// reordered entry breaks the chain at that point; a log cut off at the end no longer reaches the
// head file's id (or a checkpoint's). The head may lag the log by one entry after a crash, never
// lead it.
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "station_impl.h"

namespace station {

namespace {

constexpr const char* kSigningPurpose = "audit-signing";
// Entries the station appends when it finds, at open, that the log no longer reaches its signed
// head (cut off) or that the head file is gone. verify reports them as problems.
constexpr const char* kHeadMismatchAction = "audit.head_mismatch";
constexpr const char* kHeadMissingAction = "audit.head_missing";

std::string opt_int(std::optional<std::int64_t> v) { return v ? std::to_string(*v) : std::string(); }

// "envelope:12 field:amount" -> 12
std::optional<std::int64_t> envelope_of(std::string_view subject) {
  constexpr std::string_view kTag = "envelope:";
  auto pos = subject.find(kTag);
  if (pos == std::string_view::npos || (pos > 0 && subject[pos - 1] != ' ')) return std::nullopt;
  pos += kTag.size();
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(subject.data() + pos, subject.data() + subject.size(), id);
  if (ec != std::errc() || end == subject.data() + pos) return std::nullopt;
  return id;
}

std::string entry_record(std::int64_t id, std::string_view at, std::string_view user, std::string_view action,
                         std::string_view subject, std::string_view envelope) {
  const std::string ids = std::to_string(id);
  const std::string_view fields[] = {ids, at, user, action, subject, envelope};
  return storage::encode_fields(fields);
}

std::string checkpoint_message(std::int64_t audit_id, std::string_view hash, std::string_view at) {
  return "station-audit-checkpoint v1|" + std::to_string(audit_id) + "|" + std::string(hash) + "|" +
         std::string(at);
}

std::string head_message(std::int64_t last_id, std::string_view hash) {
  return "station-audit-head v1|" + std::to_string(last_id) + "|" + std::string(hash);
}

struct Link {
  std::int64_t id = 0;
  std::string hash{storage::kChainGenesis};
};

storage::Result<Link> last_link(storage::Database& db) {
  auto st = db.prepare("SELECT id, hash FROM audit WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1");
  if (!st) return std::unexpected(st.error());
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  Link l;
  if (*row) {
    l.id = st->column_int(0);
    l.hash = st->column_text(1);
  }
  return l;
}

}  // namespace

void Station::Impl::audit(const User* user, std::string_view action, const std::string& subject) {
  std::lock_guard lock(mu);
  std::optional<std::int64_t> uid;
  if (user != nullptr) uid = user->id;
  if (auto s = append_audit(uid, action, subject); !s) {
    // The action itself stands; the failure to record it is visible to the operator.
    std::fprintf(stderr, "station: audit entry '%.*s' not recorded: %s\n", static_cast<int>(action.size()),
                 action.data(), s.error().message.c_str());
  }
}

storage::Status Station::Impl::append_audit(std::optional<std::int64_t> user_id, std::string_view action,
                                            const std::string& subject) {
  std::lock_guard lock(mu);
  Link added;
  const auto body = [&]() -> storage::Status {
    auto prev = last_link(db);
    if (!prev) return std::unexpected(prev.error());
    const std::int64_t id = prev->id + 1;
    const std::string at = clock().jst_now_iso();
    const auto envelope = envelope_of(subject);
    const std::string hash =
        storage::chain_link_hex(prev->hash, entry_record(id, at, opt_int(user_id), action, subject, opt_int(envelope)));
    auto ins = db.prepare(
        "INSERT INTO audit(id, at, user_id, action, subject, envelope_id, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)");
    if (!ins) return std::unexpected(ins.error());
    ins->bind(1, id).bind(2, at).bind(3, user_id).bind(4, action).bind(5, subject).bind(6, envelope);
    ins->bind(7, prev->hash).bind(8, hash);
    if (auto r = ins->run(); !r) return r;
    const int every = std::max(1, config.audit_checkpoint_every);
    if (signer && id % every == 0) {
      auto cp = db.prepare("INSERT INTO audit_checkpoints(audit_id, hash, at, signature) VALUES (?,?,?,?)");
      if (!cp) return std::unexpected(cp.error());
      cp->bind(1, id).bind(2, hash).bind(3, at).bind(4, signer->sign_hex(checkpoint_message(id, hash, at)));
      if (auto r = cp->run(); !r) return r;
    }
    added = Link{id, hash};
    return {};
  };
  if (db.in_transaction()) return body();  // joins the caller's transaction; the head follows later
  if (auto s = db.transaction(body); !s) return s;
  return write_audit_head(added.id, added.hash);
}

storage::Status Station::Impl::write_audit_head(std::int64_t last_id, const std::string& hash) {
  if (!signer) return {};
  nlohmann::json j = {{"format", "station-audit-head"},
                      {"version", 1},
                      {"last_id", last_id},
                      {"hash", hash},
                      {"signature", signer->sign_hex(head_message(last_id, hash))}};
  const std::string text = j.dump() + "\n";
  // Written through a temporary and renamed: a crash leaves the old head or the new one.
  const fs::path final_path = dir / kAuditHeadFile;
  fs::path tmp = final_path;
  tmp += ".tmp-" + storage::random_hex(8);
  {
    std::FILE* f = std::fopen(tmp.c_str(), "wbx");
    if (f == nullptr) return storage::fail(storage::Code::kIo, "cannot write " + tmp.string());
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0 &&
                    ::fsync(fileno(f)) == 0;
    const bool closed = std::fclose(f) == 0;
    if (!ok || !closed) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return storage::fail(storage::Code::kIo, "cannot write " + tmp.string());
    }
  }
  std::error_code ec;
  fs::rename(tmp, final_path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return storage::fail(storage::Code::kIo, "cannot replace " + final_path.string());
  }
  return {};
}

Status Station::Impl::init_audit() {
  std::lock_guard lock(mu);
  // The signing seed lives inside the encrypted database; created once, on first open.
  auto sel = db.prepare("SELECT secret FROM station_secrets WHERE purpose = ?");
  if (!sel) return unexpected_storage(sel.error());
  sel->bind(1, kSigningPurpose);
  auto row = sel->step();
  if (!row) return unexpected_storage(row.error());
  std::optional<storage::SecretKey> seed;
  if (*row) {
    auto bytes = sel->column_blob(0);
    auto k = storage::SecretKey::from_bytes(bytes);
    storage::wipe(bytes);
    if (!k) return fail(ErrorCode::kStoreCorrupt, "the audit signing key is damaged");
    seed = std::move(*k);
  } else {
    auto k = storage::SecretKey::random();
    if (!k) return unexpected_storage(k.error());
    auto pair = storage::SigningKey::from_seed(*k);
    if (!pair) return unexpected_storage(pair.error());
    auto ins = db.prepare("INSERT INTO station_secrets(purpose, secret, public_key, created_at) VALUES (?,?,?,?)");
    if (!ins) return unexpected_storage(ins.error());
    ins->bind(1, kSigningPurpose).bind_blob(2, k->bytes()).bind(3, pair->public_key_hex()).bind(4, clock().jst_now_iso());
    if (auto r = ins->run(); !r) return unexpected_storage(r.error());
    seed = std::move(*k);
  }
  (void)sel->reset();
  auto pair = storage::SigningKey::from_seed(*seed);
  if (!pair) return unexpected_storage(pair.error());
  signer = std::move(*pair);

  // Entries written before the chain existed (schema version 1) are sealed into it, in id order.
  auto before = last_link(db);
  if (!before) return unexpected_storage(before.error());
  const bool had_chain = before->id > 0;
  auto s = db.transaction([&]() -> storage::Status {
    auto rows = db.prepare("SELECT id, at, user_id, action, subject FROM audit WHERE hash IS NULL ORDER BY id");
    if (!rows) return std::unexpected(rows.error());
    struct Row {
      std::int64_t id;
      std::string at, user, action, subject;
    };
    std::vector<Row> pending;
    for (;;) {
      auto r = rows->step();
      if (!r) return std::unexpected(r.error());
      if (!*r) break;
      pending.push_back({rows->column_int(0), rows->column_text(1),
                         rows->is_null(2) ? std::string() : std::to_string(rows->column_int(2)),
                         rows->column_text(3), rows->column_text(4)});
    }
    Link link = *before;
    for (const Row& r : pending) {
      const auto envelope = envelope_of(r.subject);
      const std::string hash =
          storage::chain_link_hex(link.hash, entry_record(r.id, r.at, r.user, r.action, r.subject, opt_int(envelope)));
      auto up = db.prepare("UPDATE audit SET envelope_id = ?, prev_hash = ?, hash = ? WHERE id = ?");
      if (!up) return std::unexpected(up.error());
      up->bind(1, envelope).bind(2, link.hash).bind(3, hash).bind(4, r.id);
      if (auto x = up->run(); !x) return x;
      link = Link{r.id, hash};
    }
    return {};
  });
  if (!s) return unexpected_storage(s.error());

  // The signed head must still be reached by the log. The next entry overwrites the head, so a
  // log found cut off (or a head found missing) is recorded in the chain itself, where verify
  // reports it for good; the old head is kept aside as evidence.
  auto last = last_link(db);
  if (!last) return unexpected_storage(last.error());
  const fs::path head_path = dir / kAuditHeadFile;
  std::error_code ec;
  // Temporaries of a head write a crash interrupted (the station holds the store lock: none is live).
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().starts_with(std::string(kAuditHeadFile) + ".tmp-")) {
      std::error_code rm;
      fs::remove(it->path(), rm);
    }
  }
  ec.clear();
  if (!fs::exists(head_path, ec)) {
    if (had_chain) {
      if (auto a = append_audit(std::nullopt, kHeadMissingAction, "log_last:" + std::to_string(last->id)); !a)
        return unexpected_storage(a.error());
      return {};
    }
    if (auto w = write_audit_head(last->id, last->hash); !w) return unexpected_storage(w.error());
    return {};
  }
  std::int64_t signed_last = -1;
  std::string signed_hash;
  if (auto text = read_file(head_path)) {
    nlohmann::json j = nlohmann::json::parse(text->begin(), text->end(), nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("last_id") && j["last_id"].is_number_integer() &&
        j.contains("hash") && j["hash"].is_string() && j.contains("signature") && j["signature"].is_string() &&
        storage::verify_signature_hex(signer->public_key_hex(),
                                      head_message(j["last_id"].get<std::int64_t>(), j["hash"].get<std::string>()),
                                      j["signature"].get<std::string>())) {
      signed_last = j["last_id"].get<std::int64_t>();
      signed_hash = j["hash"].get<std::string>();
    }
  }
  bool reached = false;
  if (signed_last == 0) {
    reached = true;
  } else if (signed_last > 0 && signed_last <= last->id) {
    auto h = db.prepare("SELECT hash FROM audit WHERE id = ?");
    if (!h) return unexpected_storage(h.error());
    h->bind(1, signed_last);
    auto r = h->step();
    if (!r) return unexpected_storage(r.error());
    reached = *r && h->column_text(0) == signed_hash;
  }
  if (!reached) {
    fs::path aside = dir / ("audit-head.mismatch-" + storage::random_hex(4) + ".json");
    fs::rename(head_path, aside, ec);
    if (auto a = append_audit(std::nullopt, kHeadMismatchAction,
                              "signed_last:" + std::to_string(signed_last) + " log_last:" + std::to_string(last->id));
        !a)
      return unexpected_storage(a.error());
  }
  return {};
}

AuditVerifyReport Station::Impl::verify_audit() {
  std::lock_guard lock(mu);
  AuditVerifyReport rep;
  auto problem = [&](std::string p) {
    if (rep.problems.size() < 50) rep.problems.push_back(std::move(p));
  };
  const std::string pk = signer ? signer->public_key_hex() : std::string();
  rep.public_key = pk;
  // The stored public key must be the one the station signs with.
  if (auto st = db.prepare("SELECT public_key FROM station_secrets WHERE purpose = ?"); st) {
    st->bind(1, kSigningPurpose);
    auto r = st->step();
    if (!r || !*r || st->column_text(0) != pk) problem("the stored public key does not match the signing key");
  }

  std::map<std::int64_t, std::string> links;  // id -> recomputed link, for checkpoints and head
  auto rows = db.prepare("SELECT id, at, user_id, action, subject, envelope_id, prev_hash, hash FROM audit ORDER BY id");
  if (!rows) {
    problem("cannot read the audit table: " + rows.error().message);
    return rep;
  }
  std::string prev(storage::kChainGenesis);
  std::int64_t expected_id = 0;
  bool first = true;
  for (;;) {
    auto r = rows->step();
    if (!r) {
      problem("cannot read the audit table: " + r.error().message);
      break;
    }
    if (!*r) break;
    const std::int64_t id = rows->column_int(0);
    if (first) {
      if (id != 1) problem("entries before id " + std::to_string(id) + " are missing (log cut at the start)");
      first = false;
    } else if (id != expected_id) {
      problem("entries " + std::to_string(expected_id) + ".." + std::to_string(id - 1) + " are missing");
    }
    expected_id = id + 1;
    ++rep.entries;
    const std::string at = rows->column_text(1);
    const std::string user = rows->is_null(2) ? std::string() : std::to_string(rows->column_int(2));
    const std::string subject = rows->column_text(4);
    const std::string envelope = rows->is_null(5) ? std::string() : std::to_string(rows->column_int(5));
    const std::string stored_prev = rows->column_text(6);
    const std::string stored = rows->column_text(7);
    if (rows->is_null(7)) problem("entry " + std::to_string(id) + " is not sealed into the chain");
    if (envelope != opt_int(envelope_of(subject)))
      problem("entry " + std::to_string(id) + ": application reference does not match its subject");
    if (stored_prev != prev) problem("entry " + std::to_string(id) + " does not follow the entry before it");
    const std::string link =
        storage::chain_link_hex(prev, entry_record(id, at, user, rows->column_text(3), subject, envelope));
    if (link != stored) problem("entry " + std::to_string(id) + " was altered (its hash does not match)");
    if (const std::string act = rows->column_text(3); act == kHeadMismatchAction || act == kHeadMissingAction)
      problem("entry " + std::to_string(id) + " records that the log was found cut off or its head missing (" +
              subject + ")");
    links[id] = link;
    prev = stored;  // follow the stored chain, so one edit is reported once
    rep.last_id = id;
  }
  rep.head_hash = prev;

  if (auto cps = db.prepare("SELECT audit_id, hash, at, signature FROM audit_checkpoints ORDER BY audit_id"); cps) {
    for (;;) {
      auto r = cps->step();
      if (!r || !*r) break;
      ++rep.checkpoints;
      const std::int64_t aid = cps->column_int(0);
      const std::string hash = cps->column_text(1);
      if (!storage::verify_signature_hex(pk, checkpoint_message(aid, hash, cps->column_text(2)), cps->column_text(3)))
        problem("checkpoint at entry " + std::to_string(aid) + " has a bad signature");
      auto it = links.find(aid);
      if (it == links.end())
        problem("checkpoint at entry " + std::to_string(aid) + " refers to a missing entry (log cut off?)");
      else if (it->second != hash)
        problem("checkpoint at entry " + std::to_string(aid) + " does not match the log");
    }
  } else {
    problem("cannot read the audit checkpoints");
  }
  const int every = std::max(1, config.audit_checkpoint_every);
  if (rep.checkpoints < rep.last_id / every && rep.last_id > 0) {
    // Checkpoints are written with their entry; fewer than expected means some were removed.
    problem("expected " + std::to_string(rep.last_id / every) + " checkpoints, found " +
            std::to_string(rep.checkpoints));
  }

  // The head file: a lower bound on the log's length, signed.
  auto text = read_file(dir / kAuditHeadFile);
  if (!text) {
    problem("the audit head file is missing");
  } else {
    nlohmann::json j = nlohmann::json::parse(text->begin(), text->end(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("last_id") || !j["last_id"].is_number_integer() ||
        !j.contains("hash") || !j["hash"].is_string() || !j.contains("signature") || !j["signature"].is_string()) {
      problem("the audit head file is damaged");
    } else {
      const auto last = j["last_id"].get<std::int64_t>();
      const auto hash = j["hash"].get<std::string>();
      if (!storage::verify_signature_hex(pk, head_message(last, hash), j["signature"].get<std::string>())) {
        problem("the audit head file has a bad signature");
      } else if (last > rep.last_id) {
        problem("the log ends at entry " + std::to_string(rep.last_id) + " but was signed up to entry " +
                std::to_string(last) + " (entries cut off)");
      } else if (last > 0) {
        auto it = links.find(last);
        if (it == links.end() || it->second != hash) problem("the signed head entry " + std::to_string(last) + " does not match the log");
      }
    }
  }
  rep.ok = rep.problems.empty();
  return rep;
}

Result<AuditVerifyReport> Station::audit_verify(const User& actor) {
  if (auto s = require(actor, {Role::kSupervisor, Role::kAdmin}, "verify the audit log"); !s)
    return std::unexpected(s.error());
  AuditVerifyReport rep = impl_->verify_audit();
  impl_->audit(&actor, rep.ok ? "audit.verify" : "audit.verify_failed",
               "entries:" + std::to_string(rep.entries) + " problems:" + std::to_string(rep.problems.size()));
  return rep;
}

Result<std::vector<AuditEntry>> Station::audit_search(const User& actor, const AuditQuery& q) {
  if (auto s = require(actor, {Role::kSupervisor, Role::kAdmin}, "search the audit log"); !s)
    return std::unexpected(s.error());
  if ((!q.from_date.empty() && !valid_iso_date(q.from_date)) || (!q.to_date.empty() && !valid_iso_date(q.to_date)))
    return fail(ErrorCode::kInvalidInput, "dates must be YYYY-MM-DD");
  std::lock_guard lock(impl_->mu);
  auto& db = impl_->db;
  std::int64_t envelope = q.envelope_id;
  if (!q.receipt_no.empty()) {
    auto st = db.prepare("SELECT id FROM envelopes WHERE receipt_no = ?");
    if (!st) return unexpected_storage(st.error());
    st->bind(1, q.receipt_no);
    auto r = st->step();
    if (!r) return unexpected_storage(r.error());
    if (!*r) return fail(ErrorCode::kNotFound, "no envelope with that receipt number");
    envelope = st->column_int(0);
  }
  // Each filter is "? IS NULL OR ..." so one statement serves every combination.
  auto st = db.prepare(
      "SELECT a.id, a.at, COALESCE(u.username, ''), a.action, a.subject, COALESCE(a.envelope_id, 0) "
      "FROM audit a LEFT JOIN users u ON u.id = a.user_id "
      "WHERE (?1 IS NULL OR u.username = ?1) AND (?2 IS NULL OR substr(a.at, 1, 10) >= ?2) "
      "AND (?3 IS NULL OR substr(a.at, 1, 10) <= ?3) AND (?4 IS NULL OR a.envelope_id = ?4) "
      "ORDER BY a.id DESC LIMIT ?5");
  if (!st) return unexpected_storage(st.error());
  const auto opt = [](const std::string& s) { return s.empty() ? std::optional<std::string>() : s; };
  st->bind(1, opt(q.username)).bind(2, opt(q.from_date)).bind(3, opt(q.to_date));
  st->bind(4, envelope > 0 ? std::optional<std::int64_t>(envelope) : std::nullopt);
  st->bind(5, std::int64_t{q.limit > 0 ? q.limit : 1000});
  std::vector<AuditEntry> out;
  for (;;) {
    auto r = st->step();
    if (!r) return unexpected_storage(r.error());
    if (!*r) break;
    out.push_back({st->column_int(0), st->column_text(1), st->column_text(2), st->column_text(3),
                   st->column_text(4), st->column_int(5)});
  }
  (void)st->reset();
  impl_->audit(&actor, "audit.search", "results:" + std::to_string(out.size()));
  return out;
}

}  // namespace station
