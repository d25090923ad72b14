#pragma once
// The station: one object per open store, the workflow's single entry point for the ui module.
// Every method checks the acting user's role itself (server-side), records the action in the
// audit log and returns an Error value on failure. Thread-safe: methods may be called from
// several threads (the web server's); they serialise on an internal mutex where they touch the
// store.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "station/config.h"
#include "station/double_entry.h"
#include "station/error.h"
#include "station/finding.h"
#include "station/model.h"
#include "station/security_types.h"

namespace station {

// The parts a Station is built from that tests may replace (station/src/services.h: an OCR engine
// factory, a scanner factory, a clock). Incomplete here on purpose: callers outside the station module use the
// defaults (Tesseract, the system clock).
struct Services;

// ---- sync with the main system (issue #15, docs/sync.md)
// One sync round: changes delivered, receipts pulled.
struct SyncReport {
  std::string role;               // the station's identity on the main system
  std::int64_t sent = 0;          // outbox changes delivered (and acknowledged) in this round
  std::int64_t applied = 0;       // of them, new to the server (the rest were replays, ignored there)
  std::int64_t receipts = 0;      // electronic receipts pulled
  std::int64_t receipts_new = 0;  // of them, new to the electronic store
  std::int64_t applications = 0;  // other stations' mailed applications pulled (new or changed)
  std::int64_t pending = 0;       // changes still waiting after the round
  std::int64_t pruned = 0;        // delivered changes older than [sync] retention_days, deleted
};
// What is pending and since when, and how the last attempt went.
struct SyncStatus {
  bool configured = false;        // [sync] url is set
  std::string url;                // with its password hidden
  std::string store_id;           // the store's id in every idempotency key
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::string oldest_pending_at;  // "" when nothing is pending
  std::int64_t last_seq = 0;
  std::int64_t cursor = 0;        // the last electronic receipt pulled (the main system's feed_seq)
  std::string last_attempt_at, last_success_at;
  std::string last_error;         // an error name (e.g. SYNC_UNREACHABLE); "" after a success
  std::string last_error_detail;  // English, for the log; no personal value
  bool worker_running = false;
};
// `bytes` random bytes from libsodium's randombytes (the kernel's CSPRNG) as lower-case hex: the
// web UI's session and CSRF tokens. Never empty: aborts if libsodium cannot start.
std::string random_token_hex(std::size_t bytes);

class Station {
 public:
  // Creates a new store in config.data_dir, protected by `passphrase`. kStoreExists if one is there.
  static Result<std::unique_ptr<Station>> create(const Config& config, std::string_view passphrase);
  // Opens the store in config.data_dir. kStoreMissing, kWrongPassphrase or kStoreCorrupt.
  static Result<std::unique_ptr<Station>> open(const Config& config, std::string_view passphrase);
  // The same with a key file (secrets.key_file set): kWrongKeyFile when it is not the one
  // registered, kBadKeyFile when it is missing, truncated or damaged; nothing is opened then.
  // Either way, an interrupted master-key rotation is finished or rolled back first.
  static Result<std::unique_ptr<Station>> open(const Config& config, const StoreSecrets& secrets);
  // The same with replaced parts (null: the defaults). For tests.
  static Result<std::unique_ptr<Station>> create(const Config& config, std::string_view passphrase,
                                                 const Services* services);
  static Result<std::unique_ptr<Station>> open(const Config& config, const StoreSecrets& secrets,
                                               const Services* services);
  // Stops the background recognition after the field it is reading (the envelope goes back to
  // the queue and is read again at the next open) and any capture job after its current page.
  ~Station();

  const Config& config() const;

