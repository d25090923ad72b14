// Zengin codes by name (zengin.h).
#include "station/review/zengin.h"

#include <utility>

#include "station/review/normalize.h"

namespace station::review {

namespace {

bool strip_suffix(std::string& s, std::string_view suffix) {
  if (!s.ends_with(suffix)) return false;
  s.resize(s.size() - suffix.size());
  return true;
}

// The forms a written bank name may have in the table (which drops 銀行 and shortens the rest).
std::vector<std::string> bank_variants(std::string_view written) {
  std::string n = review::fold(written);
  std::vector<std::string> out{n};
  static const std::pair<std::string_view, std::string_view> kShort[] = {
      {"銀行", ""},         {"信用金庫", "信金"}, {"信用組合", "信組"}, {"労働金庫", "労金"},
      {"農業協同組合", "農協"}, {"漁業協同組合", "漁協"}};
  for (const auto& [full, shortened] : kShort) {
    std::string v = n;
    if (strip_suffix(v, full)) out.push_back(v + std::string(shortened));
  }
  return out;
}

std::vector<std::string> branch_variants(std::string_view written) {
  std::string n = review::fold(written);
  std::vector<std::string> out{n};
  for (std::string_view suffix : {"支店", "出張所", "支所", "店"}) {
    std::string v = n;
    if (strip_suffix(v, suffix) && !v.empty()) out.push_back(v);
  }
  return out;
}

}  // namespace

ZenginIndex::ZenginIndex(const std::vector<store::ZenginEntry>& banks) {
  for (const auto& b : banks) by_name_.emplace(review::fold(b.name), b.bank_code);
}

std::optional<std::string> ZenginIndex::bank_code(std::string_view written) const {
  for (const auto& v : bank_variants(written)) {
    if (by_name_.count(v) == 1) return by_name_.find(v)->second;
  }
  return std::nullopt;
}

std::optional<std::string> ZenginIndex::branch_code(const std::vector<store::ZenginEntry>& branches,
                                                    std::string_view written) {
  for (const auto& v : branch_variants(written)) {
    std::optional<std::string> found;
    int n = 0;
    for (const auto& b : branches)
      if (review::fold(b.name) == v) {
        found = b.branch_code;
        ++n;
      }
    if (n == 1) return found;
  }
  return std::nullopt;
}

}  // namespace station::review
