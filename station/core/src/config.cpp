// Configuration: defaults < TOML file < command line. XDG base directories.
#include "station/config.h"

#include <cstdlib>
#include <sstream>
#include <thread>
#include <algorithm>
#include <toml++/toml.h>

#include "station/double_entry.h"

namespace station {
namespace {

std::filesystem::path xdg(const char* var, const char* fallback_under_home) {
  if (const char* v = std::getenv(var); v != nullptr && *v == '/') return v;
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr && *home != '\0' ? home : "/tmp") / fallback_under_home;
}

template <class T>
Status read_into(const toml::table& t, std::string_view section, std::string_view key, T& out) {
  const toml::node* n = t.at_path(std::string(section) + "." + std::string(key)).node();
  if (n == nullptr) return {};
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::filesystem::path>) {
    if (auto v = n->value<std::string>()) {
      out = *v;
      return {};
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    if (auto v = n->value<bool>()) {
      out = *v;
      return {};
    }
  } else if constexpr (std::is_floating_point_v<T>) {
    if (auto v = n->value<double>()) {
      out = static_cast<T>(*v);
      return {};
    }
  } else {
    if (auto v = n->value<std::int64_t>()) {
      out = static_cast<T>(*v);
      return {};
    }
  }
  std::ostringstream os;
  os << "config key " << section << "." << key << " (line " << n->source().begin.line << ") has the wrong type";
  return fail(ErrorCode::kConfig, os.str());
}

// An array of path strings (a single string is taken as a one-element array).
Status read_paths(const toml::table& t, std::string_view section, std::string_view key,
                  std::vector<std::filesystem::path>& out) {
  const toml::node* n = t.at_path(std::string(section) + "." + std::string(key)).node();
  if (n == nullptr) return {};
  out.clear();
  if (auto v = n->value<std::string>()) {
    out.emplace_back(*v);
    return {};
  }
  bool ok = n->is_array();
  if (ok)
    for (const auto& item : *n->as_array()) {
      auto v = item.value<std::string>();
      if (!v) {
        ok = false;
        break;
      }
      out.emplace_back(*v);
    }
  if (ok) return {};
  std::ostringstream os;
  os << "config key " << section << "." << key << " (line " << n->source().begin.line
     << ") must be an array of folder paths";
  return fail(ErrorCode::kConfig, os.str());
}

// [verification] double_entry: an array of field types, each one the templates know.
Status read_double_entry(const toml::table& t, std::vector<std::string>& out) {
  const toml::node* n = t.at_path("verification.double_entry").node();
  if (n == nullptr) return {};
  out.clear();
  std::string known;
  for (const auto& ft : double_entry::field_types()) known += (known.empty() ? "" : ", ") + std::string(ft.name);
  const auto bad = [&](std::string_view what) {
    std::ostringstream os;
    os << "config key verification.double_entry (line " << n->source().begin.line << ") " << what
       << "; the field types are: " << known;
    return fail(ErrorCode::kConfig, os.str());
  };
  if (!n->is_array()) return bad("must be an array of field types, e.g. [\"amount\", \"comb\"]");
  for (const auto& item : *n->as_array()) {
    auto v = item.value<std::string>();
    if (!v) return bad("must be an array of field types (strings)");
    if (double_entry::field_type_label_ja(*v).empty()) return bad("names an unknown field type \"" + *v + "\"");
    if (std::find(out.begin(), out.end(), *v) == out.end()) out.push_back(*v);
  }
  return {};
}

}  // namespace

std::filesystem::path default_data_dir() { return xdg("XDG_DATA_HOME", ".local/share") / "station"; }
std::filesystem::path default_config_file() { return xdg("XDG_CONFIG_HOME", ".config") / "station" / "config.toml"; }

