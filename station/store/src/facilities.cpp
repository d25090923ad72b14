// The facilities table in SQL (facilities.h).
#include "station/store/facilities.h"

#include "station/store/error.h"

namespace station::store {

Status replace_facilities(storage::Database& db, const std::vector<Facility>& list) {
  auto s = db.transaction([&]() -> storage::Status {
    if (auto d = db.exec("DELETE FROM facilities"); !d) return d;
    auto st = db.prepare(
        "INSERT INTO facilities(facility_id, city, service_type, jigyosho_no, name, postal_code, address, capacity, "
        "corp_name, corp_postal_code, corp_address, rep_title, rep_name, amount) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!st) return std::unexpected(st.error());
    for (const auto& f : list) {
      st->bind(1, f.facility_id).bind(2, f.city).bind(3, f.service_type).bind(4, f.jigyosho_no).bind(5, f.name);
      st->bind(6, f.postal_code).bind(7, f.address).bind(8, f.capacity).bind(9, f.corp_name);
      st->bind(10, f.corp_postal_code).bind(11, f.corp_address).bind(12, f.rep_title).bind(13, f.rep_name);
      st->bind(14, f.amount);
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
  return {};
}

Result<int> facility_count(storage::Database& db) {
  auto st = db.prepare("SELECT count(*) FROM facilities");
  if (!st) return unexpected_storage(st.error());
  (void)st->step();
  return static_cast<int>(st->column_int(0));
}

}  // namespace station::store
