// The audit log (audit_log.h): append-only, hash-chained, with signed checkpoints and a signed
// head file.
//
// Entry n's link is BLAKE2b-256(link(n-1) || encode(id, at, user_id, action, subject, envelope_id)),
// the genesis link being 64 zeros. Ids run 1, 2, 3 ... without gaps. Every
// config.audit_checkpoint_every entries a checkpoint row holds the link at that entry, signed
// with the station's Ed25519 key; and after every committed entry <data_dir>/audit-head.json holds
// the last id and link, signed. Verification recomputes every link, so an edited, deleted or
// reordered entry breaks the chain at that point; a log cut off at the end no longer reaches the
// head file's id (or a checkpoint's). The head may lag the log by one entry after a crash, never
// lead it.
#include "station/security/audit_log.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "station/clock.h"
#include "station/files.h"
#include "station/security/layout.h"
#include "station/store/audit.h"
#include "station/store/envelopes.h"
#include "station/store/error.h"
#include "station/store/secrets.h"
#include "station/store/transaction.h"
#include "storage/keys.h"

namespace station::security {

namespace fs = std::filesystem;

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

}  // namespace

void AuditLog::record(const User* user, std::string_view action, const std::string& subject) {
  if (read_only_) return;  // a read-only open records nothing (docs/security.md)
  std::lock_guard lock(ctx_.mu);
  std::optional<std::int64_t> uid;
  if (user != nullptr) uid = user->id;
  if (auto s = append(uid, action, subject); !s) {
    // The action itself stands; the failure to record it is visible to the operator.
    std::fprintf(stderr, "station: audit entry '%.*s' not recorded: %s\n", static_cast<int>(action.size()),
                 action.data(), s.error().detail.c_str());
  }
}

Status AuditLog::append(std::optional<std::int64_t> user_id, std::string_view action, const std::string& subject) {
  if (read_only_ || !signer_)
    return fail(ErrorCode::kSigningKeyUnavailable, "the store is open read-only: the audit log cannot be written");
  std::lock_guard lock(ctx_.mu);
  auto& db = ctx_.db;
  store::AuditLink added;
  const auto body = [&]() -> Status {
    auto prev = store::last_audit_link(db);
    if (!prev) return std::unexpected(prev.error());
    store::AuditRow row;
    row.id = prev->id + 1;
    row.at = ctx_.clock.jst_now_iso();
    row.user_id = user_id;
    row.action = std::string(action);
    row.subject = subject;
    row.envelope_id = envelope_of(subject);
    row.prev_hash = prev->hash;
    const std::string hash = storage::chain_link_hex(
        prev->hash, entry_record(row.id, row.at, opt_int(user_id), action, subject, opt_int(row.envelope_id)));
    row.hash = hash;
    if (auto r = store::insert_audit_entry(db, row); !r) return r;
    const int every = std::max(1, checkpoint_every_);
    if (signer_ && row.id % every == 0) {
      store::AuditCheckpoint cp{row.id, hash, row.at, signer_->sign_hex(checkpoint_message(row.id, hash, row.at))};
      if (auto r = store::insert_audit_checkpoint(db, cp); !r) return r;
    }
    added = store::AuditLink{row.id, hash};
    return {};
  };
  if (db.in_transaction()) return body();  // joins the caller's transaction; the head follows later
  if (auto s = store::transaction(db, body); !s) return s;
  return write_head(added.id, added.hash);
}

Status AuditLog::write_head(std::int64_t last_id, const std::string& hash) {
  if (!signer_) return {};
  nlohmann::json j = {{"format", "station-audit-head"},
                      {"version", 1},
                      {"last_id", last_id},
                      {"hash", hash},
                      {"public_key", signer_->public_key_hex()},
                      {"signature", signer_->sign_hex(head_message(last_id, hash))}};
  const std::string text = j.dump() + "\n";
  // Written through a temporary and renamed: a crash leaves the old head or the new one.
  const fs::path final_path = dir_ / kAuditHeadFile;
  fs::path tmp = final_path;
  tmp += ".tmp-" + storage::random_hex(8);
  {
    std::FILE* f = std::fopen(tmp.c_str(), "wbx");
    if (f == nullptr) return fail(ErrorCode::kIo, "cannot write " + tmp.string());
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0 &&
                    ::fsync(fileno(f)) == 0;
    const bool closed = std::fclose(f) == 0;
    if (!ok || !closed) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return fail(ErrorCode::kIo, "cannot write " + tmp.string());
    }
  }
  std::error_code ec;
  fs::rename(tmp, final_path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return fail(ErrorCode::kIo, "cannot replace " + final_path.string());
  }
  return {};
}

