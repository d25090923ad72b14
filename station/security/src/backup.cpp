// Backup and restore (backup.h). A backup is a folder "station-backup-<time>.<n>-<random>" holding:
//   keyring.json      the wrapped master key (the passphrase opens it; nothing else does)
//   station.db        the mailed store, exported with sqlcipher_export under the same key
//   electronic.db     the electronic store, likewise under its own key
//   audit-head.json   the signed head of the audit chain
//   blobs/ab/ab...    every blob, re-read (authenticated) and re-encrypted
//   manifest.json     every file's size and BLAKE2b digest, signed with the station's Ed25519 key
// Everything personal is encrypted exactly as in the store. It is written as "<name>.partial",
// checked (database integrity, every page's blob present), then renamed: a backup folder without
// ".partial" is complete. Restore checks the manifest signature and every digest, the databases'
// integrity, every blob and the audit chain in a staging folder before moving it into place.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "station/access.h"
#include "station/files.h"
#include "station/security/backup.h"
#include "station/security/layout.h"
#include "station/store/audit.h"
#include "station/store/error.h"
#include "station/store/maintenance.h"
#include "station/store/secrets.h"
#include "storage/blob_store.h"
#include "storage/signing.h"

namespace station::security {

namespace fs = std::filesystem;
using store::unexpected_storage;

namespace {

constexpr const char* kManifestFile = "manifest.json";
constexpr std::string_view kManifestFormat = "station-backup";
constexpr int kManifestVersion = 1;


std::string digest_of(std::span<const unsigned char> bytes) { return storage::digest_hex(bytes); }

std::string stamp(const Clock& clock) {
  std::string s = clock.jst_now_iso();  // 2025-06-04T10:15:30+09:00
  std::string out;
  for (char c : s.substr(0, 19))
    if (c != '-' && c != ':') out += c;
  return out;
}

// Every regular file below `root`, as relative paths, sorted.
std::vector<std::string> files_below(const fs::path& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec)) out.push_back(fs::relative(it->path(), root, ec).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool safe_relative(const std::string& rel) {
  if (rel.empty() || rel.front() == '/') return false;
  for (const auto& part : fs::path(rel))
    if (part == ".." || part == ".") return false;
  return true;
}

// The last id of a signed head file (0 when it cannot be read; the verification says why).
std::int64_t head_last_id(const fs::path& head) {
  auto text = read_file(head);
  if (!text) return 0;
  nlohmann::json j = nlohmann::json::parse(text->begin(), text->end(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("last_id") || !j["last_id"].is_number_integer()) return 0;
  return j["last_id"].get<std::int64_t>();
}

Result<std::string> public_key_of(storage::Database& db) {
  auto pk = store::secret_public_key(db, "audit-signing");
  if (!pk) return std::unexpected(pk.error());
  if (!*pk) return fail(ErrorCode::kStoreCorrupt, "the backup's database holds no signing key");
  return **pk;
}

}  // namespace

Result<MaintenanceReport> sweep_store(const store::Context& ctx) {
  std::lock_guard lock(ctx.mu);
  MaintenanceReport rep;
  rep.stale_temporaries = ctx.blobs.remove_stale_temporaries();
  // Every column that names a blob, in any table (pages.blob_id today; later tables too), so a
  // blob some row refers to is never taken for an orphan.
  auto columns = store::blob_columns(ctx.db);
  if (!columns) return std::unexpected(columns.error());
  auto referenced = store::referenced_blobs(ctx.db, *columns);
  if (!referenced) return std::unexpected(referenced.error());
  auto ids = ctx.blobs.list();
  if (!ids) return unexpected_storage(ids.error());
  // Quarantined, not deleted: a database copied or opened without its WAL lacks the last rows,
  // and their blobs would look unreferenced. An operator deletes the quarantine once the store
  // is known to be whole.
  const fs::path quarantine = ctx.blobs.dir().parent_path() / kQuarantineDir;
  for (const auto& id : *ids) {
    if (referenced->contains(id)) continue;
    std::error_code ec;
    fs::create_directories(quarantine, ec);
    if (ec) return fail(ErrorCode::kIo, "cannot create " + quarantine.string());
    fs::rename(ctx.blobs.dir() / id.substr(0, 2) / id, quarantine / id, ec);
    if (!ec) ++rep.orphan_blobs;
  }
  return rep;
}

Result<fs::path> find_backup(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir / kManifestFile, ec)) return dir;
  // The folder given to `station backup`: its complete backups are "station-backup-<time>-<id>"
  // (".partial" ones are not complete); the names sort by time.
  std::vector<fs::path> found;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (name.starts_with("station-backup-") && !name.ends_with(".partial") && it->is_directory(type_ec) &&
        fs::exists(it->path() / kManifestFile, type_ec))
      found.push_back(it->path());
  }
  if (found.empty())
    return fail(ErrorCode::kNotFound, "no backup in " + dir.string() +
                                          ": give a station-backup-... folder, or the folder given to station backup");
  std::sort(found.begin(), found.end());
  return found.back();
}

