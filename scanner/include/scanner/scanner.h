#pragma once
// Scanners. A Scanner is opened from a DeviceInfo, configured with Settings and then scans a
// batch; each page is handed to the sink the moment it is complete, so the caller persists it
// before the next sheet is fed (nothing scanned is lost if the batch stops with an error).
// Not thread-safe: one thread drives one Scanner.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scanner/error.h"

namespace scanner {

struct DeviceInfo {
  std::string name;    // backend:device, as SANE names it
  std::string vendor;
  std::string model;
  std::string type;
};

enum class Source { kFlatbed, kAdf, kAdfDuplex };
enum class Mode { kColor, kGray, kLineart };

struct Settings {
  Source source = Source::kAdf;
  Mode mode = Mode::kGray;
  int dpi = 300;
  double page_width_mm = 210.0;   // A4
  double page_height_mm = 297.0;
};

// One scanned page: 8-bit pixels (lineart is expanded to 0/255 gray), top-down rows.
struct Frame {
  int width = 0;
  int height = 0;
  int channels = 1;  // 1 gray, 3 RGB
  int dpi = 0;
  std::vector<unsigned char> pixels;
};

// Returns false to stop the batch (e.g. persisting failed); the scanner then cancels.
using FrameSink = std::function<bool(Frame&& frame, int index)>;

class Scanner {
 public:
  virtual ~Scanner() = default;
  virtual Status configure(const Settings& settings) = 0;
  // Scans until the feeder is empty (ADF) or one page (flatbed). Returns the number of pages
  // delivered to `sink`. An error after some pages still means those pages were delivered.
  virtual Result<int> scan_batch(const FrameSink& sink) = 0;
  virtual void cancel() = 0;
};

// The SANE implementation. sane_init is called once per process (guarded).
class Sane {
 public:
  static Result<std::vector<DeviceInfo>> list_devices(bool local_only = true);
  static Result<std::unique_ptr<Scanner>> open(const std::string& device_name);
};

}  // namespace scanner

namespace scanner {
// Display names, for logs and profiles ("flatbed", "adf", "adf-duplex"; "color", "gray", "lineart").
const char* source_name(Source source);
const char* mode_name(Mode mode);
}  // namespace scanner
