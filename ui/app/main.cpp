// The station executable: everything lives in the ui and station libraries.
#include "ui/cli.h"

int main(int argc, char** argv) { return ui::run_cli(argc, argv); }
