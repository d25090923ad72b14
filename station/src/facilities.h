#pragma once
// Private, transitional: the CSV reader moved to station_review (station/review/facilities.h);
// electronic_store.cpp still includes it by this name. Remove once that file includes the
// review header itself.
#include "station/review/facilities.h"

namespace station {
using review::parse_csv;
}  // namespace station
