// The Zengin code tables in SQL (zengin.h).
#include "station/store/zengin.h"

#include "station/store/error.h"

namespace station::store {

Status replace_zengin(storage::Database& db, const std::string& version, const std::string& sha256,
                      const std::vector<ZenginEntry>& entries, std::optional<std::int64_t> loaded_by,
                      const std::string& loaded_at) {
  auto s = db.transaction([&]() -> storage::Status {
    if (auto r = db.exec("DELETE FROM zengin_branches; DELETE FROM zengin_banks;"); !r) return r;
    auto bank = db.prepare("INSERT INTO zengin_banks(code, name, kana) VALUES (?,?,?)");
    if (!bank) return std::unexpected(bank.error());
    auto branch = db.prepare("INSERT INTO zengin_branches(bank_code, code, name, kana) VALUES (?,?,?,?)");
    if (!branch) return std::unexpected(branch.error());
    std::int64_t banks = 0, branches = 0;
    for (const auto& e : entries) {
      auto& ins = e.branch_code.empty() ? *bank : *branch;
      if (auto r = ins.reset(); !r) return r;
      if (e.branch_code.empty()) {
        ins.bind(1, e.bank_code).bind(2, e.name).bind(3, e.kana);
        ++banks;
      } else {
        ins.bind(1, e.bank_code).bind(2, e.branch_code).bind(3, e.name).bind(4, e.kana);
        ++branches;
      }
      if (auto r = ins.run(); !r) return r;
    }
    auto v = db.prepare(
        "INSERT INTO zengin_versions(version, sha256, banks, branches, loaded_at, loaded_by) VALUES (?,?,?,?,?,?)");
    if (!v) return std::unexpected(v.error());
    v->bind(1, version).bind(2, sha256).bind(3, banks).bind(4, branches).bind(5, loaded_at).bind(6, loaded_by);
    return v->run();
  });
  if (!s) return unexpected_storage(s.error());
  return {};
}

Result<std::optional<std::string>> zengin_version(storage::Database& db) {
  auto q = db.prepare("SELECT version FROM zengin_versions ORDER BY id DESC LIMIT 1");
  if (!q) return unexpected_storage(q.error());
  auto row = q->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return std::optional<std::string>{};
  return std::optional<std::string>(q->column_text(0));
}

namespace {
Result<std::vector<ZenginEntry>> read_entries(storage::Statement& q, bool branches) {
  std::vector<ZenginEntry> out;
  for (;;) {
    auto row = q.step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    ZenginEntry e;
    e.bank_code = q.column_text(0);
    if (branches) e.branch_code = q.column_text(1);
    e.name = q.column_text(branches ? 2 : 1);
    e.kana = q.column_text(branches ? 3 : 2);
    out.push_back(std::move(e));
  }
  return out;
}
}  // namespace

Result<std::vector<ZenginEntry>> zengin_banks(storage::Database& db) {
  auto q = db.prepare("SELECT code, name, kana FROM zengin_banks ORDER BY code");
  if (!q) return unexpected_storage(q.error());
  return read_entries(*q, false);
}

Result<std::vector<ZenginEntry>> zengin_branches(storage::Database& db, const std::string& bank_code) {
  auto q = db.prepare("SELECT bank_code, code, name, kana FROM zengin_branches WHERE bank_code = ? ORDER BY code");
  if (!q) return unexpected_storage(q.error());
  q->bind(1, bank_code);
  return read_entries(*q, true);
}

}  // namespace station::store
