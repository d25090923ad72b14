#pragma once
// The station's domain values as its callers (ui) see them. Plain copyable values.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace station {

enum class Role { kClerk, kReviewer, kSupervisor, kAdmin };
std::string_view role_name(Role role);     // "clerk", ...
std::string_view role_label_ja(Role role); // "受付担当", ...
std::optional<Role> parse_role(std::string_view name);

struct User {
  std::int64_t id = 0;
  std::string username;
  Role role = Role::kClerk;
};

struct PixelBox {
  int x = 0, y = 0, w = 0, h = 0;
};

// What the clerk records when an envelope is received (受付).
struct Intake {
  std::string received_date;  // ISO YYYY-MM-DD; empty = today
  int enclosures = 0;         // number of documents in the envelope, as counted by the clerk
};

// Where an envelope is in its life (station/src/lifecycle.cpp holds the one transition table;
// envelopes.status stores state_name()). The review states of the secretariat come next.
enum class EnvelopeState {
  kCapturing,          // 取込中: pages are being imported or scanned into it
  kInterrupted,        // 取込中断: its capture was cut off (crash, jam); continue it or re-import
  kCaptured,           // 受付済: every page is in; queued for recognition
  kRecognizing,        // 読取中: a recognition worker is reading it
  kRecognized,         // 読取済: values read, waiting for the reviewer
  kRecognitionFailed,  // 読取失敗: recognition could not run (e.g. a stored page is damaged)
  kReviewed,           // 確認済: every value confirmed by a reviewer
  kExported,           // 出力済: sent to the prefecture in a daily set (after 受理)
  // The secretariat's review (審査) and its decision (issue #12; lifecycle.cpp's table):
  kUnderReview,         // 審査中: checked against the list and the rules; a decision is pending
  kAwaitingCorrection,  // 補正待ち: a correction request (補正指示) went out; the reply is awaited
  kAccepted,            // 受理: accepted; exported in the next daily set; its values are frozen
  kRejected,            // 不受理: not accepted (final); its values are frozen
  kReferred,            // 県へ照会: referred to the prefecture (no correction, or the applicant disagrees)
};
std::string_view state_name(EnvelopeState state);      // "capturing", "captured", ... (stored)
std::string_view state_label_ja(EnvelopeState state);  // "取込中", "受付済", ...
std::optional<EnvelopeState> parse_state(std::string_view name);

struct EnvelopeSummary {
  std::int64_t id = 0;
  std::string receipt_no;     // 受付番号, e.g. "M20250604-0001"
  std::string received_date;
  std::string clerk;
  int enclosures = 0;
  int pages = 0;
  int fields_total = 0;
  int fields_confirmed = 0;
  std::string status;         // state_name(state)
  EnvelopeState state = EnvelopeState::kCaptured;
  std::string status_ja;      // state_label_ja(state)
  // While recognising: pages read so far of `pages` (0 otherwise).
  int pages_recognized = 0;
};

// The background recognition (Station::recognition_status): what is queued and what is running.
struct RecognitionTask {
  std::int64_t envelope_id = 0;
  std::string receipt_no;
  EnvelopeState state = EnvelopeState::kCaptured;  // kCaptured (queued) or kRecognizing
  int pages = 0;
  int pages_recognized = 0;
};
struct RecognitionStatus {
  int workers = 0;                       // OCR engines in the pool (ocr.workers)
  std::vector<RecognitionTask> tasks;    // running first, then queued in order
  std::int64_t envelopes_recognized = 0; // since the station opened
};

struct PageInfo {
  std::int64_t id = 0;
  std::int64_t envelope_id = 0;
  int seq = 0;                 // 1-based, in scan order
  std::string kind;            // "application", "pledge", "officers", "passbook", "envelope", "unknown"
  int width = 0, height = 0, dpi = 0;
  bool dpi_from_file = true;   // false: the default dpi was assumed (flagged)
  std::string source_name;     // the file name it was imported from (no personal data)
  std::vector<std::string> flags;  // e.g. "dpi_assumed", "blank"
  std::string color_mode;          // as scanned or imported: "color", "gray", "bw" ("" for pages stored before migration 4)
};

enum class FieldStatus { kSuggested, kConfirmed };

