// A station under load, for the crash-safety test: opens the store given on the command line and
// captures envelopes (one sample page each), logs in and out, tries an export, forever, until it
// is killed. After every acknowledged import it appends "ENV <envelope id> <pages>" to the
// acknowledgement file with write(2): once that line is there, the page must survive a SIGKILL.
//   crash_driver <data_dir> <ack_file> <passphrase>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "station/station.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: crash_driver DATA_DIR ACK_FILE PASSPHRASE\n");
    return 2;
  }
  station::Config config;
  config.data_dir = argv[1];
  config.audit_checkpoint_every = 7;
  auto st = station::Station::open(config, argv[3]);
  if (!st) {
    std::fprintf(stderr, "open: %s\n", st.error().detail.c_str());
    return 3;
  }
  auto& s = **st;
  auto clerk = s.login("clerk", "yama-kawa-002");
  auto sup = s.login("sup", "kumo-yuki-004");
  if (!clerk || !sup) return 4;
  const int ack = ::open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (ack < 0) return 5;
  const fs::path shared = STATION_SHARED_DIR;
  const std::vector<fs::path> samples = {shared / "samples/app-001/page-01.jpg", shared / "samples/app-001/page-03.jpg",
                                         shared / "samples/app-002/page-01.jpg"};
  for (unsigned i = 0;; ++i) {
    auto r = s.import_envelope(*clerk, {samples[i % samples.size()]}, {"2025-06-05", 4});
    if (!r) {
      std::fprintf(stderr, "import: %s\n", r.error().detail.c_str());
      return 6;
    }
    const std::string line = "ENV " + std::to_string(r->envelope_id) + " " + std::to_string(r->pages) + "\n";
    if (::write(ack, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 7;
    (void)s.login("clerk", i % 3 == 0 ? "wrong-password-x" : "yama-kawa-002");
    if (i % 4 == 0) (void)s.export_batch(*sup, fs::path(argv[1]).parent_path() / "exports");
  }
}
