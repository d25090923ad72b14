#pragma once
// The web UI's route x role matrix (issue #16): every route the server answers, how it answers
// without a session, and which roles may use it. The server registers its routes from this table
// and refuses (403) a signed-in role the row does not name before the handler runs; the station
// checks the roles again behind it (station/access.h). tests/unit/ui/route_matrix_test.cpp walks
// every row with every role and with no session. docs/security.md explains each decision.
#include <array>
#include <string_view>

#include "station/model.h"
#include "web_bundle.h"  // generated: the front-end bundle's hashed URLs (ui/web/embed_bundle.cmake)

namespace ui::routes {

// How a route answers a request without a session.
enum class Kind {
  kPublic,  // no session needed (login, static assets)
  kHtml,    // 303 to /app (the front-end's login)
  kImage,   // 401 (an <img> or a download cannot follow a redirect usefully)
  kApi,     // 401 JSON
};

using RoleMask = unsigned;
constexpr RoleMask bit(station::Role r) { return 1u << static_cast<unsigned>(r); }
constexpr RoleMask kClerk = bit(station::Role::kClerk);
constexpr RoleMask kReviewer = bit(station::Role::kReviewer);
constexpr RoleMask kSupervisor = bit(station::Role::kSupervisor);
constexpr RoleMask kAdmin = bit(station::Role::kAdmin);
constexpr RoleMask kAnyRole = kClerk | kReviewer | kSupervisor | kAdmin;
// Whose work is the application's contents: the values, the crops, the findings.
constexpr RoleMask kReview = kReviewer | kSupervisor;
// Whose work is envelopes in: scanning, importing, the blank-page check.
constexpr RoleMask kCapture = kClerk | kSupervisor;
// Whose work follows the envelopes (state, receipt log, correction rounds): not the administrator.
constexpr RoleMask kStaff = kClerk | kReviewer | kSupervisor;

struct Route {
  std::string_view method;   // "GET" or "POST"
  std::string_view pattern;  // cpp-httplib's pattern (a regex for routes with ids)
  Kind kind;
  RoleMask roles;            // ignored for kPublic
};

inline constexpr std::array kRoutes{
    Route{"GET", "/favicon.ico", Kind::kPublic, 0},
    // The old login page and envelope list are retired (issue #17): both redirect to the front-end
    // at /app. The old review, crop and export pages are gone (the front-end's verification,
    // review and 出力 screens replace them).
    Route{"GET", "/login", Kind::kPublic, 0},
    Route{"POST", "/logout", Kind::kHtml, kAnyRole},
    Route{"GET", "/", Kind::kPublic, 0},
    // Page images: reviewers and supervisors all pages; a clerk only pages flagged blank (the
    // station refuses the others with 403); an administrator none.
    Route{"GET", R"(/pages/(\d+)\.png)", Kind::kImage, kStaff},
    Route{"GET", "/api/envelopes", Kind::kApi, kAnyRole},
    Route{"GET", R"(/api/envelopes/(\d+)/fields)", Kind::kApi, kReview},
    Route{"GET", R"(/api/envelopes/(\d+)/state)", Kind::kApi, kAnyRole},
    Route{"GET", "/api/recognition", Kind::kApi, kStaff},
    Route{"GET", "/api/sync", Kind::kApi, kAnyRole},     // pending changes and since when: everyone at the station
    Route{"GET", "/api/backup", Kind::kApi, kAnyRole},   // the stale-backup warning: everyone at the station
    Route{"POST", R"(/api/fields/(\d+)/confirm)", Kind::kApi, kReview},
    Route{"POST", R"(/api/envelopes/(\d+)/decision)", Kind::kApi, kReview},
    Route{"GET", R"(/api/envelopes/(\d+)/history)", Kind::kApi, kStaff},
    Route{"GET", "/api/corrections", Kind::kApi, kStaff},
    Route{"GET", "/api/agreed-changes", Kind::kApi, kReview},
    Route{"GET", R"(/api/envelopes/(\d+)/corrections)", Kind::kApi, kStaff},
    Route{"POST", R"(/api/envelopes/(\d+)/corrections/receive)", Kind::kApi, kStaff},
    Route{"POST", R"(/api/envelopes/(\d+)/agreed-changes)", Kind::kApi, kReview},
    Route{"GET", R"(/api/envelopes/(\d+)/corrections/(\d+)/letter\.pdf)", Kind::kApi, kReview},
    Route{"GET", R"(/api/envelopes/(\d+)/findings)", Kind::kApi, kReview},
    Route{"POST", R"(/api/envelopes/(\d+)/values)", Kind::kApi, kReview},
    // The front-end (ui/web, docs/ui.md): its HTML shell (no data in it) and the bundle under
    // content-hashed URLs, served as immutable.
    Route{"GET", "/app", Kind::kPublic, 0},
    Route{"GET", bundle::kJsPath, Kind::kPublic, 0},
    Route{"GET", bundle::kCssPath, Kind::kPublic, 0},
    // JSON API v1, the front-end's contract (docs/ui.md). The login's GET hands out the
    // double-submit token its POST must carry (X-CSRF-Token and the station_login cookie).
    Route{"GET", "/api/v1/login", Kind::kPublic, 0},
    Route{"POST", "/api/v1/login", Kind::kPublic, 0},
    Route{"POST", "/api/v1/logout", Kind::kApi, kAnyRole},
    Route{"GET", "/api/v1/session", Kind::kApi, kAnyRole},
    // The work queue: receipt numbers, dates and counts only (no personal values), like "/".
    Route{"GET", "/api/v1/envelopes", Kind::kApi, kAnyRole},
    // The verification screen: values, boxes and page images are the reviewers' work.
    Route{"GET", R"(/api/v1/envelopes/(\d+)/verification)", Kind::kApi, kReview},
    // Page images: reviewers and supervisors every page; a clerk the pages flagged blank and, as
    // thumbnails, the pages of envelopes still in the intake (the station refuses the others with
    // 403 and caps a clerk's width); an administrator none.
    Route{"GET", R"(/api/v1/pages/(\d+)/image)", Kind::kImage, kStaff},
    Route{"POST", R"(/api/v1/fields/(\d+)/confirm)", Kind::kApi, kReview},
    Route{"POST", R"(/api/v1/fields/(\d+)/correct)", Kind::kApi, kReview},
    Route{"POST", R"(/api/v1/envelopes/(\d+)/pages/(\d+)/confirm)", Kind::kApi, kReview},
    // Accounts (issue #16): the administrator's screen; one's own password for everyone. The
    // station checks the role again and audits each change.
    Route{"GET", "/api/v1/accounts", Kind::kApi, kAdmin},
    Route{"POST", "/api/v1/accounts", Kind::kApi, kAdmin},
    Route{"POST", R"(/api/v1/accounts/([A-Za-z0-9._-]+)/reset)", Kind::kApi, kAdmin},
    Route{"POST", R"(/api/v1/accounts/([A-Za-z0-9._-]+)/disable)", Kind::kApi, kAdmin},
    Route{"POST", R"(/api/v1/accounts/([A-Za-z0-9._-]+)/enable)", Kind::kApi, kAdmin},
    Route{"POST", R"(/api/v1/accounts/([A-Za-z0-9._-]+)/role)", Kind::kApi, kAdmin},
    Route{"POST", "/api/v1/me/password", Kind::kApi, kAnyRole},
    // The review screen (issue #17): findings with their page regions, candidates, history and
    // the decision are the reviewers' work (accepting over blocking findings: the station allows
    // only a supervisor); open correction requests and deadlines: all staff, like /api/corrections;
    // the letter names the applicant: reviewers and supervisors.
    Route{"GET", R"(/api/v1/envelopes/(\d+)/review)", Kind::kApi, kReview},
    Route{"POST", R"(/api/v1/envelopes/(\d+)/decision)", Kind::kApi, kReview},
    Route{"GET", "/api/v1/corrections", Kind::kApi, kStaff},
    Route{"GET", R"(/api/v1/envelopes/(\d+)/corrections/(\d+)/letter\.pdf)", Kind::kApi, kReview},
    // The intake screen (issue #17): scanning, importing, the blank-page check and the page
    // operations are the clerks' (and supervisors') work; the receipt log (intake facts, no
    // applicant data) all staff's. The station checks the roles again and audits each change.
    Route{"GET", "/api/v1/intake/scanners", Kind::kApi, kCapture},
    Route{"POST", "/api/v1/intake/jobs", Kind::kApi, kCapture},
    Route{"GET", R"(/api/v1/intake/jobs/(\d+))", Kind::kApi, kCapture},
    Route{"GET", R"(/api/v1/intake/envelopes/(\d+))", Kind::kApi, kCapture},
    Route{"POST", R"(/api/v1/intake/envelopes/(\d+)/order)", Kind::kApi, kCapture},
    Route{"POST", R"(/api/v1/intake/pages/(\d+)/blank)", Kind::kApi, kCapture},
    Route{"POST", R"(/api/v1/intake/pages/(\d+)/rotate)", Kind::kApi, kCapture},
    Route{"POST", R"(/api/v1/intake/pages/(\d+)/move)", Kind::kApi, kCapture},
    Route{"GET", "/api/v1/intake/log", Kind::kApi, kStaff},
    Route{"GET", "/api/v1/intake/log.xlsx", Kind::kImage, kStaff},
    // The supervisor's dashboard and the daily export (issue #17): counts, overdue requests, the
    // day's throughput (from the audit log), sync and backup; the export job and the download of
    // its encrypted set (the only download the kiosk allows). The administrator's keys screen: the
    // export certificates, the audit chain, the key file, the passphrase change (api_supervisor.h).
    Route{"GET", "/api/v1/supervisor/dashboard", Kind::kApi, kSupervisor},
    Route{"GET", "/api/v1/export", Kind::kApi, kSupervisor},
    Route{"POST", "/api/v1/export/jobs", Kind::kApi, kSupervisor},
    Route{"GET", R"(/api/v1/export/jobs/(\d+))", Kind::kApi, kSupervisor},
    Route{"GET", R"(/api/v1/export/jobs/(\d+)/download)", Kind::kApi, kSupervisor},
    Route{"GET", "/api/v1/admin/keys", Kind::kApi, kAdmin},
    Route{"POST", "/api/v1/admin/recipient", Kind::kApi, kAdmin},
    Route{"POST", "/api/v1/admin/audit/verify", Kind::kApi, kAdmin},
    Route{"POST", "/api/v1/admin/passphrase", Kind::kApi, kAdmin},
    // The correction workflow (api_corrections.h): the letter previewed before it is issued (its
    // page images only for the one who asked), agreed changes (values): reviewers and supervisors;
    // the applicant's reply received: all staff, like /api/envelopes/{id}/corrections/receive.
    Route{"POST", R"(/api/v1/envelopes/(\d+)/corrections/preview)", Kind::kApi, kReview},
    Route{"GET", R"(/api/v1/letter-previews/([0-9a-f]{32})/(\d+)\.png)", Kind::kImage, kReview},
    Route{"POST", R"(/api/v1/envelopes/(\d+)/corrections/receive)", Kind::kApi, kStaff},
    Route{"GET", R"(/api/v1/envelopes/(\d+)/agreed-changes)", Kind::kApi, kReview},
    Route{"POST", R"(/api/v1/envelopes/(\d+)/agreed-changes)", Kind::kApi, kReview},
    Route{"GET", "/api/v1/agreed-changes", Kind::kApi, kReview},
    // Group verification (issue #17): the doubtful characters of one kind across the queue and a
    // pass's decisions (values and page regions: the reviewers' work).
    Route{"GET", "/api/v1/doubtful-characters", Kind::kApi, kReview},
    Route{"POST", "/api/v1/doubtful-characters/decide", Kind::kApi, kReview},
    // Blind double entry (issue #17, api_entries.h): which field types are under it (no personal
    // values: every role, the administrator included); the waiting fields, an entry, a disputed
    // field's two entries and its decision (values and page regions: the reviewers' work; the
    // station refuses a keyer the other entry and the decision).
    Route{"GET", "/api/v1/entries/settings", Kind::kApi, kAnyRole},
    Route{"GET", "/api/v1/entries", Kind::kApi, kReview},
    Route{"POST", R"(/api/v1/entries/(\d+))", Kind::kApi, kReview},
    Route{"GET", R"(/api/v1/entries/(\d+)/dispute)", Kind::kApi, kReview},
    Route{"POST", R"(/api/v1/entries/(\d+)/decide)", Kind::kApi, kReview},
};

constexpr bool allows(const Route& r, station::Role role) { return r.kind == Kind::kPublic || (r.roles & bit(role)) != 0; }

// The row for a method and pattern; nullptr when the table lacks it.
constexpr const Route* find(std::string_view method, std::string_view pattern) {
  for (const auto& r : kRoutes)
    if (r.method == method && r.pattern == pattern) return &r;
  return nullptr;
}

}  // namespace ui::routes
