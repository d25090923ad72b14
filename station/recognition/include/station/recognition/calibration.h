#pragma once
// Confidence as a calibrated probability (issue 13): per field type, a raw confidence is replaced by
// the accuracy observed for raw confidences like it on generated envelopes of the development seeds
// (tests/generator), pooled where accuracy does not rise with the raw confidence, and taken as a
// Wilson lower bound so that thin evidence promises little. A confidence is
// lowered wherever that bound is below it, and raised only where the bound is at least 0.98. The table is
// compiled in (src/calibration_table.inc), written by `station accuracy DIR --fit-calibration FILE`.
// Raw confidences below 0.5 (a value that fails its grammar, a reader's disagreement) and seals are
// never raised: such a value stays below any threshold.
#include <string>
#include <vector>

namespace station::recognition {

struct RecognizedValue;

struct CalibrationBucket {
  const char* type;  // the field type (text, kana, comb, date, ...)
  double lo, hi;     // raw confidence in [lo, hi)
  int n, ok;         // values seen there, values right
};

// The compiled-in table.
const std::vector<CalibrationBucket>& calibration_table();

// The calibrated confidence of a value of `type` read with raw confidence `raw`, by the compiled-in
// table.
double calibrated_confidence(const std::string& type, double raw);

// `table` (grouped by type, buckets rising) with each bucket's evidence pooled with its neighbours'
// wherever accuracy does not rise with the raw confidence (pool-adjacent-violators, i.e. isotonic
// regression): a confidence is trusted as far as it ranks values, and thin buckets that agree share
// their evidence.
std::vector<CalibrationBucket> pooled_table(const std::vector<CalibrationBucket>& table);
// The same by a given pooled table (for tests and fitting).
double calibrated_confidence(const std::vector<CalibrationBucket>& pooled, const std::string& type, double raw);

// Applies the table to every value (recognize_pages does, after reconciliation), unless disabled
// (while a table is being fitted on raw confidences).
void calibrate(std::vector<RecognizedValue>& values);
void set_calibration_enabled(bool on);

// One observation for fitting: a value's type, its raw confidence, whether it was right.
struct CalibrationObservation {
  std::string type;
  double raw = 0;
  bool correct = false;
};
// The table's C++ source (the body of calibration_table.inc) fitted on `observations`.
std::string calibration_source(const std::vector<CalibrationObservation>& observations, const std::string& fitted_on);

}  // namespace station::recognition