  // ---- accounts
  // Whether a new account's name and password follow the rules (kInvalidInput, saying which),
  // without a store: checked before a store is created for its first administrator, so that a
  // refused password leaves no store behind.
  static Status check_new_account(const Config& config, std::string_view username, std::string_view password);
  // The first user may be created without an actor (bootstrap); afterwards only an admin may add.
  Result<User> add_user(const User* actor, std::string_view username, std::string_view password, Role role);
  // kLoginFailed (also for an unknown name or a disabled account), kAccountLocked,
  // kPasswordChangeRequired after an admin's reset (change_password first).
  Result<User> login(std::string_view username, std::string_view password);
  Result<User> user_by_id(std::int64_t id);
  // The account as it stands now, for a session opened earlier: kSessionExpired when it has been
  // disabled, removed or reset by an admin since (the web server then ends the session; a changed
  // role shows in the answer).
  Result<User> active_user(std::int64_t id);
  // ---- the account lifecycle (issue #16); each audited
  // Changes one's own password (the current one, or an admin's one-time password, must be right).
  Result<User> change_password(std::string_view username, std::string_view current_password,
                               std::string_view new_password);
  // Admin only: a random one-time password, to be changed at the next login. kNotFound.
  Result<PasswordReset> reset_password(const User& actor, std::string_view username);
  // Admin only: a disabled account cannot log in; an admin cannot disable themself or the last
  // enabled admin (kConflict). kNotFound.
  Status disable_user(const User& actor, std::string_view username);
  Status enable_user(const User& actor, std::string_view username);
  // Admin only: a new role; the last enabled admin stays admin (kConflict). kNotFound.
  Result<User> set_role(const User& actor, std::string_view username, Role role);
  // Admin only: every account with its state, last login and failed attempts.
  Result<std::vector<AccountInfo>> accounts(const User& actor);

  // ---- facility list (対象施設リスト), CP932 CSV as delivered; replaces the previous list
  Result<int> load_facilities(const User& actor, const std::filesystem::path& csv);
  Result<int> facility_count();

  // ---- the checks of the review procedure (reviewer, supervisor)

  // Every check on the envelope's current values (confirmed, else read) against the current
  // facility list; each finding is named, tied to its field and page region, with a Japanese
  // message and a severity. Computed on demand (changes nothing, so not audited,
  // like fields()); the report names the list version.
  Result<CheckReport> check(const User& actor, std::int64_t envelope_id);
  // Confirms many values at once from a values file in the shape of truth.json (fields, pledge,
  // officers, passbook, envelope, pages' kinds); all or nothing; audited (ids and counts only).
  Result<int> confirm_values(const User& actor, std::int64_t envelope_id, std::string_view json_text);

  // ---- capture: one envelope from a folder of page images or a list of files
  Result<ImportReport> import_envelope(const User& actor, const std::vector<std::filesystem::path>& inputs,
                                       const Intake& intake);
  // ---- capture (issue 3)
  // The same, reporting progress after each page (on the calling thread). Each page is committed
  // as it is read (original kept); cleanup (deskew, orientation, border, blank) runs on two
  // workers and stores the cleaned page beside the original.
  Result<ImportReport> import_envelope(const User& actor, const std::vector<std::filesystem::path>& inputs,
                                       const Intake& intake, const std::function<void(const CaptureProgress&)>& progress);
  // Scans from a device (by name, the configured one, or the first found) with its matching
  // profile from config.profiles_dir. Every page is committed the moment it arrives. With
  // request.separate, separator sheets start a new envelope. A jam, an open cover or an unplugged
  // device ends the run with ScanReport::interrupted and a message; the pages so far are kept.
  // An error only when nothing could start (no device, wrong role, ...). Clerk or supervisor.
  Result<ScanReport> scan(const User& actor, const ScanRequest& request,
                          const std::function<void(const CaptureProgress&)>& progress = {});
  // Scanners attached to this machine, with their matching profile. kCaptureBusy while a capture
  // job scans (SANE is not asked two things at once).
  Result<std::vector<ScannerDevice>> scanners(const User& actor);
  // The receipt log (受付簿) of one day (YYYY-MM-DD), in 受付番号 order; and the same as xlsx.
  Result<std::vector<IntakeLogRow>> intake_log(const User& actor, std::string_view date);
  Result<std::vector<unsigned char>> intake_log_xlsx(const User& actor, std::string_view date);
  // The clerk looked at a page flagged blank: `blank` true keeps the flag as confirmed, false clears it.
  Status confirm_blank(const User& actor, std::int64_t page_id, bool blank);
  // The separator sheet to print, as "png" or "pdf".
  static Result<std::vector<unsigned char>> separator_sheet(std::string_view format);
  // Starts a scan or an import on a background thread (the web UI's) and returns its job id at
  // once. One job at a time per station: kCaptureBusy while one runs. What can be checked before
  // starting is (role, date, folder, envelope to continue). Clerk or supervisor. The job stops
  // after its current page when the station closes; every page so far is kept.
  Result<std::int64_t> start_capture(const User& actor, const CaptureJobRequest& request);
  // A job's progress and, once it has ended, its outcome. job_id 0: the latest job (kNotFound
  // when there is none). Clerk or supervisor.
  Result<CaptureJob> capture_job(const User& actor, std::int64_t job_id);
  // ---- intake page operations (issue #17): clerk or supervisor; each audited (ids only). Refused
  // (kConflict, with what to do in Japanese) while the envelope is being captured or read, and once
  // a reviewer has confirmed any of its values or it is in review or decided. The envelopes touched
  // lose their values as read and are read again (queued like a finished capture; an interrupted
  // one waits for its capture to be continued). A page's new turn or place changes its version,
  // so its renditions are made again.
  // Turns a page by 90, 180 or 270 degrees clockwise (on top of any earlier turn).
  Status rotate_page(const User& actor, std::int64_t page_id, int degrees);
  // The envelope's pages in a new order: every page id of the envelope once.
  Status reorder_pages(const User& actor, std::int64_t envelope_id, const std::vector<std::int64_t>& page_ids);
  // Moves a page to the end of another envelope.
  Status move_page(const User& actor, std::int64_t page_id, std::int64_t to_envelope_id);

