// The review's checks against the 6,000-row facility list (issue 12): the time to load the list
// (read, decode CP932, validate every row, store it as a new version; goal < 2 s) and to check
// 100 applications (goal < 1 s in all), each with its duplicates looked for among the station's
// other envelopes and the electronic applications.
//   checks_bench [shared_dir]
// The 100 envelopes are the samples over again (one page each, imported with recognition off),
// their values confirmed from truth.json.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "station/station.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path shared = argc > 1 ? fs::path(argv[1]) : fs::path(STATION_SHARED_DIR);
  const fs::path dir = fs::temp_directory_path() / ("station-checks-bench-" + std::to_string(std::random_device{}()));
  station::Config config;
  config.data_dir = dir / "store";
  config.recognize_on_capture = false;
  int rc = 0;
  {
    auto created = station::Station::create(config, "bench passphrase");
    if (!created) {
      std::fprintf(stderr, "%s\n", created.error().detail.c_str());
      return 1;
    }
    auto& st = **created;
    auto admin = st.add_user(nullptr, "admin", "tsuki-hana-001", station::Role::kAdmin);
    auto clerk = st.add_user(&*admin, "clerk", "yama-kawa-002", station::Role::kClerk);
    auto reviewer = st.add_user(&*admin, "reviewer", "umi-sora-0003", station::Role::kReviewer);
    auto supervisor = st.add_user(&*admin, "super", "hoshi-tsuki-04", station::Role::kSupervisor);

    std::vector<double> loads;
    for (int i = 0; i < 3; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto n = st.load_facilities(*supervisor, shared / "data" / "facilities.csv");
      loads.push_back(seconds_since(t0));
      if (!n) {
        std::fprintf(stderr, "%s\n", n.error().detail.c_str());
        return 1;
      }
    }
    (void)st.load_electronic_applications(*supervisor, shared / "data" / "electronic_applications.csv");

    std::vector<fs::path> samples;
    for (const auto& d : fs::directory_iterator(shared / "samples"))
      if (d.is_directory() && fs::exists(d.path() / "truth.json")) samples.push_back(d.path());
    std::sort(samples.begin(), samples.end());
    std::vector<std::int64_t> ids;
    const auto t_import = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) {
      const fs::path& s = samples[static_cast<std::size_t>(i) % samples.size()];
      json truth = json::parse(std::ifstream(s / "truth.json"));
      auto imported = st.import_envelope(*clerk, {s / truth["pages"][0]["file"].get<std::string>()}, {"2025-06-20", 1});
      if (!imported) {
        std::fprintf(stderr, "%s\n", imported.error().detail.c_str());
        return 1;
      }
      json values;
      for (const char* section : {"fields", "pledge", "officers", "passbook", "envelope"})
        if (truth.contains(section)) values[section] = truth[section];
      values["pages"] = json::array({{{"kind", "application"}}});
      if (auto c = st.confirm_values(*reviewer, imported->envelope_id, values.dump()); !c) {
        std::fprintf(stderr, "%s\n", c.error().detail.c_str());
        return 1;
      }
      ids.push_back(imported->envelope_id);
    }
    const double import_s = seconds_since(t_import);

    const auto t_first = std::chrono::steady_clock::now();
    auto first = st.check(*reviewer, ids[0]);  // builds the list's index
    const double first_s = seconds_since(t_first);
    const auto t_checks = std::chrono::steady_clock::now();
    std::size_t findings = 0;
    for (auto id : ids) {
      auto r = st.check(*reviewer, id);
      if (!r) {
        std::fprintf(stderr, "%s\n", r.error().detail.c_str());
        rc = 1;
        break;
      }
      findings += r->findings.size();
    }
    const double checks_s = seconds_since(t_checks);
    std::printf("[checks_bench] facility list 6000 rows: load %.3f s / %.3f s / %.3f s (goal < 2 s)\n", loads[0],
                loads[1], loads[2]);
    std::printf("[checks_bench] first check (builds the list's index): %.3f s\n", first_s);
    std::printf("[checks_bench] 100 checks against the list, 100 envelopes in the station: %.3f s total, "
                "%.1f ms each, %zu findings (goal < 1 s)\n",
                checks_s, checks_s * 10, findings);
    std::printf("[checks_bench] (setup: 100 one-page imports with values confirmed: %.1f s)\n", import_s);
    (void)first;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return rc;
}
