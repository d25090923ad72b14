// The prefecture's facility list: station_review's (station/review/review.h).
#include "station/review/review.h"
#include "station_impl.h"

namespace station {

Result<int> Station::load_facilities(const User& actor, const fs::path& csv) {
  return review::Review(impl_->store(), *impl_, impl_->config.confidence_threshold)
      .load_facilities(actor, csv);
}

Result<int> Station::facility_count() {
  return review::Review(impl_->store(), *impl_, impl_->config.confidence_threshold).facility_count();
}

}  // namespace station
