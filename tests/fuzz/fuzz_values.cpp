// Fuzz target: the reviewer's values file (JSON in truth.json's shape, every key and value
// validated before anything is confirmed).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "station/review/values_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = station::review::parse_values_file(std::string_view(reinterpret_cast<const char*>(data), size));
  if (parsed)
    for (const auto& v : parsed->values)
      if (v.key.empty()) std::abort();  // every accepted value names its field
  return 0;
}
