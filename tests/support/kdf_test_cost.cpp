// Linked into every GoogleTest binary: keyrings made by tests record libsodium's INTERACTIVE cost
// instead of production's MODERATE (storage/testing.h), and a station binary the test spawns is
// told the same through its environment. Only possible in a STATION_TESTING build.
#include <cstdlib>

#include "storage/testing.h"

namespace {

[[maybe_unused]] const bool kInteractiveKeyrings = [] {
  ::setenv("TESTING_STATION_KDF", "interactive", /*overwrite=*/0);
  storage::set_test_kdf_cost(storage::interactive_kdf_cost());
  return true;
}();

}  // namespace
