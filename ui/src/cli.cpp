// The `station` command line (CLI11). Every failure goes through station::exit_code and is shown
// to the clerk as message_ja + error_name on stderr; `detail` (English) only with --verbose.
#include "ui/cli.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "station/config.h"
#include "station/demo.h"
#include "station/recognizer.h"
#include "station/station.h"
#include "findings_json.h"
#include "service_socket.h"
#include "state_text.h"
#include "terminal.h"
#include "text_format.h"
#include "ui/web_server.h"
#include "ui/web_util.h"

#ifndef STATION_VERSION
#define STATION_VERSION "0.0.0"
#endif

namespace ui {
namespace {

namespace fs = std::filesystem;
using station::ErrorCode;

constexpr const char* kDemoMarker = ".station-demo";

// A failure as the CLI reports it: the station error plus an optional Japanese hint.
struct Failure {
  station::Error error;
  std::string hint_ja;
};

Failure failure(ErrorCode code, std::string detail, std::string hint_ja = {}) {
  return Failure{station::Error{code, std::move(detail)}, std::move(hint_ja)};
}

template <class T>
using Outcome = std::expected<T, Failure>;

struct Globals {
  std::string data_dir;
  std::string config_file;
  std::string passphrase_file;
  std::string key_file;  // --key-file: unlock with a registered key file instead of the passphrase
  bool verbose = false;
};

int report(const Globals& g, const Failure& f) {
  std::fprintf(stderr, "エラー: %s [%s]\n", std::string(station::message_ja(f.error.code)).c_str(),
               std::string(station::error_name(f.error.code)).c_str());
  if (!f.error.reason_ja.empty()) std::fprintf(stderr, "  %s\n", f.error.reason_ja.c_str());
  if (!f.hint_ja.empty()) std::fprintf(stderr, "  %s\n", f.hint_ja.c_str());
  if (g.verbose && !f.error.detail.empty()) std::fprintf(stderr, "  詳細（ログ用）: %s\n", f.error.detail.c_str());
  std::fflush(stderr);
  return station::exit_code(f.error.code);
}

template <class T>
Outcome<T> lift(station::Result<T> r, std::string hint_ja = {}) {
  if (!r) return std::unexpected(Failure{std::move(r.error()), std::move(hint_ja)});
  return std::move(*r);
}

// Through the running service when there is one (defined below, with the service's side).
std::optional<ServiceReply> via_service(const Globals& g, const std::string& command, const std::string& as,
                                        nlohmann::json args);
bool service_running(const Globals& g);
int print_reply(const ServiceReply& r);

// ---- configuration, secrets, sessions

Outcome<station::Config> load_config(const Globals& g) {
  const bool required = !g.config_file.empty();
  const fs::path file = required ? fs::path(g.config_file) : station::default_config_file();
  auto config = station::load_config(file, required);
  if (!config) return std::unexpected(Failure{config.error(), {}});
  if (!g.data_dir.empty()) {
    config->data_dir = g.data_dir;
  } else if (config->data_dir.empty()) {
    config->data_dir = station::default_data_dir();
  }
  return *config;
}

// A secret from `env_name`, else the terminal (twice when `confirm`). `how_ja` tells a
// non-interactive caller how to pass it.
Outcome<std::string> secret(const char* env_name, const std::string& prompt_ja, bool confirm,
                            const std::string& how_ja) {
  if (auto v = term::env(env_name)) return *v;
  auto first = term::prompt_secret(prompt_ja);
  if (!first) return std::unexpected(Failure{first.error(), how_ja});
  if (first->empty()) return std::unexpected(failure(ErrorCode::kUsage, "empty secret", "空の入力は使えません。"));
  if (confirm) {
    auto again = term::prompt_secret("確認のため、もう一度入力してください: ");
    if (!again) return std::unexpected(Failure{again.error(), how_ja});
    if (*again != *first)
      return std::unexpected(failure(ErrorCode::kUsage, "the two entries differ", "2回の入力が一致しません。"));
  }
  return *first;
}

Outcome<std::string> passphrase(const Globals& g, bool confirm) {
  if (!g.passphrase_file.empty()) {
    auto p = term::read_secret_file(g.passphrase_file);
    if (!p) return std::unexpected(Failure{p.error(), "--passphrase-file で指定したファイルを読めません。"});
    return *p;
  }
  return secret("STATION_PASSPHRASE", "保管庫のパスフレーズ: ", confirm,
                "パスフレーズを入力できる端末がありません。--passphrase-file FILE か環境変数 "
                "STATION_PASSPHRASE で指定してください。");
}

// The hint shown with a key-file error.
std::string key_file_hint(const station::Error& e) {
  if (e.code == ErrorCode::kBadKeyFile || e.code == ErrorCode::kWrongKeyFile)
    return "鍵ファイルがなくても、--key-file を付けずに実行すればパスフレーズで開けます。";
  return {};
}

// The hint shown when the audit signing credential is not at hand (issue #16).
std::string signing_hint(const station::Config& config, const station::Error& e) {
  if (e.code != ErrorCode::kSigningKeyUnavailable) return {};
  return fmt("署名用の鍵ファイル: {}（設定の [security] audit_signing_key_file）。稼働中のサービスに station "
             "コマンドで接続するか、鍵ファイルを読める管理者が実行してください。",
             config.audit_signing_key_file.empty() ? std::string("未設定") : config.audit_signing_key_file);
}

// True when a signing credential is configured and this process cannot read it: then only a
// read-only open is possible (issue #16; docs/security.md).
bool signing_credential_unreadable(const station::Config& config) {
  return !config.audit_signing_key_file.empty() && ::access(config.audit_signing_key_file.c_str(), R_OK) != 0;
}

// Opens the store with --key-file when given, else with the passphrase. `read_only`: nothing is
// written or signed (the read-only commands, when the signing credential is not at hand).
Outcome<std::unique_ptr<station::Station>> open_with(const station::Config& config, const Globals& g,
                                                     bool read_only = false) {
  if (!g.key_file.empty()) {
    station::StoreSecrets secrets{{}, g.key_file};
    secrets.read_only = read_only;
    auto st = station::Station::open(config, secrets);
    if (!st) {
      std::string hint = key_file_hint(st.error());
      if (hint.empty()) hint = signing_hint(config, st.error());
      return std::unexpected(Failure{st.error(), hint});
    }
    return std::move(*st);
  }
  auto pass = passphrase(g, false);
  if (!pass) return std::unexpected(pass.error());
  station::StoreSecrets secrets{*pass, {}};
  secrets.read_only = read_only;
  auto st = station::Station::open(config, secrets);
  if (!st) return std::unexpected(Failure{st.error(), signing_hint(config, st.error())});
  return std::move(*st);
}

Outcome<std::unique_ptr<station::Station>> open_store(const Globals& g, bool read_only_if_unsigned = false) {
  auto config = load_config(g);
  if (!config) return std::unexpected(config.error());
  return open_with(*config, g, read_only_if_unsigned && signing_credential_unreadable(*config));
}

// Logs in the acting user named by --as.
Outcome<station::User> act_as(station::Station& st, const std::string& username) {
  auto password = secret("STATION_USER_PASSWORD", fmt("{} のパスワード: ", username), false,
                         "パスワードを入力できる端末がありません。環境変数 STATION_USER_PASSWORD で指定してください。");
  if (!password) return std::unexpected(password.error());
  return lift(st.login(username, *password));
}

// How a command acts as a user — the one way in the CLI: the store opened (--key-file, else the
// passphrase) and the --as user signed in (STATION_USER_PASSWORD, else the terminal).
struct Acting {
  std::unique_ptr<station::Station> station;
  station::User user;
};

// `read_only_if_unsigned`: a read-only command, which opens the store read-only when the signing
// credential cannot be read here (nothing it does is then recorded).
Outcome<Acting> open_as(const Globals& g, const std::string& as, bool read_only_if_unsigned = false) {
  auto st = open_store(g, read_only_if_unsigned);
  if (!st) return std::unexpected(st.error());
  auto user = act_as(**st, as);
  if (!user) return std::unexpected(user.error());
  return Acting{std::move(*st), std::move(*user)};
}

// The same with the store opened by explicit secrets (keys rotate needs the passphrase even with
// a key file).
Outcome<Acting> open_as(const station::Config& config, const station::StoreSecrets& secrets, const std::string& as) {
  auto st = station::Station::open(config, secrets);
  if (!st) return std::unexpected(Failure{st.error(), key_file_hint(st.error())});
  auto user = act_as(**st, as);
  if (!user) return std::unexpected(user.error());
  return Acting{std::move(*st), std::move(*user)};
}

// ---- serving until SIGINT / SIGTERM

// Blocks SIGINT and SIGTERM in this thread (and so in every thread started afterwards) and
// returns the set, for a watcher thread to sigwait on.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);  // the daily backup (hardware/systemd/station-backup.service)
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// SIGINT / SIGTERM stop the server; SIGUSR1 runs `on_backup` (the scheduled daily backup) on the
// watcher thread, so the key stays in this one process.
void serve_until_signal(WebServer& server, const sigset_t& signals, const std::function<void()>& on_backup = {}) {
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    const timespec tick{0, 200'000'000};
    while (!done) {
      const int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig == SIGUSR1) {
        if (on_backup) on_backup();
        continue;
      }
      if (sig > 0) {
        std::fprintf(stderr, "停止の指示を受けました。終了します。\n");
        server.stop();
        return;
      }
    }
  });
  server.run();
  done = true;
  watcher.join();
}

// ---- commands

// What a refused new password needs (the same rule the web form states).
std::string password_rule_hint(const station::Error& e) {
  if (e.code != ErrorCode::kInvalidInput || !e.reason_ja.empty()) return {};
  return "パスワードは十分な長さにし、ユーザー名を含まず、よく使われるものでないものにしてください。";
}

int cmd_init(const Globals& g, const std::string& admin_user_opt) {
  auto config = load_config(g);
  if (!config) return report(g, config.error());
  auto pass = passphrase(g, true);
  if (!pass) return report(g, pass.error());
  std::string admin_user = admin_user_opt;
  if (admin_user.empty()) {
    auto name = term::prompt_line("最初の管理者のユーザー名: ");
    if (!name || name->empty())
      return report(g, failure(ErrorCode::kUsage, "no admin user name",
                               "--admin-user NAME で最初の管理者のユーザー名を指定してください。"));
    admin_user = *name;
  }
  auto admin_password = secret("STATION_ADMIN_PASSWORD", fmt("{} のパスワード: ", admin_user), true,
                               "パスワードを入力できる端末がありません。環境変数 STATION_ADMIN_PASSWORD で指定してください。");
  if (!admin_password) return report(g, admin_password.error());
  // The administrator's name and password first: a store created for an account then refused
  // would stand in the way of the next attempt (STORE_EXISTS).
  if (auto ok = station::Station::check_new_account(*config, admin_user, *admin_password); !ok)
    return report(g, Failure{ok.error(), password_rule_hint(ok.error())});
  auto st = station::Station::create(*config, *pass);
  if (!st) return report(g, Failure{st.error(), {}});
  auto admin = (*st)->add_user(nullptr, admin_user, *admin_password, station::Role::kAdmin);
  if (!admin) return report(g, Failure{admin.error(), password_rule_hint(admin.error())});
  std::printf("データ保管庫を作成しました: %s\n", config->data_dir.string().c_str());
  std::printf("管理者 %s を登録しました。\n", admin->username.c_str());
  return 0;
}

std::string user_added_text(const station::User& user) {
  return fmt("利用者 {}（{}）を登録しました。\n", user.username, station::role_label_ja(user.role));
}

int cmd_user_add(const Globals& g, const std::string& as, const std::string& name, const std::string& role_name) {
  const auto role = station::parse_role(role_name);
  if (!role)
    return report(g, failure(ErrorCode::kUsage, "unknown role",
                             "--role には clerk, reviewer, supervisor, admin のいずれかを指定してください。"));
  if (service_running(g)) {
    auto password = secret("STATION_NEW_PASSWORD", fmt("{} に設定するパスワード: ", name), true,
                           "パスワードを入力できる端末がありません。環境変数 STATION_NEW_PASSWORD で指定してください。");
    if (!password) return report(g, password.error());
    if (auto reply = via_service(g, "user-add", as, {{"name", name}, {"role", role_name}, {"new_password", *password}}))
      return print_reply(*reply);
  }
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto password = secret("STATION_NEW_PASSWORD", fmt("{} に設定するパスワード: ", name), true,
                         "パスワードを入力できる端末がありません。環境変数 STATION_NEW_PASSWORD で指定してください。");
  if (!password) return report(g, password.error());
  auto user = st->add_user(&actor, name, *password, *role);
  if (!user) return report(g, Failure{user.error(), password_rule_hint(user.error())});
  std::fputs(user_added_text(*user).c_str(), stdout);
  return 0;
}

int cmd_facilities_load(const Globals& g, const std::string& as, const std::string& csv) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto count = st->load_facilities(actor, csv);
  if (!count) return report(g, Failure{count.error(), {}});
  std::printf("対象施設リストを読み込みました: %d 件\n", *count);
  return 0;
}

// ---- capture (issue 3): progress lines, scan, devices, receipt log, separator sheet

// 「n ページ取り込み済み（毎分 m ページ）」 on stderr: rewritten in place on a terminal, one line each otherwise.
void print_progress(const station::CaptureProgress& p) {
  static const bool tty = ::isatty(2) != 0;
  std::fprintf(stderr, "%s%d ページ取り込み済み（毎分 %.0f ページ）%s", tty ? "\r" : "", p.pages, p.pages_per_minute,
               tty ? "" : "\n");
  std::fflush(stderr);
}

void end_progress_line() {
  if (::isatty(2) != 0) std::fputc('\n', stderr);
}

Outcome<void> write_bytes(const fs::path& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) return std::unexpected(failure(ErrorCode::kIo, "cannot write " + path.filename().string(),
                                           "書き込めませんでした。出力先と空き容量を確認してください。"));
  return {};
}

// ---- recognition (issue 11): every captured envelope is read in the background

// What a capture prints at its end: the reading happens in the background, and where to follow it.
std::string recognition_note_text(const std::string& as) {
  return "文字認識はバックグラウンドで順に行います（ステーションが開いている間: station serve の起動中など）。\n" +
         fmt("進み具合: station envelopes --as {} / station recognition status --as {}\n", as, as);
}

void print_recognition_note(const std::string& as) { std::fputs(recognition_note_text(as).c_str(), stdout); }

// The error lines a failure prints (report() without the log detail), for answers built as text.
std::string error_text(const station::Error& e, const std::string& hint_ja = {}) {
  std::string err = fmt("エラー: {} [{}]\n", station::message_ja(e.code), station::error_name(e.code));
  if (!e.reason_ja.empty()) err += fmt("  {}\n", e.reason_ja);
  if (!hint_ja.empty()) err += fmt("  {}\n", hint_ja);
  return err;
}

