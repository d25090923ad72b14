// The facilities table in SQL (facilities.h).
#include "station/store/facilities.h"

#include "station/store/error.h"

namespace station::store {

Result<FacilityListVersion> replace_facilities(storage::Database& db, const std::vector<Facility>& list,
                                               const std::string& loaded_at, std::int64_t loaded_by) {
  FacilityListVersion v;
  v.loaded_at = loaded_at;
  v.rows = static_cast<int>(list.size());
  auto s = db.transaction([&]() -> storage::Status {
    auto next = db.prepare("SELECT coalesce(max(version), 0) + 1 FROM facility_lists");
    if (!next) return std::unexpected(next.error());
    (void)next->step();
    v.version = next->column_int(0);
    auto log = db.prepare("INSERT INTO facility_lists(version, loaded_at, loaded_by, rows) VALUES (?,?,?,?)");
    if (!log) return std::unexpected(log.error());
    log->bind(1, v.version).bind(2, loaded_at).bind(3, loaded_by).bind(4, std::int64_t{v.rows});
    if (auto r = log->run(); !r) return r;
    if (auto d = db.exec("DELETE FROM facilities"); !d) return d;
    auto st = db.prepare(
        "INSERT INTO facilities(facility_id, city, service_type, jigyosho_no, name, postal_code, address, capacity, "
        "corp_name, corp_postal_code, corp_address, rep_title, rep_name, amount, list_version) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!st) return std::unexpected(st.error());
    for (const auto& f : list) {
      st->bind(1, f.facility_id).bind(2, f.city).bind(3, f.service_type).bind(4, f.jigyosho_no).bind(5, f.name);
      st->bind(6, f.postal_code).bind(7, f.address).bind(8, f.capacity).bind(9, f.corp_name);
      st->bind(10, f.corp_postal_code).bind(11, f.corp_address).bind(12, f.rep_title).bind(13, f.rep_name);
      st->bind(14, f.amount).bind(15, v.version);
      if (auto r = st->run(); !r) return r;
      if (auto r = st->reset(); !r) return r;
    }
    return {};
  });
  if (!s) {
    if (s.error().code == storage::Code::kConstraint)
      return fail(ErrorCode::kBadCsv, "the facility list has the same 施設ID twice");
    return unexpected_storage(s.error());
  }
  return v;
}

Result<int> facility_count(storage::Database& db) {
  auto st = db.prepare("SELECT count(*) FROM facilities");
  if (!st) return unexpected_storage(st.error());
  (void)st->step();
  return static_cast<int>(st->column_int(0));
}

Result<std::optional<FacilityListVersion>> facility_list_version(storage::Database& db) {
  auto st = db.prepare("SELECT version, loaded_at, rows FROM facility_lists ORDER BY version DESC LIMIT 1");
  if (!st) return unexpected_storage(st.error());
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return std::optional<FacilityListVersion>{};
  return std::optional<FacilityListVersion>{
      FacilityListVersion{st->column_int(0), st->column_text(1), static_cast<int>(st->column_int(2))}};
}

Result<std::vector<Facility>> all_facilities(storage::Database& db) {
  auto st = db.prepare(
      "SELECT facility_id, city, service_type, jigyosho_no, name, postal_code, address, capacity, corp_name, "
      "corp_postal_code, corp_address, rep_title, rep_name, amount FROM facilities ORDER BY facility_id");
  if (!st) return unexpected_storage(st.error());
  std::vector<Facility> out;
  for (;;) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    Facility f;
    f.facility_id = st->column_text(0);
    f.city = st->column_text(1);
    f.service_type = st->column_text(2);
    f.jigyosho_no = st->column_text(3);
    f.name = st->column_text(4);
    f.postal_code = st->column_text(5);
    f.address = st->column_text(6);
    f.capacity = st->column_int(7);
    f.corp_name = st->column_text(8);
    f.corp_postal_code = st->column_text(9);
    f.corp_address = st->column_text(10);
    f.rep_title = st->column_text(11);
    f.rep_name = st->column_text(12);
    f.amount = st->column_int(13);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace station::store
