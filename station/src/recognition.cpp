// Recognition: page orientation, form classification and field reading.
#include "station_impl.h"
#include "ocr/comb.h"

namespace station {

Result<int> Station::recognize(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "recognise envelopes"); !s)
    return std::unexpected(s.error());
  std::vector<std::pair<std::int64_t, std::string>> page_ids;  // id, media
  {
    std::lock_guard lock(impl_->mu);
    if (auto e = impl_->load_envelope(envelope_id); !e) return std::unexpected(e.error());
    auto st = impl_->db.prepare("SELECT id, media_type FROM pages WHERE envelope_id = ? ORDER BY seq");
    if (!st) return unexpected_storage(st.error());
    st->bind(1, envelope_id);
    while (true) {
      auto row = st->step();
      if (!row) return unexpected_storage(row.error());
      if (!*row) break;
      page_ids.emplace_back(st->column_int(0), st->column_text(1));
    }
  }
  int fields = 0;
  std::lock_guard ocr_lock(impl_->ocr_mu);
  auto engine = impl_->ocr_engine();
  if (!engine) return std::unexpected(engine.error());
  for (const auto& [page_id, media] : page_ids) {
    auto raw = impl_->load_page(page_id);
    if (!raw) return std::unexpected(raw.error());
    if (raw->width() > raw->height()) continue;  // landscape: not 様式第1号
    // 様式第1号 is recognised by its 10-box 事業所番号 row; a page fed upside down is tried turned.
    std::optional<ocr::CombReading> found;
    int rotation = 0;
    for (int turns : {0, 2}) {
      ocr::Image page = turns == 0 ? *raw : raw->rotated(turns);
      const ocr::Box search = mm_to_px(kJigyoshoSearchZone, page.dpi());
      auto comb = ocr::read_comb_row(page, search, kJigyoshoCells, "0123456789", **engine);
      if (comb && comb->filled > 0) {
        found = *comb;
        rotation = turns * 90;
        break;
      }
    }
    if (!found) continue;
    // Empty cells come back as spaces: a blank row (養護・軽費) is an empty value.
    std::string value = found->text;
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of(' ') + 1);
    std::lock_guard lock(impl_->mu);
    auto& db = impl_->db;
    auto s = db.transaction([&]() -> storage::Status {
      auto up = db.prepare("UPDATE pages SET kind = 'application', rotation = ? WHERE id = ?");
      if (!up) return std::unexpected(up.error());
      up->bind(1, std::int64_t{rotation}).bind(2, page_id);
      if (auto r = up->run(); !r) return r;
      auto st = db.prepare(
          "INSERT INTO fields(envelope_id, key, value, confidence, page_id, x, y, w, h) VALUES (?,?,?,?,?,?,?,?,?) "
          "ON CONFLICT(envelope_id, key) DO UPDATE SET value = excluded.value, confidence = excluded.confidence, "
          "page_id = excluded.page_id, x = excluded.x, y = excluded.y, w = excluded.w, h = excluded.h "
          "WHERE status <> 'confirmed'");
      if (!st) return std::unexpected(st.error());
      st->bind(1, envelope_id).bind(2, "facility.jigyosho_no").bind(3, value).bind(4, found->confidence);
      st->bind(5, page_id).bind(6, std::int64_t{found->box.x}).bind(7, std::int64_t{found->box.y});
      st->bind(8, std::int64_t{found->box.w}).bind(9, std::int64_t{found->box.h});
      if (auto r = st->run(); !r) return r;
      auto env = db.prepare("UPDATE envelopes SET status = 'recognized' WHERE id = ? AND status = 'captured'");
      if (!env) return std::unexpected(env.error());
      env->bind(1, envelope_id);
      return env->run();
    });
    if (!s) return unexpected_storage(s.error());
    ++fields;
    break;  // one application form per envelope
  }
  std::lock_guard lock(impl_->mu);
  impl_->audit(&actor, "envelope.recognize", "envelope:" + std::to_string(envelope_id) + " fields:" +
                                                 std::to_string(fields));
  return fields;
}

}  // namespace station
