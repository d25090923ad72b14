#pragma once
// The review's workflow in SQL (issue #12): the state changes with who, when and why
// (envelope_transitions; a trigger adds a row for every change of envelopes.status, so capture's
// and recognition's are there too), the correction rounds (補正) with their defects and the
// replies linked to them, and the changes the applicant agreed to. Callers hold the store's mutex.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "station/error.h"
#include "station/lifecycle.h"
#include "station/model.h"
#include "storage/database.h"

namespace station::store {

// Who moved an envelope, when and why.
// A finding a decision was taken on, as recorded with the decision's transition.
struct NotedFinding {
  std::string code, severity, field_key, message, related;
};

struct TransitionNote {
  std::int64_t user_id = 0;
  std::string at;  // ISO, JST (the station's clock)
  std::string reason;
  std::string override_reason;
  std::vector<NotedFinding> findings;  // written as decision_findings rows of the transition
};

// Moves the envelope by `event` when its state allows it (the lifecycle's guarded UPDATE) and
// writes who, when and why onto the history row it left; false (nothing changed) when the state
// does not allow it. One transaction.
Result<bool> transition_noted(storage::Database& db, std::int64_t envelope_id, lifecycle::Event event,
                              const TransitionNote& note);

// The envelope's state changes, oldest first.
Result<std::vector<TransitionRecord>> history(storage::Database& db, std::int64_t envelope_id);

// ---- correction rounds

struct NewRound {
  std::int64_t envelope_id = 0;
  std::string request_date, deadline, note;
  std::int64_t requested_by = 0;
  std::string requested_at;
  std::vector<CorrectionDefect> defects;
};
// Opens the envelope's next round (1, 2, ...) with its defects and moves it to awaiting_correction
// (its history row noted; the reason defaults to 「第N回補正（期限 …）」), in one transaction;
// returns the round number. kConflict when the state does not allow it (nothing written).
Result<int> request_correction(storage::Database& db, const NewRound& round, const TransitionNote& note);

// The envelope's rounds, oldest first (overdue left false: the caller knows today).
Result<std::vector<CorrectionRound>> rounds(storage::Database& db, std::int64_t envelope_id);

// Every open round (no reply linked yet), by deadline.
Result<std::vector<CorrectionRound>> open_rounds(storage::Database& db);

// Links the reply envelope to the envelope's open round (received by note.user_id) and moves the
// envelope back into review, noted, in one transaction; false (nothing written) when no round is open.
Result<bool> link_reply_noted(storage::Database& db, std::int64_t envelope_id, std::int64_t reply_envelope_id,
                              const std::string& received_date, const TransitionNote& note);

// The original application an envelope replies to (it is linked to one of its rounds), or nullopt.
Result<std::optional<std::int64_t>> reply_to(storage::Database& db, std::int64_t reply_envelope_id);

// ---- agreed changes

Result<std::int64_t> insert_agreed_change(storage::Database& db, const AgreedChange& change,
                                          std::int64_t recorded_by);
Result<std::vector<AgreedChange>> agreed_changes(storage::Database& db, std::int64_t envelope_id);
// Every envelope's agreed changes whose agreement date is in [from, to] ("" : open), by 受付番号,
// for the report to the prefecture.
Result<std::vector<AgreedChange>> agreed_changes_between(storage::Database& db, const std::string& from,
                                                         const std::string& to);

}  // namespace station::store
