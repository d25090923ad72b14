#pragma once
// What the crash driver and the crash test agree on: values in the driver's acknowledgement lines
// are hex-encoded (no spaces, never empty: "-" stands for an empty value).
#include <string>
#include <string_view>

namespace crash {

inline std::string hex(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out.empty() ? "-" : out;
}

}  // namespace crash
