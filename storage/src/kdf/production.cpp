// The kiosk build (STATION_TESTING off): no way to lower the cost of a passphrase slot.
#include "kdf/test_cost.h"

namespace storage::detail {

std::optional<KdfCost> test_kdf_cost() { return std::nullopt; }

}  // namespace storage::detail
