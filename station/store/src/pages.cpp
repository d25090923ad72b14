// The pages table in SQL (pages.h).
#include "station/store/pages.h"

#include <algorithm>

#include "station/store/error.h"
#include "station/text.h"

namespace station::store {

Result<std::int64_t> insert_page(storage::Database& db, const NewPage& page) {
  auto st = db.prepare(
      "INSERT INTO pages(envelope_id, seq, blob_id, source_name, source_page, media_type, width, height, dpi, "
      "dpi_from_file, kind, flags, color_mode) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, page.envelope_id).bind(2, std::int64_t{page.seq}).bind(3, page.blob_id).bind(4, page.source_name);
  st->bind(5, std::int64_t{page.source_page}).bind(6, page.media_type).bind(7, std::int64_t{page.width});
  st->bind(8, std::int64_t{page.height}).bind(9, std::int64_t{page.dpi});
  st->bind(10, std::int64_t{page.dpi_from_file ? 1 : 0}).bind(11, page.kind).bind(12, join(page.flags, ","));
  st->bind(13, page.color_mode);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return db.last_insert_id();
}

Result<std::vector<std::string>> flags(storage::Database& db, std::int64_t page_id) {
  auto sel = row_by_id(db, "SELECT flags FROM pages WHERE id = ?", page_id, "page");
  if (!sel) return std::unexpected(sel.error());
  std::vector<std::string> out;
  for (auto& f : split(sel->column_text(0), ','))
    if (!f.empty()) out.push_back(f);
  return out;
}

Status set_flags(storage::Database& db, std::int64_t page_id, const std::vector<std::string>& flags) {
  auto up = db.prepare("UPDATE pages SET flags = ? WHERE id = ?");
  if (!up) return unexpected_storage(up.error());
  up->bind(1, join(flags, ",")).bind(2, page_id);
  if (auto r = up->run(); !r) return unexpected_storage(r.error());
  return {};
}

Status set_cleaned(storage::Database& db, std::int64_t page_id, const Cleaned& cleaned) {
  auto st = db.prepare(
      "UPDATE pages SET clean_blob_id = ?, skew = ?, orientation_confidence = ?, blank = ?, clean_turns = ? "
      "WHERE id = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, cleaned.blob_id).bind(2, cleaned.skew).bind(3, cleaned.orientation_confidence);
  st->bind(4, std::int64_t{cleaned.blank ? 1 : 0}).bind(5, std::int64_t{cleaned.quarter_turns}).bind(6, page_id);
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return {};
}

Status set_blank(storage::Database& db, std::int64_t page_id, bool blank, std::int64_t confirmed_by) {
  auto up = db.prepare("UPDATE pages SET blank = ?, blank_confirmed_by = ? WHERE id = ?");
  if (!up) return unexpected_storage(up.error());
  up->bind(1, std::int64_t{blank ? 1 : 0}).bind(2, confirmed_by).bind(3, page_id);
  if (auto r = up->run(); !r) return unexpected_storage(r.error());
  return {};
}

Result<std::optional<std::int64_t>> envelope_of(storage::Database& db, std::int64_t page_id) {
  auto env = db.prepare("SELECT envelope_id FROM pages WHERE id = ?");
  if (!env) return unexpected_storage(env.error());
  env->bind(1, page_id);
  auto row = env->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{env->column_int(0)};
}

Result<int> content_page_count(storage::Database& db, std::int64_t envelope_id) {
  auto st = db.prepare("SELECT count(*) FROM pages WHERE envelope_id = ? AND kind <> 'separator'");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  auto row = st->step();
  if (!row) return unexpected_storage(row.error());
  return *row ? static_cast<int>(st->column_int(0)) : 0;
}

Result<FlagCounts> flag_counts(storage::Database& db, const std::vector<std::int64_t>& envelope_ids) {
  auto st = db.prepare(
      "SELECT (SELECT count(*) FROM pages p WHERE p.envelope_id = ?1 AND p.blank = 1 "
      "   AND instr(',' || p.flags || ',', ',blank_confirmed,') = 0), "
      "(SELECT count(*) FROM pages p WHERE p.envelope_id = ?1 AND p.flags <> '')");
  if (!st) return unexpected_storage(st.error());
  FlagCounts c;
  for (auto id : envelope_ids) {
    (void)st->reset();
    st->bind(1, id);
    auto row = st->step();
    if (!row || !*row) continue;
    c.blank_pages += static_cast<int>(st->column_int(0));
    c.flagged_pages += static_cast<int>(st->column_int(1));
  }
  return c;
}

namespace {

constexpr const char* kStoredPageColumns =
    "id, blob_id, coalesce(clean_blob_id, ''), source_name, dpi, dpi_from_file, kind, rotation, registration, turn";

StoredPage stored_page_from_row(const storage::Statement& st) {
  StoredPage p;
  p.id = st.column_int(0);
  p.blob_id = st.column_text(1);
  p.clean_blob_id = st.column_text(2);
  p.source_name = st.column_text(3);
  p.dpi = static_cast<int>(st.column_int(4));
  p.dpi_from_file = st.column_int(5) != 0;
  p.kind = st.column_text(6);
  p.rotation = static_cast<int>(st.column_int(7));
  p.registration = st.column_double(8);
  p.turn = static_cast<int>(st.column_int(9));
  return p;
}

}  // namespace

Result<StoredPage> stored_page(storage::Database& db, std::int64_t page_id) {
  auto st = row_by_id(db, std::string("SELECT ") + kStoredPageColumns + " FROM pages WHERE id = ?", page_id, "page");
  if (!st) return std::unexpected(st.error());
  return stored_page_from_row(*st);
}

Result<std::vector<StoredPage>> stored_pages(storage::Database& db, std::int64_t envelope_id) {
  auto st = db.prepare(std::string("SELECT ") + kStoredPageColumns +
                       " FROM pages WHERE envelope_id = ? AND kind <> 'separator' ORDER BY seq");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  std::vector<StoredPage> out;
  while (true) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    out.push_back(stored_page_from_row(*st));
  }
  return out;
}

Status set_recognized(storage::Database& db, std::int64_t page_id, const Recognized& found) {
  auto up = db.prepare("UPDATE pages SET kind = ?, rotation = ?, registration = ? WHERE id = ?");
  if (!up) return unexpected_storage(up.error());
  up->bind(1, found.kind).bind(2, std::int64_t{found.rotation});
  up->bind(3, found.registration).bind(4, page_id);
  if (auto r = up->run(); !r) return unexpected_storage(r.error());
  return {};
}

Result<std::vector<std::int64_t>> page_ids(storage::Database& db, std::int64_t envelope_id) {
  return ids_by_id(db, "SELECT id FROM pages WHERE envelope_id = ? ORDER BY seq", envelope_id);
}

Result<std::optional<ExportPage>> export_page(storage::Database& db, std::int64_t page_id) {
  auto st = db.prepare(
      "SELECT COALESCE(clean_blob_id, blob_id), media_type, width, height, dpi, (rotation + turn) % 360, "
      "clean_blob_id IS NOT NULL FROM pages WHERE id = ?");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, page_id);
  auto row = st->step();
  if (!row || !*row) return std::optional<ExportPage>{};
  ExportPage p;
  p.blob_id = st->column_text(0);
  p.media_type = st->column_text(1);
  p.width = static_cast<int>(st->column_int(2));
  p.height = static_cast<int>(st->column_int(3));
  p.dpi = static_cast<int>(st->column_int(4));
  p.rotation = static_cast<int>(st->column_int(5));
  p.cleaned = st->column_int(6) != 0;
  return std::optional<ExportPage>{std::move(p)};
}

Result<std::vector<PageInfo>> list_pages(storage::Database& db, std::int64_t envelope_id) {
  auto st = db.prepare(
      "SELECT id, seq, kind, width, height, dpi, dpi_from_file, source_name, flags, rotation + turn, color_mode "
      "FROM pages WHERE envelope_id = ? ORDER BY seq");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, envelope_id);
  std::vector<PageInfo> out;
  while (true) {
    auto row = st->step();
    if (!row) return unexpected_storage(row.error());
    if (!*row) break;
    PageInfo p;
    p.id = st->column_int(0);
    p.envelope_id = envelope_id;
    p.seq = static_cast<int>(st->column_int(1));
    p.kind = st->column_text(2);
    const bool turned = (st->column_int(9) / 90) % 2 == 1;
    p.width = static_cast<int>(st->column_int(turned ? 4 : 3));
    p.height = static_cast<int>(st->column_int(turned ? 3 : 4));
    p.dpi = static_cast<int>(st->column_int(5));
    p.dpi_from_file = st->column_int(6) != 0;
    p.source_name = st->column_text(7);
    p.flags = split(st->column_text(8), ',');
    p.color_mode = st->column_text(10);
    out.push_back(std::move(p));
  }
  return out;
}

