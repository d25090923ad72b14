// Administration of accounts and keys: unlocking a locked account, changing the station
// passphrase, rotating the master key, registering a key file. Admin only, audited. The security
// sub-library's (station/security/accounts.h, keys.h); Station forwards.
#include "station/security/accounts.h"
#include "station/security/keys.h"
#include "station_impl.h"

namespace station {

Status Station::unlock_user(const User& actor, std::string_view username) {
  return security::unlock_user(impl_->store(), impl_->audit_log, actor, username);
}

Status Station::change_passphrase(const User& actor, std::string_view old_passphrase,
                                  std::string_view new_passphrase) {
  auto store = impl_->store_parts();
  return security::change_passphrase(store, impl_->audit_log, actor, old_passphrase, new_passphrase);
}

Result<KeyRotationReport> Station::rotate_master_key(const User& actor, const StoreSecrets& secrets) {
  auto store = impl_->store_parts();
  return security::rotate_master_key(store, impl_->audit_log, actor, secrets);
}

Status Station::add_key_file(const User& actor, const fs::path& path) {
  auto store = impl_->store_parts();
  return security::add_key_file(store, impl_->audit_log, actor, path);
}

Status Station::remove_key_file(const User& actor) {
  auto store = impl_->store_parts();
  return security::remove_key_file(store, impl_->audit_log, actor);
}

Result<bool> Station::has_key_file(const User& actor) { return security::has_key_file(impl_->store_parts(), actor); }

}  // namespace station
