// Capture as the station offers it: who may do what, over capture::Capture
// (station/capture/capture.h), which runs imports and scans and the web UI's background job.
#include "station_impl.h"

namespace station {

Result<ImportReport> Station::import_envelope(const User& actor, const std::vector<fs::path>& inputs,
                                              const Intake& intake) {
  return import_envelope(actor, inputs, intake, {});
}

Result<ImportReport> Station::import_envelope(const User& actor, const std::vector<fs::path>& inputs,
                                              const Intake& intake,
                                              const std::function<void(const CaptureProgress&)>& progress) {
  return impl_->capture_runs->import_files(actor, inputs, intake, progress, nullptr);
}

Result<ScanReport> Station::scan(const User& actor, const ScanRequest& request,
                                 const std::function<void(const CaptureProgress&)>& progress) {
  return impl_->capture_runs->scan(actor, request, progress, nullptr);
}

Status Station::confirm_blank(const User& actor, std::int64_t page_id, bool blank) {
  return impl_->capture_runs->confirm_blank(actor, page_id, blank);
}

Result<std::vector<ScannerDevice>> Station::scanners(const User& actor) {
  if (auto s = require(actor, {Role::kClerk, Role::kSupervisor, Role::kAdmin}, "list scanners"); !s)
    return std::unexpected(s.error());
  return impl_->capture_runs->scanners();
}

Result<std::int64_t> Station::start_capture(const User& actor, const CaptureJobRequest& request) {
  return impl_->capture_runs->start_job(actor, request);
}

Result<CaptureJob> Station::capture_job(const User& actor, std::int64_t job_id) {
  if (auto s = require(actor, {Role::kClerk, Role::kSupervisor}, "see capture jobs"); !s)
    return std::unexpected(s.error());
  return impl_->capture_runs->job(job_id);
}

}  // namespace station
