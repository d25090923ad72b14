// The daily export under SIGKILL: opens the export test's store (folder and keys on the command
// line) and exports the set of 2026-04-01 once, then exits. The test kills it at random moments.
//   export_crash_driver <store_dir> <db_key_hex> <blob_key_hex> <out_dir> <page.jpg>
// Exit: 0 a set was written and recorded, 1 nothing to export, 2 another failure.
#include <gtest/gtest.h>  // export_fixture.h's EXPECT_* (outside a test they only print)

#include <cstdio>

#include "export_fixture.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: export_crash_driver STORE_DIR DB_KEY BLOB_KEY OUT_DIR PAGE_JPG\n");
    return 2;
  }
  using namespace export_fixture;
  StoreFiles files{argv[1], unhex(argv[2]), unhex(argv[3])};
  Store store(files);
  station::outputs::Outputs out(store.context(), store.trail);
  auto r = out.export_batch(store.supervisor, {argv[4], "2026-04-01", "{\"head\":\"driver\"}\n"},
                            sample_pages(read_file(argv[5])));
  if (r) return 0;
  if (r.error().code == station::ErrorCode::kNothingToExport) return 1;
  std::fprintf(stderr, "export: %s\n", r.error().detail.c_str());
  return 2;
}
