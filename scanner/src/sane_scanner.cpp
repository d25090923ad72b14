// The SANE implementation of scanner::Scanner.
//
// Batch semantics (documented in scanner.h and repeated here because the station relies on it):
// every page is handed to the sink as soon as its last byte is read, before the next sheet is
// started. If the device reports an error (jam, cover open, I/O) after N pages, scan_batch
// returns that error and the N pages have already gone to the sink. If the sink returns false
// the batch is cancelled and scan_batch returns the number of sink calls made (that page
// included).
#include <sane/sane.h>
#include <sane/saneopts.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scanner/scanner.h"

namespace scanner {
namespace {

// ---- process-wide SANE lifetime -------------------------------------------------------------

struct SaneRuntime {
  std::once_flag once;
  SANE_Status status = SANE_STATUS_GOOD;
  SANE_Int version = 0;
};

SaneRuntime& runtime() {
  static SaneRuntime* rt = new SaneRuntime;  // never destroyed: used from the atexit handler
  return *rt;
}

void sane_exit_at_exit() { sane_exit(); }

SANE_Status ensure_sane() {
  SaneRuntime& rt = runtime();
  std::call_once(rt.once, [&rt] {
    rt.status = sane_init(&rt.version, nullptr);
    if (rt.status == SANE_STATUS_GOOD) std::atexit(sane_exit_at_exit);
  });
  return rt.status;
}

// ---- small helpers ---------------------------------------------------------------------------

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool icontains(std::string_view haystack, std::string_view needle) {
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

bool iequals(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

std::string pages_text(int n) { return std::to_string(n) + (n == 1 ? " page" : " pages"); }

const char* status_text(SANE_Status s) {
  const char* t = sane_strstatus(s);
  return t ? t : "unknown status";
}

Code code_of(SANE_Status s) {
  switch (s) {
    case SANE_STATUS_JAMMED: return Code::kJammed;
    case SANE_STATUS_COVER_OPEN: return Code::kCoverOpen;
    case SANE_STATUS_DEVICE_BUSY: return Code::kBusy;
    case SANE_STATUS_NO_DOCS: return Code::kFeederEmpty;
    case SANE_STATUS_CANCELLED: return Code::kCancelled;
    case SANE_STATUS_IO_ERROR: return Code::kIo;
    default: return Code::kIo;
  }
}

const char* what_of(SANE_Status s) {
  switch (s) {
    case SANE_STATUS_JAMMED: return "paper jam";
    case SANE_STATUS_COVER_OPEN: return "cover open";
    case SANE_STATUS_DEVICE_BUSY: return "device busy";
    case SANE_STATUS_NO_DOCS: return "no paper in the feeder";
    case SANE_STATUS_CANCELLED: return "scan cancelled";
    case SANE_STATUS_IO_ERROR: return "I/O error";
    case SANE_STATUS_NO_MEM: return "out of memory in the scanner driver";
    case SANE_STATUS_ACCESS_DENIED: return "access denied";
    default: return "scanner error";
  }
}

double to_double(const SANE_Option_Descriptor& d, SANE_Word w) {
  return d.type == SANE_TYPE_FIXED ? SANE_UNFIX(w) : static_cast<double>(w);
}

SANE_Word to_word(const SANE_Option_Descriptor& d, double v) {
  if (d.type == SANE_TYPE_FIXED) return SANE_FIX(v);
  return static_cast<SANE_Word>(std::lround(v));
}

// Snaps a numeric value to the option's constraint. Returns nullopt if it lies outside a
// range by more than `tolerance` (in the option's unit).
std::optional<double> snap(const SANE_Option_Descriptor& d, double v, double tolerance) {
  if (d.constraint_type == SANE_CONSTRAINT_RANGE && d.constraint.range) {
    const SANE_Range& r = *d.constraint.range;
    double lo = to_double(d, r.min), hi = to_double(d, r.max), q = to_double(d, r.quant);
    if (v < lo - tolerance || v > hi + tolerance) return std::nullopt;
    v = std::clamp(v, lo, hi);
    if (q > 0) v = std::clamp(lo + std::round((v - lo) / q) * q, lo, hi);
    return v;
  }
  if (d.constraint_type == SANE_CONSTRAINT_WORD_LIST && d.constraint.word_list) {
    const SANE_Word* list = d.constraint.word_list;
    std::optional<double> best;
    for (SANE_Int i = 1; i <= list[0]; ++i) {
      double c = to_double(d, list[i]);
      if (!best || std::fabs(c - v) < std::fabs(*best - v)) best = c;
    }
    return best;
  }
  return v;
}

std::vector<std::string> string_list(const SANE_Option_Descriptor& d) {
  std::vector<std::string> out;
  if (d.constraint_type == SANE_CONSTRAINT_STRING_LIST && d.constraint.string_list) {
    for (const SANE_String_Const* p = d.constraint.string_list; *p; ++p) out.emplace_back(*p);
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ", ";
    out += "'" + s + "'";
  }
  return out;
}

std::optional<double> parse_number(std::string_view s) {
  std::string t(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size() || errno != 0 || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string format_number(double v) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return "?";
  return std::string(buf, p);
}

// Picks the source string for `source` from the backend's list.
std::optional<std::string> pick_source(const std::vector<std::string>& list, Source source) {
  auto is_feeder = [](const std::string& s) {
    return icontains(s, "adf") || icontains(s, "document feeder") || icontains(s, "feeder");
  };
  auto find_first = [&](auto pred) -> std::optional<std::string> {
    for (const auto& s : list)
      if (pred(s)) return s;
    return std::nullopt;
  };
  switch (source) {
    case Source::kFlatbed:
      if (auto s = find_first([](const std::string& x) { return iequals(x, "flatbed"); })) return s;
      return find_first([](const std::string& x) { return icontains(x, "flatbed"); });
    case Source::kAdf:
      // Simplex from the feeder: "ADF", "ADF Front", "Automatic Document Feeder", ...; never
      // the back side only or duplex.
      if (auto s = find_first([&](const std::string& x) {
            return is_feeder(x) && !icontains(x, "duplex") && !icontains(x, "back") &&
                   (iequals(x, "adf") || icontains(x, "front") || iequals(x, "automatic document feeder"));
          }))
        return s;
      return find_first([&](const std::string& x) {
        return is_feeder(x) && !icontains(x, "duplex") && !icontains(x, "back");
      });
    case Source::kAdfDuplex:
      return find_first([](const std::string& x) { return icontains(x, "duplex"); });
  }
  return std::nullopt;
}

std::optional<std::string> pick_mode(const std::vector<std::string>& list, Mode mode) {
  std::vector<std::string_view> wanted;
  switch (mode) {
    case Mode::kColor: wanted = {"Color", "Colour", "24bit Color", "Color24"}; break;
    case Mode::kGray: wanted = {"Gray", "Grayscale", "Grey", "Greyscale", "8bit Gray", "Gray8"}; break;
    case Mode::kLineart: wanted = {"Lineart", "Binary", "Black & White", "Black and White", "Mono"}; break;
  }
  for (auto w : wanted)
    for (const auto& s : list)
      if (iequals(s, w)) return s;
  // Looser: a list entry containing the first name, but not a combined mode such as
  // "Color Lineart" when gray/lineart were asked for.
  for (const auto& s : list) {
    if (!icontains(s, wanted.front())) continue;
    if (mode != Mode::kColor && icontains(s, "color")) continue;
    return s;
  }
  return std::nullopt;
}

bool source_is_feeder(std::string_view s) {
  return icontains(s, "adf") || icontains(s, "feeder") || icontains(s, "duplex");
}

// ---- the scanner -----------------------------------------------------------------------------

struct Option {
  SANE_Int index = 0;
  const SANE_Option_Descriptor* desc = nullptr;
};

class SaneScanner final : public Scanner {
 public:
  SaneScanner(SANE_Handle handle, std::string name) : handle_(handle), name_(std::move(name)) {}
  ~SaneScanner() override {
    if (handle_) {
      sane_cancel(handle_);
      sane_close(handle_);
    }
  }
  SaneScanner(const SaneScanner&) = delete;
  SaneScanner& operator=(const SaneScanner&) = delete;

  Status configure(const Settings& settings) override;
  Result<int> scan_batch(const FrameSink& sink) override;
  void cancel() override {
    cancel_requested_.store(true);
    if (scanning_.load()) sane_cancel(handle_);
  }
  Status set_option(const std::string& name, const std::string& value) override;
  Result<std::string> get_option(const std::string& name) override;
  void set_option_names(const OptionNames& names) override { names_ = names; }
  void set_progress(ProgressCallback progress) override { progress_ = std::move(progress); }

 private:
  std::optional<Option> find(const std::string& name) const;
  std::optional<Option> find_settable(const std::string& name) const;
  Status control_set(const Option& opt, void* value, const std::string& what);
  Result<SANE_Word> get_word(const Option& opt);
  Result<std::string> get_string(const Option& opt);
  Status set_string_option(const std::string& name, const std::string& value);
  Status set_number(const std::string& name, double value, double tolerance, bool required,
                    const std::string& what);

  Status configure_source(Source source);
  Status configure_mode(Mode mode);
  Status configure_resolution(int dpi);
  Status configure_geometry(double width_mm, double height_mm);

  bool current_source_is_feeder();
  int current_dpi();

  // Reads one page (all frames of it) into `frame`. false: the device reported no document
  // before any data (SANE_STATUS_NO_DOCS).
  Result<bool> read_page(int index, Frame& frame);

  Error batch_error(SANE_Status s, const char* where, int pages) const;

  SANE_Handle handle_ = nullptr;
  std::string name_;
  OptionNames names_;
  ProgressCallback progress_;
  std::atomic<bool> cancel_requested_{false};
  std::atomic<bool> scanning_{false};
  int configured_dpi_ = 0;
};

std::optional<Option> SaneScanner::find(const std::string& name) const {
  if (name.empty()) return std::nullopt;
  const SANE_Option_Descriptor* d0 = sane_get_option_descriptor(handle_, 0);
  SANE_Int count = 0;
  if (!d0 || sane_control_option(handle_, 0, SANE_ACTION_GET_VALUE, &count, nullptr) != SANE_STATUS_GOOD)
    return std::nullopt;
  for (SANE_Int i = 1; i < count; ++i) {
    const SANE_Option_Descriptor* d = sane_get_option_descriptor(handle_, i);
    if (d && d->name && name == d->name) return Option{i, d};
  }
  return std::nullopt;
}

std::optional<Option> SaneScanner::find_settable(const std::string& name) const {
  auto opt = find(name);
  if (!opt || !SANE_OPTION_IS_ACTIVE(opt->desc->cap) || !SANE_OPTION_IS_SETTABLE(opt->desc->cap))
    return std::nullopt;
  return opt;
}

Status SaneScanner::control_set(const Option& opt, void* value, const std::string& what) {
  SANE_Int info = 0;
  SANE_Status s = sane_control_option(handle_, opt.index, SANE_ACTION_SET_VALUE, value, &info);
  if (s != SANE_STATUS_GOOD) {
    Code code = s == SANE_STATUS_INVAL ? Code::kUnsupported : code_of(s);
    return fail(code, name_ + ": cannot set option '" + opt.desc->name + "' to " + what + " (" +
                          status_text(s) + ")");
  }
  // Descriptors are re-fetched by name on every use, so SANE_INFO_RELOAD_OPTIONS needs no
  // cached state to be dropped here; constraints read after this call are the new ones.
  return {};
}

Result<SANE_Word> SaneScanner::get_word(const Option& opt) {
  std::vector<SANE_Word> buf(std::max<std::size_t>(1, static_cast<std::size_t>(opt.desc->size) / sizeof(SANE_Word)));
  SANE_Status s = sane_control_option(handle_, opt.index, SANE_ACTION_GET_VALUE, buf.data(), nullptr);
  if (s != SANE_STATUS_GOOD)
    return fail(code_of(s), name_ + ": cannot read option '" + opt.desc->name + "' (" + status_text(s) + ")");
  return buf[0];
}

Result<std::string> SaneScanner::get_string(const Option& opt) {
  std::vector<char> buf(static_cast<std::size_t>(std::max<SANE_Int>(opt.desc->size, 1)) + 1, '\0');
  SANE_Status s = sane_control_option(handle_, opt.index, SANE_ACTION_GET_VALUE, buf.data(), nullptr);
  if (s != SANE_STATUS_GOOD)
    return fail(code_of(s), name_ + ": cannot read option '" + opt.desc->name + "' (" + status_text(s) + ")");
  buf.back() = '\0';
  return std::string(buf.data());
}

Status SaneScanner::set_string_option(const std::string& name, const std::string& value) {
  auto opt = find_settable(name);
  if (!opt) return fail(Code::kUnsupported, name_ + " has no settable option '" + name + "'");
  if (opt->desc->type != SANE_TYPE_STRING)
    return fail(Code::kUnsupported, name_ + ": option '" + name + "' is not a string option");
  std::vector<char> buf(static_cast<std::size_t>(std::max<SANE_Int>(opt->desc->size, 1)), '\0');
  if (value.size() + 1 > buf.size())
    return fail(Code::kInvalid, name_ + ": value for option '" + name + "' is too long");
  std::memcpy(buf.data(), value.c_str(), value.size() + 1);
  return control_set(*opt, buf.data(), "'" + value + "'");
}

Status SaneScanner::set_number(const std::string& name, double value, double tolerance, bool required,
                               const std::string& what) {
  auto opt = find_settable(name);
  if (!opt) {
    if (required) return fail(Code::kUnsupported, name_ + " has no settable option '" + name + "' (" + what + ")");
    return {};
  }
  const SANE_Option_Descriptor& d = *opt->desc;
  if (d.type != SANE_TYPE_INT && d.type != SANE_TYPE_FIXED)
    return fail(Code::kUnsupported, name_ + ": option '" + name + "' is not numeric");
  auto snapped = snap(d, value, tolerance);
  if (!snapped)
    return fail(Code::kUnsupported, name_ + ": " + what + " " + format_number(value) + " is outside the range of option '" +
                                        name + "' (" + format_number(to_double(d, d.constraint.range->min)) + ".." +
                                        format_number(to_double(d, d.constraint.range->max)) + ")");
  std::size_t words = std::max<std::size_t>(1, static_cast<std::size_t>(d.size) / sizeof(SANE_Word));
  std::vector<SANE_Word> buf(words, to_word(d, *snapped));  // arrays (e.g. x/y pairs): all alike
  return control_set(*opt, buf.data(), format_number(*snapped));
}

Status SaneScanner::set_option(const std::string& name, const std::string& value) {
  auto opt = find(name);
  if (!opt) return fail(Code::kUnsupported, name_ + " has no option '" + name + "'");
  const SANE_Option_Descriptor& d = *opt->desc;
  if (!SANE_OPTION_IS_ACTIVE(d.cap))
    return fail(Code::kUnsupported, name_ + ": option '" + name + "' is inactive in the current configuration");
  if (!SANE_OPTION_IS_SETTABLE(d.cap))
    return fail(Code::kUnsupported, name_ + ": option '" + name + "' is read-only");
  switch (d.type) {
    case SANE_TYPE_BOOL: {
      std::string v = lower(value);
      SANE_Word w;
      if (v == "yes" || v == "true" || v == "1" || v == "on") w = SANE_TRUE;
      else if (v == "no" || v == "false" || v == "0" || v == "off") w = SANE_FALSE;
      else return fail(Code::kInvalid, name_ + ": option '" + name + "' wants yes/no, got '" + value + "'");
      return control_set(*opt, &w, v);
    }
    case SANE_TYPE_INT:
    case SANE_TYPE_FIXED: {
      auto n = parse_number(value);
      if (!n) return fail(Code::kInvalid, name_ + ": option '" + name + "' wants a number, got '" + value + "'");
      return set_number(name, *n, 0.0, true, "value");
    }
    case SANE_TYPE_STRING: {
      auto list = string_list(d);
      if (list.empty()) return set_string_option(name, value);
      for (const auto& s : list)
        if (s == value) return set_string_option(name, s);
      for (const auto& s : list)
        if (iequals(s, value)) return set_string_option(name, s);
      return fail(Code::kUnsupported, name_ + ": option '" + name + "' does not offer '" + value + "' (offers " +
                                          join(list) + ")");
    }
    case SANE_TYPE_BUTTON:
      return control_set(*opt, nullptr, "pressed");
    default:
      return fail(Code::kUnsupported, name_ + ": option '" + name + "' has a type that cannot be set");
  }
}

Result<std::string> SaneScanner::get_option(const std::string& name) {
  auto opt = find(name);
  if (!opt) return fail(Code::kUnsupported, name_ + " has no option '" + name + "'");
  const SANE_Option_Descriptor& d = *opt->desc;
  if (!SANE_OPTION_IS_ACTIVE(d.cap))
    return fail(Code::kUnsupported, name_ + ": option '" + name + "' is inactive");
  switch (d.type) {
    case SANE_TYPE_BOOL: {
      auto w = get_word(*opt);
      if (!w) return std::unexpected(w.error());
      return std::string(*w ? "yes" : "no");
    }
    case SANE_TYPE_INT:
    case SANE_TYPE_FIXED: {
      auto w = get_word(*opt);
      if (!w) return std::unexpected(w.error());
      return format_number(to_double(d, *w));
    }
    case SANE_TYPE_STRING: return get_string(*opt);
    default: return fail(Code::kUnsupported, name_ + ": option '" + name + "' has no readable value");
  }
}

Status SaneScanner::configure_source(Source source) {
  auto opt = find_settable(names_.source);
  const std::string& forced = source == Source::kFlatbed ? names_.source_flatbed
                              : source == Source::kAdf   ? names_.source_adf
                                                         : names_.source_adf_duplex;
  if (!opt) {
    // A device with a single source has no source option. Only a flatbed request can be
    // honoured without one: feeding semantics cannot be told apart otherwise.
    if (source == Source::kFlatbed) return {};
    return fail(Code::kUnsupported, name_ + " has no '" + names_.source + "' option, so source '" +
                                        source_name(source) + "' cannot be selected");
  }
  auto list = string_list(*opt->desc);
  std::optional<std::string> choice;
  if (!forced.empty()) {
    for (const auto& s : list)
      if (s == forced) choice = s;
    if (!choice && list.empty()) choice = forced;
  } else {
    choice = pick_source(list, source);
  }
  if (!choice)
    return fail(Code::kUnsupported, name_ + ": option '" + names_.source + "' offers no " + source_name(source) +
                                        " source (offers " + join(list) + ")");
  return set_string_option(names_.source, *choice);
}

Status SaneScanner::configure_mode(Mode mode) {
  auto opt = find_settable(names_.mode);
  if (!opt) return fail(Code::kUnsupported, name_ + " has no settable '" + names_.mode + "' option");
  auto list = string_list(*opt->desc);
  const std::string& forced = mode == Mode::kColor  ? names_.mode_color
                              : mode == Mode::kGray ? names_.mode_gray
                                                    : names_.mode_lineart;
  std::optional<std::string> choice;
  int depth = 8;
  if (!forced.empty()) {
    for (const auto& s : list)
      if (s == forced) choice = s;
    if (!choice && list.empty()) choice = forced;
  } else {
    choice = pick_mode(list, mode);
    if (!choice && mode == Mode::kLineart) {
      // Backends such as `test` express lineart as gray at 1 bit per sample.
      auto depth_opt = find_settable(names_.depth);
      bool has_1bit = false;
      if (depth_opt && depth_opt->desc->constraint_type == SANE_CONSTRAINT_WORD_LIST) {
        const SANE_Word* wl = depth_opt->desc->constraint.word_list;
        for (SANE_Int i = 1; i <= wl[0]; ++i) has_1bit = has_1bit || wl[i] == 1;
      }
      if (has_1bit) {
        choice = pick_mode(list, Mode::kGray);
        depth = 1;
      }
    }
  }
  if (!choice)
    return fail(Code::kUnsupported, name_ + ": option '" + names_.mode + "' offers no " + mode_name(mode) +
                                        " mode (offers " + join(list) + ")");
  if (auto st = set_string_option(names_.mode, *choice); !st) return st;
  // Depth: lineart modes fix it themselves; for gray/color prefer 8 bits (16 is wasted here).
  if (auto depth_opt = find_settable(names_.depth)) {
    if (depth_opt->desc->type == SANE_TYPE_INT) {
      auto snapped = snap(*depth_opt->desc, depth, 0.0);
      if (snapped && static_cast<int>(*snapped) == depth) {
        SANE_Word w = depth;
        if (auto st = control_set(*depth_opt, &w, std::to_string(depth)); !st) return st;
      } else if (depth == 1) {
        return fail(Code::kUnsupported, name_ + ": cannot select 1-bit depth for lineart");
      }
    }
  }
  return {};
}

Status SaneScanner::configure_resolution(int dpi) {
  if (find_settable(names_.resolution)) {
    if (auto st = set_number(names_.resolution, dpi, std::numeric_limits<double>::infinity(), true, "resolution");
        !st)
      return st;
  } else if (find_settable("x-resolution")) {
    if (auto st = set_number("x-resolution", dpi, std::numeric_limits<double>::infinity(), true, "resolution"); !st)
      return st;
    if (auto st = set_number("y-resolution", dpi, std::numeric_limits<double>::infinity(), false, "resolution"); !st)
      return st;
  } else {
    return fail(Code::kUnsupported, name_ + " has no settable '" + names_.resolution + "' option");
  }
  configured_dpi_ = current_dpi();
  return {};
}

Status SaneScanner::configure_geometry(double width_mm, double height_mm) {
  constexpr double kToleranceMm = 3.0;  // e.g. a 215.9 x 296.9 mm glass still takes A4
  auto in_unit = [&](const std::string& name, double mm) {
    auto opt = find(name);
    if (opt && opt->desc->unit == SANE_UNIT_PIXEL) {
      int dpi = configured_dpi_ > 0 ? configured_dpi_ : 300;
      return mm / 25.4 * dpi;
    }
    return mm;
  };
  // Paper size first: on fujitsu/canon_dr it bounds the scan area.
  if (auto st = set_number(names_.page_width, in_unit(names_.page_width, width_mm), kToleranceMm, false, "page width");
      !st)
    return st;
  if (auto st = set_number(names_.page_height, in_unit(names_.page_height, height_mm), kToleranceMm, false,
                           "page height");
      !st)
    return st;
  if (auto st = set_number(names_.tl_x, 0.0, 0.0, false, "left edge"); !st) return st;
  if (auto st = set_number(names_.tl_y, 0.0, 0.0, false, "top edge"); !st) return st;
  if (auto st = set_number(names_.br_x, in_unit(names_.br_x, width_mm), kToleranceMm, false, "page width"); !st)
    return st;
  if (auto st = set_number(names_.br_y, in_unit(names_.br_y, height_mm), kToleranceMm, false, "page height"); !st)
    return st;
  return {};
}

Status SaneScanner::configure(const Settings& settings) {
  if (settings.dpi <= 0 || settings.dpi > 4800)
    return fail(Code::kInvalid, "resolution " + std::to_string(settings.dpi) + " dpi is not sensible");
  if (!(settings.page_width_mm > 0) || !(settings.page_height_mm > 0) || settings.page_width_mm > 2000 ||
      settings.page_height_mm > 10000)
    return fail(Code::kInvalid, "page size " + format_number(settings.page_width_mm) + " x " +
                                    format_number(settings.page_height_mm) + " mm is not sensible");
  if (scanning_.load()) return fail(Code::kInvalid, name_ + ": cannot configure while scanning");
  // Order matters: the source changes which modes/resolutions/areas exist (RELOAD_OPTIONS),
  // and the mode can change the resolution list.
  if (auto st = configure_source(settings.source); !st) return st;
  if (auto st = configure_mode(settings.mode); !st) return st;
  if (auto st = configure_resolution(settings.dpi); !st) return st;
  if (auto st = configure_geometry(settings.page_width_mm, settings.page_height_mm); !st) return st;
  return {};
}

bool SaneScanner::current_source_is_feeder() {
  auto opt = find(names_.source);
  if (!opt || !SANE_OPTION_IS_ACTIVE(opt->desc->cap) || opt->desc->type != SANE_TYPE_STRING) return false;
  auto v = get_string(*opt);
  return v && source_is_feeder(*v);
}

int SaneScanner::current_dpi() {
  for (const std::string& name : {names_.resolution, std::string("x-resolution")}) {
    auto opt = find(name);
    if (!opt || !SANE_OPTION_IS_ACTIVE(opt->desc->cap)) continue;
    if (opt->desc->type != SANE_TYPE_INT && opt->desc->type != SANE_TYPE_FIXED) continue;
    auto w = get_word(*opt);
    if (w) return static_cast<int>(std::lround(to_double(*opt->desc, *w)));
  }
  return 0;
}

Error SaneScanner::batch_error(SANE_Status s, const char* where, int pages) const {
  return Error{code_of(s), std::string(what_of(s)) + " after " + pages_text(pages) + " on " + name_ + " (" + where +
                               ": " + status_text(s) + ")"};
}

// Converts one frame's raw SANE rows to 8-bit samples (`channels` per pixel).
void convert_rows(const std::vector<unsigned char>& raw, const SANE_Parameters& p, int channels, int lines,
                  std::vector<unsigned char>& out) {
  const std::size_t bpl = static_cast<std::size_t>(p.bytes_per_line);
  const std::size_t samples = static_cast<std::size_t>(p.pixels_per_line) * static_cast<std::size_t>(channels);
  out.resize(samples * static_cast<std::size_t>(lines));
  for (int y = 0; y < lines; ++y) {
    const unsigned char* row = raw.data() + static_cast<std::size_t>(y) * bpl;
    unsigned char* dst = out.data() + static_cast<std::size_t>(y) * samples;
    switch (p.depth) {
      case 1:
        // SANE: 1 bit per sample, most significant bit first, 1 = black.
        for (std::size_t i = 0; i < samples; ++i)
          dst[i] = (row[i / 8] & (0x80u >> (i % 8))) ? 0 : 255;
        break;
      case 8:
        std::memcpy(dst, row, samples);
        break;
      case 16:
        // Host byte order; keep the high byte.
        for (std::size_t i = 0; i < samples; ++i) {
          std::uint16_t v;
          std::memcpy(&v, row + 2 * i, 2);
          dst[i] = static_cast<unsigned char>(v >> 8);
        }
        break;
      default: break;
    }
  }
}

Result<bool> SaneScanner::read_page(int index, Frame& frame) {
  constexpr std::size_t kMaxPageBytes = std::size_t{1} << 30;  // 1 GiB: a runaway device, not paper
  frame = Frame{};
  frame.dpi = configured_dpi_ > 0 ? configured_dpi_ : current_dpi();
  std::vector<unsigned char> planes[3];  // three-pass colour: R, G, B
  bool three_pass = false;
  std::vector<unsigned char> raw;
  std::vector<unsigned char> buf(64 * 1024);
  for (int pass = 0;; ++pass) {
    if (cancel_requested_.load()) return fail(Code::kCancelled, "scan cancelled after " + pages_text(index) + " on " + name_);
    SANE_Status s = sane_start(handle_);
    if (s == SANE_STATUS_NO_DOCS && pass == 0) return false;
    if (s != SANE_STATUS_GOOD) return std::unexpected(batch_error(s, "sane_start", index));
    SANE_Parameters p{};
    s = sane_get_parameters(handle_, &p);
    if (s != SANE_STATUS_GOOD) return std::unexpected(batch_error(s, "sane_get_parameters", index));
    int channels = p.format == SANE_FRAME_RGB ? 3 : 1;
    bool single_channel_of_rgb = p.format == SANE_FRAME_RED || p.format == SANE_FRAME_GREEN || p.format == SANE_FRAME_BLUE;
    if (p.format != SANE_FRAME_GRAY && p.format != SANE_FRAME_RGB && !single_channel_of_rgb)
      return fail(Code::kUnsupported, name_ + ": unsupported frame format " + std::to_string(p.format));
    if (p.depth != 1 && p.depth != 8 && p.depth != 16)
      return fail(Code::kUnsupported, name_ + ": unsupported bit depth " + std::to_string(p.depth));
    std::size_t needed = p.depth == 1 ? (static_cast<std::size_t>(p.pixels_per_line) * static_cast<std::size_t>(channels) + 7) / 8
                                      : static_cast<std::size_t>(p.pixels_per_line) * static_cast<std::size_t>(channels) *
                                            static_cast<std::size_t>(p.depth / 8);
    if (p.pixels_per_line <= 0 || p.bytes_per_line <= 0 || static_cast<std::size_t>(p.bytes_per_line) < needed)
      return fail(Code::kIo, name_ + ": inconsistent scan parameters (" + std::to_string(p.pixels_per_line) +
                                 " pixels, " + std::to_string(p.bytes_per_line) + " bytes per line)");
    const long long expected = p.lines > 0 ? static_cast<long long>(p.lines) * p.bytes_per_line : -1;
    raw.clear();
    if (expected > 0 && static_cast<std::size_t>(expected) <= kMaxPageBytes) raw.reserve(static_cast<std::size_t>(expected));

    scanning_.store(true);
    for (;;) {
      if (cancel_requested_.load()) {
        scanning_.store(false);
        return fail(Code::kCancelled, "scan cancelled after " + pages_text(index) + " on " + name_);
      }
      SANE_Int len = 0;
      s = sane_read(handle_, buf.data(), static_cast<SANE_Int>(buf.size()), &len);
      if (s == SANE_STATUS_EOF) break;
      if (s != SANE_STATUS_GOOD) {
        scanning_.store(false);
        // After cancel() the driver may answer anything (CANCELLED, EOF, I/O error).
        if (cancel_requested_.load())
          return fail(Code::kCancelled, "scan cancelled after " + pages_text(index) + " on " + name_);
        if (s == SANE_STATUS_NO_DOCS && raw.empty() && pass == 0) return false;
        if (s == SANE_STATUS_NO_DOCS)
          return fail(Code::kIo, "page " + std::to_string(index + 1) + " ended early on " + name_ + " after " +
                                     pages_text(index) + " (sane_read: " + status_text(s) + ")");
        return std::unexpected(batch_error(s, "sane_read", index));
      }
      if (len < 0 || static_cast<std::size_t>(len) > buf.size()) {
        scanning_.store(false);
        return fail(Code::kIo, name_ + ": driver returned an invalid read length");
      }
      raw.insert(raw.end(), buf.data(), buf.data() + len);
      if (raw.size() > kMaxPageBytes) {
        scanning_.store(false);
        return fail(Code::kIo, name_ + ": page " + std::to_string(index + 1) + " exceeds 1 GiB; stopping");
      }
      if (progress_) progress_(index, static_cast<long long>(raw.size()), expected);
    }
    scanning_.store(false);
    if (cancel_requested_.load())  // a cancelled page may end with a short EOF: not a page
      return fail(Code::kCancelled, "scan cancelled after " + pages_text(index) + " on " + name_);

    int lines = static_cast<int>(raw.size() / static_cast<std::size_t>(p.bytes_per_line));
    if (p.lines > 0) lines = std::min(lines, p.lines);  // short pages (length detection) keep what came
    if (lines <= 0)
      return fail(Code::kIo, "page " + std::to_string(index + 1) + " on " + name_ + " delivered no image data");

    if (!single_channel_of_rgb) {
      frame.width = p.pixels_per_line;
      frame.height = lines;
      frame.channels = channels;
      convert_rows(raw, p, channels, lines, frame.pixels);
      if (three_pass) return fail(Code::kIo, name_ + ": mixed three-pass and single-pass frames");
      if (p.last_frame) return true;
      continue;  // not expected for gray/RGB; read the next frame over it
    }
    three_pass = true;
    int plane = p.format == SANE_FRAME_RED ? 0 : p.format == SANE_FRAME_GREEN ? 1 : 2;
    if (pass > 0 && (frame.width != p.pixels_per_line))
      return fail(Code::kIo, name_ + ": three-pass frames differ in width");
    frame.width = p.pixels_per_line;
    frame.height = pass == 0 ? lines : std::min(frame.height, lines);
    convert_rows(raw, p, 1, lines, planes[plane]);
    if (pass >= 5) return fail(Code::kIo, name_ + ": too many frames for one page");
    if (!p.last_frame) continue;
    const std::size_t n = static_cast<std::size_t>(frame.width) * static_cast<std::size_t>(frame.height);
    for (const auto& pl : planes)
      if (pl.size() < n) return fail(Code::kIo, name_ + ": three-pass scan is missing a colour");
    frame.channels = 3;
    frame.pixels.resize(n * 3);
    for (std::size_t i = 0; i < n; ++i)
      for (int c = 0; c < 3; ++c) frame.pixels[i * 3 + static_cast<std::size_t>(c)] = planes[c][i];
    return true;
  }
}

Result<int> SaneScanner::scan_batch(const FrameSink& sink) {
  if (!sink) return fail(Code::kInvalid, "scan_batch needs a sink");
  cancel_requested_.store(false);
  const bool feeder = current_source_is_feeder();
  if (configured_dpi_ <= 0) configured_dpi_ = current_dpi();
  int delivered = 0;
  Result<int> result = 0;
  for (;;) {
    Frame frame;
    auto page = read_page(delivered, frame);
    if (!page) {
      result = std::unexpected(page.error());
      break;
    }
    if (!*page) {  // no document
      if (feeder && delivered == 0) {
        result = fail(Code::kFeederEmpty, "no paper in the feeder of " + name_);
      } else if (!feeder && delivered == 0) {
        result = fail(Code::kFeederEmpty, "no document on " + name_);
      } else {
        result = delivered;
      }
      break;
    }
    const int index = delivered;
    ++delivered;
    bool go_on = sink(std::move(frame), index);
    result = delivered;
    if (!go_on || !feeder) break;
  }
  sane_cancel(handle_);  // ends the batch (SANE requires it even after the last frame)
  if (cancel_requested_.load() && result) result = fail(Code::kCancelled, "scan cancelled after " + pages_text(delivered) + " on " + name_);
  cancel_requested_.store(false);
  return result;
}

}  // namespace

// ---- Sane ------------------------------------------------------------------------------------

Result<std::vector<DeviceInfo>> Sane::list_devices(bool local_only) {
  SANE_Status s = ensure_sane();
  if (s != SANE_STATUS_GOOD) return fail(Code::kIo, std::string("sane_init failed: ") + status_text(s));
  const SANE_Device** list = nullptr;
  s = sane_get_devices(&list, local_only ? SANE_TRUE : SANE_FALSE);
  if (s != SANE_STATUS_GOOD) return fail(code_of(s), std::string("listing scanners failed: ") + status_text(s));
  std::vector<DeviceInfo> out;
  for (const SANE_Device** d = list; d && *d; ++d) {
    auto str = [](const char* c) { return std::string(c ? c : ""); };
    out.push_back(DeviceInfo{str((*d)->name), str((*d)->vendor), str((*d)->model), str((*d)->type)});
  }
  return out;
}

Result<std::unique_ptr<Scanner>> Sane::open(const std::string& device_name) {
  if (device_name.empty()) return fail(Code::kInvalid, "no scanner name given");
  SANE_Status s = ensure_sane();
  if (s != SANE_STATUS_GOOD) return fail(Code::kIo, std::string("sane_init failed: ") + status_text(s));
  SANE_Handle h = nullptr;
  s = sane_open(device_name.c_str(), &h);
  if (s != SANE_STATUS_GOOD || !h) {
    switch (s) {
      case SANE_STATUS_DEVICE_BUSY:
        return fail(Code::kBusy, "scanner " + device_name + " is in use by another program");
      case SANE_STATUS_IO_ERROR:
        return fail(Code::kIo, "cannot talk to scanner " + device_name + " (" + status_text(s) + ")");
      case SANE_STATUS_ACCESS_DENIED:
        return fail(Code::kIo, "access to scanner " + device_name + " denied (check device permissions)");
      default:
        return fail(Code::kNoDevice, "scanner " + device_name + " not found (" + status_text(s) + ")");
    }
  }
  return std::unique_ptr<Scanner>(std::make_unique<SaneScanner>(h, device_name));
}

std::string Sane::version() {
  if (ensure_sane() != SANE_STATUS_GOOD) return {};
  SANE_Int v = runtime().version;
  return std::to_string(SANE_VERSION_MAJOR(v)) + "." + std::to_string(SANE_VERSION_MINOR(v)) + "." +
         std::to_string(SANE_VERSION_BUILD(v));
}

}  // namespace scanner
