#pragma once
// A small stand-in for std::format (not in g++ 12's library): "{}" takes the next argument,
// "{N}" argument N; "{{" and "}}" are literal braces. Arguments are text or integers.
#include <array>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

namespace ui {

std::string format_args(std::string_view pattern, const std::string* args, std::size_t count);

namespace detail {
inline std::string to_text(std::string_view s) { return std::string(s); }
inline std::string to_text(const char* s) { return std::string(s); }
inline std::string to_text(const std::string& s) { return s; }
template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>)
std::string to_text(T value) {
  return std::to_string(value);
}
}  // namespace detail

template <class... Args>
std::string fmt(std::string_view pattern, const Args&... args) {
  const std::array<std::string, sizeof...(Args)> texts = {detail::to_text(args)...};
  return format_args(pattern, texts.data(), texts.size());
}

}  // namespace ui
