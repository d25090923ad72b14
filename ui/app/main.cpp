// The station executable: everything lives in the ui and station libraries.
#include <unistd.h>

#include <cstdlib>

#include "ui/cli.h"

int main(int argc, char** argv) {
  // Tesseract's OpenMP runtime (libgomp) reads OMP_THREAD_LIMIT once, when the library is loaded —
  // before main runs — so setting it from here has no effect on this process. Without a limit each
  // of the station's OCR workers would start a team of OpenMP threads per core, and the workers
  // (already one per core) would fight for the cores. So when the variable is unset, set it to 1
  // and start this same binary again: the new image loads libgomp with the limit in place. A
  // variable set by the caller is kept. If the exec fails (no /proc), carry on without the limit.
  if (std::getenv("OMP_THREAD_LIMIT") == nullptr && ::setenv("OMP_THREAD_LIMIT", "1", 1) == 0) {
    ::execv("/proc/self/exe", argv);
  }
  return ui::run_cli(argc, argv);
}