Status verify_backup_files(const fs::path& backup_dir, const std::string& public_key) {
  auto mtext = read_file(backup_dir / kManifestFile);
  if (!mtext) return fail(ErrorCode::kStoreCorrupt, "the backup's manifest cannot be read back");
  nlohmann::json manifest = nlohmann::json::parse(mtext->begin(), mtext->end(), nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object() || !manifest.contains("manifest") ||
      !manifest["manifest"].is_object() || !manifest.contains("signature") || !manifest["signature"].is_string() ||
      !manifest["manifest"].contains("files") || !manifest["manifest"]["files"].is_array())
    return fail(ErrorCode::kStoreCorrupt, "the backup's manifest is damaged");
  const nlohmann::json& body = manifest["manifest"];
  if (!storage::verify_signature_hex(public_key, body.dump(), manifest["signature"].get<std::string>()))
    return fail(ErrorCode::kStoreCorrupt, "the backup's manifest signature does not verify");
  for (const auto& f : body["files"]) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("blake2b") ||
        !f["blake2b"].is_string() || !safe_relative(f["path"].get<std::string>()))
      return fail(ErrorCode::kStoreCorrupt, "the backup's manifest is damaged");
    const std::string rel = f["path"].get<std::string>();
    auto bytes = read_file(backup_dir / rel);
    if (!bytes) return fail(ErrorCode::kStoreCorrupt, "the backup's file " + rel + " cannot be read back");
    if (digest_of(*bytes) != f["blake2b"].get<std::string>() || f.value("size", std::uint64_t{0}) != bytes->size())
      return fail(ErrorCode::kStoreCorrupt, "the backup's file " + rel + " differs from its manifest when read back");
  }
  return {};
}

Result<BackupStatus> backup_status(const store::Context& ctx) {
  std::lock_guard lock(ctx.mu);
  auto last = store::last_audit_at(ctx.db, "store.backup");
  if (!last) return std::unexpected(last.error());
  BackupStatus st;
  if (*last) {
    st.last_backup_at = **last;
    // ISO timestamps in JST sort as times: stale when the last one is before this time yesterday.
    st.stale = st.last_backup_at < ctx.clock.iso_in_minutes(-24 * 60);
  }
  return st;
}

