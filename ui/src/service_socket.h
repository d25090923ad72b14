#pragma once
// The running service's local socket (issue #16, "one service holds the key"): `station serve`
// listens on <data_dir>/station.sock (mode 0600 inside the 0700 data folder) and answers CLI
// commands for clerks and reviewers, who then need their own account but never the store's
// passphrase. Peer credentials (SO_PEERCRED) admit only the service's own uid (or root); the
// command then logs in the --as user against the service (same lockout and audit as the web).
//
// The protocol: one JSON object per connection, one line each way:
//   request  {"command": "envelopes", "as": USER, "password": ..., ...arguments}
//   response {"exit": N, "out": TEXT, "err": TEXT}
// Commands: import, scan, envelopes, show, recognition-status, check, confirm-values, decide,
// history, corrections, export, backup-status, audit-verify, passwd, user-add/reset/list/
// disable/enable/role (cli.cpp, serve_cli_request); the other commands still open the store.
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "station/error.h"

namespace ui {

struct ServiceReply {
  int exit = 0;
  std::string out;  // for stdout
  std::string err;  // for stderr
};

class ServiceSocket {
 public:
  using Handler = std::function<ServiceReply(const nlohmann::json& request)>;
  // Listens at `path` (a stale socket file there is replaced) on a thread of its own; kIo.
  static station::Result<std::unique_ptr<ServiceSocket>> listen(const std::filesystem::path& path, Handler handler);
  ~ServiceSocket();  // stops the thread and removes the socket file
  ServiceSocket(const ServiceSocket&) = delete;
  ServiceSocket& operator=(const ServiceSocket&) = delete;

 private:
  ServiceSocket(std::filesystem::path path, int fd, Handler handler);
  void run();
  void serve_one(int client);
  std::filesystem::path path_;
  int fd_ = -1;
  Handler handler_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The socket's place for a store.
std::filesystem::path service_socket_path(const std::filesystem::path& data_dir);
// Sends one request to the service at `path`. nullopt when no service listens there (no file, or
// nobody accepting): the caller then opens the store itself.
std::optional<ServiceReply> call_service(const std::filesystem::path& path, const nlohmann::json& request);

}  // namespace ui
