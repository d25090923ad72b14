// The supervisor's and administrator's screens' JSON API (see api_supervisor.h and docs/ui.md).
#include "api_supervisor.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>
#include <thread>

#include "api_review.h"
#include "api_v1.h"
#include "station/files.h"

namespace ui::api_v1 {

namespace {

using station::ErrorCode;

bool valid_date(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i = 0; i < d.size(); ++i)
    if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9')) return false;
  return true;
}

// The number after `key` in an audit subject ("envelope:3 values:12" → 12 for "values:").
int subject_number(std::string_view subject, std::string_view key) {
  const auto at = subject.find(key);
  if (at == std::string_view::npos) return 0;
  int n = 0;
  const char* first = subject.data() + at + key.size();
  std::from_chars(first, subject.data() + subject.size(), n);
  return n;
}

// The hour (0-23) of an ISO timestamp "YYYY-MM-DDTHH:..." (JST), or -1.
int hour_of(std::string_view at) {
  if (at.size() < 13 || (at[10] != 'T' && at[10] != ' ')) return -1;
  int h = -1;
  std::from_chars(at.data() + 11, at.data() + 13, h);
  return h >= 0 && h < 24 ? h : -1;
}

constexpr station::EnvelopeState kStates[] = {
    station::EnvelopeState::kCapturing,     station::EnvelopeState::kInterrupted,
    station::EnvelopeState::kCaptured,      station::EnvelopeState::kRecognizing,
    station::EnvelopeState::kRecognized,    station::EnvelopeState::kRecognitionFailed,
    station::EnvelopeState::kReviewed,      station::EnvelopeState::kUnderReview,
    station::EnvelopeState::kAwaitingCorrection, station::EnvelopeState::kAccepted,
    station::EnvelopeState::kRejected,      station::EnvelopeState::kReferred,
    station::EnvelopeState::kExported,
};

nlohmann::json sync_json(const station::SyncStatus& s) {
  return {{"configured", s.configured},         {"pending", s.pending},
          {"delivered", s.delivered},           {"oldest_pending_at", s.oldest_pending_at},
          {"last_attempt_at", s.last_attempt_at}, {"last_success_at", s.last_success_at},
          {"last_error", s.last_error},         {"worker_running", s.worker_running}};
}

nlohmann::json report_json(const station::ExportReport& r) {
  return {{"file_no", r.file_no},
          {"date", r.date},
          {"file_name", std::filesystem::path(r.bundle_path).filename().string()},
          {"bytes", [&] {
             std::error_code ec;
             const auto n = std::filesystem::file_size(r.bundle_path, ec);
             return ec ? std::int64_t{0} : static_cast<std::int64_t>(n);
           }()},
          {"sha256", r.sha256},
          {"recipient_fingerprint", r.recipient_fingerprint},
          {"station_fingerprint", r.station_fingerprint},
          {"applications", r.applications},
          {"files", r.files}};
}

constexpr const char* kNoRecipient =
    "県の暗号化用証明書が設定されていません。管理者が「鍵と証明書」の画面で設定してから、もう一度出力してください。";

}  // namespace

Throughput throughput_of(const std::vector<station::AuditEntry>& entries) {
  Throughput t;
  for (const auto& e : entries) {
    const int h = hour_of(e.at);
    if (h < 0) continue;
    auto& c = t.hours[h];
    if (e.action == "envelope.import" || e.action == "envelope.scan") {
      ++c.received;
      ++t.total.received;
    } else if (e.action == "field.confirm" || e.action == "field.correct") {
      ++c.confirmed;
      ++t.total.confirmed;
    } else if (e.action == "values.confirm") {
      const int n = subject_number(e.subject, "values:");
      c.confirmed += n;
      t.total.confirmed += n;
    } else if (e.action == "envelope.decide") {
      ++c.decisions;
      ++t.total.decisions;
    }
  }
  return t;
}

