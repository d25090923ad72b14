#pragma once
// The secretariat's review: the recognised fields as reviewers see them, confirming or
// correcting a value, and the prefecture's facility list the values are checked against.
// Works on the station's open store (store::Context) and records what it does to the audit trail
// (ids only, never a value). Every call checks the acting user's role itself.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "station/audit_trail.h"
#include "station/error.h"
#include "station/finding.h"
#include "station/security_types.h"
#include "station/model.h"
#include "station/store/context.h"

namespace station::review {

class FacilityIndex;

// The electronic applications of a facility (by its id or its number), from the electronic store.
using ElectronicLookup =
    std::function<Result<std::vector<ElectronicApplication>>(std::string_view facility_id, std::string_view jigyosho_no)>;

class Review {
 public:
  // confidence_threshold: below it a value needs the reviewer's attention (Config's).
  // double_entry_types: the field types under blind double entry (Config's); such a field is
  // confirmed through DoubleEntry only (double_entry.h), and its entry state is shown.
  Review(store::Context store, AuditTrail& audit, double confidence_threshold,
         std::vector<std::string> double_entry_types = {})
      : store_(store), audit_(audit), confidence_threshold_(confidence_threshold),
        double_entry_types_(std::move(double_entry_types)) {}

  // ---- fields (reviewer, supervisor)

  // The envelope's fields, each with its Japanese label and whether it needs attention.
  Result<std::vector<FieldInfo>> fields(const User& actor, std::int64_t envelope_id);
  Result<FieldInfo> field(const User& actor, std::int64_t field_id);
  // Confirms the value as read or corrects it (normalised by the field's type); the audit log
  // records field.confirm or field.correct with the envelope and the field's key. A field under
  // double entry is refused (kConflict, what to do in Japanese): its value comes from the entries.
  Result<FieldInfo> confirm(const User& actor, std::int64_t field_id, std::string_view value);

  // ---- the facility list (対象施設リスト)

  // Replaces the stored list with the CSV at `csv` (supervisor, admin) as its next version, after
  // every row is validated (nothing stored on an error); returns its rows.
  Result<int> load_facilities(const User& actor, const std::filesystem::path& csv);
  Result<int> facility_count();
  // The current list, indexed for matching; its version is 0 when no list was loaded.
  Result<std::shared_ptr<const FacilityIndex>> facility_index();
  // The current list's version (0: none), to tell whether an index is still current.
  Result<std::int64_t> facility_list_version();

  // ---- the checks (reviewer, supervisor)

  // Every check of the review procedure on the envelope's current values (confirmed, else read),
  // against `index`; duplicates against the station's other envelopes and the electronic
  // applications (`electronic`). Computed on demand, never stored.
  Result<CheckReport> check(const User& actor, std::int64_t envelope_id, const FacilityIndex& index,
                            const ElectronicLookup& electronic);

  // Confirms many values at once from a values file (values_file.h), all or nothing; a key the
  // reading did not produce gets its confirmed value. Audited as values.confirm with the envelope
  // and the number of values (never a value). Returns how many values were confirmed.
  Result<int> confirm_values(const User& actor, std::int64_t envelope_id, std::string_view json_text);

 private:
  // The field from the store, with what the forms (its label) and the threshold add.
  Result<FieldInfo> load_field(std::int64_t field_id);

  store::Context store_;
  AuditTrail& audit_;
  double confidence_threshold_;
  std::vector<std::string> double_entry_types_;
};

}  // namespace station::review
