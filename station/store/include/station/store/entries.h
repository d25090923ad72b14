#pragma once
// Blind double entry's tables (migration 15; station/double_entry.h): each person's entry of a
// field and the field's entry state. Callers hold the store's mutex.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "station/double_entry.h"
#include "station/error.h"
#include "station/model.h"
#include "storage/database.h"

namespace station::store {

// A field as the double entry works on it: where it is, its type, whether it is confirmed, its
// entry state and who has keyed it so far. `read_value` is the value as read (for the audit's
// confirm/correct only: never shown to a keyer).
struct EntryField {
  std::int64_t field_id = 0;
  std::int64_t envelope_id = 0;
  std::string receipt_no;
  std::string key, type, read_value;
  bool confirmed = false;
  std::int64_t page_id = 0;
  PixelBox box;
  double_entry::State state = double_entry::State::kAwaitingFirst;
  std::vector<std::int64_t> keyers;  // user ids of rounds 1 and 2 so far
};

// One field; kNotFound.
Result<EntryField> entry_field(storage::Database& db, std::int64_t field_id);
// The unconfirmed fields of these types of the envelopes whose values are being verified
// (recognized: 読取済), oldest envelope first, in the order they were read.
Result<std::vector<EntryField>> open_entry_fields(storage::Database& db, const std::vector<std::string>& types);
// The entry states of an envelope's fields that have one (field id → state).
Result<std::vector<std::pair<std::int64_t, double_entry::State>>> entry_states(storage::Database& db,
                                                                               std::int64_t envelope_id);
// The field's entries, round order, with the keyer's name.
Result<std::vector<double_entry::EntryRecord>> entries(storage::Database& db, std::int64_t field_id);

// One entry and the state it moves the field to, in one transaction: the entry row, then the
// state changed by a guarded write (the row inserted when `from` is kAwaitingFirst, else updated
// only while it is still `from`), so of two people keying the same round at once one gets
// kConflict. With `confirm_value`, the field is confirmed in the same transaction through
// store::confirm_within (the lifecycle's kAllConfirmed included).
struct EntryWrite {
  std::int64_t field_id = 0;
  std::int64_t envelope_id = 0;
  std::int64_t user_id = 0;
  double_entry::Round round = double_entry::Round::kFirst;
  std::string value;
  std::string at;
  double_entry::State from = double_entry::State::kAwaitingFirst;
  double_entry::State to = double_entry::State::kAwaitingSecond;
  std::optional<std::string> confirm_value;
};
Status record_entry(storage::Database& db, const EntryWrite& w);

}  // namespace station::store