Reply dashboard(station::Station& st, const station::User& actor, std::string_view date_param, std::string_view today) {
  const std::string date(date_param.empty() ? today : date_param);
  if (!valid_date(date)) return invalid("bad date", "日付は YYYY-MM-DD の形で指定してください。");
  auto list = st.list_envelopes(actor);
  if (!list) return failed(list.error());
  std::map<station::EnvelopeState, std::pair<int, int>> counts;  // all, received that day
  for (const auto& e : *list) {
    auto& c = counts[e.state];
    ++c.first;
    if (e.received_date == date) ++c.second;
  }
  auto states = nlohmann::json::array();
  int received = 0;
  for (const auto s : kStates) {
    const auto c = counts[s];
    received += c.second;
    states.push_back({{"state", std::string(station::state_name(s))},
                      {"state_ja", std::string(station::state_label_ja(s))},
                      {"count", c.first},
                      {"received_that_day", c.second}});
  }
  auto overdue = st.corrections(actor, true);
  if (!overdue) return failed(overdue.error());
  station::AuditQuery q;
  q.from_date = date;
  q.to_date = date;
  q.limit = 1'000'000;
  auto entries = st.audit_search(actor, q);
  if (!entries) return failed(entries.error());
  const Throughput t = throughput_of(*entries);
  auto hours = nlohmann::json::array();
  for (int h = 0; h < 24; ++h)
    hours.push_back({{"hour", h}, {"received", t.hours[h].received}, {"confirmed", t.hours[h].confirmed},
                     {"decisions", t.hours[h].decisions}});
  nlohmann::json out{{"date", date},
                     {"today", std::string(today)},
                     {"envelopes_total", list->size()},
                     {"received_that_day", received},
                     {"states", states},
                     {"overdue", corrections_json(*overdue)},
                     {"throughput",
                      {{"hours", hours},
                       {"total",
                        {{"received", t.total.received}, {"confirmed", t.total.confirmed}, {"decisions", t.total.decisions}}}}}};
  if (auto s = st.sync_status(actor)) out["sync"] = sync_json(*s);
  else return failed(s.error());
  if (auto b = st.backup_status(actor)) out["backup"] = {{"last_backup_at", b->last_backup_at}, {"stale", b->stale}};
  else return failed(b.error());
  return Reply{200, out, std::nullopt};
}

nlohmann::json certificate_json(const station::ExportCertificate& c) {
  return {{"subject", c.subject}, {"not_after", c.not_after}, {"fingerprint", c.fingerprint}};
}

// ---- the export job

struct ExportJobs::State {
  station::Station& station;
  std::filesystem::path out_dir;
  std::mutex mu;
  struct Job {
    std::int64_t id = 0;
    std::string stage;  // "preparing", "writing", "done", "failed"
    int total = 0, done = 0;
    std::string date, started_by;
    std::optional<station::ExportReport> report;
    std::optional<station::Error> error;
  };
  std::map<std::int64_t, Job> jobs;
  std::int64_t next_id = 1;
  bool running = false;
  std::thread worker;

  State(station::Station& s, std::filesystem::path d) : station(s), out_dir(std::move(d)) {}

  nlohmann::json job_json(const Job& j) const {
    static const std::map<std::string, std::string> kStageJa{{"preparing", "出力する申請を数えています"},
                                                            {"writing", "申請書の PDF と一覧表を作り、署名・暗号化しています"},
                                                            {"done", "出力が終わりました"},
                                                            {"failed", "出力できませんでした"}};
    nlohmann::json out{{"id", j.id},
                       {"stage", j.stage},
                       {"stage_ja", kStageJa.at(j.stage)},
                       {"stages", {"preparing", "writing", "done"}},
                       {"total", j.total},
                       {"done", j.done},
                       {"date", j.date},
                       {"finished", j.stage == "done" || j.stage == "failed"},
                       {"result", nullptr},
                       {"error", nullptr}};
    if (j.report) {
      out["result"] = report_json(*j.report);
      out["download_url"] = "/api/v1/export/jobs/" + std::to_string(j.id) + "/download";
    }
    if (j.error) out["error"] = error_json(j.error->code, j.error->reason_ja);
    return out;
  }
};

ExportJobs::ExportJobs(station::Station& st, std::filesystem::path out_dir)
    : state_(std::make_shared<State>(st, std::move(out_dir))) {}

ExportJobs::~ExportJobs() {
  std::thread t;
  {
    std::lock_guard lock(state_->mu);
    t = std::move(state_->worker);
  }
  if (t.joinable()) t.join();
}

