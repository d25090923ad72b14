#include "terminal.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

namespace ui::term {
namespace {

// A file descriptor for /dev/tty, closed on scope exit.
class Tty {
 public:
  Tty() : fd_(::open("/dev/tty", O_RDWR | O_CLOEXEC)) {}
  ~Tty() {
    if (fd_ >= 0) ::close(fd_);
  }
  Tty(const Tty&) = delete;
  Tty& operator=(const Tty&) = delete;
  int fd() const { return fd_; }

  void write_text(std::string_view text) const {
    while (!text.empty()) {
      const ssize_t n = ::write(fd_, text.data(), text.size());
      if (n <= 0) return;
      text.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  std::optional<std::string> read_line() const {
    std::string line;
    char c = 0;
    while (true) {
      const ssize_t n = ::read(fd_, &c, 1);
      if (n < 0) return std::nullopt;
      if (n == 0) return line.empty() ? std::nullopt : std::optional(line);
      if (c == '\n') return line;
      if (c != '\r') line += c;
    }
  }

 private:
  int fd_;
};

station::Result<std::string> prompt(std::string_view prompt_ja, bool echo) {
  Tty tty;
  if (tty.fd() < 0 || !::isatty(tty.fd()))
    return station::fail(station::ErrorCode::kUsage, "no terminal to prompt on");
  termios saved{};
  const bool have_attrs = ::tcgetattr(tty.fd(), &saved) == 0;
  if (!echo && have_attrs) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(tty.fd(), TCSAFLUSH, &quiet);
  }
  tty.write_text(prompt_ja);
  auto line = tty.read_line();
  if (!echo && have_attrs) ::tcsetattr(tty.fd(), TCSAFLUSH, &saved);
  if (!line) return station::fail(station::ErrorCode::kUsage, "no input on the terminal");
  return *line;
}

}  // namespace

station::Result<std::string> prompt_secret(std::string_view prompt_ja) { return prompt(prompt_ja, false); }
station::Result<std::string> prompt_line(std::string_view prompt_ja) { return prompt(prompt_ja, true); }

station::Result<std::string> read_secret_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return station::fail(station::ErrorCode::kIo, "cannot read the passphrase file");
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return station::fail(station::ErrorCode::kUsage, "the passphrase file is empty");
  return line;
}

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

void wipe_env(const char* name) {
  if (char* v = std::getenv(name)) explicit_bzero(v, std::strlen(v));
  ::unsetenv(name);
}

}  // namespace ui::term
