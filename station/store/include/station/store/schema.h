#pragma once
// The station database's schema, as versioned migrations (applied in order, each once).
// Add a migration to change the schema; never edit one that has shipped.
#include <array>

#include "storage/database.h"

namespace station::store {

inline constexpr std::array kMigrations = {
    storage::Migration{1, "initial", R"SQL(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE facilities (
  facility_id TEXT PRIMARY KEY,
  city TEXT, service_type TEXT, jigyosho_no TEXT, name TEXT, postal_code TEXT, address TEXT,
  capacity INTEGER, corp_name TEXT, corp_postal_code TEXT, corp_address TEXT,
  rep_title TEXT, rep_name TEXT, amount INTEGER
);
CREATE INDEX facilities_jigyosho ON facilities(jigyosho_no);
CREATE TABLE envelopes (
  id INTEGER PRIMARY KEY,
  receipt_no TEXT NOT NULL UNIQUE,
  received_date TEXT NOT NULL,
  clerk_id INTEGER NOT NULL REFERENCES users(id),
  enclosures INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE pages (
  id INTEGER PRIMARY KEY,
  envelope_id INTEGER NOT NULL REFERENCES envelopes(id),
  seq INTEGER NOT NULL,
  blob_id TEXT NOT NULL,
  source_name TEXT NOT NULL,
  source_page INTEGER NOT NULL DEFAULT 0,
  media_type TEXT NOT NULL,
  width INTEGER NOT NULL, height INTEGER NOT NULL, dpi INTEGER NOT NULL,
  dpi_from_file INTEGER NOT NULL,
  rotation INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL DEFAULT 'unknown',
  flags TEXT NOT NULL DEFAULT '',
  UNIQUE (envelope_id, seq)
);
CREATE TABLE fields (
  id INTEGER PRIMARY KEY,
  envelope_id INTEGER NOT NULL REFERENCES envelopes(id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  confidence REAL NOT NULL,
  page_id INTEGER REFERENCES pages(id),
  x INTEGER, y INTEGER, w INTEGER, h INTEGER,
  status TEXT NOT NULL DEFAULT 'suggested',
  confirmed_value TEXT,
  confirmed_by INTEGER REFERENCES users(id),
  confirmed_at TEXT,
  UNIQUE (envelope_id, key)
);
CREATE TABLE exports (
  id INTEGER PRIMARY KEY,
  file_no TEXT NOT NULL UNIQUE,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  applications INTEGER NOT NULL
);
CREATE TABLE export_items (
  export_id INTEGER NOT NULL REFERENCES exports(id),
  envelope_id INTEGER NOT NULL REFERENCES envelopes(id),
  PRIMARY KEY (export_id, envelope_id)
);
-- Who did what, when; never the personal values themselves.
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  user_id INTEGER,
  action TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT ''
);
)SQL"},
    // The audit log becomes append-only and hash-chained (issue #5). Rows written by version 1 are
    // sealed into the chain by the station when it opens (SQL cannot compute BLAKE2b).
    storage::Migration{2, "audit hash chain, signing key", R"SQL(
ALTER TABLE audit ADD COLUMN envelope_id INTEGER;
ALTER TABLE audit ADD COLUMN prev_hash TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;
CREATE INDEX audit_user ON audit(user_id);
CREATE INDEX audit_at ON audit(at);
CREATE INDEX audit_envelope ON audit(envelope_id);
-- Every N entries: the chain's link at that entry, signed with the station's Ed25519 key.
CREATE TABLE audit_checkpoints (
  id INTEGER PRIMARY KEY,
  audit_id INTEGER NOT NULL UNIQUE,
  hash TEXT NOT NULL,
  at TEXT NOT NULL,
  signature TEXT NOT NULL
);
-- Secrets the station keeps inside the encrypted database (the audit signing seed).
CREATE TABLE station_secrets (
  purpose TEXT PRIMARY KEY,
  secret BLOB NOT NULL,
  public_key TEXT NOT NULL,
  created_at TEXT NOT NULL
);
-- Append-only: sealed entries cannot be changed and no entry can be deleted through SQL.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN OLD.hash IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
)SQL"},
    // Capture (issue 3): the cleaned page beside the original, what cleanup measured, the
    // envelope's postmark page and how it came in; a per-day index for the receipt log.
    storage::Migration{3, "capture: cleanup and intake", R"SQL(
ALTER TABLE pages ADD COLUMN clean_blob_id TEXT;
ALTER TABLE pages ADD COLUMN skew REAL NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN orientation_confidence REAL NOT NULL DEFAULT 1;
ALTER TABLE pages ADD COLUMN blank INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN blank_confirmed_by INTEGER REFERENCES users(id);
ALTER TABLE envelopes ADD COLUMN postmark_page_id INTEGER REFERENCES pages(id);
ALTER TABLE envelopes ADD COLUMN source TEXT NOT NULL DEFAULT 'import';
CREATE INDEX envelopes_received ON envelopes(received_date);
)SQL"},
    // One pipeline (issue 11): a page keeps its colour mode and the turns cleanup applied, and the
    // registration score recognition found; a field keeps its type and whether it is a yes/no
    // value, so the stored reading is the same document as a store-less one. Envelope states
    // follow the lifecycle table (lifecycle.cpp); the recognition queue is a query on them.
    storage::Migration{4, "one pipeline: page colour mode, cleanup turns, registration; field types", R"SQL(
ALTER TABLE pages ADD COLUMN color_mode TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN clean_turns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN registration REAL NOT NULL DEFAULT 0;
ALTER TABLE fields ADD COLUMN type TEXT NOT NULL DEFAULT '';
ALTER TABLE fields ADD COLUMN boolean INTEGER NOT NULL DEFAULT 0;
CREATE INDEX envelopes_status ON envelopes(status);
)SQL"},
    // Checks (issue 12): every load of the facility list is a version; the findings name the
    // version they were computed against. The facilities table holds the current version's rows.
    storage::Migration{5, "checks: facility list versions", R"SQL(
CREATE TABLE facility_lists (
  version INTEGER PRIMARY KEY,
  loaded_at TEXT NOT NULL,
  loaded_by INTEGER NOT NULL,
  rows INTEGER NOT NULL
);
ALTER TABLE facilities ADD COLUMN list_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX facilities_name ON facilities(name);
)SQL"},
    // The review's workflow and correction requests (issue #12). Self-contained: it needs nothing
    // of migration 5 (the facility list's versions, written beside it), so both apply in order.
    // Every change of envelopes.status leaves a row in envelope_transitions (the trigger: no path
    // can skip it); the review's own transitions then add who, when and why (store/workflow.h).
    storage::Migration{6, "review workflow: transitions, correction rounds, agreed changes", R"SQL(
CREATE TABLE envelope_transitions (
  id INTEGER PRIMARY KEY,
  envelope_id INTEGER NOT NULL REFERENCES envelopes(id) ON DELETE CASCADE,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  at TEXT NOT NULL,
  user_id INTEGER REFERENCES users(id),       -- NULL: the station itself (capture, recognition)
  reason TEXT NOT NULL DEFAULT '',
  override_reason TEXT NOT NULL DEFAULT ''    -- accepted despite a blocking finding: why
);
CREATE INDEX envelope_transitions_envelope ON envelope_transitions(envelope_id);
CREATE TRIGGER envelopes_status_history AFTER UPDATE OF status ON envelopes
WHEN OLD.status <> NEW.status
BEGIN
  INSERT INTO envelope_transitions(envelope_id, from_state, to_state, at)
  VALUES (NEW.id, OLD.status, NEW.status, strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
-- 補正: one row per correction request (round 1, 2, ...); the reply is another envelope, received
-- like any mail, linked here.
CREATE TABLE correction_rounds (
  id INTEGER PRIMARY KEY,
  envelope_id INTEGER NOT NULL REFERENCES envelopes(id),
  round INTEGER NOT NULL,
  request_date TEXT NOT NULL,                 -- 補正指示日, YYYY-MM-DD
  deadline TEXT NOT NULL,                     -- YYYY-MM-DD, in business days from request_date
  requested_by INTEGER NOT NULL REFERENCES users(id),
  requested_at TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  reply_envelope_id INTEGER REFERENCES envelopes(id),
  received_date TEXT,                         -- the reply's 受付日; NULL while open
  received_by INTEGER REFERENCES users(id),
  UNIQUE (envelope_id, round)
);
CREATE INDEX correction_rounds_reply ON correction_rounds(reply_envelope_id);
-- The defects a round's letter lists, in plain words, as the reviewer chose or wrote them.
CREATE TABLE correction_defects (
  round_id INTEGER NOT NULL REFERENCES correction_rounds(id),
  seq INTEGER NOT NULL,
  code TEXT NOT NULL DEFAULT '',              -- e.g. MISSING_SEAL, AMOUNT_MISMATCH; '' for free text
  field_key TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL,
  PRIMARY KEY (round_id, seq)
);
-- What the applicant agreed to change (the fact and date of the agreement), for the prefecture.
CREATE TABLE agreed_changes (
  id INTEGER PRIMARY KEY,
  envelope_id INTEGER NOT NULL REFERENCES envelopes(id),
  round INTEGER NOT NULL DEFAULT 0,           -- the correction round it answers (0: none)
  field_key TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  agreed_on TEXT NOT NULL,                    -- YYYY-MM-DD
  how TEXT NOT NULL DEFAULT '',               -- e.g. 補正書類, 電話
  recorded_by INTEGER NOT NULL REFERENCES users(id),
  recorded_at TEXT NOT NULL
);
CREATE INDEX agreed_changes_envelope ON agreed_changes(envelope_id);
)SQL"},
    // Outputs (issue 14): the daily set as one CMS file. Each set records its business day, the
    // file written and its SHA-256, the certificates used; each data file in it has its own
    // ファイルナンバー and digest. An envelope goes out in one set only. The prefecture's certificate
    // and the station's signing certificate and key live here (the database is encrypted), and
    // the Zengin code table with its versions.
    storage::Migration{7, "outputs: the daily set, its files, the export certificates", R"SQL(
ALTER TABLE exports ADD COLUMN set_date TEXT NOT NULL DEFAULT '';
ALTER TABLE exports ADD COLUMN set_name TEXT NOT NULL DEFAULT '';
ALTER TABLE exports ADD COLUMN set_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE exports ADD COLUMN recipient_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE exports ADD COLUMN station_fingerprint TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX export_items_once ON export_items(envelope_id);
CREATE TABLE export_files (
  export_id INTEGER NOT NULL REFERENCES exports(id),
  seq INTEGER NOT NULL,
  name TEXT NOT NULL,
  file_no TEXT NOT NULL UNIQUE,
  sha256 TEXT NOT NULL,
  envelope_id INTEGER REFERENCES envelopes(id),   -- NULL: a file of the whole set (a list, the manifest)
  PRIMARY KEY (export_id, seq)
);
CREATE TABLE export_certificates (
  role TEXT PRIMARY KEY CHECK (role IN ('recipient', 'station')),
  cert_pem TEXT NOT NULL,
  key_pem TEXT,                                   -- the station's private key; NULL for the recipient
  fingerprint TEXT NOT NULL,
  set_by INTEGER REFERENCES users(id),
  set_at TEXT NOT NULL
);
-- The Zengin bank and branch codes (npm zengin-code, installed by install-deps.sh), replaced whole
-- on each load; every load is a version, and list B names the version it used.
CREATE TABLE zengin_banks (
  code TEXT PRIMARY KEY,          -- 4 digits
  name TEXT NOT NULL,             -- as the table writes it (銀行 dropped, 信用金庫 as 信金, ...)
  kana TEXT NOT NULL
);
CREATE TABLE zengin_branches (
  bank_code TEXT NOT NULL,
  code TEXT NOT NULL,             -- 3 digits
  name TEXT NOT NULL,
  kana TEXT NOT NULL,
  PRIMARY KEY (bank_code, code)
);
CREATE TABLE zengin_versions (
  id INTEGER PRIMARY KEY,
  version TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  banks INTEGER NOT NULL,
  branches INTEGER NOT NULL,
  loaded_at TEXT NOT NULL,
  loaded_by INTEGER REFERENCES users(id)
);
)SQL"},
    // Sync with the main system (issue #15, docs/sync.md). Every change the main system must learn
    // of is written to sync_outbox by a trigger, in the same transaction as the change, so no code
    // path can forget it; the sync worker delivers it in seq order with the idempotency key
    // "<store_id>:<seq>" and marks it delivered once the server has committed it. sync_state holds
    // the store's random id, the downstream cursor and the last attempt's outcome.
    storage::Migration{8, "sync: outbox and cursor", R"SQL(
CREATE TABLE sync_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,     -- never reused, so a key names one change for ever
  kind TEXT NOT NULL,                        -- envelope, transition, field, correction_round, ...
  entity TEXT NOT NULL,                      -- the changed row, e.g. '12' or '12/facility.name'
  payload TEXT NOT NULL,                     -- JSON, the row as the main system stores it
  created_at TEXT NOT NULL,
  delivered_at TEXT                          -- NULL: pending
);
CREATE INDEX sync_outbox_pending ON sync_outbox(seq) WHERE delivered_at IS NULL;
CREATE TABLE sync_state (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO sync_state(name, value) VALUES ('store_id', lower(hex(randomblob(12)))), ('cursor', '0');
-- What the store already holds when it is upgraded goes out first, in the order it was made.
INSERT INTO sync_outbox(kind, entity, payload, created_at)
SELECT 'envelope', id, json_object('id', id, 'receipt_no', receipt_no, 'received_date', received_date,
       'registered_at', created_at, 'status', status, 'source', source, 'enclosures', enclosures), created_at
FROM envelopes ORDER BY id;
INSERT INTO sync_outbox(kind, entity, payload, created_at)
SELECT 'transition', id, json_object('id', id, 'envelope_id', envelope_id, 'from', from_state, 'to', to_state, 'at', at,
       'user_id', user_id, 'reason', reason, 'override_reason', override_reason), at
FROM envelope_transitions ORDER BY id;
INSERT INTO sync_outbox(kind, entity, payload, created_at)
SELECT 'field', envelope_id || '/' || key, json_object('envelope_id', envelope_id, 'key', key, 'value', confirmed_value,
       'read', value, 'confirmed_by', confirmed_by, 'confirmed_at', confirmed_at), coalesce(confirmed_at, '')
FROM fields WHERE status = 'confirmed' ORDER BY id;
INSERT INTO sync_outbox(kind, entity, payload, created_at)
SELECT 'correction_round', id, json_object('id', id, 'envelope_id', envelope_id, 'round', round, 'request_date', request_date,
       'deadline', deadline, 'requested_by', requested_by, 'requested_at', requested_at, 'note', note,
       'reply_envelope_id', reply_envelope_id, 'received_date', received_date, 'received_by', received_by), requested_at
FROM correction_rounds ORDER BY id;
INSERT INTO sync_outbox(kind, entity, payload, created_at)
SELECT 'correction_defect', round_id || '/' || seq, json_object('round_id', round_id, 'seq', seq, 'code', code,
       'field_key', field_key, 'text', text), ''
FROM correction_defects ORDER BY round_id, seq;
INSERT INTO sync_outbox(kind, entity, payload, created_at)
SELECT 'agreed_change', id, json_object('id', id, 'envelope_id', envelope_id, 'round', round, 'field_key', field_key,
       'old_value', old_value, 'new_value', new_value, 'agreed_on', agreed_on, 'how', how, 'recorded_by', recorded_by,
       'recorded_at', recorded_at), recorded_at
FROM agreed_changes ORDER BY id;
INSERT INTO sync_outbox(kind, entity, payload, created_at)
SELECT 'export', id, json_object('id', id, 'file_no', file_no, 'created_by', created_by, 'created_at', created_at,
       'applications', applications), created_at
FROM exports ORDER BY id;
INSERT INTO sync_outbox(kind, entity, payload, created_at)
SELECT 'export_item', export_id || '/' || envelope_id, json_object('export_id', export_id, 'envelope_id', envelope_id), ''
FROM export_items ORDER BY export_id, envelope_id;
CREATE TRIGGER sync_envelope_insert AFTER INSERT ON envelopes
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('envelope', NEW.id, json_object('id', NEW.id, 'receipt_no', NEW.receipt_no, 'received_date', NEW.received_date,
          'registered_at', NEW.created_at, 'status', NEW.status, 'source', NEW.source, 'enclosures', NEW.enclosures),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
CREATE TRIGGER sync_envelope_update AFTER UPDATE OF status, received_date, enclosures, receipt_no ON envelopes
WHEN OLD.status IS NOT NEW.status OR OLD.received_date IS NOT NEW.received_date
  OR OLD.enclosures IS NOT NEW.enclosures OR OLD.receipt_no IS NOT NEW.receipt_no
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('envelope', NEW.id, json_object('id', NEW.id, 'receipt_no', NEW.receipt_no, 'received_date', NEW.received_date,
          'registered_at', NEW.created_at, 'status', NEW.status, 'source', NEW.source, 'enclosures', NEW.enclosures),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
-- An envelope removed (a capture cancelled before anything was read): the main system drops it.
CREATE TRIGGER sync_envelope_delete AFTER DELETE ON envelopes
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('envelope_removed', OLD.id, json_object('id', OLD.id, 'receipt_no', OLD.receipt_no),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
CREATE TRIGGER sync_transition_insert AFTER INSERT ON envelope_transitions
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('transition', NEW.id, json_object('id', NEW.id, 'envelope_id', NEW.envelope_id, 'from', NEW.from_state,
          'to', NEW.to_state, 'at', NEW.at, 'user_id', NEW.user_id, 'reason', NEW.reason, 'override_reason', NEW.override_reason),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
CREATE TRIGGER sync_transition_update AFTER UPDATE ON envelope_transitions
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('transition', NEW.id, json_object('id', NEW.id, 'envelope_id', NEW.envelope_id, 'from', NEW.from_state,
          'to', NEW.to_state, 'at', NEW.at, 'user_id', NEW.user_id, 'reason', NEW.reason, 'override_reason', NEW.override_reason),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
-- Values reach the main system when confirmed (a reading is the station's own working state).
CREATE TRIGGER sync_field_insert AFTER INSERT ON fields WHEN NEW.status = 'confirmed'
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('field', NEW.envelope_id || '/' || NEW.key, json_object('envelope_id', NEW.envelope_id, 'key', NEW.key,
          'value', NEW.confirmed_value, 'read', NEW.value, 'confirmed_by', NEW.confirmed_by, 'confirmed_at', NEW.confirmed_at),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
CREATE TRIGGER sync_field_update AFTER UPDATE OF status, confirmed_value, confirmed_at ON fields
WHEN NEW.status = 'confirmed' AND (OLD.status IS NOT NEW.status OR OLD.confirmed_value IS NOT NEW.confirmed_value
  OR OLD.confirmed_at IS NOT NEW.confirmed_at)
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('field', NEW.envelope_id || '/' || NEW.key, json_object('envelope_id', NEW.envelope_id, 'key', NEW.key,
          'value', NEW.confirmed_value, 'read', NEW.value, 'confirmed_by', NEW.confirmed_by, 'confirmed_at', NEW.confirmed_at),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
CREATE TRIGGER sync_round_insert AFTER INSERT ON correction_rounds
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('correction_round', NEW.id, json_object('id', NEW.id, 'envelope_id', NEW.envelope_id, 'round', NEW.round,
          'request_date', NEW.request_date, 'deadline', NEW.deadline, 'requested_by', NEW.requested_by,
          'requested_at', NEW.requested_at, 'note', NEW.note, 'reply_envelope_id', NEW.reply_envelope_id,
          'received_date', NEW.received_date, 'received_by', NEW.received_by),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
CREATE TRIGGER sync_round_update AFTER UPDATE ON correction_rounds
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('correction_round', NEW.id, json_object('id', NEW.id, 'envelope_id', NEW.envelope_id, 'round', NEW.round,
          'request_date', NEW.request_date, 'deadline', NEW.deadline, 'requested_by', NEW.requested_by,
          'requested_at', NEW.requested_at, 'note', NEW.note, 'reply_envelope_id', NEW.reply_envelope_id,
          'received_date', NEW.received_date, 'received_by', NEW.received_by),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
CREATE TRIGGER sync_defect_insert AFTER INSERT ON correction_defects
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('correction_defect', NEW.round_id || '/' || NEW.seq, json_object('round_id', NEW.round_id, 'seq', NEW.seq,
          'code', NEW.code, 'field_key', NEW.field_key, 'text', NEW.text),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
CREATE TRIGGER sync_agreed_insert AFTER INSERT ON agreed_changes
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('agreed_change', NEW.id, json_object('id', NEW.id, 'envelope_id', NEW.envelope_id, 'round', NEW.round,
          'field_key', NEW.field_key, 'old_value', NEW.old_value, 'new_value', NEW.new_value, 'agreed_on', NEW.agreed_on,
          'how', NEW.how, 'recorded_by', NEW.recorded_by, 'recorded_at', NEW.recorded_at),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
CREATE TRIGGER sync_export_insert AFTER INSERT ON exports
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('export', NEW.id, json_object('id', NEW.id, 'file_no', NEW.file_no, 'created_by', NEW.created_by,
          'created_at', NEW.created_at, 'applications', NEW.applications),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
CREATE TRIGGER sync_export_item_insert AFTER INSERT ON export_items
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('export_item', NEW.export_id || '/' || NEW.envelope_id,
          json_object('export_id', NEW.export_id, 'envelope_id', NEW.envelope_id),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
)SQL"},
    storage::Migration{9, "accounts: disabling, one-time passwords, last login", R"SQL(
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;  -- set by an admin's reset
ALTER TABLE users ADD COLUMN last_login_at TEXT;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
)SQL"},
    // The audit signing seed leaves the database (issue #16): it lives in its own keyring slot
    // (station/security/audit_log.cpp, AuditLog::init, moves an existing seed there at the first
    // open — SQL cannot write the keyring — first into the keyring, then the row's secret
    // emptied). From this version on the row keeps only the public key: a non-empty secret is
    // refused, so no code path can put a seed back where a database copy would carry it.
    storage::Migration{10, "audit signing seed out of the database", R"SQL(
CREATE TRIGGER station_secrets_no_secret_insert BEFORE INSERT ON station_secrets
WHEN length(NEW.secret) > 0
BEGIN SELECT RAISE(ABORT, 'secrets live in the keyring, not in the database'); END;
CREATE TRIGGER station_secrets_no_secret_update BEFORE UPDATE OF secret ON station_secrets
WHEN length(NEW.secret) > 0
BEGIN SELECT RAISE(ABORT, 'secrets live in the keyring, not in the database'); END;
)SQL"},
    // Several stations (issue #15, docs/sync.md): the other stations' mailed applications pulled
    // from the main system's feed (schema v2, mailed.other_applications), kept apart from this
    // station's envelopes (no outbox trigger: they are never sent back), for the duplicate check.
    // jigyosho_key is the 介護保険事業所番号's digits. The feed's cursor is applications_cursor.
    storage::Migration{11, "sync: the other stations' mailed applications", R"SQL(
CREATE TABLE remote_applications (
  station TEXT NOT NULL,                     -- the other station's role on the main system
  envelope_id INTEGER NOT NULL,              -- that station's own id
  receipt_no TEXT NOT NULL,
  received_date TEXT NOT NULL,
  registered_at TEXT NOT NULL,
  jigyosho_no TEXT NOT NULL,
  jigyosho_key TEXT NOT NULL,
  pulled_at TEXT NOT NULL,
  PRIMARY KEY (station, envelope_id)
);
CREATE INDEX remote_applications_jigyosho ON remote_applications(jigyosho_key);
INSERT OR IGNORE INTO sync_state(name, value) VALUES ('applications_cursor', '0');
)SQL"},
    // The findings a reviewer's decision was taken on (accept, correction request, referral,
    // rejection), one row each, written with the decision's transition in its transaction (the
    // checks compute findings afresh on every check; these are the record of what the decider saw).
    // The outbox sends each as a 'finding' change (main system schema v3, mailed.findings).
    storage::Migration{12, "review: the findings each decision was taken on", R"SQL(
CREATE TABLE decision_findings (
  transition_id INTEGER NOT NULL REFERENCES envelope_transitions(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  envelope_id INTEGER NOT NULL REFERENCES envelopes(id) ON DELETE CASCADE,
  code TEXT NOT NULL,
  severity TEXT NOT NULL,                    -- block | warn
  field_key TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',          -- what the reviewer read (Japanese)
  related TEXT NOT NULL DEFAULT '',          -- a duplicate's earlier application
  PRIMARY KEY (transition_id, seq)
);
CREATE INDEX decision_findings_envelope ON decision_findings(envelope_id);
CREATE TRIGGER sync_decision_finding_insert AFTER INSERT ON decision_findings
BEGIN
  INSERT INTO sync_outbox(kind, entity, payload, created_at)
  VALUES ('finding', NEW.transition_id || '/' || NEW.seq, json_object('transition_id', NEW.transition_id, 'seq', NEW.seq,
          'envelope_id', NEW.envelope_id, 'code', NEW.code, 'severity', NEW.severity, 'field_key', NEW.field_key,
          'message', NEW.message, 'related', NEW.related),
          strftime('%Y-%m-%dT%H:%M:%S', 'now', '+9 hours') || '+09:00');
END;
)SQL"},
    // Intake page operations (issue #17): the clerk's quarter turns of a page, applied to the
    // cleaned copy before recognition reads it (recognition's own rotation comes on top).
    storage::Migration{13, "intake: the clerk's page turns", R"SQL(
ALTER TABLE pages ADD COLUMN turn INTEGER NOT NULL DEFAULT 0;
)SQL"},
    storage::Migration{14, "recognition: each value's characters as the reader saw them", R"SQL(
ALTER TABLE fields ADD COLUMN chars TEXT NOT NULL DEFAULT '';
)SQL"},
    // Blind double entry (issue #17; station/double_entry.h, store/entries.h): each person's
    // entry of a field (round 1, 2, or 3: the third person's decision) and the field's entry
    // state. No row in field_entry_states: nobody has keyed it yet. The values are personal data
    // like fields.confirmed_value (in the encrypted store, never in the audit log). Rows go with
    // their field (a page operation drops the values as read, and their entries).
    storage::Migration{15, "verification: blind double entry", R"SQL(
CREATE TABLE field_entries (
  id INTEGER PRIMARY KEY,
  field_id INTEGER NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
  round INTEGER NOT NULL CHECK (round IN (1, 2, 3)),
  value TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  at TEXT NOT NULL,
  UNIQUE (field_id, round)
);
CREATE TABLE field_entry_states (
  field_id INTEGER PRIMARY KEY REFERENCES fields(id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('awaiting_second', 'disputed', 'decided')),
  updated_at TEXT NOT NULL
);
CREATE INDEX field_entry_states_state ON field_entry_states(state);
)SQL"},
};

// The electronic-records store (electronic.db, its own key): applications the main system received
// electronically. Kept apart from the mailed store; the review's duplicate check reads it.
inline constexpr std::array kElectronicMigrations = {
    storage::Migration{1, "electronic applications", R"SQL(
CREATE TABLE electronic_applications (
  application_no TEXT PRIMARY KEY,
  facility_id TEXT NOT NULL,
  jigyosho_no TEXT NOT NULL DEFAULT '',
  facility_name TEXT NOT NULL DEFAULT '',
  received_at TEXT NOT NULL
);
CREATE INDEX electronic_facility ON electronic_applications(facility_id);
CREATE INDEX electronic_jigyosho ON electronic_applications(jigyosho_no);
CREATE TABLE electronic_loads (
  id INTEGER PRIMARY KEY,
  loaded_at TEXT NOT NULL,
  loaded_by INTEGER NOT NULL,
  rows INTEGER NOT NULL
);
)SQL"},
};

}  // namespace station::store
