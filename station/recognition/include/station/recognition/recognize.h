#pragma once
// Recognition of one envelope's pages, without the store: the entry point of the recognition
// sub-library, which station_lib links privately (ui never sees it). Station::recognize
// (store-backed) and the store-less recognizer.h functions (CLI, accuracy) share it.
//
// The stages, in order, per page: structure (ruled lines) → classification and orientation
// (registration score of every registered template over the four quarter turns; otherwise the
// page's shape and content) → registration (template mm → page px) → field reading (zonal OCR,
// check boxes, seals) → normalisation and validation, which set each value's confidence.
#include <functional>
#include <string>
#include <vector>

#include "ocr/engine.h"
#include "ocr/image.h"
#include "station/clock.h"
#include "station/recognition/lexicon.h"
#include "station/recognition/templates.h"

namespace station::recognition {

// One character of a value as the readers saw it: its confidence and the other characters they
// weighed for its place (Tesseract's alternatives, the digit classifier's vote), best first.
struct CharReading {
  std::string text;
  double confidence = 0;
  std::vector<std::string> alternatives;
  ocr::Box box = {};  // where the reader saw it: page pixels of the upright page; empty when unknown
};

struct RecognizedValue {
  std::string key;         // spec key; officer rows as officers.rows[i].name
  std::string value;       // normalised; "true"/"false" for booleans; "" when the field is blank
  bool boolean = false;
  double confidence = 0;   // 0..1; below the configured threshold the clerk must look
  int page = 0;            // index into the envelope's pages (0-based)
  ocr::Box box;            // page pixels of the upright page (rotation applied)
  std::string type;        // the template's field type (text, kana, comb, date, ...)
  // Free Japanese text: each model's own (cleaned) reading; a postmark: every date read from its
  // ring. For the envelope-level comparisons of text written twice and of dates. Not shown or
  // stored.
  std::vector<std::string> readings;
  // Per character of `value`, when the readers' characters map one to one onto it (else empty):
  // for the UI to mark the uncertain ones. In the reading JSON as "chars".
  std::vector<CharReading> chars;
};

struct PageRecognition {
  std::string kind = "unknown";  // application, pledge, officers, passbook, envelope, unknown
  int rotation = 0;              // degrees clockwise that make the page upright: 0, 90, 180, 270
  double score = 0;              // registration score (registered forms)
};

struct EnvelopeRecognition {
  std::vector<PageRecognition> pages;
  std::vector<RecognizedValue> values;
};

// Reads every page. `engine` is used from this thread only. Never fails as a whole: a page that
// cannot be read is "unknown" and contributes no values.
// `on_page` (optional) is told the pages read so far after each page; once it returns false the
// rest is skipped (the caller discards the result).
// `clock` is "today" for the dates' plausibility (a postmark no later than next year, a form's date
// not after today when there is no postmark).
// `lexicon` (optional): the facility list's names, which readings one character off are taken to
// be (lexicon.h).
EnvelopeRecognition recognize_pages(const std::vector<ocr::Image>& pages, const Templates& templates,
                                    ocr::Engine& engine, const Clock& clock,
                                    const std::function<bool(int)>& on_page = {}, const Lexicon* lexicon = nullptr);

}  // namespace station::recognition
