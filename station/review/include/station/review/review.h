#pragma once
// The secretariat's review: the recognised fields as reviewers see them, confirming or
// correcting a value, and the prefecture's facility list the values are checked against.
// Works on the station's open store (store::Context) and records what it does to the audit trail
// (ids only, never a value). Every call checks the acting user's role itself.
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "station/audit_trail.h"
#include "station/error.h"
#include "station/model.h"
#include "station/store/context.h"

namespace station::review {

class Review {
 public:
  // confidence_threshold: below it a value needs the reviewer's attention (Config's).
  Review(store::Context store, AuditTrail& audit, double confidence_threshold)
      : store_(store), audit_(audit), confidence_threshold_(confidence_threshold) {}

  // ---- fields (reviewer, supervisor)

  // The envelope's fields, each with its Japanese label and whether it needs attention.
  Result<std::vector<FieldInfo>> fields(const User& actor, std::int64_t envelope_id);
  Result<FieldInfo> field(const User& actor, std::int64_t field_id);
  // Confirms the value as read or corrects it (normalised by the field's type); the audit log
  // records field.confirm or field.correct with the envelope and the field's key.
  Result<FieldInfo> confirm(const User& actor, std::int64_t field_id, std::string_view value);

  // ---- the facility list (対象施設リスト)

  // Replaces the stored list with the CSV at `csv` (supervisor, admin); returns its rows.
  Result<int> load_facilities(const User& actor, const std::filesystem::path& csv);
  Result<int> facility_count();

 private:
  // The field from the store, with what the forms (its label) and the threshold add.
  Result<FieldInfo> load_field(std::int64_t field_id);

  store::Context store_;
  AuditTrail& audit_;
  double confidence_threshold_;
};

}  // namespace station::review
