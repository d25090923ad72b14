// The web UI: routes, sessions, CSRF and response headers. No HTML is built here (issue #17): the
// front-end's shell and its static error pages (ui/web, embedded as web_bundle.h) are served as bytes.
// Personal data never reaches the log: only method, path (no query) and status are printed.
#include "ui/web_server.h"
#include "findings_json.h"

#include <httplib.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <nlohmann/json.hpp>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "api_accounts.h"
#include "api_intake.h"
#include "api_corrections.h"
#include "api_review.h"
#include "api_supervisor.h"
#include "station/clock.h"
#include "api_entries.h"
#include "api_group.h"
#include "api_v1.h"
#include "state_text.h"
#include "text_format.h"
#include "ui/web_util.h"
#include "web_routes.h"

namespace ui {
namespace {

using station::ErrorCode;
using Clock = std::chrono::steady_clock;

constexpr const char* kSessionCookie = "station_session";
constexpr const char* kLoginCookie = "station_login";
constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kJson = "application/json; charset=utf-8";

struct Session {
  station::User user;
  std::string csrf;
  Clock::time_point last_activity;
};

enum class AuthFailure { kNone, kMissing, kExpired };

void log_line(const std::string& text) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::fprintf(stderr, "%s [web] %s\n", stamp, text.c_str());
}

void log_error(const station::Error& e, std::string_view where) {
  // detail is English and free of personal values by the station's contract.
  log_line(fmt("{} error {}: {}", where, station::error_name(e.code), e.detail));
}

nlohmann::json error_json(ErrorCode code) {
  return {{"error", std::string(station::error_name(code))}, {"message", std::string(station::message_ja(code))}};
}

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), kJson);
}

void send_json_error(httplib::Response& res, const station::Error& e, std::string_view where) {
  log_error(e, where);
  auto body = error_json(e.code);
  if (!e.reason_ja.empty()) body["reason"] = e.reason_ja;
  send_json(res, station::http_status(e.code), body);
}

// A page that failed: the front-end's static error page for `code` (the bundle's bytes; the
// front-end shows the Japanese message) with the HTTP status.
void send_error_page(httplib::Response& res, int status, std::string_view page) {
  res.status = status;
  res.set_content(std::string(page), kHtml);
}

std::string_view error_page_for(int status) {
  if (status == 404) return bundle::kErrorNotFoundHtml;
  if (status == 403) return bundle::kErrorForbiddenHtml;
  if (status >= 400 && status < 500) return bundle::kErrorBadRequestHtml;
  return bundle::kErrorInternalHtml;
}

void redirect(httplib::Response& res, const std::string& location) {
  res.status = 303;
  res.set_header("Location", location);
}

std::string field_status_name(station::FieldStatus s) {
  return s == station::FieldStatus::kConfirmed ? "confirmed" : "suggested";
}

nlohmann::json to_json(const station::EnvelopeSummary& e) {
  return {{"id", e.id},
          {"receipt_no", e.receipt_no},
          {"received_date", e.received_date},
          {"clerk", e.clerk},
          {"enclosures", e.enclosures},
          {"pages", e.pages},
          {"fields_total", e.fields_total},
          {"fields_confirmed", e.fields_confirmed},
          {"status", e.status},
          {"state", std::string(station::state_name(e.state))},
          {"state_ja", e.status_ja},
          {"text_ja", state_text_ja(e)},
          {"pages_recognized", e.pages_recognized}};
}

nlohmann::json to_json(const station::RecognitionTask& t) {
  return {{"envelope_id", t.envelope_id},
          {"receipt_no", t.receipt_no},
          {"state", std::string(station::state_name(t.state))},
          {"state_ja", std::string(station::state_label_ja(t.state))},
          {"text_ja", state_text_ja(t.state, t.pages_recognized, t.pages)},
          {"pages", t.pages},
          {"pages_recognized", t.pages_recognized}};
}

nlohmann::json to_json(const station::FieldInfo& f) {
  return {{"id", f.id},
          {"envelope_id", f.envelope_id},
          {"key", f.key},
          {"label_ja", f.label_ja},
          // Under blind double entry and not decided: what was read is not shown (api_v1.cpp too).
          {"value", !f.entry_state.empty() && f.status != station::FieldStatus::kConfirmed ? std::string() : f.value},
          {"confidence", f.confidence},
          {"needs_attention", f.needs_attention},
          {"page_id", f.page_id},
          {"box", {{"x", f.box.x}, {"y", f.box.y}, {"w", f.box.w}, {"h", f.box.h}}},
          {"status", field_status_name(f.status)},
          {"confirmed_value", f.confirmed_value},
          {"confirmed_by", f.confirmed_by},
          {"confirmed_at", f.confirmed_at},
          {"export_value", f.export_value},
          {"export_note_ja", f.export_note_ja}};
}

nlohmann::json to_json(const station::TransitionRecord& t) {
  return {{"id", t.id},
          {"from", std::string(station::state_name(t.from))},
          {"from_ja", std::string(station::state_label_ja(t.from))},
          {"to", std::string(station::state_name(t.to))},
          {"to_ja", std::string(station::state_label_ja(t.to))},
          {"event", t.event},
          {"event_ja", t.event_ja},
          {"text_ja", ui::transition_text_ja(t)},
          {"at", t.at},
          {"by", t.username},
          {"reason", t.reason},
          {"override_reason", t.override_reason},
          {"findings", t.findings},
          {"blocking_findings", t.blocking_findings}};
}

nlohmann::json to_json(const station::CorrectionRound& r) {
  auto defects = nlohmann::json::array();
  for (const auto& d : r.defects) defects.push_back({{"code", d.code}, {"field_key", d.field_key}, {"text", d.text}});
  return {{"envelope_id", r.envelope_id},
          {"receipt_no", r.receipt_no},
          {"round", r.round},
          {"request_date", r.request_date},
          {"deadline", r.deadline},
          {"requested_by", r.requested_by},
          {"note", r.note},
          {"defects", defects},
          {"open", r.open()},
          {"overdue", r.overdue},
          {"reply_envelope_id", r.reply_envelope_id},
          {"reply_receipt_no", r.reply_receipt_no},
          {"received_date", r.received_date},
          {"received_by", r.received_by}};
}

nlohmann::json to_json(const station::AgreedChange& c) {
  return {{"id", c.id},         {"envelope_id", c.envelope_id}, {"receipt_no", c.receipt_no}, {"round", c.round},
          {"field_key", c.field_key}, {"label_ja", c.label_ja}, {"old_value", c.old_value},
          {"new_value", c.new_value}, {"agreed_on", c.agreed_on}, {"how", c.how},
          {"recorded_by", c.recorded_by}, {"recorded_at", c.recorded_at}};
}

// A JSON body's string member, or "" when absent or not a string.
std::string json_string(const nlohmann::json& body, const char* key) {
  if (!body.contains(key) || !body[key].is_string()) return {};
  return body[key].get<std::string>();
}


// `secure`: under TLS the browser sends the cookie only over HTTPS.
std::string session_cookie(const std::string& token, bool secure) {
  return fmt("{}={}; Path=/; HttpOnly; SameSite=Strict{}", kSessionCookie, token, secure ? "; Secure" : "");
}

std::string expired_cookie(const char* name) {
  return fmt("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", name);
}

}  // namespace

struct WebServer::Impl {
  station::Station& station;
  WebOptions options;
  // An httplib::SSLServer when options.tls_cert is set, else a plain httplib::Server.
  std::unique_ptr<httplib::Server> server;
  std::size_t registered = 0;  // routes registered from the matrix (web_routes.h)
  std::mutex sessions_mutex;
  api_v1::LetterPreviews letter_previews;  // the correction letters previewed, their pages for <img>
  std::unordered_map<std::string, Session> sessions;
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> in_run{false};
  bool bound = false;
  bool tls_ok = true;  // false: the certificate or key could not be loaded
  std::unique_ptr<api_v1::ExportJobs> export_jobs;  // the export screen's background job

  Impl(station::Station& s, WebOptions o) : station(s), options(std::move(o)) {
    if (options.export_dir.empty()) options.export_dir = station.config().data_dir / "exports";
    if (options.idle_minutes <= 0) options.idle_minutes = 15;
    if (options.threads <= 0) options.threads = 4;
    if (options.tls_cert.empty()) {
      server = std::make_unique<httplib::Server>();
    } else {
      auto ssl = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
      tls_ok = ssl->is_valid();
      server = std::move(ssl);
    }
    export_jobs = std::make_unique<api_v1::ExportJobs>(station, options.export_dir);
    configure();
  }

