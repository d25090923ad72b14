// The web UI's background capture job (issue 3): Capture::start_job and Capture::job. The run
// itself is Capture::scan or Capture::import_files, exactly what the CLI runs; the job adds a thread,
// the progress record the web page polls, and the outcome (flag counts, what to do next).
#include "station/capture/jobs.h"

#include <cstdio>
#include <filesystem>

#include "station/capture/capture.h"
#include "station/capture/steps.h"
#include "station/access.h"
#include "station/files.h"
#include "station/text.h"

namespace station::capture {

namespace fs = std::filesystem;

JobRunner::~JobRunner() {
  stop_.store(true);
  std::thread t;
  {
    std::lock_guard lock(m_);
    t = std::move(thread_);
  }
  if (t.joinable()) t.join();
}

Result<std::int64_t> JobRunner::start(CaptureJob job, Work work) {
  std::lock_guard lock(m_);
  if (running_) return fail(ErrorCode::kCaptureBusy, "capture job " + std::to_string(next_id_ - 1) + " is running");
  // The previous job has ended (its last update is done); its thread is at most returning.
  if (thread_.joinable()) thread_.join();
  const std::int64_t id = next_id_++;
  job.id = id;
  job.state = "running";
  running_ = true;
  running_scan_ = job.kind == "scan";
  jobs_[id] = std::move(job);
  while (jobs_.size() > kKeep) jobs_.erase(jobs_.begin());
  thread_ = std::thread([this, id, work = std::move(work)] {
    try {
      work(*this, id);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "station: capture job %lld failed: %s\n", static_cast<long long>(id), e.what());
    } catch (...) {
      std::fprintf(stderr, "station: capture job %lld failed\n", static_cast<long long>(id));
    }
    // A job that did not record its end (a bug) is ended here, so the station can scan again.
    update(id, [](CaptureJob& j) {
      if (j.state != "running") return;
      j.state = "failed";
      j.error = std::string(error_name(ErrorCode::kInternal));
      j.problem_ja = std::string(message_ja(ErrorCode::kInternal));
    });
  });
  return id;
}

