// The audit log: the security sub-library's (station/security/audit_log.h); Station checks the
// role, forwards and records the look.
#include "station/files.h"
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

Result<AuditVerifyReport> Station::audit_verify(const User& actor, const std::filesystem::path& expected_head) {
  if (auto s = require(actor, {Role::kSupervisor, Role::kAdmin}, "verify the audit log"); !s)
    return std::unexpected(s.error());
  std::error_code ec;
  if (!std::filesystem::is_regular_file(expected_head, ec))
    return fail(ErrorCode::kNotFound, "no expected head file at " + expected_head.string());
  auto bytes = read_file(expected_head);
  if (!bytes) return std::unexpected(bytes.error());
  const std::string text(bytes->begin(), bytes->end());
  AuditVerifyReport rep = impl_->audit_log.verify(&text);
  impl_->audit(&actor, rep.ok ? "audit.verify" : "audit.verify_failed",
               "entries:" + std::to_string(rep.entries) + " problems:" + std::to_string(rep.problems.size()) +
                   " expected_last:" + std::to_string(rep.expected_last_id));
  return rep;
}

Result<std::string> Station::audit_head(const User& actor) {
  if (auto s = require(actor, {Role::kSupervisor, Role::kAdmin}, "read the audit head"); !s)
    return std::unexpected(s.error());
  return impl_->audit_log.head_document();
}

Status Station::new_audit_signing_credential(const User& actor, const std::filesystem::path& path) {
  if (auto s = require(actor, {Role::kAdmin}, "create the audit signing credential"); !s) return s;
  if (auto s = impl_->audit_log.new_credential(path); !s) {
    impl_->audit(&actor, "audit.signing_credential_failed", "error:" + std::string(error_name(s.error().code)));
    return s;
  }
  impl_->audit(&actor, "audit.signing_credential_new", "");
  return {};
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
