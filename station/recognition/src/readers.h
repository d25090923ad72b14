#pragma once
// Private to station_recognition: the readers of one page, by what the page is. Each appends the
// values it reads to `out`, each value with its confidence.
#include <string>
#include <vector>

#include "detail.h"
#include "ocr/digits.h"
#include "ocr/engine.h"

namespace station::recognition::detail {

// A registered form (application, pledge, officer list): every field of its template, at its zone
// and by its type. `officer_row` numbers the officer list's rows across its pages. (readers.cpp)
void read_form(const FormTemplate& t, const PageContext& c, int& officer_row,
               std::vector<RecognizedValue>& out);

// A passbook copy, which has no fixed layout: its bank, branch, account and holder, found in
// `page`, the engine's reading of the whole page, by what its lines say and where they sit.
// (passbook.cpp)
void read_passbook(const FormTemplate& t, const PageContext& c, const ocr::Reading& page,
                   std::vector<RecognizedValue>& out);

// How many of a passbook's words `text` holds: a page of no form that holds two or more is a
// passbook copy. (passbook.cpp)
int keyword_hits(const std::string& text);

// A passbook's number after its label (one of `labels`) on the row at `row_box` (working page px),
// read from the row's own ink, `length` digits; empty where the ink does not give them. `japanese`:
// the row's reading by the Japanese model with glyphs on the page's largest image, if made already.
std::string digits_after_label(const PageContext& c, ocr::Box row_box, const std::vector<std::string>& labels,
                               int length, const ocr::Reading* japanese = nullptr);

// An envelope: the postmark's date (令和) and the sender's name. (envelope_page.cpp)
void read_envelope(const FormTemplate& t, const PageContext& c, std::vector<RecognizedValue>& out);

// A postmark's date line spelt in its grammar from its characters' votes: `pattern` has 'd' for
// each digit (`digits`, in order: the classifier's vote and runner-up) and '.' for each dot. Of
// the lines that take each digit as voted or as its runner-up, the one that is a date (令和
// 1..max_year, one way only to split it) with the most votes behind it (the product of the shares
// taken, in `weight`) — a stamp's 3 that lost a stroke, voted 5 with 3 behind, makes day 51 and is
// spelt 31 — where it has half again the votes of any other date; nothing otherwise.
std::optional<std::string> spell_date_line(const std::string& pattern, const std::vector<ocr::DigitVote>& digits,
                                           int max_year, double& weight);

}  // namespace station::recognition::detail
