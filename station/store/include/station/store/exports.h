#pragma once
// The exports tables: the daily sets (exports), which envelopes left in which set (export_items),
// the files of each set with their ファイルナンバー and SHA-256 (export_files), and the certificates
// the export uses (export_certificates: the prefecture's, the station's own signing pair).
// Callers hold the store's mutex.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "station/error.h"
#include "storage/database.h"

namespace station::store {

// The next ファイルナンバー of a business day: M-YYYYMMDD-NN, numbered per day (date: YYYY-MM-DD).
Result<std::string> next_file_no(storage::Database& db, const std::string& date);

// One data file of a set, as the manifest lists it.
struct ExportedFile {
  std::string name;
  std::string file_no;
  std::string sha256;                     // hex
  std::optional<std::int64_t> envelope_id;  // none: a file of the whole set
  std::string receipt_no;                 // the application's 受付番号 (not stored; the manifest's)
};

struct ExportedSet {
  std::string file_no, set_date, set_name, set_sha256;
  std::string recipient_fingerprint, station_fingerprint;
  std::int64_t created_by = 0;
  std::string created_at;
  std::vector<std::int64_t> envelope_ids;
  std::vector<ExportedFile> files;
};

// Records a set, its files and its envelopes, and moves each envelope to exported, in one
// transaction: either all of it is recorded or none. kConflict when an envelope is no longer
// accepted or already went out in another set.
Status record_set(storage::Database& db, const ExportedSet& set);

// The set recorded under a ファイルナンバー (nullopt: none), with its files and envelopes.
Result<std::optional<ExportedSet>> exported_set(storage::Database& db, const std::string& file_no);

// ---- the certificates

enum class CertificateRole { kRecipient, kStation };

struct CertificateRow {
  std::string cert_pem;
  std::string key_pem;  // the station's private key (PEM); empty for the recipient
  std::string fingerprint;
};

Result<std::optional<CertificateRow>> export_certificate(storage::Database& db, CertificateRole role);
// Sets (replaces) the certificate of a role. `set_by`: none for the station's own, made on first use.
Status set_export_certificate(storage::Database& db, CertificateRole role, const CertificateRow& row,
                              std::optional<std::int64_t> set_by, const std::string& set_at);

}  // namespace station::store
