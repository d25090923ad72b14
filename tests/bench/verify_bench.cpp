// The verification screen's server side (issue #17, "Performance"): a real Station on a fresh
// store with sample envelopes imported and recognised by the real OCR, the real ui::WebServer on a
// loopback port, an httplib client logged in as a reviewer doing what /app does:
//   verification   GET /api/v1/envelopes/{id}/verification
//   image first    GET /api/v1/pages/{id}/image (the first fetch of each page: decode + encode)
//   image again    the same without If-None-Match (a second browser, a cleared cache: the rendition cache)
//   image 304      the same with If-None-Match (the browser's revalidation)
//   confirm        POST /api/v1/fields/{id}/confirm
//   correct        POST /api/v1/fields/{id}/correct
//   confirm page   POST /api/v1/envelopes/{id}/pages/{id}/confirm
// p50 / p95 / max of each (goal p95 <= 50 ms for the screen's requests) and "open envelope -> first
// field ready" as the server sees it: verification + the first page's image (goal <= 300 ms).
// References in the same run: the static /app shell over the same connection; the page PNG the
// screen was served before (GET /pages/{id}.png?w=1600 encodes a PNG per request), and the same
// page decoded and encoded directly (PNG, JPEG) without the server.
//   verify_bench [samples_dir] [envelopes]
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "ocr/image.h"
#include "station/config.h"
#include "station/station.h"
#include "ui/web_server.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

struct Series {
  std::vector<double> ms;
  void add(double v) { ms.push_back(v); }
  double pct(double p) const {
    if (ms.empty()) return 0;
    auto s = ms;
    std::sort(s.begin(), s.end());
    const auto i = static_cast<std::size_t>(std::min<double>(static_cast<double>(s.size() - 1), p * static_cast<double>(s.size() - 1) + 0.5));
    return s[i];
  }
  double max() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
};

void print(const std::string& name, const Series& s, const char* note = "") {
  std::printf("  %-34s n=%4zu  p50 %8.2f  p95 %8.2f  max %8.2f ms %s\n", name.c_str(), s.ms.size(), s.pct(0.5),
              s.pct(0.95), s.max(), note);
}

