#pragma once
// The envelopes table: registration (受付), the lifecycle's state changes (every change of
// envelopes.status is a guarded UPDATE driven by the transition table, lifecycle.h), the summary
// and the day's intake log. Callers hold the store's mutex.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "station/error.h"
#include "station/lifecycle.h"
#include "station/model.h"
#include "storage/database.h"

namespace station::store {

// Moves the envelope by `event` when its state allows it; false (nothing changed) when it does not.
Result<bool> transition(storage::Database& db, std::int64_t envelope_id, lifecycle::Event event);

// The envelope's state; kNotFound.
Result<EnvelopeState> state_of(storage::Database& db, std::int64_t envelope_id);

// Moves every envelope in a state `event` leaves from; returns their ids (at open: captures cut
// off by a crash, reads cut off by a closing station).
Result<std::vector<std::int64_t>> transition_all(storage::Database& db, lifecycle::Event event);

// Envelopes in one state, oldest first.
Result<std::vector<std::int64_t>> in_state(storage::Database& db, EnvelopeState state);

// Envelopes waiting for recognition (state captured), oldest first.
Result<std::vector<std::int64_t>> queued(storage::Database& db);

// Every envelope's id, oldest first.
Result<std::vector<std::int64_t>> all_ids(storage::Database& db);

// A registered envelope: its id and 受付番号.
struct Registered {
  std::int64_t id = 0;
  std::string receipt_no;
};
// Registers an envelope (受付) in state capturing with the day's next 受付番号 M<YYYYMMDD>-NNNN;
// one transaction, so two registrations never share a number.
Result<Registered> register_envelope(storage::Database& db, std::int64_t clerk_id, const std::string& received_date,
                                     int enclosures, const std::string& source, const std::string& created_at);

// Removes an envelope row (a registration none of whose pages could be read).
Status remove(storage::Database& db, std::int64_t envelope_id);

// Records the envelope's postmark page unless it has one.
Status set_postmark_page(storage::Database& db, std::int64_t envelope_id, std::int64_t page_id);

// Records an envelope's number of enclosures (同封書類数).
Status set_enclosures(storage::Database& db, std::int64_t envelope_id, int enclosures);

// Where an envelope a capture may continue into stands; status as stored (the caller judges it).
struct Continuation {
  std::int64_t id = 0;
  std::string receipt_no;
  std::string status;
  int last_seq = 0;       // the highest page seq so far
  int content_pages = 0;  // pages other than separator sheets
};
// By id or by 受付番号; nullopt when there is no such envelope.
Result<std::optional<Continuation>> continuation_by_id(storage::Database& db, std::int64_t envelope_id);
Result<std::optional<Continuation>> continuation_by_receipt_no(storage::Database& db, const std::string& receipt_no);

// The envelope as lists show it; pages_recognized is left 0 (only the recognition pool knows it).
// kNotFound.
Result<EnvelopeSummary> summary(storage::Database& db, std::int64_t envelope_id);

// The intake log (受付簿) of one received date, by 受付番号.
Result<std::vector<IntakeLogRow>> intake_log(storage::Database& db, const std::string& received_date);

}  // namespace station::store