Result<BackupReport> backup(StoreParts& impl, AuditLog& audit, const User* actor, const fs::path& dest_dir) {
  if (actor != nullptr)
    if (auto s = require(*actor, {Role::kSupervisor, Role::kAdmin}, "make backups"); !s) return std::unexpected(s.error());
  std::error_code ec;
  fs::create_directories(dest_dir, ec);
  if (ec) return fail(ErrorCode::kIo, "cannot create " + dest_dir.string());
  // "station-backup-<time>.<n>-<id>": n counts the backups already in this folder from the same
  // second, so the names sort by time even when two are made within one second.
  const std::string time = stamp(impl.ctx.clock);
  int same_second = 0;
  for (fs::directory_iterator it(dest_dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().starts_with("station-backup-" + time)) ++same_second;
  char seq[8];
  std::snprintf(seq, sizeof seq, ".%03d", std::min(same_second, 999));
  const std::string name = "station-backup-" + time + seq + "-" + storage::random_hex(3);
  const fs::path partial = dest_dir / (name + ".partial");
  const fs::path final_dir = dest_dir / name;
  if (!fs::create_directory(partial, ec) || ec) return fail(ErrorCode::kIo, "cannot create " + partial.string());
  fs::permissions(partial, fs::perms::owner_all, fs::perm_options::replace, ec);
  TreeGuard guard{partial};

  auto db_key = impl.master->derive(kDbKeyPurpose);
  auto edb_key = impl.master->derive(kElectronicKeyPurpose);
  auto blob_key = impl.master->derive(kBlobKeyPurpose);
  if (!db_key || !edb_key || !blob_key) return fail(ErrorCode::kInternal, "key derivation failed");

  std::vector<std::string> blob_ids;
  {
    // One consistent moment: the databases, the head and the list of blobs. A page's blob is
    // written before its row, so every row in the copy has its blob in the list.
    std::lock_guard lock(impl.ctx.mu);
    std::lock_guard elock(impl.edb_mu);
    auto keyring = read_file(impl.dir / kKeyringFile);
    if (!keyring) return std::unexpected(keyring.error());
    if (auto s = write_new_file(partial / kKeyringFile, *keyring); !s) return std::unexpected(s.error());
    if (auto s = impl.ctx.db.export_to(partial / kDatabaseFile, *db_key); !s) return unexpected_storage(s.error());
    if (auto s = impl.edb->export_to(partial / kElectronicFile, *edb_key); !s) return unexpected_storage(s.error());
    auto head = read_file(impl.dir / kAuditHeadFile);
    if (!head) return std::unexpected(head.error());
    if (auto s = write_new_file(partial / kAuditHeadFile, *head); !s) return std::unexpected(s.error());
    auto ids = impl.ctx.blobs.list();
    if (!ids) return unexpected_storage(ids.error());
    blob_ids = std::move(*ids);
  }

  // Blobs are immutable once written: copy them without holding up the station.
  auto dst = storage::BlobStore::open(partial / kBlobDir, std::move(*blob_key));
  if (!dst) return unexpected_storage(dst.error());
  for (const auto& id : blob_ids) {
    auto bytes = impl.ctx.blobs.get(id);  // authenticates: a damaged blob is never copied silently
    if (!bytes) return unexpected_storage(bytes.error());
    auto copied = dst->put(*bytes);
    if (!copied) return unexpected_storage(copied.error());
    if (*copied != id) return fail(ErrorCode::kInternal, "a blob changed its id when copied");
  }

  // Check the copy before calling it a backup.
  std::string public_key;
  std::int64_t audit_entries = 0;
  int schema = 0;
  {
    auto copy = storage::Database::open(partial / kDatabaseFile, *db_key);
    if (!copy) return unexpected_storage(copy.error());
    if (auto s = copy->check_integrity(); !s) return unexpected_storage(s.error());
    schema = copy->schema_version();
    auto pk = public_key_of(*copy);
    if (!pk) return std::unexpected(pk.error());
    public_key = *pk;
    auto pages = store::page_blob_ids(*copy);
    if (!pages) return std::unexpected(pages.error());
    for (const auto& id : *pages)
      if (!dst->contains(id)) return fail(ErrorCode::kStoreCorrupt, "a page's blob is missing from the store");
    auto n = store::audit_count(*copy);
    if (!n) return std::unexpected(n.error());
    audit_entries = *n;
  }
  {
    auto copy = storage::Database::open(partial / kElectronicFile, *edb_key);
    if (!copy) return unexpected_storage(copy.error());
    if (auto s = copy->check_integrity(); !s) return unexpected_storage(s.error());
  }

  // The manifest: every file with its size and digest, signed.
  BackupReport rep;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& rel : files_below(partial)) {
    auto bytes = read_file(partial / rel);
    if (!bytes) return std::unexpected(bytes.error());
    files.push_back({{"path", rel}, {"size", bytes->size()}, {"blake2b", digest_of(*bytes)}});
    rep.bytes += static_cast<std::int64_t>(bytes->size());
    ++rep.files;
  }
  nlohmann::json body = {{"format", std::string(kManifestFormat)},
                         {"version", kManifestVersion},
                         {"created_at", impl.ctx.clock.jst_now_iso()},
                         {"created_by", actor != nullptr ? actor->id : std::int64_t{0}},
                         {"schema_version", schema},
                         {"public_key", public_key},
                         {"blobs", blob_ids.size()},
                         {"files", files}};
  const std::string signed_text = body.dump();
  nlohmann::json manifest = {{"manifest", body}, {"signature", audit.signer()->sign_hex(signed_text)}};
  const std::string text = manifest.dump(1) + "\n";
  if (auto s = write_new_file(partial / kManifestFile,
                              {reinterpret_cast<const unsigned char*>(text.data()), text.size()});
      !s)
    return std::unexpected(s.error());
  for (const auto& d : {partial / kBlobDir, partial}) {
    if (auto s = fsync_path(d, true); !s) return std::unexpected(s.error());
  }
  fs::rename(partial, final_dir, ec);
  if (ec) return fail(ErrorCode::kIo, "cannot rename the backup folder in " + dest_dir.string());
  guard.path.clear();
  (void)fsync_path(dest_dir, true);
  // Read back what the medium kept before calling it a good backup; a bad copy is set aside.
  if (auto s = verify_backup_files(final_dir, public_key); !s) {
    fs::rename(final_dir, dest_dir / (name + ".failed"), ec);
    return std::unexpected(s.error());
  }

  rep.path = final_dir.string();
  rep.files += 1;  // the manifest
  rep.blobs = static_cast<int>(blob_ids.size());
  rep.audit_entries = audit_entries;
  rep.public_key = public_key;
  rep.head_last_id = head_last_id(final_dir / kAuditHeadFile);
  audit.record(actor, "store.backup", "backup:" + name + " blobs:" + std::to_string(rep.blobs));
  return rep;
}

