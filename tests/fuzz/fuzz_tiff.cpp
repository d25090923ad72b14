// Fuzz target: the TIFF decoder (libtiff from memory: directories, strips, CCITT, page count).
#include "fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bool big_endian = size > 0 && data[0] == 'M';
  const auto b = big_endian ? fuzz::with_magic(data, size, {'M', 'M', 0x00, 0x2A})
                            : fuzz::with_magic(data, size, {'I', 'I', 0x2A, 0x00});
  fuzz::decode_and_check(b);
  return 0;
}
