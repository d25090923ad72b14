// The intake screen's JSON API (see api_intake.h and docs/ui.md).
#include "api_intake.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "api_v1.h"
#include "state_text.h"

namespace ui::api_v1 {
namespace {

using station::ErrorCode;

bool has_flag(const station::PageInfo& p, std::string_view flag) {
  return std::find(p.flags.begin(), p.flags.end(), flag) != p.flags.end();
}

std::string flag_text_ja(std::string_view flag) {
  if (flag == "blank") return "白紙の可能性";
  if (flag == "blank_confirmed") return "白紙（確認済み）";
  if (flag == "dpi_assumed") return "解像度を仮定";
  if (flag == "skew_uncertain") return "傾き補正を確認";
  if (flag == "orientation_uncertain") return "向きを確認";
  return "要確認";
}

std::string kind_ja(std::string_view kind) {
  if (kind == "application") return "申請書";
  if (kind == "pledge") return "誓約書";
  if (kind == "officers") return "役員等名簿";
  if (kind == "passbook") return "通帳の写し";
  if (kind == "envelope") return "封筒";
  if (kind == "separator") return "区切り用紙";
  return "未判別";
}

// `version`: the page's version (its image and turns), so a turned page's thumbnail is a new URL
// the browser has not cached.
nlohmann::json intake_page_json(const station::PageInfo& p, const std::string& version) {
  auto flags = nlohmann::json::array();
  for (const auto& f : p.flags) flags.push_back({{"code", f}, {"text_ja", flag_text_ja(f)}});
  return {{"id", p.id},
          {"seq", p.seq},
          {"kind", p.kind},
          {"kind_ja", kind_ja(p.kind)},
          {"width", p.width},
          {"height", p.height},
          {"flags", flags},
          {"blank", has_flag(p, "blank") && !has_flag(p, "blank_confirmed")},
          {"blank_confirmed", has_flag(p, "blank_confirmed")},
          {"thumbnail_url", page_image_url(p, kThumbnailWidth) + (version.empty() ? "" : "&v=" + version)}};
}

// Whether the intake may change the envelope's pages now (the station decides again on each
// operation; this only spares the clerk buttons that would be refused). A captured envelope the
// background reader is about to read waits for it (it is refused while being read).
bool changeable(station::EnvelopeState s, int fields_confirmed, bool reader_automatic) {
  using S = station::EnvelopeState;
  return fields_confirmed == 0 && (s == S::kInterrupted || (s == S::kCaptured && !reader_automatic) ||
                                   s == S::kRecognized || s == S::kRecognitionFailed);
}

station::Result<nlohmann::json> envelope_with_pages(station::Station& st, const station::User& actor, std::int64_t envelope_id) {
  auto env = st.envelope(actor, envelope_id);
  if (!env) return std::unexpected(env.error());
  auto pages = st.pages(actor, envelope_id);
  if (!pages) return std::unexpected(pages.error());
  auto out = nlohmann::json::array();
  int blank = 0;
  for (const auto& p : *pages) {
    auto version = st.page_version(actor, p.id);
    out.push_back(intake_page_json(p, version ? *version : std::string()));
    if (has_flag(p, "blank") && !has_flag(p, "blank_confirmed")) ++blank;
  }
  auto j = envelope_json(*env);
  j["text_ja"] = state_text_ja(*env);
  j["changeable"] = changeable(env->state, env->fields_confirmed, st.config().recognize_on_capture);
  j["blank_pages"] = blank;
  j["page_list"] = out;
  return j;
}

std::string job_state_ja(std::string_view state) {
  if (state == "running") return "読み取り中";
  if (state == "done") return "完了";
  if (state == "interrupted") return "中断（読み取り済みのページは保存済み）";
  if (state == "failed") return "開始できませんでした";
  return std::string(state);
}

std::string start_error_ja(const station::Error& e, bool import, bool continuing) {
  if (!e.reason_ja.empty()) return e.reason_ja;
  if (e.code == ErrorCode::kNoPages && import)
    return "フォルダーが見つからないか、ページ画像（JPEG・PNG・TIFF・PDF）が入っていません。フォルダーの場所を確認して、もう一度開始してください。";
  if (e.code == ErrorCode::kInvalidInput)
    return "受付日（年-月-日）と同封書類数（0 以上の数）を確認して、もう一度開始してください。";
  if (e.code == ErrorCode::kConflict && continuing)
    return "この封筒は既に文字認識・確認が進んでいるため、ページを追加できません。新しい封筒として読み取ってください。";
  return std::string(station::message_ja(e.code));
}

}  // namespace

Reply intake_scanners(station::Station& st, const station::User& actor) {
  auto devices = st.scanners(actor);
  auto out = nlohmann::json::array();
  std::string note;
  if (!devices) {
    if (devices.error().code == ErrorCode::kForbidden) return failed(devices.error());
    note = devices.error().code == ErrorCode::kCaptureBusy
               ? "スキャナーは読み取り中です。終わってから一覧を更新してください。"
               : "スキャナーの一覧を取得できませんでした。電源とUSBケーブルを確認してください（フォルダーからの取り込みはできます）。";
    Reply r{200, {{"scanners", out}, {"note_ja", note}}, devices.error()};
    return r;
  }
  for (const auto& d : *devices)
    out.push_back({{"name", d.name}, {"vendor", d.vendor}, {"model", d.model}, {"profile", d.profile}});
  if (devices->empty())
    note = "スキャナーが見つかりません。電源とUSBケーブルを確認してください（フォルダーからの取り込みはできます）。";
  return Reply{200, {{"scanners", out}, {"note_ja", note}}, std::nullopt};
}

Reply start_intake_job(station::Station& st, const station::User& actor, std::string_view body, std::string_view today) {
  const auto j = object_body(body);
  if (!j) return invalid("body must be a JSON object", "入力を確認して、もう一度開始してください。");
  station::CaptureJobRequest r;
  const std::string kind = text(*j, "kind");
  if (kind != "scan" && kind != "import")
    return invalid("kind must be scan or import", "読み取り方法（スキャナー・フォルダー）を選んでください。");
  r.import = kind == "import";
  r.folder = text(*j, "folder");
  r.scan.device = text(*j, "device");
  r.scan.source = text(*j, "source");
  r.scan.separate = j->contains("separate") && (*j)["separate"].is_boolean() && (*j)["separate"].get<bool>();
  r.scan.intake.received_date = text(*j, "received_date");
  if (r.scan.intake.received_date.empty()) r.scan.intake.received_date = std::string(today);
  if (j->contains("enclosures")) {
    const auto& e = (*j)["enclosures"];
    if (!e.is_number_integer() || e.get<long long>() < 0 || e.get<long long>() > 999)
      return invalid("enclosures must be 0..999", "同封書類数は 0 から 999 までの数で入力してください。");
    r.scan.intake.enclosures = static_cast<int>(e.get<long long>());
  }
  const bool continuing = j->contains("continue_envelope_id") && !(*j)["continue_envelope_id"].is_null();
  if (continuing) {
    const auto& c = (*j)["continue_envelope_id"];
    if (!c.is_number_integer() || c.get<long long>() <= 0)
      return invalid("continue_envelope_id must be an id", "続きを読み取る封筒を選び直してください。");
    r.scan.continue_envelope = std::to_string(c.get<long long>());
  }
  auto id = st.start_capture(actor, r);
  if (!id) {
    station::Error e = id.error();
    e.reason_ja = start_error_ja(e, r.import, continuing);
    return failed(e);
  }
  return Reply{202, {{"job_id", *id}}, std::nullopt};
}

Reply intake_job(station::Station& st, const station::User& actor, std::int64_t job_id) {
  auto job = st.capture_job(actor, job_id);
  if (!job) return failed(job.error());
  nlohmann::json out{{"id", job->id},
                     {"kind", job->kind},
                     {"state", job->state},
                     {"state_ja", job_state_ja(job->state)},
                     {"pages", job->progress.pages},
                     {"pages_per_minute", static_cast<long>(std::lround(job->progress.pages_per_minute))},
                     {"envelope_count", job->progress.envelopes},
                     {"blank_pages", job->blank_pages},
                     {"flagged_pages", job->flagged_pages},
                     {"problem_ja", job->problem_ja},
                     {"error", job->error},
                     {"continue_envelope_id", job->continue_envelope_id ? nlohmann::json(job->continue_envelope_id)
                                                                         : nlohmann::json()}};
  // The envelopes to show: at the end those written; while it runs those being captured (and the
  // one it continues), so their pages appear as they arrive.
  std::vector<std::int64_t> ids;
  for (const auto& e : job->envelopes) ids.push_back(e.envelope_id);
  if (job->state == "running") {
    auto list = st.list_envelopes(actor);
    if (!list) return failed(list.error());
    for (const auto& e : *list)
      if (e.state == station::EnvelopeState::kCapturing && e.clerk == job->started_by) ids.push_back(e.id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto envelopes = nlohmann::json::array();
  for (const auto id : ids) {
    auto e = envelope_with_pages(st, actor, id);
    if (!e) return failed(e.error());
    for (const auto& r : job->envelopes)
      if (r.envelope_id == id) (*e)["problems_ja"] = r.problems_ja;
    envelopes.push_back(std::move(*e));
  }
  out["envelopes"] = envelopes;
  return Reply{200, out, std::nullopt};
}

Reply intake_envelope(station::Station& st, const station::User& actor, std::int64_t envelope_id) {
  auto e = envelope_with_pages(st, actor, envelope_id);
  if (!e) return failed(e.error());
  return Reply{200, {{"envelope", *e}}, std::nullopt};
}

Reply confirm_blank_page(station::Station& st, const station::User& actor, std::int64_t page_id, std::string_view body) {
  const auto j = object_body(body);
  if (!j || !j->contains("blank") || !(*j)["blank"].is_boolean())
    return invalid("body must be {\"blank\": bool}", "「白紙」か「白紙ではない」を選んでください。");
  if (auto s = st.confirm_blank(actor, page_id, (*j)["blank"].get<bool>()); !s) return failed(s.error());
  return Reply{200, {{"page_id", page_id}, {"blank", (*j)["blank"].get<bool>()}}, std::nullopt};
}

Reply rotate_page(station::Station& st, const station::User& actor, std::int64_t page_id, std::string_view body) {
  const auto j = object_body(body);
  if (!j || !j->contains("degrees") || !(*j)["degrees"].is_number_integer())
    return invalid("body must be {\"degrees\": 90|180|270}", "回転は 90 度・180 度・270 度のどれかを選んでください。");
  if (auto s = st.rotate_page(actor, page_id, (*j)["degrees"].get<int>()); !s) return failed(s.error());
  return Reply{200, {{"page_id", page_id}}, std::nullopt};
}

Reply reorder_pages(station::Station& st, const station::User& actor, std::int64_t envelope_id, std::string_view body) {
  const auto j = object_body(body);
  const char* ja = "ページの並びを受け付けられませんでした。画面を開き直してからもう一度操作してください。";
  if (!j || !j->contains("page_ids") || !(*j)["page_ids"].is_array()) return invalid("body must be {\"page_ids\": [...]}", ja);
  std::vector<std::int64_t> ids;
  for (const auto& v : (*j)["page_ids"]) {
    if (!v.is_number_integer()) return invalid("page_ids must be integers", ja);
    ids.push_back(v.get<std::int64_t>());
  }
  if (auto s = st.reorder_pages(actor, envelope_id, ids); !s) return failed(s.error());
  return intake_envelope(st, actor, envelope_id);
}

Reply move_page(station::Station& st, const station::User& actor, std::int64_t page_id, std::string_view body) {
  const auto j = object_body(body);
  const char* ja = "移動先の受付番号を入力してください。";
  if (!j) return invalid("body must be a JSON object", ja);
  std::int64_t to = 0;
  if (j->contains("to_envelope_id") && (*j)["to_envelope_id"].is_number_integer()) {
    to = (*j)["to_envelope_id"].get<std::int64_t>();
  } else {
    const std::string receipt = text(*j, "to_receipt_no");
    if (receipt.empty()) return invalid("to_receipt_no or to_envelope_id needed", ja);
    auto list = st.list_envelopes(actor);
    if (!list) return failed(list.error());
    for (const auto& e : *list)
      if (e.receipt_no == receipt) to = e.id;
    if (to == 0)
      return failed(station::Error{ErrorCode::kNotFound, "no envelope with that receipt number",
                                   "その受付番号の封筒はありません。受付簿で受付番号を確かめてから入力してください。"});
  }
  if (auto s = st.move_page(actor, page_id, to); !s) return failed(s.error());
  return Reply{200, {{"page_id", page_id}, {"to_envelope_id", to}}, std::nullopt};
}

Reply intake_log(station::Station& st, const station::User& actor, std::string_view date) {
  auto rows = st.intake_log(actor, date);
  if (!rows) return failed(rows.error());
  auto out = nlohmann::json::array();
  for (const auto& r : *rows)
    out.push_back({{"envelope_id", r.envelope_id},
                   {"receipt_no", r.receipt_no},
                   {"received_date", r.received_date},
                   {"received_at", r.received_at},
                   {"clerk", r.clerk},
                   {"enclosures", r.enclosures},
                   {"pages", r.pages},
                   {"blank_pages", r.blank_pages},
                   {"flagged_pages", r.flagged_pages},
                   {"source", r.source},
                   {"source_ja", r.source == "scan" ? "スキャン" : "取り込み"},
                   {"status", r.status},
                   {"status_ja", station::parse_state(r.status) ? std::string(station::state_label_ja(*station::parse_state(r.status)))
                                                                : r.status}});
  return Reply{200, {{"date", date}, {"rows", out}, {"xlsx_url", "/api/v1/intake/log.xlsx?date=" + std::string(date)}},
               std::nullopt};
}

}  // namespace ui::api_v1
