// The electronic-records store: applications the main system received electronically, in a
// database file of their own (electronic.db) under a key of their own. Mailed and electronic
// records never share a table, a file or a key; only the review's duplicate check looks at both.
#include "facilities.h"
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
  auto rows = parse_csv(text);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return fail(ErrorCode::kBadCsv, "the electronic applications file is empty");
  const auto& header = rows->front();
  std::array<std::size_t, kColumns.size()> at{};
  for (std::size_t c = 0; c < kColumns.size(); ++c) {
    auto it = std::find(header.begin(), header.end(), kColumns[c]);
    if (it == header.end()) return fail(ErrorCode::kBadCsv, "column " + std::string(kColumns[c]) + " is missing");
    at[c] = static_cast<std::size_t>(it - header.begin());
  }
  std::lock_guard lock(impl_->edb_mu);
  auto& db = *impl_->edb;
  int loaded = 0;
  auto s = db.transaction([&]() -> storage::Status {
    if (auto r = db.exec("DELETE FROM electronic_applications"); !r) return r;
    auto ins = db.prepare(
        "INSERT INTO electronic_applications(application_no, facility_id, jigyosho_no, facility_name, received_at) "
        "VALUES (?,?,?,?,?)");
    if (!ins) return std::unexpected(ins.error());
    for (std::size_t i = 1; i < rows->size(); ++i) {
      const auto& row = (*rows)[i];
      if (row.size() == 1 && row[0].empty()) continue;  // a blank line
      if (row.size() < header.size())
        return storage::fail(storage::Code::kInvalid, "line " + std::to_string(i + 1) + " has too few columns");
      for (std::size_t c = 0; c < kColumns.size(); ++c) ins->bind(static_cast<int>(c + 1), row[at[c]]);
      if (auto r = ins->run(); !r) {
        if (r.error().code == storage::Code::kConstraint)
          return storage::fail(storage::Code::kInvalid, "line " + std::to_string(i + 1) + " repeats an application number");
        return r;
      }
      ++loaded;
    }
    auto log = db.prepare("INSERT INTO electronic_loads(loaded_at, loaded_by, rows) VALUES (?,?,?)");
    if (!log) return std::unexpected(log.error());
    log->bind(1, impl_->clock().jst_now_iso()).bind(2, actor.id).bind(3, std::int64_t{loaded});
    return log->run();
  });
  if (!s) {
    if (s.error().code == storage::Code::kInvalid) return fail(ErrorCode::kBadCsv, s.error().message);
    return unexpected_storage(s.error());
  }
  impl_->audit(&actor, "electronic.load", "rows:" + std::to_string(loaded));
  return loaded;
}

Result<int> Station::electronic_count(const User& actor) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor, Role::kAdmin}, "read electronic applications"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(impl_->edb_mu);
  auto st = impl_->edb->prepare("SELECT count(*) FROM electronic_applications");
  if (!st) return unexpected_storage(st.error());
  auto r = st->step();
  if (!r) return unexpected_storage(r.error());
  return static_cast<int>(st->column_int(0));
}

Result<std::vector<ElectronicApplication>> Station::electronic_for_facility(const User& actor,
                                                                         std::string_view facility_id,
                                                                         std::string_view jigyosho_no) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor, Role::kAdmin}, "read electronic applications"); !s)
    return std::unexpected(s.error());
  if (facility_id.empty() && jigyosho_no.empty())
    return fail(ErrorCode::kInvalidInput, "give a facility id or a jigyosho number");
  std::lock_guard lock(impl_->edb_mu);
  auto st = impl_->edb->prepare(
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

}  // namespace station
