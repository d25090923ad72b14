// The electronic-records store: applications the main system received electronically, in a
// database file of their own (electronic.db) under a key of their own. Mailed and electronic
// records never share a table, a file or a key; only the review's duplicate check looks at both.
#include "station/review/checks.h"
#include "station/review/facilities.h"
#include "station/store/electronic.h"
#include "station/store/outbox.h"
#include "station_impl.h"

namespace station {

namespace {

constexpr std::array<std::string_view, 5> kColumns = {"application_no", "facility_id", "jigyosho_no",
                                                      "facility_name", "received_at"};

}  // namespace

Result<int> Station::load_electronic_applications(const User& actor, const fs::path& csv) {
  if (auto s = require(actor, {Role::kSupervisor, Role::kAdmin}, "load electronic applications"); !s)
    return std::unexpected(s.error());
  auto bytes = read_file(csv);
  if (!bytes) return std::unexpected(bytes.error());
  std::string text(bytes->begin(), bytes->end());
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);  // a UTF-8 byte-order mark
  auto rows = review::parse_csv(text);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return fail(ErrorCode::kBadCsv, "the electronic applications file is empty");
  const auto& header = rows->front();
  std::array<std::size_t, kColumns.size()> at{};
  for (std::size_t c = 0; c < kColumns.size(); ++c) {
    auto it = std::find(header.begin(), header.end(), kColumns[c]);
    if (it == header.end()) return fail(ErrorCode::kBadCsv, "column " + std::string(kColumns[c]) + " is missing");
    at[c] = static_cast<std::size_t>(it - header.begin());
  }
  std::vector<store::ElectronicRow> apps;
  for (std::size_t i = 1; i < rows->size(); ++i) {
    const auto& row = (*rows)[i];
    if (row.size() == 1 && row[0].empty()) continue;  // a blank line
    if (row.size() < header.size())
      return fail(ErrorCode::kBadCsv, "line " + std::to_string(i + 1) + " has too few columns");
    const int line = static_cast<int>(i + 1);
    // The duplicate check orders applications by it: a timestamp that is not one is refused.
    auto received = review::to_jst(row[at[4]]);
    if (!received)
      return fail(ErrorCode::kBadCsv, "line " + std::to_string(line) +
                                          ": received_at is not an ISO 8601 date and time with an offset");
    if (row[at[0]].empty() || row[at[1]].empty())
      return fail(ErrorCode::kBadCsv, "line " + std::to_string(line) + ": application_no or facility_id is blank");
    apps.push_back({line, ElectronicApplication{row[at[0]], row[at[1]], row[at[2]], row[at[3]], row[at[4]]}});
  }
  std::lock_guard lock(impl_->edb_mu);
  auto loaded = store::replace_electronic_applications(*impl_->edb, apps, impl_->clock().jst_now_iso(), actor.id);
  if (!loaded) return std::unexpected(loaded.error());
  {
    // The file replaced every receipt, the pulled ones too: the next sync pulls the feed again.
    std::lock_guard db_lock(impl_->mu);
    if (auto s = store::set_sync_state(impl_->db, "cursor", "0"); !s) return std::unexpected(s.error());
  }
  impl_->audit(&actor, "electronic.load", "rows:" + std::to_string(*loaded));
  return *loaded;
}

Result<int> Station::electronic_count(const User& actor) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor, Role::kAdmin}, "read electronic applications"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(impl_->edb_mu);
  return store::electronic_count(*impl_->edb);
}

Result<std::vector<ElectronicApplication>> Station::electronic_for_facility(const User& actor,
                                                                         std::string_view facility_id,
                                                                         std::string_view jigyosho_no) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor, Role::kAdmin}, "read electronic applications"); !s)
    return std::unexpected(s.error());
  if (facility_id.empty() && jigyosho_no.empty())
    return fail(ErrorCode::kInvalidInput, "give a facility id or a jigyosho number");
  std::lock_guard lock(impl_->edb_mu);
  return store::electronic_for_facility(*impl_->edb, facility_id, jigyosho_no);
}

}  // namespace station
