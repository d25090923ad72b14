// The built-in demo: accounts, the facility list and sample envelopes, imported and recognised.
#include "station/demo.h"

#include <algorithm>
#include <fstream>

#include "station/clock.h"
#include "demo_assets.h"
#include "station/outputs/bundle.h"
#include "station/outputs/cms.h"

namespace station {

namespace fs = std::filesystem;

namespace {

bool looks_like_shared(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p / "data" / "facilities.csv", ec) && fs::is_directory(p / "samples", ec);
}

// The bundled demo (used when ../shared is absent): a facility list and one envelope, written
// into a scratch folder from data compiled into the binary.
Result<fs::path> write_bundled_demo(const fs::path& data_dir);

}  // namespace

fs::path find_shared_dir(const fs::path& hint) {
  if (!hint.empty()) return looks_like_shared(hint) ? hint : fs::path();
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  for (const fs::path& c : {cwd / ".." / "shared", cwd / "shared", fs::path(STATION_SOURCE_DIR) / ".." / "shared"}) {
    if (looks_like_shared(c)) return fs::weakly_canonical(c, ec);
  }
  return {};
}

Result<DemoReport> populate_demo(Station& station, const DemoOptions& options) {
  DemoReport report;
  // Accounts, with fresh random passwords each time the demo is built.
  const std::pair<const char*, Role> kAccounts[] = {
      {"admin", Role::kAdmin}, {"clerk", Role::kClerk}, {"reviewer", Role::kReviewer}, {"supervisor", Role::kSupervisor}};
  std::optional<User> admin, clerk, supervisor;
  for (const auto& [name, role] : kAccounts) {
    const std::string password = outputs::make_bundle_password(12);
    auto u = station.add_user(admin ? &*admin : nullptr, name, password, role);
    if (!u) return std::unexpected(u.error());
    if (role == Role::kAdmin) admin = *u;
    if (role == Role::kClerk) clerk = *u;
    if (role == Role::kSupervisor) supervisor = *u;
    report.accounts.push_back({name, password, role});
  }

  // The demo's stand-in for the prefecture: a recipient pair of its own, so that the 「本日分を出力」
  // button works and the set it writes can be opened (openssl cms -decrypt with demo-prefecture/).
  // A real station is given the prefecture's certificate (station export recipient set).
  {
    auto pair = outputs::make_recipient_identity("Demo prefecture (デモ用の県)");
    if (!pair) return std::unexpected(pair.error());
    const fs::path dir = station.config().data_dir / "demo-prefecture";
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::ofstream(dir / "recipient-cert.pem", std::ios::binary | std::ios::trunc) << pair->cert_pem;
    std::ofstream(dir / "recipient-key.pem", std::ios::binary | std::ios::trunc) << pair->key_pem;
    fs::permissions(dir / "recipient-key.pem", fs::perms::owner_read | fs::perms::owner_write, ec);
    auto set = station.set_export_recipient(*admin, pair->cert_pem);
    if (!set) return std::unexpected(set.error());
  }

  fs::path shared = find_shared_dir(options.shared_dir);
  if (!options.shared_dir.empty() && shared.empty())
    return fail(ErrorCode::kNotFound, "--shared does not point at a folder with data/facilities.csv and samples/");
  fs::path csv;
  std::vector<fs::path> envelopes;
  if (!shared.empty()) {
    report.source = "shared";
    report.shared_dir = shared;
    csv = shared / "data" / "facilities.csv";
    for (const auto& e : fs::directory_iterator(shared / "samples"))
      if (e.is_directory()) envelopes.push_back(e.path());
    std::sort(envelopes.begin(), envelopes.end());
  } else {
    report.source = "bundled";
    auto dir = write_bundled_demo(station.config().data_dir);
    if (!dir) return std::unexpected(dir.error());
    csv = *dir / "facilities.csv";
    envelopes.push_back(*dir / "envelope-1");
  }
  if (options.max_envelopes > 0 && static_cast<int>(envelopes.size()) > options.max_envelopes)
    envelopes.resize(static_cast<std::size_t>(options.max_envelopes));

  auto n = station.load_facilities(*supervisor, csv);
  if (!n) return std::unexpected(n.error());
  report.facilities = *n;
  std::vector<std::int64_t> imported_ids;
  for (const auto& env : envelopes) {
    Intake intake;
    // received_date left empty: the station's clock's day (JST).
    // The clerk counts the documents in the envelope; the demo counts its page files but the
    // envelope's own scan.
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(env, ec))
      if (e.is_regular_file() && e.path().extension() != ".json") ++intake.enclosures;
    intake.enclosures = std::max(0, intake.enclosures - 1);
    auto imported = station.import_envelope(*clerk, {env}, intake);
    if (!imported) {
      report.problems_ja.push_back(env.filename().string() + ": " + std::string(message_ja(imported.error().code)));
      continue;
    }
    for (auto& p : imported->problems_ja) report.problems_ja.push_back(std::move(p));
    ++report.envelopes;
    report.pages += imported->pages;
    imported_ids.push_back(imported->envelope_id);
    if (!station.config().recognize_on_capture) (void)station.queue_recognition(*clerk, imported->envelope_id);
    if (options.on_progress)
      options.on_progress(std::to_string(report.envelopes) + "/" + std::to_string(envelopes.size()) + " 通目 " +
                          imported->receipt_no + ": " + std::to_string(imported->pages) +
                          " ページを取り込みました（文字認識は裏で進みます）");
  }
  // Capture handed every envelope to the background recognition: wait for it as a clerk would
  // watch the list, reporting progress.
  std::size_t done_before = 0;
  while (!station.wait_for_recognition(std::chrono::seconds(2))) {
    auto status = station.recognition_status(*clerk);
    if (!status) break;
    const std::size_t left = status->tasks.size();
    const std::size_t done = imported_ids.size() > left ? imported_ids.size() - left : 0;
    if (options.on_progress && done != done_before)
      options.on_progress("文字認識: " + std::to_string(done) + "/" + std::to_string(imported_ids.size()) + " 通");
    done_before = done;
  }
  for (const auto id : imported_ids) {
    auto e = station.envelope(*supervisor, id);
    if (!e) continue;
    report.fields += e->fields_total;
    if (e->state == EnvelopeState::kRecognitionFailed)
      report.problems_ja.push_back(e->receipt_no + ": 文字認識に失敗しました。");
  }
  return report;
}

namespace {

Result<fs::path> write_bundled_demo(const fs::path& data_dir) {
  // The files hold no personal data (fictional demo rows), so a plain folder is fine.
  const fs::path dir = data_dir / "bundled-demo";
  std::error_code ec;
  fs::create_directories(dir / "envelope-1", ec);
  if (ec) return fail(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());
  for (const auto& asset : demo_assets()) {
    const fs::path target =
        asset.name.starts_with("envelope-1-") ? dir / "envelope-1" / asset.name.substr(11) : dir / asset.name;
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(asset.bytes.data()), static_cast<std::streamsize>(asset.bytes.size()));
    if (!out) return fail(ErrorCode::kIo, "cannot write " + target.string());
  }
  return dir;
}

}  // namespace

}  // namespace station