Result<RestoreReport> restore(const fs::path& target, const fs::path& given_dir, std::string_view passphrase,
                              const OpenStaged& open_staged) {
  std::error_code ec;
  auto found = find_backup(given_dir);
  if (!found) return std::unexpected(found.error());
  const fs::path backup_dir = *found;
  if (fs::exists(target / kKeyringFile, ec)) return fail(ErrorCode::kStoreExists, "a store exists at " + target.string());
  if (fs::exists(target, ec) && !fs::is_empty(target, ec))
    return fail(ErrorCode::kStoreExists, "the folder " + target.string() + " is not empty");

  // 1. The manifest, and the passphrase (before anything is written).
  auto mtext = read_file(backup_dir / kManifestFile);
  if (!mtext) return fail(ErrorCode::kStoreCorrupt, "no manifest in " + backup_dir.string() + " (not a complete backup)");
  nlohmann::json manifest = nlohmann::json::parse(mtext->begin(), mtext->end(), nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object() || !manifest.contains("manifest") ||
      !manifest["manifest"].is_object() || !manifest.contains("signature") || !manifest["signature"].is_string())
    return fail(ErrorCode::kStoreCorrupt, "the backup's manifest is damaged");
  const nlohmann::json& body = manifest["manifest"];
  if (body.value("format", "") != kManifestFormat || body.value("version", 0) != kManifestVersion ||
      !body.contains("files") || !body["files"].is_array())
    return fail(ErrorCode::kStoreCorrupt, "the backup's manifest is not one this program reads");
  auto master = storage::Keyring::unlock(backup_dir / kKeyringFile, passphrase);
  if (!master) return unexpected_storage(master.error());

  // 2. Copy into a staging folder beside the target, checking every digest on what was copied.
  fs::path parent = target.parent_path();
  if (parent.empty()) parent = ".";
  fs::create_directories(parent, ec);
  const fs::path staging = parent / (target.filename().string() + ".restore-" + storage::random_hex(4));
  if (!fs::create_directory(staging, ec) || ec) return fail(ErrorCode::kIo, "cannot create " + staging.string());
  fs::permissions(staging, fs::perms::owner_all, fs::perm_options::replace, ec);
  TreeGuard guard{staging};
  RestoreReport rep;
  for (const auto& f : body["files"]) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("blake2b") ||
        !f["blake2b"].is_string())
      return fail(ErrorCode::kStoreCorrupt, "the backup's manifest is damaged");
    const std::string rel = f["path"].get<std::string>();
    if (!safe_relative(rel)) return fail(ErrorCode::kStoreCorrupt, "the backup's manifest names a path outside it");
    auto bytes = read_file(backup_dir / rel);
    if (!bytes) return fail(ErrorCode::kStoreCorrupt, "the backup lacks " + rel);
    if (digest_of(*bytes) != f["blake2b"].get<std::string>() || f.value("size", std::uint64_t{0}) != bytes->size())
      return fail(ErrorCode::kStoreCorrupt, "the backup's file " + rel + " differs from its manifest");
    const fs::path out = staging / rel;
    fs::create_directories(out.parent_path(), ec);
    if (auto s = write_new_file(out, *bytes); !s) return std::unexpected(s.error());
    ++rep.files;
  }
  if (!fs::exists(staging / kDatabaseFile, ec) || !fs::exists(staging / kElectronicFile, ec))
    return fail(ErrorCode::kStoreCorrupt, "the backup lacks a database");

  // 3. The manifest's signature, by the key inside the (authenticated) database.
  auto db_key = master->derive(kDbKeyPurpose);
  auto edb_key = master->derive(kElectronicKeyPurpose);
  auto blob_key = master->derive(kBlobKeyPurpose);
  if (!db_key || !edb_key || !blob_key) return fail(ErrorCode::kInternal, "key derivation failed");
  {
    auto db = storage::Database::open(staging / kDatabaseFile, *db_key);
    if (!db) return unexpected_storage(db.error());
    if (auto s = db->check_integrity(); !s) return unexpected_storage(s.error());
    auto pk = public_key_of(*db);
    if (!pk) return std::unexpected(pk.error());
    if (body.value("public_key", "") != *pk ||
        !storage::verify_signature_hex(*pk, body.dump(), manifest["signature"].get<std::string>()))
      return fail(ErrorCode::kStoreCorrupt, "the backup's manifest signature does not verify");
    auto blobs = storage::BlobStore::open(staging / kBlobDir, std::move(*blob_key));
    if (!blobs) return unexpected_storage(blobs.error());
    auto pages = store::page_blob_ids(*db);
    if (!pages) return std::unexpected(pages.error());
    auto pages_n = store::page_count(*db);
    if (!pages_n) return std::unexpected(pages_n.error());
    rep.pages = *pages_n;
    auto all = blobs->list();
    if (!all) return unexpected_storage(all.error());
    for (const auto& id : *all) {
      if (auto b = blobs->get(id); !b) return unexpected_storage(b.error());
    }
    for (const auto& id : *pages)
      if (!blobs->contains(id)) return fail(ErrorCode::kStoreCorrupt, "a page's blob is missing from the backup");
    rep.blobs = static_cast<int>(all->size());
  }
  {
    auto edb = storage::Database::open(staging / kElectronicFile, *edb_key);
    if (!edb) return unexpected_storage(edb.error());
    if (auto s = edb->check_integrity(); !s) return unexpected_storage(s.error());
  }

  // 4. Open it as a station and verify the audit chain, then move it into place.
  {
    auto entries = open_staged(staging);
    if (!entries) return std::unexpected(entries.error());
    rep.audit_entries = *entries;
  }
  std::error_code rm;
  fs::remove(staging / kLockFile, rm);
  if (fs::exists(target, ec)) fs::remove(target, ec);  // an empty folder only
  fs::rename(staging, target, ec);
  if (ec) return fail(ErrorCode::kIo, "cannot move the restored store to " + target.string());
  guard.path.clear();
  (void)fsync_path(parent, true);
  rep.data_dir = target.string();
  rep.backup_dir = backup_dir.string();
  rep.head_last_id = head_last_id(backup_dir / kAuditHeadFile);  // the head the staged log was verified against
  rep.public_key = body.value("public_key", "");
  return rep;
}

}  // namespace station::security
