// GCC 12 reports -Wmaybe-uninitialized false positives inside libstdc++'s <regex> (std::function
// moves in the NFA builder) when optimising; they are not in this file's code.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "scanner/profiles.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace scanner {
namespace {

using nlohmann::json;

struct PageSize {
  const char* name;
  double width_mm;
  double height_mm;
};
constexpr PageSize kPageSizes[] = {
    {"A3", 297.0, 420.0}, {"A4", 210.0, 297.0}, {"A5", 148.0, 210.0}, {"A6", 105.0, 148.0},
    {"B4", 257.0, 364.0},  // JIS B4
    {"B5", 182.0, 257.0},  // JIS B5
    {"Letter", 215.9, 279.4}, {"Legal", 215.9, 355.6},
};

std::string backend_of(const std::string& device_name) {
  auto colon = device_name.find(':');
  return colon == std::string::npos ? device_name : device_name.substr(0, colon);
}

bool regex_ok(const std::string& pattern, std::string& why) {
  try {
    std::regex re(pattern, std::regex::ECMAScript | std::regex::icase);
    return true;
  } catch (const std::regex_error& e) {
    why = e.what();
    return false;
  }
}

bool regex_search_icase(const std::string& pattern, const std::string& text) {
  try {
    return std::regex_search(text, std::regex(pattern, std::regex::ECMAScript | std::regex::icase));
  } catch (const std::regex_error&) {
    return false;  // validated at load time; a bad pattern simply never matches
  }
}

int rules_matched(const Profile& p, const DeviceInfo& d) {
  int n = 0;
  if (!p.match.backend.empty()) {
    if (backend_of(d.name) != p.match.backend) return -1;
    ++n;
  }
  if (!p.match.vendor_regex.empty()) {
    if (!regex_search_icase(p.match.vendor_regex, d.vendor)) return -1;
    ++n;
  }
  if (!p.match.model_regex.empty()) {
    if (!regex_search_icase(p.match.model_regex, d.model)) return -1;
    ++n;
  }
  return n;
}

// Reads an optional string member; error if present with another type.
Status get_string(const json& obj, const char* key, std::string& out, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (!it->is_string()) return fail(Code::kInvalid, where + ": '" + key + "' must be a string");
  out = it->get<std::string>();
  return {};
}

Status check_keys(const json& obj, const std::set<std::string>& allowed, const std::string& where) {
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (!allowed.contains(it.key())) return fail(Code::kInvalid, where + ": unknown key '" + it.key() + "'");
  return {};
}

Result<Profile> parse(const json& j, const std::string& origin) {
  if (!j.is_object()) return fail(Code::kInvalid, origin + ": a profile must be a JSON object");
  if (auto st = check_keys(j, {"id", "description", "priority", "match", "defaults", "options", "values", "extra"},
                           origin);
      !st)
    return std::unexpected(st.error());
  Profile p;
  p.origin = origin;
  if (auto st = get_string(j, "id", p.id, origin); !st) return std::unexpected(st.error());
  if (p.id.empty()) return fail(Code::kInvalid, origin + ": missing 'id'");
  const std::string where = origin + " (" + p.id + ")";
  if (auto st = get_string(j, "description", p.description, where); !st) return std::unexpected(st.error());
  if (auto it = j.find("priority"); it != j.end()) {
    if (!it->is_number_integer()) return fail(Code::kInvalid, where + ": 'priority' must be an integer");
    p.priority = it->get<int>();
  }

  // match
  auto m = j.find("match");
  if (m == j.end() || !m->is_object()) return fail(Code::kInvalid, where + ": missing 'match' object");
  if (auto st = check_keys(*m, {"backend", "vendor", "model"}, where + " match"); !st)
    return std::unexpected(st.error());
  if (auto st = get_string(*m, "backend", p.match.backend, where); !st) return std::unexpected(st.error());
  if (auto st = get_string(*m, "vendor", p.match.vendor_regex, where); !st) return std::unexpected(st.error());
  if (auto st = get_string(*m, "model", p.match.model_regex, where); !st) return std::unexpected(st.error());
  if (p.match.backend.empty() && p.match.vendor_regex.empty() && p.match.model_regex.empty())
    return fail(Code::kInvalid, where + ": 'match' needs at least one of backend, vendor, model");
  for (const std::string* re : {&p.match.vendor_regex, &p.match.model_regex}) {
    std::string why;
    if (!re->empty() && !regex_ok(*re, why))
      return fail(Code::kInvalid, where + ": bad regular expression '" + *re + "': " + why);
  }

  // defaults
  if (auto d = j.find("defaults"); d != j.end()) {
    if (!d->is_object()) return fail(Code::kInvalid, where + ": 'defaults' must be an object");
    if (auto st = check_keys(*d, {"source", "mode", "dpi", "page", "page_width_mm", "page_height_mm"},
                             where + " defaults");
        !st)
      return std::unexpected(st.error());
    std::string text;
    if (auto st = get_string(*d, "source", text, where); !st) return std::unexpected(st.error());
    if (!text.empty()) {
      auto s = parse_source(text);
      if (!s) return fail(Code::kInvalid, where + ": " + s.error().message);
      p.defaults.source = *s;
    }
    text.clear();
    if (auto st = get_string(*d, "mode", text, where); !st) return std::unexpected(st.error());
    if (!text.empty()) {
      auto md = parse_mode(text);
      if (!md) return fail(Code::kInvalid, where + ": " + md.error().message);
      p.defaults.mode = *md;
    }
    if (auto it = d->find("dpi"); it != d->end()) {
      if (!it->is_number_integer() || it->get<int>() <= 0 || it->get<int>() > 4800)
        return fail(Code::kInvalid, where + ": 'dpi' must be an integer in 1..4800");
      p.defaults.dpi = it->get<int>();
    }
    text.clear();
    if (auto st = get_string(*d, "page", text, where); !st) return std::unexpected(st.error());
    if (!text.empty()) {
      auto size = std::find_if(std::begin(kPageSizes), std::end(kPageSizes),
                               [&](const PageSize& s) { return text == s.name; });
      if (size == std::end(kPageSizes)) return fail(Code::kInvalid, where + ": unknown page size '" + text + "'");
      p.defaults.page_width_mm = size->width_mm;
      p.defaults.page_height_mm = size->height_mm;
    }
    for (auto [key, field] : {std::pair{"page_width_mm", &p.defaults.page_width_mm},
                              std::pair{"page_height_mm", &p.defaults.page_height_mm}}) {
      if (auto it = d->find(key); it != d->end()) {
        if (!it->is_number() || it->get<double>() <= 0 || it->get<double>() > 2000)
          return fail(Code::kInvalid, where + ": '" + key + "' must be a positive number of millimetres");
        *field = it->get<double>();
      }
    }
  }

  // option names
  if (auto o = j.find("options"); o != j.end()) {
    if (!o->is_object()) return fail(Code::kInvalid, where + ": 'options' must be an object");
    const std::map<std::string, std::string OptionNames::*> fields = {
        {"source", &OptionNames::source},         {"mode", &OptionNames::mode},
        {"depth", &OptionNames::depth},           {"resolution", &OptionNames::resolution},
        {"tl-x", &OptionNames::tl_x},             {"tl-y", &OptionNames::tl_y},
        {"br-x", &OptionNames::br_x},             {"br-y", &OptionNames::br_y},
        {"page-width", &OptionNames::page_width}, {"page-height", &OptionNames::page_height},
    };
    for (auto it = o->begin(); it != o->end(); ++it) {
      auto f = fields.find(it.key());
      if (f == fields.end()) return fail(Code::kInvalid, where + ": unknown option role '" + it.key() + "'");
      if (!it->is_string()) return fail(Code::kInvalid, where + ": option name for '" + it.key() + "' must be a string");
      p.options.*(f->second) = it->get<std::string>();
    }
  }
  if (auto v = j.find("values"); v != j.end()) {
    if (!v->is_object()) return fail(Code::kInvalid, where + ": 'values' must be an object");
    const std::map<std::string, std::string OptionNames::*> fields = {
        {"flatbed", &OptionNames::source_flatbed}, {"adf", &OptionNames::source_adf},
        {"adf-duplex", &OptionNames::source_adf_duplex}, {"color", &OptionNames::mode_color},
        {"gray", &OptionNames::mode_gray},        {"lineart", &OptionNames::mode_lineart},
    };
    for (auto it = v->begin(); it != v->end(); ++it) {
      auto f = fields.find(it.key());
      if (f == fields.end()) return fail(Code::kInvalid, where + ": unknown value key '" + it.key() + "'");
      if (!it->is_string()) return fail(Code::kInvalid, where + ": value for '" + it.key() + "' must be a string");
      p.options.*(f->second) = it->get<std::string>();
    }
  }
  if (auto e = j.find("extra"); e != j.end()) {
    if (!e->is_object()) return fail(Code::kInvalid, where + ": 'extra' must be an object");
    for (auto it = e->begin(); it != e->end(); ++it) {
      std::string value;
      if (it->is_string()) value = it->get<std::string>();
      else if (it->is_boolean()) value = it->get<bool>() ? "yes" : "no";
      else if (it->is_number()) value = it->dump();
      else return fail(Code::kInvalid, where + ": extra option '" + it.key() + "' must be a string, number or bool");
      p.extra.emplace_back(it.key(), value);
    }
  }
  return p;
}

}  // namespace

