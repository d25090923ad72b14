// Calibrated confidence per field type (calibration.h).
#include "station/recognition/calibration.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iomanip>
#include <map>
#include <sstream>
#include <string_view>

#include "station/recognition/recognize.h"

namespace station::recognition {
namespace {

constexpr double kEdges[] = {0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0001};
constexpr int kMinSeen = 8;  // fewer values in a bucket say nothing: the raw confidence stays
// A confidence is raised to what was measured only where at least 97 in 100 such values were right
// (the interval's lower bound): a clerk skips what lies above the threshold, and the bound on
// values that are confidently wrong (0.5 % of all) leaves no room for buckets that are merely
// above 0.9. (0.98 until session 13; 0.97 was chosen on one validation seed, 20261204, where it
// took the skip share from 68.0 % to 71.5 % and confidently wrong values from 6 to 7 of 3,608.)
constexpr double kRaiseFloor = 0.97;

std::atomic<bool> g_enabled{true};

// The lower bound of the Wilson interval (z = 1.64, one-sided 95 %) of ok/n.
double wilson_lower(int ok, int n) {
  if (n <= 0) return 0;
  const double z = 1.64, p = static_cast<double>(ok) / n, z2 = z * z;
  const double centre = p + z2 / (2.0 * n), margin = z * std::sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
  return std::max(0.0, (centre - margin) / (1 + z2 / n));
}

}  // namespace

const std::vector<CalibrationBucket>& calibration_table() {
  static const std::vector<CalibrationBucket> table = {
#include "calibration_table.inc"
  };
  return table;
}

std::vector<CalibrationBucket> pooled_table(const std::vector<CalibrationBucket>& table) {
  std::vector<CalibrationBucket> out = table;
  std::size_t start = 0;
  while (start < table.size()) {
    std::size_t end = start;  // [start, end) is one type, its buckets in rising order
    while (end < table.size() && std::string_view(table[end].type) == table[start].type) ++end;
    struct Block { std::size_t first, last; int n, ok; };
    std::vector<Block> blocks;
    for (std::size_t i = start; i < end; ++i) {
      blocks.push_back({i, i, table[i].n, table[i].ok});
      // Pooled while the lower block's ok/n is not below the upper one's (compared without division).
      while (blocks.size() > 1) {
        const Block& lo = blocks[blocks.size() - 2];
        const Block& hi = blocks.back();
        if (static_cast<long>(lo.ok) * hi.n < static_cast<long>(hi.ok) * lo.n) break;
        const Block merged{lo.first, hi.last, lo.n + hi.n, lo.ok + hi.ok};
        blocks.pop_back();
        blocks.back() = merged;
      }
    }
    for (const Block& blk : blocks)
      for (std::size_t i = blk.first; i <= blk.last; ++i) out[i].n = blk.n, out[i].ok = blk.ok;
    start = end;
  }
  return out;
}

double calibrated_confidence(const std::vector<CalibrationBucket>& pooled, const std::string& type, double raw) {
  if (raw < kEdges[0] || type == "seal") return raw;
  for (const CalibrationBucket& b : pooled)
    if (type == b.type && raw >= b.lo && raw < b.hi) {
      if (b.n < kMinSeen) return raw;
      // Lowered wherever fewer values were right than the raw confidence promised; raised only
      // where the evidence says at least kRaiseFloor of them are right, so that what lies above a
      // skip threshold is what was measured to be right, never a guess.
      const double lb = wilson_lower(b.ok, b.n);
      return lb >= kRaiseFloor ? std::min(lb, 0.995) : std::min(lb, raw);
    }
  return raw;
}

double calibrated_confidence(const std::string& type, double raw) {
  static const std::vector<CalibrationBucket> pooled = pooled_table(calibration_table());
  return calibrated_confidence(pooled, type, raw);
}

void calibrate(std::vector<RecognizedValue>& values) {
  if (!g_enabled.load()) return;
  for (RecognizedValue& v : values) v.confidence = calibrated_confidence(v.type, v.confidence);
}

void set_calibration_enabled(bool on) { g_enabled.store(on); }

std::string calibration_source(const std::vector<CalibrationObservation>& observations, const std::string& fitted_on) {
  std::map<std::pair<std::string, int>, std::pair<int, int>> seen;  // (type, bucket) -> (n, ok)
  for (const auto& o : observations) {
    if (o.raw < kEdges[0] || o.type.empty()) continue;
    for (int b = 0; b + 1 < static_cast<int>(std::size(kEdges)); ++b)
      if (o.raw >= kEdges[b] && o.raw < kEdges[b + 1]) {
        auto& [n, ok] = seen[{o.type, b}];
        ++n;
        ok += o.correct;
      }
  }
  std::ostringstream os;
  os << "// Calibration table: {type, raw lo, raw hi, values seen, values right}, fitted on " << fitted_on << ".\n"
     << "// Written by `station accuracy DIR --fit-calibration FILE`; do not edit by hand.\n";
  for (const auto& [key, counts] : seen)
    os << "{\"" << key.first << "\", " << kEdges[key.second] << ", " << kEdges[key.second + 1] << ", " << counts.first << ", "
       << counts.second << "},\n";
  return os.str();
}

}  // namespace station::recognition