  // ---- sessions

  std::string new_session(const station::User& user) {
    std::string token = web::random_token_hex(32);
    std::lock_guard lock(sessions_mutex);
    purge_expired_locked();
    sessions[token] = Session{user, web::random_token_hex(32), Clock::now()};
    return token;
  }

  std::chrono::minutes idle_limit() const { return std::chrono::minutes(options.idle_minutes); }

  void purge_expired_locked() {
    const auto now = Clock::now();
    std::erase_if(sessions, [&](const auto& kv) { return now - kv.second.last_activity > idle_limit(); });
  }

  static std::optional<std::string> session_token(const httplib::Request& req) {
    if (!req.has_header("Cookie")) return std::nullopt;
    return web::cookie_value(req.get_header_value("Cookie"), kSessionCookie);
  }

  // The request's session (touching its activity time), or why there is none. The account is
  // read again on every request: a session ends as soon as its account is disabled, reset by an
  // admin or given another role (issue #16), whichever path (web, socket) made the change.
  std::optional<Session> authenticate(const httplib::Request& req, AuthFailure& why) {
    why = AuthFailure::kMissing;
    const auto token = session_token(req);
    if (!token) return std::nullopt;
    Session found;
    {
      std::lock_guard lock(sessions_mutex);
      const auto it = sessions.find(*token);
      if (it == sessions.end()) return std::nullopt;
      const auto now = Clock::now();
      if (now - it->second.last_activity > idle_limit()) {
        sessions.erase(it);
        why = AuthFailure::kExpired;
        return std::nullopt;
      }
      it->second.last_activity = now;
      found = it->second;
    }
    // Not under sessions_mutex: this takes the store's lock.
    const auto now_user = station.active_user(found.user.id);
    if (!now_user || now_user->role != found.user.role) {
      if (!now_user && now_user.error().code != ErrorCode::kSessionExpired)
        log_line(fmt("session check failed: {}", now_user.error().detail));
      std::lock_guard lock(sessions_mutex);
      sessions.erase(*token);
      why = AuthFailure::kExpired;
      return std::nullopt;
    }
    why = AuthFailure::kNone;
    return found;
  }

  void drop_session(const httplib::Request& req) {
    if (const auto token = session_token(req)) {
      std::lock_guard lock(sessions_mutex);
      sessions.erase(*token);
    }
  }

  // ---- route wrappers

  using SessionHandler = std::function<void(const httplib::Request&, httplib::Response&, const Session&)>;

  // HTML pages: no session -> the login page. POSTs must carry the session's CSRF token.
  httplib::Server::Handler html(const routes::Route& route, SessionHandler handler) {
    const bool is_post = route.method == "POST";
    return [this, &route, handler = std::move(handler), is_post](const httplib::Request& req, httplib::Response& res) {
      AuthFailure why;
      const auto session = authenticate(req, why);
      if (!session) {
        (void)why;
        redirect(res, "/app");  // the front-end's login (the old /login page is retired)
        return;
      }
      if (!routes::allows(route, session->user.role))
        return page_error(res, station::Error{ErrorCode::kForbidden, "route not for this role"}, "route");
      if (is_post && !web::constant_time_equal(req.get_param_value("csrf"), session->csrf))
        return send_error_page(res, 403, bundle::kErrorStaleFormHtml);  // expired screen or another site's form
      handler(req, res, *session);
    };
  }

  // Images: no session -> 401 (an <img> cannot follow a login redirect usefully).
  httplib::Server::Handler image(const routes::Route& route, SessionHandler handler) {
    return [this, &route, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
      AuthFailure why;
      const auto session = authenticate(req, why);
      if (!session) {
        res.status = 401;
        res.set_content("ログインが必要です。", "text/plain; charset=utf-8");
        return;
      }
      if (!routes::allows(route, session->user.role))
        return image_error(res, station::Error{ErrorCode::kForbidden, "route not for this role"}, "route");
      handler(req, res, *session);
    };
  }

  // JSON API: no session -> 401 JSON; POSTs need the X-CSRF-Token header.
  httplib::Server::Handler api(const routes::Route& route, SessionHandler handler) {
    const bool is_post = route.method == "POST";
    return [this, &route, handler = std::move(handler), is_post](const httplib::Request& req, httplib::Response& res) {
      AuthFailure why;
      const auto session = authenticate(req, why);
      const bool v1 = route.pattern.starts_with("/api/v1/");
      if (!session) {
        (void)why;
        send_json(res, station::http_status(ErrorCode::kSessionExpired),
                  v1 ? api_v1::error_json(ErrorCode::kSessionExpired) : error_json(ErrorCode::kSessionExpired));
        return;
      }
      if (!routes::allows(route, session->user.role)) {
        const station::Error e{ErrorCode::kForbidden, "route not for this role"};
        if (v1) {
          log_error(e, "route");
          return send_json(res, station::http_status(e.code), api_v1::error_json(e.code));
        }
        return send_json_error(res, e, "route");
      }
      if (is_post && !web::constant_time_equal(req.get_header_value("X-CSRF-Token"), session->csrf)) {
        send_json(res, station::http_status(ErrorCode::kForbidden),
                  v1 ? api_v1::error_json(ErrorCode::kForbidden,
                                          "画面の有効期限が切れたか、別の画面からの送信です。画面を開き直してください。")
                     : error_json(ErrorCode::kForbidden));
        return;
      }
      handler(req, res, *session);
    };
  }

  static std::optional<std::int64_t> match_id(const httplib::Request& req) {
    if (req.matches.size() < 2) return std::nullopt;
    return web::parse_id(req.matches[1].str());
  }

  // ---- pages

  void page_error(httplib::Response& res, const station::Error& e, std::string_view where) {
    log_error(e, where);
    const int status = station::http_status(e.code);
    send_error_page(res, status, error_page_for(status));
  }

