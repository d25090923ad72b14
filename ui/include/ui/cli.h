#pragma once
// The `station` command line. Returns the process exit code (see docs/errors.md).
namespace ui {
int run_cli(int argc, char** argv);
}  // namespace ui
