#pragma once
// Test-only switches of the storage library. Declared always, defined only in a STATION_TESTING
// build (the test suite's): the kiosk build (STATION_TESTING off) does not link a caller.
#include <optional>

#include "storage/keys.h"

namespace storage {

// The cost kdf_cost() answers (nullopt: production_kdf_cost()). Each keyring records the cost it
// was made with, and opening one made cheaper than kdf_cost() re-wraps it (upgrade_passphrase_slot).
// The environment variable TESTING_STATION_KDF=interactive|min sets it at start, so a station
// binary spawned by a test uses the test's cost (ctest sets it for every test).
void set_test_kdf_cost(std::optional<KdfCost> cost);
// libsodium's INTERACTIVE (2 passes, 64 MiB) and MIN limits, for tests to choose from.
KdfCost interactive_kdf_cost();
KdfCost min_kdf_cost();

}  // namespace storage
