#pragma once
// What every domain of the station writes its audited actions to. The implementation is the
// hash-chained, signed audit log of the security sub-library; tests may record into a vector.
#include <string>
#include <string_view>

#include "station/model.h"

namespace station {

class AuditTrail {
 public:
  virtual ~AuditTrail() = default;
  // Appends who (null: the station itself), what and on which subject (ids such as
  // "envelope:12", never personal values). Never fails the caller's action: a failure to record
  // is reported to the operator.
  virtual void record(const User* user, std::string_view action, const std::string& subject) = 0;
};

}  // namespace station