  // The old login page is retired (issue #17): /login (also /login?locked=1 from the older pages'
  // idle lock, which ends the session first) goes to the front-end's login at /app.
  void get_login(const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("locked")) drop_session(req);
    redirect(res, "/app");
  }

  void post_logout(const httplib::Request& req, httplib::Response& res, const Session&) {
    drop_session(req);
    res.set_header("Set-Cookie", expired_cookie(kSessionCookie));
    redirect(res, "/app");
  }

  // Of `envelopes`, those the background recognition still has: queued or being read (in the
  // pool's tasks, or in a state the pool will take up). Their pages follow the state.
  std::set<std::int64_t> pending_ids(const Session& s, const std::vector<station::EnvelopeSummary>& envelopes) {
    std::set<std::int64_t> tasks;
    if (auto status = station.recognition_status(s.user)) {
      for (const auto& t : status->tasks) tasks.insert(t.envelope_id);
    } else {
      log_error(status.error(), "recognition status");
    }
    std::set<std::int64_t> ids;
    for (const auto& e : envelopes) {
      const bool queued = e.state == station::EnvelopeState::kRecognizing ||
                          (e.state == station::EnvelopeState::kCaptured && station.config().recognize_on_capture);
      if (queued || tasks.contains(e.id)) ids.insert(e.id);
    }
    return ids;
  }

  // The stale-backup warning (issue #16): none yet, or the last good one older than a day.
  std::string backup_warning(const Session& s) {
    auto status = station.backup_status(s.user);
    if (!status) {
      log_error(status.error(), "backup status");
      return {};
    }
    if (!status->stale) return {};
    if (status->last_backup_at.empty()) return "まだ正常なバックアップがありません。責任者か管理者に作成を依頼してください。";
    return "最後の正常なバックアップ（" + status->last_backup_at.substr(0, 16) +
           "）から1日以上たっています。責任者か管理者に作成を依頼してください。";
  }

  void api_backup(const httplib::Request&, httplib::Response& res, const Session& s) {
    auto status = station.backup_status(s.user);
    if (!status) return send_json_error(res, status.error(), "api backup");
    send_json(res, 200,
              {{"last_backup_at", status->last_backup_at}, {"stale", status->stale}, {"warning_ja", backup_warning(s)}});
  }

  void get_page_image(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return image_error(res, station::Error{ErrorCode::kNotFound, "bad page id"}, "page");
    const int width = web::parse_width(req.get_param_value("w"), 800, 50, 4000);
    auto png = station.page_png(s.user, *id, width);
    if (!png) return image_error(res, png.error(), "page");
    res.set_content(std::string(png->begin(), png->end()), "image/png");
  }

  static void image_error(httplib::Response& res, const station::Error& e, std::string_view where) {
    log_error(e, where);
    res.status = station::http_status(e.code);
    res.set_content(std::string(station::message_ja(e.code)), "text/plain; charset=utf-8");
  }

  // ---- capture (issue 3): the receipt log and its xlsx (intake facts only, no applicant data)

  static std::string intake_date(const httplib::Request& req) {
    std::string d = req.get_param_value("date");
    return d.empty() ? today_iso() : d;
  }

  static std::string today_iso() {
    const std::time_t t = std::time(nullptr) + 9 * 3600;  // JST
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
  }

  // ---- the intake screen (issue #17) through /api/v1 (api_intake.h): the station checks the
  // roles and audits; these only read the path and send the reply.
  void api_v1_intake_scanners(const httplib::Request&, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::intake_scanners(station, s.user), "api v1 intake scanners");
  }
  void api_v1_intake_start(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::start_intake_job(station, s.user, req.body, today_iso()), "api v1 intake start");
  }
  void api_v1_intake_job(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad job id"}, "api v1 intake job");
    send_reply(res, api_v1::intake_job(station, s.user, *id), "api v1 intake job");
  }
  void api_v1_intake_envelope(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api v1 intake envelope");
    send_reply(res, api_v1::intake_envelope(station, s.user, *id), "api v1 intake envelope");
  }
  void api_v1_intake_order(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api v1 intake order");
    send_reply(res, api_v1::reorder_pages(station, s.user, *id, req.body), "api v1 intake order");
  }
  void api_v1_intake_blank(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad page id"}, "api v1 intake blank");
    send_reply(res, api_v1::confirm_blank_page(station, s.user, *id, req.body), "api v1 intake blank");
  }
  void api_v1_intake_rotate(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad page id"}, "api v1 intake rotate");
    send_reply(res, api_v1::rotate_page(station, s.user, *id, req.body), "api v1 intake rotate");
  }
  void api_v1_intake_move(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad page id"}, "api v1 intake move");
    send_reply(res, api_v1::move_page(station, s.user, *id, req.body), "api v1 intake move");
  }
  void api_v1_intake_log(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::intake_log(station, s.user, intake_date(req)), "api v1 intake log");
  }
  // The receipt log as xlsx (intake facts only, no applicant data): a download.
  void api_v1_intake_log_xlsx(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const std::string date = intake_date(req);
    auto bytes = station.intake_log_xlsx(s.user, date);
    if (!bytes) return image_error(res, bytes.error(), "api v1 intake xlsx");
    std::string name = "uketsukebo-" + date + ".xlsx";
    std::erase_if(name, [](char c) { return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'); });
    res.set_header("Content-Disposition", "attachment; filename=\"" + name + "\"");
    res.set_content(std::string(bytes->begin(), bytes->end()),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  }


  // ---- JSON API

  // ?state=accepted (a state's name): the list view of one state.
  void api_envelopes(const httplib::Request& req, httplib::Response& res, const Session& s) {
    std::optional<station::EnvelopeState> only;
    if (req.has_param("state")) {
      only = station::parse_state(req.get_param_value("state"));
      if (!only)
        return send_json_error(res, station::Error{ErrorCode::kInvalidInput, "unknown state"}, "api envelopes");
    }
    auto list = only ? station.envelopes_in_state(s.user, *only) : station.list_envelopes(s.user);
    if (!list) return send_json_error(res, list.error(), "api envelopes");
    auto out = nlohmann::json::array();
    for (const auto& e : *list) out.push_back(to_json(e));
    send_json(res, 200, out);
  }

  // What the background recognition has: every page that follows a state polls this (one request
  // for the whole list). Receipt numbers and counts only. Any signed-in role.
  void api_recognition(const httplib::Request&, httplib::Response& res, const Session& s) {
    auto status = station.recognition_status(s.user);
    if (!status) return send_json_error(res, status.error(), "api recognition");
    auto tasks = nlohmann::json::array();
    for (const auto& t : status->tasks) tasks.push_back(to_json(t));
    send_json(res, 200,
              {{"workers", status->workers}, {"envelopes_recognized", status->envelopes_recognized}, {"tasks", tasks}});
  }

  // The sync with the main system: what is pending and since when, the last attempt (docs/sync.md).
  void api_sync(const httplib::Request&, httplib::Response& res, const Session& s) {
    auto st = station.sync_status(s.user);
    if (!st) return send_json_error(res, st.error(), "api sync");
    nlohmann::json out = {{"configured", st->configured},
                          {"pending", st->pending},
                          {"delivered", st->delivered},
                          {"oldest_pending_at", st->oldest_pending_at},
                          {"last_seq", st->last_seq},
                          {"cursor", st->cursor},
                          {"last_attempt_at", st->last_attempt_at},
                          {"last_success_at", st->last_success_at},
                          {"last_error", st->last_error},
                          {"worker_running", st->worker_running}};
    if (!st->last_error.empty())
      for (auto code : {ErrorCode::kSyncUnreachable, ErrorCode::kSyncAuth, ErrorCode::kSyncSchema, ErrorCode::kSyncProtocol})
        if (station::error_name(code) == st->last_error) out["last_error_ja"] = std::string(station::message_ja(code));
    send_json(res, 200, out);
  }

  // One envelope's state (and whether the recognition still has it), e.g. once its reading ended.
  void api_envelope_state(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_json_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api state");
    auto e = station.envelope(s.user, *id);
    if (!e) return send_json_error(res, e.error(), "api state");
    auto out = to_json(*e);
    out["pending"] = pending_ids(s, {*e}).contains(*id);
    send_json(res, 200, out);
  }

  void api_fields(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_json_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api fields");
    auto list = station.fields(s.user, *id);
    if (!list) return send_json_error(res, list.error(), "api fields");
    auto out = nlohmann::json::array();
    for (const auto& f : *list) out.push_back(to_json(f));
    send_json(res, 200, out);
  }

  void api_confirm(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_json_error(res, station::Error{ErrorCode::kNotFound, "bad field id"}, "api confirm");
    const auto body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object() || !body.contains("value") || !body["value"].is_string())
      return send_json_error(res, station::Error{ErrorCode::kInvalidInput, "body must be {\"value\": string}"},
                             "api confirm");
    auto confirmed = station.confirm_field(s.user, *id, body["value"].get<std::string>());
    if (!confirmed) return send_json_error(res, confirmed.error(), "api confirm");
    send_json(res, 200, to_json(*confirmed));
  }

  // ---- the review's workflow and correction requests (issue #12). The station checks the roles:
  // reviewers and supervisors decide, only a supervisor overrides blocking findings.

  void api_decision(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_json_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api decision");
    const auto body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    const auto bad = station::Error{ErrorCode::kInvalidInput,
                                    "body must be {\"decision\": accept|request_correction|refer|reject|resume, ...}"};
    if (body.is_discarded() || !body.is_object()) return send_json_error(res, bad, "api decision");
    const auto kind = station::parse_decision(json_string(body, "decision"));
    if (!kind) return send_json_error(res, bad, "api decision");
    station::Decision d;
    d.kind = *kind;
    d.reason = json_string(body, "reason");
    d.note = json_string(body, "note");
    d.override_findings = body.contains("override") && body["override"].is_boolean() && body["override"].get<bool>();
    if (body.contains("defects") && body["defects"].is_array()) {
      for (const auto& item : body["defects"]) {
        if (item.is_string()) {
          d.defects.push_back({"", "", item.get<std::string>()});
        } else if (item.is_object()) {
          d.defects.push_back({json_string(item, "code"), json_string(item, "field_key"), json_string(item, "text")});
        } else {
          return send_json_error(res, bad, "api decision");
        }
      }
    }
    auto r = station.decide(s.user, *id, d);
    if (!r) return send_json_error(res, r.error(), "api decision");
    send_json(res, 200,
              {{"envelope_id", r->envelope_id},
               {"state", std::string(station::state_name(r->state))},
               {"state_ja", r->state_ja},
               {"round", r->round},
               {"deadline", r->deadline},
               {"blocking_findings", r->blocking_findings}});
  }

  void api_history(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_json_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api history");
    auto h = station.history(s.user, *id);
    if (!h) return send_json_error(res, h.error(), "api history");
    auto out = nlohmann::json::array();
    for (const auto& t : *h) out.push_back(to_json(t));
    send_json(res, 200, out);
  }

  void api_corrections(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const bool overdue = req.has_param("overdue") && req.get_param_value("overdue") != "0";
    auto list = station.corrections(s.user, overdue);
    if (!list) return send_json_error(res, list.error(), "api corrections");
    auto out = nlohmann::json::array();
    for (const auto& r : *list) out.push_back(to_json(r));
    send_json(res, 200, out);
  }

  void api_envelope_corrections(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_json_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api rounds");
    auto rounds = station.correction_rounds(s.user, *id);
    if (!rounds) return send_json_error(res, rounds.error(), "api rounds");
    auto out = nlohmann::json::array();
    for (const auto& r : *rounds) out.push_back(to_json(r));
    nlohmann::json body{{"rounds", out}};
    // Agreed changes hold values: only for those who see values (reviewer, supervisor).
    if (s.user.role == station::Role::kReviewer || s.user.role == station::Role::kSupervisor) {
      auto changes = station.agreed_changes(s.user, *id);
      if (!changes) return send_json_error(res, changes.error(), "api rounds");
      auto list = nlohmann::json::array();
      for (const auto& c : *changes) list.push_back(to_json(c));
      body["agreed_changes"] = list;
    }
    send_json(res, 200, body);
  }

  void api_receive_correction(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_json_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api receive");
    const auto body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object() || !body.contains("reply_envelope_id") ||
        !body["reply_envelope_id"].is_number_integer())
      return send_json_error(res, station::Error{ErrorCode::kInvalidInput, "body must be {\"reply_envelope_id\": N}"},
                             "api receive");
    auto r = station.receive_correction(s.user, *id, body["reply_envelope_id"].get<std::int64_t>());
    if (!r) return send_json_error(res, r.error(), "api receive");
    send_json(res, 200, to_json(*r));
  }

  void api_agreed_change(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_json_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api agree");
    const auto body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object() || !body.contains("field_key") || !body.contains("new_value"))
      return send_json_error(res,
                             station::Error{ErrorCode::kInvalidInput,
                                            "body must be {\"field_key\", \"new_value\", \"agreed_on\", \"how\"}"},
                             "api agree");
    station::AgreedChange c;
    c.envelope_id = *id;
    c.field_key = json_string(body, "field_key");
    c.new_value = json_string(body, "new_value");
    c.agreed_on = json_string(body, "agreed_on");
    c.how = json_string(body, "how");
    if (body.contains("round") && body["round"].is_number_integer()) c.round = body["round"].get<int>();
    auto r = station.record_agreed_change(s.user, c);
    if (!r) return send_json_error(res, r.error(), "api agree");
    send_json(res, 200, to_json(*r));
  }

  // ?from=YYYY-MM-DD&to=YYYY-MM-DD: every application's agreed changes, for the prefecture's report.
  void api_agreed_report(const httplib::Request& req, httplib::Response& res, const Session& s) {
    auto list = station.agreed_changes_report(s.user, req.get_param_value("from"), req.get_param_value("to"));
    if (!list) return send_json_error(res, list.error(), "api agreed");
    auto out = nlohmann::json::array();
    for (const auto& c : *list) out.push_back(to_json(c));
    send_json(res, 200, out);
  }

  void api_letter(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    const auto round = req.matches.size() > 2 ? web::parse_id(req.matches[2].str()) : std::nullopt;
    if (!id || !round) return send_json_error(res, station::Error{ErrorCode::kNotFound, "bad letter path"}, "api letter");
    auto pdf = station.correction_letter_pdf(s.user, *id, static_cast<int>(*round));
    if (!pdf) return send_json_error(res, pdf.error(), "api letter");
    res.set_header("Content-Disposition",
                   "inline; filename=\"hosei-" + std::to_string(*id) + "-" + std::to_string(*round) + ".pdf\"");
    res.set_content(std::string(pdf->begin(), pdf->end()), "application/pdf");
  }

  void api_findings(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_json_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api findings");
    auto r = station.check(s.user, *id);
    if (!r) return send_json_error(res, r.error(), "api findings");
    send_json(res, 200,
              {{"envelope_id", r->envelope_id}, {"receipt_no", r->receipt_no}, {"list_version", r->list_version},
               {"facility_id", r->facility_id}, {"candidates", ui::candidates_json(*r)},
               {"findings", ui::findings_json(*r)}});
  }

  void api_values(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_json_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api values");
    auto n = station.confirm_values(s.user, *id, req.body);
    if (!n) return send_json_error(res, n.error(), "api values");
    send_json(res, 200, {{"confirmed", *n}});
  }

  // ---- JSON API v1 (docs/ui.md): the front-end's contract. Same sessions, same role matrix, the
  // same station calls as the form posts; only the shapes are new (api_v1.h).

  static constexpr int kPageImageWidth = 1600;  // the verification screen's page image, at most

  void get_app_shell(const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(bundle::kIndexHtml), kHtml);
  }

  static void immutable(httplib::Response& res) {
    res.headers.erase("Cache-Control");
    res.set_header("Cache-Control", "public, max-age=31536000, immutable");
  }

  // The double-submit token of the JSON login: a cookie scoped to /api/v1/login and the same
  // value in the body, which the POST must send back as X-CSRF-Token.
  void api_v1_login_form(const httplib::Request&, httplib::Response& res) {
    const std::string token = web::random_token_hex(16);
    res.set_header("Set-Cookie", fmt("{}={}; Path=/api/v1/login; HttpOnly; SameSite=Strict", kLoginCookie, token));
    send_json(res, 200, {{"login_token", token}, {"idle_minutes", options.idle_minutes}});
  }

  void api_v1_login(const httplib::Request& req, httplib::Response& res) {
    const auto cookie = req.has_header("Cookie") ? web::cookie_value(req.get_header_value("Cookie"), kLoginCookie)
                                                  : std::nullopt;
    if (!cookie || cookie->empty() || !web::constant_time_equal(*cookie, req.get_header_value("X-CSRF-Token")))
      return send_json(res, 403,
                       api_v1::error_json(ErrorCode::kForbidden,
                                          "ログイン画面の有効期限が切れました。画面を開き直してから入力してください。"));
    const auto body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object())
      return send_json(res, 400, api_v1::error_json(ErrorCode::kInvalidInput));
    const std::string username = json_string(body, "username");
    const std::string password = json_string(body, "password");
    station::Result<station::User> user;
    if (body.contains("new_password")) {
      user = station.change_password(username, password, json_string(body, "new_password"));
      if (!user && user.error().code == ErrorCode::kInvalidInput)
        return send_json(res, station::http_status(ErrorCode::kInvalidInput),
                         api_v1::error_json(ErrorCode::kInvalidInput,
                                            "新しいパスワードが条件を満たしていません。十分な長さがあり、ユーザー名を含まず、"
                                            "よく使われるものでも仮パスワードと同じでもないものにしてください。"));
    } else {
      user = station.login(username, password);
    }
    if (!user) {
      log_error(user.error(), "api login");
      return send_json(res, station::http_status(user.error().code),
                       api_v1::error_json(user.error().code, user.error().reason_ja));
    }
    drop_session(req);  // a fresh token on every login (no session fixation)
    const std::string token = new_session(*user);
    std::string csrf;
    {
      std::lock_guard lock(sessions_mutex);
      csrf = sessions[token].csrf;
    }
    res.set_header("Set-Cookie", session_cookie(token, !options.tls_cert.empty()));
    send_json(res, 200, {{"user", api_v1::user_json(*user)}, {"csrf", csrf}, {"idle_minutes", options.idle_minutes}});
  }

  void api_v1_logout(const httplib::Request& req, httplib::Response& res, const Session&) {
    drop_session(req);
    res.set_header("Set-Cookie", expired_cookie(kSessionCookie));
    send_json(res, 200, {{"signed_out", true}});
  }

  void api_v1_session(const httplib::Request&, httplib::Response& res, const Session& s) {
    send_json(res, 200, {{"user", api_v1::user_json(s.user)}, {"csrf", s.csrf}, {"idle_minutes", options.idle_minutes}});
  }

  void api_v1_envelopes(const httplib::Request&, httplib::Response& res, const Session& s) {
    auto list = station.list_envelopes(s.user);
    if (!list) return send_v1_error(res, list.error(), "api v1 envelopes");
    auto out = nlohmann::json::array();
    for (const auto& e : *list) out.push_back(api_v1::envelope_json(e));
    send_json(res, 200, {{"envelopes", out}, {"can_verify", can_review(s)}});
  }

  static bool can_review(const Session& s) {
    return s.user.role == station::Role::kReviewer || s.user.role == station::Role::kSupervisor;
  }

  void send_v1_error(httplib::Response& res, const station::Error& e, std::string_view where) {
    log_error(e, where);
    send_json(res, station::http_status(e.code), api_v1::error_json(e.code, e.reason_ja));
  }

  void api_v1_verification(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api v1 verification");
    auto env = station.envelope(s.user, *id);
    if (!env) return send_v1_error(res, env.error(), "api v1 verification");
    auto pgs = station.pages(s.user, *id);
    if (!pgs) return send_v1_error(res, pgs.error(), "api v1 verification");
    auto flds = station.fields(s.user, *id);
    if (!flds) return send_v1_error(res, flds.error(), "api v1 verification");
    const double threshold = station.config().confidence_threshold;
    auto pages_out = nlohmann::json::array();
    for (const auto& p : *pgs) pages_out.push_back(api_v1::page_json(p, kPageImageWidth));
    auto fields_out = nlohmann::json::array();
    for (const auto& f : *flds) fields_out.push_back(api_v1::field_json(f, threshold));
    send_json(res, 200,
              {{"envelope", api_v1::envelope_json(*env)},
               {"recognition_pending", pending_ids(s, {*env}).contains(*id)},
               {"threshold", threshold},
               {"pages", pages_out},
               {"fields", fields_out}});
  }

  // The page image: the station's display rendition (a JPEG made once per page version and
  // width, kept in its bounded cache), cached by the browser for the session's day. The ETag names
  // the page, the width and the page's version, so a page whose image or rotation changes is
  // fetched again; a matching If-None-Match gets 304 after the same role check, without pixels.
  void api_v1_page_image(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return image_error(res, station::Error{ErrorCode::kNotFound, "bad page id"}, "api v1 page");
    const int width = web::parse_width(req.get_param_value("w"), kPageImageWidth, 50, 4000);
    const auto etag_of = [&](const std::string& version) { return fmt("\"page-{}-w{}-{}\"", *id, width, version); };
    const auto no_store = [&] {
      res.headers.erase("Cache-Control");
      res.set_header("Cache-Control", "no-store");
    };
    if (req.has_header("If-None-Match")) {
      auto version = station.page_version(s.user, *id);
      if (!version) {
        no_store();
        return image_error(res, version.error(), "api v1 page");
      }
      if (req.get_header_value("If-None-Match") == etag_of(*version)) {
        res.headers.erase("Cache-Control");
        res.set_header("Cache-Control", "private, max-age=86400");
        res.set_header("ETag", etag_of(*version));
        res.status = 304;
        return;
      }
    }
    auto r = station.page_rendition(s.user, *id, width);
    if (!r) {
      no_store();
      return image_error(res, r.error(), "api v1 page");
    }
    res.headers.erase("Cache-Control");
    res.set_header("Cache-Control", "private, max-age=86400");
    res.set_header("ETag", etag_of(r->version));
    res.set_content(reinterpret_cast<const char*>(r->bytes->data()), r->bytes->size(), r->media_type);
  }

  // {"value": string} optional: the value to confirm; without it, the value as read (or as
  // confirmed before). Through the same station call as the review form's 確認.
  void api_v1_confirm(const httplib::Request& req, httplib::Response& res, const Session& s) {
    v1_confirm(req, res, s, /*value_required=*/false);
  }

  // {"value": string}: the corrected value (typed by the reviewer), confirmed.
  void api_v1_correct(const httplib::Request& req, httplib::Response& res, const Session& s) {
    v1_confirm(req, res, s, /*value_required=*/true);
  }

  void v1_confirm(const httplib::Request& req, httplib::Response& res, const Session& s, bool value_required) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad field id"}, "api v1 confirm");
    const auto body = req.body.empty() ? nlohmann::json::object()
                                       : nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    const bool has_value = body.is_object() && body.contains("value") && body["value"].is_string();
    if (body.is_discarded() || !body.is_object() || (value_required && !has_value) ||
        (body.is_object() && body.contains("value") && !has_value))
      return send_v1_error(res, station::Error{ErrorCode::kInvalidInput, "body must be {\"value\": string}"},
                           "api v1 confirm");
    std::string value;
    if (has_value) {
      value = body["value"].get<std::string>();
    } else {
      auto f = station.field(s.user, *id);
      if (!f) return send_v1_error(res, f.error(), "api v1 confirm");
      value = f->status == station::FieldStatus::kConfirmed ? f->confirmed_value : f->value;
    }
    auto confirmed = station.confirm_field(s.user, *id, value);
    if (!confirmed) return send_v1_error(res, confirmed.error(), "api v1 confirm");
    send_json(res, 200, {{"field", api_v1::field_json(*confirmed, station.config().confidence_threshold)}});
  }

  // Every field of one page that needs no attention, confirmed as read (one key on the screen).
  // Fields that need attention are left as they are and counted in "remaining".
  void api_v1_confirm_page(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto envelope_id = match_id(req);
    const auto page_id = req.matches.size() > 2 ? web::parse_id(req.matches[2].str()) : std::nullopt;
    if (!envelope_id || !page_id)
      return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad page path"}, "api v1 confirm page");
    auto pgs = station.pages(s.user, *envelope_id);
    if (!pgs) return send_v1_error(res, pgs.error(), "api v1 confirm page");
    if (std::none_of(pgs->begin(), pgs->end(), [&](const station::PageInfo& p) { return p.id == *page_id; }))
      return send_v1_error(res, station::Error{ErrorCode::kNotFound, "page not in envelope"}, "api v1 confirm page");
    auto flds = station.fields(s.user, *envelope_id);
    if (!flds) return send_v1_error(res, flds.error(), "api v1 confirm page");
    const double threshold = station.config().confidence_threshold;
    int confirmed = 0, remaining = 0;
    auto out = nlohmann::json::array();
    for (const auto& f : *flds) {
      if (f.page_id != *page_id) continue;
      if (f.status == station::FieldStatus::kConfirmed) {
        out.push_back(api_v1::field_json(f, threshold));
        continue;
      }
      if (api_v1::needs_attention(f, threshold)) {
        ++remaining;
        out.push_back(api_v1::field_json(f, threshold));
        continue;
      }
      auto c = station.confirm_field(s.user, f.id, f.value);
      if (!c && c.error().code == ErrorCode::kInvalidInput) {
        // The value as read is refused (its format): left for the reviewer, with the reason.
        log_error(c.error(), "api v1 confirm page");
        auto j = api_v1::field_json(f, threshold);
        j["needs_attention"] = true;
        std::string text(station::message_ja(c.error().code));
        if (!c.error().reason_ja.empty()) text += " " + c.error().reason_ja;
        j["attention"].push_back({{"code", "refused"}, {"text_ja", text}});
        ++remaining;
        out.push_back(std::move(j));
        continue;
      }
      if (!c) return send_v1_error(res, c.error(), "api v1 confirm page");
      ++confirmed;
      out.push_back(api_v1::field_json(*c, threshold));
    }
    send_json(res, 200, {{"confirmed", confirmed}, {"remaining", remaining}, {"fields", out}});
  }


  // ---- the review screen (issue #17) through /api/v1: findings, candidates, the decision, the
  // history, correction requests and their letters. The station checks the roles again (only a
  // supervisor accepts over blocking findings) and audits.

  void api_v1_review(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api v1 review");
    auto env = station.envelope(s.user, *id);
    if (!env) return send_v1_error(res, env.error(), "api v1 review");
    auto report = station.check(s.user, *id);
    if (!report) return send_v1_error(res, report.error(), "api v1 review");
    auto pgs = station.pages(s.user, *id);
    if (!pgs) return send_v1_error(res, pgs.error(), "api v1 review");
    auto flds = station.fields(s.user, *id);
    if (!flds) return send_v1_error(res, flds.error(), "api v1 review");
    auto hist = station.history(s.user, *id);
    if (!hist) return send_v1_error(res, hist.error(), "api v1 review");
    auto rounds = station.correction_rounds(s.user, *id);
    if (!rounds) return send_v1_error(res, rounds.error(), "api v1 review");
    auto body = api_v1::review_json(*env, *report, *pgs, *flds, kPageImageWidth);
    auto history = nlohmann::json::array();
    for (const auto& t : *hist) history.push_back(api_v1::transition_json(t));
    auto rounds_out = nlohmann::json::array();
    for (const auto& r : *rounds) rounds_out.push_back(api_v1::round_json(r, station.today()));
    body["history"] = history;
    body["rounds"] = rounds_out;
    body["can_override"] = s.user.role == station::Role::kSupervisor;
    send_json(res, 200, body);
  }

  // {"decision": accept|request_correction|refer|reject|resume, "reason", "note",
  //  "defects": [{"code", "field_key", "text"}], "override": bool}
  void api_v1_decision(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api v1 decision");
    const auto body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    const station::Error bad{ErrorCode::kInvalidInput, "bad decision body",
                             "判断（受理・補正依頼・県へ照会・不受理・再開）を選んでから送信してください。"};
    if (body.is_discarded() || !body.is_object()) return send_v1_error(res, bad, "api v1 decision");
    const auto kind = station::parse_decision(json_string(body, "decision"));
    if (!kind) return send_v1_error(res, bad, "api v1 decision");
    station::Decision d;
    d.kind = *kind;
    d.reason = json_string(body, "reason");
    d.note = json_string(body, "note");
    d.override_findings = body.contains("override") && body["override"].is_boolean() && body["override"].get<bool>();
    if (body.contains("defects")) {
      if (!body["defects"].is_array()) return send_v1_error(res, bad, "api v1 decision");
      for (const auto& item : body["defects"]) {
        if (!item.is_object()) return send_v1_error(res, bad, "api v1 decision");
        d.defects.push_back({json_string(item, "code"), json_string(item, "field_key"), json_string(item, "text")});
      }
    }
    auto r = station.decide(s.user, *id, d);
    if (!r) return send_v1_error(res, r.error(), "api v1 decision");
    nlohmann::json out{{"envelope_id", r->envelope_id},
                       {"state", std::string(station::state_name(r->state))},
                       {"state_ja", r->state_ja},
                       {"round", r->round},
                       {"deadline", r->deadline},
                       {"blocking_findings", r->blocking_findings}};
    if (r->round > 0)
      out["letter_url"] = "/api/v1/envelopes/" + std::to_string(*id) + "/corrections/" + std::to_string(r->round) + "/letter.pdf";
    send_json(res, 200, out);
  }

  // ?overdue=1: only the overdue ones. Overdue first, then by deadline.
  void api_v1_corrections(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const bool overdue = req.has_param("overdue") && req.get_param_value("overdue") != "0";
    auto list = station.corrections(s.user, overdue);
    if (!list) return send_v1_error(res, list.error(), "api v1 corrections");
    send_json(res, 200, {{"corrections", api_v1::corrections_json(std::move(*list), station.today())}});
  }

  // The letter (補正指示書) as the station makes it: opened in its own tab (the policy frames nothing).
  void api_v1_letter(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    const auto round = req.matches.size() > 2 ? web::parse_id(req.matches[2].str()) : std::nullopt;
    if (!id || !round) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad letter path"}, "api v1 letter");
    auto pdf = station.correction_letter_pdf(s.user, *id, static_cast<int>(*round));
    if (!pdf) return send_v1_error(res, pdf.error(), "api v1 letter");
    res.set_header("Content-Disposition",
                   "inline; filename=\"hosei-" + std::to_string(*id) + "-" + std::to_string(*round) + ".pdf\"");
    res.set_content(std::string(pdf->begin(), pdf->end()), "application/pdf");
  }

  // ---- the correction workflow around the review screen (api_corrections.h): the letter
  // previewed before it is issued, the reply received, agreed changes.
  void api_v1_letter_preview(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api v1 letter preview");
    send_reply(res, api_v1::preview_letter(station, letter_previews, s.user, *id, req.body), "api v1 letter preview");
  }
  void api_v1_letter_preview_page(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto n = req.matches.size() > 2 ? web::parse_id(req.matches[2].str()) : std::nullopt;
    auto png = n ? letter_previews.page(s.user.username, req.matches[1].str(), static_cast<int>(*n)) : std::nullopt;
    res.set_header("Cache-Control", "no-store");
    if (!png)
      return image_error(res, station::Error{ErrorCode::kNotFound, "no such letter preview page"}, "api v1 letter preview");
    res.set_content(std::string(png->begin(), png->end()), "image/png");
  }
  void api_v1_receive_correction(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api v1 receive");
    send_reply(res, api_v1::receive_reply(station, s.user, *id, req.body), "api v1 receive");
  }
  void api_v1_agreed_changes(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api v1 agreed");
    send_reply(res, api_v1::agreed_changes(station, s.user, *id), "api v1 agreed");
  }
  void api_v1_agreed_change(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad envelope id"}, "api v1 agree");
    send_reply(res, api_v1::record_agreed_change(station, s.user, *id, req.body), "api v1 agree");
  }
  void api_v1_agreed_report(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res,
               api_v1::agreed_changes_report(station, s.user, req.get_param_value("from"), req.get_param_value("to")),
               "api v1 agreed report");
  }

  // ---- accounts (issue #16) through /api/v1: the station checks the role and audits
  // (api_accounts.h).

  void send_reply(httplib::Response& res, const api_v1::Reply& r, std::string_view where) {
    if (r.error) log_error(*r.error, where);
    send_json(res, r.status, r.body);
  }
  static std::string match_name(const httplib::Request& req) {
    return req.matches.size() < 2 ? std::string() : req.matches[1].str();
  }
  void api_v1_accounts(const httplib::Request&, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::list_accounts(station, s.user), "api v1 accounts");
  }
  void api_v1_account_create(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::create_account(station, s.user, req.body), "api v1 account create");
  }
  void api_v1_account_reset(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::reset_account(station, s.user, match_name(req)), "api v1 account reset");
  }
  void api_v1_account_disable(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::disable_account(station, s.user, match_name(req)), "api v1 account disable");
  }
  void api_v1_account_enable(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::enable_account(station, s.user, match_name(req)), "api v1 account enable");
  }
  void api_v1_account_role(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::set_account_role(station, s.user, match_name(req), req.body), "api v1 account role");
  }
  void api_v1_me_password(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::change_own_password(station, s.user, req.body), "api v1 password");
  }

  // ---- supervisor and administrator (issue #17; api_supervisor.h)

  void api_v1_dashboard(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res,
               api_v1::dashboard(station, s.user, req.get_param_value("date"), station::SystemClock::instance().jst_today()),
               "api v1 dashboard");
  }
  void api_v1_export(const httplib::Request&, httplib::Response& res, const Session& s) {
    send_reply(res, export_jobs->overview(s.user), "api v1 export");
  }
  void api_v1_export_start(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, export_jobs->start(s.user, req.body), "api v1 export start");
  }
  void api_v1_export_job(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, export_jobs->status(s.user, match_id(req).value_or(0)), "api v1 export job");
  }
  void api_v1_export_download(const httplib::Request& req, httplib::Response& res, const Session& s) {
    auto file = export_jobs->download(s.user, match_id(req).value_or(0));
    if (!file) return send_v1_error(res, file.error(), "api v1 export download");
    res.set_header("Content-Disposition", "attachment; filename=\"" + file->name + "\"");
    res.set_content(std::move(file->content), "application/pkcs7-mime");
  }
  void api_v1_keys(const httplib::Request&, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::keys_overview(station, s.user), "api v1 keys");
  }
  void api_v1_set_recipient(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::set_recipient(station, s.user, req.body), "api v1 recipient");
  }
  void api_v1_audit_verify(const httplib::Request&, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::verify_audit(station, s.user), "api v1 audit verify");
  }
  void api_v1_passphrase(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::change_passphrase(station, s.user, req.body), "api v1 passphrase");
  }

  // ---- group verification (issue #17; api_group.h): the facade picks, checks and audits.
  void api_v1_doubtful_characters(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res,
               api_v1::list_doubtful_characters(station, s.user, req.get_param_value("chars"),
                                                req.get_param_value("envelope"), kPageImageWidth),
               "api v1 doubtful characters");
  }
  void api_v1_decide_characters(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::decide_doubtful_characters(station, s.user, req.body), "api v1 decide characters");
  }

  // ---- blind double entry (issue #17; api_entries.h): the station checks roles, rounds, keyers.
  void api_v1_entry_settings(const httplib::Request&, httplib::Response& res, const Session&) {
    send_reply(res, api_v1::entry_settings(station), "api v1 entry settings");
  }
  void api_v1_entry_tasks(const httplib::Request& req, httplib::Response& res, const Session& s) {
    send_reply(res, api_v1::entry_tasks(station, s.user, req.get_param_value("queue"), kPageImageWidth),
               "api v1 entry tasks");
  }
  void api_v1_entry_submit(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad field id"}, "api v1 entry");
    send_reply(res, api_v1::submit_entry(station, s.user, *id, req.body), "api v1 entry");
  }
  void api_v1_entry_dispute(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad field id"}, "api v1 entry dispute");
    send_reply(res, api_v1::entry_dispute(station, s.user, *id, kPageImageWidth), "api v1 entry dispute");
  }
  void api_v1_entry_decide(const httplib::Request& req, httplib::Response& res, const Session& s) {
    const auto id = match_id(req);
    if (!id) return send_v1_error(res, station::Error{ErrorCode::kNotFound, "bad field id"}, "api v1 entry decide");
    send_reply(res, api_v1::decide_entry(station, s.user, *id, req.body), "api v1 entry decide");
  }

  // ---- wiring

  template <class Method>
  SessionHandler bound_handler(Method method) {
    return [this, method](const httplib::Request& req, httplib::Response& res, const Session& s) {
      (this->*method)(req, res, s);
    };
  }

  // Registers a route from the matrix (web_routes.h), wrapped by its kind: no session, wrong role.
  void add(std::string_view method, std::string_view pattern,
           void (Impl::*handler)(const httplib::Request&, httplib::Response&, const Session&)) {
    const routes::Route* r = routes::find(method, pattern);
    if (r == nullptr || r->kind == routes::Kind::kPublic)
      throw std::logic_error("route missing from the matrix (web_routes.h): " + std::string(pattern));
    ++registered;
    SessionHandler bound = bound_handler(handler);
    httplib::Server::Handler h = r->kind == routes::Kind::kHtml    ? html(*r, std::move(bound))
                                 : r->kind == routes::Kind::kImage ? image(*r, std::move(bound))
                                                                   : api(*r, std::move(bound));
    if (method == "GET") server->Get(std::string(pattern), std::move(h));
    else server->Post(std::string(pattern), std::move(h));
  }

  void add_public(std::string_view method, std::string_view pattern, httplib::Server::Handler h) {
    const routes::Route* r = routes::find(method, pattern);
    if (r == nullptr || r->kind != routes::Kind::kPublic)
      throw std::logic_error("public route missing from the matrix (web_routes.h): " + std::string(pattern));
    ++registered;
    if (method == "GET") server->Get(std::string(pattern), std::move(h));
    else server->Post(std::string(pattern), std::move(h));
  }

  void configure() {
    const int threads = options.threads;
    server->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
    // Answers go out at once: without TCP_NODELAY a response written in two parts (headers, body)
    // waits for the client's delayed ACK, ~40 ms per request on loopback (verify_bench).
    server->set_tcp_nodelay(true);
    // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would let a second
    // station bind a port that is already in use instead of reporting it.
    server->set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    server->set_payload_max_length(1024 * 1024);
    server->set_default_headers({
        {"Content-Security-Policy",
         "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; "
         "frame-ancestors 'none'; base-uri 'none'"},
        {"X-Frame-Options", "DENY"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"Cache-Control", "no-store"},
    });
    server->set_logger([](const httplib::Request& req, const httplib::Response& res) {
      log_line(fmt("{} {} {}", req.method, req.path, res.status));  // path only: no query, no body
    });
    server->set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown exception";
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      log_line(fmt("INTERNAL exception: {}", what));
      if (req.path.starts_with("/api/")) return send_json(res, 500, error_json(ErrorCode::kInternal));
      send_error_page(res, 500, bundle::kErrorInternalHtml);
    });
    server->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (req.path.starts_with("/api/")) {
        send_json(res, res.status, error_json(res.status == 404   ? ErrorCode::kNotFound
                                             : res.status >= 500 ? ErrorCode::kInternal
                                                                 : ErrorCode::kInvalidInput));
      } else {
        send_error_page(res, res.status, error_page_for(res.status));  // the front-end's page, no HTML built here
      }
    });

    add_public("GET", "/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });

    add_public("GET", "/login", [this](const httplib::Request& req, httplib::Response& res) { get_login(req, res); });
    add("POST", "/logout", &Impl::post_logout);
    // The old envelope list is retired (issue #17): the work queue is the front-end's.
    add_public("GET", "/", [](const httplib::Request&, httplib::Response& res) { redirect(res, "/app"); });
    add("GET", R"(/pages/(\d+)\.png)", &Impl::get_page_image);
    add("GET", "/api/envelopes", &Impl::api_envelopes);
    add("GET", R"(/api/envelopes/(\d+)/fields)", &Impl::api_fields);
    add("GET", R"(/api/envelopes/(\d+)/state)", &Impl::api_envelope_state);
    add("GET", "/api/recognition", &Impl::api_recognition);
    add("GET", "/api/sync", &Impl::api_sync);
    add("GET", "/api/backup", &Impl::api_backup);
    add("POST", R"(/api/fields/(\d+)/confirm)", &Impl::api_confirm);
    add("POST", R"(/api/envelopes/(\d+)/decision)", &Impl::api_decision);
    add("GET", R"(/api/envelopes/(\d+)/history)", &Impl::api_history);
    add("GET", "/api/corrections", &Impl::api_corrections);
    add("GET", "/api/agreed-changes", &Impl::api_agreed_report);
    add("GET", R"(/api/envelopes/(\d+)/corrections)", &Impl::api_envelope_corrections);
    add("POST", R"(/api/envelopes/(\d+)/corrections/receive)", &Impl::api_receive_correction);
    add("POST", R"(/api/envelopes/(\d+)/agreed-changes)", &Impl::api_agreed_change);
    add("GET", R"(/api/envelopes/(\d+)/corrections/(\d+)/letter\.pdf)", &Impl::api_letter);
    add("GET", R"(/api/envelopes/(\d+)/findings)", &Impl::api_findings);
    add("POST", R"(/api/envelopes/(\d+)/values)", &Impl::api_values);
    add_public("GET", "/app", [this](const httplib::Request& req, httplib::Response& res) { get_app_shell(req, res); });
    add_public("GET", bundle::kJsPath, [](const httplib::Request&, httplib::Response& res) {
      immutable(res);
      res.set_content(std::string(bundle::kJs), "text/javascript; charset=utf-8");
    });
    add_public("GET", bundle::kCssPath, [](const httplib::Request&, httplib::Response& res) {
      immutable(res);
      res.set_content(std::string(bundle::kCss), "text/css; charset=utf-8");
    });
    add_public("GET", "/api/v1/login",
               [this](const httplib::Request& req, httplib::Response& res) { api_v1_login_form(req, res); });
    add_public("POST", "/api/v1/login",
               [this](const httplib::Request& req, httplib::Response& res) { api_v1_login(req, res); });
    add("POST", "/api/v1/logout", &Impl::api_v1_logout);
    add("GET", "/api/v1/session", &Impl::api_v1_session);
    add("GET", "/api/v1/envelopes", &Impl::api_v1_envelopes);
    add("GET", R"(/api/v1/envelopes/(\d+)/verification)", &Impl::api_v1_verification);
    add("GET", R"(/api/v1/pages/(\d+)/image)", &Impl::api_v1_page_image);
    add("POST", R"(/api/v1/fields/(\d+)/confirm)", &Impl::api_v1_confirm);
    add("POST", R"(/api/v1/fields/(\d+)/correct)", &Impl::api_v1_correct);
    add("POST", R"(/api/v1/envelopes/(\d+)/pages/(\d+)/confirm)", &Impl::api_v1_confirm_page);
    add("GET", "/api/v1/accounts", &Impl::api_v1_accounts);
    add("POST", "/api/v1/accounts", &Impl::api_v1_account_create);
    add("POST", R"(/api/v1/accounts/([A-Za-z0-9._-]+)/reset)", &Impl::api_v1_account_reset);
    add("POST", R"(/api/v1/accounts/([A-Za-z0-9._-]+)/disable)", &Impl::api_v1_account_disable);
    add("POST", R"(/api/v1/accounts/([A-Za-z0-9._-]+)/enable)", &Impl::api_v1_account_enable);
    add("POST", R"(/api/v1/accounts/([A-Za-z0-9._-]+)/role)", &Impl::api_v1_account_role);
    add("POST", "/api/v1/me/password", &Impl::api_v1_me_password);
    add("GET", R"(/api/v1/envelopes/(\d+)/review)", &Impl::api_v1_review);
    add("POST", R"(/api/v1/envelopes/(\d+)/decision)", &Impl::api_v1_decision);
    add("GET", "/api/v1/corrections", &Impl::api_v1_corrections);
    add("GET", R"(/api/v1/envelopes/(\d+)/corrections/(\d+)/letter\.pdf)", &Impl::api_v1_letter);
    add("GET", "/api/v1/intake/scanners", &Impl::api_v1_intake_scanners);
    add("POST", "/api/v1/intake/jobs", &Impl::api_v1_intake_start);
    add("GET", R"(/api/v1/intake/jobs/(\d+))", &Impl::api_v1_intake_job);
    add("GET", R"(/api/v1/intake/envelopes/(\d+))", &Impl::api_v1_intake_envelope);
    add("POST", R"(/api/v1/intake/envelopes/(\d+)/order)", &Impl::api_v1_intake_order);
    add("POST", R"(/api/v1/intake/pages/(\d+)/blank)", &Impl::api_v1_intake_blank);
    add("POST", R"(/api/v1/intake/pages/(\d+)/rotate)", &Impl::api_v1_intake_rotate);
    add("POST", R"(/api/v1/intake/pages/(\d+)/move)", &Impl::api_v1_intake_move);
    add("GET", "/api/v1/intake/log", &Impl::api_v1_intake_log);
    add("GET", "/api/v1/intake/log.xlsx", &Impl::api_v1_intake_log_xlsx);
    add("GET", "/api/v1/supervisor/dashboard", &Impl::api_v1_dashboard);
    add("GET", "/api/v1/export", &Impl::api_v1_export);
    add("POST", "/api/v1/export/jobs", &Impl::api_v1_export_start);
    add("GET", R"(/api/v1/export/jobs/(\d+))", &Impl::api_v1_export_job);
    add("GET", R"(/api/v1/export/jobs/(\d+)/download)", &Impl::api_v1_export_download);
    add("GET", "/api/v1/admin/keys", &Impl::api_v1_keys);
    add("POST", "/api/v1/admin/recipient", &Impl::api_v1_set_recipient);
    add("POST", "/api/v1/admin/audit/verify", &Impl::api_v1_audit_verify);
    add("POST", "/api/v1/admin/passphrase", &Impl::api_v1_passphrase);
    add("POST", R"(/api/v1/envelopes/(\d+)/corrections/preview)", &Impl::api_v1_letter_preview);
    add("GET", R"(/api/v1/letter-previews/([0-9a-f]{32})/(\d+)\.png)", &Impl::api_v1_letter_preview_page);
    add("POST", R"(/api/v1/envelopes/(\d+)/corrections/receive)", &Impl::api_v1_receive_correction);
    add("GET", R"(/api/v1/envelopes/(\d+)/agreed-changes)", &Impl::api_v1_agreed_changes);
    add("POST", R"(/api/v1/envelopes/(\d+)/agreed-changes)", &Impl::api_v1_agreed_change);
    add("GET", "/api/v1/agreed-changes", &Impl::api_v1_agreed_report);
    add("GET", "/api/v1/doubtful-characters", &Impl::api_v1_doubtful_characters);
    add("POST", "/api/v1/doubtful-characters/decide", &Impl::api_v1_decide_characters);
    add("GET", "/api/v1/entries/settings", &Impl::api_v1_entry_settings);
    add("GET", "/api/v1/entries", &Impl::api_v1_entry_tasks);
    add("POST", R"(/api/v1/entries/(\d+))", &Impl::api_v1_entry_submit);
    add("GET", R"(/api/v1/entries/(\d+)/dispute)", &Impl::api_v1_entry_dispute);
    add("POST", R"(/api/v1/entries/(\d+)/decide)", &Impl::api_v1_entry_decide);
    if (registered != routes::kRoutes.size())
      throw std::logic_error("the route matrix (web_routes.h) has rows the server does not register");
  }
};

