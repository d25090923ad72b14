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

// Progress of the page being read: bytes received so far and bytes expected (-1 when the
// device does not know the page length in advance). Called on the scanning thread.
using ProgressCallback = std::function<void(int page_index, long long bytes_read, long long bytes_expected)>;

// The names a backend gives its standard options, and optionally the exact strings it uses for
// sources and modes. The defaults are the SANE well-known names; device profiles override them
// (see scanner/profiles.h). An empty value string means "pick by matching the backend's list".
struct OptionNames {
  std::string source = "source";
  std::string mode = "mode";
  std::string depth = "depth";
  std::string resolution = "resolution";
  std::string tl_x = "tl-x";
  std::string tl_y = "tl-y";
  std::string br_x = "br-x";
  std::string br_y = "br-y";
  std::string page_width = "page-width";    // fujitsu, canon_dr: paper size for the ADF
  std::string page_height = "page-height";
  std::string source_flatbed;   // e.g. "Flatbed"
  std::string source_adf;       // e.g. "ADF Front"
  std::string source_adf_duplex;  // e.g. "ADF Duplex"
  std::string mode_color;       // e.g. "Color"
  std::string mode_gray;        // e.g. "Gray"
  std::string mode_lineart;     // e.g. "Lineart"
};

class Scanner {
 public:
  virtual ~Scanner() = default;
  virtual Status configure(const Settings& settings) = 0;
  // Scans until the feeder is empty (ADF) or one page (flatbed). Returns the number of pages
  // delivered to `sink`. An error after some pages still means those pages were delivered.
  virtual Result<int> scan_batch(const FrameSink& sink) = 0;
  virtual void cancel() = 0;

  // Additions (non-pure, so other implementations such as test fakes need not override them).
  // Sets a backend-specific option by its SANE name, the value written as text: "yes"/"no" for
  // booleans, numbers for int/fixed options (snapped to the allowed range or list), one of the
  // listed strings for string options (case-insensitive), anything for buttons.
  virtual Status set_option(const std::string& name, const std::string& value) {
    (void)value;
    return fail(Code::kUnsupported, "option '" + name + "' cannot be set on this scanner");
  }
  // Reads an option's current value as text (same format as set_option).
  virtual Result<std::string> get_option(const std::string& name) {
    return fail(Code::kUnsupported, "option '" + name + "' cannot be read on this scanner");
  }
  // Option names used by configure(); call before configure().
  virtual void set_option_names(const OptionNames& names) { (void)names; }
  virtual void set_progress(ProgressCallback progress) { (void)progress; }
};

// The SANE implementation. sane_init is called once per process (guarded).
class Sane {
 public:
  static Result<std::vector<DeviceInfo>> list_devices(bool local_only = true);
  static Result<std::unique_ptr<Scanner>> open(const std::string& device_name);
  // The SANE version reported by sane_init, e.g. "1.2.1" (empty if sane_init failed).
  static std::string version();
};

}  // namespace scanner

namespace scanner {
// Display names, for logs and profiles ("flatbed", "adf", "adf-duplex"; "color", "gray", "lineart").
const char* source_name(Source source);
const char* mode_name(Mode mode);
}  // namespace scanner
