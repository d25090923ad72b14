#pragma once
// Key management: a random master key, wrapped by a key derived with Argon2id from the station
// passphrase (and optionally by a key file); sub-keys per purpose derived from the master key.
// The passphrase is never stored.
// Key material lives in sodium_malloc'd memory that is mlock'ed and wiped on release.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "storage/error.h"

namespace storage {

// 32 bytes of key material in locked, guarded memory. Move-only.
class SecretKey {
 public:
  static constexpr std::size_t kSize = 32;
  static Result<SecretKey> random();
  static Result<SecretKey> from_bytes(std::span<const unsigned char> bytes);
  SecretKey(SecretKey&&) noexcept;
  SecretKey& operator=(SecretKey&&) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey();

  std::span<const unsigned char> bytes() const;
  // Constant-time comparison; false if either is empty (moved-from).
  bool equals(const SecretKey& other) const;
  // Sub-key for one purpose ("db", "blobs", ...); deterministic for a given master key.
  Result<SecretKey> derive(std::string_view purpose) const;

 private:
  explicit SecretKey(unsigned char* p) : p_(p) {}
  unsigned char* p_ = nullptr;
};

// A key file on removable media (a USB stick): 32 random bytes behind a format header and a
// checksum, so a truncated or damaged file is told apart from the key file of another store.
// It unlocks a store instead of the passphrase once registered (Keyring::add_key_file).
class KeyFile {
 public:
  static constexpr std::size_t kFileSize = 64;  // 16 header + 32 secret + 16 checksum
  // Writes a new key file at `path` (kInvalid if something is there), owner read-only, fsync'ed,
  // then reads it back to check the medium kept it. Returns its secret.
  static Result<SecretKey> create(const std::filesystem::path& path);
  // Reads a key file straight into locked memory. kNotFound when absent; kCorrupt when it is
  // truncated, damaged or not a station key file.
  static Result<SecretKey> read(const std::filesystem::path& path);
};

// A signing credential (the audit log's, [security] audit_signing_key_file): exactly 32 random
// bytes and nothing else, so systemd's LoadCredential= hands it to the service as it is. It wraps
// one of the keyring's secret slots (Keyring::put_secret), never the master key.
class CredentialFile {
 public:
  static constexpr std::size_t kFileSize = 32;
  // Writes a new credential at `path` (kInvalid if something is there), owner read-only,
  // fsync'ed, read back. Returns it.
  static Result<SecretKey> create(const std::filesystem::path& path);
  // kNotFound when absent; kIo when it cannot be read (e.g. permission denied); kCorrupt when it
  // is not 32 bytes.
  static Result<SecretKey> read(const std::filesystem::path& path);
};

// How a secret slot of the keyring is wrapped: under a sub-key of the master key (anyone who can
// unlock the store can unwrap it) or of a separate credential (CredentialFile).
enum class SecretWrap { kMaster, kCredential };
struct SecretSlotInfo {
  SecretWrap wrap = SecretWrap::kMaster;
  std::string credential_id;  // kCredential: which credential (hex of a one-way sub-key of it)
};

// The Argon2id cost of a passphrase slot; each keyring records its own beside the salt.
struct KdfCost {
  std::uint64_t opslimit = 0;  // passes
  std::uint64_t memlimit = 0;  // bytes
  // True when either figure is below `floor`'s.
  bool below(const KdfCost& floor) const { return opslimit < floor.opslimit || memlimit < floor.memlimit; }
};
// libsodium's MODERATE (3 passes, 256 MiB): what a station writes passphrase slots with.
KdfCost production_kdf_cost();
// The cost new passphrase slots get, and below which upgrade_passphrase_slot re-wraps one:
// production_kdf_cost(), except in a STATION_TESTING build where a test may choose a cheaper one
// (storage/testing.h). The kiosk build has no such switch.
KdfCost kdf_cost();

// The key file of one store ("keyring.json"): the master key, wrapped once per way of unlocking
// it ("slots"): always by the passphrase (Argon2id), and optionally by a key file.
class Keyring {
 public:
  // Creates a new keyring with a fresh master key. Fails with kInvalid if one exists already.
  static Result<SecretKey> create(const std::filesystem::path& file, std::string_view passphrase);
  // Writes a new keyring `file` (kInvalid if it exists) wrapping `master` under `passphrase` and,
  // when given, the secret of a key file (master-key rotation writes the next generation so).
  static Status create_for(const std::filesystem::path& file, const SecretKey& master, std::string_view passphrase,
                           const SecretKey* key_file_secret);
  // Unwraps the master key. kWrongKey when the passphrase does not open it; kCorrupt when the
  // file is damaged; kNotFound when there is none.
  static Result<SecretKey> unlock(const std::filesystem::path& file, std::string_view passphrase);
  // The same with a key file's secret (KeyFile::read). kWrongKey when that key file is not the
  // one registered with this keyring (another store's, or removed).
  static Result<SecretKey> unlock_with_key_file(const std::filesystem::path& file, const SecretKey& key_file_secret);
  // Re-wraps the same master key under a new passphrase (atomic replace of the file); a key-file
  // slot is kept.
  static Status change_passphrase(const std::filesystem::path& file, std::string_view old_passphrase,
                                  std::string_view new_passphrase);
  // The cost recorded in the passphrase slot. kCorrupt / kNotFound as unlock.
  static Result<KdfCost> passphrase_cost(const std::filesystem::path& file);
  // The migration of keyrings made at a lower cost (before MODERATE): re-wraps the passphrase
  // slot at kdf_cost() when it records less (atomic replace; a key-file slot is kept). true when
  // the file was rewritten. kWrongKey when `passphrase` does not open it. Only for the live
  // store's keyring after a good unlock, never a backup's (its manifest signs the file).
  static Result<bool> upgrade_passphrase_slot(const std::filesystem::path& file, std::string_view passphrase);
  // True when a key-file slot exists.
  static Result<bool> has_key_file(const std::filesystem::path& file);
  // Adds a key-file slot wrapping `master` (atomic replace). kInvalid if `master` is not this
  // keyring's key or a key file is registered already.
  static Status add_key_file(const std::filesystem::path& file, const SecretKey& master,
                             const SecretKey& key_file_secret);
  // Removes the key-file slot (atomic replace). kNotFound when there is none.
  static Status remove_key_file(const std::filesystem::path& file);

