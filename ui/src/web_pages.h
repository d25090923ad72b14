#pragma once
// Server-rendered HTML of the web UI (Japanese). Pure functions of their inputs: every value is
// escaped here, callers pass raw text.
#include <cstdint>
#include <map>
#include <optional>
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
};

struct ExportView {
  station::ExportReport report;
};

struct ReviewView {
  station::EnvelopeSummary envelope;
  std::vector<station::PageInfo> pages;
  std::vector<station::FieldInfo> fields;
  std::optional<std::int64_t> error_field;  // the field whose confirmation failed
  std::string error_ja;
  std::string typed_value;                  // what was typed into error_field
};

std::string login_page(const LoginView& view);
std::string envelope_list_page(const Viewer& viewer, const std::vector<station::EnvelopeSummary>& envelopes,
                               const std::string& error_ja);
std::string export_result_page(const Viewer& viewer, const station::ExportReport& report);
std::string review_page(const Viewer& viewer, const ReviewView& view);
// A whole page with a message (errors, not found, ...). viewer may be null (not logged in).
std::string message_page(const Viewer* viewer, std::string_view title_ja, std::string_view message_ja);

// The receipt log (受付簿) of one day, with a link to its xlsx. `date` is YYYY-MM-DD.
std::string intake_log_page(const Viewer& viewer, const std::string& date,
                            const std::vector<station::IntakeLogRow>& rows, const std::string& error_ja);

std::string status_label_ja(std::string_view status);
std::string page_kind_label_ja(std::string_view kind);

}  // namespace ui::pages