// Waits until none of `ids` is queued or being read (their state, from the store, is captured or
// recognizing), printing each change of their progress on stderr ("受付番号 …: 読取中 3/5 ページ").
// With recognize_on_capture off they are queued first.
Outcome<void> wait_for_recognition(station::Station& st, const station::User& actor,
                                   const std::vector<std::int64_t>& ids) {
  if (!st.config().recognize_on_capture)
    for (const auto id : ids)
      if (auto q = st.queue_recognition(actor, id); !q) return std::unexpected(Failure{q.error(), {}});
  std::string last;
  while (true) {
    std::string lines;
    for (const auto id : ids) {
      auto e = st.envelope(actor, id);
      if (!e) return std::unexpected(Failure{e.error(), {}});
      if (recognition_pending(e->state)) lines += fmt("受付番号 {}: {}\n", e->receipt_no, state_text_ja(*e));
    }
    if (lines.empty()) return {};
    if (lines != last) {
      std::fputs(lines.c_str(), stderr);
      std::fflush(stderr);
      last = lines;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

// After --wait: each envelope's state and what was read; the number that could not be read.
std::string recognized_text(station::Station& st, const station::User& actor, const std::vector<std::int64_t>& ids,
                            int& failed) {
  std::string out;
  failed = 0;
  for (const auto id : ids) {
    auto e = st.envelope(actor, id);
    if (!e) continue;
    out += fmt("受付番号 {}: {}（読取項目 {}）\n", e->receipt_no, state_text_ja(*e), e->fields_total);
    if (e->state == station::EnvelopeState::kRecognitionFailed) ++failed;
  }
  return out;
}

std::string recognition_failed_text(int failed) {
  return fmt("{}（{} 通）\n", station::message_ja(ErrorCode::kRecognitionFailed), failed);
}

struct ScanArgs {
  std::string device, source, mode, received_date;
  int dpi = 0;
  int enclosures = 0;
  bool separate = false;
  std::string continue_envelope;      // --continue: 受付番号 or id of an interrupted envelope
  std::vector<int> stack_enclosures;  // --stack-enclosures: per envelope of a --separate stack
};

nlohmann::json scan_json(const ScanArgs& a) {
  return {{"device", a.device}, {"source", a.source}, {"mode", a.mode}, {"received_date", a.received_date},
          {"dpi", a.dpi}, {"enclosures", a.enclosures}, {"separate", a.separate},
          {"continue", a.continue_envelope}, {"stack_enclosures", a.stack_enclosures}};
}

ScanArgs scan_args_of(const nlohmann::json& j) {
  ScanArgs a;
  a.device = j.value("device", std::string());
  a.source = j.value("source", std::string());
  a.mode = j.value("mode", std::string());
  a.received_date = j.value("received_date", std::string());
  a.dpi = j.value("dpi", 0);
  a.enclosures = j.value("enclosures", 0);
  a.separate = j.value("separate", false);
  a.continue_envelope = j.value("continue", std::string());
  if (j.contains("stack_enclosures") && j["stack_enclosures"].is_array())
    for (const auto& n : j["stack_enclosures"])
      if (n.is_number_integer()) a.stack_enclosures.push_back(n.get<int>());
  return a;
}

// Scans with the open station; the report as text (the local path adds progress lines on the way).
ServiceReply scan_reply(station::Station& st, const station::User& actor, const std::string& as, const ScanArgs& a,
                        const std::function<void(const station::CaptureProgress&)>& progress) {
  station::ScanRequest req;
  req.device = a.device;
  req.source = a.source;
  req.mode = a.mode;
  req.dpi = a.dpi;
  req.separate = a.separate;
  req.intake = {a.received_date, a.enclosures};
  req.continue_envelope = a.continue_envelope;
  req.stack_enclosures = a.stack_enclosures;
  auto r = st.scan(actor, req, progress);
  if (!r)
    return ServiceReply{station::exit_code(r.error().code), "",
                        error_text(r.error(), "スキャナーの電源・接続を確認し、station devices で見えるか確かめてください。")};
  ServiceReply reply;
  for (const auto& e : r->envelopes) reply.out += fmt("受付番号 {}: {} ページ\n", e.receipt_no, e.pages);
  reply.out += fmt("読み取り: {} ページ、封筒 {} 通（{}）\n", r->pages, r->envelopes.size(), r->device);
  if (!r->envelopes.empty()) reply.out += recognition_note_text(as);
  if (!r->problem_ja.empty()) reply.err += (r->interrupted ? "中断: " : "注意: ") + r->problem_ja + "\n";
  if (r->interrupted && !r->envelopes.empty())
    reply.err += fmt("続きは同じ封筒に読み取れます: station scan --continue {} --as {}\n", r->envelopes.back().receipt_no, as);
  reply.exit = r->interrupted ? station::exit_code(ErrorCode::kScanner) : 0;
  return reply;
}

int cmd_scan(const Globals& g, const std::string& as, const ScanArgs& a) {
  if (auto reply = via_service(g, "scan", as, scan_json(a))) return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  ServiceReply reply = scan_reply(*st, actor, as, a, print_progress);
  end_progress_line();
  return print_reply(reply);
}

int cmd_devices(const Globals& g, const std::string& as) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto list = st->scanners(actor);
  if (!list) return report(g, Failure{list.error(), {}});
  if (list->empty()) std::printf("スキャナーが見つかりません。電源とUSBケーブルを確認してください。\n");
  for (const auto& d : *list)
    std::printf("%s\t%s %s\t設定: %s\n", d.name.c_str(), d.vendor.c_str(), d.model.c_str(),
                d.profile.empty() ? "（標準）" : d.profile.c_str());
  return 0;
}

int cmd_intake_log(const Globals& g, const std::string& as, const std::string& date, const std::string& xlsx_out) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  if (!xlsx_out.empty()) {
    auto bytes = st->intake_log_xlsx(actor, date);
    if (!bytes) return report(g, Failure{bytes.error(), {}});
    if (auto w = write_bytes(xlsx_out, *bytes); !w) return report(g, w.error());
    std::printf("受付簿を書き出しました: %s\n", xlsx_out.c_str());
    return 0;
  }
  auto rows = st->intake_log(actor, date);
  if (!rows) return report(g, Failure{rows.error(), {}});
  std::printf("受付番号\t受付日\t受付担当\t同封書類数\tページ数\t白紙の可能性\t要確認\n");
  for (const auto& r : *rows)
    std::printf("%s\t%s\t%s\t%d\t%d\t%d\t%d\n", r.receipt_no.c_str(), r.received_date.c_str(), r.clerk.c_str(),
                r.enclosures, r.pages, r.blank_pages, r.flagged_pages);
  std::printf("合計 %zu 通\n", rows->size());
  return 0;
}

int cmd_separator_sheet(const Globals& g, const std::string& out) {
  const std::string ext = fs::path(out).extension().string();
  if (ext != ".png" && ext != ".pdf")
    return report(g, failure(ErrorCode::kUsage, "separator sheet must be .png or .pdf",
                             "--out には .png か .pdf のファイル名を指定してください。"));
  auto bytes = station::Station::separator_sheet(ext.substr(1));
  if (!bytes) return report(g, Failure{bytes.error(), {}});
  if (auto w = write_bytes(out, *bytes); !w) return report(g, w.error());
  std::printf("区切り用紙を書き出しました: %s（A4 で印刷し、封筒と封筒の間に挟んでください）\n", out.c_str());
  return 0;
}

// Imports the envelopes named (each folder one envelope; loose files named together one more); the
// report as text, the ids imported in *ids. The local path passes progress, the service none.
ServiceReply import_reply(station::Station& st, const station::User& actor, const std::vector<std::string>& paths,
                          const station::Intake& intake,
                          const std::function<void(const station::CaptureProgress&)>& progress,
                          std::vector<std::int64_t>& ids) {
  std::vector<std::vector<fs::path>> envelopes;
  std::vector<fs::path> loose;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec))
      envelopes.push_back({fs::path(p)});
    else
      loose.emplace_back(p);
  }
  if (!loose.empty()) envelopes.push_back(loose);
  ServiceReply reply;
  for (const auto& inputs : envelopes) {
    const std::string label = inputs.size() == 1 ? inputs.front().string() : fmt("{} 個のファイル", inputs.size());
    auto r = st.import_envelope(actor, inputs, intake, progress);
    if (progress) end_progress_line();
    if (!r) {
      reply.err += fmt("取り込めませんでした: {}\n", label) + error_text(r.error());
      reply.exit = station::exit_code(r.error().code);
      continue;
    }
    ids.push_back(r->envelope_id);
    reply.out += fmt("受付番号 {}: {} ページ（{}）\n", r->receipt_no, r->pages, label);
    for (const auto& problem : r->problems_ja) reply.out += fmt("  注意: {}\n", problem);
  }
  reply.out += fmt("取り込み完了: {} / {} 通\n", ids.size(), envelopes.size());
  if (!ids.empty()) reply.exit = 0;  // a failure counts only when nothing could be imported
  return reply;
}

int cmd_import(const Globals& g, const std::string& as, const std::vector<std::string>& paths,
               const std::string& received_date, int enclosures, bool wait) {
  if (service_running(g)) {
    // The service reads the files: they are named as the caller sees them.
    nlohmann::json files = nlohmann::json::array();
    for (const auto& p : paths) {
      std::error_code ec;
      const fs::path full = fs::absolute(p, ec);
      files.push_back(ec ? p : full.string());
    }
    if (auto reply = via_service(g, "import", as,
                                 {{"paths", files}, {"received_date", received_date}, {"enclosures", enclosures}, {"wait", wait}}))
      return print_reply(*reply);
  }
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  std::vector<std::int64_t> imported_ids;
  const ServiceReply imported = import_reply(*st, actor, paths, {received_date, enclosures}, print_progress, imported_ids);
  const int code = print_reply(imported);
  std::fflush(stdout);
  if (imported_ids.empty()) return code;
  if (!wait) {
    print_recognition_note(as);
    return 0;
  }
  std::printf("文字認識を待っています…\n");
  std::fflush(stdout);
  if (auto w = wait_for_recognition(*st, actor, imported_ids); !w) return report(g, w.error());
  int failed = 0;
  std::fputs(recognized_text(*st, actor, imported_ids, failed).c_str(), stdout);
  if (failed > 0) {
    std::fputs(recognition_failed_text(failed).c_str(), stderr);
    return station::exit_code(ErrorCode::kRecognitionFailed);
  }
  return 0;
}

// ENVELOPE accepts the numeric id or the 受付番号.
Outcome<std::int64_t> resolve_envelope(station::Station& st, const station::User& actor, const std::string& text) {
  if (auto id = web::parse_id(text)) return *id;
  auto list = st.list_envelopes(actor);
  if (!list) return std::unexpected(Failure{list.error(), {}});
  for (const auto& e : *list)
    if (e.receipt_no == text) return e.id;
  return std::unexpected(failure(ErrorCode::kNotFound, "no such envelope", "封筒の番号か受付番号を確認してください。"));
}

// Store-less: reads the pages and prints the truth.json-shaped JSON (nothing is stored).
int cmd_recognize_json(const Globals& g, const std::vector<std::string>& paths) {
  auto config = load_config(g);
  if (!config) return report(g, config.error());
  std::vector<fs::path> inputs(paths.begin(), paths.end());
  // Every file that could not be read is named on stderr; the rest is read (kNoPages when none).
  auto reading = station::recognize_files(*config, inputs);
  if (!reading) return report(g, Failure{reading.error(), "ページ画像（JPEG・PNG・TIFF・PDF）のフォルダーかファイルを指定してください。"});
  for (const auto& problem : reading->problems_ja) std::fprintf(stderr, "注意: %s\n", problem.c_str());
  std::fflush(stderr);
  std::printf("%s\n", reading->json.c_str());
  return 0;
}

// Writes a table fitted by `station accuracy` to `path` (`what`: its name for the clerk, `how`: how
// its values were read); false, said on stderr, when it cannot.
bool write_fitted_table(const std::string& path, const std::string& source, const char* what, const char* how) {
  std::ofstream out(path);
  out << source;
  if (!out) {
    std::fprintf(stderr, "%sを書き込めませんでした: %s（書き込めるフォルダーを指定してください）\n", what, path.c_str());
    return false;
  }
  std::printf("%s（%s）を %s に書き出しました。\n", what, how, path.c_str());
  return true;
}

int cmd_accuracy(const Globals& g, const std::string& samples, int workers, const std::vector<std::string>& only,
                 bool mismatches, const std::string& fit_calibration, const std::string& fit_model_pairs) {
  auto config = load_config(g);
  if (!config) return report(g, config.error());
  auto r = station::measure_accuracy(*config, samples, workers, only, !fit_calibration.empty(),
                                     fit_model_pairs.empty() ? station::AccuracyPath::kStore : station::AccuracyPath::kStoreless);
  if (!r) return report(g, Failure{r.error(), {}});
  std::printf("%s", r->to_text().c_str());
  const std::string fitted_on = "the envelopes in " + std::filesystem::path(samples).filename().string();
  if (!fit_model_pairs.empty() &&
      !write_fitted_table(fit_model_pairs, station::model_pairs_source(*r, fitted_on), "二つの認識モデルの読み違いの表", "保管せずに読み取り"))
    return 1;
  if (!fit_calibration.empty() &&
      !write_fitted_table(fit_calibration, station::calibration_source(*r, fitted_on), "較正表", "生の信頼度で測定"))
    return 1;
  if (mismatches)
    for (const auto& m : r->mismatches) std::printf("%s\n", m.c_str());
  return 0;
}

int cmd_recognize(const Globals& g, const std::string& as, const std::string& envelope) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto id = resolve_envelope(*st, actor, envelope);
  if (!id) return report(g, id.error());
  auto n = st->recognize(actor, *id);
  if (!n) return report(g, Failure{n.error(), {}});
  std::printf("文字認識が終わりました: %d 項目を読み取りました。画面で確認してください。\n", *n);
  return 0;
}


// The check's report as the clerk reads it, or as JSON (--json).
std::string check_text(const station::CheckReport& r, bool json) {
  if (json) return ui::findings_json(r).dump(1) + "\n";
  int blocks = 0;
  for (const auto& f : r.findings) blocks += f.severity == "block" ? 1 : 0;
  std::string out = fmt("受付番号 {} の審査結果（対象施設リスト 第{}版）\n", r.receipt_no, r.list_version);
  if (r.list_version == 0) out += "  ※ 対象施設リストが読み込まれていません。\n";
  out += fmt("照合した施設: {}\n", r.facility_id.empty() ? "（特定できません）" : r.facility_id);
  if (r.findings.empty()) out += "指摘事項はありません。\n";
  for (const auto& f : r.findings) {
    out += fmt("  [{}] {}", f.severity == "block" ? "要補正" : "要確認", f.message_ja);
    if (f.page > 0) out += fmt("（{} ページ目）", f.page);
    out += fmt("  {}\n", f.code);
  }
  if (!r.findings.empty())
    out += fmt("要補正 {} 件、要確認 {} 件\n", blocks, r.findings.size() - static_cast<std::size_t>(blocks));
  return out;
}

// station check ENVELOPE: the findings of the review's checks (--json: as the web API gives them).
int cmd_check(const Globals& g, const std::string& as, const std::string& envelope, bool json) {
  if (auto reply = via_service(g, "check", as, {{"envelope", envelope}, {"json", json}})) return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto id = resolve_envelope(*st, actor, envelope);
  if (!id) return report(g, id.error());
  auto r = st->check(actor, *id);
  if (!r) return report(g, Failure{r.error(), {}});
  std::fputs(check_text(*r, json).c_str(), stdout);
  return 0;
}

