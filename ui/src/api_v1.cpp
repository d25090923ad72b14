// JSON shapes of /api/v1 (see api_v1.h and docs/ui.md).
#include "api_v1.h"

#include "station/double_entry.h"

#include <algorithm>
#include <cmath>

namespace ui::api_v1 {

namespace {

// Bytes of the UTF-8 sequence starting with `lead` (1 for a stray continuation byte).
std::size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

std::string status_name(station::FieldStatus s) {
  return s == station::FieldStatus::kConfirmed ? "confirmed" : "suggested";
}

}  // namespace

std::vector<CharDoubt> chars_from_value(std::string_view value, double confidence) {
  std::vector<CharDoubt> out;
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t n = std::min(utf8_length(static_cast<unsigned char>(value[i])), value.size() - i);
    out.push_back(CharDoubt{std::string(value.substr(i, n)), confidence, {}});
    i += n;
  }
  return out;
}

std::vector<CharDoubt> chars_from_reader(std::string_view reader_chars, std::string_view value) {
  if (reader_chars.empty()) return {};
  const auto j = nlohmann::json::parse(reader_chars, nullptr, false);
  if (j.is_discarded() || !j.is_array() || j.empty()) return {};
  std::vector<CharDoubt> out;
  std::string joined;
  for (const auto& c : j) {
    if (!c.is_object() || !c.contains("c") || !c["c"].is_string() || !c.contains("confidence") ||
        !c["confidence"].is_number())
      return {};
    CharDoubt d{c["c"].get<std::string>(), std::clamp(c["confidence"].get<double>(), 0.0, 1.0), {}};
    if (c.contains("alternatives") && c["alternatives"].is_array())
      for (const auto& a : c["alternatives"])
        if (a.is_string()) d.alternatives.push_back(a.get<std::string>());
    joined += d.c;
    out.push_back(std::move(d));
  }
  // The reader's characters must spell the value (spaces aside): a value a later step changed
  // (a date reconciled, a repaired name) keeps only the value's own doubt.
  const auto bare = [](std::string_view x) {
    std::string o;
    for (std::size_t i = 0; i < x.size();) {
      if (x[i] == ' ') { ++i; continue; }
      if (x.substr(i, 3) == "\u3000") { i += 3; continue; }
      o += x[i++];
    }
    return o;
  };
  if (bare(joined) != bare(value)) return {};
  return out;
}

int page_image_width(const station::PageInfo& p, int max_width) {
  return p.width > 0 ? std::min(p.width, max_width) : max_width;
}

std::string page_image_url(const station::PageInfo& p, int max_width) {
  return "/api/v1/pages/" + std::to_string(p.id) + "/image?w=" + std::to_string(page_image_width(p, max_width));
}

nlohmann::json user_json(const station::User& u) {
  return {{"username", u.username},
          {"role", std::string(station::role_name(u.role))},
          {"role_ja", std::string(station::role_label_ja(u.role))}};
}

nlohmann::json envelope_json(const station::EnvelopeSummary& e) {
  return {{"id", e.id},
          {"receipt_no", e.receipt_no},
          {"received_date", e.received_date},
          {"pages", e.pages},
          {"fields_total", e.fields_total},
          {"fields_confirmed", e.fields_confirmed},
          {"state", std::string(station::state_name(e.state))},
          {"state_ja", e.status_ja}};
}

nlohmann::json page_json(const station::PageInfo& p, int max_width) {
  return {{"id", p.id},
          {"seq", p.seq},
          {"kind", p.kind},
          {"width", p.width},
          {"height", p.height},
          {"image_url", page_image_url(p, max_width)},
          {"image_width", page_image_width(p, max_width)}};
}

bool needs_attention(const station::FieldInfo& f, double threshold) {
  if (f.status == station::FieldStatus::kConfirmed) return false;
  return f.needs_attention || f.confidence < threshold || f.value.empty() || !f.export_note_ja.empty();
}

nlohmann::json field_json(const station::FieldInfo& f, double threshold) {
  const bool confirmed = f.status == station::FieldStatus::kConfirmed;
  auto reasons = nlohmann::json::array();
  if (!confirmed) {
    if (f.value.empty()) {
      reasons.push_back({{"code", "unreadable"}, {"text_ja", "読み取れませんでした。原本を見て入力してください。"}});
    } else if (f.confidence < threshold) {
      reasons.push_back({{"code", "low_confidence"},
                         {"text_ja", "読み取りの確かさが " + std::to_string(static_cast<int>(std::lround(f.confidence * 100))) +
                                         "% です。原本と見比べてください。"}});
    } else if (f.needs_attention) {
      reasons.push_back({{"code", "flagged"}, {"text_ja", "読み取り時に確認が必要と判定されました。"}});
    }
    if (!f.export_note_ja.empty()) reasons.push_back({{"code", "export_uncertain"}, {"text_ja", f.export_note_ja}});
  }
  const std::string& shown = confirmed ? f.confirmed_value : f.value;
  // The reading's characters and their doubt; once a person has confirmed the value, none is
  // doubtful any more.
  auto chars = nlohmann::json::array();
  std::vector<CharDoubt> doubts = chars_from_reader(f.reader_chars, f.value);
  const bool from_reader = !doubts.empty();
  if (!from_reader) doubts = chars_from_value(f.value, f.confidence);
  for (const auto& c : doubts)
    chars.push_back({{"c", c.c}, {"confidence", c.confidence}, {"alternatives", c.alternatives},
                     {"doubtful", !confirmed && c.confidence < threshold}});
  // Under blind double entry and not decided: what was read is not shown to anyone (a reviewer
  // here may be one of its keyers); the value comes from the entries (api_entries.h).
  const bool blind = !f.entry_state.empty() && !confirmed;
  if (blind) {
    reasons = nlohmann::json::array();
    reasons.push_back({{"code", "double_entry"},
                       {"text_ja", "二重入力の対象です（" +
                                       std::string(station::double_entry::state_label_ja(
                                           station::double_entry::parse_state(f.entry_state)
                                               .value_or(station::double_entry::State::kAwaitingFirst))) +
                                       "）。「二重入力」の画面で入力してください。"}});
    chars = nlohmann::json::array();
  }
  return {{"id", f.id},
          {"key", f.key},
          {"label_ja", f.label_ja},
          {"value", blind ? std::string() : shown},
          {"read_value", blind ? std::string() : f.value},
          {"double_entry", f.entry_state},
          {"confidence", f.confidence},
          {"needs_attention", needs_attention(f, threshold)},
          {"attention", reasons},
          {"status", status_name(f.status)},
          {"confirmed_by", f.confirmed_by},
          {"confirmed_at", f.confirmed_at},
          {"page_id", f.page_id},
          {"box", {{"x", f.box.x}, {"y", f.box.y}, {"w", f.box.w}, {"h", f.box.h}}},
          {"chars", chars},
          {"chars_source", from_reader ? "reader" : "value"},
          {"export_value", blind ? std::string() : f.export_value},
          {"export_note_ja", blind ? std::string() : f.export_note_ja}};
}

nlohmann::json error_json(station::ErrorCode code, std::string_view reason_ja) {
  nlohmann::json j{{"error", std::string(station::error_name(code))}, {"message_ja", std::string(station::message_ja(code))}};
  if (!reason_ja.empty()) j["reason_ja"] = std::string(reason_ja);
  return j;
}

}  // namespace ui::api_v1
