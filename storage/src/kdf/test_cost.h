#pragma once
// Which Argon2id cost a test build asks for instead of production_kdf_cost(). Two variants, picked
// in CMake by STATION_TESTING: production.cpp (always nullopt) and testing.cpp.
#include <optional>

#include "storage/keys.h"

namespace storage::detail {

std::optional<KdfCost> test_kdf_cost();

}  // namespace storage::detail
