#pragma once
// The Zengin bank and branch codes for 受付一覧表B: the table install-deps.sh makes from the pinned
// npm package `zengin-code` (never fetched while the station runs), read and loaded into the store.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"
#include "station/store/zengin.h"

namespace station::outputs {

// Where install-deps.sh puts the table.
inline constexpr const char* kZenginTablePath = "/usr/local/share/station/zengin.tsv";

// The table file: a first line "# zengin-code <version>", then "<bank>\t<branch>\t<name>\t<kana>"
// lines (branch empty for the bank's own line).
struct ZenginTable {
  std::string version, sha256;
  std::vector<store::ZenginEntry> entries;
};
// kNotFound when the file is missing, kInvalidInput (with a Japanese reason) when it is not the
// table (no version line, a code of the wrong length, fewer than 1,000 banks).
Result<ZenginTable> read_zengin_table(const std::filesystem::path& path);

// Only the version a table file names on its first line ("zengin-code 1.0.0-p20260824"), without
// reading the rest: kNotFound when the file is missing, kInvalidInput when it has no version line.
Result<std::string> read_zengin_version(const std::filesystem::path& path);

// True when version `a` is newer than `b`: their runs of digits compared as numbers, in order
// ("1.0.0-p20260824" is newer than "1.0.0-p20260101" and than "0.9.12-p20261130"); on a tie, the
// text decides.
bool zengin_newer(std::string_view a, std::string_view b);

// The lookup by name is the review's (station/review/zengin.h: ZenginIndex), which also reports an
// unknown bank or branch as a finding.

}  // namespace station::outputs
