// Administration of accounts and keys: unlocking a locked account, changing the station
// passphrase. Admin only, audited.
#include "station_impl.h"

namespace station {

Status Station::unlock_user(const User& actor, std::string_view username) {
  if (auto s = require(actor, {Role::kAdmin}, "unlock accounts"); !s) return s;
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.prepare("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE username = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, username);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  if (impl_->db.changes() == 0) return fail(ErrorCode::kNotFound, "no such user");
  auto id = impl_->db.prepare("SELECT id FROM users WHERE username = ?");
  std::string subject;
  if (id) {
    id->bind(1, username);
    if (auto r = id->step(); r && *r) subject = "user:" + std::to_string(id->column_int(0));
  }
  impl_->audit(&actor, "user.unlock", subject);
  return {};
}

Status Station::change_passphrase(const User& actor, std::string_view old_passphrase,
                                  std::string_view new_passphrase) {
  if (auto s = require(actor, {Role::kAdmin}, "change the station passphrase"); !s) return s;
  if (new_passphrase.size() < 8)
    return fail(ErrorCode::kInvalidInput, "the passphrase must have 8 characters or more");
  if (new_passphrase == old_passphrase) return fail(ErrorCode::kInvalidInput, "the new passphrase is the old one");
  std::lock_guard lock(impl_->mu);
  // Only the wrapping changes: the master key, and so every sub-key and file, stay as they are.
  if (auto s = storage::Keyring::change_passphrase(impl_->dir / kKeyringFile, old_passphrase, new_passphrase); !s) {
    impl_->audit(&actor, "store.passphrase_change_failed", "");
    return unexpected_storage(s.error());
  }
  impl_->audit(&actor, "store.passphrase_change", "");
  return {};
}

}  // namespace station
