// The audit log: the security sub-library's (station/security/audit_log.h); Station checks the
// role, forwards and records the look.
#include "station_impl.h"

namespace station {

Result<AuditVerifyReport> Station::audit_verify(const User& actor) {
  if (auto s = require(actor, {Role::kSupervisor, Role::kAdmin}, "verify the audit log"); !s)
    return std::unexpected(s.error());
  AuditVerifyReport rep = impl_->audit_log.verify();
  impl_->audit(&actor, rep.ok ? "audit.verify" : "audit.verify_failed",
               "entries:" + std::to_string(rep.entries) + " problems:" + std::to_string(rep.problems.size()));
  return rep;
}

Result<std::vector<AuditEntry>> Station::audit_search(const User& actor, const AuditQuery& q) {
  if (auto s = require(actor, {Role::kSupervisor, Role::kAdmin}, "search the audit log"); !s)
    return std::unexpected(s.error());
  auto out = impl_->audit_log.search(q);
  if (!out) return out;
  impl_->audit(&actor, "audit.search", "results:" + std::to_string(out->size()));
  return out;
}

}  // namespace station
