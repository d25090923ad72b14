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
  kExported,              // it went out in a daily set (accepted ones only)
  // The review (審査, issue #12): who, when and why is recorded for each (store/workflow.h).
  kReviewStarted,         // a reviewer takes the confirmed envelope into review (審査開始)
  kAccepted,              // 受理
  kRejected,              // 不受理
  kCorrectionRequested,   // a correction request (補正指示) went out: one round
  kCorrectionReceived,    // the applicant's reply to the open round came back
  kReferred,              // 県へ照会
  kReferralAnswered,      // the prefecture answered; the review goes on
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
// What the history shows a clerk: 「受理」, 「補正指示」, ...
std::string_view event_label_ja(Event event);
std::optional<Event> parse_event(std::string_view name);
// The event of the table's row from `from` to `to` (each pair has one), for the history.
std::optional<Event> event_between(EnvelopeState from, EnvelopeState to);

// Whether the envelope's values may no longer change: decided (受理, 不受理) or exported.
bool values_frozen(EnvelopeState state);

}  // namespace station::lifecycle