// ---- intake page operations (issue #17)

Status set_turn(storage::Database& db, std::int64_t page_id, int turn) {
  auto up = db.prepare("UPDATE pages SET turn = ? WHERE id = ?");
  if (!up) return unexpected_storage(up.error());
  up->bind(1, std::int64_t{((turn % 360) + 360) % 360}).bind(2, page_id);
  if (auto r = up->run(); !r) return unexpected_storage(r.error());
  return {};
}

Result<int> turn_of(storage::Database& db, std::int64_t page_id) {
  auto st = row_by_id(db, "SELECT turn FROM pages WHERE id = ?", page_id, "page");
  if (!st) return std::unexpected(st.error());
  return static_cast<int>(st->column_int(0));
}

namespace {

// Gives the pages seq 1..n in the order of `ids` (all of them the envelope's), through negative
// numbers first so UNIQUE (envelope_id, seq) holds at every step.
Status assign_seq(storage::Database& db, std::int64_t envelope_id, const std::vector<std::int64_t>& ids) {
  auto neg = db.prepare("UPDATE pages SET seq = -seq - 1000000 WHERE envelope_id = ?");
  if (!neg) return unexpected_storage(neg.error());
  neg->bind(1, envelope_id);
  if (auto r = neg->run(); !r) return unexpected_storage(r.error());
  auto up = db.prepare("UPDATE pages SET seq = ? WHERE id = ? AND envelope_id = ?");
  if (!up) return unexpected_storage(up.error());
  std::int64_t seq = 1;
  for (const auto id : ids) {
    if (auto r = up->reset(); !r) return unexpected_storage(r.error());
    up->bind(1, seq++).bind(2, id).bind(3, envelope_id);
    if (auto r = up->run(); !r) return unexpected_storage(r.error());
  }
  return {};
}

}  // namespace