struct FieldInfo {
  std::int64_t id = 0;
  std::int64_t envelope_id = 0;
  std::string key;             // spec key, e.g. "facility.jigyosho_no"
  std::string label_ja;        // printed label, e.g. "介護保険事業所番号"
  std::string value;           // what the station read (suggestion)
  double confidence = 0.0;     // 0..1
  bool needs_attention = true; // confidence below the threshold, or unreadable
  std::int64_t page_id = 0;
  PixelBox box;                // where on the page the value came from
  FieldStatus status = FieldStatus::kSuggested;
  std::string confirmed_value;
  std::string confirmed_by;
  std::string confirmed_at;    // ISO timestamp
  // The form the prefecture's lists will carry (half-width katakana, era date, 「－」 address,
  // corporate name written out), when it differs from the value or could not be made certain;
  // empty otherwise. export_note_ja: why it is not certain (empty when it is).
  std::string export_value;
  std::string export_note_ja;
  // The recogniser's own characters, as a JSON array of {"c", "confidence", "alternatives"}
  // (reading JSON's "chars"); empty when it kept none (a check box, a value it could not split).
  std::string reader_chars;
  // Blind double entry (station/double_entry.h): "" when the field's type is not under double
  // entry; else its entry state's name ("awaiting_first", "awaiting_second", "disputed",
  // "decided"). Such a field is confirmed only through the entries, never by confirm_field.
  std::string entry_state;
};

struct ImportReport {
  std::int64_t envelope_id = 0;
  std::string receipt_no;
  int pages = 0;
  std::vector<std::string> problems_ja;  // per-file problems (the rest of the batch continued)
};

struct ExportReport {
  std::string file_no;                // ファイルナンバー of the set (M-YYYYMMDD-NN)
  std::string date;                   // the business day the set is for (YYYY-MM-DD)
  std::string bundle_path;            // the set written: one CMS EnvelopedData file (.p7m)
  std::string sha256;                 // of that file, hex
  std::string recipient_fingerprint;  // SHA-256 of the prefecture's certificate it is encrypted to
  std::string station_fingerprint;    // SHA-256 of the station's certificate that signed it
  int applications = 0;
  std::vector<std::string> files;     // names inside the set's ZIP
};

// A certificate the export uses (the prefecture's, or the station's own signing one).
struct ExportCertificate {
  std::string subject;      // as OpenSSL prints it (one line)
  std::string not_after;    // expiry, as OpenSSL prints it
  std::string fingerprint;  // SHA-256, upper-case hex pairs separated by ':'
  std::string pem;          // the certificate itself (public)
};

// ---- capture (issue 3)

// Flags a page may carry (PageInfo::flags; the 受付簿 shows them): "dpi_assumed" (the file had no
// resolution), "blank" (looks blank: the clerk confirms, it is never dropped), "orientation_unsure",
// "skew_large" (more than the cleanup corrects), "separator" (a separator sheet, kept as evidence),
// "cleanup_failed" (the original is kept and used as it is).

// Progress of a scan or an import: pages so far and the rate.
struct CaptureProgress {
  int pages = 0;
  int envelopes = 0;
  double pages_per_minute = 0.0;
  double seconds = 0.0;
};

// A scanner as the station lists it (no personal data).
struct ScannerDevice {
  std::string name;   // backend:device, e.g. "fujitsu:fi-8170:1234"
  std::string vendor;
  std::string model;
  std::string profile;  // the matching device profile's id, empty if none
};

// What the clerk asks of one scan run.
struct ScanRequest {
  std::string device;       // empty: the configured device, else the first found
  std::string source;       // "adf", "adf-duplex", "flatbed"; empty: the profile's default
  std::string mode;         // "gray", "color", "lineart"; empty: the profile's default
  int dpi = 0;              // 0: the profile's default
  bool separate = false;    // a stack of envelopes with separator sheets between them
  Intake intake;            // received date and enclosures (enclosures apply to a single envelope)
  // Continue an interrupted run (jam, cover open, ...) into this envelope: its 受付番号
  // ("M20250605-0001") or id. Its pages are kept; the new ones are numbered after its last page.
  std::string continue_envelope;
  // With `separate`: the clerk's count of enclosures per envelope, in stack order. An envelope
  // past the end of this list records the sheets counted between its separators (the envelope's
  // own sheet not included; a duplex sheet is two pages).
  std::vector<int> stack_enclosures;
};

struct ScanReport {
  std::vector<ImportReport> envelopes;  // one per envelope, in scan order
  int pages = 0;                        // every page kept (separator sheets included)
  std::string device;
  bool interrupted = false;             // the scanner stopped with a problem (pages so far are kept)
  std::string problem_ja;               // what went wrong and what to do, for the clerk
};

// A scan or an import run in the background for the web UI: one at a time per station.
struct CaptureJobRequest {
  bool import = false;        // false: scan with `scan`; true: import the folder `folder`
  ScanRequest scan;           // the scan settings and the intake (an import uses scan.intake only)
  std::string folder;         // import: a folder of page images on this machine
};

