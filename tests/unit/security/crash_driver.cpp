// A station under load, for the crash-safety test: opens the store given on the command line and
// works on it in a loop, forever, until it is killed. After every acknowledged step it appends one
// line to the acknowledgement file with write(2): once that line is there, what it names must
// survive a SIGKILL.
//   crash_driver <data_dir> <ack_file> <passphrase> [mode] [templates_dir]
// Modes:
//   capture (default)  captures envelopes (one sample page each), logs in and out, tries an
//                      export.                                      acks: ENV <envelope> <pages>
//   review             captures one pledge page (様式第2号), recognises it and confirms every
//                      field a reviewer can confirm as read.      acks: ENV, REC <envelope> <fields>,
//                                                                       CONF <field> <hex of value>
//   import             imports a whole five-page envelope again and again (a clerk's import that a
//                      crash may cut off part-way).                acks: ENV <envelope> <pages>
//   rotate             rotates the master key again and again, capturing a page between two
//                      rotations.                                  acks: ROT <rotation id>, ENV
// STATION_CRASH_POINT in the environment makes the station kill itself at that named point of a
// key rotation (station/src/keys_admin.cpp).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "station/station.h"
#include "crash_protocol.h"

namespace fs = std::filesystem;

namespace {

using crash::hex;

bool ack(int fd, const std::string& line) {
  return ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc > 6) {
    std::fprintf(stderr, "usage: crash_driver DATA_DIR ACK_FILE PASSPHRASE [capture|review|rotate] [TEMPLATES_DIR]\n");
    return 2;
  }
  const std::string mode = argc >= 5 ? argv[4] : "capture";
  station::Config config;
  config.data_dir = argv[1];
  config.recognize_on_capture = false;  // capture alone: no background OCR
  config.audit_checkpoint_every = 7;
  config.ocr_workers = 1;
  if (argc >= 6) config.templates_dir = argv[5];
  auto st = station::Station::open(config, argv[3]);
  if (!st) {
    std::fprintf(stderr, "open: %s\n", st.error().detail.c_str());
    return 3;
  }
  auto& s = **st;
  auto clerk = s.login("clerk", "yama-kawa-002");
  auto sup = s.login("sup", "kumo-yuki-004");
  if (!clerk || !sup) return 4;
  const int fd = ::open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return 5;
  const fs::path shared = STATION_SHARED_DIR;

  if (mode == "capture") {
    const std::vector<fs::path> samples = {shared / "samples/app-001/page-01.jpg",
                                           shared / "samples/app-001/page-03.jpg",
                                           shared / "samples/app-002/page-01.jpg"};
    for (unsigned i = 0;; ++i) {
      auto r = s.import_envelope(*clerk, {samples[i % samples.size()]}, {"2025-06-05", 4});
      if (!r) {
        std::fprintf(stderr, "import: %s\n", r.error().detail.c_str());
        return 6;
      }
      if (!ack(fd, "ENV " + std::to_string(r->envelope_id) + " " + std::to_string(r->pages) + "\n")) return 7;
      (void)s.login("clerk", i % 3 == 0 ? "wrong-password-x" : "yama-kawa-002");
      if (i % 4 == 0) (void)s.export_batch(*sup, fs::path(argv[1]).parent_path() / "exports");
    }
  }

  if (mode == "import") {
    for (;;) {
      auto r = s.import_envelope(*clerk, {shared / "samples/app-001"}, {"2025-06-05", 4});
      if (!r) {
        std::fprintf(stderr, "import: %s\n", r.error().detail.c_str());
        return 6;
      }
      if (!ack(fd, "ENV " + std::to_string(r->envelope_id) + " " + std::to_string(r->pages) + "\n")) return 7;
    }
  }

  if (mode == "review") {
    auto rev = s.login("rev", "umi-sora-0003");
    if (!rev) return 4;
    // One page of one form, recognised against that form's template only (TEMPLATES_DIR): the
    // real engine on the smallest real job, so kills land in every phase within seconds.
    const std::vector<fs::path> samples = {shared / "samples/app-001/page-03.jpg",
                                           shared / "samples/app-002/page-03.jpg"};
    for (unsigned i = 0;; ++i) {
      auto r = s.import_envelope(*clerk, {samples[i % samples.size()]}, {"2025-06-05", 1});
      if (!r) {
        std::fprintf(stderr, "import: %s\n", r.error().detail.c_str());
        return 6;
      }
      if (!ack(fd, "ENV " + std::to_string(r->envelope_id) + " " + std::to_string(r->pages) + "\n")) return 7;
      auto n = s.recognize(*clerk, r->envelope_id);
      if (!n) {
        std::fprintf(stderr, "recognize: %s\n", n.error().detail.c_str());
        return 8;
      }
      if (!ack(fd, "REC " + std::to_string(r->envelope_id) + " " + std::to_string(*n) + "\n")) return 7;
      auto fields = s.fields(*rev, r->envelope_id);
      if (!fields) return 9;
      for (const auto& f : *fields) {
        auto c = s.confirm_field(*rev, f.id, f.value);
        if (!c) continue;  // a value the validation refuses as read stays for a person to correct
        if (!ack(fd, "CONF " + std::to_string(f.id) + " " + hex(c->confirmed_value) + "\n")) return 7;
      }
    }
  }

  if (mode == "rotate") {
    auto admin = s.login("admin", "tsuki-hana-001");
    if (!admin) return 4;
    const station::StoreSecrets secrets{argv[3], {}};
    for (unsigned i = 0;; ++i) {
      auto r = s.rotate_master_key(*admin, secrets);
      if (!r) {
        std::fprintf(stderr, "rotate: %s\n", r.error().detail.c_str());
        return 10;
      }
      if (!ack(fd, "ROT " + r->rotation_id + "\n")) return 7;
      if (i % 2 == 1) {
        auto e = s.import_envelope(*clerk, {shared / "samples/app-001/page-01.jpg"}, {"2025-06-05", 1});
        if (!e) return 6;
        if (!ack(fd, "ENV " + std::to_string(e->envelope_id) + " " + std::to_string(e->pages) + "\n")) return 7;
      }
    }
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