Reply ExportJobs::start(const station::User& actor, std::string_view body) {
  const auto j = object_body(body);
  if (!j) return invalid("body must be a JSON object", "");
  const std::string date = text(*j, "date");
  if (!date.empty() && !valid_date(date)) return invalid("bad date", "日付は YYYY-MM-DD の形で指定してください。");
  auto& s = *state_;
  // What can be known before starting: the role (the station's), the certificate, something waiting.
  if (auto r = s.station.export_recipient(actor); !r) {
    station::Error e = r.error();
    if (e.code == ErrorCode::kNotFound) e = station::Error{ErrorCode::kConflict, "no recipient certificate", kNoRecipient};
    return failed(e);
  }
  auto waiting = s.station.envelopes_in_state(actor, station::EnvelopeState::kAccepted);
  if (!waiting) return failed(waiting.error());
  if (waiting->empty())
    return failed(station::Error{ErrorCode::kNothingToExport, "nothing accepted is waiting",
                                 "出力を待つ受理済みの申請がありません。"});
  std::thread previous;
  std::int64_t id = 0;
  {
    std::lock_guard lock(s.mu);
    if (s.running)
      return failed(station::Error{ErrorCode::kConflict, "an export is running",
                                   "別の出力が実行中です。終わるまで待ってください。"});
    previous = std::move(s.worker);
    id = s.next_id++;
    State::Job job;
    job.id = id;
    job.stage = "preparing";
    job.total = static_cast<int>(waiting->size());
    job.date = date;
    job.started_by = actor.username;
    s.jobs[id] = job;
    s.running = true;
  }
  if (previous.joinable()) previous.join();  // finished already (running was false)
  std::lock_guard lock(s.mu);
  s.worker = std::thread([state = state_, actor, id, date] {
    {
      std::lock_guard l(state->mu);
      state->jobs[id].stage = "writing";
    }
    std::error_code ec;
    std::filesystem::create_directories(state->out_dir, ec);  // export_batch reports a failure itself
    // Per application written: the job's done / total, which the screen shows as it goes.
    auto progress = [&state, id](int done, int total) {
      std::lock_guard l(state->mu);
      auto& job = state->jobs[id];
      job.done = done;
      job.total = total;
    };
    auto report = state->station.export_batch(actor, state->out_dir, date, progress);
    std::lock_guard l(state->mu);
    auto& job = state->jobs[id];
    if (report) {
      job.report = *report;  // done / total: as the export's progress last told them
      job.date = report->date;
      job.stage = "done";
    } else {
      job.error = report.error();
      if (job.error->code == ErrorCode::kConflict && job.error->reason_ja.empty()) job.error->reason_ja = kNoRecipient;
      job.stage = "failed";
    }
    state->running = false;
  });
  return Reply{202, {{"job", s.job_json(s.jobs[id])}}, std::nullopt};
}

Reply ExportJobs::status(const station::User&, std::int64_t id) {
  std::lock_guard lock(state_->mu);
  const auto it = state_->jobs.find(id);
  if (it == state_->jobs.end())
    return failed(station::Error{ErrorCode::kNotFound, "no such export job", "その出力の記録はありません。画面を開き直してください。"});
  // A failed job's error goes to the server's log with the answer (English, no personal value);
  // the screen stops asking once the job has finished.
  return Reply{200, {{"job", state_->job_json(it->second)}}, it->second.error};
}

Reply ExportJobs::overview(const station::User& actor) {
  auto& s = *state_;
  nlohmann::json out{{"recipient", nullptr}, {"waiting", 0}, {"last_job", nullptr}, {"running", false}};
  if (auto r = s.station.export_recipient(actor)) out["recipient"] = certificate_json(*r);
  else if (r.error().code != ErrorCode::kNotFound) return failed(r.error());
  auto waiting = s.station.envelopes_in_state(actor, station::EnvelopeState::kAccepted);
  if (!waiting) return failed(waiting.error());
  out["waiting"] = waiting->size();
  std::lock_guard lock(s.mu);
  out["running"] = s.running;
  if (!s.jobs.empty()) out["last_job"] = s.job_json(s.jobs.rbegin()->second);
  return Reply{200, out, std::nullopt};
}

station::Result<ExportJobs::File> ExportJobs::download(const station::User&, std::int64_t id) {
  std::string path;
  {
    std::lock_guard lock(state_->mu);
    const auto it = state_->jobs.find(id);
    if (it == state_->jobs.end() || !it->second.report)
      return station::fail(ErrorCode::kNotFound, "no finished export with that id",
                           "その出力ファイルはありません。出力が終わってから保存してください。");
    path = it->second.report->bundle_path;
  }
  auto bytes = station::read_file(path);
  if (!bytes) return std::unexpected(bytes.error());
  return File{std::filesystem::path(path).filename().string(), std::string(bytes->begin(), bytes->end())};
}