// Where a capture job is. No personal data: counts, 受付番号 and messages only.
struct CaptureJob {
  std::int64_t id = 0;
  std::string kind;                     // "scan" or "import"
  std::string state;                    // "running", "done", "interrupted" (pages kept), "failed"
  std::string started_by;               // user name
  CaptureProgress progress;             // pages so far and pages per minute
  std::vector<ImportReport> envelopes;  // at the end: each envelope written (id, 受付番号, pages, problems)
  int blank_pages = 0;                  // at the end: pages flagged blank, awaiting the clerk's look
  int flagged_pages = 0;                // at the end: pages with any flag
  std::string problem_ja;               // interrupted/failed: what happened and what to do
  std::string error;                    // failed: the error name (error_name)
  std::int64_t continue_envelope_id = 0;  // interrupted scan: 続けてスキャン continues into this envelope
  CaptureJobRequest request;            // what was asked (to continue with the same settings)
};

// One line of the receipt log (受付簿): no applicant data, only the intake facts.
struct IntakeLogRow {
  std::int64_t envelope_id = 0;
  std::string receipt_no;      // 受付番号
  std::string received_date;   // 受付日
  std::string received_at;     // when it was registered (ISO timestamp)
  std::string clerk;           // 受付担当 (user name)
  int enclosures = 0;          // 同封書類数, as counted by the clerk
  int pages = 0;               // pages captured
  int blank_pages = 0;         // flagged blank, awaiting the clerk's look
  int flagged_pages = 0;       // pages with any flag
  std::string source;          // "import" or "scan"
  std::string status;
};

// ---- the review's workflow and correction requests (issue #12)

// One change of an envelope's state (envelope_transitions): who, when, why.
struct TransitionRecord {
  std::int64_t id = 0;
  std::int64_t envelope_id = 0;
  EnvelopeState from = EnvelopeState::kCaptured;
  EnvelopeState to = EnvelopeState::kCaptured;
  std::string event;       // lifecycle::event_name, e.g. "accepted" ("" when the table has no such step)
  std::string event_ja;    // 「受理」, 「補正指示」, ...
  std::string at;          // ISO, JST
  std::string username;    // "" : the station itself (capture, recognition)
  std::string reason;
  std::string override_reason;  // accepted despite a blocking finding: why
  int findings = 0;              // the findings the decision was taken on (decision_findings)
  int blocking_findings = 0;     // of which severity "block"
};

// The decision a reviewer records (station decide).
// kResume: the prefecture answered a referral; the review goes on (県の回答を受けて審査再開).
enum class DecisionKind { kAccept, kRequestCorrection, kRefer, kReject, kResume };
// "accept", "request_correction", "refer", "reject", "resume"
std::string_view decision_name(DecisionKind kind);
std::optional<DecisionKind> parse_decision(std::string_view name);

// One defect a correction letter lists, in plain words (the reviewer's choice or text; the checks'
// findings can supply code, field and text).
struct CorrectionDefect {
  std::string code;       // e.g. "MISSING_SEAL", "AMOUNT_MISMATCH"; "" for free text
  std::string field_key;  // e.g. "amount"; "" when not about one field
  std::string text;       // what the letter says
};

struct Decision {
  DecisionKind kind = DecisionKind::kAccept;
  std::string reason;                     // required for refer and reject, and with an override
  bool override_findings = false;         // accept despite blocking findings (supervisor)
  std::vector<CorrectionDefect> defects;  // request_correction: at least one
  std::string note;                       // request_correction: extra text for the letter
};

// What a decision did: the envelope's new state and, for a correction request, its round.
struct DecisionResult {
  std::int64_t envelope_id = 0;
  EnvelopeState state = EnvelopeState::kUnderReview;
  std::string state_ja;
  int round = 0;             // request_correction: the round's number
  std::string deadline;      // request_correction: YYYY-MM-DD
  int blocking_findings = 0; // accept: how many were overridden
};

// One round of 補正: the request, its deadline and the reply linked to it.
struct CorrectionRound {
  std::int64_t id = 0;
  std::int64_t envelope_id = 0;
  std::string receipt_no;          // the original application's 受付番号
  int round = 0;                   // 1, 2, ...
  std::string request_date;        // 補正指示日
  std::string deadline;            // 提出期限 (business days after the request)
  std::string requested_by;
  std::string note;
  std::vector<CorrectionDefect> defects;
  std::int64_t reply_envelope_id = 0;  // 0 while open
  std::string reply_receipt_no;
  std::string received_date;       // the reply's 受付日; "" while open
  std::string received_by;
  bool overdue = false;            // open and the deadline has passed (against the station's today)
  bool open() const { return received_date.empty(); }
};

// A change the applicant agreed to (reported to the prefecture).
struct AgreedChange {
  std::int64_t id = 0;
  std::int64_t envelope_id = 0;
  std::string receipt_no;  // the application's 受付番号 (filled when listed)
  int round = 0;
  std::string field_key;
  std::string label_ja;
  std::string old_value, new_value;
  std::string agreed_on;  // YYYY-MM-DD: the date the applicant agreed
  std::string how;        // e.g. 補正書類, 電話
  std::string recorded_by, recorded_at;
};

}  // namespace station