Status AuditLog::init(const SigningSecrets& secrets) {
  std::lock_guard lock(ctx_.mu);
  auto& db = ctx_.db;
  keyring_ = secrets.keyring;
  read_only_ = secrets.read_only;
  // The signing seed lives in its own keyring slot, wrapped under the signing credential or the
  // master key; the database keeps only the public key (migration 10).
  auto row = store::secret(db, kSigningPurpose);
  if (!row) return std::unexpected(row.error());
  auto stored_pk = store::secret_public_key(db, kSigningPurpose);
  if (!stored_pk) return std::unexpected(stored_pk.error());
  auto slot = storage::Keyring::secret_slot(secrets.keyring, kSigningPurpose);
  if (!slot) return store::unexpected_storage(slot.error());
  const auto wipe_row = [&] {
    if (*row) storage::wipe(**row);
  };
  const bool row_has_seed = *row && !(*row)->empty();
  const auto unavailable = [&](const std::string& why) {
    wipe_row();
    return fail(ErrorCode::kSigningKeyUnavailable, why);
  };

  if (secrets.read_only) {
    // Verify only: no signer, the public key as stored (the pinned one is what verify trusts).
    wipe_row();
    if (!*stored_pk) return fail(ErrorCode::kStoreCorrupt, "the store has no audit signing key");
    public_key_ = **stored_pk;
    return {};
  }

  std::optional<storage::SecretKey> seed;
  bool write_slot = false;  // the slot must be (re)written under the credential
  if (*slot) {
    const storage::SecretKey* wrapping = secrets.master;
    if ((*slot)->wrap == storage::SecretWrap::kCredential) {
      if (secrets.credential == nullptr)
        return unavailable(secrets.credential_file.empty()
                               ? "the audit signing key is wrapped under a signing credential and none is configured "
                                 "(security.audit_signing_key_file)"
                               : "the signing credential " + secrets.credential_file +
                                     " cannot be read: " + secrets.credential_problem);
      wrapping = secrets.credential;
    } else if (!secrets.credential_file.empty()) {
      // A credential is configured, yet the seed is under the master key, which the passphrase
      // opens: someone may have put a seed of their own there. Never sign with it in silence
      // (`station audit signing-key new` is the way under a credential).
      return unavailable("the audit signing key is wrapped under the master key although a signing credential (" +
                         secrets.credential_file +
                         ") is configured: it may have been replaced; check the log against the pinned key");
    }
    if (wrapping == nullptr) return fail(ErrorCode::kInternal, "no master key to unwrap the audit signing key");
    auto k = storage::Keyring::get_secret(secrets.keyring, kSigningPurpose, *wrapping);
    if (!k) {
      if (k.error().code == storage::Code::kWrongKey && (*slot)->wrap == storage::SecretWrap::kCredential)
        return unavailable("the signing credential " + secrets.credential_file +
                           " is not the one the audit signing key is wrapped under");
      wipe_row();
      if (k.error().code == storage::Code::kWrongKey)
        return fail(ErrorCode::kStoreCorrupt, "the audit signing key's keyring slot does not open: " + k.error().message);
      return store::unexpected_storage(k.error());
    }
    seed = std::move(*k);
  } else if (row_has_seed) {
    // Migration 10: the seed of a store made before issue #16, still in the database.
    auto k = storage::SecretKey::from_bytes(**row);
    if (!k) {
      wipe_row();
      return fail(ErrorCode::kStoreCorrupt, "the audit signing key is damaged");
    }
    seed = std::move(*k);
    write_slot = true;
  } else {
    // A store whose row lost its seed to the keyring but whose keyring has no slot (an older
    // keyring copied back, the slot removed): never a fresh key in silence.
    if (*stored_pk) {
      wipe_row();
      return fail(ErrorCode::kStoreCorrupt, "the audit signing key is missing from the keyring " +
                                                secrets.keyring.string() + " (restore it from a backup)");
    }
    // A new store: a fresh seed, first into the keyring, then its public key into the database.
    auto k = storage::SecretKey::random();
    if (!k) return store::unexpected_storage(k.error());
    seed = std::move(*k);
    write_slot = true;
  }
  if (write_slot && !secrets.credential_file.empty() && secrets.credential == nullptr) {
    // The seed would go under the master key although a credential is configured.
    return unavailable("the signing credential " + secrets.credential_file + " cannot be read: " +
                       secrets.credential_problem);
  }
  wipe_row();
  if (write_slot) {
    const bool by_credential = secrets.credential != nullptr;
    const storage::SecretKey* wrapping = by_credential ? secrets.credential : secrets.master;
    if (wrapping == nullptr) return fail(ErrorCode::kInternal, "no key to wrap the audit signing key");
    if (auto r = storage::Keyring::put_secret(
            secrets.keyring, kSigningPurpose, *seed,
            by_credential ? storage::SecretWrap::kCredential : storage::SecretWrap::kMaster, *wrapping);
        !r)
      return store::unexpected_storage(r.error());
  }
  // Step two of the move, only once the keyring holds the seed (fault injection: a crash here
  // must leave a store that opens, STATION_CRASH_POINT=audit-seed-in-keyring).
  if (const char* at = std::getenv("STATION_CRASH_POINT"); at != nullptr && std::string_view(at) == "audit-seed-in-keyring")
    ::raise(SIGKILL);
  auto pair0 = storage::SigningKey::from_seed(*seed);
  if (!pair0) return store::unexpected_storage(pair0.error());
  if (!*stored_pk) {
    const std::vector<unsigned char> none;
    if (auto r = store::insert_secret(db, kSigningPurpose, none, pair0->public_key_hex(), ctx_.clock.jst_now_iso()); !r)
      return r;
  } else if (row_has_seed) {
    if (auto r = store::clear_secret(db, kSigningPurpose); !r) return r;
  }
  signer_ = std::move(*pair0);
  public_key_ = signer_->public_key_hex();
  seed_ = std::move(seed);

  // Entries written before the chain existed (schema version 1) are sealed into it, in id order.
  auto before = store::last_audit_link(db);
  if (!before) return std::unexpected(before.error());
  const bool had_chain = before->id > 0;
  auto s = store::transaction(db, [&]() -> Status {
    auto pending = store::unsealed_audit_entries(db);
    if (!pending) return std::unexpected(pending.error());
    store::AuditLink link = *before;
    for (const store::AuditRow& r : *pending) {
      const auto envelope = envelope_of(r.subject);
      const std::string hash = storage::chain_link_hex(
          link.hash, entry_record(r.id, r.at, opt_int(r.user_id), r.action, r.subject, opt_int(envelope)));
      if (auto x = store::seal_audit_entry(db, r.id, envelope, link.hash, hash); !x) return x;
      link = store::AuditLink{r.id, hash};
    }
    return {};
  });
  if (!s) return s;

  // The signed head must still be reached by the log. The next entry overwrites the head, so a
  // log found cut off (or a head found missing) is recorded in the chain itself, where verify
  // reports it for good; the old head is kept aside as evidence.
  auto last = store::last_audit_link(db);
  if (!last) return std::unexpected(last.error());
  const fs::path head_path = dir_ / kAuditHeadFile;
  std::error_code ec;
  // Temporaries of a head write a crash interrupted (the station holds the store lock: none is live).
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().starts_with(std::string(kAuditHeadFile) + ".tmp-")) {
      std::error_code rm;
      fs::remove(it->path(), rm);
    }
  }
  ec.clear();
  if (!fs::exists(head_path, ec)) {
    if (had_chain) return append(std::nullopt, kHeadMissingAction, "log_last:" + std::to_string(last->id));
    return write_head(last->id, last->hash);
  }
  std::int64_t signed_last = -1;
  std::string signed_hash;
  if (auto text = read_file(head_path)) {
    nlohmann::json j = nlohmann::json::parse(text->begin(), text->end(), nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("last_id") && j["last_id"].is_number_integer() &&
        j.contains("hash") && j["hash"].is_string() && j.contains("signature") && j["signature"].is_string() &&
        storage::verify_signature_hex(signer_->public_key_hex(),
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
    auto h = store::audit_hash(db, signed_last);
    if (!h) return std::unexpected(h.error());
    reached = *h && **h == signed_hash;
  }
  if (!reached) {
    fs::path aside = dir_ / ("audit-head.mismatch-" + storage::random_hex(4) + ".json");
    fs::rename(head_path, aside, ec);
    return append(std::nullopt, kHeadMismatchAction,
                  "signed_last:" + std::to_string(signed_last) + " log_last:" + std::to_string(last->id));
  }
  return {};
}

AuditVerifyReport AuditLog::verify(const std::string* expected_head) {
  std::lock_guard lock(ctx_.mu);
  auto& db = ctx_.db;
  AuditVerifyReport rep;
  auto problem = [&](std::string p) {
    if (rep.problems.size() < 50) rep.problems.push_back(std::move(p));
  };
  const std::string own = signer_ ? signer_->public_key_hex() : public_key_;
  // The pinned key, when there is one, is the anchor: everything must verify under it, so a log
  // rewritten and re-signed with a key of the attacker's fails however consistent it is.
  const std::string pk = pinned_.empty() ? own : pinned_;
  rep.public_key = own;
  rep.key_pinned = !pinned_.empty();
  if (!pinned_.empty() && own != pinned_)
    problem("the station signs with a key other than the pinned one (security.audit_public_key): the log may "
            "have been rewritten and re-signed");
  // The stored public key must be the one the station signs with.
  if (auto stored = store::secret_public_key(db, kSigningPurpose); !stored || !*stored || **stored != own)
    problem("the stored public key does not match the signing key");

  std::map<std::int64_t, std::string> links;  // id -> recomputed link, for checkpoints and head
  auto rows = store::audit_rows(db);
  if (!rows) {
    problem("cannot read the audit table: " + rows.error().detail);
    return rep;
  }
  std::string prev(storage::kChainGenesis);
  std::int64_t expected_id = 0;
  bool first = true;
  for (const store::AuditRow& row : *rows) {
    const std::int64_t id = row.id;
    if (first) {
      if (id != 1) problem("entries before id " + std::to_string(id) + " are missing (log cut at the start)");
      first = false;
    } else if (id != expected_id) {
      problem("entries " + std::to_string(expected_id) + ".." + std::to_string(id - 1) + " are missing");
    }
    expected_id = id + 1;
    ++rep.entries;
    const std::string user = opt_int(row.user_id);
    const std::string envelope = opt_int(row.envelope_id);
    const std::string stored = row.hash.value_or(std::string());
    if (!row.hash) problem("entry " + std::to_string(id) + " is not sealed into the chain");
    if (envelope != opt_int(envelope_of(row.subject)))
      problem("entry " + std::to_string(id) + ": application reference does not match its subject");
    if (row.prev_hash != prev) problem("entry " + std::to_string(id) + " does not follow the entry before it");
    const std::string link = storage::chain_link_hex(prev, entry_record(id, row.at, user, row.action, row.subject, envelope));
    if (link != stored) problem("entry " + std::to_string(id) + " was altered (its hash does not match)");
    if (row.action == kHeadMismatchAction || row.action == kHeadMissingAction)
      problem("entry " + std::to_string(id) + " records that the log was found cut off or its head missing (" +
              row.subject + ")");
    links[id] = link;
    prev = stored;  // follow the stored chain, so one edit is reported once
    rep.last_id = id;
  }
  rep.head_hash = prev;

  if (auto cps = store::audit_checkpoints(db); cps) {
    for (const store::AuditCheckpoint& cp : *cps) {
      ++rep.checkpoints;
      const std::int64_t aid = cp.audit_id;
      if (!storage::verify_signature_hex(pk, checkpoint_message(aid, cp.hash, cp.at), cp.signature))
        problem("checkpoint at entry " + std::to_string(aid) + " has a bad signature");
      auto it = links.find(aid);
      if (it == links.end())
        problem("checkpoint at entry " + std::to_string(aid) + " refers to a missing entry (log cut off?)");
      else if (it->second != cp.hash)
        problem("checkpoint at entry " + std::to_string(aid) + " does not match the log");
    }
  } else {
    problem("cannot read the audit checkpoints");
  }
  const int every = std::max(1, checkpoint_every_);
  if (rep.checkpoints < rep.last_id / every && rep.last_id > 0) {
    // Checkpoints are written with their entry; fewer than expected means some were removed.
    problem("expected " + std::to_string(rep.last_id / every) + " checkpoints, found " +
            std::to_string(rep.checkpoints));
  }

  // The head file: a lower bound on the log's length, signed.
  auto text = read_file(dir_ / kAuditHeadFile);
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
  // A head kept off the station: the log must still reach it, with the same link.
  if (expected_head != nullptr) {
    nlohmann::json j = nlohmann::json::parse(expected_head->begin(), expected_head->end(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("last_id") || !j["last_id"].is_number_integer() ||
        !j.contains("hash") || !j["hash"].is_string() || !j.contains("signature") || !j["signature"].is_string()) {
      problem("the expected head file is not an audit head");
    } else {
      const auto last = j["last_id"].get<std::int64_t>();
      const auto hash = j["hash"].get<std::string>();
      rep.expected_last_id = last;
      if (!storage::verify_signature_hex(pk, head_message(last, hash), j["signature"].get<std::string>())) {
        problem("the expected head file is not signed by the station's key" +
                std::string(rep.key_pinned ? " (the pinned one)" : ""));
      } else if (last > rep.last_id) {
        problem("the log ends at entry " + std::to_string(rep.last_id) + " but an earlier head showed entry " +
                std::to_string(last) + " (the store was rolled back or cut off)");
      } else if (last > 0) {
        auto it = links.find(last);
        if (it == links.end() || it->second != hash)
          problem("entry " + std::to_string(last) + " is not the one the expected head signed (the log was rewritten)");
      }
    }
  }
  rep.ok = rep.problems.empty();
  return rep;
}

Status AuditLog::new_credential(const std::filesystem::path& path) {
  std::lock_guard lock(ctx_.mu);
  if (read_only_ || !seed_) return fail(ErrorCode::kSigningKeyUnavailable, "the store is open read-only");
  auto cred = storage::CredentialFile::create(path);
  if (!cred) {
    if (cred.error().code == storage::Code::kInvalid) return fail(ErrorCode::kInvalidInput, cred.error().message);
    return store::unexpected_storage(cred.error());
  }
  if (auto r = storage::Keyring::put_secret(keyring_, kSigningPurpose, *seed_, storage::SecretWrap::kCredential, *cred);
      !r) {
    std::error_code ec;
    fs::remove(path, ec);  // the slot is still under its old wrapping
    return store::unexpected_storage(r.error());
  }
  return {};
}

Result<std::string> AuditLog::head_document() {
  std::lock_guard lock(ctx_.mu);
  auto text = read_file(dir_ / kAuditHeadFile);
  if (!text) return fail(ErrorCode::kIo, "cannot read the audit head");
  return std::string(text->begin(), text->end());
}

Result<std::vector<AuditEntry>> AuditLog::search(const AuditQuery& q) {
  if ((!q.from_date.empty() && !valid_iso_date(q.from_date)) || (!q.to_date.empty() && !valid_iso_date(q.to_date)))
    return fail(ErrorCode::kInvalidInput, "dates must be YYYY-MM-DD");
  std::lock_guard lock(ctx_.mu);
  auto& db = ctx_.db;
  std::int64_t envelope = q.envelope_id;
  if (!q.receipt_no.empty()) {
    auto found = store::continuation_by_receipt_no(db, q.receipt_no);
    if (!found) return std::unexpected(found.error());
    if (!*found) return fail(ErrorCode::kNotFound, "no envelope with that receipt number");
    envelope = (*found)->id;
  }
  const auto opt = [](const std::string& s) { return s.empty() ? std::optional<std::string>() : s; };
  store::AuditFilter filter;
  filter.username = opt(q.username);
  filter.from_date = opt(q.from_date);
  filter.to_date = opt(q.to_date);
  if (envelope > 0) filter.envelope_id = envelope;
  filter.limit = q.limit > 0 ? q.limit : 1000;
  return store::search_audit(db, filter);
}

}  // namespace station::security