// ---- keys

Reply keys_overview(station::Station& st, const station::User& actor) {
  nlohmann::json out{{"recipient", nullptr}, {"station_certificate", nullptr}};
  if (auto r = st.export_recipient(actor)) out["recipient"] = certificate_json(*r);
  else if (r.error().code != ErrorCode::kNotFound) return failed(r.error());
  if (auto c = st.station_certificate(actor)) out["station_certificate"] = certificate_json(*c);
  else return failed(c.error());
  auto key_file = st.has_key_file(actor);
  if (!key_file) return failed(key_file.error());
  out["key_file_registered"] = *key_file;
  auto head = st.audit_head(actor);
  if (!head) return failed(head.error());
  auto h = nlohmann::json::parse(*head, nullptr, false);
  out["audit_head"] = h.is_discarded() ? nlohmann::json(nullptr) : h;
  // What a browser must not do: the commands to run at the station's terminal.
  out["commands"] = nlohmann::json::array(
      {{{"what_ja", "マスター鍵の更新（ほかの操作をすべて止めて、端末で実行します）"},
        {"command", "sudo systemctl stop station && station keys rotate --as " + actor.username}},
       {{"what_ja", "鍵ファイル（USB メモリ）の作成と登録"},
        {"command", "station keys add-keyfile /media/usb/station.key --as " + actor.username}},
       {{"what_ja", "鍵ファイルの登録の解除"}, {"command", "station keys remove-keyfile --as " + actor.username}},
       {{"what_ja", "監査ログの署名鍵を包む鍵ファイルの作成"},
        {"command", "station audit signing-key new /media/usb/audit-signing.key --as " + actor.username}}});
  return Reply{200, out, std::nullopt};
}

Reply set_recipient(station::Station& st, const station::User& actor, std::string_view body) {
  const auto j = object_body(body);
  if (!j) return invalid("body must be a JSON object", "");
  const std::string pem = text(*j, "pem");
  if (pem.empty()) return invalid("pem missing", "県から届いた証明書（PEM 形式のファイル）を選んでください。");
  auto c = st.set_export_recipient(actor, pem);
  if (!c) {
    station::Error e = c.error();
    if (e.code == ErrorCode::kInvalidInput && e.reason_ja.empty())
      e.reason_ja = "証明書として読めませんでした。県から届いた PEM 形式の証明書ファイルか確認してください。";
    return failed(e);
  }
  return Reply{200, {{"recipient", certificate_json(*c)}}, std::nullopt};
}

Reply verify_audit(station::Station& st, const station::User& actor) {
  auto r = st.audit_verify(actor);
  if (!r) return failed(r.error());
  return Reply{200,
               {{"ok", r->ok},
                {"entries", r->entries},
                {"checkpoints", r->checkpoints},
                {"last_id", r->last_id},
                {"head_hash", r->head_hash},
                {"public_key", r->public_key},
                {"key_pinned", r->key_pinned},
                {"problems", r->problems}},
               std::nullopt};
}

Reply change_passphrase(station::Station& st, const station::User& actor, std::string_view body) {
  const auto j = object_body(body);
  if (!j) return invalid("body must be a JSON object", "");
  const std::string current = text(*j, "current_passphrase");
  const std::string next = text(*j, "new_passphrase");
  if (current.empty()) return invalid("current passphrase missing", "今のパスフレーズを入力してください。");
  if (next.empty()) return invalid("new passphrase missing", "新しいパスフレーズを入力してください。");
  if (auto s = st.change_passphrase(actor, current, next); !s) {
    station::Error e = s.error();
    if (e.code == ErrorCode::kWrongPassphrase)
      return Reply{400, error_json(ErrorCode::kInvalidInput, "今のパスフレーズが違います。もう一度入力してください。"), e};
    if (e.code == ErrorCode::kInvalidInput && e.reason_ja.empty())
      e.reason_ja = "新しいパスフレーズが条件を満たしていません。十分な長さのものにしてください。";
    return failed(e);
  }
  return Reply{200, {{"changed", true}}, std::nullopt};
}

}  // namespace ui::api_v1