Status reorder_pages(storage::Database& db, std::int64_t envelope_id, const std::vector<std::int64_t>& order) {
  auto ids = page_ids(db, envelope_id);
  if (!ids) return std::unexpected(ids.error());
  auto a = *ids;
  auto b = order;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a != b)
    return fail(ErrorCode::kInvalidInput, "the new order must name every page of the envelope once",
                "封筒のすべてのページを1回ずつ並べてください。画面を開き直してからもう一度操作してください。");
  return assign_seq(db, envelope_id, order);
}

Status move_page(storage::Database& db, std::int64_t page_id, std::int64_t from_envelope, std::int64_t to_envelope) {
  auto to_ids = page_ids(db, to_envelope);
  if (!to_ids) return std::unexpected(to_ids.error());
  auto up = db.prepare(
      "UPDATE pages SET envelope_id = ?1, seq = (SELECT coalesce(max(seq), 0) + 1 FROM pages WHERE envelope_id = ?1) "
      "WHERE id = ?2 AND envelope_id = ?3");
  if (!up) return unexpected_storage(up.error());
  up->bind(1, to_envelope).bind(2, page_id).bind(3, from_envelope);
  if (auto r = up->run(); !r) return unexpected_storage(r.error());
  if (db.changes() != 1) return fail(ErrorCode::kNotFound, "the page is not in that envelope");
  // The envelope it left keeps its order without a gap.
  auto from_ids = page_ids(db, from_envelope);
  if (!from_ids) return std::unexpected(from_ids.error());
  return assign_seq(db, from_envelope, *from_ids);
}

}  // namespace station::store
