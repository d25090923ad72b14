#pragma once
// Private to station_recognition: the envelope-level checks, run once every page is read. The
// forms of one application repeat some of their text and their dates, and each form's furigana
// spells its kanji: each value is checked against the others, and one mended so is for the clerk to
// confirm.
#include <vector>

#include "station/recognition/recognize.h"

namespace station::recognition::detail {

// The same text written on two forms (the corporation, its representative and facility): where
// the two values differ by a little, the one most readings agree on is kept for both.
void reconcile_same_text(std::vector<RecognizedValue>& values);

// Furigana checked against the kanji they spell, where both models agree on the kanji: each part
// (family and given name, or the words of a holder's name) by the dictionary's reading.
void check_kana_by_reading(std::vector<RecognizedValue>& values);

// The application's date and the pledge's are filled in together and mailed soon after: a date
// that is no date (6月31日) or lies after the postmark or more than a year before it takes, part by
// part, what the other form's date says, where that makes it one. The fewest parts are taken;
// a date mended so is for the clerk to confirm. Two dates that are each plausible are left alone.
// Without a postmark the bound is `clock`'s day (JST).
void reconcile_dates(std::vector<RecognizedValue>& values, const Clock& clock);

}  // namespace station::recognition::detail
