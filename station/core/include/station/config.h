#pragma once
// Station configuration: defaults, then an optional TOML file, then command-line overrides.
// Locations follow the XDG base-directory convention.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"

namespace station {

struct Config {
  std::filesystem::path data_dir;        // the store (database, blobs, keyring)
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  std::string tessdata_dir;              // empty: Tesseract's default
  std::string ocr_languages = "jpn+eng";
  std::string templates_dir;             // form templates ([ocr] templates_dir); empty: the bundled folder
  int default_dpi = 200;                 // for files that carry no resolution (the page is flagged)
  long long max_image_pixels = 100'000'000;
  // Input limits ([capture]): a file over max_file_mb is refused before it is read; a PDF or TIFF
  // of more than max_pages pages before its pages are rendered.
  long long max_file_mb = 200;
  int max_pages = 200;
  // The folders the web UI may import from ([capture] import_roots, absolute paths); a folder
  // outside them, or reached through a symbolic link, is refused. Empty: no web folder import.
  std::vector<std::filesystem::path> import_roots;
  // TLS for the web UI ([web] tls_cert, tls_key: PEM files). Required whenever the server listens
  // on anything but loopback.
  std::string tls_cert;
  std::string tls_key;
  double confidence_threshold = 0.90;    // below this a value is flagged for the reviewer
  // OCR engines recognising envelopes side by side, each on its own thread with its own Tesseract
  // (about 600 MB each with the second Japanese model). 0: one per core.
  int ocr_workers = 0;
  // Recognise every captured envelope in the background as soon as its last page is in ([ocr]
  // recognize_on_capture). Off only for tests of capture alone and for bulk re-imports.
  bool recognize_on_capture = true;
  int session_idle_minutes = 15;         // idle lock of the web UI
  int lockout_attempts = 5;              // failed logins before an account locks
  int lockout_minutes = 30;
  int password_min_length = 10;          // NIST SP 800-63B asks for 8 at least; stricter locally
  int audit_checkpoint_every = 100;      // a signed audit checkpoint every N entries
  // The audit log's Ed25519 public key, pinned ([security] audit_public_key, 64 hex digits; empty:
  // not pinned yet). `station audit verify` checks the log against this key, not the one the
  // store holds, so a log rewritten and re-signed with another key is found (issue #16).
  std::string audit_public_key;
  // The audit signing credential ([security] audit_signing_key_file: 32 random bytes, root-owned,
  // e.g. handed to `station serve` by systemd LoadCredential=; `station audit signing-key new`
  // writes one). When set, the signing seed's keyring slot is wrapped under it, not under the
  // master key; a store opened without it cannot sign (read-only commands only). Empty: the
  // weaker default, the seed wrapped under the master key.
  std::string audit_signing_key_file;
  // The daily backup's medium ([backup] dir): `station serve` writes an encrypted, verified backup
  // there when the systemd timer (hardware/systemd/station-backup.timer) sends it SIGUSR1.
  std::string backup_dir;
  std::string profiles_dir;              // scanner device profiles ([scanner] profiles_dir); empty: the bundled folder
  std::string scanner_device;            // [scanner] device: SANE name to scan from; empty: the first found
  // The review's workflow ([review]): Japanese public holidays for deadlines ("YYYY-MM-DD<TAB>name"
  // lines; install-deps.sh writes it from @holiday-jp/holiday_jp), the correction deadline in
  // business days, and how the secretariat signs its letters.
  std::string holidays_file = "/usr/local/share/station/holidays_jp.tsv";
  int correction_business_days = 5;
  std::string letter_sender = "千葉県高齢者福祉施設等物価高騰対策給付金 事務局";
  // Sync with the main system ([sync], docs/sync.md): a libpq connection string (empty: no sync;
  // sslmode=verify-full in production; the password belongs in a passfile, not here), the
  // background worker's first retry interval and its bound (doubling in between), and how many
  // outbox changes go in one server transaction.
  std::string sync_url;
  int sync_interval_seconds = 30;
  int sync_max_interval_seconds = 600;
  int sync_batch = 500;
  int sync_timeout_seconds = 15;         // each network wait (connect, one statement)
  // How long a delivered outbox change is kept (a record of what was sent) before a successful
  // round deletes it; 0 deletes it at the next successful round. Pending changes are never pruned.
  int sync_retention_days = 90;
  // Blind double entry ([verification] double_entry, issue #17): the field types (the templates'
  // "type": "text", "kana", "comb", "amount", ...; station/double_entry.h lists them) whose values
  // two people key blind, a third deciding when they differ. Empty (the default): none — every
  // value is confirmed by one reviewer as before; a secretariat turns it on for the types whose
  // keying slips cost most, e.g. ["amount", "comb"] (the amount, the account and 事業所番号).
  std::vector<std::string> double_entry_types;
};

// A libpq connection string with its password replaced by *** (for showing the configuration).
std::string redact_conninfo(std::string_view url);

// ocr_workers with 0 resolved to the cores.
int ocr_worker_count(const Config& config);

// $XDG_DATA_HOME/station (default ~/.local/share/station) and $XDG_CONFIG_HOME/station/config.toml.
std::filesystem::path default_data_dir();
std::filesystem::path default_config_file();

// Loads `file` over the defaults. A missing file is not an error when `required` is false.
// kConfig names the key and the line when the file is malformed.
Result<Config> load_config(const std::filesystem::path& file, bool required);

// The configuration as TOML, e.g. for `station config show`.
std::string to_toml(const Config& config);

}  // namespace station