// Names the key that was refused (the detail names keys only, never a value); nothing was applied.
std::string confirm_values_hint(const station::Error& e) {
  return e.code == ErrorCode::kInvalidInput ? "値のファイルの誤り（何も反映していません）: " + e.detail : std::string();
}

std::string confirm_values_text(int n) { return fmt("{} 項目の値を確認済みにしました。\n", n); }

// station confirm ENVELOPE --values FILE: many values confirmed at once (truth.json's shape).
int cmd_confirm_values(const Globals& g, const std::string& as, const std::string& envelope, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return report(g, failure(ErrorCode::kNotFound, "values file not found",
                             "値のファイルを開けません: " + file));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The file is read here (the service may not see the clerk's files); its text goes over the socket.
  if (auto reply = via_service(g, "confirm-values", as, {{"envelope", envelope}, {"values", text}}))
    return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto id = resolve_envelope(*st, actor, envelope);
  if (!id) return report(g, id.error());
  auto n = st->confirm_values(actor, *id, text);
  if (!n) return report(g, Failure{n.error(), confirm_values_hint(n.error())});
  std::fputs(confirm_values_text(*n).c_str(), stdout);
  return 0;
}

// station show ENVELOPE: the stored reading as JSON (--json, the shape of a sample's truth.json),
// else a short summary.
// station show: one envelope and its values (--json: the truth.json-shaped document).
Outcome<std::string> show_text(station::Station& st, const station::User& actor, const std::string& envelope, bool json) {
  auto id = resolve_envelope(st, actor, envelope);
  if (!id) return std::unexpected(id.error());
  if (json) {
    auto doc = lift(st.envelope_json(actor, *id));
    if (!doc) return std::unexpected(doc.error());
    return *doc + "\n";
  }
  auto e = lift(st.envelope(actor, *id));
  if (!e) return std::unexpected(e.error());
  auto fields = lift(st.fields(actor, *id));
  if (!fields) return std::unexpected(fields.error());
  int attention = 0;
  for (const auto& f : *fields) attention += f.status == station::FieldStatus::kSuggested && f.needs_attention ? 1 : 0;
  std::string out = fmt("受付番号: {}（受付日 {}、担当 {}）\n", e->receipt_no, e->received_date, e->clerk);
  out += fmt("状態: {}\n", state_text_ja(*e));
  out += fmt("ページ: {} / 読取項目: {}（確認済み {}、要確認 {}）\n", e->pages, fields->size(), e->fields_confirmed, attention);
  for (const auto& f : *fields) {
    const bool confirmed = f.status == station::FieldStatus::kConfirmed;
    out += fmt("  {}: {}{}\n", f.label_ja.empty() ? f.key : f.label_ja, confirmed ? f.confirmed_value : f.value,
               confirmed ? "（確認済み）" : (f.needs_attention ? "（要確認）" : ""));
  }
  return out;
}

int cmd_show(const Globals& g, const std::string& as, const std::string& envelope, bool json) {
  if (auto reply = via_service(g, "show", as, {{"envelope", envelope}, {"json", json}})) return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto text = show_text(*st, actor, envelope, json);
  if (!text) return report(g, text.error());
  std::fputs(text->c_str(), stdout);
  return 0;
}

// station envelopes: the envelopes (of one received date) with their state and progress.
// A state named by its stored name (accepted) or its Japanese label (受理).
std::optional<station::EnvelopeState> state_by_name(const std::string& text) {
  if (auto s = station::parse_state(text)) return s;
  for (auto s : {station::EnvelopeState::kCapturing, station::EnvelopeState::kInterrupted,
                 station::EnvelopeState::kCaptured, station::EnvelopeState::kRecognizing,
                 station::EnvelopeState::kRecognized, station::EnvelopeState::kRecognitionFailed,
                 station::EnvelopeState::kReviewed, station::EnvelopeState::kUnderReview,
                 station::EnvelopeState::kAwaitingCorrection, station::EnvelopeState::kAccepted,
                 station::EnvelopeState::kRejected, station::EnvelopeState::kReferred,
                 station::EnvelopeState::kExported})
    if (station::state_label_ja(s) == text) return s;
  return std::nullopt;
}

std::string backup_status_text(const station::BackupStatus& status) {
  return fmt("最後の正常なバックアップ: {}\n", status.last_backup_at.empty() ? std::string("なし") : status.last_backup_at);
}

std::string backup_warning_text(const station::BackupStatus& status) {
  if (!status.stale) return {};
  if (status.last_backup_at.empty()) return "警告: まだ正常なバックアップがありません。station backup で作成してください。\n";
  return fmt("警告: 最後の正常なバックアップ（{}）から1日以上たっています。station backup で作成してください。\n",
             status.last_backup_at);
}

std::string audit_verify_text(const station::AuditVerifyReport& r) {
  std::string out = fmt("監査ログ: {} 件、署名付きチェックポイント {} 件\n", r.entries, r.checkpoints);
  out += fmt("最新のハッシュ（控えておいてください）: {}\n", r.head_hash);
  out += fmt("ステーションの公開鍵: {}\n", r.public_key);
  if (r.key_pinned)
    out += "設定で固定した公開鍵で検証しました。\n";
  else
    out += fmt("公開鍵が設定で固定されていません。設定ファイルの [security] に次の行を加えてください:\n"
               "  audit_public_key = \"{}\"\n",
               r.public_key);
  if (r.expected_last_id >= 0) out += fmt("控えの署名付き末尾（{} 件目）まで照合しました。\n", r.expected_last_id);
  if (r.ok) return out + "改ざんは見つかりませんでした。\n";
  out += "監査ログの改ざんまたは欠落を検出しました:\n";
  for (const auto& p : r.problems) out += fmt("  - {}\n", p);
  return out;
}

std::string envelopes_text(const std::vector<station::EnvelopeSummary>& list, const std::string& date) {
  std::string out = "受付番号\t受付日\t状態\tページ数\t確認済み／項目数\n";
  std::size_t shown = 0;
  for (const auto& e : list) {
    if (!date.empty() && e.received_date != date) continue;
    ++shown;
    out += fmt("{}\t{}\t{}\t{}\t{} / {}\n", e.receipt_no, e.received_date, state_text_ja(e), e.pages, e.fields_confirmed,
               e.fields_total);
  }
  out += fmt("合計 {} 通\n", shown);
  return out;
}

// ---- formatters shared by the local path and the service's answers

std::string history_text(const std::vector<station::TransitionRecord>& h) {
  std::string out = "日時\t状態（操作）\t担当\t理由\n";
  for (const auto& t : h) {
    std::string why = t.reason;
    if (!t.override_reason.empty()) why += (why.empty() ? "" : " / ") + fmt("指摘を承知のうえ受理: {}", t.override_reason);
    if (t.findings > 0)
      why += (why.empty() ? "" : " / ") + fmt("判断時の指摘 {} 件（うち要対応 {} 件）", t.findings, t.blocking_findings);
    out += fmt("{}\t{}\t{}\t{}\n", t.at, transition_text_ja(t), t.username.empty() ? "（システム）" : t.username,
               why.empty() ? "-" : why);
  }
  out += fmt("{} 件\n", h.size());
  return out;
}

std::string rounds_text(const std::vector<station::CorrectionRound>& rounds) {
  std::string out = "受付番号\t回\t補正指示日\t提出期限\t状況\t指示者\n";
  for (const auto& r : rounds) {
    const std::string status = !r.open() ? fmt("返送あり {}（{}）", r.received_date, r.reply_receipt_no)
                               : r.overdue ? std::string("期限超過")
                                           : std::string("返送待ち");
    out += fmt("{}\t第{}回\t{}\t{}\t{}\t{}\n", r.receipt_no, r.round, r.request_date, r.deadline, status,
               r.requested_by);
  }
  return out;
}

std::string corrections_text(const std::vector<station::CorrectionRound>& rounds, bool overdue) {
  return rounds_text(rounds) +
         fmt("{} {} 件\n", overdue ? "提出期限を過ぎた補正指示" : "返送待ちの補正指示", rounds.size());
}

std::string user_enable_hint(const station::Error& e) {
  return e.code == ErrorCode::kConflict ? "自分自身や、最後の有効な管理者は無効にできません。" : std::string();
}

std::string user_enabled_text(const std::string& name, bool enable) {
  return enable ? fmt("{} を有効にしました。\n", name)
                : fmt("{} を無効にしました（ログインできません。開いている画面の操作も終了します）。\n", name);
}

std::string user_role_hint(const station::Error& e) {
  return e.code == ErrorCode::kConflict ? "最後の有効な管理者の役割は変更できません。先に別の管理者を登録してください。"
                                        : std::string();
}

std::string user_role_text(const station::User& u) {
  return fmt("{} の役割を {} にしました（開いている画面の操作は終了します。ログインし直してください）。\n", u.username,
             station::role_label_ja(u.role));
}

struct DecideArgs {
  std::string envelope;
  bool accept = false, request_correction = false, refer = false, reject = false, resume = false;
  bool override_findings = false;
  std::string reason, note;
  std::vector<std::string> defects;
};

// A defect as "CODE:text" (CODE in capitals, e.g. MISSING_SEAL:誓約書に押印がありません) or plain text.
station::CorrectionDefect parse_defect(const std::string& text) {
  station::CorrectionDefect d;
  const auto colon = text.find(':');
  if (colon != std::string::npos && colon > 0) {
    const std::string code = text.substr(0, colon);
    bool is_code = true;
    for (char c : code)
      if (!(std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_' ||
            c == '.' || std::islower(static_cast<unsigned char>(c))))
        is_code = false;
    if (is_code && std::isupper(static_cast<unsigned char>(code[0]))) {
      d.code = code;
      d.text = text.substr(colon + 1);
      return d;
    }
  }
  d.text = text;
  return d;
}

// Exactly one of the kinds is set (cmd_decide checks before).
station::Decision decision_of(const DecideArgs& a) {
  station::Decision d;
  d.kind = a.accept               ? station::DecisionKind::kAccept
           : a.request_correction ? station::DecisionKind::kRequestCorrection
           : a.refer              ? station::DecisionKind::kRefer
           : a.reject             ? station::DecisionKind::kReject
                                  : station::DecisionKind::kResume;
  d.reason = a.reason;
  d.note = a.note;
  d.override_findings = a.override_findings;
  for (const auto& text : a.defects) d.defects.push_back(parse_defect(text));
  return d;
}

// The decision's arguments as the service request carries them, and back.
nlohmann::json decide_json(const DecideArgs& a) {
  return {{"envelope", a.envelope},        {"accept", a.accept}, {"request_correction", a.request_correction},
          {"refer", a.refer},              {"reject", a.reject}, {"resume", a.resume},
          {"override_findings", a.override_findings}, {"reason", a.reason}, {"note", a.note},
          {"defects", a.defects}};
}

DecideArgs decide_args_of(const nlohmann::json& j) {
  DecideArgs a;
  const auto flag = [&](const char* k) { return j.contains(k) && j[k].is_boolean() && j[k].get<bool>(); };
  const auto text = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  a.envelope = text("envelope");
  a.accept = flag("accept");
  a.request_correction = flag("request_correction");
  a.refer = flag("refer");
  a.reject = flag("reject");
  a.resume = flag("resume");
  a.override_findings = flag("override_findings");
  a.reason = text("reason");
  a.note = text("note");
  if (j.contains("defects") && j["defects"].is_array())
    for (const auto& d : j["defects"])
      if (d.is_string()) a.defects.push_back(d.get<std::string>());
  return a;
}

std::string decide_text(const station::DecisionResult& r, const DecideArgs& a) {
  std::string out = fmt("記録しました: 状態は「{}」になりました。\n", r.state_ja);
  if (r.round > 0)
    out += fmt("第{}回の補正指示（提出期限 {}）。補正指示書: station corrections letter {} --round {} --out FILE.zip\n",
               r.round, r.deadline, a.envelope, r.round);
  if (r.blocking_findings > 0 && a.override_findings)
    out += fmt("対応が必要な指摘 {} 件を承知のうえで受理しました（理由を記録しました）。\n", r.blocking_findings);
  return out;
}

// ---- through the running service (service_socket.h): no passphrase, the user's own login

// Whether a service's socket is there for this store (it may still be stale: via_service then
// answers nullopt).
bool service_running(const Globals& g) {
  auto config = load_config(g);
  std::error_code ec;
  return config && fs::exists(service_socket_path(config->data_dir), ec);
}

// When `station serve` runs for this store, asks it to run `command` as `as` (whose password is
// read as for any command); nullopt when no service listens (the command opens the store itself).
std::optional<ServiceReply> via_service(const Globals& g, const std::string& command, const std::string& as,
                                        nlohmann::json args) {
  auto config = load_config(g);
  if (!config) return std::nullopt;
  const fs::path path = service_socket_path(config->data_dir);
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  auto password = secret("STATION_USER_PASSWORD", fmt("{} のパスワード: ", as), false,
                         "パスワードを入力できる端末がありません。環境変数 STATION_USER_PASSWORD で指定してください。");
  if (!password) {
    return ServiceReply{station::exit_code(password.error().error.code), "", password.error().hint_ja + "\n"};
  }
  args["command"] = command;
  args["as"] = as;
  args["password"] = *password;
  return call_service(path, args);
}

int print_reply(const ServiceReply& r) {
  std::fputs(r.out.c_str(), stdout);
  std::fputs(r.err.c_str(), stderr);
  return r.exit;
}

// Formatters defined with their commands below, shared by both paths.
std::string recognition_status_text(const station::RecognitionStatus& status);
std::string export_text(const station::ExportReport& r);
std::string user_reset_text(const station::PasswordReset& r);
std::string user_list_text(const std::vector<station::AccountInfo>& accounts);

// The service's side: logs the user in and runs the command with the open station.
ServiceReply serve_cli_request(station::Station& st, const nlohmann::json& req) {
  const auto text = [&](const char* key) {
    return req.contains(key) && req[key].is_string() ? req[key].get<std::string>() : std::string();
  };
  const auto error_reply = [](const station::Error& e, const std::string& hint_ja = {}) {
    return ServiceReply{station::exit_code(e.code), "", error_text(e, hint_ja)};
  };
  const auto flag = [&](const char* key) { return req.contains(key) && req[key].is_boolean() && req[key].get<bool>(); };
  const std::string command = text("command");
  if (command == "passwd") {  // also the way out of a one-time password, so no login first
    auto changed = st.change_password(text("as"), text("password"), text("new_password"));
    if (!changed) return error_reply(changed.error());
    return ServiceReply{0, fmt("{} のパスワードを変更しました。\n", changed->username), ""};
  }
  auto user = st.login(text("as"), text("password"));
  if (!user) return error_reply(user.error());
  if (command == "audit-verify") {
    auto r = text("expect_head").empty() ? st.audit_verify(*user) : st.audit_verify(*user, text("expect_head"));
    if (!r) return error_reply(r.error());
    return ServiceReply{r->ok ? 0 : station::exit_code(ErrorCode::kStoreCorrupt), audit_verify_text(*r), ""};
  }
  if (command == "envelopes") {
    std::optional<station::EnvelopeState> only;
    if (!text("state").empty()) {
      only = state_by_name(text("state"));
      if (!only) return error_reply(station::Error{ErrorCode::kUsage, "unknown state"});
    }
    auto list = only ? st.envelopes_in_state(*user, *only) : st.list_envelopes(*user);
    if (!list) return error_reply(list.error());
    return ServiceReply{0, envelopes_text(*list, text("date")), ""};
  }
  if (command == "backup-status") {
    auto status = st.backup_status(*user);
    if (!status) return error_reply(status.error());
    return ServiceReply{status->stale ? 1 : 0, backup_status_text(*status), backup_warning_text(*status)};
  }
  if (command == "check") {
    auto id = resolve_envelope(st, *user, text("envelope"));
    if (!id) return error_reply(id.error().error, id.error().hint_ja);
    auto r = st.check(*user, *id);
    if (!r) return error_reply(r.error());
    const bool json = req.contains("json") && req["json"].is_boolean() && req["json"].get<bool>();
    return ServiceReply{0, check_text(*r, json), ""};
  }
  if (command == "confirm-values") {
    auto id = resolve_envelope(st, *user, text("envelope"));
    if (!id) return error_reply(id.error().error, id.error().hint_ja);
    auto n = st.confirm_values(*user, *id, text("values"));
    if (!n) return error_reply(n.error(), confirm_values_hint(n.error()));
    return ServiceReply{0, confirm_values_text(*n), ""};
  }
  if (command == "decide") {
    const DecideArgs a = decide_args_of(req);
    if (int{a.accept} + int{a.request_correction} + int{a.refer} + int{a.reject} + int{a.resume} != 1)
      return error_reply(station::Error{ErrorCode::kUsage, "choose one decision"});
    auto id = resolve_envelope(st, *user, a.envelope);
    if (!id) return error_reply(id.error().error, id.error().hint_ja);
    auto r = st.decide(*user, *id, decision_of(a));
    if (!r) return error_reply(r.error());
    return ServiceReply{0, decide_text(*r, a), ""};
  }
  if (command == "history") {
    auto id = resolve_envelope(st, *user, text("envelope"));
    if (!id) return error_reply(id.error().error, id.error().hint_ja);
    auto h = st.history(*user, *id);
    if (!h) return error_reply(h.error());
    return ServiceReply{0, history_text(*h), ""};
  }
  if (command == "corrections") {
    const bool overdue = req.contains("overdue") && req["overdue"].is_boolean() && req["overdue"].get<bool>();
    auto list = st.corrections(*user, overdue);
    if (!list) return error_reply(list.error());
    return ServiceReply{0, corrections_text(*list, overdue), ""};
  }
  if (command == "user-enable" || command == "user-disable") {
    const bool enable = command == "user-enable";
    auto r = enable ? st.enable_user(*user, text("name")) : st.disable_user(*user, text("name"));
    if (!r) return error_reply(r.error(), user_enable_hint(r.error()));
    return ServiceReply{0, user_enabled_text(text("name"), enable), ""};
  }
  if (command == "user-role") {
    const auto role = station::parse_role(text("role"));
    if (!role) return error_reply(station::Error{ErrorCode::kUsage, "unknown role"});
    auto r = st.set_role(*user, text("name"), *role);
    if (!r) return error_reply(r.error(), user_role_hint(r.error()));
    return ServiceReply{0, user_role_text(*r), ""};
  }
  if (command == "import") {
    std::vector<std::string> paths;
    if (req.contains("paths") && req["paths"].is_array())
      for (const auto& p : req["paths"])
        if (p.is_string()) paths.push_back(p.get<std::string>());
    const int enclosures = req.contains("enclosures") && req["enclosures"].is_number_integer() ? req["enclosures"].get<int>() : 0;
    std::vector<std::int64_t> ids;
    ServiceReply reply = import_reply(st, *user, paths, {text("received_date"), enclosures}, {}, ids);
    if (ids.empty()) return reply;
    if (!flag("wait")) {
      reply.out += recognition_note_text(text("as"));
      return reply;
    }
    // The service's readers work meanwhile; the answer comes when they are done with every envelope.
    st.wait_for_recognition(std::chrono::hours(1));
    int failed = 0;
    reply.out += recognized_text(st, *user, ids, failed);
    if (failed > 0) {
      reply.err += recognition_failed_text(failed);
      reply.exit = station::exit_code(ErrorCode::kRecognitionFailed);
    }
    return reply;
  }
  if (command == "scan") return scan_reply(st, *user, text("as"), scan_args_of(req), {});
  if (command == "show") {
    auto out = show_text(st, *user, text("envelope"), flag("json"));
    if (!out) return error_reply(out.error().error, out.error().hint_ja);
    return ServiceReply{0, *out, ""};
  }
  if (command == "recognition-status") {
    auto status = st.recognition_status(*user);
    if (!status) return error_reply(status.error());
    return ServiceReply{0, recognition_status_text(*status), ""};
  }
  if (command == "export") {
    auto r = st.export_batch(*user, text("out"), text("date"));
    if (!r) return error_reply(r.error());
    return ServiceReply{0, export_text(*r), ""};
  }
  if (command == "user-add") {
    const auto role = station::parse_role(text("role"));
    if (!role) return error_reply(station::Error{ErrorCode::kUsage, "unknown role"});
    auto added = st.add_user(&*user, text("name"), text("new_password"), *role);
    if (!added) return error_reply(added.error(), password_rule_hint(added.error()));
    return ServiceReply{0, user_added_text(*added), ""};
  }
  if (command == "user-reset") {
    auto r = st.reset_password(*user, text("name"));
    if (!r) return error_reply(r.error());
    return ServiceReply{0, user_reset_text(*r), ""};
  }
  if (command == "user-list") {
    auto r = st.accounts(*user);
    if (!r) return error_reply(r.error());
    return ServiceReply{0, user_list_text(*r), ""};
  }
  return ServiceReply{station::exit_code(ErrorCode::kUsage), "",
                      "このコマンドは実行中のサービス経由ではまだ使えません。サービスを止めてから実行してください。\n"};
}

int cmd_envelopes(const Globals& g, const std::string& as, const std::string& date, const std::string& state) {
  std::optional<station::EnvelopeState> only;
  if (!state.empty()) {
    only = state_by_name(state);
    if (!only)
      return report(g, failure(ErrorCode::kUsage, "unknown state",
                               "--state には状態（例: accepted, under_review, awaiting_correction, または 受理, 審査中, 補正待ち）を指定してください。"));
  }
  if (auto reply = via_service(g, "envelopes", as, {{"date", date}, {"state", state}})) return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto list = only ? st->envelopes_in_state(actor, *only) : st->list_envelopes(actor);
  if (!list) return report(g, Failure{list.error(), {}});
  std::fputs(envelopes_text(*list, date).c_str(), stdout);
  return 0;
}

// station recognition status: the pool's workers and what is being read or queued.
std::string recognition_status_text(const station::RecognitionStatus& status) {
  std::string out = fmt("文字認識: 同時に {} 通まで（この起動で読み取り済み {} 通）\n", status.workers,
                        static_cast<long long>(status.envelopes_recognized));
  if (status.tasks.empty()) out += "読取中・読取待ちの封筒はありません。\n";
  for (const auto& t : status.tasks) out += fmt("{}\t{}\n", t.receipt_no, state_text_ja(t.state, t.pages_recognized, t.pages));
  return out;
}

int cmd_recognition_status(const Globals& g, const std::string& as) {
  if (auto reply = via_service(g, "recognition-status", as, nlohmann::json::object())) return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto status = st->recognition_status(actor);
  if (!status) return report(g, Failure{status.error(), {}});
  std::fputs(recognition_status_text(*status).c_str(), stdout);
  return 0;
}

std::string export_text(const station::ExportReport& r) {
  std::string out = "出力しました（県の証明書で暗号化し、このステーションの証明書で署名済み）。\n";
  out += fmt("ファイルナンバー: {}\n", r.file_no);
  out += fmt("出力日: {}\n", r.date);
  out += fmt("出力ファイル: {}\n", r.bundle_path);
  out += fmt("SHA-256: {}\n", r.sha256);
  out += fmt("申請件数: {} 件\n", r.applications);
  out += fmt("暗号化先の証明書（県）の指紋: {}\n", r.recipient_fingerprint);
  out += fmt("署名した証明書（ステーション）の指紋: {}\n", r.station_fingerprint);
  out += fmt("中身: {} ファイル（一覧・PDF・マニフェスト）\n", r.files.size());
  return out;
}

// station export --date D --out DIR --as USER: the mailed set of day D as one CMS file.
int cmd_export(const Globals& g, const std::string& as, const std::string& out_dir, const std::string& date) {
  if (out_dir.empty())
    return report(g, failure(ErrorCode::kUsage, "export needs --out", "出力先フォルダーを --out で指定してください。"));
  // The service writes the set: the folder is named as the caller sees it.
  std::error_code ec;
  const std::string out_abs = fs::absolute(out_dir, ec).string();
  if (auto reply = via_service(g, "export", as, {{"out", ec ? out_dir : out_abs}, {"date", date}}))
    return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto r = st->export_batch(actor, out_dir, date);
  if (!r) return report(g, Failure{r.error(), {}});
  std::fputs(export_text(*r).c_str(), stdout);
  return 0;
}

// station zengin load [FILE] --as ADMIN: the Zengin code table into the store.
int cmd_zengin_load(const Globals& g, const std::string& as, const std::string& file) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto r = st->load_zengin(actor, file);
  if (!r) return report(g, Failure{r.error(), {}});
  std::istringstream parts(*r);
  std::string version, banks, branches;
  parts >> version >> version >> banks >> branches;  // "zengin-code <version> <banks> <branches>"
  std::printf("全銀コード表を読み込みました: zengin-code %s（金融機関 %s、支店 %s）\n", version.c_str(), banks.c_str(),
              branches.c_str());
  return 0;
}

