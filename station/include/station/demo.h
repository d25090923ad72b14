#pragma once
// The built-in demo: a fresh store with demo accounts, the facility list and sample envelopes
// (from ../shared when present, a small bundled demo otherwise), imported and recognised.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "station/station.h"

namespace station {

struct DemoAccount {
  std::string username;
  std::string password;
  Role role;
};

struct DemoOptions {
  std::filesystem::path shared_dir;  // empty: look for ../shared beside the working dir and the source tree
  int max_envelopes = 0;             // 0: all samples
  // Called after each envelope with a line of progress in Japanese (e.g. for the terminal).
  std::function<void(const std::string&)> on_progress;
};

struct DemoReport {
  std::string source;                // "shared" or "bundled"
  std::filesystem::path shared_dir;  // what was used, when "shared"
  int facilities = 0;
  int envelopes = 0;
  int pages = 0;
  int fields = 0;
  std::vector<DemoAccount> accounts; // clerk, reviewer, supervisor, admin
  std::vector<std::string> problems_ja;
};

// The passphrase of demo stores (printed by `station demo`; never use a demo store for real data).
inline constexpr std::string_view kDemoPassphrase = "demo-passphrase-not-for-real-data";

// Finds ../shared: `hint` if given, else ./../shared, ./shared, then <source tree>/../shared.
std::filesystem::path find_shared_dir(const std::filesystem::path& hint);

// Populates a freshly created store. The accounts are created here.
Result<DemoReport> populate_demo(Station& station, const DemoOptions& options);

}  // namespace station
