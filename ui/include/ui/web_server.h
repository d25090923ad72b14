#pragma once
// The reviewer-facing web UI, served by the station itself on a loopback address (any other
// address only over TLS). Japanese
// throughout. Sessions are cookie-based; every route is checked against the logged-in user's role
// twice: by the route x role matrix (ui/src/web_routes.h, 403 before the handler) and by
// station::Station itself.
//
// Routes (all but /login and /static/* need a session; HTML routes redirect to /login, /api/*
// and images answer 401):
//   GET  /login, POST /login, POST /logout
//   GET  /                       envelope list (supervisors: POST /export)
//   GET  /envelopes/{id}         review screen;  POST /fields/{id}/confirm (form: value, csrf)
//   GET  /fields/{id}/crop.png, GET /pages/{id}.png?w=N
//   GET  /api/envelopes, GET /api/envelopes/{id}/fields,
//   POST /api/fields/{id}/confirm {"value": "..."} (header X-CSRF-Token: the session's token,
//        found in the pages' <meta name="csrf-token">)
//   capture (clerk, supervisor): GET /capture (start form), POST /capture/start (form: kind=scan|
//        import, device, source, separate, folder, received_date, enclosures, continue, csrf),
//        GET /capture/jobs/{id} (progress, then outcome), GET /api/capture/jobs/{id} (JSON,
//        polled by the page), GET /envelopes/{id}/blank, POST /pages/{id}/blank (form: blank=1|0,
//        envelope, csrf)
// Errors of the JSON API: http_status(code) + {"error": error_name, "message": message_ja}.
// Thread-safe: the server handles requests on a pool of threads; stop() may be called from any
// thread (e.g. a signal-watching one).
#include <filesystem>
#include <memory>
#include <string>

#include "station/station.h"

namespace ui {

struct WebOptions {
  std::string host = "127.0.0.1";
  int port = 8080;              // 0: pick a free port
  int idle_minutes = 15;        // a session idle this long must log in again
  std::filesystem::path export_dir;  // where POST /export writes; empty: <data_dir>/exports
  int threads = 8;              // request-handling threads
  // TLS ([web] tls_cert, tls_key: PEM files). Set: HTTPS only, and the session cookie is Secure.
  // Required whenever `host` is not a loopback address (check_listen).
  std::string tls_cert;
  std::string tls_key;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback(const std::string& host);

// kConfig (with a Japanese reason: what to configure) when `options.host` is not loopback and no
// certificate is configured, or when the certificate or key file cannot be read.
station::Status check_listen(const WebOptions& options);

class WebServer {
 public:
  // `station` must outlive the server.
  WebServer(station::Station& station, WebOptions options);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds the socket; returns the port actually bound, or kAddressInUse if the address is in use
  // (kIo for other socket failures); kConfig when check_listen refuses the options.
  station::Result<int> bind();
  // Serves until stop() is called (blocking). Call bind() first.
  void run();
  // Makes run() return; safe before, during or after run().
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ui