void print_certificate(const char* title, const station::ExportCertificate& c) {
  std::printf("%s\n", title);
  std::printf("  主体者: %s\n", c.subject.c_str());
  std::printf("  有効期限: %s\n", c.not_after.c_str());
  std::printf("  SHA-256 指紋: %s\n", c.fingerprint.c_str());
}

// station export recipient set CERT.pem --as ADMIN: the prefecture's certificate.
int cmd_export_recipient_set(const Globals& g, const std::string& as, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return report(g, failure(ErrorCode::kNotFound, "certificate file not found", "証明書ファイルを開けません: " + file));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto c = st->set_export_recipient(actor, text);
  if (!c) return report(g, Failure{c.error(), {}});
  print_certificate("県の暗号化用証明書を設定しました。", *c);
  std::printf("※ 指紋が県から知らされたものと一致することを、電話など別の手段で確認してください。\n");
  return 0;
}

// station export recipient show --as USER, station export station-cert --as USER [--out FILE].
int cmd_export_certificates(const Globals& g, const std::string& as, bool station_cert, const std::string& out_file) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto c = station_cert ? st->station_certificate(actor) : st->export_recipient(actor);
  if (!c) return report(g, Failure{c.error(), {}});
  print_certificate(station_cert ? "このステーションの署名用証明書" : "県の暗号化用証明書", *c);
  if (!out_file.empty()) {
    std::ofstream out(out_file, std::ios::binary | std::ios::trunc);
    out << c->pem;
    if (!out.flush())
      return report(g, failure(ErrorCode::kIo, "cannot write the certificate", "証明書を書き出せません: " + out_file));
    std::printf("証明書を書き出しました: %s\n", out_file.c_str());
  }
  return 0;
}

int serve(const Globals& g, station::Station& st, WebOptions options, const sigset_t& signals,
          const std::vector<station::DemoAccount>* demo_accounts, const std::string& backup_dir = {}) {
  WebServer server(st, options);
  auto port = server.bind();
  if (!port) {
    const std::string hint = port.error().code == ErrorCode::kAddressInUse
                                 ? fmt("{}:{} は既に使われています。--port で別の番号を指定してください。",
                                       options.host, options.port)
                                 : std::string();
    return report(g, Failure{port.error(), hint});
  }
  std::printf("URL: %s://%s:%d/\n", options.tls_cert.empty() ? "http" : "https", options.host.c_str(), *port);
  if (demo_accounts) {
    // The order matters to nobody but people: the UI test finds each line by its role.
    for (const auto& a : *demo_accounts)
      std::printf("login (%s): %s / %s\n", std::string(station::role_name(a.role)).c_str(), a.username.c_str(),
                  a.password.c_str());
    std::printf("注意: デモ用パスフレーズ「%s」とデモ用アカウントは実データに使わないでください。\n",
                std::string(station::kDemoPassphrase).c_str());
  }
  std::printf("Ctrl+C で終了します。\n");
  std::fflush(stdout);
  serve_until_signal(server, signals, [&] {
    if (backup_dir.empty()) {
      std::fprintf(stderr, "定期バックアップの指示を受けましたが、設定の [backup] dir がありません。\n");
      return;
    }
    auto r = st.scheduled_backup(backup_dir);
    if (r)
      std::fprintf(stderr, "定期バックアップを作成し、検証しました: %s\n", r->path.c_str());
    else
      std::fprintf(stderr, "定期バックアップに失敗しました: %s（%s）\n", std::string(station::message_ja(r.error().code)).c_str(),
                   r.error().detail.c_str());
  });
  std::printf("終了しました。\n");
  return 0;
}

int cmd_serve(const Globals& g, const std::string& host, int port, const sigset_t& signals) {
  auto config = load_config(g);
  if (!config) return report(g, config.error());
  WebOptions options;
  options.host = host.empty() ? config->listen_host : host;
  options.port = port >= 0 ? port : config->listen_port;
  options.idle_minutes = config->session_idle_minutes;
  options.tls_cert = config->tls_cert;
  options.tls_key = config->tls_key;
  // Before the store is opened: a listen address off this machine needs TLS (issue #16).
  if (auto ok = ui::check_listen(options); !ok) return report(g, Failure{ok.error(), {}});
  auto st = open_with(*config, g);
  if (!st) return report(g, st.error());
  if (!config->sync_url.empty()) {
    if (auto s = (*st)->start_sync_worker(); !s) return report(g, Failure{s.error(), {}});
    std::printf("本システムとの同期をバックグラウンドで行います（%d 秒ごと、失敗時は最大 %d 秒まで間隔を延長）。\n",
                config->sync_interval_seconds, config->sync_max_interval_seconds);
  }
  // The passphrase is no longer needed: not left readable in this long-running process's
  // environment (/proc/PID/environ) or memory.
  term::wipe_env("STATION_PASSPHRASE");
  // The CLI's way in while the service holds the key (service_socket.h).
  station::Station& station = **st;
  auto socket = ServiceSocket::listen(service_socket_path(config->data_dir),
                                      [&station](const nlohmann::json& req) { return serve_cli_request(station, req); });
  if (!socket) std::fprintf(stderr, "コマンド用のソケットを開けませんでした（画面は使えます）: %s\n", socket.error().detail.c_str());
  return serve(g, station, options, signals, nullptr, config->backup_dir);
}

