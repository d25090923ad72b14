// Scanning envelopes (issue 3): open the device, apply its profile, commit every page the moment
// the scanner delivers it, split a stack on separator sheets, clean pages on two workers.
#include <filesystem>

#include "station/access.h"
#include "station/capture/capture.h"
#include "station/capture/jobs.h"
#include "station/capture/steps.h"
#include "station/text.h"
#include "station/store/envelopes.h"
#include "station/recognition/pipeline.h"
#include "ocr/separator.h"
#include "scanner/profiles.h"
#include "scanner/scanner.h"
#include "station/recognition/ocr_error.h"
#include "station/store/error.h"
#include "station/store/transaction.h"

namespace station::capture {

namespace fs = std::filesystem;

inline Error from_scanner(const scanner::Error& e) { return {ErrorCode::kScanner, e.message}; }

namespace {

fs::path profiles_dir(const Config& config) {
  if (!config.profiles_dir.empty()) return config.profiles_dir;
  std::error_code ec;
  const fs::path installed = "/usr/share/station/profiles";
  if (fs::is_directory(installed, ec)) return installed;
  return fs::path(STATION_SOURCE_DIR) / "hardware" / "profiles";
}

std::vector<scanner::Profile> load_profiles_or_none(const Config& config) {
  auto p = scanner::load_profiles(profiles_dir(config));
  if (!p) {
    std::fprintf(stderr, "station: scanner profiles not loaded: %s\n", p.error().message.c_str());
    return {};
  }
  return std::move(*p);
}

}  // namespace

Result<std::vector<ScannerDevice>> Capture::scanners() {
  // SANE is driven by one thread at a time: not while a background job scans.
  std::shared_ptr<JobRunner> jobs;
  {
    std::lock_guard lock(jobs_mu_);
    jobs = jobs_;
  }
  if (job_scanning(jobs)) return fail(ErrorCode::kCaptureBusy, "a capture job is scanning");
  auto devices = scanner::Sane::list_devices();
  if (!devices) return std::unexpected(from_scanner(devices.error()));
  const auto profiles = load_profiles_or_none(config_);
  std::vector<ScannerDevice> out;
  for (const auto& d : *devices) {
    ScannerDevice s{d.name, d.vendor, d.model, {}};
    if (const auto* p = scanner::match_profile(profiles, d)) s.profile = p->id;
    out.push_back(std::move(s));
  }
  return out;
}

Result<ScanReport> Capture::scan(const User& actor, const ScanRequest& request,
                                       const std::function<void(const CaptureProgress&)>& progress,
                                       const std::atomic<bool>* stop_requested) {
  if (auto s = require(actor, {Role::kClerk, Role::kSupervisor}, "scan envelopes"); !s)
    return std::unexpected(s.error());
  const std::string received = request.intake.received_date.empty() ? store_.clock.jst_today() : request.intake.received_date;
  if (!valid_iso_date(received)) return fail(ErrorCode::kInvalidInput, "received date must be YYYY-MM-DD");
  if (request.intake.enclosures < 0) return fail(ErrorCode::kInvalidInput, "enclosures must not be negative");
  for (int n : request.stack_enclosures)
    if (n < 0) return fail(ErrorCode::kInvalidInput, "enclosures must not be negative");
  if (request.dpi < 0 || request.dpi > 1200) return fail(ErrorCode::kInvalidInput, "dpi must be 1..1200");

  const Store& store = store_;
  // Continuing an interrupted run: the envelope is checked before the scanner is touched.
  std::optional<ContinuedEnvelope> continued;
  if (!request.continue_envelope.empty()) {
    auto c = find_envelope_to_continue(store, request.continue_envelope);
    if (!c) return std::unexpected(c.error());
    continued = std::move(*c);
  }

  // The device: as asked, as configured, or the first one found.
  scanner::DeviceInfo device;
  device.name = !request.device.empty() ? request.device : config_.scanner_device;
  // Services::make_scanner (tests: a fake that delivers chosen pages, jams after n pages, ...);
  // empty: SANE.
  const ScannerFactory& factory = make_scanner_;
  if (!factory) {
    auto devices = scanner::Sane::list_devices();
    if (devices) {
      for (const auto& d : *devices)
        if (device.name.empty() || d.name == device.name) {
          device = d;
          break;
        }
    }
    if (device.name.empty()) return fail(ErrorCode::kScanner, "no scanner found");
  }
  auto opened = factory ? factory(device.name) : scanner::Sane::open(device.name);
  if (!opened) return std::unexpected(from_scanner(opened.error()));
  scanner::Scanner& sc = **opened;

  ScanReport report;
  report.device = device.name;
  // Settings: the profile's defaults, then what the clerk asked for.
  const auto profiles = load_profiles_or_none(config_);
  const scanner::Profile* profile = scanner::match_profile(profiles, device);
  scanner::Settings settings = profile != nullptr ? profile->defaults : scanner::Settings{};
  if (!request.source.empty()) {
    auto src = scanner::parse_source(request.source);
    if (!src) return fail(ErrorCode::kInvalidInput, "source must be adf, adf-duplex or flatbed");
    settings.source = *src;
  }
  if (!request.mode.empty()) {
    auto mode = scanner::parse_mode(request.mode);
    if (!mode) return fail(ErrorCode::kInvalidInput, "mode must be gray, color or lineart");
    settings.mode = *mode;
  }
  if (request.dpi > 0) settings.dpi = request.dpi;
  auto configured = profile != nullptr ? scanner::apply_profile(sc, *profile, settings) : sc.configure(settings);
  if (!configured) {
    // A device without some standard option (e.g. no source selector) still scans with its own
    // settings; anything else stops here.
    if (configured.error().code != scanner::Code::kUnsupported) return std::unexpected(from_scanner(configured.error()));
    report.problem_ja = "スキャナーが一部の設定に対応していないため、スキャナー側の設定で読み取りました。";
    if (profile != nullptr)  // the profile's own options still apply
      for (const auto& [name, value] : profile->extra)
        if (auto st = sc.set_option(name, value); !st) return std::unexpected(from_scanner(st.error()));
  }

  CleanupPool pool(store, recognition::pipeline::cleanup_options(config_), 2);
  const RateMeter meter;
  std::optional<Error> store_error;
  bool stopped = false;
  int content_pages = 0;  // pages of the current envelope other than separators
  int seq = 0;
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t current = kNone;  // index into report.envelopes
  if (continued) {
    {
      std::lock_guard lock(store_.mu);
      auto t = station::store::transition(store_.db, continued->id, lifecycle::Event::kCaptureStarted);
      if (!t) return std::unexpected(t.error());
      if (!*t) return fail(ErrorCode::kConflict, "the envelope to continue changed state: it cannot take more pages");
    }
    report.envelopes.push_back(ImportReport{continued->id, continued->receipt_no, 0, {}});
    current = 0;
    content_pages = continued->content_pages;
    seq = continued->last_seq;
  }
  const bool duplex = settings.source == scanner::Source::kAdfDuplex;
  // In a stack (--separate) each envelope records its enclosures when it closes: the clerk's count
  // if given, else the sheets between its separators, the envelope's own sheet not included.
  auto close_envelope = [&](std::size_t index) {
    if (!request.separate || index >= report.envelopes.size()) return;
    int enclosures = 0;
    if (index < request.stack_enclosures.size()) {
      enclosures = request.stack_enclosures[index];
    } else {
      const int pages = content_page_count(store, report.envelopes[index].envelope_id);
      const int sheets = duplex ? (pages + 1) / 2 : pages;
      enclosures = std::max(0, sheets - 1);
    }
    if (auto s = set_enclosures(store, report.envelopes[index].envelope_id, enclosures); !s)
      std::fprintf(stderr, "station: enclosures not recorded: %s\n", s.error().detail.c_str());
  };

  auto sink = [&](scanner::Frame&& frame, int index) -> bool {
    const int dpi = frame.dpi > 0 ? frame.dpi : settings.dpi;
    auto img = ocr::Image::from_pixels(frame.width, frame.height, frame.channels, frame.pixels, dpi);
    if (!img) {
      store_error = from_ocr(img.error());
      return false;
    }
    frame.pixels = {};  // the frame's copy is no longer needed
    const bool separator = request.separate && recognition::pipeline::is_separator(*img);
    if (current == kNone) {
      const int enclosures = request.separate ? 0 : request.intake.enclosures;
      auto env = register_envelope(store, actor.id, received, enclosures, "scan");
      if (!env) {
        store_error = env.error();
        return false;
      }
      report.envelopes.push_back(std::move(*env));
      current = report.envelopes.size() - 1;
      content_pages = 0;
      seq = 0;
    }
    auto png = img->encode_png();  // lossless: the scanner's pixels are the original
    if (!png) {
      store_error = from_ocr(png.error());
      return false;
    }
    NewPage page;
    ImportReport& env = report.envelopes[current];
    page.envelope_id = env.envelope_id;
    page.seq = seq + 1;
    page.bytes = std::move(*png);
    page.media_type = "image/png";
    page.source_name = "scan:" + std::to_string(index + 1);
    page.image = &*img;
    if (separator) {
      page.kind = "separator";
      page.flags.emplace_back("separator");
    }
    auto id = store_page(store, page);
    if (!id) {
      store_error = id.error();
      return false;
    }
    ++seq;
    ++env.pages;
    ++report.pages;
    if (separator) {
      // A separator closes the envelope it follows (kept there as evidence); one that leads
      // the run (or follows another) opens the next.
      if (content_pages > 0) {
        close_envelope(current);
        current = kNone;
      }
    } else {
      if (++content_pages == 1) set_postmark_page(store, env.envelope_id, *id);
      pool.submit(*id, std::move(*img));
    }
    if (progress) progress(meter.at(report.pages, static_cast<int>(report.envelopes.size())));
    // Stopping (the station closes under a background job) ends the batch after this page.
    if (stop_requested != nullptr && stop_requested->load()) {
      stopped = true;
      return false;
    }
    return true;
  };
  auto scanned = sc.scan_batch(sink);
  pool.finish();
  if (current != kNone) close_envelope(current);

  if (store_error) {
    report.interrupted = true;
    report.problem_ja = std::string(message_ja(store_error->code)) + " 読み取りを止めました（" +
                        std::to_string(report.pages) + " ページは保存済みです）。";
  } else if (stopped) {
    report.interrupted = true;
    report.problem_ja = "ステーションの終了のため読み取りを止めました（" + std::to_string(report.pages) +
                        " ページは保存済みです）。残りの用紙は「続けてスキャン」で読み取ってください。";
  } else if (!scanned) {
    const auto code = scanned.error().code;
    if (!(code == scanner::Code::kFeederEmpty && report.pages > 0)) {
      report.interrupted = true;
      report.problem_ja = scanner_problem_ja(scanned.error(), report.pages);
    }
  } else if (report.pages == 0) {
    report.interrupted = true;
    report.problem_ja = scanner_problem_ja({scanner::Code::kFeederEmpty, ""}, 0);
  }
  // Every envelope of the run is complete but the last one of a run cut off part-way. Only now,
  // with every page cleaned (pool.finish() above), do they join the recognition queue.
  for (std::size_t i = 0; i < report.envelopes.size(); ++i)
    ended_(report.envelopes[i].envelope_id, !(report.interrupted && i + 1 == report.envelopes.size()));
  for (const auto& e : report.envelopes)
    audit_.record(&actor, continued && e.envelope_id == continued->id ? "envelope.scan_continue" : "envelope.scan",
          "envelope:" + std::to_string(e.envelope_id) + " pages:" + std::to_string(e.pages));
  if (report.interrupted)
    audit_.record(&actor, "scan.interrupted",
          "device:" + device.name + " pages:" + std::to_string(report.pages) +
              (scanned ? std::string() : " code:" + std::to_string(static_cast<int>(scanned.error().code))));
  return report;
}

}  // namespace station::capture
