#pragma once
// Blind double entry (issue #17; station/double_entry.h for the states and their table): the
// entries of the fields whose type is under double entry, on the open store, audited (ids and
// rounds only, never a value). Every call checks the actor's role itself.
//
// - Keyers are reviewers and supervisors. The first entry is not a confirmation. The second must
//   come from another person; it is compared with the first after both are normalised by the
//   field's key (the same normalisation as a confirmation): equal confirms the field through the
//   store's one confirm path (store::confirm_within: the lifecycle's kAllConfirmed included),
//   different makes it disputed.
// - A disputed field is decided by a reviewer or supervisor who keyed neither entry; they see both
//   entries (dispute()) and the crop; their value confirms the field.
// - Nothing a keyer is answered before the field is decided carries the value as read or another
//   person's entry.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "station/audit_trail.h"
#include "station/double_entry.h"
#include "station/error.h"
#include "station/model.h"
#include "station/store/context.h"

namespace station::review {

class DoubleEntry {
 public:
  // types: the field types under double entry ([verification] double_entry).
  DoubleEntry(store::Context store, AuditTrail& audit, std::vector<std::string> types)
      : store_(store), audit_(audit), types_(std::move(types)) {}

  // The waiting fields, oldest envelope first. Reviewer or supervisor.
  Result<std::vector<double_entry::EntryTask>> tasks(const User& actor, double_entry::Queue queue);

  // The actor's entry of `round` (1 or 2: the round the field is waiting for). kConflict with a
  // Japanese reason: the same person twice, the wrong round, a field not under double entry, one
  // already confirmed or disputed; kInvalidInput: a value its type refuses.
  Result<double_entry::EntryOutcome> submit(const User& actor, std::int64_t field_id, int round,
                                            std::string_view value);
  // A disputed field with both entries, for its decision; refused to either keyer.
  Result<double_entry::Dispute> dispute(const User& actor, std::int64_t field_id);
  // The third person's value: confirms the field.
  Result<double_entry::EntryOutcome> decide(const User& actor, std::int64_t field_id, std::string_view value);

 private:
  store::Context store_;
  AuditTrail& audit_;
  std::vector<std::string> types_;
};

}  // namespace station::review
