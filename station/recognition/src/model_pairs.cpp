#include "station/recognition/model_pairs.h"

#include <map>
#include <sstream>
#include <tuple>

#include "text_repair.h"

namespace station::recognition {

namespace {

const std::vector<ModelPair> kTable = {
#include "model_pairs_table.inc"
};

// The characters of a reading, spaces (ASCII and full-width) aside.
std::vector<std::string> characters(const std::string& s) { return detail::utf8_characters(detail::strip_spaces(s)); }

}  // namespace

const std::vector<ModelPair>& model_pair_table() { return kTable; }

Believe believed_model(const std::vector<ModelPair>& table, const std::string& first, const std::string& second) {
  for (const ModelPair& p : table) {
    if (first != p.first || second != p.second) continue;
    const int n = p.first_right + p.second_right;
    if (p.first_right >= 3 && p.first_right * 10 >= n * 9) return Believe::kFirst;
    if (p.second_right >= 3 && p.second_right * 10 >= n * 9) return Believe::kSecond;
    return Believe::kUnknown;
  }
  return Believe::kUnknown;
}

Believe believed_model(const std::string& first, const std::string& second) { return believed_model(kTable, first, second); }

std::optional<std::pair<std::string, std::string>> one_substitution(const std::string& first, const std::string& second) {
  const std::vector<std::string> a = characters(first), b = characters(second);
  if (a.size() != b.size()) return std::nullopt;
  std::optional<std::pair<std::string, std::string>> at;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    if (at) return std::nullopt;
    at = std::pair{a[i], b[i]};
  }
  return at;
}

std::string model_pairs_source(const std::vector<ModelPairObservation>& observations, const std::string& fitted_on) {
  std::map<std::pair<std::string, std::string>, std::pair<int, int>> counts;
  int used = 0;
  for (const ModelPairObservation& o : observations) {
    const auto pair = one_substitution(o.first, o.second);
    if (!pair) continue;
    const std::vector<std::string> truth = characters(o.truth);
    const bool first_right = characters(o.first) == truth, second_right = characters(o.second) == truth;
    if (!first_right && !second_right) continue;
    ++used;
    auto& [f, s] = counts[*pair];
    (first_right ? f : s) += 1;
  }
  std::ostringstream os;
  os << "// Fitted by `station accuracy DIR --fit-model-pairs FILE` on " << fitted_on << ": " << used
     << " free-text values\n// the two models read one character apart, one of them right. {first model's character,\n"
     << "// second model's, values the first was right, values the second was right}\n";
  for (const auto& [pair, c] : counts)
    os << "{\"" << pair.first << "\", \"" << pair.second << "\", " << c.first << ", " << c.second << "},\n";
  return os.str();
}

}  // namespace station::recognition
