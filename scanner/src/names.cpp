#include "scanner/scanner.h"

namespace scanner {

const char* source_name(Source source) {
  switch (source) {
    case Source::kFlatbed: return "flatbed";
    case Source::kAdf: return "adf";
    case Source::kAdfDuplex: return "adf-duplex";
  }
  return "?";
}

const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::kColor: return "color";
    case Mode::kGray: return "gray";
    case Mode::kLineart: return "lineart";
  }
  return "?";
}

}  // namespace scanner
