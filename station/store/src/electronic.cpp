// The electronic store's tables in SQL (electronic.h).
#include "station/store/electronic.h"

#include "station/store/error.h"
#include "station/store/transaction.h"

namespace station::store {

Result<int> replace_electronic_applications(storage::Database& db, const std::vector<ElectronicRow>& rows,
                                            const std::string& loaded_at, std::int64_t loaded_by) {
  int loaded = 0;
  auto s = transaction(db, [&]() -> Status {
    if (auto r = db.exec("DELETE FROM electronic_applications"); !r) return unexpected_storage(r.error());
    auto ins = db.prepare(
        "INSERT INTO electronic_applications(application_no, facility_id, jigyosho_no, facility_name, received_at) "
        "VALUES (?,?,?,?,?)");
    if (!ins) return unexpected_storage(ins.error());
    for (const auto& row : rows) {
      const auto& a = row.application;
      ins->bind(1, a.application_no).bind(2, a.facility_id).bind(3, a.jigyosho_no).bind(4, a.facility_name);
      ins->bind(5, a.received_at);
      if (auto r = ins->run(); !r) {
        if (r.error().code == storage::Code::kConstraint)
          return fail(ErrorCode::kBadCsv, "line " + std::to_string(row.line) + " repeats an application number");
        return unexpected_storage(r.error());
      }
      ++loaded;
    }
    auto log = db.prepare("INSERT INTO electronic_loads(loaded_at, loaded_by, rows) VALUES (?,?,?)");
    if (!log) return unexpected_storage(log.error());
    log->bind(1, loaded_at).bind(2, loaded_by).bind(3, std::int64_t{loaded});
    if (auto r = log->run(); !r) return unexpected_storage(r.error());
    return {};
  });
  if (!s) return std::unexpected(s.error());
  return loaded;
}

Result<int> electronic_count(storage::Database& db) {
  auto st = db.prepare("SELECT count(*) FROM electronic_applications");
  if (!st) return unexpected_storage(st.error());
  auto r = st->step();
  if (!r) return unexpected_storage(r.error());
  return static_cast<int>(st->column_int(0));
}

Result<std::vector<ElectronicApplication>> electronic_for_facility(storage::Database& db, std::string_view facility_id,
                                                                   std::string_view jigyosho_no) {
  auto st = db.prepare(
      "SELECT application_no, facility_id, jigyosho_no, facility_name, received_at FROM electronic_applications "
      "WHERE (?1 <> '' AND facility_id = ?1) OR (?2 <> '' AND jigyosho_no = ?2) ORDER BY received_at, application_no");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, facility_id).bind(2, jigyosho_no);
  std::vector<ElectronicApplication> out;
  for (;;) {
    auto r = st->step();
    if (!r) return unexpected_storage(r.error());
    if (!*r) break;
    out.push_back({st->column_text(0), st->column_text(1), st->column_text(2), st->column_text(3), st->column_text(4)});
  }
  return out;
}

}  // namespace station::store
