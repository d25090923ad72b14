// The exports tables in SQL (exports.h).
#include "station/store/exports.h"

#include <cstdio>

#include "station/clock.h"
#include "station/store/envelopes.h"
#include "station/store/error.h"

namespace station::store {

Result<std::string> next_file_no(storage::Database& db, const std::string& date) {
  const std::string prefix = "M-" + compact_date(date) + "-";
  // The numbers already used that day (a set's number; older rows used the same form).
  auto cnt = db.prepare("SELECT count(*) FROM exports WHERE file_no LIKE ? || '%'");
  if (!cnt) return unexpected_storage(cnt.error());
  cnt->bind(1, prefix);
  if (auto r = cnt->step(); !r) return unexpected_storage(r.error());
  char no[48];
  std::snprintf(no, sizeof no, "%s%02lld", prefix.c_str(), static_cast<long long>(cnt->column_int(0) + 1));
  return std::string(no);
}

Status record_set(storage::Database& db, const ExportedSet& set) {
  std::string conflict;
  auto s = db.transaction([&]() -> storage::Status {
    auto ins = db.prepare(
        "INSERT INTO exports(file_no, created_by, created_at, applications, set_date, set_name, set_sha256, "
        "recipient_fingerprint, station_fingerprint) VALUES (?,?,?,?,?,?,?,?,?)");
    if (!ins) return std::unexpected(ins.error());
    ins->bind(1, set.file_no).bind(2, set.created_by).bind(3, set.created_at)
        .bind(4, static_cast<std::int64_t>(set.envelope_ids.size())).bind(5, set.set_date).bind(6, set.set_name)
        .bind(7, set.set_sha256).bind(8, set.recipient_fingerprint).bind(9, set.station_fingerprint);
    if (auto r = ins->run(); !r) return r;
    const auto export_id = db.last_insert_id();
    for (const auto envelope_id : set.envelope_ids) {
      auto item = db.prepare("INSERT INTO export_items(export_id, envelope_id) VALUES (?, ?)");
      if (!item) return std::unexpected(item.error());
      item->bind(1, export_id).bind(2, envelope_id);
      if (auto r = item->run(); !r) {
        conflict = "envelope " + std::to_string(envelope_id) + " already went out in another set";
        return r;
      }
      auto up = transition(db, envelope_id, lifecycle::Event::kExported);
      if (!up || !*up) {
        conflict = "envelope " + std::to_string(envelope_id) + " is no longer accepted";
        return storage::fail(storage::Code::kInvalid, conflict);
      }
    }
    std::int64_t seq = 0;
    for (const auto& f : set.files) {
      auto file = db.prepare(
          "INSERT INTO export_files(export_id, seq, name, file_no, sha256, envelope_id) VALUES (?,?,?,?,?,?)");
      if (!file) return std::unexpected(file.error());
      file->bind(1, export_id).bind(2, ++seq).bind(3, f.name).bind(4, f.file_no).bind(5, f.sha256).bind(6, f.envelope_id);
      if (auto r = file->run(); !r) return r;
    }
    return {};
  });
  if (!s) {
    if (!conflict.empty()) return fail(ErrorCode::kConflict, conflict);
    return unexpected_storage(s.error());
  }
  return {};
}

Result<std::optional<ExportedSet>> exported_set(storage::Database& db, const std::string& file_no) {
  auto q = db.prepare(
      "SELECT id, file_no, set_date, set_name, set_sha256, recipient_fingerprint, station_fingerprint, created_by, "
      "created_at FROM exports WHERE file_no = ?");
  if (!q) return unexpected_storage(q.error());
  q->bind(1, file_no);
  auto row = q->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return std::optional<ExportedSet>{};
  ExportedSet set;
  const auto id = q->column_int(0);
  set.file_no = q->column_text(1);
  set.set_date = q->column_text(2);
  set.set_name = q->column_text(3);
  set.set_sha256 = q->column_text(4);
  set.recipient_fingerprint = q->column_text(5);
  set.station_fingerprint = q->column_text(6);
  set.created_by = q->column_int(7);
  set.created_at = q->column_text(8);
  auto items = db.prepare("SELECT envelope_id FROM export_items WHERE export_id = ? ORDER BY envelope_id");
  if (!items) return unexpected_storage(items.error());
  items->bind(1, id);
  for (;;) {
    auto r = items->step();
    if (!r) return unexpected_storage(r.error());
    if (!*r) break;
    set.envelope_ids.push_back(items->column_int(0));
  }
  auto files = db.prepare(
      "SELECT f.name, f.file_no, f.sha256, f.envelope_id, e.receipt_no FROM export_files f "
      "LEFT JOIN envelopes e ON e.id = f.envelope_id WHERE f.export_id = ? ORDER BY f.seq");
  if (!files) return unexpected_storage(files.error());
  files->bind(1, id);
  for (;;) {
    auto r = files->step();
    if (!r) return unexpected_storage(r.error());
    if (!*r) break;
    ExportedFile f;
    f.name = files->column_text(0);
    f.file_no = files->column_text(1);
    f.sha256 = files->column_text(2);
    if (!files->is_null(3)) f.envelope_id = files->column_int(3);
    f.receipt_no = files->column_text(4);
    set.files.push_back(std::move(f));
  }
  return std::optional<ExportedSet>(std::move(set));
}

namespace {
const char* role_text(CertificateRole role) { return role == CertificateRole::kRecipient ? "recipient" : "station"; }
}  // namespace

Result<std::optional<CertificateRow>> export_certificate(storage::Database& db, CertificateRole role) {
  auto q = db.prepare("SELECT cert_pem, coalesce(key_pem, ''), fingerprint FROM export_certificates WHERE role = ?");
  if (!q) return unexpected_storage(q.error());
  q->bind(1, role_text(role));
  auto row = q->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return std::optional<CertificateRow>{};
  return std::optional<CertificateRow>(CertificateRow{q->column_text(0), q->column_text(1), q->column_text(2)});
}

Status set_export_certificate(storage::Database& db, CertificateRole role, const CertificateRow& row,
                              std::optional<std::int64_t> set_by, const std::string& set_at) {
  auto q = db.prepare(
      "INSERT INTO export_certificates(role, cert_pem, key_pem, fingerprint, set_by, set_at) VALUES (?,?,?,?,?,?) "
      "ON CONFLICT(role) DO UPDATE SET cert_pem = excluded.cert_pem, key_pem = excluded.key_pem, "
      "fingerprint = excluded.fingerprint, set_by = excluded.set_by, set_at = excluded.set_at");
  if (!q) return unexpected_storage(q.error());
  std::optional<std::string> key;
  if (!row.key_pem.empty()) key = row.key_pem;
  q->bind(1, role_text(role)).bind(2, row.cert_pem).bind(3, key).bind(4, row.fingerprint).bind(5, set_by).bind(6, set_at);
  if (auto r = q->run(); !r) return unexpected_storage(r.error());
  return {};
}

}  // namespace station::store