Result<Config> load_config(const std::filesystem::path& file, bool required) {
  Config c;
  c.data_dir = default_data_dir();
  std::error_code ec;
  if (file.empty() || !std::filesystem::exists(file, ec)) {
    if (required) return fail(ErrorCode::kConfig, "config file not found: " + file.string());
    return c;
  }
  toml::table t;
  try {
    t = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "config file " << file.string() << " line " << e.source().begin.line << ": " << e.description();
    return fail(ErrorCode::kConfig, os.str());
  }
  Status s;
  auto all = [&](auto&&... steps) {
    ((s.has_value() ? (s = steps(), 0) : 0), ...);
  };
  all([&] { return read_into(t, "store", "data_dir", c.data_dir); },
      [&] { return read_into(t, "server", "host", c.listen_host); },
      [&] { return read_into(t, "server", "port", c.listen_port); },
      [&] { return read_into(t, "ocr", "tessdata_dir", c.tessdata_dir); },
      [&] { return read_into(t, "ocr", "languages", c.ocr_languages); },
      [&] { return read_into(t, "ocr", "templates_dir", c.templates_dir); },
      [&] { return read_into(t, "ocr", "default_dpi", c.default_dpi); },
      [&] { return read_into(t, "ocr", "max_image_pixels", c.max_image_pixels); },
      [&] { return read_into(t, "ocr", "confidence_threshold", c.confidence_threshold); },
      [&] { return read_into(t, "ocr", "workers", c.ocr_workers); },
      [&] { return read_into(t, "ocr", "recognize_on_capture", c.recognize_on_capture); },
      [&] { return read_into(t, "security", "session_idle_minutes", c.session_idle_minutes); },
      [&] { return read_into(t, "security", "lockout_attempts", c.lockout_attempts); },
      [&] { return read_into(t, "security", "lockout_minutes", c.lockout_minutes); },
      [&] { return read_into(t, "security", "password_min_length", c.password_min_length); },
      [&] { return read_into(t, "security", "audit_checkpoint_every", c.audit_checkpoint_every); },
      [&] { return read_into(t, "security", "audit_public_key", c.audit_public_key); },
      [&] { return read_into(t, "security", "audit_signing_key_file", c.audit_signing_key_file); },
      [&] { return read_into(t, "backup", "dir", c.backup_dir); },
      [&] { return read_into(t, "scanner", "profiles_dir", c.profiles_dir); },
      [&] { return read_into(t, "scanner", "device", c.scanner_device); },
      [&] { return read_into(t, "review", "holidays_file", c.holidays_file); },
      [&] { return read_into(t, "review", "correction_business_days", c.correction_business_days); },
      [&] { return read_into(t, "review", "letter_sender", c.letter_sender); },
      [&] { return read_into(t, "sync", "url", c.sync_url); },
      [&] { return read_into(t, "sync", "interval_seconds", c.sync_interval_seconds); },
      [&] { return read_into(t, "sync", "max_interval_seconds", c.sync_max_interval_seconds); },
      [&] { return read_into(t, "sync", "batch", c.sync_batch); },
      [&] { return read_into(t, "sync", "timeout_seconds", c.sync_timeout_seconds); },
      [&] { return read_into(t, "sync", "retention_days", c.sync_retention_days); },
      [&] { return read_into(t, "capture", "max_file_mb", c.max_file_mb); },
      [&] { return read_into(t, "capture", "max_pages", c.max_pages); },
      [&] { return read_paths(t, "capture", "import_roots", c.import_roots); },
      [&] { return read_into(t, "web", "tls_cert", c.tls_cert); },
      [&] { return read_into(t, "web", "tls_key", c.tls_key); },
      [&] { return read_double_entry(t, c.double_entry_types); });
  if (!s) return std::unexpected(s.error());
  if (c.max_file_mb < 1 || c.max_file_mb > 2000) return fail(ErrorCode::kConfig, "capture.max_file_mb must be 1..2000");
  if (c.max_pages < 1 || c.max_pages > 10000) return fail(ErrorCode::kConfig, "capture.max_pages must be 1..10000");
  for (const auto& root : c.import_roots)
    if (!root.is_absolute()) return fail(ErrorCode::kConfig, "capture.import_roots must be absolute paths");
  if (c.tls_cert.empty() != c.tls_key.empty())
    return fail(ErrorCode::kConfig, "web.tls_cert and web.tls_key must be given together");
  if (c.listen_port < 0 || c.listen_port > 65535) return fail(ErrorCode::kConfig, "server.port must be 0..65535");
  if (c.default_dpi < 72 || c.default_dpi > 1200) return fail(ErrorCode::kConfig, "ocr.default_dpi must be 72..1200");
  if (c.confidence_threshold < 0 || c.confidence_threshold > 1)
    return fail(ErrorCode::kConfig, "ocr.confidence_threshold must be 0..1");
  if (c.lockout_attempts < 1 || c.lockout_attempts > 100)
    return fail(ErrorCode::kConfig, "security.lockout_attempts must be 1..100");
  if (c.password_min_length < 8 || c.password_min_length > 64)
    return fail(ErrorCode::kConfig, "security.password_min_length must be 8..64");
  if (c.audit_checkpoint_every < 1 || c.audit_checkpoint_every > 100000)
    return fail(ErrorCode::kConfig, "security.audit_checkpoint_every must be 1..100000");
  if (!c.audit_public_key.empty() &&
      (c.audit_public_key.size() != 64 || !std::all_of(c.audit_public_key.begin(), c.audit_public_key.end(), [](char ch) {
        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
      })))
    return fail(ErrorCode::kConfig, "security.audit_public_key must be 64 lower-case hex digits (audit verify prints it)");
  if (c.correction_business_days < 1 || c.correction_business_days > 60)
    return fail(ErrorCode::kConfig, "review.correction_business_days must be 1..60");
  if (c.sync_interval_seconds < 1 || c.sync_interval_seconds > 86400)
    return fail(ErrorCode::kConfig, "sync.interval_seconds must be 1..86400");
  if (c.sync_max_interval_seconds < c.sync_interval_seconds || c.sync_max_interval_seconds > 86400)
    return fail(ErrorCode::kConfig, "sync.max_interval_seconds must be interval_seconds..86400");
  if (c.sync_timeout_seconds < 1 || c.sync_timeout_seconds > 600)
    return fail(ErrorCode::kConfig, "sync.timeout_seconds must be 1..600");
  if (c.sync_batch < 1 || c.sync_batch > 100000) return fail(ErrorCode::kConfig, "sync.batch must be 1..100000");
  if (c.sync_retention_days < 0 || c.sync_retention_days > 3650)
    return fail(ErrorCode::kConfig, "sync.retention_days must be 0..3650");
  if (c.ocr_workers < 0 || c.ocr_workers > 16)
    return fail(ErrorCode::kConfig, "ocr.workers must be 0..16 (0: one per core)");
  return c;
}

