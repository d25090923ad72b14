#pragma once
// The Zengin bank and branch codes looked up by the names an application writes (受付一覧表B; the
// check BANK_NOT_IN_ZENGIN). The table itself is the store's (store/zengin.h), loaded from the
// pinned npm `zengin-code` (station_outputs: outputs/zengin.h).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "station/store/zengin.h"

namespace station::review {

// A name as written on a form is matched against the table's short forms: the table drops 銀行 and
// writes 信用金庫 as 信金, 信用組合 as 信組, 労働金庫 as 労金, 農業協同組合 as 農協, 漁業協同組合 as
// 漁協; a branch's 支店/出張所/支所/店 is dropped. Widths and variant kanji are folded (normalize.h).
// Only a single match counts.
class ZenginIndex {
 public:
  explicit ZenginIndex(const std::vector<store::ZenginEntry>& banks);
  std::optional<std::string> bank_code(std::string_view written) const;
  // `branches`: that bank's (store::zengin_branches).
  static std::optional<std::string> branch_code(const std::vector<store::ZenginEntry>& branches, std::string_view written);

 private:
  std::multimap<std::string, std::string> by_name_;  // folded name -> code
};

}  // namespace station::review
