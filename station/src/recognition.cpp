// Recognition (store-backed): every page of the envelope is classified and read by the same code
// as the store-less recognizer (recognition_engine.h); the values become rows of `fields` with
// their page and pixel box, and pages.kind / pages.rotation are set.
#include "ocr/comb.h"
#include "station/recognition/recognize.h"
#include "station/recognition/templates.h"
#include "station_impl.h"

namespace station {

Result<int> Station::recognize(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "recognise envelopes"); !s)
    return std::unexpected(s.error());
  auto templates = recognition::load_templates(recognition::templates_dir(impl_->config));
  if (!templates) return std::unexpected(templates.error());
  std::vector<std::int64_t> page_ids;
  {
    std::lock_guard lock(impl_->mu);
    if (auto e = impl_->load_envelope(envelope_id); !e) return std::unexpected(e.error());
    auto st = impl_->db.prepare("SELECT id FROM pages WHERE envelope_id = ? ORDER BY seq");
    if (!st) return unexpected_storage(st.error());
    st->bind(1, envelope_id);
    while (true) {
      auto row = st->step();
      if (!row) return unexpected_storage(row.error());
      if (!*row) break;
      page_ids.push_back(st->column_int(0));
    }
  }
  // The stored images as captured (rotation 0): recognition decides the rotation afresh.
  std::vector<ocr::Image> images;
  std::vector<int> stored_rotation;
  for (const auto id : page_ids) {
    int rotation = 0;
    auto img = impl_->load_page(id, &rotation);
    if (!img) return std::unexpected(img.error());
    images.push_back(img->rotated((4 - rotation / 90 % 4) % 4));
    stored_rotation.push_back(rotation);
  }
  recognition::EnvelopeRecognition result;
  {
    std::lock_guard ocr_lock(impl_->ocr_mu);
    auto engine = impl_->ocr_engine();
    if (!engine) return std::unexpected(engine.error());
    result = recognition::recognize_pages(images, *templates, **engine);
  }
  std::lock_guard lock(impl_->mu);
  auto& db = impl_->db;
  auto s = db.transaction([&]() -> storage::Status {
    for (std::size_t i = 0; i < page_ids.size(); ++i) {
      auto up = db.prepare("UPDATE pages SET kind = ?, rotation = ? WHERE id = ?");
      if (!up) return std::unexpected(up.error());
      up->bind(1, result.pages[i].kind).bind(2, std::int64_t{result.pages[i].rotation}).bind(3, page_ids[i]);
      if (auto r = up->run(); !r) return r;
    }
    for (const auto& v : result.values) {
      auto st = db.prepare(
          "INSERT INTO fields(envelope_id, key, value, confidence, page_id, x, y, w, h) VALUES (?,?,?,?,?,?,?,?,?) "
          "ON CONFLICT(envelope_id, key) DO UPDATE SET value = excluded.value, confidence = excluded.confidence, "
          "page_id = excluded.page_id, x = excluded.x, y = excluded.y, w = excluded.w, h = excluded.h "
          "WHERE status <> 'confirmed'");
      if (!st) return std::unexpected(st.error());
      st->bind(1, envelope_id).bind(2, v.key).bind(3, v.value).bind(4, v.confidence);
      st->bind(5, page_ids[static_cast<std::size_t>(v.page)]).bind(6, std::int64_t{v.box.x}).bind(7, std::int64_t{v.box.y});
      st->bind(8, std::int64_t{v.box.w}).bind(9, std::int64_t{v.box.h});
      if (auto r = st->run(); !r) return r;
    }
    auto env = db.prepare("UPDATE envelopes SET status = 'recognized' WHERE id = ? AND status = 'captured'");
    if (!env) return std::unexpected(env.error());
    env->bind(1, envelope_id);
    return env->run();
  });
  if (!s) return unexpected_storage(s.error());
  const int fields = static_cast<int>(result.values.size());
  impl_->audit(&actor, "envelope.recognize", "envelope:" + std::to_string(envelope_id) + " fields:" +
                                                 std::to_string(fields));
  return fields;
}

}  // namespace station