  // ---- recognition (issue 11): every envelope whose capture finishes — import, scan, web capture,
  // demo — is queued and read in the background by a pool of config.ocr_workers engines, through
  // the one stage list (station/src/recognition/pipeline.h). A station opened again resumes what
  // was queued or being read when it closed, and marks captures cut off by a crash as interrupted.
  // Reads the envelope now (again, if it was read: confirmed values are kept) through the same
  // pool and waits for it; returns the number of fields read. Clerk, reviewer or supervisor.
  Result<int> recognize(const User& actor, std::int64_t envelope_id);
  // Queues the envelope for the background recognition and returns at once.
  Status queue_recognition(const User& actor, std::int64_t envelope_id);
  // What is queued and running. Any signed-in role.
  Result<RecognitionStatus> recognition_status(const User& actor);
  // Waits until nothing is queued or being read, or `timeout` passes; true when idle. For the
  // demo, tests and benchmarks.
  bool wait_for_recognition(std::chrono::milliseconds timeout);
  // The stored reading of one envelope as JSON in the shape of a sample's truth.json — the same
  // document `station recognize --json` prints for the same files — plus "envelope_id",
  // "receipt_no", "state", "state_ja"; a confirmed value carries "confirmed": {"by", "at", "read"}
  // and its "value" is the confirmed one. Reviewer or supervisor; the view is audited.
  Result<std::string> envelope_json(const User& actor, std::int64_t envelope_id);

  // ---- review
  Result<std::vector<EnvelopeSummary>> list_envelopes(const User& actor);
  Result<EnvelopeSummary> envelope(const User& actor, std::int64_t envelope_id);
  Result<std::vector<PageInfo>> pages(const User& actor, std::int64_t envelope_id);
  Result<std::vector<FieldInfo>> fields(const User& actor, std::int64_t envelope_id);
  Result<FieldInfo> field(const User& actor, std::int64_t field_id);
  // PNG of the field's crop (the box plus a margin), for showing beside the value.
  Result<std::vector<unsigned char>> field_crop_png(const User& actor, std::int64_t field_id);
  // PNG of a page scaled to at most max_width pixels wide.
  Result<std::vector<unsigned char>> page_png(const User& actor, std::int64_t page_id, int max_width);
  // The page as the verification screen shows it (docs/ui.md): upright, at most max_width wide, a
  // JPEG rendition for display only (the stored original is untouched; PDFs and exports use it).
  // Encoded once per page version and width, then served from a bounded in-memory cache (LRU by
  // bytes); a page whose image or rotation changes gets a new version, so a new rendition.
  struct PageRendition {
    std::shared_ptr<const std::vector<unsigned char>> bytes;
    std::string media_type;  // "image/jpeg"
    std::string version;     // changes whenever the page's pixels or rotation change
    int width = 0, height = 0;
  };
  Result<PageRendition> page_rendition(const User& actor, std::int64_t page_id, int max_width);
  // The version page_rendition would carry, without pixels (a conditional request's check); the same
  // role rules as page_png. Not a view in the audit log.
  Result<std::string> page_version(const User& actor, std::int64_t page_id);
  // The reviewer confirms (or corrects) a value. Reviewer or supervisor only.
  Result<FieldInfo> confirm_field(const User& actor, std::int64_t field_id, std::string_view value);

