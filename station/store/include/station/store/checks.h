#pragma once
// What the review's checks need from the store beyond the fields and pages repositories: many
// values confirmed at once (station confirm --values), the page kinds a reviewer states, and the
// values every envelope holds for the duplicate check. Callers hold the store's mutex.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "station/error.h"
#include "storage/database.h"

namespace station::store {

// A value a reviewer confirms; a key the reading did not produce gets a row of its own (no page).
struct ValueToConfirm {
  std::string key, value, type;
  bool boolean = false;
};

// In one transaction: every value confirmed (inserted where the envelope has no field of that
// key), the pages' kinds set in scan order when `page_kinds` is given (separator sheets are not
// counted; kInvalidInput when the count differs), and the envelope moved by the lifecycle's
// kAllConfirmed once no field is left unconfirmed. Nothing is applied on any error.
Status confirm_values(storage::Database& db, std::int64_t envelope_id, const std::vector<ValueToConfirm>& values,
                      const std::optional<std::vector<std::string>>& page_kinds, std::int64_t confirmed_by,
                      const std::string& confirmed_at);

// An envelope with its current values (confirmed, else read) of the asked keys.
struct EnvelopeValues {
  std::int64_t id = 0;
  std::string receipt_no, received_date, created_at;
  std::map<std::string, std::string> values;
};
// Every envelope, in receipt order (received date, then 受付番号).
Result<std::vector<EnvelopeValues>> envelopes_with_values(storage::Database& db, const std::vector<std::string>& keys);

}  // namespace station::store
