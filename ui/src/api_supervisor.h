#pragma once
// The supervisor's and administrator's screens' JSON API (issue #17; docs/ui.md): the dashboard
// (today's counts by state, overdue correction requests, the day's throughput per hour, sync and
// backup), the daily export as a background job with its progress and the download of the
// encrypted set, and the keys screen (the export certificates, the audit chain, the key file,
// the passphrase change). Shapes and the export job only: every rule (who may, what is refused)
// is the station's, which checks the role again and audits.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "api_accounts.h"  // Reply
#include "station/station.h"

namespace ui::api_v1 {

// The hour-by-hour throughput of one day from the audit log's entries of that day (JST): envelopes
// received (import, scan), values confirmed (one by one or many at once) and decisions.
struct HourCounts {
  int received = 0, confirmed = 0, decisions = 0;
};
struct Throughput {
  HourCounts hours[24];
  HourCounts total;
};
Throughput throughput_of(const std::vector<station::AuditEntry>& entries);

// GET /api/v1/supervisor/dashboard[?date=YYYY-MM-DD] (default: today, JST).
Reply dashboard(station::Station& st, const station::User& actor, std::string_view date, std::string_view today);

nlohmann::json certificate_json(const station::ExportCertificate& c);

// The daily export run in the background, one at a time, with its stages. Owned by the web
// server; its destructor waits for a running export (the station must outlive it).
class ExportJobs {
 public:
  ExportJobs(station::Station& st, std::filesystem::path out_dir);
  ~ExportJobs();
  ExportJobs(const ExportJobs&) = delete;
  ExportJobs& operator=(const ExportJobs&) = delete;

  // POST /api/v1/export/jobs {"date"?}: 202 with the job; 409 while another runs; the station's
  // refusals (no recipient, nothing to export) come back as the job's failure, and at once when
  // they can be known before starting (the role, the recipient certificate, nothing waiting).
  Reply start(const station::User& actor, std::string_view body);
  // GET /api/v1/export/jobs/{id}
  Reply status(const station::User& actor, std::int64_t id);
  // GET /api/v1/export: the recipient, what waits, the last job.
  Reply overview(const station::User& actor);
  // GET /api/v1/export/jobs/{id}/download: the encrypted set (.p7m) of a finished job.
  struct File {
    std::string name, content;
  };
  station::Result<File> download(const station::User& actor, std::int64_t id);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// The keys screen (administrator).
Reply keys_overview(station::Station& st, const station::User& actor);
// POST /api/v1/admin/recipient {"pem"}: the prefecture's certificate.
Reply set_recipient(station::Station& st, const station::User& actor, std::string_view body);
// POST /api/v1/admin/audit/verify {}
Reply verify_audit(station::Station& st, const station::User& actor);
// POST /api/v1/admin/passphrase {"current_passphrase", "new_passphrase"}
Reply change_passphrase(station::Station& st, const station::User& actor, std::string_view body);

}  // namespace ui::api_v1