  // ---- blind double entry (issue #17; station/double_entry.h, review/double_entry.h). A field
  // whose type is in [verification] double_entry is keyed by two people blind and decided by a
  // third when they differ; confirm_field refuses it. Each call audited (ids and rounds only).
  // The types under double entry, as configured (any signed-in role: no personal values).
  double_entry::Settings double_entry_settings() const;
  // The fields waiting for the actor's entry, or for a decision the actor may make. Reviewer or
  // supervisor. No value in them.
  Result<std::vector<double_entry::EntryTask>> entry_tasks(const User& actor, double_entry::Queue queue);
  // The actor's blind entry of `round` (1 or 2). The outcome carries the value only once decided.
  Result<double_entry::EntryOutcome> submit_entry(const User& actor, std::int64_t field_id, int round,
                                                  std::string_view value);
  // A disputed field with both entries, for a reviewer or supervisor who keyed neither.
  Result<double_entry::Dispute> entry_dispute(const User& actor, std::int64_t field_id);
  // Their decision: confirms the field.
  Result<double_entry::EntryOutcome> decide_entry(const User& actor, std::int64_t field_id, std::string_view value);

  // ---- the review's workflow and correction requests (issue #12; station_review's Workflow)
  // Records a decision on an application (reviewer, supervisor; accepting over blocking findings
  // only the supervisor, with decision.override_findings and a reason). See review/workflow.h.
  Result<DecisionResult> decide(const User& actor, std::int64_t envelope_id, const Decision& decision);
  // The envelope's state changes with who, when and why, oldest first (clerk, reviewer, supervisor).
  Result<std::vector<TransitionRecord>> history(const User& actor, std::int64_t envelope_id);
  // The envelopes in one state, oldest first (every role: no personal values).
  Result<std::vector<EnvelopeSummary>> envelopes_in_state(const User& actor, EnvelopeState state);
  // Open correction requests by deadline; only the overdue ones with overdue_only.
  Result<std::vector<CorrectionRound>> corrections(const User& actor, bool overdue_only);
  // One application's rounds, oldest first.
  Result<std::vector<CorrectionRound>> correction_rounds(const User& actor, std::int64_t envelope_id);
  // Links the applicant's returned papers (received as an envelope of their own) to the open round.
  Result<CorrectionRound> receive_correction(const User& actor, std::int64_t envelope_id,
                                             std::int64_t reply_envelope_id);
  // The round's letter (補正指示書) as a PDF in memory. Reviewer or supervisor; audited.
  Result<std::vector<unsigned char>> correction_letter_pdf(const User& actor, std::int64_t envelope_id, int round);
  // The letter a correction request with these defects and note would produce, before it is issued
  // (the review screen's preview): the round it would be, today's date, the deadline counted as
  // decide() counts it, and each page as a PNG at most `max_width` pixels wide. Reviewer or
  // supervisor; the same checks as decide() (a state that can take a request, at least one defect,
  // no blank one); changes nothing, only the view is audited (the letter names the applicant).
  struct LetterPreview {
    struct Page {
      std::vector<unsigned char> png;
      int width = 0, height = 0;
    };
    int round = 0;
    std::string request_date, deadline;  // YYYY-MM-DD
    std::vector<Page> pages;
  };
  Result<LetterPreview> preview_correction_letter(const User& actor, std::int64_t envelope_id,
                                                  const std::vector<CorrectionDefect>& defects,
                                                  const std::string& note, int max_width);
  // The station's date (JST, YYYY-MM-DD): the day deadlines are counted against.
  std::string today() const;
  // The same letter written to `zip_path` as an AES-256 encrypted ZIP (it names the corporation and
  // its representative: nothing personal leaves the station in clear); returns the one-time password.
  Result<std::string> write_correction_letter(const User& actor, std::int64_t envelope_id, int round,
                                              const std::filesystem::path& zip_path);
  // Records a change the applicant agreed to and sets the field to its new value.
  Result<AgreedChange> record_agreed_change(const User& actor, const AgreedChange& change);
  Result<std::vector<AgreedChange>> agreed_changes(const User& actor, std::int64_t envelope_id);
  // Every application's agreed changes by agreement date (YYYY-MM-DD, "" : open), for the
  // prefecture's report. Reviewer or supervisor; audited.
  Result<std::vector<AgreedChange>> agreed_changes_report(const User& actor, const std::string& from,
                                                          const std::string& to);