Outcome<fs::path> default_demo_dir() {
  if (auto xdg = term::env("XDG_DATA_HOME")) return fs::path(*xdg) / "station-demo";
  if (auto home = term::env("HOME")) return fs::path(*home) / ".local" / "share" / "station-demo";
  return std::unexpected(failure(ErrorCode::kUsage, "neither XDG_DATA_HOME nor HOME is set",
                                 "--data-dir でデモ用の保管場所を指定してください。"));
}

// Removes a previous demo store, but only one this command made (it holds the marker file).
Outcome<void> clear_demo_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return {};
  if (fs::exists(dir / kDemoMarker, ec)) {
    fs::remove_all(dir, ec);
    if (ec) return std::unexpected(failure(ErrorCode::kIo, "cannot remove the old demo store"));
    return {};
  }
  if (fs::is_directory(dir, ec) && fs::is_empty(dir, ec)) return {};
  return std::unexpected(failure(ErrorCode::kStoreExists, "the demo directory is not a demo store",
                                 fmt("{} はデモ用の保管場所ではないため削除しません。--data-dir で別の場所を指定してください。",
                                     dir.string())));
}

struct DemoArgs {
  int port = 8080;
  std::string data_dir;
  std::string shared;
  int max_envelopes = 0;
  bool no_serve = false;
};

int cmd_demo(const Globals& g, const DemoArgs& args, const sigset_t& signals) {
  Globals demo_globals = g;
  demo_globals.data_dir.clear();
  auto config = load_config(demo_globals);
  if (!config) return report(g, config.error());
  fs::path dir;
  if (!args.data_dir.empty()) {
    dir = args.data_dir;
  } else {
    auto d = default_demo_dir();
    if (!d) return report(g, d.error());
    dir = *d;
  }
  config->data_dir = dir;
  if (auto cleared = clear_demo_dir(dir); !cleared) return report(g, cleared.error());

  auto st = station::Station::create(*config, station::kDemoPassphrase);
  if (!st) return report(g, Failure{st.error(), {}});
  {
    std::ofstream marker(dir / kDemoMarker);
    marker << "station demo store: `station demo` deletes and recreates this directory.\n";
    if (!marker) return report(g, failure(ErrorCode::kIo, "cannot write the demo marker"));
  }
  station::DemoOptions demo_options;
  demo_options.shared_dir = args.shared;
  demo_options.max_envelopes = args.max_envelopes;
  demo_options.on_progress = [](const std::string& line) {
    std::printf("  %s\n", line.c_str());
    std::fflush(stdout);
  };
  std::printf("サンプル封筒を取り込んで文字認識しています…\n");
  std::fflush(stdout);
  auto demo = station::populate_demo(**st, demo_options);
  if (!demo) return report(g, Failure{demo.error(), {}});

  std::printf("デモ用の保管庫を作成しました: %s\n", dir.string().c_str());
  if (demo->source == "shared")
    std::printf("データ元: 共有フォルダー %s\n", demo->shared_dir.string().c_str());
  else
    std::printf("データ元: 内蔵のデモデータ\n");
  std::printf("対象施設: %d 件 / 封筒: %d 通 / ページ: %d / 読取項目: %d\n", demo->facilities, demo->envelopes,
              demo->pages, demo->fields);
  for (const auto& p : demo->problems_ja) std::printf("  注意: %s\n", p.c_str());
  std::fflush(stdout);
  if (args.no_serve) {
    for (const auto& a : demo->accounts)
      std::printf("login (%s): %s / %s\n", std::string(station::role_name(a.role)).c_str(), a.username.c_str(),
                  a.password.c_str());
    std::fflush(stdout);
    return 0;
  }
  WebOptions options;
  options.host = "127.0.0.1";
  options.port = args.port;
  options.idle_minutes = config->session_idle_minutes;
  return serve(g, **st, options, signals, &demo->accounts);
}

// ---- sync with the main system (docs/sync.md)

int cmd_sync_schema() {
  const std::string sql = station::Station::sync_schema_sql();
  std::fwrite(sql.data(), 1, sql.size(), stdout);
  return 0;
}

void print_sync_status(const station::SyncStatus& s) {
  std::printf("接続先: %s\n", s.configured ? s.url.c_str() : "（未設定: 設定ファイルの [sync] url）");
  std::printf("未送信の変更: %lld 件", static_cast<long long>(s.pending));
  if (s.pending > 0) std::printf("（%s から）", s.oldest_pending_at.c_str());
  std::printf("\n送信済みの変更: %lld 件\n", static_cast<long long>(s.delivered));
  std::printf("電子申請の取り込み位置: %lld\n", static_cast<long long>(s.cursor));
  std::printf("最後の同期の試行: %s\n", s.last_attempt_at.empty() ? "なし" : s.last_attempt_at.c_str());
  std::printf("最後に成功した同期: %s\n", s.last_success_at.empty() ? "なし" : s.last_success_at.c_str());
  if (!s.last_error.empty()) {
    for (auto code : {ErrorCode::kSyncUnreachable, ErrorCode::kSyncAuth, ErrorCode::kSyncSchema,
                      ErrorCode::kSyncProtocol, ErrorCode::kConfig})
      if (station::error_name(code) == s.last_error)
        std::printf("最後の同期のエラー: %s [%s]\n", std::string(station::message_ja(code)).c_str(), s.last_error.c_str());
  }
}

int cmd_sync_once(const Globals& g, const std::string& as) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto r = st->sync_once(actor);
  if (!r) {
    const std::string hint = r.error().code == ErrorCode::kConfig
                                 ? "設定ファイルの [sync] url に本システムの接続先（libpq の接続文字列）を書いてください。"
                                 : std::string();
    const int code = report(g, Failure{r.error(), hint});
    if (auto s = st->sync_status(actor)) std::fprintf(stderr, "  未送信の変更 %lld 件は保管されています。\n", static_cast<long long>(s->pending));
    return code;
  }
  std::printf("本システムと同期しました（ロール: %s）。\n", r->role.c_str());
  std::printf("送信した変更: %lld 件（うち本システムで新規 %lld 件）\n", static_cast<long long>(r->sent),
              static_cast<long long>(r->applied));
  std::printf("取り込んだ電子申請: %lld 件（うち新規 %lld 件）\n", static_cast<long long>(r->receipts),
              static_cast<long long>(r->receipts_new));
  std::printf("取り込んだ他の受付端末の郵送申請: %lld 件\n", static_cast<long long>(r->applications));
  std::printf("未送信の変更: %lld 件\n", static_cast<long long>(r->pending));
  if (r->pruned > 0)
    std::printf("保存期間（[sync] retention_days）を過ぎた送信済みの変更 %lld 件を削除しました。\n",
                static_cast<long long>(r->pruned));
  return 0;
}

int cmd_sync_status(const Globals& g, const std::string& as) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto r = st->sync_status(actor);
  if (!r) return report(g, Failure{r.error(), {}});
  print_sync_status(*r);
  return 0;
}

// ---- administration: audit log, accounts, passphrase, backups, electronic records

int cmd_audit_verify(const Globals& g, const std::string& as, const std::string& expect_head) {
  nlohmann::json args = nlohmann::json::object();
  if (!expect_head.empty()) args["expect_head"] = fs::absolute(expect_head).string();
  if (auto reply = via_service(g, "audit-verify", as, args)) return print_reply(*reply);
  auto acting = open_as(g, as, /*read_only_if_unsigned=*/true);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto r = expect_head.empty() ? st->audit_verify(actor) : st->audit_verify(actor, expect_head);
  if (!r)
    return report(g, Failure{r.error(), expect_head.empty() ? std::string()
                                                            : "--expect-head には日次出力やバックアップにある audit-head.json "
                                                              "を指定してください。"});
  std::fputs(audit_verify_text(*r).c_str(), stdout);
  return r->ok ? 0 : station::exit_code(ErrorCode::kStoreCorrupt);
}

int cmd_audit_signing_key_new(const Globals& g, const std::string& as, const std::string& file) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  if (auto s = st->new_audit_signing_credential(actor, file); !s)
    return report(g, Failure{s.error(), s.error().code == ErrorCode::kInvalidInput
                                            ? "そのファイルは既にあります。まだ使われていない場所を指定してください。"
                                            : std::string()});
  std::printf("監査ログの署名用の鍵ファイルを作成し、署名鍵をこの鍵ファイルで包み直しました: %s\n", file.c_str());
  std::printf("この鍵ファイルは root の所有・読み取り専用（0400）で保管し、設定の [security] audit_signing_key_file に"
              "その場所を書いてください（systemd の LoadCredential= で渡すときは "
              "/run/credentials/station.service/audit-signing-key）。\n");
  std::printf("この鍵ファイルを読めない場所では保管庫を書き込みできる形で開けません（監査ログの検証は可能）。"
              "紛失すると署名できなくなるため、控えを金庫などに保管してください。\n");
  return 0;
}

int cmd_audit_search(const Globals& g, const std::string& as, const station::AuditQuery& q) {
  auto acting = open_as(g, as, /*read_only_if_unsigned=*/true);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto r = st->audit_search(actor, q);
  if (!r) return report(g, Failure{r.error(), {}});
  std::printf("%-6s  %-25s  %-12s  %-22s  %s\n", "番号", "日時", "利用者", "操作", "対象");
  for (const auto& e : *r)
    std::printf("%-6lld  %-25s  %-12s  %-22s  %s\n", static_cast<long long>(e.id), e.at.c_str(),
                e.username.empty() ? "-" : e.username.c_str(), e.action.c_str(), e.subject.c_str());
  std::printf("%zu 件\n", r->size());
  return 0;
}

int cmd_user_unlock(const Globals& g, const std::string& as, const std::string& name) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  if (auto r = st->unlock_user(actor, name); !r) return report(g, Failure{r.error(), {}});
  std::printf("%s のロックを解除しました。\n", name.c_str());
  return 0;
}

// `user passwd`: one's own password; also the way out of an admin's one-time password.
int cmd_user_passwd(const Globals& g, const std::string& as) {
  if (service_running(g)) {
    auto next = secret("STATION_NEW_PASSWORD", "新しいパスワード: ", true,
                       "パスワードを入力できる端末がありません。環境変数 STATION_NEW_PASSWORD で指定してください。");
    if (!next) return report(g, next.error());
    if (auto reply = via_service(g, "passwd", as, {{"new_password", *next}})) return print_reply(*reply);
  }
  auto st = open_store(g);
  if (!st) return report(g, st.error());
  auto current = secret("STATION_USER_PASSWORD", fmt("{} の現在のパスワード: ", as), false,
                        "パスワードを入力できる端末がありません。環境変数 STATION_USER_PASSWORD で指定してください。");
  if (!current) return report(g, current.error());
  auto next = secret("STATION_NEW_PASSWORD", "新しいパスワード: ", true,
                     "パスワードを入力できる端末がありません。環境変数 STATION_NEW_PASSWORD で指定してください。");
  if (!next) return report(g, next.error());
  auto user = (*st)->change_password(as, *current, *next);
  if (!user)
    return report(g, Failure{user.error(), user.error().code == ErrorCode::kInvalidInput
                                               ? "設定の最低文字数以上で、ユーザー名を含まず、よく使われるものでもなく、"
                                                 "現在のものと違うパスワードにしてください。"
                                               : std::string()});
  std::printf("%s のパスワードを変更しました。\n", user->username.c_str());
  return 0;
}

// `user reset`: a one-time password, shown once, to hand to the person in private.
std::string user_reset_text(const station::PasswordReset& r) {
  return fmt("{} の仮パスワード: {}\n", r.user.username, r.one_time_password) +
         "本人に直接伝えてください。次のログインで新しいパスワードへの変更が必要です（この表示は一度だけです）。\n";
}

int cmd_user_reset(const Globals& g, const std::string& as, const std::string& name) {
  if (auto reply = via_service(g, "user-reset", as, {{"name", name}})) return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto r = st->reset_password(actor, name);
  if (!r) return report(g, Failure{r.error(), {}});
  std::fputs(user_reset_text(*r).c_str(), stdout);
  return 0;
}

int cmd_user_enable(const Globals& g, const std::string& as, const std::string& name, bool enable) {
  if (auto reply = via_service(g, enable ? "user-enable" : "user-disable", as, {{"name", name}}))
    return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto r = enable ? st->enable_user(actor, name) : st->disable_user(actor, name);
  if (!r) return report(g, Failure{r.error(), user_enable_hint(r.error())});
  std::fputs(user_enabled_text(name, enable).c_str(), stdout);
  return 0;
}

int cmd_user_role(const Globals& g, const std::string& as, const std::string& name, const std::string& role_name) {
  const auto role = station::parse_role(role_name);
  if (!role)
    return report(g, failure(ErrorCode::kUsage, "unknown role",
                             "--role には clerk, reviewer, supervisor, admin のいずれかを指定してください。"));
  if (auto reply = via_service(g, "user-role", as, {{"name", name}, {"role", role_name}})) return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto r = st->set_role(actor, name, *role);
  if (!r) return report(g, Failure{r.error(), user_role_hint(r.error())});
  std::fputs(user_role_text(*r).c_str(), stdout);
  return 0;
}

std::string user_list_text(const std::vector<station::AccountInfo>& accounts) {
  const auto line = [](const char* name, const char* role, const char* state, const char* last, const std::string& failed) {
    char buf[512];
    std::snprintf(buf, sizeof buf, "%-16s  %-10s  %-8s  %-25s  %s\n", name, role, state, last, failed.c_str());
    return std::string(buf);
  };
  std::string out = line("ユーザー名", "役割", "状態", "最終ログイン", "連続失敗");
  for (const auto& a : accounts) {
    std::string state = a.disabled ? "無効" : !a.locked_until.empty() ? "ロック中" : "有効";
    if (a.must_change_password) state += "・要変更";
    out += line(a.user.username.c_str(), std::string(station::role_name(a.user.role)).c_str(), state.c_str(),
                a.last_login_at.empty() ? "-" : a.last_login_at.c_str(), std::to_string(a.failed_attempts));
  }
  out += fmt("{} 人\n", accounts.size());
  return out;
}

int cmd_user_list(const Globals& g, const std::string& as) {
  if (auto reply = via_service(g, "user-list", as, nlohmann::json::object())) return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto r = st->accounts(actor);
  if (!r) return report(g, Failure{r.error(), {}});
  std::fputs(user_list_text(*r).c_str(), stdout);
  return 0;
}

int cmd_passphrase_change(const Globals& g, const std::string& as) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto old_pass = passphrase(g, false);
  if (!old_pass) return report(g, old_pass.error());
  auto new_pass = secret("STATION_NEW_PASSPHRASE", "新しいパスフレーズ: ", true,
                         "新しいパスフレーズは環境変数 STATION_NEW_PASSPHRASE で指定してください。");
  if (!new_pass) return report(g, new_pass.error());
  if (auto r = st->change_passphrase(actor, *old_pass, *new_pass); !r) return report(g, Failure{r.error(), {}});
  std::printf("パスフレーズを変更しました。古いパスフレーズでは開けなくなりました。\n");
  return 0;
}

// The stale-backup warning (none, or the last good one older than a day).
void print_backup_warning(station::Station& st, const station::User& actor) {
  auto status = st.backup_status(actor);
  if (status) std::fputs(backup_warning_text(*status).c_str(), stderr);
}

