#pragma once
// Device profiles: per-model defaults and option names, kept as data files
// (hardware/profiles/*.json) so a new scanner model needs no rebuild.
//
// A profile file is one JSON object:
//   {
//     "id": "pfu-fi-8170",                  // unique, required
//     "description": "RICOH/PFU fi-8170",   // free text
//     "priority": 10,                       // optional, higher wins among equally specific matches
//     "match": {                            // at least one rule; all given rules must match
//       "backend": "fujitsu",               // the part of the SANE name before the first ':'
//       "vendor": "^(FUJITSU|PFU|RICOH)$",  // ECMAScript regex, case-insensitive, searched
//       "model": "^fi-8170"
//     },
//     "defaults": { "source": "adf-duplex", "mode": "gray", "dpi": 300,
//                   "page": "A4" | "page_width_mm": 210, "page_height_mm": 297 },
//     "options": { "source": "source", ... },             // OptionNames overrides (optional)
//     "values":  { "adf": "ADF Front", "gray": "Gray" },  // exact source/mode strings (optional)
//     "extra":   { "swdeskew": "yes" }                    // backend options set after configure
//   }
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scanner/error.h"
#include "scanner/scanner.h"

namespace scanner {

struct ProfileMatch {
  std::string backend;       // empty: any
  std::string vendor_regex;  // empty: any
  std::string model_regex;   // empty: any
};

struct Profile {
  std::string id;
  std::string description;
  std::string origin;  // the file it was loaded from (for logs)
  int priority = 0;
  ProfileMatch match;
  Settings defaults;
  OptionNames options;
  std::vector<std::pair<std::string, std::string>> extra;  // set_option(name, value), by name
};

// Parses one profile. `origin` names the source in error messages.
Result<Profile> parse_profile(std::string_view json_text, const std::string& origin);

// Loads every *.json in `dir`, in file-name order. A malformed file is an error (kInvalid,
// naming the file); duplicate ids are an error too.
Result<std::vector<Profile>> load_profiles(const std::filesystem::path& dir);

// Whether `profile` matches `device`.
bool matches(const Profile& profile, const DeviceInfo& device);

// The best match: the most rules matched (backend + vendor + model beats backend alone), then
// the higher priority, then the earlier in `profiles`. nullptr if none matches.
const Profile* match_profile(const std::vector<Profile>& profiles, const DeviceInfo& device);

// Applies a profile to an opened scanner: its option names, then configure(settings), then its
// extra options. Pass profile.defaults as `settings` to use the profile's defaults.
Status apply_profile(Scanner& scanner, const Profile& profile, const Settings& settings);

// Parses "flatbed"/"adf"/"adf-duplex" and "color"/"gray"/"lineart" (names as in names.cpp).
Result<Source> parse_source(std::string_view text);
Result<Mode> parse_mode(std::string_view text);

}  // namespace scanner
