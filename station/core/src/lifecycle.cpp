// The envelope lifecycle's transition table (lifecycle.h), and the names and Japanese labels of
// its states.
#include "station/lifecycle.h"

#include <array>

namespace station {

namespace {

struct StateText {
  EnvelopeState state;
  std::string_view name;
  std::string_view ja;
};

constexpr std::array kStates = {
    StateText{EnvelopeState::kCapturing, "capturing", "取込中"},
    StateText{EnvelopeState::kInterrupted, "interrupted", "取込中断"},
    StateText{EnvelopeState::kCaptured, "captured", "受付済（読取待ち）"},
    StateText{EnvelopeState::kRecognizing, "recognizing", "読取中"},
    StateText{EnvelopeState::kRecognized, "recognized", "読取済"},
    StateText{EnvelopeState::kRecognitionFailed, "recognition_failed", "読取失敗"},
    StateText{EnvelopeState::kReviewed, "reviewed", "確認済"},
    StateText{EnvelopeState::kUnderReview, "under_review", "審査中"},
    StateText{EnvelopeState::kAwaitingCorrection, "awaiting_correction", "補正待ち"},
    StateText{EnvelopeState::kAccepted, "accepted", "受理"},
    StateText{EnvelopeState::kRejected, "rejected", "不受理"},
    StateText{EnvelopeState::kReferred, "referred", "県へ照会"},
    StateText{EnvelopeState::kExported, "exported", "出力済"},
};

}  // namespace

std::string_view state_name(EnvelopeState state) {
  for (const auto& s : kStates)
    if (s.state == state) return s.name;
  return "unknown";
}

std::string_view state_label_ja(EnvelopeState state) {
  for (const auto& s : kStates)
    if (s.state == state) return s.ja;
  return "不明";
}

std::optional<EnvelopeState> parse_state(std::string_view name) {
  for (const auto& s : kStates)
    if (s.name == name) return s.state;
  return std::nullopt;
}

std::string_view decision_name(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::kAccept: return "accept";
    case DecisionKind::kRequestCorrection: return "request_correction";
    case DecisionKind::kRefer: return "refer";
    case DecisionKind::kReject: return "reject";
    case DecisionKind::kResume: return "resume";
  }
  return "unknown";
}

std::optional<DecisionKind> parse_decision(std::string_view name) {
  for (auto k : {DecisionKind::kAccept, DecisionKind::kRequestCorrection, DecisionKind::kRefer, DecisionKind::kReject,
                 DecisionKind::kResume})
    if (decision_name(k) == name) return k;
  return std::nullopt;
}