  // ---- export (docs/outputs.md): the mailed set of business day `date` (YYYY-MM-DD; empty: today)
  // as one CMS file in out_dir: the accepted (受理) applications not yet sent, one PDF each, the
  // lists, the agreed corrections, the audit log's head and the manifest in one ZIP, signed by the
  // station's certificate and encrypted (AES-256) to the prefecture's. The applications are marked
  // sent in the transaction that records the set. Supervisor only; one export at a time.
  // kNothingToExport when nothing is waiting (nothing is written); kConflict (with reason_ja) when
  // no recipient certificate is set. `progress` (optional) is told (done, total) applications as
  // they are written: (0, total) first, then after each (on the calling thread; keep it quick).
  Result<ExportReport> export_batch(const User& actor, const std::filesystem::path& out_dir,
                                    std::string_view date = {},
                                    const std::function<void(int done, int total)>& progress = {});
  // The prefecture's certificate the sets are encrypted to (PEM or DER X.509). Admin only; audited.
  // kInvalidInput (with reason_ja) for a file that is no usable certificate.
  Result<ExportCertificate> set_export_recipient(const User& actor, std::string_view certificate);
  // The recipient certificate set (kNotFound: none yet) and the station's own signing certificate
  // (made on first use). Supervisor or admin.
  Result<ExportCertificate> export_recipient(const User& actor);
  Result<ExportCertificate> station_certificate(const User& actor);
  // Imports the Zengin bank and branch codes (the table install-deps.sh makes from the pinned npm
  // `zengin-code`; empty path: /usr/local/share/station/zengin.tsv) into the store, replacing the
  // previous version; returns "<version> <banks> <branches>". Admin only; audited. The export
  // loads a newer installed table by itself.
  Result<std::string> load_zengin(const User& actor, const std::filesystem::path& path);

  // ---- maintenance
  Status check_integrity();

