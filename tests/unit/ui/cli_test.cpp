// The command line in-process: argument errors and the commands that need no store.
#include "ui/cli.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <sstream>
#include <thread>
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

// A store in a folder of its own with one sample page to import, its config (`config_toml`) and the
// first admin (admin1) and a clerk (clerk1); `station(args)` runs the CLI on it. Removed at the end.
struct CliStore {
  std::filesystem::path dir;
  std::string data, config;
  CliStore(const std::string& name, const std::string& config_toml) {
    namespace fs = std::filesystem;
    dir = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
    fs::create_directories(dir / "pages");
    fs::copy_file(fs::path(STATION_SHARED_DIR) / "samples" / "app-001" / "page-03.jpg", dir / "pages" / "p1.jpg");
    std::ofstream(dir / "config.toml") << config_toml;
    ::setenv("STATION_PASSPHRASE", "cli-test-passphrase", 1);
    ::setenv("STATION_ADMIN_PASSWORD", "admin-password-1", 1);
    data = (dir / "store").string();
    config = (dir / "config.toml").string();
  }
  ~CliStore() {
    for (const char* v : {"STATION_PASSPHRASE", "STATION_ADMIN_PASSWORD", "STATION_USER_PASSWORD", "STATION_NEW_PASSWORD"})
      ::unsetenv(v);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  int station(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--data-dir", data, "--config", config});
    return run(args);
  }
  // init with admin1, then clerk1 added by admin1.
  bool with_admin_and_clerk() const {
    if (station({"init", "--admin-user", "admin1"}) != 0) return false;
    ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
    ::setenv("STATION_NEW_PASSWORD", "clerk-password-1", 1);
    return station({"user", "add", "clerk1", "--role", "clerk", "--as", "admin1"}) == 0;
  }
};

// A first administrator's password the rules refuse (it contains the name) is refused before the
// store is created: nothing is left in the folder, and the next attempt with a good password
// creates the store (it did not fail with STORE_EXISTS).
TEST(Cli, ARefusedFirstAdministratorLeavesNoStoreBehind) {
  const CliStore store("station-cli-init-test", "[ocr]\nrecognize_on_capture = false\n");
  ::setenv("STATION_ADMIN_PASSWORD", "admin1-password", 1);
  EXPECT_EQ(store.station({"init", "--admin-user", "admin1"}), station::exit_code(station::ErrorCode::kInvalidInput));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(store.data) / "station.db"));
  ::setenv("STATION_ADMIN_PASSWORD", "admin-password-1", 1);
  EXPECT_EQ(store.station({"init", "--admin-user", "admin1"}), 0);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(store.data) / "station.db"));
}

// ---- envelopes, recognition status and show on a real store (recognition off: no OCR here)

TEST(Cli, EnvelopesStatusAndShowActAsTheUser) {
  const CliStore store("station-cli-test", "[ocr]\nrecognize_on_capture = false\n");
  const auto& dir = store.dir;
  auto station = [&](std::vector<std::string> args) { return store.station(std::move(args)); };
  ASSERT_TRUE(store.with_admin_and_clerk());
  ::setenv("STATION_NEW_PASSWORD", "review-password-1", 1);
  ASSERT_EQ(station({"user", "add", "rev1", "--role", "reviewer", "--as", "admin1"}), 0);

  ::setenv("STATION_USER_PASSWORD", "clerk-password-1", 1);
  testing::internal::CaptureStdout();
  const int imported = station({"import", (dir / "pages").string(), "--as", "clerk1"});
  const std::string import_out = testing::internal::GetCapturedStdout();
  ASSERT_EQ(imported, 0);
  EXPECT_NE(import_out.find("station recognition status --as clerk1"), std::string::npos) << import_out;

  testing::internal::CaptureStdout();
  EXPECT_EQ(station({"envelopes", "--as", "clerk1"}), 0);
  const std::string list = testing::internal::GetCapturedStdout();
  EXPECT_NE(list.find("受付済（読取待ち）"), std::string::npos) << list;
  EXPECT_NE(list.find("合計 1 通"), std::string::npos) << list;
  EXPECT_EQ(station({"recognition", "status", "--as", "clerk1"}), 0);

  ::setenv("STATION_USER_PASSWORD", "review-password-1", 1);
  testing::internal::CaptureStdout();
  EXPECT_EQ(station({"show", "1", "--json", "--as", "rev1"}), 0);
  const std::string json = testing::internal::GetCapturedStdout();
  EXPECT_NE(json.find("\"receipt_no\""), std::string::npos) << json;
  EXPECT_EQ(station({"show", "M00000000-0000", "--as", "rev1"}), station::exit_code(station::ErrorCode::kNotFound));
  ::setenv("STATION_USER_PASSWORD", "wrong-password-1", 1);
  EXPECT_EQ(station({"envelopes", "--as", "rev1"}), station::exit_code(station::ErrorCode::kLoginFailed));
}

