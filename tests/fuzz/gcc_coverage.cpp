// Coverage for libFuzzer from a GCC build. GCC's -fsanitize-coverage=trace-pc calls
// __sanitizer_cov_trace_pc() on every basic block; libFuzzer's runtime (Debian's clang) reads
// inline 8-bit counters. Each caller's address is hashed onto one of 64 Ki counters registered
// with libFuzzer at start-up, so a new block (or a new count bucket) is new coverage to it.
// libFuzzer 14's own __sanitizer_cov_trace_pc only says that trace-pc is no longer supported; this
// one replaces it (the fuzz targets link with --allow-multiple-definition, this object first).
// Built only with -DSTATION_FUZZ=ON; this file itself is not instrumented.
#include <cstddef>
#include <cstdint>

// libFuzzer's; weak, so that the replay driver (no libFuzzer) links the instrumented code too.
extern "C" __attribute__((weak)) void __sanitizer_cov_8bit_counters_init(std::uint8_t* start, std::uint8_t* stop);

namespace {

constexpr std::size_t kCounters = std::size_t{1} << 16;
alignas(64) std::uint8_t g_counters[kCounters];

__attribute__((constructor)) void register_counters() {
  if (__sanitizer_cov_8bit_counters_init != nullptr) __sanitizer_cov_8bit_counters_init(g_counters, g_counters + kCounters);
}

}  // namespace

extern "C" __attribute__((no_sanitize_address)) void __sanitizer_cov_trace_pc() {
  const auto pc = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  std::uint8_t& c = g_counters[(pc ^ (pc >> 17)) & (kCounters - 1)];
  c = static_cast<std::uint8_t>(c + 1);
}
