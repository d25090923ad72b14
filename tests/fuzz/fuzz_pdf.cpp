// Fuzz target: the PDF decoder (poppler: parsing, page count, page sizes, rendering).
#include "fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::decode_and_check(fuzz::with_magic(data, size, {'%', 'P', 'D', 'F', '-'}));
  return 0;
}
