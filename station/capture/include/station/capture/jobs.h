#pragma once
// The web UI's background capture job (a scan or an import on its own thread, one at a
// time per station). The runner knows nothing of the store: Capture::start_job hands it the
// work; the work reports progress and its outcome through update().
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "station/error.h"
#include "station/model.h"

namespace station::capture {

class JobRunner {
 public:
  using Work = std::function<void(JobRunner& runner, std::int64_t job_id)>;
  JobRunner() = default;
  // Asks the running job to stop after its current page and waits for it.
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Records `job` (state "running") and runs `work` on a new thread. kCaptureBusy while a job runs.
  Result<std::int64_t> start(CaptureJob job, Work work);
  // A job by id; 0: the latest. Only the last few jobs are kept.
  std::optional<CaptureJob> get(std::int64_t id) const;
  // Changes a job's record. Once `edit` leaves a state other than "running" the job has ended and
  // the next may start.
  void update(std::int64_t id, const std::function<void(CaptureJob&)>& edit);
  // Whether a scan job is running (SANE must not be asked anything else meanwhile).
  bool scanning() const;
  // Set when the runner is destroyed: the work ends after its current page.
  const std::atomic<bool>* stop_flag() const { return &stop_; }

 private:
  static constexpr std::size_t kKeep = 20;
  mutable std::mutex m_;
  std::map<std::int64_t, CaptureJob> jobs_;
  std::int64_t next_id_ = 1;
  bool running_ = false;
  bool running_scan_ = false;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

// Whether `jobs` (may be null) is running a scan.
bool job_scanning(const std::shared_ptr<JobRunner>& jobs);

}  // namespace station::capture
