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

// 「千葉興業銀行」 is the table's 千葉興業, 「佐原信用金庫」 its 佐原信金, 「千葉みらい農業協同組合」 its
// 千葉みらい農協; 「千葉駅前支店」 its 千葉駅前. Widths and variant kanji are folded (normalize.h).
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