WebServer::WebServer(station::Station& station, WebOptions options)
    : impl_(std::make_unique<Impl>(station, std::move(options))) {}

WebServer::~WebServer() { stop(); }

bool is_loopback(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr a{};
  return ::inet_pton(AF_INET, host.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

station::Status check_listen(const WebOptions& o) {
  if (o.tls_cert.empty() != o.tls_key.empty())
    return station::fail(ErrorCode::kConfig, "tls_cert and tls_key must be given together",
                         "設定ファイルの [web] tls_cert（証明書）と tls_key（秘密鍵）は両方を指定してください。");
  if (o.tls_cert.empty()) {
    if (is_loopback(o.host)) return {};
    return station::fail(ErrorCode::kConfig, "refusing to listen on " + o.host + " without TLS",
                         "この端末の外（" + o.host +
                             "）から接続できるアドレスでは、暗号化（TLS）なしに起動できません。設定ファイルの [web] に "
                             "tls_cert（証明書の PEM ファイル）と tls_key（秘密鍵の PEM ファイル）を指定するか、"
                             "--host 127.0.0.1 で起動してください。");
  }
  for (const auto& f : {o.tls_cert, o.tls_key}) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(f, ec) || ::access(f.c_str(), R_OK) != 0)
      return station::fail(ErrorCode::kConfig, "cannot read TLS file " + std::filesystem::path(f).filename().string(),
                           "TLS の証明書または秘密鍵のファイル（" + f +
                               "）を読めません。設定ファイルの [web] tls_cert と tls_key の場所と読み取り権限を確認してください。");
  }
  return {};
}

