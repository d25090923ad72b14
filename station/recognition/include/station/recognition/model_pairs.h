#pragma once
// Which of the two Japanese models to believe where they read one character of free text
// differently (issue 13). Each model misreads some characters systematically and the other not
// (one reads 也 as 志, the other 智 as 知), whatever the face; the dictionary cannot choose where
// both readings are real words or names. A table of such character pairs, with how often each
// model was right about them on generated envelopes of the development seeds (tests/generator), is
// compiled in (src/model_pairs_table.inc), written by `station accuracy DIR --fit-model-pairs FILE`
// (read in memory, where the two readings are kept). A pair decides only on firm evidence.
#include <optional>
#include <string>
#include <vector>

namespace station::recognition {

struct ModelPair {
  const char* first;   // the character the first model (jpn) read
  const char* second;  // the character the second model (jpn_best) read at the same place
  int first_right = 0, second_right = 0;  // values where that model's reading was the truth
};

// The compiled-in table.
const std::vector<ModelPair>& model_pair_table();

enum class Believe { kUnknown, kFirst, kSecond };

// The model to believe where the first read `first` and the second `second` at one place: the side
// right at least 3 times and in at least nine of ten of the pair's values; else unknown.
Believe believed_model(const std::vector<ModelPair>& table, const std::string& first, const std::string& second);
Believe believed_model(const std::string& first, const std::string& second);  // by the compiled-in table

// The characters at the one place two readings differ (spaces aside, same length), or nothing.
std::optional<std::pair<std::string, std::string>> one_substitution(const std::string& first, const std::string& second);

// One free-text value for fitting: the two models' readings and the truth.
struct ModelPairObservation {
  std::string first, second, truth;
};
// The table's C++ source (the body of model_pairs_table.inc) fitted on `observations`: each pair of
// characters the readings differ by, where one of them was the truth.
std::string model_pairs_source(const std::vector<ModelPairObservation>& observations, const std::string& fitted_on);

}  // namespace station::recognition
