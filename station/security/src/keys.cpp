// The store's keys (keys.h): the passphrase, master-key rotation and key files (issue #5).
#include "station/security/keys.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "station/access.h"
#include "station/files.h"
#include "station/security/layout.h"
#include "station/store/audit.h"
#include "station/store/error.h"
#include "station/store/maintenance.h"
#include "storage/blob_store.h"

namespace station::security {

namespace fs = std::filesystem;
using store::from_storage;
using store::unexpected_storage;

std::string passphrase_problem(std::string_view passphrase) {
  // Counted in characters (a Japanese passphrase is welcome), not bytes.
  const auto chars = std::count_if(passphrase.begin(), passphrase.end(),
                                   [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  if (chars < 15) return "the passphrase must have at least 15 characters";
  if (passphrase.size() > 1024) return "the passphrase may have at most 1024 bytes";
  if (std::all_of(passphrase.begin(), passphrase.end(), [&](char c) { return c == passphrase[0]; }))
    return "the passphrase must not repeat one character";
  // Compared without case, spaces, hyphens or underscores: "Pass word-123..." is "password123...".
  std::string folded;
  for (unsigned char c : passphrase)
    if (c != ' ' && c != '-' && c != '_') folded += static_cast<char>(std::tolower(c));
  static constexpr std::array<std::string_view, 24> kBlocklist = {
      "passwordpassword", "password12345678", "passphrasepassphrase", "123456789012345", "1234567890123456",
      "012345678901234", "qwertyuiopasdfgh", "qwertyuiopasdfghjkl", "abcdefghijklmnop", "abcdefghijklmno",
      "iloveyouiloveyou", "letmeinletmein", "welcomewelcome", "adminadminadmin", "administrator123",
      "stationpassphrase", "stationpassword", "chibachibachiba", "kyufukinkyufukin", "correcthorsebatterystaple",
      "thequickbrownfox", "thequickbrownfoxjumpsoverthelazydog", "changemechangeme", "mypassphraseis"};
  for (auto b : kBlocklist)
    if (folded == b) return "this passphrase is on the list of commonly used ones";
  // Digits only, or one short piece repeated ("abcabcabcabcabc"), are guessed early.
  if (std::all_of(folded.begin(), folded.end(), [](unsigned char c) { return std::isdigit(c); }))
    return "the passphrase must not be digits only";
  for (std::size_t period = 1; period <= 4 && period < folded.size(); ++period) {
    bool repeats = true;
    for (std::size_t i = period; i < folded.size() && repeats; ++i) repeats = folded[i] == folded[i - period];
    if (repeats) return "the passphrase must not repeat a short piece";
  }
  return {};
}

namespace {

constexpr const char* kUnlockFailuresFile = "unlock-failures.json";

std::string utc_now_iso() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

UnlockFailures unlock_failures(const fs::path& dir) {
  UnlockFailures f;
  auto text = read_file(dir / kUnlockFailuresFile);
  if (!text) return f;
  nlohmann::json j = nlohmann::json::parse(text->begin(), text->end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return f;
  if (j.contains("count") && j["count"].is_number_integer()) f.count = j["count"].get<int>();
  if (j.contains("first_at") && j["first_at"].is_string()) f.first_at = j["first_at"].get<std::string>();
  if (j.contains("last_at") && j["last_at"].is_string()) f.last_at = j["last_at"].get<std::string>();
  return f;
}

int record_unlock_failure(const fs::path& dir) {
  UnlockFailures f = unlock_failures(dir);
  f.count = std::clamp(f.count, 0, 1'000'000) + 1;  // a damaged count restarts, never overflows
  f.last_at = utc_now_iso();
  if (f.first_at.empty()) f.first_at = f.last_at;
  const std::string text =
      nlohmann::json{{"count", f.count}, {"first_at", f.first_at}, {"last_at", f.last_at}}.dump() + "\n";
  const fs::path path = dir / kUnlockFailuresFile;
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::FILE* out = std::fopen(tmp.c_str(), "wb");
    if (out != nullptr) {
      const bool ok = std::fwrite(text.data(), 1, text.size(), out) == text.size();
      std::fclose(out);
      std::error_code ec;
      if (ok) fs::rename(tmp, path, ec);
    }
  }
  // The answer waits: 1 s, 2 s, 4 s ... at most 30 s after failures in a row.
  const int seconds = std::min(30, 1 << std::clamp(f.count - 1, 0, 5));
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  return f.count;
}

UnlockFailures take_unlock_failures(const fs::path& dir) {
  UnlockFailures f = unlock_failures(dir);
  std::error_code ec;
  fs::remove(dir / kUnlockFailuresFile, ec);
  return f;
}

Status change_passphrase(StoreParts& store, AuditTrail& audit, const User& actor, std::string_view old_passphrase,
                         std::string_view new_passphrase) {
  if (auto s = require(actor, {Role::kAdmin}, "change the station passphrase"); !s) return s;
  if (auto why = passphrase_problem(new_passphrase); !why.empty()) return fail(ErrorCode::kInvalidInput, why);
  if (new_passphrase == old_passphrase) return fail(ErrorCode::kInvalidInput, "the new passphrase is the old one");
  std::lock_guard lock(store.ctx.mu);
  // Only the wrapping changes: the master key, and so every sub-key and file, stay as they are.
  if (auto s = storage::Keyring::change_passphrase(store.dir / kKeyringFile, old_passphrase, new_passphrase); !s) {
    audit.record(&actor, "store.passphrase_change_failed", "");
    return unexpected_storage(s.error());
  }
  audit.record(&actor, "store.passphrase_change", "");
  return {};
}

// ---- master-key rotation and key files (issue #5) --------------------------------------------
//
// Rotation builds the next generation of the whole store beside the current one and switches to
// it in two phases:
//   1. prepare: <dir>/rotation.partial/ receives journal.json (id, actor), keyring.json (a new
//      random master key wrapped under the same passphrase and key file), station.db and
//      electronic.db (sqlcipher_export under the new sub-keys; blob_id columns rewritten) and
//      blobs/ (every referenced blob re-read, authenticated and re-encrypted; its id is a keyed
//      digest, so it changes). Everything is fsync'ed. The live store is only read.
//   2. commit: one rename, rotation.partial -> rotation.ready. Then the live databases are closed
//      and the files moved into place (databases, blobs, keyring last), "keys.rotate" is audited
//      and rotation.ready is deleted.
// A crash before the commit leaves rotation.partial: open() deletes it and the old key still opens
// everything. A crash after it leaves rotation.ready: open() (after the secret opened the new
// keyring) finishes the moves, each of which can be repeated, audits and deletes it.

namespace {

constexpr const char* kJournalFile = "journal.json";
constexpr const char* kOldBlobDir = "old-blobs";  // inside rotation.ready while moving

// Fault injection for the crash test (tests/unit/security/crash_test.cpp): when the environment
// names this point in STATION_CRASH_POINT, the process kills itself here with SIGKILL, exactly as
// a power cut or `kill -9` would stop it. Unset in production; it changes nothing else.
void crash_point(std::string_view name) {
  static const char* wanted = std::getenv("STATION_CRASH_POINT");
  if (wanted != nullptr && name == wanted) ::raise(SIGKILL);
}


Status write_synced(const fs::path& p, const std::string& text) {
  return write_new_file(p, {reinterpret_cast<const unsigned char*>(text.data()), text.size()});
}

Status rename_path(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return fail(ErrorCode::kIo, "cannot move " + from.string() + " to " + to.string());
  return {};
}

bool present(const fs::path& p) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(p, ec));
}

Error key_file_error(const storage::Error& e) {
  // Missing, unreadable, truncated or damaged: the medium or the path, not the store.
  return Error{ErrorCode::kBadKeyFile, e.message};
}

// A database of the next generation, made a single self-contained file (no -wal beside it).
Status seal_database(storage::Database db, const fs::path& path) {
  if (auto s = db.check_integrity(); !s) return unexpected_storage(s.error());
  if (auto s = store::seal_journal(db); !s) return s;
  { storage::Database closing = std::move(db); }
  for (const char* suffix : {"-wal", "-shm", "-journal"})
    if (present(path.string() + suffix)) return fail(ErrorCode::kIo, "a journal file stayed beside " + path.string());
  return fsync_path(path, false);
}

}  // namespace

fs::path current_keyring(const fs::path& dir) {
  const fs::path staged = dir / kRotationReadyDir / kKeyringFile;
  return present(staged) ? staged : dir / kKeyringFile;
}

Result<storage::SecretKey> unlock_master(const fs::path& keyring, const StoreSecrets& secrets) {
  if (secrets.key_file.empty()) {
    auto m = storage::Keyring::unlock(keyring, secrets.passphrase);
    if (!m) return unexpected_storage(m.error());
    return std::move(*m);
  }
  auto secret = storage::KeyFile::read(secrets.key_file);
  if (!secret) return std::unexpected(key_file_error(secret.error()));
  auto m = storage::Keyring::unlock_with_key_file(keyring, *secret);
  if (!m) {
    if (m.error().code == storage::Code::kWrongKey) return fail(ErrorCode::kWrongKeyFile, m.error().message);
    return unexpected_storage(m.error());
  }
  return std::move(*m);
}

Result<std::optional<RotationJournal>> recover_rotation(const fs::path& dir) {
  const fs::path partial = dir / kRotationPartialDir;
  const fs::path ready = dir / kRotationReadyDir;
  if (present(partial)) {
    // Never committed: the live store is whole and still under the old key.
    std::error_code ec;
    fs::remove_all(partial, ec);
    if (ec) return fail(ErrorCode::kIo, "cannot remove the unfinished rotation in " + partial.string());
    if (auto s = fsync_path(dir, true); !s) return std::unexpected(s.error());
  }
  if (!present(ready)) return std::optional<RotationJournal>{};

  RotationJournal journal{"unknown", std::nullopt};
  if (auto text = read_file(ready / kJournalFile)) {
    auto j = nlohmann::json::parse(text->begin(), text->end(), nullptr, false);
    if (j.is_object() && j.contains("id") && j["id"].is_string()) journal.id = j["id"].get<std::string>();
    if (j.is_object() && j.contains("actor") && j["actor"].is_number_integer())
      journal.actor = j["actor"].get<std::int64_t>();
  }
  // Committed: every step below can be repeated after a crash in the middle of it.
  for (const char* file : {kDatabaseFile, kElectronicFile}) {
    if (!present(ready / file)) continue;
    // The old database's journal files must not be applied to the new file.
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
      const fs::path p = (dir / file).string() + suffix;
      if (::unlink(p.c_str()) != 0 && errno != ENOENT) return fail(ErrorCode::kIo, "cannot remove " + p.string());
    }
    if (auto s = rename_path(ready / file, dir / file); !s) return std::unexpected(s.error());
    crash_point(std::string("rotation-moved-") + file);
  }
  if (present(ready / kBlobDir)) {
    if (present(dir / kBlobDir)) {
      if (present(ready / kOldBlobDir)) {
        std::error_code ec;
        fs::remove_all(dir / kBlobDir, ec);  // an empty folder re-created in between; old anyway
        if (ec) return fail(ErrorCode::kIo, "cannot remove " + (dir / kBlobDir).string());
      } else if (auto s = rename_path(dir / kBlobDir, ready / kOldBlobDir); !s) {
        return std::unexpected(s.error());
      }
    }
    crash_point("rotation-blobs-set-aside");
    if (auto s = rename_path(ready / kBlobDir, dir / kBlobDir); !s) return std::unexpected(s.error());
  }
  if (present(ready / kKeyringFile)) {
    if (auto s = rename_path(ready / kKeyringFile, dir / kKeyringFile); !s) return std::unexpected(s.error());
  }
  if (auto s = fsync_path(dir, true); !s) return std::unexpected(s.error());
  crash_point("rotation-moved");
  return std::optional<RotationJournal>{std::move(journal)};
}

Status complete_rotation(const store::Context& ctx, AuditLog& audit, const fs::path& dir,
                         const RotationJournal& journal, const std::string& detail) {
  std::lock_guard lock(ctx.mu);
  const std::string subject = "rotation:" + journal.id;
  auto recorded = store::audit_recorded(ctx.db, "keys.rotate", subject);
  if (!recorded) return std::unexpected(recorded.error());
  if (!*recorded) {
    if (auto s = audit.append(journal.actor, "keys.rotate", subject + " " + detail); !s) return s;
  }
  crash_point("rotation-audited");
  std::error_code ec;
  fs::remove_all(dir / kRotationReadyDir, ec);
  if (ec) return fail(ErrorCode::kIo, "cannot remove " + (dir / kRotationReadyDir).string());
  return fsync_path(dir, true);
}

Result<KeyRotationReport> rotate_master_key(StoreParts& impl, AuditLog& audit, const User& actor,
                                            const StoreSecrets& secrets) {
  if (auto s = require(actor, {Role::kAdmin}, "rotate the master key"); !s) return std::unexpected(s.error());
  std::lock_guard lock(impl.ctx.mu);
  std::lock_guard elock(impl.edb_mu);
  if (!impl.master || !impl.edb) return fail(ErrorCode::kInternal, "the store is not fully open");
  const fs::path keyring = impl.dir / kKeyringFile;
  const auto failed = [&](Error e) {
    audit.record(&actor, "keys.rotate_failed", "error:" + std::string(error_name(e.code)));
    return std::unexpected(std::move(e));
  };

  // 1. The secrets that will wrap the new key must open the current one: a mistyped passphrase
  //    would otherwise lock the store for good.
  auto by_passphrase = storage::Keyring::unlock(keyring, secrets.passphrase);
  if (!by_passphrase) return failed(from_storage(by_passphrase.error()));
  if (!by_passphrase->equals(*impl.master))
    return failed(Error{ErrorCode::kInternal, "the keyring does not hold the open store's master key"});
  auto has_key_file = storage::Keyring::has_key_file(keyring);
  if (!has_key_file) return failed(from_storage(has_key_file.error()));
  std::optional<storage::SecretKey> key_file_secret;
  if (*has_key_file) {
    if (secrets.key_file.empty())
      return failed(Error{ErrorCode::kInvalidInput, "a key file is registered: give it too, or remove it first"});
    auto secret = storage::KeyFile::read(secrets.key_file);
    if (!secret) return failed(key_file_error(secret.error()));
    auto by_file = storage::Keyring::unlock_with_key_file(keyring, *secret);
    if (!by_file) {
      return failed(by_file.error().code == storage::Code::kWrongKey
                        ? Error{ErrorCode::kWrongKeyFile, by_file.error().message}
                        : from_storage(by_file.error()));
    }
    key_file_secret = std::move(*secret);
  } else if (!secrets.key_file.empty()) {
    return failed(Error{ErrorCode::kWrongKeyFile, "no key file is registered with this store"});
  }

  // 2. Prepare the next generation in rotation.partial.
  const fs::path partial = impl.dir / kRotationPartialDir;
  const fs::path ready = impl.dir / kRotationReadyDir;
  if (present(ready)) return failed(Error{ErrorCode::kConflict, "a committed rotation is still being finished"});
  std::error_code ec;
  fs::remove_all(partial, ec);
  if (!fs::create_directory(partial, ec) || ec) return failed(Error{ErrorCode::kIo, "cannot create " + partial.string()});
  fs::permissions(partial, fs::perms::owner_all, fs::perm_options::replace, ec);
  TreeGuard guard{partial};

  KeyRotationReport rep;
  rep.rotation_id = storage::random_hex(8);
  rep.key_file = key_file_secret.has_value();
  {
    nlohmann::json j = {{"format", "station-key-rotation"}, {"version", 1}, {"id", rep.rotation_id},
                        {"actor", actor.id}, {"started_at", impl.ctx.clock.jst_now_iso()}};
    if (auto s = write_synced(partial / kJournalFile, j.dump() + "\n"); !s) return failed(s.error());
  }
  auto next = storage::SecretKey::random();
  if (!next) return failed(from_storage(next.error()));
  if (auto s = storage::Keyring::create_for(partial / kKeyringFile, *next, secrets.passphrase,
                                            key_file_secret ? &*key_file_secret : nullptr);
      !s)
    return failed(from_storage(s.error()));
  // The keyring's secret slots (the audit signing seed) go with it: under the new master key, or
  // as they are when wrapped under a credential.
  if (auto s = storage::Keyring::copy_secrets(keyring, partial / kKeyringFile, *impl.master, *next); !s)
    return failed(from_storage(s.error()));
  auto db_key = next->derive(kDbKeyPurpose);
  auto edb_key = next->derive(kElectronicKeyPurpose);
  auto blob_key = next->derive(kBlobKeyPurpose);
  auto blob_key_live = next->derive(kBlobKeyPurpose);
  if (!db_key || !edb_key || !blob_key || !blob_key_live) return failed(Error{ErrorCode::kInternal, "key derivation failed"});

  // Blobs: every one a row refers to, authenticated under the old key, re-encrypted under the new.
  auto columns = store::blob_columns(impl.ctx.db);
  if (!columns) return failed(columns.error());
  auto referenced_ids = store::referenced_blobs(impl.ctx.db, *columns);
  if (!referenced_ids) return failed(referenced_ids.error());
  const std::set<std::string>& referenced = *referenced_ids;
  auto next_blobs = storage::BlobStore::open(partial / kBlobDir, std::move(*blob_key));
  if (!next_blobs) return failed(from_storage(next_blobs.error()));
  std::map<std::string, std::string> remap;
  for (const auto& id : referenced) {
    auto bytes = impl.ctx.blobs.get(id);
    if (!bytes) {
      if (bytes.error().code == storage::Code::kNotFound)
        return failed(Error{ErrorCode::kStoreCorrupt, "a blob a row refers to is missing: " + id});
      return failed(from_storage(bytes.error()));
    }
    auto new_id = next_blobs->put(*bytes);
    storage::wipe(*bytes);
    if (!new_id) return failed(from_storage(new_id.error()));
    remap.emplace(id, std::move(*new_id));
    crash_point("rotation-blob");
  }
  rep.blobs = static_cast<int>(remap.size());

  // The mailed database: a copy under the new key, its blob ids rewritten in one transaction.
  const fs::path next_db = partial / kDatabaseFile;
  if (auto s = impl.ctx.db.export_to(next_db, *db_key); !s) return failed(from_storage(s.error()));
  {
    auto db = storage::Database::open(next_db, *db_key);
    if (!db) return failed(from_storage(db.error()));
    if (auto s = store::remap_blob_ids(*db, *columns, remap); !s) return failed(s.error());
    if (auto sealed = seal_database(std::move(*db), next_db); !sealed) return failed(sealed.error());
  }
  // The electronic database: a copy under its new key.
  const fs::path next_edb = partial / kElectronicFile;
  if (auto s = impl.edb->export_to(next_edb, *edb_key); !s) return failed(from_storage(s.error()));
  {
    auto edb = storage::Database::open(next_edb, *edb_key);
    if (!edb) return failed(from_storage(edb.error()));
    if (auto sealed = seal_database(std::move(*edb), next_edb); !sealed) return failed(sealed.error());
  }
  for (const auto& d : {partial / kBlobDir, partial}) {
    if (auto s = fsync_path(d, true); !s) return failed(s.error());
  }

  crash_point("rotation-prepared");

  // 3. Commit: from this rename on, the new generation is the store.
  if (auto s = rename_path(partial, ready); !s) return failed(s.error());
  guard.path.clear();
  if (auto s = fsync_path(impl.dir, true); !s) return std::unexpected(s.error());
  crash_point("rotation-committed");

  // 4. Close the live databases, move the new files into place, reopen under the new key.
  { storage::Database closing = std::move(impl.ctx.db); }
  impl.edb.reset();
  auto moved = recover_rotation(impl.dir);
  if (!moved) return std::unexpected(moved.error());
  auto db = storage::Database::open(impl.dir / kDatabaseFile, *db_key);
  if (!db) return unexpected_storage(db.error());
  impl.ctx.db = std::move(*db);
  auto edb = storage::Database::open(impl.dir / kElectronicFile, *edb_key);
  if (!edb) return unexpected_storage(edb.error());
  impl.edb = std::move(*edb);
  auto blobs = storage::BlobStore::open(impl.dir / kBlobDir, std::move(*blob_key_live));
  if (!blobs) return unexpected_storage(blobs.error());
  impl.ctx.blobs = std::move(*blobs);
  impl.master = std::move(*next);
  const RotationJournal journal = moved->value_or(RotationJournal{rep.rotation_id, actor.id});
  if (auto s = complete_rotation(impl.ctx, audit, impl.dir, journal, "blobs:" + std::to_string(rep.blobs) +
                                                   (rep.key_file ? " key_file:rewrapped" : ""));
      !s)
    return std::unexpected(s.error());
  return rep;
}

Status add_key_file(StoreParts& impl, AuditTrail& audit, const User& actor, const fs::path& path) {
  if (auto s = require(actor, {Role::kAdmin}, "register a key file"); !s) return s;
  std::lock_guard lock(impl.ctx.mu);
  const fs::path keyring = impl.dir / kKeyringFile;
  auto has = storage::Keyring::has_key_file(keyring);
  if (!has) return unexpected_storage(has.error());
  if (*has) return fail(ErrorCode::kConflict, "a key file is registered already; remove it first");
  if (path.empty()) return fail(ErrorCode::kInvalidInput, "no key file path given");
  auto secret = storage::KeyFile::create(path);
  if (!secret) {
    const auto& e = secret.error();
    if (e.code == storage::Code::kInvalid) return fail(ErrorCode::kConflict, "a file exists at the key file's path");
    if (e.code == storage::Code::kDiskFull) return fail(ErrorCode::kDiskFull, e.message);
    return fail(ErrorCode::kIo, e.message);
  }
  const auto undo_file = [&] { ::unlink(path.c_str()); };
  if (auto s = storage::Keyring::add_key_file(keyring, *impl.master, *secret); !s) {
    undo_file();
    return unexpected_storage(s.error());
  }
  // The key file on the medium must open the store before anyone relies on it.
  auto check = unlock_master(keyring, StoreSecrets{{}, path});
  if (!check || !check->equals(*impl.master)) {
    (void)storage::Keyring::remove_key_file(keyring);
    undo_file();
    return fail(ErrorCode::kIo, "the key file written does not open the store");
  }
  audit.record(&actor, "keys.keyfile_add", "");
  return {};
}

Status remove_key_file(StoreParts& store, AuditTrail& audit, const User& actor) {
  if (auto s = require(actor, {Role::kAdmin}, "remove the key file"); !s) return s;
  std::lock_guard lock(store.ctx.mu);
  if (auto s = storage::Keyring::remove_key_file(store.dir / kKeyringFile); !s) {
    if (s.error().code == storage::Code::kNotFound) return fail(ErrorCode::kNotFound, "no key file is registered");
    return unexpected_storage(s.error());
  }
  audit.record(&actor, "keys.keyfile_remove", "");
  return {};
}

Result<bool> has_key_file(const StoreParts& store, const User& actor) {
  if (auto s = require(actor, {Role::kAdmin}, "see the key settings"); !s) return std::unexpected(s.error());
  auto has = storage::Keyring::has_key_file(store.dir / kKeyringFile);
  if (!has) return unexpected_storage(has.error());
  return *has;
}

}  // namespace station::security