station::Result<int> WebServer::bind() {
  auto& o = impl_->options;
  if (auto ok = check_listen(o); !ok) return std::unexpected(ok.error());
  if (!impl_->tls_ok)
    return station::fail(ErrorCode::kConfig, "TLS certificate or key could not be loaded",
                         "TLS の証明書と秘密鍵を読み込めませんでした。PEM 形式であること、証明書と秘密鍵が対になっていることを確認してください。");
  errno = 0;
  if (o.port == 0) {
    const int port = impl_->server->bind_to_any_port(o.host);
    if (port <= 0) return station::fail(ErrorCode::kIo, fmt("cannot bind {} to any port", o.host));
    o.port = port;
  } else if (!impl_->server->bind_to_port(o.host, o.port)) {
    const int err = errno;
    return station::fail(err == EADDRINUSE ? ErrorCode::kAddressInUse : ErrorCode::kIo,
                         fmt("cannot bind {}:{} ({})", o.host, o.port, std::string(std::strerror(err))));
  }
  impl_->bound = true;
  return o.port;
}

void WebServer::run() {
  if (!impl_->bound) return;
  impl_->in_run = true;
  if (!impl_->stop_requested) impl_->server->listen_after_bind();
  impl_->in_run = false;
}

void WebServer::stop() {
  impl_->stop_requested = true;
  // run() may be between its check and listen_after_bind(); wait (bounded) until the server is
  // really listening so that stop() is not lost.
  for (int i = 0; i < 300; ++i) {
    if (impl_->server->is_running()) {
      impl_->server->stop();
      return;
    }
    if (!impl_->in_run) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace ui
