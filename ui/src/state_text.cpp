#include "state_text.h"

#include "text_format.h"

namespace ui {

std::string state_text_ja(station::EnvelopeState state, int pages_recognized, int pages) {
  const std::string label(station::state_label_ja(state));
  if (state != station::EnvelopeState::kRecognizing) return label;
  return fmt("{} {}/{} ページ", label, pages_recognized, pages);
}

std::string state_text_ja(const station::EnvelopeSummary& e) {
  return state_text_ja(e.state, e.pages_recognized, e.pages);
}

std::string transition_text_ja(const station::TransitionRecord& t) {
  std::string text = fmt("{} → {}", station::state_label_ja(t.from), station::state_label_ja(t.to));
  if (!t.event_ja.empty()) text += fmt("（{}）", t.event_ja);
  return text;
}

bool recognition_pending(station::EnvelopeState state) {
  return state == station::EnvelopeState::kCaptured || state == station::EnvelopeState::kRecognizing;
}

}  // namespace ui