// `import --wait` waits for recognition and says when an envelope could not be read: its exit
// code is RECOGNITION_FAILED, not success. An OCR engine that cannot start (no language data in the
// configured folder) fails every read.
TEST(Cli, ImportWaitExitsWithRecognitionFailedWhenAnEnvelopeCannotBeRead) {
  const std::string empty_tessdata = (std::filesystem::temp_directory_path() /
                                      ("station-cli-no-tessdata-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(empty_tessdata);
  const CliStore store("station-cli-wait-test", "[ocr]\ntessdata_dir = \"" + empty_tessdata + "\"\n");
  const auto& dir = store.dir;
  auto station = [&](std::vector<std::string> args) { return store.station(std::move(args)); };
  ASSERT_TRUE(store.with_admin_and_clerk());
  ::setenv("STATION_USER_PASSWORD", "clerk-password-1", 1);
  testing::internal::CaptureStdout();
  const int code = station({"import", (dir / "pages").string(), "--wait", "--as", "clerk1"});
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, station::exit_code(station::ErrorCode::kRecognitionFailed)) << out;
  EXPECT_NE(out.find("読取失敗"), std::string::npos) << out;

  std::error_code ec;
  std::filesystem::remove_all(empty_tessdata, ec);
}

// ---- the station binary re-executes itself with OMP_THREAD_LIMIT=1 (ui/app/main.cpp)

extern "C" char** environ;

// Starts the real `station serve` with OMP_THREAD_LIMIT unset (omp_value null) or set, its
// passphrase file a FIFO: the station blocks opening it, and meanwhile its environment as the
// kernel holds it (/proc/PID/environ, the image's own) is read. Returns that environment's
// OMP_THREAD_LIMIT value, or "<unset>".
std::string omp_limit_seen_by_station(const char* omp_value) {
  namespace fs = std::filesystem;
  char templ[] = "/tmp/station-cli-omp-XXXXXX";
  const char* dir = ::mkdtemp(templ);
  if (!dir) return "<mkdtemp failed>";
  const std::string fifo = std::string(dir) + "/passphrase";
  if (::mkfifo(fifo.c_str(), 0600) != 0) return "<mkfifo failed>";

  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "OMP_THREAD_LIMIT=", 17) != 0 && std::strncmp(*e, "STATION_", 8) != 0 &&
        std::strncmp(*e, "XDG_CONFIG_HOME=", 16) != 0)
      env.emplace_back(*e);
  env.push_back(std::string("XDG_CONFIG_HOME=") + dir);
  if (omp_value) env.push_back(std::string("OMP_THREAD_LIMIT=") + omp_value);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = {"station", "--data-dir", std::string(dir) + "/store", "--passphrase-file", fifo,
                                   "serve", "--port", "0"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, STATION_BIN, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return "<spawn failed>";

  // The FIFO opens for writing once the station has opened it for reading.
  std::string seen = "<station never read its passphrase file>";
  int writer = -1;
  for (int i = 0; i < 3000 && writer < 0; ++i) {
    writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (writer < 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (writer >= 0) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
    seen = "<unset>";
    std::string entry;
    while (std::getline(in, entry, '\0'))
      if (entry.starts_with("OMP_THREAD_LIMIT=")) seen = entry.substr(17);
    ::close(writer);  // an empty passphrase file: the station stops with a usage error
  } else {
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return seen;
}

// ---- accounts (issue #16): reset, forced change, passwd, disable/enable, role, list

// Issue #16: `station audit signing-key new` puts the audit signing key under a credential file;
// a CLI without that file cannot open the store for writing but still verifies the log.
TEST(Cli, WithoutTheSigningCredentialOnlyReadOnlyCommandsRunLocally) {
  const CliStore store("station-cli-signing", "[ocr]\nrecognize_on_capture = false\n");
  ASSERT_TRUE(store.with_admin_and_clerk());
  ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
  const std::string key = (store.dir / "audit-signing.key").string();
  ASSERT_EQ(store.station({"audit", "signing-key", "new", key, "--as", "admin1"}), 0);
  EXPECT_EQ(std::filesystem::file_size(key), 32u);
  EXPECT_EQ(store.station({"audit", "signing-key", "new", (store.dir / "again.key").string(), "--as", "admin1"}),
            station::exit_code(station::ErrorCode::kSigningKeyUnavailable))
      << "the slot is under the credential now: no read-write open without it";
  const auto config_with = [&](const std::string& path) {
    std::ofstream(store.config, std::ios::trunc)
        << "[ocr]\nrecognize_on_capture = false\n[security]\naudit_signing_key_file = \"" << path << "\"\n";
  };
  config_with((store.dir / "absent.key").string());
  testing::internal::CaptureStderr();
  EXPECT_EQ(store.station({"envelopes", "--as", "admin1"}),
            station::exit_code(station::ErrorCode::kSigningKeyUnavailable));
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("absent.key"), std::string::npos) << err;
  EXPECT_NE(err.find("station serve"), std::string::npos) << err;
  EXPECT_EQ(store.station({"audit", "verify", "--as", "admin1"}), 0) << "read-only: verify still works";
  config_with(key);
  EXPECT_EQ(store.station({"envelopes", "--as", "admin1"}), 0);
  EXPECT_EQ(store.station({"audit", "verify", "--as", "admin1"}), 0);
  EXPECT_EQ(store.station({"audit", "signing-key", "new", key, "--as", "admin1"}),
            station::exit_code(station::ErrorCode::kInvalidInput))
      << "an existing file is never overwritten";
}

TEST(Cli, AnAdminResetsAPasswordAndTheUserMustChangeItFirst) {
  const CliStore store("station-cli-accounts", "[ocr]\nrecognize_on_capture = false\n");
  ASSERT_TRUE(store.with_admin_and_clerk());
  ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
  testing::internal::CaptureStdout();
  ASSERT_EQ(store.station({"user", "reset", "clerk1", "--as", "admin1"}), 0);
  const std::string reset_out = testing::internal::GetCapturedStdout();
  const auto colon = reset_out.find("仮パスワード: ");
  ASSERT_NE(colon, std::string::npos) << reset_out;
  const std::string otp = reset_out.substr(colon + std::string("仮パスワード: ").size(),
                                           reset_out.find('\n', colon) - colon - std::string("仮パスワード: ").size());
  ASSERT_GE(otp.size(), 10u) << reset_out;

  ::setenv("STATION_USER_PASSWORD", otp.c_str(), 1);
  EXPECT_EQ(store.station({"envelopes", "--as", "clerk1"}),
            station::exit_code(station::ErrorCode::kPasswordChangeRequired));
  ::setenv("STATION_NEW_PASSWORD", "clerk-password-2", 1);
  EXPECT_EQ(store.station({"user", "passwd", "--as", "clerk1"}), 0);
  ::setenv("STATION_USER_PASSWORD", "clerk-password-2", 1);
  EXPECT_EQ(store.station({"envelopes", "--as", "clerk1"}), 0);

  ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
  EXPECT_EQ(store.station({"user", "disable", "clerk1", "--as", "admin1"}), 0);
  EXPECT_EQ(store.station({"user", "disable", "admin1", "--as", "admin1"}),
            station::exit_code(station::ErrorCode::kConflict));
  ::setenv("STATION_USER_PASSWORD", "clerk-password-2", 1);
  EXPECT_EQ(store.station({"envelopes", "--as", "clerk1"}), station::exit_code(station::ErrorCode::kLoginFailed));
  ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
  EXPECT_EQ(store.station({"user", "enable", "clerk1", "--as", "admin1"}), 0);
  EXPECT_EQ(store.station({"user", "role", "clerk1", "--role", "reviewer", "--as", "admin1"}), 0);
  EXPECT_EQ(store.station({"user", "role", "clerk1", "--role", "king", "--as", "admin1"}), kUsage);
  testing::internal::CaptureStdout();
  EXPECT_EQ(store.station({"user", "list", "--as", "admin1"}), 0);
  const std::string list = testing::internal::GetCapturedStdout();
  EXPECT_NE(list.find("clerk1"), std::string::npos) << list;
  EXPECT_NE(list.find("reviewer"), std::string::npos) << list;
  EXPECT_NE(list.find("2 人"), std::string::npos) << list;
}

// ---- one service holds the key (issue #16): the CLI through the running `station serve`

// Runs `station serve` on `store` (the passphrase in its environment, as a unit file might give
// it) until the returned pid is killed.
pid_t start_service(const CliStore& store) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "STATION_", 8) != 0) env.emplace_back(*e);
  env.emplace_back("STATION_PASSPHRASE=cli-test-passphrase");
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = {"station", "--data-dir", store.data, "--config", store.config,
                                   "serve", "--port", "0"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, STATION_BIN, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  return spawned == 0 ? pid : -1;
}

