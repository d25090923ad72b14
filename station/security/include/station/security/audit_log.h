#pragma once
// The audit log: append-only, hash-chained, with signed checkpoints and a signed head file
// (<data_dir>/audit-head.json). The station's one AuditTrail: every domain records through it.
// Its rows are the store's (station/store/audit.h); the chain and the signatures are here.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "station/audit_trail.h"
#include "station/error.h"
#include "station/model.h"
#include "station/security_types.h"
#include "station/store/context.h"
#include "storage/signing.h"

namespace station::security {

class AuditLog final : public AuditTrail {
 public:
  // `checkpoint_every`: a signed checkpoint every that many entries (config.audit_checkpoint_every).
  // `pinned_public_key` (config.audit_public_key, hex; empty: none): the key verify trusts instead
  // of the one the store holds.
  AuditLog(store::Context ctx, std::filesystem::path dir, int checkpoint_every, std::string pinned_public_key = {})
      : ctx_(ctx), dir_(std::move(dir)), checkpoint_every_(checkpoint_every), pinned_(std::move(pinned_public_key)) {}

  // Appends one entry. Takes the store's mutex itself. Records who, what and on which subject
  // (ids), never personal values. Never fails the caller's action: a failure to record is
  // reported on stderr.
  void record(const User* user, std::string_view action, const std::string& subject) override;
  // The same, reporting failure. Inside an open transaction the entry joins it (the head follows
  // with the next entry written outside one).
  Status append(std::optional<std::int64_t> user_id, std::string_view action, const std::string& subject);
  // Loads (or on first use creates) the signing key, seals entries written before the chain
  // existed and checks that the log still reaches its signed head. Called once at open.
  Status init();
  // Writes <dir>/audit-head.json: the last entry's id and link, signed.
  Status write_head(std::int64_t last_id, const std::string& hash);
  // Checks the chain, checkpoints and head, with the pinned key when there is one (a log
  // re-signed with another key fails). `expected_head` (optional): the text of an audit-head.json
  // kept off the station (a daily set's, a backup's): the log must still hold that entry with
  // that link, so a log rolled back to an older copy or rewritten before it fails.
  AuditVerifyReport verify(const std::string* expected_head = nullptr);
  // The signed head as written to <dir>/audit-head.json (with the public key), for the daily set
  // and backups to carry. kIo when it cannot be read.
  Result<std::string> head_document();
  // The listing, newest first (kInvalidInput for bad dates, kNotFound for an unknown 受付番号).
  Result<std::vector<AuditEntry>> search(const AuditQuery& q);

  // The station's Ed25519 key (backups sign their manifest with it); null before init().
  const storage::SigningKey* signer() const { return signer_ ? &*signer_ : nullptr; }

 private:
  store::Context ctx_;
  std::filesystem::path dir_;
  int checkpoint_every_;
  std::string pinned_;
  std::optional<storage::SigningKey> signer_;
};

}  // namespace station::security
