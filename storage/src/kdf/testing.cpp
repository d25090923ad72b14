// A STATION_TESTING build: tests may create keyrings at a cheaper, recorded cost (each keyring
// stores its own), so the suite does not pay MODERATE's 256 MiB per store it makes.
#include <sodium.h>

#include <cstdlib>
#include <mutex>
#include <string_view>

#include "kdf/test_cost.h"
#include "storage/testing.h"

namespace storage {
namespace {

struct TestCost {
  std::mutex mu;
  std::optional<KdfCost> cost;
  TestCost() {
    // A spawned station binary of a test build agrees with the test that spawned it.
    if (const char* v = std::getenv("TESTING_STATION_KDF")) {
      const std::string_view name = v;
      if (name == "interactive") cost = interactive_kdf_cost();
      if (name == "min") cost = min_kdf_cost();
    }
  }
};

TestCost& state() {
  static TestCost s;
  return s;
}

}  // namespace

KdfCost interactive_kdf_cost() { return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE}; }
KdfCost min_kdf_cost() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

void set_test_kdf_cost(std::optional<KdfCost> cost) {
  std::lock_guard lock(state().mu);
  state().cost = cost;
}

namespace detail {

std::optional<KdfCost> test_kdf_cost() {
  std::lock_guard lock(state().mu);
  return state().cost;
}

}  // namespace detail
}  // namespace storage