TEST(Cli, ClerksUseTheRunningServiceWithoutThePassphrase) {
  namespace fs = std::filesystem;
  const CliStore store("station-cli-service", "");
  // The backup medium of the scheduled backup.
  std::ofstream(store.config) << "[ocr]\nrecognize_on_capture = false\n[backup]\ndir = \""
                              << (store.dir / "media").string() << "\"\n";
  ASSERT_TRUE(store.with_admin_and_clerk());
  ::setenv("STATION_USER_PASSWORD", "clerk-password-1", 1);
  testing::internal::CaptureStdout();
  ASSERT_EQ(store.station({"import", (store.dir / "pages").string(), "--as", "clerk1"}), 0);  // envelope 1
  (void)testing::internal::GetCapturedStdout();
  const pid_t service = start_service(store);
  ASSERT_GT(service, 0);
  const fs::path socket = fs::path(store.data) / "station.sock";
  for (int i = 0; i < 1500 && !fs::exists(socket); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(fs::exists(socket)) << "the service listens for the CLI";
  EXPECT_EQ((fs::status(socket).permissions() & fs::perms::others_all), fs::perms::none);
  // Finding 8: the passphrase given in the environment is wiped once the store is open.
  {
    std::ifstream in("/proc/" + std::to_string(service) + "/environ", std::ios::binary);
    const std::string environ_text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(environ_text.empty());
    EXPECT_EQ(environ_text.find("cli-test-passphrase"), std::string::npos);
  }

  // The clerk knows only their own password.
  ::unsetenv("STATION_PASSPHRASE");
  ::setenv("STATION_USER_PASSWORD", "clerk-password-1", 1);
  testing::internal::CaptureStdout();
  const int listed = store.station({"envelopes", "--as", "clerk1"});
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(listed, 0) << out;
  EXPECT_NE(out.find("合計 1 通"), std::string::npos) << out;
  ::setenv("STATION_USER_PASSWORD", "wrong-password-9", 1);
  EXPECT_EQ(store.station({"envelopes", "--as", "clerk1"}), station::exit_code(station::ErrorCode::kLoginFailed));
  // Their own password, changed through the service; the audit log checked through it.
  ::setenv("STATION_USER_PASSWORD", "clerk-password-1", 1);
  ::setenv("STATION_NEW_PASSWORD", "clerk-password-2", 1);
  EXPECT_EQ(store.station({"user", "passwd", "--as", "clerk1"}), 0);
  ::setenv("STATION_USER_PASSWORD", "clerk-password-2", 1);
  testing::internal::CaptureStdout();
  EXPECT_EQ(store.station({"envelopes", "--as", "clerk1"}), 0);
  (void)testing::internal::GetCapturedStdout();
  ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
  testing::internal::CaptureStdout();
  EXPECT_EQ(store.station({"audit", "verify", "--as", "admin1"}), 0);
  const std::string verified = testing::internal::GetCapturedStdout();
  EXPECT_NE(verified.find("改ざんは見つかりませんでした"), std::string::npos) << verified;

  // The everyday lists through the service (shared formatters with the local path).
  ::setenv("STATION_USER_PASSWORD", "clerk-password-2", 1);
  testing::internal::CaptureStdout();
  EXPECT_EQ(store.station({"corrections", "--as", "clerk1"}), 0);
  const std::string rounds = testing::internal::GetCapturedStdout();
  EXPECT_NE(rounds.find("返送待ちの補正指示 0 件"), std::string::npos) << rounds;
  EXPECT_EQ(store.station({"history", "999", "--as", "clerk1"}), station::exit_code(station::ErrorCode::kNotFound));
  // The admin's account commands: no passphrase either; a disabled clerk cannot use the service.
  ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
  testing::internal::CaptureStdout();
  EXPECT_EQ(store.station({"user", "role", "clerk1", "--role", "reviewer", "--as", "admin1"}), 0);
  EXPECT_EQ(store.station({"user", "disable", "clerk1", "--as", "admin1"}), 0);
  const std::string changed = testing::internal::GetCapturedStdout();
  EXPECT_NE(changed.find("clerk1 を無効にしました"), std::string::npos) << changed;
  EXPECT_EQ(store.station({"user", "disable", "admin1", "--as", "admin1"}),
            station::exit_code(station::ErrorCode::kConflict));
  ::setenv("STATION_USER_PASSWORD", "clerk-password-2", 1);
  EXPECT_EQ(store.station({"envelopes", "--as", "clerk1"}), station::exit_code(station::ErrorCode::kLoginFailed));
  ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
  testing::internal::CaptureStdout();
  EXPECT_EQ(store.station({"user", "enable", "clerk1", "--as", "admin1"}), 0);
  (void)testing::internal::GetCapturedStdout();
  // Now a reviewer: the check and confirm --values through the service too.
  ::setenv("STATION_USER_PASSWORD", "clerk-password-2", 1);
  testing::internal::CaptureStdout();
  EXPECT_EQ(store.station({"check", "1", "--as", "clerk1"}), 0);
  const std::string checked = testing::internal::GetCapturedStdout();
  EXPECT_NE(checked.find("の審査結果"), std::string::npos) << checked;
  std::ofstream(store.dir / "bad-values.json") << "{";
  testing::internal::CaptureStderr();
  EXPECT_EQ(store.station({"confirm", "1", "--values", (store.dir / "bad-values.json").string(), "--as", "clerk1"}),
            station::exit_code(station::ErrorCode::kInvalidInput));
  const std::string refused = testing::internal::GetCapturedStderr();
  EXPECT_NE(refused.find("何も反映していません"), std::string::npos) << refused;

  // Finding 2: a clerk's intake needs no passphrase either. The admin adds the account (its
  // password read by the CLI, sent to the service), resets and lists accounts; the clerk imports
  // (the service reads the folder named), looks at the envelope and at the readers.
  ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
  ::setenv("STATION_NEW_PASSWORD", "intake-desk-pass-7", 1);
  testing::internal::CaptureStdout();
  EXPECT_EQ(store.station({"user", "add", "clerk2", "--role", "clerk", "--as", "admin1"}), 0);
  EXPECT_EQ(store.station({"user", "list", "--as", "admin1"}), 0);
  const std::string accounts = testing::internal::GetCapturedStdout();
  EXPECT_NE(accounts.find("clerk2"), std::string::npos) << accounts;
  EXPECT_NE(accounts.find("3 人"), std::string::npos) << accounts;
  ::setenv("STATION_USER_PASSWORD", "intake-desk-pass-7", 1);
  testing::internal::CaptureStdout();
  EXPECT_EQ(store.station({"import", (store.dir / "pages").string(), "--received-date", "2026-04-02", "--as", "clerk2"}), 0);
  const std::string imported = testing::internal::GetCapturedStdout();
  EXPECT_NE(imported.find("取り込み完了: 1 / 1 通"), std::string::npos) << imported;
  testing::internal::CaptureStdout();
  EXPECT_EQ(store.station({"envelopes", "--as", "clerk2"}), 0);
  EXPECT_EQ(store.station({"recognition", "status", "--as", "clerk2"}), 0);
  ::setenv("STATION_USER_PASSWORD", "clerk-password-2", 1);  // clerk1, a reviewer by now
  EXPECT_EQ(store.station({"show", "2", "--as", "clerk1"}), 0);
  const std::string seen = testing::internal::GetCapturedStdout();
  EXPECT_NE(seen.find("合計 2 通"), std::string::npos) << seen;
  EXPECT_NE(seen.find("受付番号: "), std::string::npos) << seen;
  EXPECT_NE(seen.find("文字認識: "), std::string::npos) << seen;
  ::setenv("STATION_USER_PASSWORD", "intake-desk-pass-7", 1);
  testing::internal::CaptureStderr();
  EXPECT_NE(store.station({"import", (store.dir / "no-such-folder").string(), "--as", "clerk2"}), 0);
  const std::string missing = testing::internal::GetCapturedStderr();
  EXPECT_NE(missing.find("取り込めませんでした"), std::string::npos) << missing;
  ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
  testing::internal::CaptureStdout();
  EXPECT_EQ(store.station({"user", "reset", "clerk2", "--as", "admin1"}), 0);
  const std::string reset = testing::internal::GetCapturedStdout();
  EXPECT_NE(reset.find("clerk2 の仮パスワード: "), std::string::npos) << reset;

  // The daily backup: the timer's SIGUSR1 makes the service write a verified backup.
  ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
  EXPECT_EQ(store.station({"backup", "--status", "--as", "admin1"}), 1) << "no backup yet";
  ASSERT_EQ(::kill(service, SIGUSR1), 0);
  bool written = false;
  for (int i = 0; i < 1500 && !written; ++i) {
    std::error_code ec;
    for (fs::directory_iterator it(store.dir / "media", ec), end; !ec && it != end; it.increment(ec))
      if (fs::exists(it->path() / "manifest.json")) written = true;
    if (!written) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(written);
  int status_code = 1;
  for (int i = 0; i < 100 && status_code != 0; ++i) {
    status_code = store.station({"backup", "--status", "--as", "admin1"});
    if (status_code != 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status_code, 0) << "a good backup less than a day old";

  ::kill(service, SIGTERM);
  int status = 0;
  ::waitpid(service, &status, 0);
  EXPECT_FALSE(fs::exists(socket)) << "the socket goes with the service";
}

TEST(Cli, StationStartsWithOneOpenMpThreadUnlessToldOtherwise) {
  EXPECT_EQ(omp_limit_seen_by_station(nullptr), "1");
  EXPECT_EQ(omp_limit_seen_by_station("3"), "3");
}

}  // namespace

// ---- export: the recipient certificate, the station's certificate, the Zengin table, and an
// export with nothing waiting (the daily set itself: tests/integration/export_test.cpp)

namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(Cli, ExportRecipientStationCertificateZenginAndNothingToExport) {
  namespace fs = std::filesystem;
  const CliStore store("station-cli-export-test", "[ocr]\nrecognize_on_capture = false\n");
  auto station = [&](std::vector<std::string> args) { return store.station(std::move(args)); };
  ASSERT_TRUE(store.with_admin_and_clerk());
  ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
  ::setenv("STATION_NEW_PASSWORD", "super-password-1", 1);
  ASSERT_EQ(station({"user", "add", "sup1", "--role", "supervisor", "--as", "admin1"}), 0);
  const fs::path cert = store.dir / "pref.pem", key = store.dir / "pref-key.pem";
  ASSERT_EQ(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + key.string() + "' -out '" +
                         cert.string() + "' -days 30 -subj /CN=pref 2>/dev/null && openssl x509 -in '" + cert.string() +
                         "' -noout -fingerprint -sha256 > '" + (store.dir / "fp.txt").string() + "'")
                            .c_str()),
            0);
  const std::string fp_line = read_all(store.dir / "fp.txt");
  const std::string fingerprint = fp_line.substr(fp_line.find('=') + 1, 95);

  ::setenv("STATION_USER_PASSWORD", "super-password-1", 1);
  EXPECT_EQ(station({"export", "recipient", "show", "--as", "sup1"}), station::exit_code(station::ErrorCode::kNotFound));
  EXPECT_EQ(station({"export", "recipient", "set", cert.string(), "--as", "sup1"}),
            station::exit_code(station::ErrorCode::kForbidden));
  ::setenv("STATION_USER_PASSWORD", "admin-password-1", 1);
  std::ofstream(store.dir / "garbage.pem") << "not a certificate\n";
  EXPECT_EQ(station({"export", "recipient", "set", (store.dir / "garbage.pem").string(), "--as", "admin1"}),
            station::exit_code(station::ErrorCode::kInvalidInput));
  testing::internal::CaptureStdout();
  EXPECT_EQ(station({"export", "recipient", "set", cert.string(), "--as", "admin1"}), 0);
  const std::string set_out = testing::internal::GetCapturedStdout();
  EXPECT_NE(set_out.find(fingerprint), std::string::npos) << set_out << " vs " << fingerprint;
  testing::internal::CaptureStdout();
  EXPECT_EQ(station({"zengin", "load", "--as", "admin1"}), 0);
  const std::string zengin_out = testing::internal::GetCapturedStdout();
  EXPECT_NE(zengin_out.find("zengin-code 1.0.0-p20260824（金融機関 1146、支店 28944）"), std::string::npos) << zengin_out;

  ::setenv("STATION_USER_PASSWORD", "super-password-1", 1);
  testing::internal::CaptureStdout();
  EXPECT_EQ(station({"export", "station-cert", "--out", (store.dir / "station.pem").string(), "--as", "sup1"}), 0);
  const std::string cert_out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(read_all(store.dir / "station.pem").rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_NE(cert_out.find("SHA-256 指紋"), std::string::npos) << cert_out;
  const fs::path out = store.dir / "out";
  EXPECT_EQ(station({"export", "--date", "2026-13-01", "--out", out.string(), "--as", "sup1"}),
            station::exit_code(station::ErrorCode::kInvalidInput));
  EXPECT_EQ(station({"export", "--out", out.string(), "--as", "sup1"}),
            station::exit_code(station::ErrorCode::kNothingToExport));
  EXPECT_TRUE(!fs::exists(out) || fs::is_empty(out)) << "nothing written";
  EXPECT_EQ(station({"export", "--as", "sup1"}), kUsage) << "--out is required for an export";
}
