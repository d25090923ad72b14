#pragma once
// The names the station knows from the prefecture's facility list (施設一覧): a facility's name, a
// corporation's name, the towns of their addresses and the facilities' 介護保険事業所番号. A reading
// one character off exactly one of them is taken to be it, for the clerk to confirm against the
// image; the review still compares the application with the list as read. Built by the store-backed reader from the list as loaded;
// a run without a list (store-less, or before the supervisor loads one) reads without it.
#include <string>
#include <unordered_set>
#include <vector>

namespace station::recognition {

struct Lexicon {
  std::vector<std::string> facilities;    // 施設名称, each once
  std::vector<std::string> corporations;  // 法人名, each once
  std::vector<std::string> towns;         // an address's town: after its municipality, before its number
  std::unordered_set<std::string> facility_set, corporation_set, town_set;
  std::unordered_set<std::string> jigyosho_numbers;  // 介護保険事業所番号 (digits only)
  std::unordered_set<std::string> jigyosho_heads;    // their first two digits (the prefecture's code)
  bool empty() const { return facilities.empty() && corporations.empty() && towns.empty() && jigyosho_numbers.empty(); }
};

// The lexicon of a facility list's names and addresses (both the facility's and the
// corporation's) and its facilities' numbers; blanks and duplicates left out.
Lexicon make_lexicon(const std::vector<std::string>& facility_names, const std::vector<std::string>& corporation_names,
                     const std::vector<std::string>& addresses, const std::vector<std::string>& jigyosho_numbers = {});

}  // namespace station::recognition
