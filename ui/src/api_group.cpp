// Group verification's JSON API (see api_group.h and docs/ui.md).
#include "api_group.h"

#include <charconv>
#include <map>

#include "api_v1.h"

namespace ui::api_v1 {

namespace {

using station::ErrorCode;

constexpr const char* kBodyReason =
    "送信された内容の形が正しくありません。画面を更新してから、もう一度確定してください。";

}  // namespace

nlohmann::json doubtful_character_json(const station::DoubtfulCharacter& d, const station::PageInfo* page,
                                       int max_width) {
  const auto& b = d.reading.box;
  nlohmann::json j{{"field_id", d.field_id},
                   {"envelope_id", d.envelope_id},
                   {"receipt_no", d.receipt_no},
                   {"page_id", d.page_id},
                   {"key", d.field_key},
                   {"label_ja", d.label_ja},
                   {"index", d.index},
                   {"length", d.length},
                   {"c", d.reading.c},
                   {"confidence", d.reading.confidence},
                   {"alternatives", d.reading.alternatives},
                   {"box", {{"x", b.x}, {"y", b.y}, {"w", b.w}, {"h", b.h}}}};
  if (page != nullptr) {
    j["page"] = page_json(*page, max_width);
  } else {
    j["page"] = nullptr;
  }
  return j;
}

Reply list_doubtful_characters(station::Station& st, const station::User& actor, std::string_view chars,
                               std::string_view envelope, int max_width) {
  station::CharacterQuery q;
  q.chars = std::string(chars);
  if (q.chars.size() > 64) return invalid("chars too long", "集める文字は 64 文字までにしてください。");
  if (!envelope.empty()) {
    const auto [p, ec] = std::from_chars(envelope.data(), envelope.data() + envelope.size(), q.envelope_id);
    if (ec != std::errc{} || p != envelope.data() + envelope.size() || q.envelope_id < 0)
      return invalid("bad envelope id", "封筒の指定が正しくありません。受付一覧から開き直してください。");
  }
  auto group = station::doubtful_characters(st, actor, q);
  if (!group) return failed(group.error());
  // Each page's description once (its size and image URL), for the cells' crops.
  std::map<std::int64_t, std::vector<station::PageInfo>> pages_of;
  auto cells = nlohmann::json::array();
  for (const auto& d : group->cells) {
    auto it = pages_of.find(d.envelope_id);
    if (it == pages_of.end()) {
      auto pgs = st.pages(actor, d.envelope_id);
      if (!pgs) return failed(pgs.error());
      it = pages_of.emplace(d.envelope_id, std::move(*pgs)).first;
    }
    const station::PageInfo* page = nullptr;
    for (const auto& p : it->second)
      if (p.id == d.page_id) page = &p;
    cells.push_back(doubtful_character_json(d, page, max_width));
  }
  return Reply{200,
               {{"chars", q.chars.empty() ? std::string("0123456789") : q.chars},
                {"threshold", st.config().confidence_threshold},
                {"fields", group->fields},
                {"truncated", group->truncated},
                {"cells", cells}},
               std::nullopt};
}

Reply decide_doubtful_characters(station::Station& st, const station::User& actor, std::string_view body) {
  const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("cells") || !j["cells"].is_array())
    return invalid("body must be {\"cells\": [...]}", kBodyReason);
  std::vector<station::CharacterDecision> decisions;
  for (const auto& c : j["cells"]) {
    if (!c.is_object() || !c.contains("field_id") || !c["field_id"].is_number_integer() || !c.contains("index") ||
        !c["index"].is_number_integer() || !c.contains("read") || !c["read"].is_string() || !c.contains("value") ||
        !c["value"].is_string())
      return invalid("a cell must be {field_id, index, read, value}", kBodyReason);
    const auto index = c["index"].get<std::int64_t>();
    if (index < 0 || index > 100000) return invalid("bad index", kBodyReason);
    decisions.push_back(station::CharacterDecision{c["field_id"].get<std::int64_t>(), static_cast<int>(index),
                                                   c["read"].get<std::string>(), c["value"].get<std::string>()});
  }
  auto r = station::decide_characters(st, actor, decisions);
  if (!r) return failed(r.error());
  auto refused = nlohmann::json::array();
  for (const auto& x : r->refused) refused.push_back({{"field_id", x.field_id}, {"reason_ja", x.reason_ja}});
  return Reply{200, {{"confirmed", r->confirmed}, {"corrected", r->corrected}, {"refused", refused}}, std::nullopt};
}

}  // namespace ui::api_v1
