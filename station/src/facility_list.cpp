// The prefecture's facility list: station_review's (station/review/review.h).
#include "station/review/checks.h"
#include "station/review/review.h"
#include "station/store/electronic.h"
#include "station_impl.h"

namespace station {

Result<int> Station::load_facilities(const User& actor, const fs::path& csv) {
  return review::Review(impl_->store(), *impl_, impl_->config.confidence_threshold, impl_->config.double_entry_types)
      .load_facilities(actor, csv);
}

Result<int> Station::facility_count() {
  return review::Review(impl_->store(), *impl_, impl_->config.confidence_threshold, impl_->config.double_entry_types).facility_count();
}

Result<CheckReport> Station::check(const User& actor, std::int64_t envelope_id) {
  review::Review rv(impl_->store(), *impl_, impl_->config.confidence_threshold, impl_->config.double_entry_types);
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "check applications"); !s)
    return std::unexpected(s.error());
  std::shared_ptr<const review::FacilityIndex> index;
  {
    std::lock_guard lock(impl_->facility_index_mu);
    auto version = rv.facility_list_version();
    if (!version) return std::unexpected(version.error());
    if (!impl_->facility_index || impl_->facility_index->version() != *version) {
      auto built = rv.facility_index();
      if (!built) return std::unexpected(built.error());
      impl_->facility_index = std::move(*built);
    }
    index = impl_->facility_index;
  }
  auto electronic = [this](std::string_view facility_id,
                           std::string_view jigyosho_no) -> Result<std::vector<ElectronicApplication>> {
    std::lock_guard lock(impl_->edb_mu);
    if (!impl_->edb) return std::vector<ElectronicApplication>{};
    return store::electronic_for_facility(*impl_->edb, facility_id, jigyosho_no);
  };
  auto report = rv.check(actor, envelope_id, *index, electronic);
  if (report) impl_->record_view(actor, envelope_id, "findings");
  return report;
}

Result<int> Station::confirm_values(const User& actor, std::int64_t envelope_id, std::string_view json_text) {
  return review::Review(impl_->store(), *impl_, impl_->config.confidence_threshold, impl_->config.double_entry_types)
      .confirm_values(actor, envelope_id, json_text);
}

}  // namespace station
