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

// Where the audit signing seed lives and what may unwrap it (issue #16): a slot of its own in the
// store's keyring ("audit-signing"), wrapped under the signing credential when one is configured
// ([security] audit_signing_key_file), else under the master key.
struct SigningSecrets {
  std::filesystem::path keyring;                   // the store's keyring (current generation)
  const storage::SecretKey* master = nullptr;      // the unlocked master key
  const storage::SecretKey* credential = nullptr;  // the signing credential, when read
  std::string credential_file;                     // as configured (messages); empty: none configured
  std::string credential_problem;                  // why a configured credential could not be read
  bool read_only = false;                          // verify only: nothing written, nothing signed
};

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
  // Loads (or on first use creates) the signing key from its keyring slot, seals entries written
  // before the chain existed and checks that the log still reaches its signed head. Called once
  // at open. Migration 10's code half: a seed still in the database (station_secrets, before
  // issue #16) is first written into the keyring, then cleared from the row; a crash between
  // the two leaves both, and the next open clears the row (a seed moved so goes under the
  // credential when one is configured). A slot under the master key while a credential is
  // configured is refused (kSigningKeyUnavailable): it may be someone's replacement. `read_only`: no signer (verify uses the stored public
  // key), nothing written. kSigningKeyUnavailable when the slot is wrapped under a credential
  // that is not at hand (and not read_only).
  Status init(const SigningSecrets& secrets);
  // True when opened read-only: record() and append() write nothing.
  bool read_only() const { return read_only_; }
  // Writes a new signing credential at `path` and re-wraps the seed's slot under it (the admin's
  // `station audit signing-key new`). The caller holds no lock; kInvalidInput when `path` exists.
  Status new_credential(const std::filesystem::path& path);
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
  std::optional<storage::SecretKey> seed_;  // to re-wrap the slot (new_credential)
  std::filesystem::path keyring_;
  std::string public_key_;  // the signer's, or the stored one when read-only
  bool read_only_ = false;
};

}  // namespace station::security