int cmd_backup_status(const Globals& g, const std::string& as) {
  if (auto reply = via_service(g, "backup-status", as, nlohmann::json::object())) return print_reply(*reply);
  auto acting = open_as(g, as, /*read_only_if_unsigned=*/true);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto status = st->backup_status(actor);
  if (!status) return report(g, Failure{status.error(), {}});
  std::fputs(backup_status_text(*status).c_str(), stdout);
  std::fputs(backup_warning_text(*status).c_str(), stderr);
  return status->stale ? 1 : 0;
}

int cmd_backup(const Globals& g, const std::string& as, const std::string& dest) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto r = st->backup(actor, dest);
  if (!r) {
    print_backup_warning(*st, actor);
    return report(g, Failure{r.error(), {}});
  }
  std::printf("バックアップを作成し、検証しました: %s\n（%d ファイル、画像等 %d 件、%lld バイト、監査ログ %lld 件）\n",
              r->path.c_str(), r->files, r->blobs, static_cast<long long>(r->bytes),
              static_cast<long long>(r->audit_entries));
  std::printf("署名付きの監査ログの先頭（audit-head.json）: 第 %lld 件まで、公開鍵 %s\n",
              static_cast<long long>(r->head_last_id), r->public_key.c_str());
  std::printf("※ バックアップは暗号化されています。開くには保管庫のパスフレーズが必要です。\n");
  return 0;
}

int cmd_restore(const Globals& g, const std::string& from) {
  auto config = load_config(g);
  if (!config) return report(g, config.error());
  auto pass = passphrase(g, false);
  if (!pass) return report(g, pass.error());
  auto r = station::Station::restore(*config, from, *pass);
  if (!r)
    return report(g, Failure{r.error(), r.error().code == ErrorCode::kNotFound
                                            ? "station backup で作成された station-backup-… フォルダーか、"
                                              "station backup に指定したフォルダーを指定してください。"
                                            : std::string()});
  std::printf("復元して検証しました: %s（バックアップ %s、ページ %d 件、監査ログ %lld 件）\n", r->data_dir.c_str(),
              r->backup_dir.c_str(), r->pages, static_cast<long long>(r->audit_entries));
  std::printf("バックアップの署名付き監査ログの先頭: 第 %lld 件まで（ログと照合済み）、公開鍵 %s\n",
              static_cast<long long>(r->head_last_id), r->public_key.c_str());
  if (!config->audit_public_key.empty() && config->audit_public_key != r->public_key)
    std::printf("警告: この公開鍵は設定の [security] audit_public_key と異なります。\n");
  return 0;
}

int cmd_electronic_load(const Globals& g, const std::string& as, const std::string& csv) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto n = st->load_electronic_applications(actor, csv);
  if (!n) return report(g, Failure{n.error(), {}});
  std::printf("電子申請 %d 件を電子申請用の保管庫に読み込みました（郵送分とは別に保管されます）。\n", *n);
  return 0;
}

// ---- keys: master-key rotation, key file on removable media (issue #5)

int cmd_keys_rotate(const Globals& g, const std::string& as) {
  auto config = load_config(g);
  if (!config) return report(g, config.error());
  // The passphrase is needed even with --key-file: the new master key is wrapped under it too.
  auto pass = passphrase(g, false);
  if (!pass) return report(g, pass.error());
  const station::StoreSecrets secrets{*pass, g.key_file};
  auto acting = open_as(*config, secrets, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  std::printf("マスター鍵を更新しています（データベースと画像等をすべて新しい鍵で暗号化し直します）…\n");
  std::fflush(stdout);
  auto r = st->rotate_master_key(actor, secrets);
  if (!r) {
    std::string hint;
    if (r.error().code == ErrorCode::kInvalidInput)
      hint = "鍵ファイルが登録されています。--key-file で鍵ファイルも指定してください（鍵ファイルも新しい鍵に合わせて更新します）。";
    return report(g, Failure{r.error(), hint.empty() ? key_file_hint(r.error()) : hint});
  }
  std::printf("マスター鍵を更新しました（画像等 %d 件を新しい鍵で暗号化し直しました%s）。\n", r->blobs,
              r->key_file ? "。鍵ファイルも引き続き使えます" : "");
  std::printf("パスフレーズは変わりません。古い鍵で作ったバックアップは作成時のパスフレーズで開けます。"
              "新しい鍵でのバックアップを作成してください（station backup）。\n");
  return 0;
}

int cmd_keys_add_keyfile(const Globals& g, const std::string& as, const std::string& path) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  if (auto r = st->add_key_file(actor, path); !r) {
    std::string hint;
    if (r.error().code == ErrorCode::kConflict)
      hint = "その場所には既にファイルがあるか、鍵ファイルが登録済みです。別の場所を指定するか、先に "
             "station keys remove-keyfile で登録を解除してください。";
    return report(g, Failure{r.error(), hint});
  }
  std::printf("鍵ファイルを作成して登録しました: %s\n", path.c_str());
  std::printf("--key-file %s でパスフレーズの代わりに保管庫を開けます（パスフレーズも引き続き使えます）。\n", path.c_str());
  std::printf("鍵ファイルの入った USB メモリはステーションから抜き、施錠できる場所に保管してください。\n");
  return 0;
}

int cmd_keys_remove_keyfile(const Globals& g, const std::string& as) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  if (auto r = st->remove_key_file(actor); !r) return report(g, Failure{r.error(), {}});
  std::printf("鍵ファイルの登録を解除しました。その鍵ファイルでは保管庫を開けなくなりました。\n");
  return 0;
}

// ---- the review's workflow and correction requests (issue #12)


int cmd_decide(const Globals& g, const std::string& as, const DecideArgs& a) {
  const int chosen = int{a.accept} + int{a.request_correction} + int{a.refer} + int{a.reject} + int{a.resume};
  if (chosen != 1)
    return report(g, failure(ErrorCode::kUsage, "choose one decision",
                             "--accept, --request-correction, --refer, --reject, --resume のどれか1つを指定してください。"));
  if (auto reply = via_service(g, "decide", as, decide_json(a))) return print_reply(*reply);
  const station::Decision d = decision_of(a);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto id = resolve_envelope(*st, actor, a.envelope);
  if (!id) return report(g, id.error());
  auto r = st->decide(actor, *id, d);
  if (!r) return report(g, Failure{r.error(), {}});
  std::fputs(decide_text(*r, a).c_str(), stdout);
  return 0;
}

int cmd_history(const Globals& g, const std::string& as, const std::string& envelope) {
  if (auto reply = via_service(g, "history", as, {{"envelope", envelope}})) return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto id = resolve_envelope(*st, actor, envelope);
  if (!id) return report(g, id.error());
  auto h = st->history(actor, *id);
  if (!h) return report(g, Failure{h.error(), {}});
  std::fputs(history_text(*h).c_str(), stdout);
  return 0;
}

void print_rounds(const std::vector<station::CorrectionRound>& rounds) { std::fputs(rounds_text(rounds).c_str(), stdout); }

int cmd_corrections(const Globals& g, const std::string& as, bool overdue) {
  if (auto reply = via_service(g, "corrections", as, {{"overdue", overdue}})) return print_reply(*reply);
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto list = st->corrections(actor, overdue);
  if (!list) return report(g, Failure{list.error(), {}});
  std::fputs(corrections_text(*list, overdue).c_str(), stdout);
  return 0;
}

int cmd_corrections_show(const Globals& g, const std::string& as, const std::string& envelope) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto id = resolve_envelope(*st, actor, envelope);
  if (!id) return report(g, id.error());
  auto rounds = st->correction_rounds(actor, *id);
  if (!rounds) return report(g, Failure{rounds.error(), {}});
  print_rounds(*rounds);
  for (const auto& r : *rounds) {
    std::printf("第%d回の補正事項:\n", r.round);
    int n = 0;
    for (const auto& d : r.defects) std::printf("  (%d) %s\n", ++n, d.text.c_str());
  }
  auto changes = st->agreed_changes(actor, *id);
  if (!changes) return report(g, Failure{changes.error(), {}});
  if (!changes->empty()) {
    std::printf("申請者が同意した変更:\n項目\t変更前\t変更後\t同意日\t方法\t記録者\n");
    for (const auto& c : *changes)
      std::printf("%s\t%s\t%s\t%s\t%s\t%s\n", c.label_ja.empty() ? c.field_key.c_str() : c.label_ja.c_str(),
                  c.old_value.c_str(), c.new_value.c_str(), c.agreed_on.c_str(), c.how.c_str(), c.recorded_by.c_str());
  }
  return 0;
}

int cmd_corrections_receive(const Globals& g, const std::string& as, const std::string& envelope,
                            const std::string& reply, const std::string& pages, const std::string& received_date) {
  if (reply.empty() == pages.empty())
    return report(g, failure(ErrorCode::kUsage, "give --reply or --pages",
                             "返送書類は --reply（受け付け済みの封筒）か --pages（ページ画像のフォルダー）のどちらかで指定してください。"));
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto id = resolve_envelope(*st, actor, envelope);
  if (!id) return report(g, id.error());
  std::int64_t reply_id = 0;
  if (!pages.empty()) {
    // The returned papers are mail like any other: received (受付) and read as an envelope of
    // their own, then linked to the original's open round.
    auto r = st->import_envelope(actor, {fs::path(pages)}, station::Intake{received_date, 0}, print_progress);
    end_progress_line();
    if (!r) return report(g, Failure{r.error(), {}});
    std::printf("返送書類を受け付けました: 受付番号 %s（%d ページ）\n", r->receipt_no.c_str(), r->pages);
    reply_id = r->envelope_id;
  } else {
    auto rid = resolve_envelope(*st, actor, reply);
    if (!rid) return report(g, rid.error());
    reply_id = *rid;
  }
  auto round = st->receive_correction(actor, *id, reply_id);
  if (!round) return report(g, Failure{round.error(), {}});
  std::printf("第%d回の補正指示への返送として結び付けました。申請は「審査中」に戻りました。\n", round->round);
  return 0;
}

int cmd_corrections_letter(const Globals& g, const std::string& as, const std::string& envelope, int round,
                           const std::string& out) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto id = resolve_envelope(*st, actor, envelope);
  if (!id) return report(g, id.error());
  // The letter names the corporation and its representative: it leaves the station encrypted, as
  // the day's export does, with a one-time password to give the person who prints it.
  auto password = st->write_correction_letter(actor, *id, round, out);
  if (!password) return report(g, Failure{password.error(), {}});
  std::printf("補正指示書（第%d回）を暗号化 ZIP で書き出しました: %s\nZIP のパスワード: %s\n", round, out.c_str(),
              password->c_str());
  return 0;
}

struct AgreeArgs {
  std::string envelope, field, new_value, agreed_on, how;
  int round = 0;
};

int cmd_corrections_agree(const Globals& g, const std::string& as, const AgreeArgs& a) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto id = resolve_envelope(*st, actor, a.envelope);
  if (!id) return report(g, id.error());
  station::AgreedChange c;
  c.envelope_id = *id;
  c.round = a.round;
  c.field_key = a.field;
  c.new_value = a.new_value;
  c.agreed_on = a.agreed_on;
  c.how = a.how;
  auto r = st->record_agreed_change(actor, c);
  if (!r) return report(g, Failure{r.error(), {}});
  std::printf("申請者の同意（%s）を記録し、「%s」を変更しました: %s → %s\n", r->agreed_on.c_str(),
              r->label_ja.empty() ? r->field_key.c_str() : r->label_ja.c_str(), r->old_value.c_str(),
              r->new_value.c_str());
  return 0;
}

int cmd_corrections_agreed(const Globals& g, const std::string& as, const std::string& from, const std::string& to) {
  auto acting = open_as(g, as);
  if (!acting) return report(g, acting.error());
  auto& [st, actor] = *acting;
  auto list = st->agreed_changes_report(actor, from, to);
  if (!list) return report(g, Failure{list.error(), {}});
  std::printf("受付番号\t回\t項目\t変更前\t変更後\t同意日\t方法\t記録者\n");
  for (const auto& c : *list)
    std::printf("%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.receipt_no.c_str(), c.round,
                c.label_ja.empty() ? c.field_key.c_str() : c.label_ja.c_str(), c.old_value.c_str(), c.new_value.c_str(),
                c.agreed_on.c_str(), c.how.c_str(), c.recorded_by.c_str());
  std::printf("申請者が同意した変更 %zu 件\n", list->size());
  return 0;
}

// A subcommand with Japanese help and group names.
CLI::App* add_sub(CLI::App& parent, const std::string& name, const std::string& description) {
  CLI::App* sub = parent.add_subcommand(name, description);
  sub->group("サブコマンド");
  sub->option_defaults()->group("オプション");
  sub->set_help_flag("-h,--help", "この説明を表示します");
  return sub;
}

void japanese_labels(CLI::App& app) {
  auto f = app.get_formatter();
  f->label("Usage", "使い方");
  f->label("OPTIONS", "オプション");
  f->label("SUBCOMMAND", "サブコマンド");
  f->label("SUBCOMMANDS", "サブコマンド");
  f->label("Options", "オプション");
  f->label("Subcommands", "サブコマンド");
  f->label("Positionals", "引数");
  f->label("REQUIRED", "必須");
  f->column_width(36);
}

}  // namespace

