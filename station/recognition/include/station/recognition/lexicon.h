#pragma once
// The names the station knows from the prefecture's facility list (施設一覧): a facility's name, a
// corporation's name, the towns of their addresses and the facilities' 介護保険事業所番号. A reading
// one character off exactly one of them is taken to be it, for the clerk to confirm against the
// image; the review still compares the application with the list as read. With them, the amount
// rule as the list's amounts show it. Built by the store-backed reader from the list as loaded; a
// run without a list (store-less, or before the supervisor loads one) reads without it.
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

namespace station::recognition {

// What a service type is paid (交付要綱): so much a place of the capacity, or a flat sum.
struct AmountRule {
  long long per_place = 0;  // yen a place; 0 for a flat sum
  long long flat = 0;       // yen, where per_place is 0
};

struct Lexicon {
  std::vector<std::string> facilities;    // 施設名称, each once
  std::vector<std::string> corporations;  // 法人名, each once
  std::vector<std::string> towns;         // an address's town: after its municipality, before its number
  std::unordered_set<std::string> facility_set, corporation_set, town_set;
  std::unordered_set<std::string> jigyosho_numbers;  // 介護保険事業所番号 (digits only)
  std::unordered_set<std::string> jigyosho_heads;    // their first two digits (the prefecture's code)
  std::map<std::string, AmountRule> amount_rules;    // by service type (amount_rules_of)
  bool empty() const {
    return facilities.empty() && corporations.empty() && towns.empty() && jigyosho_numbers.empty() && amount_rules.empty();
  }
};

// The lexicon of a facility list's names and addresses (both the facility's and the
// corporation's) and its facilities' numbers; blanks and duplicates left out.
Lexicon make_lexicon(const std::vector<std::string>& facility_names, const std::vector<std::string>& corporation_names,
                     const std::vector<std::string>& addresses, const std::vector<std::string>& jigyosho_numbers = {});

// One facility of the list as its amount concerns it: its service type, capacity (0 where blank)
// and 給付金額.
struct ListedAmount {
  std::string service_type;
  long long capacity = 0;
  long long amount = 0;
};
// The amount rule by service type as the list's amounts bear it out: a type whose facilities with a
// capacity are all paid one sum a place is paid per place; a type none of whose facilities has a
// capacity, all paid one sum, is paid that flat; any other type (amounts that follow no one rate)
// has no rule. The station holds no table of its own: the list as loaded is the rule.
std::map<std::string, AmountRule> amount_rules_of(const std::vector<ListedAmount>& list);

}  // namespace station::recognition
