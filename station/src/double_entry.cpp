// Blind double entry: the facade forwards to station_review's DoubleEntry (review/double_entry.h),
// which checks the roles, the rounds and the keyers, and audits.
#include "station/review/double_entry.h"
#include "station_impl.h"

namespace station {

double_entry::Settings Station::double_entry_settings() const { return {impl_->config.double_entry_types}; }

Result<std::vector<double_entry::EntryTask>> Station::entry_tasks(const User& actor, double_entry::Queue queue) {
  return review::DoubleEntry(impl_->store(), *impl_, impl_->config.double_entry_types).tasks(actor, queue);
}

Result<double_entry::EntryOutcome> Station::submit_entry(const User& actor, std::int64_t field_id, int round,
                                                         std::string_view value) {
  return review::DoubleEntry(impl_->store(), *impl_, impl_->config.double_entry_types).submit(actor, field_id, round, value);
}

Result<double_entry::Dispute> Station::entry_dispute(const User& actor, std::int64_t field_id) {
  auto d = review::DoubleEntry(impl_->store(), *impl_, impl_->config.double_entry_types).dispute(actor, field_id);
  if (d) impl_->record_view(actor, d->task.envelope_id, "entries");
  return d;
}

Result<double_entry::EntryOutcome> Station::decide_entry(const User& actor, std::int64_t field_id,
                                                         std::string_view value) {
  return review::DoubleEntry(impl_->store(), *impl_, impl_->config.double_entry_types).decide(actor, field_id, value);
}

}  // namespace station