std::optional<CaptureJob> JobRunner::get(std::int64_t id) const {
  std::lock_guard lock(m_);
  if (jobs_.empty()) return std::nullopt;
  if (id == 0) return jobs_.rbegin()->second;
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

void JobRunner::update(std::int64_t id, const std::function<void(CaptureJob&)>& edit) {
  std::lock_guard lock(m_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  edit(it->second);
  if (it->second.state != "running" && id == next_id_ - 1) running_ = running_scan_ = false;
}

bool JobRunner::scanning() const {
  std::lock_guard lock(m_);
  return running_ && running_scan_;
}

bool job_scanning(const std::shared_ptr<JobRunner>& jobs) { return jobs && jobs->scanning(); }

namespace {

// What the clerk reads when a job could not run at all.
std::string job_failure_ja(const Error& e) {
  if (e.code == ErrorCode::kScanner)
    return "スキャナーが見つからないか、開けませんでした。電源とUSBケーブルを確認して、もう一度開始してください。";
  return std::string(message_ja(e.code));
}

std::string roots_ja(const std::vector<fs::path>& roots) {
  std::string out;
  for (const auto& r : roots) out += (out.empty() ? "" : "、") + r.string();
  return out;
}

}  // namespace

Result<fs::path> import_folder_within(const std::vector<fs::path>& roots, const fs::path& folder) {
  if (roots.empty())
    return fail(ErrorCode::kForbidden, "no [capture] import_roots configured",
                "この端末ではフォルダーからの取り込みが設定されていません。管理者に取り込み用フォルダー"
                "（設定の [capture] import_roots）の設定を依頼するか、スキャナーで読み取ってください。");
  const std::string allowed = "取り込めるのは次のフォルダーの中だけです: " + roots_ja(roots) +
                              "。USB メモリーなどのページ画像をそのフォルダーの中にコピーしてから、その場所を指定してください。";
  if (folder.empty() || !folder.is_absolute())
    return fail(ErrorCode::kForbidden, "import folder is not an absolute path", "フォルダーは / から始まる場所で指定してください。" + allowed);
  const fs::path wanted = folder.lexically_normal();
  for (const auto& root : roots) {
    std::error_code ec;
    const fs::path real_root = fs::canonical(root, ec);
    if (ec) continue;  // a root that is not there (an unplugged medium) admits nothing
    for (const fs::path& base : {root.lexically_normal(), real_root}) {
      const fs::path rel = wanted.lexically_relative(base);
      if (rel.empty() || *rel.begin() == "..") continue;
      // Walk down from the root's real path one name at a time, refusing any link.
      fs::path at = real_root;
      for (const auto& part : rel) {
        if (part.empty() || part == ".") continue;
        if (part == "..")
          return fail(ErrorCode::kForbidden, "import folder climbs out with ..", "「..」を含む場所は指定できません。" + allowed);
        at /= part;
        const auto st = fs::symlink_status(at, ec);
        if (ec || !fs::exists(st)) return fail(ErrorCode::kNoPages, "the import folder does not exist");
        if (fs::is_symlink(st))
          return fail(ErrorCode::kForbidden, "import folder goes through a symbolic link",
                      "シンボリックリンクを経由するフォルダーからは取り込めません。" + allowed);
        if (!fs::is_directory(st)) return fail(ErrorCode::kNoPages, "the import folder is not a folder");
      }
      return at;
    }
  }
  return fail(ErrorCode::kForbidden, "import folder outside the configured roots", "このフォルダーからは取り込めません。" + allowed);
}

Result<std::int64_t> Capture::start_job(const User& actor, const CaptureJobRequest& request) {
  if (auto s = require(actor, {Role::kClerk, Role::kSupervisor}, request.import ? "import envelopes" : "scan envelopes");
      !s)
    return std::unexpected(s.error());
  // What can be checked now is, so that the clerk hears of it on the form, not from the job.
  const Intake& intake = request.scan.intake;
  if (!intake.received_date.empty() && !valid_iso_date(intake.received_date))
    return fail(ErrorCode::kInvalidInput, "received date must be YYYY-MM-DD");
  if (intake.enclosures < 0) return fail(ErrorCode::kInvalidInput, "enclosures must not be negative");
  const Store& store = store_;
  fs::path folder;
  if (request.import) {
    // Only the configured roots, never through a symbolic link (the service can read more than a
    // clerk should hand it).
    auto within = import_folder_within(config_.import_roots, request.folder);
    if (!within) {
      audit_.record(&actor, "import.refused", "folder outside import roots or via a link");
      return std::unexpected(within.error());
    }
    folder = std::move(*within);
    if (image_files_in(folder).empty()) return fail(ErrorCode::kNoPages, "no image files in the import folder");
    if (!request.scan.continue_envelope.empty())
      return fail(ErrorCode::kInvalidInput, "an import always makes a new envelope");
  } else if (!request.scan.continue_envelope.empty()) {
    if (auto c = find_envelope_to_continue(store, request.scan.continue_envelope); !c)
      return std::unexpected(c.error());
  }

  std::shared_ptr<JobRunner> runner;
  {
    std::lock_guard lock(jobs_mu_);
    if (!jobs_) jobs_ = std::make_shared<JobRunner>();
    runner = jobs_;
  }
  CaptureJob job;
  job.kind = request.import ? "import" : "scan";
  job.started_by = actor.username;
  job.request = request;
  auto id = runner->start(std::move(job), [this, actor, request, folder](JobRunner& r, std::int64_t job_id) {
    auto on_progress = [&](const CaptureProgress& p) { r.update(job_id, [&](CaptureJob& j) { j.progress = p; }); };
    CaptureJob out;
    if (request.import) {
      auto rep = import_files(actor, {folder}, request.scan.intake, on_progress, r.stop_flag());
      if (!rep) {
        out.state = "failed";
        out.error = std::string(error_name(rep.error().code));
        out.problem_ja = job_failure_ja(rep.error());
      } else {
        out.state = r.stop_flag()->load() ? "interrupted" : "done";
        out.envelopes.push_back(std::move(*rep));
      }
    } else {
      auto rep = scan(actor, request.scan, on_progress, r.stop_flag());
      if (!rep) {
        out.state = "failed";
        out.error = std::string(error_name(rep.error().code));
        out.problem_ja = job_failure_ja(rep.error());
      } else {
        out.state = rep->interrupted ? "interrupted" : "done";
        out.problem_ja = rep->problem_ja;
        out.envelopes = std::move(rep->envelopes);
        if (rep->interrupted && !out.envelopes.empty()) out.continue_envelope_id = out.envelopes.back().envelope_id;
      }
    }
    std::vector<std::int64_t> ids;
    for (const auto& e : out.envelopes) ids.push_back(e.envelope_id);
    count_flags(store_, ids, out.blank_pages, out.flagged_pages);
    if (out.state == "failed")
      std::fprintf(stderr, "station: capture job %lld failed: %s\n", static_cast<long long>(job_id), out.error.c_str());
    r.update(job_id, [&](CaptureJob& j) {
      int pages = 0;
      for (const auto& e : out.envelopes) pages += e.pages;
      if (pages > j.progress.pages) j.progress.pages = pages;
      j.progress.envelopes = static_cast<int>(out.envelopes.size());
      j.envelopes = std::move(out.envelopes);
      j.blank_pages = out.blank_pages;
      j.flagged_pages = out.flagged_pages;
      j.problem_ja = std::move(out.problem_ja);
      j.error = std::move(out.error);
      j.continue_envelope_id = out.continue_envelope_id;
      j.state = out.state;  // last: the job has ended
    });
  });
  return id;
}

Result<CaptureJob> Capture::job(std::int64_t job_id) {
  std::shared_ptr<JobRunner> runner;
  {
    std::lock_guard lock(jobs_mu_);
    runner = jobs_;
  }
  auto job = runner ? runner->get(job_id) : std::nullopt;
  if (!job) return fail(ErrorCode::kNotFound, "no capture job " + std::to_string(job_id));
  return std::move(*job);
}

}  // namespace station::capture
