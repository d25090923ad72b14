#pragma once
// The envelope lifecycle: the one table of which state may follow which, and why. Every change of
// envelopes.status goes through transition_sql() (a guarded UPDATE), so a state is never skipped
// or entered twice by two threads: the UPDATE matches only while the envelope is still in `from`.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "station/model.h"

namespace station::lifecycle {

// The events that move an envelope.
enum class Event {
  kCaptureStarted,      // import or scan registers the envelope, or continues an interrupted one
  kCaptureFinished,     // every page is in: queue it for recognition
  kCaptureCutOff,       // the run stopped part-way (jam, the station closing, a crash found at open)
  kRecognitionStarted,  // a worker took it from the queue
  kRecognitionFinished,
  kRecognitionFailed,
  kRecognitionAbandoned,  // the station closed mid-read: back to the queue, resumed at next open
  kRecognizeAgain,        // someone asked for it to be read again
  kAllConfirmed,          // the reviewer confirmed the last value
  kExported,              // it went out in a daily set
};

struct Transition {
  EnvelopeState from;
  Event event;
  EnvelopeState to;
};

// The table itself (lifecycle.cpp).
std::span<const Transition> transitions();

// The state `event` leads to from `from`, or nothing when the table does not allow it.
std::optional<EnvelopeState> next(EnvelopeState from, Event event);

// The one state `event` leads to (every event has a single target; the table's test checks it).
EnvelopeState target(Event event);

// Every state `event` may leave from (for guarded UPDATEs: "... WHERE status IN (...)").
std::string from_states_sql(Event event);

std::string_view event_name(Event event);

}  // namespace station::lifecycle