std::string redact_conninfo(std::string_view url) {
  // key=value form: password=... up to the next space; URI form: scheme://user:secret@host.
  std::string out(url);
  for (std::size_t at = out.find("password="); at != std::string::npos; at = out.find("password=", at + 1)) {
    const std::size_t from = at + 9;
    std::size_t to = from;
    if (to < out.size() && out[to] == '\'') {
      to = out.find('\'', to + 1);
      to = to == std::string::npos ? out.size() : to + 1;
    } else {
      while (to < out.size() && out[to] != ' ' && out[to] != '&') ++to;
    }
    out.replace(from, to - from, "***");
  }
  if (auto scheme = out.find("://"); scheme != std::string::npos) {
    const std::size_t host = out.find('@', scheme + 3);
    const std::size_t colon = out.find(':', scheme + 3);
    if (host != std::string::npos && colon != std::string::npos && colon < host)
      out.replace(colon + 1, host - colon - 1, "***");
  }
  return out;
}

int ocr_worker_count(const Config& config) {
  if (config.ocr_workers > 0) return config.ocr_workers;
  const unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(cores, 1u, 16u));
}

namespace {
toml::table capture_table(const Config& c) {
  toml::array roots;
  for (const auto& r : c.import_roots) roots.push_back(r.string());
  return toml::table{{"max_file_mb", c.max_file_mb}, {"max_pages", c.max_pages}, {"import_roots", roots}};
}
}  // namespace

std::string to_toml(const Config& c) {
  toml::array double_entry;
  for (const auto& type : c.double_entry_types) double_entry.push_back(type);
  toml::table t{
      {"store", toml::table{{"data_dir", c.data_dir.string()}}},
      {"server", toml::table{{"host", c.listen_host}, {"port", c.listen_port}}},
      {"ocr", toml::table{{"tessdata_dir", c.tessdata_dir},
                          {"languages", c.ocr_languages},
                          {"templates_dir", c.templates_dir},
                          {"default_dpi", c.default_dpi},
                          {"max_image_pixels", c.max_image_pixels},
                          {"confidence_threshold", c.confidence_threshold},
                          {"workers", c.ocr_workers},
                          {"recognize_on_capture", c.recognize_on_capture}}},
      {"security", toml::table{{"session_idle_minutes", c.session_idle_minutes},
                               {"lockout_attempts", c.lockout_attempts},
                               {"lockout_minutes", c.lockout_minutes},
                               {"password_min_length", c.password_min_length},
                               {"audit_checkpoint_every", c.audit_checkpoint_every},
                               {"audit_public_key", c.audit_public_key},
                               {"audit_signing_key_file", c.audit_signing_key_file}}},
      {"scanner", toml::table{{"profiles_dir", c.profiles_dir}, {"device", c.scanner_device}}},
      {"backup", toml::table{{"dir", c.backup_dir}}},
      {"capture", capture_table(c)},
      {"web", toml::table{{"tls_cert", c.tls_cert}, {"tls_key", c.tls_key}}},
      {"review", toml::table{{"holidays_file", c.holidays_file},
                             {"correction_business_days", c.correction_business_days},
                             {"letter_sender", c.letter_sender}}},
      {"verification", toml::table{{"double_entry", double_entry}}},
      {"sync", toml::table{{"url", redact_conninfo(c.sync_url)},
                           {"interval_seconds", c.sync_interval_seconds},
                           {"max_interval_seconds", c.sync_max_interval_seconds},
                           {"batch", c.sync_batch},
                           {"timeout_seconds", c.sync_timeout_seconds},
                           {"retention_days", c.sync_retention_days}}},
  };
  std::ostringstream os;
  os << t << "\n";
  return os.str();
}

}  // namespace station
