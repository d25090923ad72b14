#include "text_format.h"

namespace ui {

std::string format_args(std::string_view pattern, const std::string* args, std::size_t count) {
  std::string out;
  out.reserve(pattern.size() + 64);
  std::size_t next = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '{' && i + 1 < pattern.size() && pattern[i + 1] == '{') {
      out += '{';
      ++i;
    } else if (c == '}' && i + 1 < pattern.size() && pattern[i + 1] == '}') {
      out += '}';
      ++i;
    } else if (c == '{') {
      const auto close = pattern.find('}', i);
      if (close == std::string_view::npos) {
        out += pattern.substr(i);
        break;
      }
      std::size_t index = next;
      const std::string_view spec = pattern.substr(i + 1, close - i - 1);
      if (!spec.empty()) {
        index = 0;
        for (char d : spec) index = index * 10 + static_cast<std::size_t>(d - '0');
      } else {
        ++next;
      }
      if (index < count) out += args[index];
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace ui
