#pragma once
// The fields table: values recognition read (upserted, never over a confirmed one), the reviewer's
// confirmation, and the confirmed values the export takes. Callers hold the store's mutex.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "station/error.h"
#include "station/model.h"
#include "storage/database.h"

namespace station::store {

// A value recognition read.
struct ReadValue {
  std::string key, value, type;
  double confidence = 0;
  std::int64_t page_id = 0;
  int x = 0, y = 0, w = 0, h = 0;
  bool boolean = false;
  std::string chars;  // the reader's characters as JSON (FieldInfo::reader_chars), "" when none
};
// Inserts it, or updates the envelope's field of that key unless a reviewer confirmed it.
Status upsert_read(storage::Database& db, std::int64_t envelope_id, const ReadValue& v);

// The field as stored; label_ja and needs_attention are left for the caller (they come from the
// forms and the configuration, not the store). kNotFound.
Result<FieldInfo> field(storage::Database& db, std::int64_t field_id);

// The envelope's field ids, in the order they were read.
Result<std::vector<std::int64_t>> field_ids(storage::Database& db, std::int64_t envelope_id);

// Confirms a field's value in one transaction, and moves its envelope by the lifecycle's
// kAllConfirmed once no field of it is left unconfirmed.
Status confirm(storage::Database& db, std::int64_t field_id, std::int64_t envelope_id, const std::string& value,
               std::int64_t confirmed_by, const std::string& confirmed_at);
// The same inside the caller's transaction (the double entry's deciding entry confirms the field
// with its own writes, store/entries.h): one confirm path, one set of statements.
Status confirm_within(storage::Database& db, std::int64_t field_id, std::int64_t envelope_id, const std::string& value,
                      std::int64_t confirmed_by, const std::string& confirmed_at);

// A field row as the stored reading (envelope_json) shows it.
struct StoredField {
  std::string key, value, type;
  double confidence = 0;
  std::optional<std::int64_t> page_id;
  int x = 0, y = 0, w = 0, h = 0;
  bool boolean = false;
  bool confirmed = false;
  std::string confirmed_value, confirmed_by, confirmed_at;  // "" unless confirmed
};
Result<std::vector<StoredField>> stored_fields(storage::Database& db, std::int64_t envelope_id);

// The envelope's confirmed values by key. A read that fails part way ends there (as the export
// has always read them).
Result<std::map<std::string, std::string>> confirmed_values(storage::Database& db, std::int64_t envelope_id);

// Intake page operations (issue #17): how many values a reviewer has confirmed, and dropping the
// values as read (not the confirmed ones) before the envelope is read again.
Result<int> confirmed_count(storage::Database& db, std::int64_t envelope_id);
Status drop_suggestions(storage::Database& db, std::int64_t envelope_id);

}  // namespace station::store
