#pragma once
// The store's envelope rows as the lifecycle sees them: every change of envelopes.status is a
// guarded UPDATE driven by the transition table (lifecycle.h). Callers hold the store's mutex.
#include <cstdint>
#include <optional>
#include <vector>

#include "station/lifecycle.h"
#include "station/error.h"
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

}  // namespace station::store