  // ---- security (issue #5)
  // Clears a lockout and the failed-login count. Admin only.
  Status unlock_user(const User& actor, std::string_view username);
  // Re-wraps the master key under a new station passphrase. Admin only; the old one must match.
  Status change_passphrase(const User& actor, std::string_view old_passphrase, std::string_view new_passphrase);
  // Replaces the master key (issue #5): a new random key; both databases re-keyed and every blob
  // re-encrypted (blob ids are keyed digests, so every blob_id column is rewritten) in a staged
  // next generation, committed by one rename and moved into place; the keyring re-wrapped under
  // the same passphrase (and key file). Crash-safe: open() finishes or rolls back an interrupted
  // rotation. Admin only; secrets.passphrase must be the store's (kWrongPassphrase) and, when a
  // key file is registered, secrets.key_file that key file (kInvalidInput when not given). Run it
  // alone: nothing else may use the station meanwhile (the CLI holds the store's lock). Audited.
  Result<KeyRotationReport> rotate_master_key(const User& actor, const StoreSecrets& secrets);
  // Writes a new random key file at `path` (on removable media; kConflict if a file is there, or a
  // key file is registered already) and registers it, so it opens the store instead of the
  // passphrase. Admin only; audited.
  Status add_key_file(const User& actor, const std::filesystem::path& path);
  // Unregisters the key file: it no longer opens the store (kNotFound when none is). Admin only.
  Status remove_key_file(const User& actor);
  // Whether a key file is registered. Admin only.
  Result<bool> has_key_file(const User& actor);
  // Checks the audit log: every entry's hash link, the ids' continuity, each signed checkpoint and
  // the signed head file (which catches a log cut off at the end). Supervisor or admin.
  Result<AuditVerifyReport> audit_verify(const User& actor);
  // The same, and the log must still hold the head signed in `expected_head` (an audit-head.json
  // kept off the station: a daily set's or a backup's), so a store rolled back to an older copy or
  // a log rewritten before that head fails. kNotFound / kIo when the file cannot be read.
  // With config.audit_public_key set, everything is checked against that pinned key.
  Result<AuditVerifyReport> audit_verify(const User& actor, const std::filesystem::path& expected_head);
  // The signed audit head (JSON: last entry, its link, the public key, the signature), for the
  // daily set and backups to carry off the station. Supervisor or admin.
  Result<std::string> audit_head(const User& actor);
  // Writes a new audit signing credential (32 random bytes, owner read-only) at `path` and
  // re-wraps the signing seed's keyring slot under it (issue #16): from then on the store signs
  // only where that file can be read ([security] audit_signing_key_file). Admin only; audited.
  // kInvalidInput when `path` exists.
  Status new_audit_signing_credential(const User& actor, const std::filesystem::path& path);
  // Searches the audit log (newest first). Supervisor or admin.
  Result<std::vector<AuditEntry>> audit_search(const User& actor, const AuditQuery& query);
  // Writes an encrypted, signed, verified backup of everything into a new folder under dest_dir.
  // Supervisor or admin. On failure (e.g. kDiskFull) the partial folder is removed.
  // The backup is read back and checked (manifest signature, every file's digest) before it counts.
  Result<BackupReport> backup(const User& actor, const std::filesystem::path& dest_dir);
  // The same as the station itself (the scheduled daily backup of `station serve`, no user).
  Result<BackupReport> scheduled_backup(const std::filesystem::path& dest_dir);
  // When the last good backup was made; stale when none or older than a day (the UI and CLI warn).
  // Any role.
  Result<BackupStatus> backup_status(const User& actor);
  // `backup_dir` may also be the folder given to `station backup`: the newest complete backup in
  // it is restored (RestoreReport::backup_dir names it); kNotFound when it holds none.
  // Restores a backup into config.data_dir (which must hold no store), after checking the
  // manifest signature, every file's digest, the databases' integrity, every blob and the audit
  // chain. Nothing is left in data_dir when it fails. kWrongPassphrase, kStoreCorrupt, kStoreExists.
  static Result<RestoreReport> restore(const Config& config, const std::filesystem::path& backup_dir,
                                       std::string_view passphrase);
  // What open() cleaned up: temporaries of interrupted writes and blobs no row refers to (a
  // crash between writing a page's blob and committing its row). Only open() sweeps: it holds the
  // store's exclusive lock, so no import is half-done meanwhile.
  const MaintenanceReport& open_report() const;

  // ---- sync with the main system (issue #15, docs/sync.md). Every change the main system must
  // learn of is in the outbox from the moment it is committed (triggers of migration 8).
  // The main system's schema and its upgrades, as SQL for psql (needs no store).
  static std::string sync_schema_sql();
  // One round now: delivers the outbox in order (one server transaction per batch, each change
  // under its idempotency key), then pulls new electronic receipts into the electronic store,
  // where the duplicate check sees them at once. Any signed-in role; audited. kSyncUnreachable,
  // kSyncAuth, kSyncSchema, kSyncProtocol: nothing is lost, the outbox keeps what was not acknowledged.
  Result<SyncReport> sync_once(const User& actor);
  // Any signed-in role.
  Result<SyncStatus> sync_status(const User& actor);
  // Starts the background worker (station serve): a round every [sync] interval_seconds, retried
  // after a failure with a doubling interval bounded by max_interval_seconds. Stopped when the
  // station closes. kConfig when [sync] url is not set.
  Status start_sync_worker();

  // ---- electronic applications: a store of their own (own database file, own key)
  // Loads the main system's CSV (UTF-8) and replaces the previous content. Supervisor or admin.
  Result<int> load_electronic_applications(const User& actor, const std::filesystem::path& csv);
  Result<int> electronic_count(const User& actor);
  // Electronic applications for one facility (by facility id or 介護保険事業所番号); reviewer and up.
  Result<std::vector<ElectronicApplication>> electronic_for_facility(const User& actor, std::string_view facility_id,
                                                                   std::string_view jigyosho_no);

 private:
  struct Impl;
  explicit Station(std::unique_ptr<Impl> impl);
  // `services` (may be null: the real ones) are the new Impl's from its construction on.
  static Result<std::unique_ptr<Impl>> open_store(const Config& config, const StoreSecrets& secrets, bool create,
                                                  const Services* services = nullptr);
  std::unique_ptr<Impl> impl_;
};

}  // namespace station
