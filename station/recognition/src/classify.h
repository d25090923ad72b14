#pragma once
// Private to station_recognition: the envelope-level decisions of classification, apart from the
// pixels so that they can be tested on their own (recognize_pages.cpp).
#include <set>
#include <string>
#include <vector>

#include "station/recognition/recognize.h"

namespace station::recognition::detail {

// One registered form placed over one page well enough to be it (score at the threshold or more).
struct KindCandidate {
  int page = 0;
  int form = 0;  // index into the forms the caller placed
  double score = 0;
};

struct KindChoice {
  int form = -1;           // -1: no registered form (the page is looked at by shape and words)
  double score = 0;
  bool duplicate = false;  // a one-page form another page of the envelope places better
};

// Each page's form, for the whole envelope at once. A form that is on one page (`several_pages`
// false for it) goes to the page that places it best; another page that placed it best too takes
// its next candidate form that is still free (or that may fill several pages), so a page misread
// as the pledge does not steal the pledge's fields when its own form (the officer list) placed
// second. Candidates are taken best score first. A page whose every candidate is taken by a better
// page keeps its best form, marked `duplicate` (two copies of one form in an envelope).
std::vector<KindChoice> assign_kinds(int pages, const std::vector<KindCandidate>& candidates,
                                     const std::vector<bool>& several_pages);

// Values read under one key from more than one page (a repeated form's copy, the officer list's
// header on each of its pages) are not mixed: the value of the page that placed its form best
// (`page_score`, by page; the earlier page on a tie) is kept and the others are dropped. Returns
// the keys whose readings disagreed: their value cannot be certain (`cap_disputed`).
std::set<std::string> keep_one_value_per_key(std::vector<RecognizedValue>& values,
                                             const std::vector<double>& page_score);

// The most confidence a value whose pages disagree may have: below any skip threshold.
inline constexpr double kDisputedConfidence = 0.5;
void cap_disputed(std::vector<RecognizedValue>& values, const std::set<std::string>& keys);

// A page of no registered form is a passbook copy when its whole-page reading holds two of a
// passbook's words, or one when the page shows a booklet copied open (ocr::PageStructure::
// find_spread): a print the engine reads poorly (a brush typeface, a faint copy) still shows
// its spread, and the spread alone is not enough (a copied leaflet has one too).
bool is_passbook(int words, bool spread);

// An envelope holds one passbook copy. When no page was found to be one, the one page left
// unknown that shows an open booklet (`spread`, by page) is it, whatever its reading says (a
// brush typeface the engine reads as nothing). Its index, or -1 (a passbook found already, no
// such page, or more than one).
int passbook_by_spread(const std::vector<PageRecognition>& pages, const std::vector<bool>& spread);

}  // namespace station::recognition::detail
