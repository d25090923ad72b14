#pragma once
// Recognition for the command line (store-less) and for measuring accuracy and speed.
//
// recognize_to_json reads one envelope (a folder of page images, or files) and returns one JSON
// document shaped like a sample's truth.json — pages[].kind, fields, pledge, officers (rows merged
// over the list's pages), passbook, envelope — where every leaf value is
//   {"value": …, "confidence": 0..1, "page": n (1-based, in input order), "box": [x, y, w, h]}
// with the box in pixels of the page turned upright (pages[].rotation, degrees clockwise).
// Thread-safe: each call starts its own Tesseract engine.
#include <filesystem>
#include <string>
#include <vector>

#include "station/config.h"
#include "station/error.h"

namespace station {

// What a store-less reading gives: the JSON and, per file that could not be read, what is wrong
// with it and what to do (Japanese, the file named), as `station import` reports them.
struct StorelessReading {
  std::string json;
  std::vector<std::string> problems_ja;
};

// Folders are expanded to their image files (sorted by name). Every page goes through the same
// stage list as a captured one (decode → cleanup → classify → read → reconcile), its cleaned copy
// encoded as the store keeps it. A file that cannot be read is named in problems_ja (and in the
// JSON's "problems") and the others are read; kNoPages only when no page at all could be read,
// kConfig for a broken templates folder, kOcr when Tesseract cannot start.
Result<StorelessReading> recognize_files(const Config& config, const std::vector<std::filesystem::path>& inputs);
// The same, the JSON only.
Result<std::string> recognize_to_json(const Config& config, const std::vector<std::filesystem::path>& inputs);

struct TypeScore {
  std::string type;          // text, kana, digits, comb, postal, date, amount, phone, email, checkbox, seal, ...
  int total = 0, exact = 0;  // values compared, exact matches after normalisation
  int confidently_wrong = 0; // wrong, yet at or above the confidence threshold
  int flagged = 0;           // below the threshold (the clerk looks at them)
};

// One compared value: its class as the table counts it, its confidence, whether it was right.
struct ValueOutcome {
  std::string kind;          // "text", "digits", "checkbox", "seal" (see field_class in recognizer.cpp)
  std::string type;          // the field's own type (text, kana, comb, date, ...)
  bool handwritten = false;  // from an envelope index.json marks handwritten
  bool free_text = false;    // a free-text field (names, addresses), not a coded or formatted one
  double confidence = 0;
  bool correct = false;
  // False for a value on the paper that the scan did not keep (truth.json's "not_in_image": a
  // faint seal or postmark date under a black-and-white scanner's threshold). Counted apart: no
  // reader can see it, and the station must not be sure of something else.
  bool in_image = true;
  std::string truth;                  // as truth.json has it, normalised as compared
  std::vector<std::string> readings;  // free text read in memory: each model's own reading
};

struct AccuracyGroup {
  std::string name;  // "typed" or "handwritten"
  int envelopes = 0, pages = 0, pages_correct = 0;
  std::vector<TypeScore> types;
};

// How an accuracy run reads the envelopes. kStore is what the clerk gets and what `station
// accuracy` reports: each envelope imported into a fresh temporary encrypted store, read by the
// background recognition, compared as the store serves it to the review screen. kStoreless reads
// in memory through the same stage list (`station recognize --json`), for the benchmark's
// side-by-side figure.
enum class AccuracyPath { kStore, kStoreless };

struct AccuracyReport {
  AccuracyPath path = AccuracyPath::kStore;
  double threshold = 0.9;
  std::vector<AccuracyGroup> groups;
  double seconds = 0;
  int pages = 0;
  int workers = 1;
  // Through the store: the facility list loaded into it (as a station in service has one), whose
  // names recognition matches readings against; empty when none was found.
  std::string facility_list;
  std::vector<std::string> mismatches;  // "app-003 corp.name: want … got … (0.93)", for diagnosis
  std::vector<ValueOutcome> outcomes;   // every compared value
  // Tables for people: the summary (classification, typed text, typed digits, check boxes,
  // seals, handwritten text, the share of typed fields at or above the threshold, confidently wrong,
  // each beside its goal), the reliability table (confidence bucket → observed accuracy), then the
  // per-type exact-match and confidently-wrong rates.
  std::string to_text() const;
};

// Recognises every envelope under `samples_dir` (app-*/ with truth.json; index.json says which are
// handwritten) with `workers` engines and compares with truth.json. `only` (optional) limits it to
// the named samples.
// `raw_confidence`: without the calibration table (to fit one: calibration_source).
Result<AccuracyReport> measure_accuracy(const Config& config, const std::filesystem::path& samples_dir, int workers,
                                        const std::vector<std::string>& only = {}, bool raw_confidence = false,
                                        AccuracyPath path = AccuracyPath::kStore);

// The calibration table (station/recognition/src/calibration_table.inc) fitted on a report's values
// measured with raw confidences.
std::string calibration_source(const AccuracyReport& raw_report, const std::string& fitted_on);

// The table of characters the two Japanese models read differently
// (station/recognition/src/model_pairs_table.inc) fitted on a report's typed free text read in
// memory (AccuracyPath::kStoreless: the store keeps no readings).
std::string model_pairs_source(const AccuracyReport& storeless_report, const std::string& fitted_on);

}  // namespace station