std::vector<fs::path> sample_folders(const fs::path& samples, int n) {
  std::vector<fs::path> out;
  for (const auto& d : fs::directory_iterator(samples))
    if (d.is_directory() && fs::exists(d.path() / "truth.json")) out.push_back(d.path());
  std::sort(out.begin(), out.end());
  if (static_cast<int>(out.size()) > n) out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bench::single_threaded_openmp(argv);
  const fs::path samples = argc > 1 && argv[1][0] != 0 ? fs::path(argv[1]) : fs::path(STATION_SHARED_DIR) / "samples";
  const int envelopes = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  const auto folders = sample_folders(samples, envelopes);
  if (folders.empty()) {
    std::cerr << "no sample folders in " << samples << "\n";
    return 1;
  }
  const fs::path dir = fs::temp_directory_path() / ("station-verify-bench-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  int rc = 0;
  {
    station::Config config;
    config.data_dir = dir / "store";
    config.ocr_workers = 2;
    auto created = station::Station::create(config, "benchmark passphrase");
    if (!created) {
      std::cerr << "store: " << created.error().detail << "\n";
      return 1;
    }
    auto& st = **created;
    auto admin = st.add_user(nullptr, "admin", "tsuki-hana-001", station::Role::kAdmin);
    auto clerk = admin ? st.add_user(&*admin, "clerk", "yama-kawa-002", station::Role::kClerk) : admin;
    auto reviewer = admin ? st.add_user(&*admin, "reviewer", "umi-sora-003", station::Role::kReviewer) : admin;
    if (!clerk || !reviewer) {
      std::cerr << "users: " << (clerk ? reviewer.error().detail : clerk.error().detail) << "\n";
      return 1;
    }
    auto clerk_session = st.login("clerk", "yama-kawa-002");
    if (!clerk_session) return 1;
    std::vector<std::int64_t> ids;
    const auto t_import = Clock::now();
    for (const auto& folder : folders) {
      auto imported = st.import_envelope(*clerk_session, {folder}, {"2025-06-05", 5});
      if (!imported) {
        std::cerr << "import " << folder << ": " << imported.error().detail << "\n";
        return 1;
      }
      ids.push_back(imported->envelope_id);
    }
    if (!st.wait_for_recognition(std::chrono::hours(1))) {
      std::cerr << "recognition did not finish\n";
      return 1;
    }
    std::printf("verify_bench: %zu envelopes imported and recognised in %.1f s\n", ids.size(), ms_since(t_import) / 1000);

    ui::WebOptions options;
    options.port = 0;
    ui::WebServer server(st, options);
    auto port = server.bind();
    if (!port) {
      std::cerr << "bind: " << port.error().detail << "\n";
      return 1;
    }
    std::thread serving([&] { server.run(); });
    httplib::Client client("127.0.0.1", *port);
    client.set_keep_alive(true);
    client.set_tcp_nodelay(true);  // as browsers do

    // The JSON login (docs/ui.md): the token's cookie and header, then the session cookie + CSRF.
    auto form = client.Get("/api/v1/login");
    if (!form || form->status != 200) {
      std::cerr << "login form failed\n";
      server.stop();
      serving.join();
      return 1;
    }
    const std::string lc = form->get_header_value("Set-Cookie");
    auto login = client.Post("/api/v1/login",
                             httplib::Headers{{"Cookie", lc.substr(0, lc.find(';'))},
                                              {"X-CSRF-Token", json::parse(form->body).at("login_token").get<std::string>()}},
                             json{{"username", "reviewer"}, {"password", "umi-sora-003"}}.dump(), "application/json");
    if (!login || login->status != 200) {
      std::cerr << "login failed\n";
      server.stop();
      serving.join();
      return 1;
    }
    const std::string sc = login->get_header_value("Set-Cookie");
    const std::string cookie = sc.substr(0, sc.find(';'));
    const std::string csrf = json::parse(login->body).at("csrf").get<std::string>();
    const httplib::Headers auth{{"Cookie", cookie}};
    const httplib::Headers auth_post{{"Cookie", cookie}, {"X-CSRF-Token", csrf}};

    std::map<std::string, Series> s;
    Series open_to_first, old_png, shell;
    std::size_t jpeg_bytes = 0, png_bytes = 0, images = 0;
    bool ok = true;
    const auto timed = [&](const std::string& name, const std::function<httplib::Result()>& call, int expect) {
      const auto t0 = Clock::now();
      auto r = call();
      const double ms = ms_since(t0);
      if (!r || r->status != expect) {
        std::cerr << name << ": status " << (r ? r->status : -1) << "\n";
        ok = false;
      }
      s[name].add(ms);
      return r;
    };

    for (const auto id : ids) {
      const auto t_open = Clock::now();
      auto v = timed("verification", [&] { return client.Get("/api/v1/envelopes/" + std::to_string(id) + "/verification", auth); }, 200);
      if (!v || v->status != 200) continue;
      const json data = json::parse(v->body);
      const auto& pages = data.at("pages");
      std::vector<std::string> etags;
      for (std::size_t i = 0; i < pages.size(); ++i) {
        const std::string url = pages[i].at("image_url").get<std::string>();
        auto img = timed("image first", [&] { return client.Get(url, auth); }, 200);
        if (i == 0) open_to_first.add(ms_since(t_open));
        etags.push_back(img ? img->get_header_value("ETag") : "");
        if (img) {
          jpeg_bytes += img->body.size();
          ++images;
        }
      }
      for (std::size_t i = 0; i < pages.size(); ++i) {
        const std::string url = pages[i].at("image_url").get<std::string>();
        timed("image again (cached)", [&] { return client.Get(url, auth); }, 200);
        httplib::Headers h = auth;
        h.emplace("If-None-Match", etags[i]);
        timed("image 304", [&] { return client.Get(url, h); }, 304);
        // The page PNG as the screen was served before (and /review still is): encoded per request.
        const std::string png_url = "/pages/" + std::to_string(pages[i].at("id").get<std::int64_t>()) +
                                    ".png?w=" + std::to_string(pages[i].at("image_width").get<int>());
        const auto t0 = Clock::now();
        auto png = client.Get(png_url, auth);
        old_png.add(ms_since(t0));
        if (png && png->status == 200) png_bytes += png->body.size();
        const auto t1 = Clock::now();
        auto sh = client.Get("/app");
        shell.add(ms_since(t1));
        if (!sh || sh->status != 200) ok = false;
      }
      // Confirm one field, correct another, then confirm each page (what Enter does).
      int confirmed = 0, corrected = 0;
      for (const auto& f : data.at("fields")) {
        if (f.at("status") != "suggested") continue;
        const std::string fid = std::to_string(f.at("id").get<std::int64_t>());
        if (confirmed < 2) {
          timed("confirm field", [&] { return client.Post("/api/v1/fields/" + fid + "/confirm", auth_post, "{}", "application/json"); }, 200);
          ++confirmed;
        } else if (corrected < 2) {
          const json body{{"value", f.at("read_value").get<std::string>()}};
          timed("correct field", [&] { return client.Post("/api/v1/fields/" + fid + "/correct", auth_post, body.dump(), "application/json"); }, 200);
          ++corrected;
        }
      }
      for (const auto& p : pages) {
        const std::string path = "/api/v1/envelopes/" + std::to_string(id) + "/pages/" +
                                 std::to_string(p.at("id").get<std::int64_t>()) + "/confirm";
        timed("confirm page", [&] { return client.Post(path, auth_post, "{}", "application/json"); }, 200);
      }
    }
    server.stop();
    serving.join();

    // The same page decoded and encoded without the server (the first sample's first page).
    Series direct_png, direct_jpeg, direct_decode;
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(folders[0]))
      if (f.is_regular_file() && f.path().extension() != ".json") files.push_back(f.path());
    std::sort(files.begin(), files.end());
    if (!files.empty()) {
      std::ifstream in(files[0], std::ios::binary);
      const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), {});
      for (int i = 0; i < 5; ++i) {
        auto t0 = Clock::now();
        auto pages = ocr::decode_pages(bytes);
        direct_decode.add(ms_since(t0));
        if (!pages || pages->empty()) break;
        ocr::Image shown = pages->front();
        if (shown.width() > 1600) shown = shown.shown_at_width(1600);
        t0 = Clock::now();
        (void)shown.encode_png();
        direct_png.add(ms_since(t0));
        t0 = Clock::now();
        (void)shown.encode_jpeg(90);
        direct_jpeg.add(ms_since(t0));
      }
    }

    std::vector<double> all;
    for (const auto& [name, series] : s)
      if (name != "image again (cached)") all.insert(all.end(), series.ms.begin(), series.ms.end());
    Series screen{all};
    std::printf("\nThe verification screen's API requests (loopback, wall time seen by the client):\n");
    for (const auto& [name, series] : s) print(name, series);
    print("ALL screen requests", screen, screen.pct(0.95) <= 50 ? "(goal p95 <= 50 ms: met)" : "(goal p95 <= 50 ms: NOT met)");
    print("open envelope -> first field ready", open_to_first,
          open_to_first.max() <= 300 ? "(goal <= 300 ms: met)" : "(goal <= 300 ms: NOT met at max)");
    std::printf("\nReferences in the same run:\n");
    print("GET /app (static shell)", shell);
    print("GET /pages/{id}.png (PNG per request)", old_png, "(the screen's image before)");
    print("direct decode of the page file", direct_decode);
    print("direct encode PNG (1600 px)", direct_png);
    print("direct encode JPEG q90 (1600 px)", direct_jpeg);
    if (images > 0)
      std::printf("  bytes per page: JPEG rendition %zu, PNG %zu\n", jpeg_bytes / images, png_bytes / images);
    if (!ok) {
      std::cerr << "some requests failed\n";
      rc = 1;
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return rc;
}
