// Fuzz target: the facility list CSV (CP932 decoding, RFC 4180 records, row validation).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "station/review/facilities.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  auto facilities = station::review::parse_facility_csv(bytes);
  if (facilities)
    for (const auto& f : *facilities)
      if (f.facility_id.empty()) std::abort();  // a stored row always has its 施設ID
  if (auto utf8 = station::review::cp932_to_utf8(bytes)) (void)station::review::parse_csv(*utf8);
  return 0;
}