namespace lifecycle {

namespace {

using S = EnvelopeState;
using E = Event;

// Read a row as: in state `from`, on `event`, the envelope goes to `to`. Nothing else is allowed.
constexpr std::array kTable = {
    Transition{S::kInterrupted, E::kCaptureStarted, S::kCapturing},  // continue after a jam or crash
    Transition{S::kCaptured, E::kCaptureStarted, S::kCapturing},     // continue before it is read
    Transition{S::kCapturing, E::kCaptureFinished, S::kCaptured},
    Transition{S::kCapturing, E::kCaptureCutOff, S::kInterrupted},
    Transition{S::kCaptured, E::kRecognitionStarted, S::kRecognizing},
    Transition{S::kRecognizing, E::kRecognitionFinished, S::kRecognized},
    Transition{S::kRecognizing, E::kRecognitionFailed, S::kRecognitionFailed},
    Transition{S::kRecognizing, E::kRecognitionAbandoned, S::kCaptured},
    Transition{S::kRecognized, E::kRecognizeAgain, S::kCaptured},
    Transition{S::kRecognitionFailed, E::kRecognizeAgain, S::kCaptured},
    Transition{S::kInterrupted, E::kRecognizeAgain, S::kCaptured},  // read what there is
    Transition{S::kRecognized, E::kAllConfirmed, S::kReviewed},
    // The review (審査) and its decisions: a confirmed envelope is taken into review, then
    // accepted, rejected, sent a correction request (補正) or referred to the prefecture.
    Transition{S::kReviewed, E::kReviewStarted, S::kUnderReview},
    Transition{S::kUnderReview, E::kAccepted, S::kAccepted},
    Transition{S::kReferred, E::kAccepted, S::kAccepted},  // the prefecture agreed
    Transition{S::kUnderReview, E::kRejected, S::kRejected},
    Transition{S::kReferred, E::kRejected, S::kRejected},  // the prefecture refused
    Transition{S::kUnderReview, E::kCorrectionRequested, S::kAwaitingCorrection},  // each round
    Transition{S::kAwaitingCorrection, E::kCorrectionReceived, S::kUnderReview},   // the reply came
    Transition{S::kUnderReview, E::kReferred, S::kReferred},         // the applicant insists
    Transition{S::kAwaitingCorrection, E::kReferred, S::kReferred},  // no reply after the rounds
    Transition{S::kReferred, E::kReferralAnswered, S::kUnderReview},  // review goes on (e.g. 補正)
    // Only an accepted application goes out in a daily set.
    Transition{S::kAccepted, E::kExported, S::kExported},
};

}  // namespace

std::span<const Transition> transitions() { return kTable; }

std::optional<EnvelopeState> next(EnvelopeState from, Event event) {
  for (const auto& t : kTable)
    if (t.from == from && t.event == event) return t.to;
  return std::nullopt;
}

EnvelopeState target(Event event) {
  for (const auto& t : kTable)
    if (t.event == event) return t.to;
  return EnvelopeState::kCaptured;  // unreachable: every event has a row (lifecycle test)
}

std::string from_states_sql(Event event) {
  std::string out;
  for (const auto& t : kTable) {
    if (t.event != event) continue;
    if (!out.empty()) out += ", ";
    out += "'" + std::string(state_name(t.from)) + "'";
  }
  return out.empty() ? "''" : out;
}

std::string_view event_name(Event event) {
  switch (event) {
    case E::kCaptureStarted: return "capture_started";
    case E::kCaptureFinished: return "capture_finished";
    case E::kCaptureCutOff: return "capture_cut_off";
    case E::kRecognitionStarted: return "recognition_started";
    case E::kRecognitionFinished: return "recognition_finished";
    case E::kRecognitionFailed: return "recognition_failed";
    case E::kRecognitionAbandoned: return "recognition_abandoned";
    case E::kRecognizeAgain: return "recognize_again";
    case E::kAllConfirmed: return "all_confirmed";
    case E::kExported: return "exported";
    case E::kReviewStarted: return "review_started";
    case E::kAccepted: return "accepted";
    case E::kRejected: return "rejected";
    case E::kCorrectionRequested: return "correction_requested";
    case E::kCorrectionReceived: return "correction_received";
    case E::kReferred: return "referred";
    case E::kReferralAnswered: return "referral_answered";
  }
  return "unknown";
}

std::string_view event_label_ja(Event event) {
  switch (event) {
    case E::kCaptureStarted: return "取込開始";
    case E::kCaptureFinished: return "取込完了";
    case E::kCaptureCutOff: return "取込中断";
    case E::kRecognitionStarted: return "読取開始";
    case E::kRecognitionFinished: return "読取完了";
    case E::kRecognitionFailed: return "読取失敗";
    case E::kRecognitionAbandoned: return "読取中止（再開待ち）";
    case E::kRecognizeAgain: return "再読取";
    case E::kAllConfirmed: return "全項目確認";
    case E::kExported: return "県へ出力";
    case E::kReviewStarted: return "審査開始";
    case E::kAccepted: return "受理";
    case E::kRejected: return "不受理";
    case E::kCorrectionRequested: return "補正指示";
    case E::kCorrectionReceived: return "補正書類の受領";
    case E::kReferred: return "県へ照会";
    case E::kReferralAnswered: return "県の回答（審査再開）";
  }
  return "不明";
}

std::optional<Event> parse_event(std::string_view name) {
  for (const auto& t : kTable)
    if (event_name(t.event) == name) return t.event;
  return std::nullopt;
}

std::optional<Event> event_between(EnvelopeState from, EnvelopeState to) {
  for (const auto& t : kTable)
    if (t.from == from && t.to == to) return t.event;
  return std::nullopt;
}

bool values_frozen(EnvelopeState state) {
  return state == S::kAccepted || state == S::kRejected || state == S::kExported;
}

}  // namespace lifecycle

}  // namespace station
