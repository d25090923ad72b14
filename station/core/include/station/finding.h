#pragma once
// What the review's checks tell a reviewer (Station::check): one finding per defect or
// disagreement, tied to the field it is about and where that value is on its page.
#include <cstdint>
#include <string>
#include <vector>

#include "station/model.h"

namespace station {

struct Finding {
  std::string code;        // e.g. "MISSING_FIELD:facility.capacity", "AMOUNT_MISMATCH"
  std::string field;       // the field key it is about ("" for the envelope as a whole)
  int page = 0;            // 1-based among the envelope's pages; 0: no page (not read, or no field)
  PixelBox box;            // where the value is on that page (pixels), when page > 0
  std::string message_ja;  // what the reviewer reads
  std::string severity;    // "block" (must be corrected: 補正) or "warn" (look at it)
  std::string related;     // the earlier application of a duplicate: its 受付番号 or electronic number
};

// A candidate facility from the list, with why it matched.
struct FacilityCandidate {
  std::string facility_id, name, address, jigyosho_no;
  std::vector<std::string> reasons_ja;
};

// The checks of one envelope against one version of the facility list.
struct CheckReport {
  std::int64_t envelope_id = 0;
  std::string receipt_no;
  std::int64_t list_version = 0;  // 0: no facility list loaded
  std::string facility_id;         // the list's facility the application was checked against ("": none)
  std::vector<FacilityCandidate> candidates;
  std::vector<Finding> findings;
};

}  // namespace station
