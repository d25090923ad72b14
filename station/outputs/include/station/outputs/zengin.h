#pragma once
// The Zengin bank and branch codes for 受付一覧表B: the table install-deps.sh makes from the pinned
// npm package `zengin-code` (never fetched while the station runs), read, loaded into the store,
// and looked up by the names written on the application.
#include <filesystem>
#include <map>
#include <optional>
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

// Codes looked up by the names an application writes: 「千葉興業銀行」 is the table's 千葉興業,
// 「佐原信用金庫」 its 佐原信金; 「千葉駅前支店」 its 千葉駅前. Widths are folded. Only a single match
// counts.
class ZenginIndex {
 public:
  explicit ZenginIndex(const std::vector<store::ZenginEntry>& banks);
  std::optional<std::string> bank_code(std::string_view written) const;
  // `branches`: that bank's (store::zengin_branches).
  static std::optional<std::string> branch_code(const std::vector<store::ZenginEntry>& branches, std::string_view written);

 private:
  std::multimap<std::string, std::string> by_name_;  // folded name -> code
};

}  // namespace station::outputs
