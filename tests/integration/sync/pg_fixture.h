#pragma once
// The sync tests' real parts: a PostgreSQL server of Debian's `postgresql` package, initdb'ed into
// a temporary folder and listening on a loopback port with SCRAM password authentication, and a
// fault-injecting TCP proxy of the tests' own (drops, delays, connections cut in the middle).
#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sync_test {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& prefix = "station-sync-") {
    path = fs::temp_directory_path() / (prefix + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// A port nothing listens on now (bound and released).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Debian's PostgreSQL binaries (/usr/lib/postgresql/<major>/bin), the newest.
inline fs::path pg_bin_dir() {
  fs::path best;
  std::error_code ec;
  for (const auto& d : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = d.path() / "bin";
    if (fs::exists(bin / "initdb") && fs::exists(bin / "postgres") && (best.empty() || bin > best)) best = bin;
  }
  if (best.empty()) throw std::runtime_error("PostgreSQL is not installed (Debian package postgresql)");
  return best;
}

// Runs argv (as the postgres user when we are root: initdb and postgres refuse root); returns the
// child's pid. Output goes to `log`.
inline pid_t spawn(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> full;
  if (::geteuid() == 0) full = {"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"};
  full.insert(full.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

inline int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline void give_to_postgres(const fs::path& p) {
  if (::geteuid() != 0) return;
  const passwd* pw = ::getpwnam("postgres");
  if (!pw) return;
  ::chown(p.c_str(), pw->pw_uid, pw->pw_gid);
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(p, ec)) ::chown(e.path().c_str(), pw->pw_uid, pw->pw_gid);
}

// A PostgreSQL cluster of its own: superuser `postgres` (trust over its Unix socket only), TCP on
// 127.0.0.1 with scram-sha-256 for every role.
class PgServer {
 public:
  // tls: a test CA signs the server's certificate (localhost, 127.0.0.1) and a client certificate
  // for the role `st_cert`; TCP connections must use TLS (hostssl), with SCRAM, or the client
  // certificate for st_cert.
  explicit PgServer(bool tls = false) : dir_("station-pg-") {
    bin_ = pg_bin_dir();
    data_ = dir_.path / "data";
    sock_ = dir_.path / "sock";
    fs::create_directories(sock_);
    give_to_postgres(dir_.path);
    const fs::path pw = dir_.path / "pw";
    std::ofstream(pw) << "superuser-secret\n";
    give_to_postgres(pw);
    const int rc = wait_exit(spawn({(bin_ / "initdb").string(), "-D", data_.string(), "-U", "postgres",
                                    "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pw.string(),
                                    "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"},
                                   dir_.path / "initdb.log"));
    if (rc != 0) throw std::runtime_error("initdb failed: " + read(dir_.path / "initdb.log"));
    if (tls) make_tls();
    port_ = free_port();
    start();
  }
  ~PgServer() { stop(); }

  int port() const { return port_; }
  const fs::path& dir() const { return dir_.path; }

  void start() {
    pid_ = spawn({(bin_ / "postgres").string(), "-D", data_.string(), "-p", std::to_string(port_), "-c",
                  "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + sock_.string(), "-c",
                  "password_encryption=scram-sha-256", "-c", "max_connections=50"},
                 dir_.path / "server.log");
    for (int i = 0; i < 300; ++i) {
      if (PGconn* c = PQconnectdb(admin_conninfo().c_str()); c) {
        const bool ok = PQstatus(c) == CONNECTION_OK;
        PQfinish(c);
        if (ok) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("postgres did not start: " + read(dir_.path / "server.log"));
  }
  // Fast shutdown (SIGINT), as an operator's restart does; or immediate shutdown (SIGQUIT), a
  // crash: the next start recovers from the WAL.
  void stop(bool immediate = false) {
    if (pid_ <= 0) return;
    ::kill(pid_, immediate ? SIGQUIT : SIGINT);
    wait_exit(pid_);
    pid_ = 0;
  }
  void restart(bool immediate = false) {
    stop(immediate);
    start();
  }

  std::string admin_conninfo() const {
    return "host=" + sock_.string() + " port=" + std::to_string(port_) + " user=postgres dbname=postgres";
  }
  // A station's connection string over TCP, through `port` (a proxy's, or the server's own).
  std::string url(const std::string& role, const std::string& password, int port = 0) const {
    return "host=127.0.0.1 port=" + std::to_string(port ? port : port_) + " dbname=postgres user=" + role +
           " password=" + password + " sslmode=disable";
  }

  // Runs SQL as the superuser; throws with the server's message on failure.
  void exec(const std::string& sql) const {
    PGconn* c = PQconnectdb(admin_conninfo().c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      std::string m = PQerrorMessage(c);
      PQfinish(c);
      throw std::runtime_error("admin connection: " + m);
    }
    PGresult* r = PQexec(c, sql.c_str());
    const auto st = PQresultStatus(r);
    std::string m = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw std::runtime_error("SQL failed: " + m);
  }
  // The rows of a query as tab-separated lines.
  std::vector<std::string> query(const std::string& sql) const {
    PGconn* c = PQconnectdb(admin_conninfo().c_str());
    PGresult* r = PQexec(c, sql.c_str());
    std::vector<std::string> out;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::string m = PQresultErrorMessage(r);
      PQclear(r);
      PQfinish(c);
      throw std::runtime_error("query failed: " + m);
    }
    for (int i = 0; i < PQntuples(r); ++i) {
      std::string line;
      for (int j = 0; j < PQnfields(r); ++j) {
        if (j) line += '\t';
        line += PQgetisnull(r, i, j) ? "\\N" : PQgetvalue(r, i, j);
      }
      out.push_back(line);
    }
    PQclear(r);
    PQfinish(c);
    return out;
  }
  long long count(const std::string& sql) const {
    auto rows = query(sql);
    return rows.empty() ? -1 : std::atoll(rows[0].c_str());
  }

  fs::path ca_file() const { return dir_.path / "tls" / "ca.pem"; }
  fs::path client_cert() const { return dir_.path / "tls" / "client.pem"; }
  fs::path client_key() const { return dir_.path / "tls" / "client.key"; }
  // Another CA's certificate (trusting it must fail).
  fs::path other_ca_file() const { return dir_.path / "tls" / "other-ca.pem"; }

  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

 private:
  static void openssl(const std::string& args) {
    const std::string cmd = "openssl " + args + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl failed: " + cmd);
  }
  void make_tls() {
    const fs::path t = dir_.path / "tls";
    fs::create_directories(t);
    const std::string d = t.string() + "/";
    openssl("req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=station-test-ca -keyout " + d + "ca.key -out " + d + "ca.pem");
    openssl("req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca -keyout " + d + "other-ca.key -out " + d + "other-ca.pem");
    std::ofstream(t / "san.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    openssl("req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout " + d + "server.key -out " + d + "server.csr");
    openssl("x509 -req -in " + d + "server.csr -CA " + d + "ca.pem -CAkey " + d + "ca.key -CAcreateserial -days 2 -extfile " +
            d + "san.ext -out " + d + "server.pem");
    openssl("req -newkey rsa:2048 -nodes -subj /CN=st_cert -keyout " + d + "client.key -out " + d + "client.csr");
    openssl("x509 -req -in " + d + "client.csr -CA " + d + "ca.pem -CAkey " + d + "ca.key -CAcreateserial -days 2 -out " +
            d + "client.pem");
    fs::copy_file(t / "server.pem", data_ / "server.crt");
    fs::copy_file(t / "server.key", data_ / "server.key");
    fs::copy_file(t / "ca.pem", data_ / "root.crt");
    fs::permissions(data_ / "server.key", fs::perms::owner_read | fs::perms::owner_write);
    fs::permissions(t / "client.key", fs::perms::owner_read | fs::perms::owner_write);
    give_to_postgres(data_);
    std::ofstream(data_ / "postgresql.conf", std::ios::app)
        << "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nssl_ca_file = 'root.crt'\n";
    std::ofstream(data_ / "pg_hba.conf", std::ios::trunc)
        << "local all all trust\n"
           "hostssl all st_cert 127.0.0.1/32 cert\n"
           "hostssl all all 127.0.0.1/32 scram-sha-256\n"
           "hostnossl all all 127.0.0.1/32 reject\n";
    give_to_postgres(data_);
  }

  TempDir dir_;
  fs::path bin_, data_, sock_;
  int port_ = 0;
  pid_t pid_ = 0;
};

// A TCP proxy on a loopback port in front of `target_port`, injecting faults at random while
// enabled: a connection refused (closed at once), a chunk delayed, a connection cut after some
// bytes (mid-statement or mid-transaction). Counts what it did.
class FaultProxy {
 public:
  struct Faults {
    double refuse = 0.0;     // per new connection
    double cut = 0.0;        // per forwarded chunk: close both sides
    double delay = 0.0;      // per forwarded chunk: sleep delay_ms first
    int delay_ms = 50;
  };

  explicit FaultProxy(int target_port, unsigned seed = 1) : target_(target_port), rng_(seed) {
    listen_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_, 64) != 0)
      throw std::runtime_error("proxy: cannot listen");
    socklen_t len = sizeof a;
    ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~FaultProxy() {
    stop_ = true;
    ::shutdown(listen_, SHUT_RDWR);
    ::close(listen_);
    accept_thread_.join();
    std::lock_guard lock(mu_);
    for (auto& t : pipes_) t.join();
  }

  int port() const { return port_; }
  void set(const Faults& f) {
    std::lock_guard lock(mu_);
    faults_ = f;
  }
  long long refused() const { return refused_; }
  long long cuts() const { return cuts_; }
  long long delays() const { return delays_; }
  long long connections() const { return connections_; }

 private:
  bool roll(double p) {
    std::lock_guard lock(mu_);
    return std::uniform_real_distribution<double>(0, 1)(rng_) < p;
  }
  Faults faults() {
    std::lock_guard lock(mu_);
    return faults_;
  }

  void accept_loop() {
    while (!stop_) {
      const int client = ::accept(listen_, nullptr, nullptr);
      if (client < 0) {
        if (stop_) return;
        continue;
      }
      ++connections_;
      if (roll(faults().refuse)) {
        ++refused_;
        ::close(client);
        continue;
      }
      const int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(static_cast<uint16_t>(target_));
      if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(server);
        ::close(client);
        continue;
      }
      std::lock_guard lock(mu_);
      pipes_.emplace_back([this, client, server] { pipe(client, server); });
    }
  }

  void pipe(int client, int server) {
    char buf[16384];
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    bool open = true;
    while (open && !stop_) {
      if (::poll(fds, 2, 200) <= 0) continue;
      for (int i = 0; i < 2 && open; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n <= 0) {
          open = false;
          break;
        }
        const Faults f = faults();
        if (roll(f.cut)) {
          ++cuts_;
          // Forward part of the chunk, then cut: the peer sees half a message.
          (void)::write(fds[1 - i].fd, buf, static_cast<size_t>(n / 2));
          open = false;
          break;
        }
        if (roll(f.delay)) {
          ++delays_;
          std::this_thread::sleep_for(std::chrono::milliseconds(f.delay_ms));
        }
        ssize_t off = 0;
        while (off < n) {
          const ssize_t w = ::write(fds[1 - i].fd, buf + off, static_cast<size_t>(n - off));
          if (w <= 0) {
            open = false;
            break;
          }
          off += w;
        }
      }
    }
    ::close(client);
    ::close(server);
  }

  int target_;
  int listen_ = -1;
  int port_ = 0;
  std::mt19937 rng_;
  std::mutex mu_;
  Faults faults_;
  std::atomic<bool> stop_{false};
  std::atomic<long long> refused_{0}, cuts_{0}, delays_{0}, connections_{0};
  std::thread accept_thread_;
  std::vector<std::thread> pipes_;
};

// A TCP server that answers every connection with garbage and closes it (not PostgreSQL).
class GarbageServer {
 public:
  GarbageServer() {
    listen_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listen_, 8);
    socklen_t len = sizeof a;
    ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        const int c = ::accept(listen_, nullptr, nullptr);
        if (c < 0) return;
        const char junk[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n<html>not a database</html>";
        (void)::write(c, junk, sizeof junk - 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        ::close(c);
      }
    });
  }
  ~GarbageServer() {
    stop_ = true;
    ::shutdown(listen_, SHUT_RDWR);
    ::close(listen_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  int listen_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sync_test