Result<Source> parse_source(std::string_view text) {
  for (Source s : {Source::kFlatbed, Source::kAdf, Source::kAdfDuplex})
    if (text == source_name(s)) return s;
  return fail(Code::kInvalid, "unknown source '" + std::string(text) + "' (flatbed, adf, adf-duplex)");
}

Result<Mode> parse_mode(std::string_view text) {
  for (Mode m : {Mode::kColor, Mode::kGray, Mode::kLineart})
    if (text == mode_name(m)) return m;
  return fail(Code::kInvalid, "unknown mode '" + std::string(text) + "' (color, gray, lineart)");
}

Result<Profile> parse_profile(std::string_view json_text, const std::string& origin) {
  json j = json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false,
                       /*ignore_comments=*/true);
  if (j.is_discarded()) return fail(Code::kInvalid, origin + ": not valid JSON");
  try {
    return parse(j, origin);
  } catch (const json::exception& e) {  // e.g. an integer out of range for get<int>()
    return fail(Code::kInvalid, origin + ": " + e.what());
  }
}

Result<std::vector<Profile>> load_profiles(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return fail(Code::kInvalid, "profile directory " + dir.string() + " does not exist");
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return fail(Code::kInvalid, "cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<Profile> out;
  std::set<std::string> ids;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return fail(Code::kInvalid, "cannot read " + f.string());
    std::ostringstream text;
    text << in.rdbuf();
    auto p = parse_profile(text.str(), f.string());
    if (!p) return std::unexpected(p.error());
    if (!ids.insert(p->id).second) return fail(Code::kInvalid, f.string() + ": duplicate profile id '" + p->id + "'");
    out.push_back(std::move(*p));
  }
  return out;
}

bool matches(const Profile& profile, const DeviceInfo& device) { return rules_matched(profile, device) >= 0; }

const Profile* match_profile(const std::vector<Profile>& profiles, const DeviceInfo& device) {
  const Profile* best = nullptr;
  int best_rules = -1;
  for (const auto& p : profiles) {
    int n = rules_matched(p, device);
    if (n < 0) continue;
    if (!best || n > best_rules || (n == best_rules && p.priority > best->priority)) {
      best = &p;
      best_rules = n;
    }
  }
  return best;
}

Status apply_profile(Scanner& scanner, const Profile& profile, const Settings& settings) {
  scanner.set_option_names(profile.options);
  if (auto st = scanner.configure(settings); !st) return st;
  for (const auto& [name, value] : profile.extra) {
    if (auto st = scanner.set_option(name, value); !st)
      return fail(st.error().code, "profile " + profile.id + ": " + st.error().message);
  }
  return {};
}

}  // namespace scanner
