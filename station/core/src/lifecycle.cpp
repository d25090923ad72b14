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
    Transition{S::kReviewed, E::kExported, S::kExported},
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
  }
  return "unknown";
}

}  // namespace lifecycle

}  // namespace station
