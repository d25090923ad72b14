// Fuzz target: the JPEG and PNG decoders (header parsing by hand, the EXIF block, OpenCV behind).
// Any container the sniffer picks; the seeds are JPEGs (the EXIF finding among them) and PNGs.
#include "fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::decode_and_check({data, size});
  return 0;
}