int run_cli(int argc, char** argv) {
  Globals g;
  CLI::App app{"郵送申請 受付ステーション（千葉県高齢者福祉施設等物価高騰対策給付金）", "station"};
  japanese_labels(app);
  app.option_defaults()->group("オプション");
  app.set_help_flag("-h,--help", "この説明を表示します");
  app.set_version_flag("--version", std::string("station ") + STATION_VERSION, "版数を表示します");
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--data-dir", g.data_dir, "データ保管庫の場所（既定: $XDG_DATA_HOME/station）")->type_name("DIR");
  app.add_option("--config", g.config_file, "設定ファイル（既定: $XDG_CONFIG_HOME/station/config.toml）")->type_name("FILE");
  app.add_option("--passphrase-file", g.passphrase_file,
                 "保管庫のパスフレーズを書いたファイル（省略時は環境変数 STATION_PASSPHRASE、なければ入力を求めます）")
      ->type_name("FILE");
  app.add_option("--key-file", g.key_file,
                 "保管庫の鍵ファイル（USB メモリ。station keys add-keyfile で作成）。パスフレーズの代わりに使います")
      ->type_name("FILE");
  app.add_flag("-v,--verbose", g.verbose, "エラーの詳細（英語、ログ用）も表示します");

  auto* init = add_sub(app, "init", "新しいデータ保管庫と最初の管理者を作成します");
  std::string admin_user;
  init->add_option("--admin-user", admin_user, "最初の管理者のユーザー名（パスワードは STATION_ADMIN_PASSWORD か入力）")->type_name("NAME");

  auto* user = add_sub(app, "user", "利用者の管理");
  user->require_subcommand(1);
  auto* user_add = add_sub(*user, "add", "利用者を登録します（管理者のみ）");
  std::string as, new_name, role;
  user_add->add_option("NAME", new_name, "登録するユーザー名")->required();
  user_add->add_option("--role", role, "役割: clerk | reviewer | supervisor | admin")->required()->type_name("ROLE");
  user_add->add_option("--as", as, "操作する管理者のユーザー名（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");

  auto* facilities = add_sub(app, "facilities", "対象施設リストの管理");
  facilities->require_subcommand(1);
  auto* fac_load = add_sub(*facilities, "load", "県から届いた対象施設リスト（CP932 の CSV）を読み込みます");
  std::string csv;
  fac_load->add_option("CSV", csv, "対象施設リストの CSV")->required()->check(CLI::ExistingFile);
  fac_load->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");

  auto* import = add_sub(app, "import", "スキャンした封筒を取り込みます（フォルダー1つが封筒1通）");
  std::vector<std::string> import_paths;
  std::string received_date;
  int enclosures = 0;
  import->add_option("PATH", import_paths, "ページ画像のフォルダー、またはファイル")->required();
  import->add_option("--received-date", received_date, "受付日 YYYY-MM-DD（省略時は今日）")->type_name("YYYY-MM-DD");
  import->add_option("--enclosures", enclosures, "同封されていた書類の数")->check(CLI::NonNegativeNumber)->type_name("N");
  import->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");
  bool import_wait = false;
  import->add_flag("--wait", import_wait, "取り込んだ封筒の文字認識が終わるまで待ち、進み具合を表示します");

  // ---- capture (issue 3)
  auto* scan = add_sub(app, "scan", "スキャナーで封筒を読み取ります（1ページごとに保存します）");
  ScanArgs scan_args;
  scan->add_option("--device", scan_args.device, "スキャナー名（station devices で表示される名前。省略時は設定か最初の1台）")->type_name("NAME");
  scan->add_option("--source", scan_args.source, "給紙: adf | adf-duplex | flatbed")->check(CLI::IsMember({"adf", "adf-duplex", "flatbed"}));
  scan->add_option("--mode", scan_args.mode, "読み取り: gray | color | lineart")->check(CLI::IsMember({"gray", "color", "lineart"}));
  scan->add_option("--dpi", scan_args.dpi, "解像度（既定: スキャナーの設定、通常 300）")->check(CLI::Range(50, 1200))->type_name("N");
  scan->add_flag("--separate", scan_args.separate, "区切り用紙（パッチコードT・区切りQR）ごとに別の封筒として受け付けます");
  scan->add_option("--received-date", scan_args.received_date, "受付日 YYYY-MM-DD（省略時は今日）")->type_name("YYYY-MM-DD");
  scan->add_option("--enclosures", scan_args.enclosures, "同封されていた書類の数")->check(CLI::NonNegativeNumber)->type_name("N");
  scan->add_option("--continue", scan_args.continue_envelope,
                   "紙詰まりなどで中断した封筒（受付番号か番号）に続きを読み取ります（ページ番号は続きから）")
      ->type_name("受付番号");
  scan->add_option("--stack-enclosures", scan_args.stack_enclosures,
                   "--separate の各封筒の同封書類数（束の順、カンマ区切り。省略した封筒は用紙の枚数から数えます）")
      ->delimiter(',')->check(CLI::NonNegativeNumber)->type_name("N,N,...");
  scan->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");
  auto* devices = add_sub(app, "devices", "接続されているスキャナーを表示します");
  devices->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");
  auto* intake_log = add_sub(app, "intake-log", "受付簿（その日に受け付けた封筒の一覧）を表示・出力します");
  std::string log_date, log_xlsx;
  intake_log->add_option("--date", log_date, "受付日 YYYY-MM-DD（省略時は今日）")->type_name("YYYY-MM-DD");
  intake_log->add_option("--xlsx", log_xlsx, "Excel ファイルに書き出します")->type_name("OUT");
  intake_log->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");
  auto* separator = add_sub(app, "separator-sheet", "封筒を続けて読み取るときの区切り用紙を作ります");
  std::string separator_out;
  separator->add_option("--out", separator_out, "出力ファイル（.png または .pdf）")->required()->type_name("FILE");

  auto* recognize = add_sub(app, "recognize",
                            "封筒の文字認識を実行します（--json: 保管せずにページを読み取り、結果を JSON で表示します）");
  std::vector<std::string> recognize_targets;
  bool recognize_json = false;
  recognize->add_option("TARGET", recognize_targets,
                        "封筒の番号または受付番号（--json のときはページ画像のフォルダーまたはファイル）")
      ->required();
  recognize->add_flag("--json", recognize_json, "保管庫を使わず、読み取り結果を truth.json と同じ形の JSON で表示します");
  recognize->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->type_name("USER");

  auto* show = add_sub(app, "show", "保管した封筒の読み取り結果を表示します（--json: truth.json と同じ形の JSON）");
  std::string show_envelope;
  bool show_json = false;
  show->add_option("ENVELOPE", show_envelope, "封筒の番号または受付番号")->required();
  show->add_flag("--json", show_json, "読み取り結果を JSON で表示します（確認済みの値は確認者・日時付き）");
  show->add_option("--as", as, "操作する利用者（確認担当・責任者。パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");

  auto* check = add_sub(app, "check", "封筒の申請を審査し、指摘事項を表示します（--json: JSON で表示）");
  std::string check_envelope;
  bool check_json = false;
  check->add_option("ENVELOPE", check_envelope, "封筒の番号または受付番号")->required();
  check->add_flag("--json", check_json, "指摘事項を JSON で表示します");
  check->add_option("--as", as, "操作する利用者（確認担当・責任者。パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");

  auto* confirm = add_sub(app, "confirm", "封筒の値をまとめて確認済みにします（truth.json と同じ形の JSON ファイル）");
  std::string confirm_envelope, confirm_values_file;
  confirm->add_option("ENVELOPE", confirm_envelope, "封筒の番号または受付番号")->required();
  confirm->add_option("--values", confirm_values_file, "値のファイル（JSON）")->required()->type_name("FILE");
  confirm->add_option("--as", as, "操作する利用者（確認担当・責任者。パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");

  auto* envelopes_cmd = add_sub(app, "envelopes", "受け付けた封筒の一覧（状態・文字認識の進み具合）を表示します");
  std::string envelopes_date;
  envelopes_cmd->add_option("--date", envelopes_date, "受付日 YYYY-MM-DD（省略時はすべて）")->type_name("YYYY-MM-DD");
  std::string envelopes_state;
  envelopes_cmd->add_option("--state", envelopes_state, "この状態の封筒だけ（例: under_review, awaiting_correction, accepted, 受理）")->type_name("STATE");
  envelopes_cmd->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");

  auto* recognition = add_sub(app, "recognition", "バックグラウンドの文字認識");
  recognition->require_subcommand(1);
  auto* recognition_status = add_sub(*recognition, "status", "読取中・読取待ちの封筒を表示します");
  recognition_status->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");

  auto* accuracy = add_sub(app, "accuracy", "サンプル（truth.json 付き）を一時的な暗号化ストアに取り込んで読み取り、審査画面に出る値の精度を測定して表示します");
  std::string accuracy_samples;
  int accuracy_workers = 2;
  std::vector<std::string> accuracy_only;
  bool accuracy_mismatches = false;
  accuracy->add_option("SAMPLES", accuracy_samples, "サンプルのフォルダー（例: ../shared/samples）")->required();
  accuracy->add_option("--workers", accuracy_workers, "同時に動かす認識の数")->check(CLI::Range(1, 16));
  accuracy->add_option("--only", accuracy_only, "対象のサンプル名（例: app-001）")->delimiter(',');
  accuracy->add_flag("--mismatches", accuracy_mismatches, "食い違った項目を一覧表示します");
  std::string accuracy_fit;
  accuracy->add_option("--fit-calibration", accuracy_fit,
                       "生の信頼度で測定し、項目の種類ごとの較正表（calibration_table.inc）を書き出します");
  std::string accuracy_fit_pairs;
  accuracy->add_option("--fit-model-pairs", accuracy_fit_pairs,
                       "保管せずに読み取り、二つの認識モデルが1文字違いで読んだ文字の組と正解の数の表（model_pairs_table.inc）を書き出します");

  auto* exp = add_sub(app, "export", "受理した郵送申請（未送付分）を県あての暗号化ファイルに出力します（責任者のみ）");
  std::string out_dir, export_date, cert_file, cert_out;
  exp->add_option("--out", out_dir, "出力先フォルダー")->type_name("DIR");
  exp->add_option("--date", export_date, "出力日（YYYY-MM-DD、既定: 本日）")->type_name("DATE");
  exp->add_option("--as", as, "操作する責任者（パスワードは STATION_USER_PASSWORD か入力）")->type_name("USER");
  auto* exp_recipient = add_sub(*exp, "recipient", "県の暗号化用証明書");
  exp_recipient->require_subcommand(1);
  auto* exp_recipient_set = add_sub(*exp_recipient, "set", "県の暗号化用証明書を設定します（管理者のみ）");
  exp_recipient_set->add_option("CERT", cert_file, "証明書ファイル（PEM または DER）")->required();
  exp_recipient_set->add_option("--as", as, "操作する管理者")->required()->type_name("USER");
  auto* exp_recipient_show = add_sub(*exp_recipient, "show", "設定済みの県の証明書と指紋を表示します");
  exp_recipient_show->add_option("--as", as, "操作する利用者")->required()->type_name("USER");
  auto* exp_station_cert = add_sub(*exp, "station-cert", "このステーションの署名用証明書と指紋を表示します（県での検証用）");
  exp_station_cert->add_option("--out", cert_out, "証明書を PEM で書き出すファイル")->type_name("FILE");
  exp_station_cert->add_option("--as", as, "操作する利用者")->required()->type_name("USER");

  auto* zengin = add_sub(app, "zengin", "全銀コード表（受付一覧表Bの金融機関・支店コード）");
  zengin->require_subcommand(1);
  auto* zengin_load = add_sub(*zengin, "load", "インストール済みの全銀コード表をストアに読み込みます（管理者のみ）");
  std::string zengin_file;
  zengin_load->add_option("FILE", zengin_file, "全銀コード表（既定: /usr/local/share/station/zengin.tsv）");
  zengin_load->add_option("--as", as, "操作する管理者")->required()->type_name("USER");

  auto* serve_cmd = add_sub(app, "serve", "確認画面（ウェブ）を起動します");
  std::string host;
  int port = -1;
  serve_cmd->add_option("--host", host, "待ち受けるアドレス（既定: 設定ファイルの値、127.0.0.1）")->type_name("HOST");
  serve_cmd->add_option("--port", port, "待ち受けるポート（既定: 設定ファイルの値、8080）")->check(CLI::Range(0, 65535))->type_name("PORT");

  auto* audit = add_sub(app, "audit", "監査ログ（改ざん検知付き）");
  audit->require_subcommand(1);
  auto* audit_verify = add_sub(*audit, "verify", "監査ログのハッシュ連鎖と署名を検証します（責任者・管理者）");
  audit_verify->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");
  std::string expect_head;
  audit_verify->add_option("--expect-head", expect_head,
                           "控えの audit-head.json（日次出力・バックアップにあるもの）。ログがその時点から巻き戻され"
                           "たり書き換えられたりしていないかを確かめます")
      ->type_name("FILE");
  auto* audit_signing = add_sub(*audit, "signing-key", "監査ログの署名鍵を包む鍵ファイル（管理者）");
  audit_signing->require_subcommand(1);
  auto* audit_signing_new =
      add_sub(*audit_signing, "new", "署名用の鍵ファイル（32 バイトの乱数）を作成し、署名鍵をそれで包み直します（管理者のみ）");
  std::string signing_key_path;
  audit_signing_new->add_option("FILE", signing_key_path, "作成する鍵ファイル（まだ無い場所）")->required()->type_name("FILE");
  audit_signing_new->add_option("--as", as, "操作する管理者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");
  auto* audit_search = add_sub(*audit, "search", "監査ログを検索します（責任者・管理者）");
  station::AuditQuery audit_query;
  audit_search->add_option("--user", audit_query.username, "利用者")->type_name("USER");
  audit_search->add_option("--from", audit_query.from_date, "この日から")->type_name("YYYY-MM-DD");
  audit_search->add_option("--to", audit_query.to_date, "この日まで")->type_name("YYYY-MM-DD");
  audit_search->add_option("--receipt", audit_query.receipt_no, "受付番号")->type_name("M…");
  audit_search->add_option("--envelope", audit_query.envelope_id, "封筒の番号")->type_name("N");
  audit_search->add_option("--limit", audit_query.limit, "最大件数（新しい順）")->check(CLI::Range(1, 100000));
  audit_search->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");

  auto* user_unlock = add_sub(*user, "unlock", "ロックされた利用者を解除します（管理者のみ）");
  std::string unlock_name;
  user_unlock->add_option("NAME", unlock_name, "解除するユーザー名")->required();
  user_unlock->add_option("--as", as, "操作する管理者")->required()->type_name("USER");
  auto* user_passwd = add_sub(*user, "passwd", "自分のパスワードを変更します（現在のものは STATION_USER_PASSWORD、新しいものは STATION_NEW_PASSWORD か入力）");
  user_passwd->add_option("--as", as, "パスワードを変更する利用者（自分）")->required()->type_name("USER");
  auto* user_reset = add_sub(*user, "reset", "仮パスワードを発行します。次のログインで変更が必要です（管理者のみ）");
  std::string target_name;
  user_reset->add_option("NAME", target_name, "対象のユーザー名")->required();
  user_reset->add_option("--as", as, "操作する管理者")->required()->type_name("USER");
  auto* user_disable = add_sub(*user, "disable", "利用者を無効にします。ログインできなくなります（管理者のみ）");
  user_disable->add_option("NAME", target_name, "対象のユーザー名")->required();
  user_disable->add_option("--as", as, "操作する管理者")->required()->type_name("USER");
  auto* user_enable = add_sub(*user, "enable", "無効にした利用者を有効に戻します（管理者のみ）");
  user_enable->add_option("NAME", target_name, "対象のユーザー名")->required();
  user_enable->add_option("--as", as, "操作する管理者")->required()->type_name("USER");
  auto* user_role = add_sub(*user, "role", "利用者の役割を変更します（管理者のみ）");
  user_role->add_option("NAME", target_name, "対象のユーザー名")->required();
  user_role->add_option("--role", role, "役割: clerk | reviewer | supervisor | admin")->required()->type_name("ROLE");
  user_role->add_option("--as", as, "操作する管理者")->required()->type_name("USER");
  auto* user_list = add_sub(*user, "list", "利用者の一覧（役割、状態、最終ログイン、連続失敗回数）を表示します（管理者のみ）");
  user_list->add_option("--as", as, "操作する管理者")->required()->type_name("USER");

  auto* pass_cmd = add_sub(app, "passphrase", "保管庫のパスフレーズ");
  pass_cmd->require_subcommand(1);
  auto* pass_change = add_sub(*pass_cmd, "change", "パスフレーズを変更します（管理者のみ。新しいものは STATION_NEW_PASSPHRASE か入力）");
  pass_change->add_option("--as", as, "操作する管理者")->required()->type_name("USER");

  auto* keys = add_sub(app, "keys", "保管庫の鍵（マスター鍵の更新、鍵ファイル）");
  keys->require_subcommand(1);
  auto* keys_rotate = add_sub(*keys, "rotate",
                              "マスター鍵を新しくし、すべてのデータを暗号化し直します（管理者のみ。パスフレーズも必要）");
  keys_rotate->add_option("--as", as, "操作する管理者")->required()->type_name("USER");
  auto* keys_add = add_sub(*keys, "add-keyfile", "鍵ファイルを新しく作成して登録します（管理者のみ）");
  std::string keyfile_path;
  keys_add->add_option("PATH", keyfile_path, "作成する鍵ファイル（USB メモリ上の、まだないファイル名）")->required();
  keys_add->add_option("--as", as, "操作する管理者")->required()->type_name("USER");
  auto* keys_remove = add_sub(*keys, "remove-keyfile", "鍵ファイルの登録を解除します（管理者のみ）");
  keys_remove->add_option("--as", as, "操作する管理者")->required()->type_name("USER");

  auto* backup_cmd = add_sub(app, "backup", "保管庫全体の暗号化バックアップを作成し、検証します（責任者・管理者）");
  std::string backup_dest;
  bool backup_status_only = false;
  backup_cmd->add_option("DEST_DIR", backup_dest, "バックアップ先（外部媒体など）");
  backup_cmd->add_option("--as", as, "操作する利用者")->required()->type_name("USER");
  backup_cmd->add_flag("--status", backup_status_only,
                       "作成せず、最後の正常なバックアップの日時を表示します（1日以上前なら警告し、終了コード 1）");

  auto* restore_cmd = add_sub(app, "restore", "バックアップを --data-dir（空の場所）に復元し、検証します");
  std::string restore_from;
  restore_cmd->add_option("BACKUP_DIR", restore_from, "バックアップのフォルダー")->required()->check(CLI::ExistingDirectory);

  auto* sync_cmd = add_sub(app, "sync", "本システム（県の PostgreSQL）との同期（--once: 今すぐ1回）");
  bool sync_once_flag = false;
  sync_cmd->add_flag("--once", sync_once_flag, "未送信の変更を送り、電子申請を取り込みます（1回）");
  sync_cmd->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->type_name("USER");
  auto* sync_schema = add_sub(*sync_cmd, "schema", "本システム側のスキーマ（SQL。psql で適用）と版ごとの更新 SQL を表示します");
  auto* sync_status = add_sub(*sync_cmd, "status", "未送信の変更（件数・いつから）と最後の同期の結果を表示します");
  sync_status->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");
  auto* electronic = add_sub(app, "electronic", "電子申請（本システム受付分。郵送分とは別に保管）");
  electronic->require_subcommand(1);
  auto* electronic_load = add_sub(*electronic, "load", "本システムの電子申請一覧（UTF-8 の CSV）を読み込みます");
  std::string electronic_csv;
  electronic_load->add_option("CSV", electronic_csv, "電子申請一覧の CSV")->required()->check(CLI::ExistingFile);
  electronic_load->add_option("--as", as, "操作する利用者")->required()->type_name("USER");

  auto* demo = add_sub(app, "demo", "デモ用の保管庫を作り直して確認画面を起動します（実データには使わないこと）");
  DemoArgs demo_args;
  demo->add_option("--port", demo_args.port, "待ち受けるポート（既定 8080、0 で空いている番号）")->check(CLI::Range(0, 65535))->type_name("PORT");
  demo->add_option("--data-dir", demo_args.data_dir, "デモ用の保管場所（既定: $XDG_DATA_HOME/station-demo）")->type_name("DIR");
  demo->add_option("--shared", demo_args.shared, "共有フォルダー（様式・サンプル）の場所")->type_name("DIR");
  demo->add_option("--max-envelopes", demo_args.max_envelopes, "取り込むサンプル封筒の最大数（0 で全部）")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  demo->add_flag("--no-serve", demo_args.no_serve, "保管庫を作るだけで画面は起動しません");

  // ---- the review's workflow and correction requests (issue #12)
  auto* decide = add_sub(app, "decide", "審査の結果を記録します（受理・補正指示・県へ照会・不受理・審査再開。確認担当・責任者）");
  DecideArgs decide_args;
  decide->add_option("ENVELOPE", decide_args.envelope, "封筒の番号または受付番号")->required();
  decide->add_flag("--accept", decide_args.accept, "受理します");
  decide->add_flag("--request-correction", decide_args.request_correction, "補正を求めます（--defect で補正事項を1つ以上）");
  decide->add_flag("--refer", decide_args.refer, "県へ照会します（--reason 必須）");
  decide->add_flag("--reject", decide_args.reject, "不受理とします（--reason 必須）");
  decide->add_flag("--resume", decide_args.resume, "県の回答を受けて審査を再開します（--reason 必須）");
  decide->add_option("--reason", decide_args.reason, "理由")->type_name("TEXT");
  decide->add_flag("--override", decide_args.override_findings, "対応が必要な指摘を承知のうえで受理します（責任者のみ。--reason 必須）");
  decide->add_option("--defect", decide_args.defects, "補正事項（平易な文で。何度でも。先頭に MISSING_SEAL: のような記号も可）")->type_name("TEXT");
  decide->add_option("--note", decide_args.note, "補正指示書に添える文")->type_name("TEXT");
  decide->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");

  auto* history = add_sub(app, "history", "封筒の状態の履歴（いつ・誰が・なぜ）を表示します");
  std::string history_envelope;
  history->add_option("ENVELOPE", history_envelope, "封筒の番号または受付番号")->required();
  history->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->required()->type_name("USER");

  auto* corrections = add_sub(app, "corrections", "補正指示（返送待ちの一覧。--overdue で期限超過のみ）");
  bool corrections_overdue = false;
  corrections->add_flag("--overdue", corrections_overdue, "提出期限を過ぎたものだけ表示します");
  corrections->add_option("--as", as, "操作する利用者（パスワードは STATION_USER_PASSWORD か入力）")->type_name("USER");
  auto* corr_show = add_sub(*corrections, "show", "申請の補正指示（各回）と申請者が同意した変更を表示します");
  std::string corr_envelope;
  corr_show->add_option("ENVELOPE", corr_envelope, "封筒の番号または受付番号")->required();
  corr_show->add_option("--as", as, "操作する利用者")->required()->type_name("USER");
  auto* corr_receive = add_sub(*corrections, "receive", "返送された補正書類を元の申請の補正指示に結び付けます（審査中に戻ります）");
  std::string corr_reply, corr_pages, corr_received_date;
  corr_receive->add_option("ENVELOPE", corr_envelope, "元の申請（封筒の番号または受付番号）")->required();
  corr_receive->add_option("--reply", corr_reply, "返送書類として受け付け済みの封筒（番号または受付番号）")->type_name("ENVELOPE");
  corr_receive->add_option("--pages", corr_pages, "返送書類のページ画像のフォルダー（受け付けて取り込みます）")->type_name("DIR");
  corr_receive->add_option("--received-date", corr_received_date, "--pages の受付日 YYYY-MM-DD（省略時は今日）")->type_name("YYYY-MM-DD");
  corr_receive->add_option("--as", as, "操作する利用者")->required()->type_name("USER");
  auto* corr_letter = add_sub(*corrections, "letter", "補正指示書（PDF）を暗号化 ZIP で書き出します（確認担当・責任者）");
  int corr_round = 0;
  std::string corr_out;
  corr_letter->add_option("ENVELOPE", corr_envelope, "封筒の番号または受付番号")->required();
  corr_letter->add_option("--round", corr_round, "何回目の補正指示か")->required()->check(CLI::PositiveNumber)->type_name("N");
  corr_letter->add_option("--out", corr_out, "出力ファイル（暗号化 ZIP、.zip）")->required()->type_name("FILE");
  corr_letter->add_option("--as", as, "操作する利用者")->required()->type_name("USER");
  auto* corr_agree = add_sub(*corrections, "agree", "申請者が同意した変更（特に金額・施設）を記録し、値を変更します");
  AgreeArgs agree_args;
  corr_agree->add_option("ENVELOPE", agree_args.envelope, "封筒の番号または受付番号")->required();
  corr_agree->add_option("--field", agree_args.field, "項目（例: amount, facility.name）")->required()->type_name("KEY");
  corr_agree->add_option("--new", agree_args.new_value, "変更後の値")->required()->type_name("VALUE");
  corr_agree->add_option("--agreed-on", agree_args.agreed_on, "申請者が同意した日 YYYY-MM-DD")->required()->type_name("YYYY-MM-DD");
  corr_agree->add_option("--how", agree_args.how, "同意の方法（例: 補正書類, 電話）")->type_name("TEXT");
  corr_agree->add_option("--round", agree_args.round, "どの回の補正への回答か（省略時は最新）")->type_name("N");
  corr_agree->add_option("--as", as, "操作する利用者")->required()->type_name("USER");
  auto* corr_agreed = add_sub(*corrections, "agreed", "申請者が同意した変更の一覧（県への報告用。同意日で絞り込み）");
  std::string agreed_from, agreed_to;
  corr_agreed->add_option("--from", agreed_from, "この日から（同意日）")->type_name("YYYY-MM-DD");
  corr_agreed->add_option("--to", agreed_to, "この日まで（同意日）")->type_name("YYYY-MM-DD");
  corr_agreed->add_option("--as", as, "操作する利用者")->required()->type_name("USER");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return report(g, failure(ErrorCode::kUsage, e.what(), fmt("（{}）", e.what())));
  }

  // Before any thread exists, so every thread inherits the mask and only the watcher sees them.
  const bool serving = serve_cmd->parsed() || (demo->parsed() && !demo_args.no_serve);
  sigset_t signals{};
  if (serving) signals = block_stop_signals();

  if (init->parsed()) return cmd_init(g, admin_user);
  if (user_add->parsed()) return cmd_user_add(g, as, new_name, role);
  if (fac_load->parsed()) return cmd_facilities_load(g, as, csv);
  if (import->parsed()) return cmd_import(g, as, import_paths, received_date, enclosures, import_wait);
  if (scan->parsed()) return cmd_scan(g, as, scan_args);
  if (devices->parsed()) return cmd_devices(g, as);
  if (intake_log->parsed()) return cmd_intake_log(g, as, log_date, log_xlsx);
  if (separator->parsed()) return cmd_separator_sheet(g, separator_out);
  if (recognize->parsed()) {
    if (recognize_json) return cmd_recognize_json(g, recognize_targets);
    if (recognize_targets.size() != 1 || as.empty())
      return report(g, failure(ErrorCode::kUsage, "recognize takes one envelope and --as",
                               "封筒を1つと --as を指定してください（ファイルを読むだけなら --json）。"));
    return cmd_recognize(g, as, recognize_targets.front());
  }
  if (show->parsed()) return cmd_show(g, as, show_envelope, show_json);
  if (check->parsed()) return cmd_check(g, as, check_envelope, check_json);
  if (confirm->parsed()) return cmd_confirm_values(g, as, confirm_envelope, confirm_values_file);
  if (envelopes_cmd->parsed()) return cmd_envelopes(g, as, envelopes_date, envelopes_state);
  if (recognition_status->parsed()) return cmd_recognition_status(g, as);
  if (accuracy->parsed()) return cmd_accuracy(g, accuracy_samples, accuracy_workers, accuracy_only, accuracy_mismatches, accuracy_fit,
                                              accuracy_fit_pairs);
  if (zengin_load->parsed()) return cmd_zengin_load(g, as, zengin_file);
  if (exp_recipient_set->parsed()) return cmd_export_recipient_set(g, as, cert_file);
  if (exp_recipient_show->parsed()) return cmd_export_certificates(g, as, false, {});
  if (exp_station_cert->parsed()) return cmd_export_certificates(g, as, true, cert_out);
  if (exp->parsed()) {
    if (as.empty())
      return report(g, failure(ErrorCode::kUsage, "export needs --as", "操作する責任者を --as で指定してください。"));
    return cmd_export(g, as, out_dir, export_date);
  }
  if (serve_cmd->parsed()) return cmd_serve(g, host, port, signals);
  if (audit_verify->parsed()) return cmd_audit_verify(g, as, expect_head);
  if (audit_signing_new->parsed()) return cmd_audit_signing_key_new(g, as, signing_key_path);
  if (audit_search->parsed()) return cmd_audit_search(g, as, audit_query);
  if (user_unlock->parsed()) return cmd_user_unlock(g, as, unlock_name);
  if (user_passwd->parsed()) return cmd_user_passwd(g, as);
  if (user_reset->parsed()) return cmd_user_reset(g, as, target_name);
  if (user_disable->parsed()) return cmd_user_enable(g, as, target_name, false);
  if (user_enable->parsed()) return cmd_user_enable(g, as, target_name, true);
  if (user_role->parsed()) return cmd_user_role(g, as, target_name, role);
  if (user_list->parsed()) return cmd_user_list(g, as);
  if (pass_change->parsed()) return cmd_passphrase_change(g, as);
  if (keys_rotate->parsed()) return cmd_keys_rotate(g, as);
  if (keys_add->parsed()) return cmd_keys_add_keyfile(g, as, keyfile_path);
  if (keys_remove->parsed()) return cmd_keys_remove_keyfile(g, as);
  if (backup_cmd->parsed()) {
    if (backup_status_only) return cmd_backup_status(g, as);
    if (backup_dest.empty())
      return report(g, failure(ErrorCode::kUsage, "DEST_DIR is required",
                               "バックアップ先のフォルダーを指定してください（日時の確認だけなら --status）。"));
    return cmd_backup(g, as, backup_dest);
  }
  if (restore_cmd->parsed()) return cmd_restore(g, restore_from);
  if (electronic_load->parsed()) return cmd_electronic_load(g, as, electronic_csv);
  if (demo->parsed()) return cmd_demo(g, demo_args, signals);
  if (sync_schema->parsed()) return cmd_sync_schema();
  if (sync_status->parsed()) return cmd_sync_status(g, as);
  if (sync_cmd->parsed()) {
    if (!sync_once_flag || as.empty())
      return report(g, failure(ErrorCode::kUsage, "sync takes --once and --as, or schema, or status",
                               "station sync --once --as USER、station sync status --as USER、station sync schema のいずれかを指定してください。"));
    return cmd_sync_once(g, as);
  }
  if (decide->parsed()) return cmd_decide(g, as, decide_args);
  if (history->parsed()) return cmd_history(g, as, history_envelope);
  if (corr_show->parsed()) return cmd_corrections_show(g, as, corr_envelope);
  if (corr_receive->parsed())
    return cmd_corrections_receive(g, as, corr_envelope, corr_reply, corr_pages, corr_received_date);
  if (corr_letter->parsed()) return cmd_corrections_letter(g, as, corr_envelope, corr_round, corr_out);
  if (corr_agree->parsed()) return cmd_corrections_agree(g, as, agree_args);
  if (corr_agreed->parsed()) return cmd_corrections_agreed(g, as, agreed_from, agreed_to);
  if (corrections->parsed()) {
    if (as.empty())
      return report(g, failure(ErrorCode::kUsage, "--as is required", "--as で操作する利用者を指定してください。"));
    return cmd_corrections(g, as, corrections_overdue);
  }
  return report(g, failure(ErrorCode::kUsage, "no subcommand"));
}

}  // namespace ui
