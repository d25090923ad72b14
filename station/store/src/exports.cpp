// The exports tables in SQL (exports.h).
#include "station/store/exports.h"

#include <cstdio>

#include "station/clock.h"
#include "station/store/envelopes.h"
#include "station/store/error.h"

namespace station::store {

Result<std::string> next_file_no(storage::Database& db, const std::string& today) {
  auto cnt = db.prepare("SELECT count(*) FROM exports WHERE created_at LIKE ?");
  if (!cnt) return unexpected_storage(cnt.error());
  cnt->bind(1, today + "%");
  (void)cnt->step();
  char no[32];
  std::snprintf(no, sizeof no, "M-%s-%02lld", compact_date(today).c_str(),
                static_cast<long long>(cnt->column_int(0) + 1));
  return std::string(no);
}

Status record_export(storage::Database& db, const std::string& file_no, std::int64_t created_by,
                     const std::string& created_at, int applications, const std::vector<std::int64_t>& envelope_ids) {
  auto s = db.transaction([&]() -> storage::Status {
    auto ins = db.prepare("INSERT INTO exports(file_no, created_by, created_at, applications) VALUES (?,?,?,?)");
    if (!ins) return std::unexpected(ins.error());
    ins->bind(1, file_no).bind(2, created_by).bind(3, created_at).bind(4, std::int64_t{applications});
    if (auto r = ins->run(); !r) return r;
    const auto export_id = db.last_insert_id();
    for (const auto envelope_id : envelope_ids) {
      auto item = db.prepare("INSERT INTO export_items(export_id, envelope_id) VALUES (?, ?)");
      if (!item) return std::unexpected(item.error());
      item->bind(1, export_id).bind(2, envelope_id);
      if (auto r = item->run(); !r) return r;
      // A failed state change reads as a bug (kInternal), as it always has.
      auto up = transition(db, envelope_id, lifecycle::Event::kExported);
      if (!up) return storage::fail(storage::Code::kInvalid, up.error().detail);
    }
    return {};
  });
  if (!s) return unexpected_storage(s.error());
  return {};
}

}  // namespace station::store
