#pragma once
// How an envelope's place in its life reads for a clerk, the same on the command line and in the
// web UI: the state's Japanese label, with the pages read so far while it is being read.
#include <string>

#include "station/model.h"

namespace ui {

// 「読取中 3/5 ページ」 while recognising, else state_label_ja (「受付済（読取待ち）」, 「読取済」, ...).
std::string state_text_ja(station::EnvelopeState state, int pages_recognized, int pages);
std::string state_text_ja(const station::EnvelopeSummary& e);

// One step of an envelope's history as a clerk reads it: 「確認済 → 審査中（審査開始）」. The labels
// are the lifecycle's (station_core), the same for the review's states (審査中, 補正待ち, 受理, 不受理,
// 県へ照会) as for capture's and recognition's.
std::string transition_text_ja(const station::TransitionRecord& t);

// Queued for or being read by the background recognition: its progress is still moving.
bool recognition_pending(station::EnvelopeState state);

}  // namespace ui