  // Secret slots: secrets of the station kept beside the master key, one slot per name (e.g. the
  // audit signing seed, "audit-signing"), each wrapped with XChaCha20-Poly1305 under a crypto_kdf
  // sub-key of `wrapping` (the master key or a credential, as `wrap` says), the additional data
  // naming the slot, its wrapping and the keyring's store id (so a slot cannot be moved to
  // another name or another store). Every rewrite of the file (passphrase change, key file,
  // cost upgrade) keeps them.
  // The slot's wrapping, or nullopt when there is none. kCorrupt / kNotFound as unlock.
  static Result<std::optional<SecretSlotInfo>> secret_slot(const std::filesystem::path& file, std::string_view name);
  // Writes (or replaces) the slot `name` (atomic replace of the file).
  static Status put_secret(const std::filesystem::path& file, std::string_view name, const SecretKey& secret,
                           SecretWrap wrap, const SecretKey& wrapping);
  // Unwraps the slot `name`. kNotFound when there is none; kWrongKey when `wrapping` does not open it.
  static Result<SecretKey> get_secret(const std::filesystem::path& file, std::string_view name,
                                      const SecretKey& wrapping);
  // Copies every secret slot (and the store id) of `from` into `to` (master-key rotation: slots
  // wrapped under the master key are re-wrapped from `from_master` to `to_master`; slots wrapped
  // under a credential are copied as they are). Atomic replace of `to`.
  static Status copy_secrets(const std::filesystem::path& from, const std::filesystem::path& to,
                             const SecretKey& from_master, const SecretKey& to_master);
  // The id a credential is recorded under in a slot (SecretSlotInfo::credential_id).
  static std::string credential_id(const SecretKey& credential);
};

// Password hashes for user accounts (Argon2id, libsodium's string format).
Result<std::string> hash_password(std::string_view password);
bool verify_password(const std::string& hash, std::string_view password);

// Keyed digest (BLAKE2b) as lower-case hex; used for content addresses that leak nothing.
std::string keyed_digest_hex(const SecretKey& key, std::span<const unsigned char> data);

// Random bytes as hex (tokens, file numbers).
std::string random_hex(std::size_t bytes);

}  // namespace storage
