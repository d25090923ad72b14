#pragma once
// Server-rendered HTML of the web UI (Japanese). Pure functions of their inputs: every value is
// escaped here, callers pass raw text.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "station/model.h"

namespace ui::pages {

// Who is looking at the page (absent on the login page).
struct Viewer {
  station::User user;
  std::string csrf;
  int idle_minutes = 0;
};

struct LoginView {
  std::string username;   // re-filled after a failed attempt
  std::string error_ja;   // shown above the form
  std::string notice_ja;  // e.g. the idle-lock notice
  std::string login_csrf; // double-submit token (also in a cookie)
  // The password is an admin's one-time password: the form asks for it and a new one twice.
  bool change_password = false;
};

struct ExportView {
  station::ExportReport report;
};

// Envelopes the background recognition still has (queued or reading): their state is shown in a
// .recognition-state element that /static/app.js keeps up to date by polling /api/recognition.
using PendingIds = std::set<std::int64_t>;

// The state of an envelope as the pages show it: 「読取中 3/5 ページ」, 「読取済」, ...; with
// `reload_when_done` the page reloads once when its recognition ends (to show the fields).
std::string state_badge(std::int64_t envelope_id, const std::string& text_ja, bool pending, bool reload_when_done);

struct ReviewView {
  station::EnvelopeSummary envelope;
  bool recognition_pending = false;         // queued or being read: the page follows it
  std::vector<station::PageInfo> pages;
  std::vector<station::FieldInfo> fields;
  std::optional<std::int64_t> error_field;  // the field whose confirmation failed
  std::string error_ja;
  std::string typed_value;                  // what was typed into error_field
};

std::string login_page(const LoginView& view);
// `warning_ja`: e.g. that the last good backup is older than a day.
std::string envelope_list_page(const Viewer& viewer, const std::vector<station::EnvelopeSummary>& envelopes,
                               const PendingIds& pending, const std::string& error_ja,
                               const std::string& warning_ja = {});
std::string export_result_page(const Viewer& viewer, const station::ExportReport& report);
std::string review_page(const Viewer& viewer, const ReviewView& view);
// A whole page with a message (errors, not found, ...). viewer may be null (not logged in).
std::string message_page(const Viewer* viewer, std::string_view title_ja, std::string_view message_ja);

std::string status_label_ja(std::string_view status);
std::string page_kind_label_ja(std::string_view kind);
std::string flag_label_ja(std::string_view flag);

// The page frame (header, navigation, CSRF meta tag, script) around `body`; an alert box.
std::string layout(const Viewer* viewer, std::string_view title_ja, std::string_view body);
std::string alert(std::string_view kind, std::string_view text_ja);

}  // namespace ui::pages
