#pragma once
// The reviewer-facing web UI, served by the station itself on a loopback address. Japanese
// throughout. Sessions are cookie-based; every request is checked against the logged-in user's
// role by station::Station itself.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "station/station.h"

namespace ui {

struct WebOptions {
  std::string host = "127.0.0.1";
  int port = 8080;              // 0: pick a free port
  int idle_minutes = 15;        // a session idle this long must log in again
};

class WebServer {
 public:
  WebServer(station::Station& station, WebOptions options);
  ~WebServer();
  // Binds the socket; returns the port actually bound, or an error if the address is in use.
  station::Result<int> bind();
  // Serves until stop() is called (blocking).
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ui
