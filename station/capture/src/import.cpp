// Capture: envelope intake (受付) and page import. Each page is committed the moment it is read
// (the original kept byte for byte where it can be); cleanup runs on two workers and stores the
// cleaned page beside the original (steps.h).
#include "station/capture/capture.h"

#include <filesystem>

#include "station/access.h"
#include "station/capture/jobs.h"
#include "station/capture/steps.h"
#include "station/files.h"
#include "station/recognition/ocr_error.h"
#include "station/recognition/pipeline.h"
#include "station/store/error.h"
#include "station/store/envelopes.h"
#include "station/store/pages.h"
#include "station/store/transaction.h"
#include "station/text.h"

namespace station::capture {

namespace fs = std::filesystem;

namespace {

// What to tell the clerk about a file that could not be read: the file, what is wrong, what to do.
std::string file_problem_ja(const std::string& name, const Error& e) {
  if (!e.reason_ja.empty()) return name + ": " + e.reason_ja;
  std::string what;
  switch (e.code) {
    case ErrorCode::kImageTooLarge:
      what = "画像が大きすぎるか、ページ数が多すぎます（画素数またはページ数の上限を超えています）。スキャナーの解像度を 200〜300 dpi にして読み取り直してください。ページ数が多いときは、ファイルを分けて取り込んでください。";
      break;
    case ErrorCode::kNoPages: what = "ページが1枚もありません。元のファイルを確認して、取り込み直してください。"; break;
    case ErrorCode::kBadImage:
      what = std::string(message_ja(e.code)) + " 原本を読み取り直すか、別の形式（JPEG・PNG・TIFF・PDF）で保存し直してください。";
      break;
    default: what = std::string(message_ja(e.code)); break;
  }
  return name + ": " + what;
}

}  // namespace

Capture::Capture(store::Context store, AuditTrail& audit, const Config& config, ScannerFactory make_scanner,
                 RunEnded ended)
    : store_(store), audit_(audit), config_(config), make_scanner_(std::move(make_scanner)), ended_(std::move(ended)) {}

Capture::~Capture() {
  std::shared_ptr<JobRunner> jobs;
  {
    std::lock_guard lock(jobs_mu_);
    jobs = std::move(jobs_);
  }
  jobs.reset();  // stops the run after its current page and joins its thread
}

Result<ImportReport> Capture::import_files(const User& actor, const std::vector<fs::path>& inputs,
                                                 const Intake& intake,
                                                 const std::function<void(const CaptureProgress&)>& progress,
                                                 const std::atomic<bool>* stop_requested) {
  if (auto s = require(actor, {Role::kClerk, Role::kSupervisor}, "import envelopes"); !s)
    return std::unexpected(s.error());
  const std::string received = intake.received_date.empty() ? store_.clock.jst_today() : intake.received_date;
  if (!valid_iso_date(received)) return fail(ErrorCode::kInvalidInput, "received date must be YYYY-MM-DD");
  if (intake.enclosures < 0) return fail(ErrorCode::kInvalidInput, "enclosures must not be negative");

  // Expand folders into their image files, in name order (the scanner's order).
  std::vector<fs::path> files;
  std::vector<std::string> early_problems;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(in, ec))) {
      early_problems.push_back(in.filename().string() + ": シンボリックリンクは取り込めません。元のファイルやフォルダーを指定してください。");
    } else if (fs::is_directory(in, ec)) {
      const std::vector<fs::path> found = image_files_in(in);
      if (found.empty()) early_problems.push_back(in.filename().string() + ": 画像ファイルがありません。");
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(in, ec)) {
      files.push_back(in);
    } else {
      early_problems.push_back(in.filename().string() + ": ファイルが見つかりません。");
    }
  }
  if (files.empty()) return fail(ErrorCode::kNoPages, "no image files among the inputs");

  // Register the envelope (受付) first, so every page can be committed the moment it is read.
  const Store& store = store_;
  auto registered = register_envelope(store, actor.id, received, intake.enclosures, "import");
  if (!registered) return std::unexpected(registered.error());
  ImportReport report = std::move(*registered);
  report.problems_ja = std::move(early_problems);

  CleanupPool pool(store, recognition::pipeline::cleanup_options(config_), 2);
  const RateMeter meter;
  int seq = 0;
  std::optional<Error> stop;
  bool stopped = false;
  for (const auto& file : files) {
    if (stop_requested != nullptr && stop_requested->load()) {
      stopped = true;
      break;
    }
    const std::string name = file.filename().string();
    // No link followed, and the size checked before the bytes are read.
    auto bytes = read_file_bounded(file, static_cast<std::uint64_t>(config_.max_file_mb) * 1024 * 1024);
    if (!bytes) {
      report.problems_ja.push_back(file_problem_ja(name, bytes.error()));
      continue;
    }
    auto decoded = recognition::pipeline::decode(*bytes, recognition::pipeline::decode_limits(config_));
    if (!decoded) {
      const Error& e = decoded.error();
      report.problems_ja.push_back(file_problem_ja(name, e));
      audit_.record(&actor, "import.rejected", "file:" + name + " code:" + std::string(error_name(e.code)));
      continue;
    }
    const auto* pages = &decoded->pages;
    const auto format = decoded->format;
    for (std::size_t i = 0; i < pages->size() && !stop; ++i) {
      const ocr::Image& img = (*pages)[i];
      NewPage page;
      // A single-page JPEG/PNG/TIFF is kept byte for byte; pages of a multi-page file are kept
      // losslessly as PNG each.
      if (pages->size() == 1 && format != ocr::Format::kPdf) {
        page.bytes = *bytes;
        page.media_type = ocr::media_type(format);
      } else {
        auto png = img.encode_png();
        if (!png) {
          report.problems_ja.push_back(file_problem_ja(name, from_ocr(png.error())));
          continue;
        }
        page.bytes = std::move(*png);
        page.media_type = "image/png";
      }
      page.envelope_id = report.envelope_id;
      page.seq = seq + 1;
      page.source_name = name;
      page.source_page = static_cast<int>(i);
      page.image = &img;
      if (!img.dpi_from_file()) page.flags.emplace_back("dpi_assumed");
      auto id = store_page(store, page);
      if (!id) {
        // Pages already committed stay; the caller learns the store could not take more.
        stop = id.error();
        break;
      }
      ++seq;
      ++report.pages;
      if (report.pages == 1) set_postmark_page(store, report.envelope_id, *id);
      pool.submit(*id, img);
      if (progress) progress(meter.at(report.pages, 1));
    }
    if (stop) break;
  }
  pool.finish();
  // Every page is in and cleaned: the envelope joins the recognition queue, unless the run was cut
  // off (then it is interrupted, for the clerk to continue or re-import).
  if (report.pages > 0) ended_(report.envelope_id, !stopped && !stop);
  audit_.record(&actor, "envelope.import",
               "envelope:" + std::to_string(report.envelope_id) + " pages:" + std::to_string(report.pages));
  if (stopped)
    report.problems_ja.push_back("ステーションの終了のため取り込みを途中で止めました（" + std::to_string(report.pages) +
                                 " ページは保存済みです）。残りのファイルは、もう一度取り込んでください。");
  if (stop && report.pages > 0) {
    report.problems_ja.push_back(std::string(message_ja(stop->code)) + " 取り込みを途中で止めました（" +
                                 std::to_string(report.pages) + " ページは保存済みです）。");
    return report;
  }
  if (stop) return std::unexpected(*stop);
  if (report.pages == 0) {
    std::lock_guard lock(store_.mu);
    (void)station::store::remove(store_.db, report.envelope_id);
    // Name each file that could not be read and why, as the report would have (the clerk must
    // know which original to rescan).
    std::string reason = "読み取れるページがありませんでした。";
    for (const auto& p : report.problems_ja) reason += "\n" + p;
    return fail(ErrorCode::kNoPages, "none of the " + std::to_string(files.size()) + " files could be read",
                std::move(reason));
  }
  return report;
}

Status Capture::confirm_blank(const User& actor, std::int64_t page_id, bool blank) {
  if (auto s = require(actor, {Role::kClerk, Role::kSupervisor}, "confirm blank pages"); !s) return s;
  std::int64_t envelope_id = 0;
  {
    const Store& store = store_;
    std::lock_guard lock(store_.mu);  // the flags and the blank columns change together
    auto s = station::store::transaction(store_.db, [&]() -> Status {
      auto edited = edit_flags(store, page_id, [&](std::vector<std::string>& flags) {
        std::erase_if(flags, [](const std::string& f) { return f == "blank" || f == "blank_confirmed"; });
        if (blank) flags.emplace_back("blank_confirmed");
      });
      if (!edited) return edited;
      if (auto up = station::store::set_blank(store_.db, page_id, blank, actor.id); !up) return up;
      auto env = station::store::envelope_of(store_.db, page_id);
      if (!env) return std::unexpected(env.error());
      if (*env) envelope_id = **env;
      return {};
    });
    if (!s) return s;
  }
  audit_.record(&actor, blank ? "page.blank_confirmed" : "page.blank_cleared",
               "envelope:" + std::to_string(envelope_id) + " page:" + std::to_string(page_id));
  return {};
}

}  // namespace station::capture
