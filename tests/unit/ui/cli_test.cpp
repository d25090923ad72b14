// The command line in-process: argument errors and the commands that need no store.
#include "ui/cli.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "station/error.h"

namespace {

int run(std::vector<std::string> args) {
  args.insert(args.begin(), "station");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return ui::run_cli(static_cast<int>(args.size()), argv.data());
}

const int kUsage = station::exit_code(station::ErrorCode::kUsage);

TEST(Cli, VersionAndHelpSucceed) {
  EXPECT_EQ(run({"--version"}), 0);
  EXPECT_EQ(run({"--help"}), 0);
  EXPECT_EQ(run({"demo", "--help"}), 0);
}

TEST(Cli, UsageErrorsMapToTheUsageExitCode) {
  EXPECT_EQ(run({}), kUsage);
  EXPECT_EQ(run({"frobnicate"}), kUsage);
  EXPECT_EQ(run({"user", "add", "bob"}), kUsage);                                   // --role, --as missing
  EXPECT_EQ(run({"user", "add", "bob", "--role", "king", "--as", "admin"}), kUsage);  // unknown role
  EXPECT_EQ(run({"serve", "--port", "70000"}), kUsage);
}

TEST(Cli, MissingConfigFileGivenExplicitlyIsAnError) {
  const int code = run({"--config", "/nonexistent/station.toml", "serve"});
  EXPECT_NE(code, 0);
}

}  // namespace
