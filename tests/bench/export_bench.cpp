// The daily set's cost (issue #14): 100 accepted applications of 5 real sample pages each (about
// 500 pages) exported as one set — PDFs, lists, manifest, ZIP, CMS signature and AES-256
// encryption — on a real store. Prints seconds and the process's peak memory against the goal
// (<= 30 s, <= 500 MiB), and beside it, as a reference in the same run, the openssl command
// signing and encrypting a file of the set's size.
//   export_bench [applications] [pages_per_application]
#include <gtest/gtest.h>  // the fixture's EXPECT_* (they only print here)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>

#include "../integration/export_fixture.h"

int main(int argc, char** argv) {
  using namespace export_fixture;
  const int apps = argc > 1 ? std::atoi(argv[1]) : 100;
  const int pages_each = argc > 2 ? std::atoi(argv[2]) : 5;
  const fs::path shared = STATION_SHARED_DIR;
  std::vector<std::string> scans;
  for (const auto& d : fs::directory_iterator(shared / "samples"))
    if (d.is_directory())
      for (const auto& f : fs::directory_iterator(d.path()))
      if (f.path().extension() == ".jpg") scans.push_back(read_file(f.path()));
  if (scans.empty()) {
    std::fprintf(stderr, "no sample pages under %s\n", (shared / "samples").c_str());
    return 1;
  }
  StoreFiles files = new_store_files();
  const fs::path work = files.dir / "bench";
  fs::create_directories(work);
  int rc = 0;
  {
    Store store(files);
    if (run("openssl req -x509 -newkey rsa:3072 -nodes -keyout " + q(work / "k.pem") + " -out " + q(work / "c.pem") +
            " -days 30 -subj /CN=pref 2>/dev/null") != 0)
      return 1;
    station::outputs::Outputs out(store.context(), store.trail);
    if (!out.set_recipient(store.admin, read_file(work / "c.pem"))) return 1;
    std::printf("preparing %d accepted applications of %d pages...\n", apps, pages_each);
    for (int i = 0; i < apps; ++i)
      store.accepted({{"corp.name", "社会福祉法人" + std::to_string(i) + "会"},
                      {"amount", "20000"},
                      {"bank.name", "千葉興業銀行"},
                      {"bank.branch", "千葉駅前支店"},
                      {"bank.account_type", "普通"},
                      {"bank.account_no", "1234567"},
                      {"bank.holder_kana", "シャカイフクシホウジン"}},
                     "2026-03-30", {}, pages_each);
    // Page ids run 1..apps*pages: each gets a real scan, round robin.
    auto page = [&](std::int64_t id) -> station::Result<station::outputs::PdfPage> {
      station::outputs::PdfPage p;
      const std::string& s = scans[static_cast<std::size_t>(id) % scans.size()];
      p.bytes.assign(s.begin(), s.end());
      p.is_jpeg = true;
      p.width = 1654;
      p.height = 2339;
      p.dpi = 200;
      return p;
    };
    // Load the Zengin table outside the timing (an install-time step).
    (void)out.load_zengin(store.admin, {});
    struct rusage before {};
    getrusage(RUSAGE_SELF, &before);
    const auto t0 = std::chrono::steady_clock::now();
    auto r = out.export_batch(store.supervisor, {work / "out", "", "{}"}, page);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    struct rusage after {};
    getrusage(RUSAGE_SELF, &after);
    if (!r) {
      std::fprintf(stderr, "export failed: %s\n", r.error().detail.c_str());
      rc = 1;
    } else {
      const auto size = fs::file_size(r->bundle_path);
      std::printf("export: %d applications, %d pages, %zu files, set %.1f MiB\n", r->applications, apps * pages_each,
                  r->files.size(), static_cast<double>(size) / (1024.0 * 1024.0));
      std::printf("export_seconds %.2f (goal <= 30)\n", secs);
      std::printf("peak_rss_mib %.1f (goal <= 500; %.1f before the export)\n", static_cast<double>(after.ru_maxrss) / 1024.0,
                  static_cast<double>(before.ru_maxrss) / 1024.0);
      // Reference: the openssl command signing and encrypting a file of the same size.
      if (run("head -c " + std::to_string(size) + " /dev/urandom > " + q(work / "blob.bin")) == 0 &&
          run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + q(work / "sk.pem") +
              " -out " + q(work / "sc.pem") + " -days 3 -subj /CN=st 2>/dev/null") == 0) {
        const auto r0 = std::chrono::steady_clock::now();
        const int a = run("openssl cms -sign -binary -nodetach -in " + q(work / "blob.bin") + " -signer " +
                          q(work / "sc.pem") + " -inkey " + q(work / "sk.pem") + " -outform DER -out " + q(work / "s.der"));
        const int b = run("openssl cms -encrypt -binary -aes256 -in " + q(work / "s.der") + " -outform DER -out " +
                          q(work / "e.p7m") + " " + q(work / "c.pem"));
        const double ref = std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
        if (a == 0 && b == 0) std::printf("reference: openssl cms sign + encrypt of the same size: %.2f s\n", ref);
      }
    }
  }
  std::error_code ec;
  fs::remove_all(files.dir, ec);
  return rc;
}
