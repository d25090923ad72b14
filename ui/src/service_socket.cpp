// The running service's local socket (service_socket.h).
#include "service_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace ui {
namespace {

constexpr std::size_t kMaxRequest = 64 * 1024;

bool fill_address(const std::filesystem::path& path, sockaddr_un& addr) {
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  const std::string p = path.string();
  if (p.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  return true;
}

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// One line (without its newline), at most kMaxRequest bytes; nullopt on EOF first or overflow.
std::optional<std::string> read_line(int fd) {
  std::string line;
  char buf[4096];
  while (line.size() <= kMaxRequest) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return line.empty() ? std::nullopt : std::optional<std::string>(line);
    line.append(buf, static_cast<std::size_t>(n));
    if (auto pos = line.find('\n'); pos != std::string::npos) return line.substr(0, pos);
  }
  return std::nullopt;
}

}  // namespace

std::filesystem::path service_socket_path(const std::filesystem::path& data_dir) { return data_dir / "station.sock"; }

station::Result<std::unique_ptr<ServiceSocket>> ServiceSocket::listen(const std::filesystem::path& path,
                                                                     Handler handler) {
  sockaddr_un addr{};
  if (!fill_address(path, addr)) return station::fail(station::ErrorCode::kIo, "socket path too long: " + path.string());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return station::fail(station::ErrorCode::kIo, "cannot create a socket");
  ::unlink(path.c_str());  // a stale socket of a service that died (the store's lock says none runs)
  const mode_t old = ::umask(0177);
  const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (bound != 0 || ::listen(fd, 8) != 0) {
    ::close(fd);
    return station::fail(station::ErrorCode::kIo, "cannot listen on " + path.string());
  }
  return std::unique_ptr<ServiceSocket>(new ServiceSocket(path, fd, std::move(handler)));
}

ServiceSocket::ServiceSocket(std::filesystem::path path, int fd, Handler handler)
    : path_(std::move(path)), fd_(fd), handler_(std::move(handler)) {
  thread_ = std::thread([this] { run(); });
}

ServiceSocket::~ServiceSocket() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
  ::unlink(path_.c_str());
}

void ServiceSocket::run() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    serve_one(client);
    ::close(client);
  }
}

void ServiceSocket::serve_one(int client) {
  // Peer credentials: only the service's own user (or root) may ask it anything.
  ucred cred{};
  socklen_t len = sizeof cred;
  ServiceReply reply;
  if (::getsockopt(client, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
      (cred.uid != ::geteuid() && cred.uid != 0)) {
    reply = {station::exit_code(station::ErrorCode::kForbidden), "", "このステーションのサービスを使う権限がありません。\n"};
  } else {
    timeval tv{5, 0};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto line = read_line(client);
    nlohmann::json request = line ? nlohmann::json::parse(*line, nullptr, false) : nlohmann::json();
    if (!line || request.is_discarded() || !request.is_object()) {
      reply = {station::exit_code(station::ErrorCode::kUsage), "", "要求を読めませんでした。\n"};
    } else {
      request["peer_pid"] = cred.pid;
      request["peer_uid"] = cred.uid;
      reply = handler_(request);
    }
  }
  (void)write_all(client, nlohmann::json{{"exit", reply.exit}, {"out", reply.out}, {"err", reply.err}}.dump() + "\n");
}

std::optional<ServiceReply> call_service(const std::filesystem::path& path, const nlohmann::json& request) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  sockaddr_un addr{};
  if (!fill_address(path, addr)) return std::nullopt;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  std::optional<ServiceReply> out;
  if (write_all(fd, request.dump() + "\n")) {
    if (auto line = read_line(fd)) {
      auto j = nlohmann::json::parse(*line, nullptr, false);
      if (!j.is_discarded() && j.is_object() && j.contains("exit") && j["exit"].is_number_integer())
        out = ServiceReply{j["exit"].get<int>(), j.value("out", ""), j.value("err", "")};
    }
  }
  ::close(fd);
  if (!out) out = ServiceReply{station::exit_code(station::ErrorCode::kInternal), "", "サービスから応答がありませんでした。\n"};
  return out;
}

}  // namespace ui
