// The correction workflow's JSON API (see api_corrections.h and docs/ui.md).
#include "api_corrections.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <random>

#include "api_review.h"
#include "api_v1.h"

namespace ui::api_v1 {

namespace {

using station::ErrorCode;

Reply error_reply(const station::Error& e) {
  return {station::http_status(e.code), error_json(e.code, e.reason_ja), e};
}

std::string string_of(const nlohmann::json& body, const char* key) {
  if (!body.contains(key) || !body[key].is_string()) return {};
  return body[key].get<std::string>();
}

std::optional<std::chrono::sys_days> parse_day(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  auto num = [&](std::size_t at, std::size_t len, auto& out) {
    auto r = std::from_chars(s.data() + at, s.data() + at + len, out);
    return r.ec == std::errc{} && r.ptr == s.data() + at + len;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

std::string random_token() {
  static std::mutex mu;
  static std::random_device device;
  std::lock_guard lock(mu);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    const unsigned v = device();
    for (int b = 0; b < 8; ++b) out.push_back(kHex[(v >> (4 * b)) & 0xF]);
  }
  return out;
}

}  // namespace

std::string LetterPreviews::put(const std::string& username, std::vector<station::Station::LetterPreview::Page> pages) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  expire(now);
  while (kept_.size() >= kMaxKept) kept_.pop_front();
  kept_.push_back({random_token(), username, now, std::move(pages)});
  return kept_.back().token;
}

std::optional<std::vector<unsigned char>> LetterPreviews::page(const std::string& username, std::string_view token,
                                                               int n) {
  std::lock_guard lock(mu_);
  expire(std::chrono::steady_clock::now());
  for (const auto& k : kept_) {
    if (k.token != token || k.username != username) continue;
    if (n < 1 || static_cast<std::size_t>(n) > k.pages.size()) return std::nullopt;
    return k.pages[static_cast<std::size_t>(n - 1)].png;
  }
  return std::nullopt;
}

void LetterPreviews::expire(std::chrono::steady_clock::time_point now) {
  std::erase_if(kept_, [&](const Kept& k) { return now - k.made > kKeptFor; });
}

std::optional<int> days_until(std::string_view today, std::string_view deadline) {
  auto t = parse_day(today);
  auto d = parse_day(deadline);
  if (!t || !d) return std::nullopt;
  return static_cast<int>((*d - *t).count());
}

Reply preview_letter(station::Station& st, LetterPreviews& kept, const station::User& actor,
                     std::int64_t envelope_id, std::string_view body_text) {
  const auto body = nlohmann::json::parse(body_text, nullptr, /*allow_exceptions=*/false);
  const station::Error bad{ErrorCode::kInvalidInput, "bad preview body",
                           "補正が必要な事項を入力してから、発行前の確認を押してください。"};
  if (body.is_discarded() || !body.is_object()) return error_reply(bad);
  std::vector<station::CorrectionDefect> defects;
  if (body.contains("defects")) {
    if (!body["defects"].is_array()) return error_reply(bad);
    for (const auto& item : body["defects"]) {
      if (!item.is_object()) return error_reply(bad);
      defects.push_back({string_of(item, "code"), string_of(item, "field_key"), string_of(item, "text")});
    }
  }
  constexpr int kPreviewWidth = 1000;
  auto preview = st.preview_correction_letter(actor, envelope_id, defects, string_of(body, "note"), kPreviewWidth);
  if (!preview) return error_reply(preview.error());
  auto pages = nlohmann::json::array();
  const auto count = preview->pages.size();
  std::vector<std::pair<int, int>> sizes;
  for (const auto& p : preview->pages) sizes.emplace_back(p.width, p.height);
  const std::string token = kept.put(actor.username, std::move(preview->pages));
  for (std::size_t i = 0; i < count; ++i)
    pages.push_back({{"number", i + 1},
                     {"url", "/api/v1/letter-previews/" + token + "/" + std::to_string(i + 1) + ".png"},
                     {"width", sizes[i].first},
                     {"height", sizes[i].second}});
  auto days = days_until(preview->request_date, preview->deadline);
  return {200,
          {{"envelope_id", envelope_id},
           {"round", preview->round},
           {"request_date", preview->request_date},
           {"deadline", preview->deadline},
           {"days_left", days ? nlohmann::json(*days) : nlohmann::json()},
           {"pages", pages}},
          std::nullopt};
}

Reply receive_reply(station::Station& st, const station::User& actor, std::int64_t envelope_id,
                    std::string_view body_text) {
  const auto body = nlohmann::json::parse(body_text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object() || !body.contains("reply_envelope_id") ||
      !body["reply_envelope_id"].is_number_integer())
    return error_reply({ErrorCode::kInvalidInput, "body must be {\"reply_envelope_id\": N}",
                        "返送書類として取り込んだ封筒を選んでから、受領を記録してください。"});
  auto r = st.receive_correction(actor, envelope_id, body["reply_envelope_id"].get<std::int64_t>());
  if (!r) return error_reply(r.error());
  auto env = st.envelope(actor, envelope_id);
  if (!env) return error_reply(env.error());
  return {200, {{"round", round_json(*r)}, {"envelope", envelope_json(*env)}}, std::nullopt};
}

nlohmann::json agreed_change_json(const station::AgreedChange& c) {
  return {{"id", c.id},
          {"envelope_id", c.envelope_id},
          {"receipt_no", c.receipt_no},
          {"round", c.round},
          {"field_key", c.field_key},
          {"label_ja", c.label_ja},
          {"old_value", c.old_value},
          {"new_value", c.new_value},
          {"agreed_on", c.agreed_on},
          {"how", c.how},
          {"recorded_by", c.recorded_by},
          {"recorded_at", c.recorded_at}};
}

Reply agreed_changes(station::Station& st, const station::User& actor, std::int64_t envelope_id) {
  auto list = st.agreed_changes(actor, envelope_id);
  if (!list) return error_reply(list.error());
  auto fields = st.fields(actor, envelope_id);
  if (!fields) return error_reply(fields.error());
  auto changes = nlohmann::json::array();
  for (const auto& c : *list) changes.push_back(agreed_change_json(c));
  auto keys = nlohmann::json::array();
  for (const auto& f : *fields)
    keys.push_back({{"key", f.key},
                    {"label_ja", f.label_ja},
                    {"value", f.status == station::FieldStatus::kConfirmed ? f.confirmed_value : f.value}});
  return {200, {{"agreed_changes", changes}, {"fields", keys}, {"today", st.today()}}, std::nullopt};
}

Reply record_agreed_change(station::Station& st, const station::User& actor, std::int64_t envelope_id,
                           std::string_view body_text) {
  const auto body = nlohmann::json::parse(body_text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object() || !body.contains("field_key") || !body["field_key"].is_string() ||
      !body.contains("new_value") || !body["new_value"].is_string())
    return error_reply({ErrorCode::kInvalidInput, "body must be {\"field_key\", \"new_value\", \"agreed_on\", \"how\"}",
                        "変更する項目と変更後の値を入力してから、記録してください。"});
  station::AgreedChange c;
  c.envelope_id = envelope_id;
  c.field_key = string_of(body, "field_key");
  c.new_value = string_of(body, "new_value");
  c.agreed_on = string_of(body, "agreed_on");
  c.how = string_of(body, "how");
  if (body.contains("round") && body["round"].is_number_integer()) c.round = body["round"].get<int>();
  auto r = st.record_agreed_change(actor, c);
  if (!r) return error_reply(r.error());
  return {200, agreed_change_json(*r), std::nullopt};
}

Reply agreed_changes_report(station::Station& st, const station::User& actor, const std::string& from,
                            const std::string& to) {
  for (const auto* d : {&from, &to})
    if (!d->empty() && !parse_day(*d))
      return error_reply({ErrorCode::kInvalidInput, "from/to must be YYYY-MM-DD", "期間の日付は YYYY-MM-DD で指定してください。"});
  auto list = st.agreed_changes_report(actor, from, to);
  if (!list) return error_reply(list.error());
  auto out = nlohmann::json::array();
  for (const auto& c : *list) out.push_back(agreed_change_json(c));
  return {200, {{"agreed_changes", out}, {"from", from}, {"to", to}}, std::nullopt};
}

}  // namespace ui::api_v1
