// Blind double entry's JSON API (see api_entries.h and docs/ui.md).
#include "api_entries.h"

#include <map>
#include <vector>

#include "api_v1.h"

namespace ui::api_v1 {

namespace {

namespace de = station::double_entry;

constexpr const char* kBodyReason = "送信された内容の形が正しくありません。画面を更新してから、もう一度入力してください。";

// The page a task's crop is drawn from (its size and image URL); null when it has none.
nlohmann::json page_of(station::Station& st, const station::User& actor, const de::EntryTask& t, int max_width,
                       std::map<std::int64_t, std::vector<station::PageInfo>>& cache, std::optional<station::Error>& error) {
  auto it = cache.find(t.envelope_id);
  if (it == cache.end()) {
    auto pages = st.pages(actor, t.envelope_id);
    if (!pages) {
      error = pages.error();
      return nullptr;
    }
    it = cache.emplace(t.envelope_id, std::move(*pages)).first;
  }
  for (const auto& p : it->second)
    if (p.id == t.page_id) return page_json(p, max_width);
  return nullptr;
}

nlohmann::json task_json(const de::EntryTask& t, nlohmann::json page) {
  return {{"field_id", t.field_id},
          {"envelope_id", t.envelope_id},
          {"receipt_no", t.receipt_no},
          {"key", t.key},
          {"label_ja", t.label_ja},
          {"type", t.type},
          {"type_ja", de::field_type_label_ja(t.type)},
          {"state", de::state_name(t.state)},
          {"state_ja", de::state_label_ja(t.state)},
          {"round", t.round},
          {"page_id", t.page_id},
          {"box", {{"x", t.box.x}, {"y", t.box.y}, {"w", t.box.w}, {"h", t.box.h}}},
          {"page", std::move(page)}};
}

nlohmann::json outcome_json(const de::EntryOutcome& o) {
  nlohmann::json j{{"field_id", o.field_id},
                   {"state", de::state_name(o.state)},
                   {"state_ja", de::state_label_ja(o.state)},
                   {"confirmed", o.confirmed}};
  // The value only once the field is decided (the two agreed, or the third decided).
  if (o.confirmed) j["value"] = o.value;
  return j;
}

}  // namespace

Reply entry_settings(station::Station& st) {
  const auto settings = st.double_entry_settings();
  auto types = nlohmann::json::array();
  for (const auto& t : settings.types) types.push_back({{"type", t}, {"label_ja", de::field_type_label_ja(t)}});
  auto known = nlohmann::json::array();
  for (const auto& t : de::field_types())
    known.push_back({{"type", t.name}, {"label_ja", t.label_ja}, {"on", de::covers(settings.types, t.name)}});
  return Reply{200, {{"types", types}, {"known", known}}, std::nullopt};
}

Reply entry_tasks(station::Station& st, const station::User& actor, std::string_view queue, int max_width) {
  de::Queue q = de::Queue::kToKey;
  if (queue == "decide") q = de::Queue::kToDecide;
  else if (!queue.empty() && queue != "key")
    return invalid("queue must be key or decide", "一覧の指定が正しくありません。画面を開き直してください。");
  auto tasks = st.entry_tasks(actor, q);
  if (!tasks) return failed(tasks.error());
  std::map<std::int64_t, std::vector<station::PageInfo>> pages;
  std::optional<station::Error> error;
  auto fields = nlohmann::json::array();
  for (const auto& t : *tasks) {
    auto page = page_of(st, actor, t, max_width, pages, error);
    if (error) return failed(*error);
    fields.push_back(task_json(t, std::move(page)));
  }
  return Reply{200, {{"queue", q == de::Queue::kToKey ? "key" : "decide"}, {"fields", fields}}, std::nullopt};
}

Reply submit_entry(station::Station& st, const station::User& actor, std::int64_t field_id, std::string_view body) {
  const auto j = object_body(body);
  if (!j || !j->contains("round") || !(*j)["round"].is_number_integer() || !j->contains("value") ||
      !(*j)["value"].is_string())
    return invalid("body must be {\"round\": 1|2, \"value\": \"...\"}", kBodyReason);
  const auto round = (*j)["round"].get<std::int64_t>();
  if (round != 1 && round != 2) return invalid("round must be 1 or 2", kBodyReason);
  auto r = st.submit_entry(actor, field_id, static_cast<int>(round), (*j)["value"].get<std::string>());
  if (!r) return failed(r.error());
  return Reply{200, outcome_json(*r), std::nullopt};
}

Reply entry_dispute(station::Station& st, const station::User& actor, std::int64_t field_id, int max_width) {
  auto d = st.entry_dispute(actor, field_id);
  if (!d) return failed(d.error());
  std::map<std::int64_t, std::vector<station::PageInfo>> pages;
  std::optional<station::Error> error;
  auto page = page_of(st, actor, d->task, max_width, pages, error);
  if (error) return failed(*error);
  auto entries = nlohmann::json::array();
  for (const auto& e : d->entries)
    entries.push_back({{"round", e.round},
                       {"round_ja", de::round_label_ja(static_cast<de::Round>(e.round))},
                       {"value", e.value},
                       {"user", e.user},
                       {"at", e.at}});
  auto j = task_json(d->task, std::move(page));
  j["entries"] = entries;
  return Reply{200, j, std::nullopt};
}

Reply decide_entry(station::Station& st, const station::User& actor, std::int64_t field_id, std::string_view body) {
  const auto j = object_body(body);
  if (!j || !j->contains("value") || !(*j)["value"].is_string())
    return invalid("body must be {\"value\": \"...\"}", kBodyReason);
  auto r = st.decide_entry(actor, field_id, (*j)["value"].get<std::string>());
  if (!r) return failed(r.error());
  return Reply{200, outcome_json(*r), std::nullopt};
}

}  // namespace ui::api_v1
