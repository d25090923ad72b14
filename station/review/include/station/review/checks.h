#pragma once
// The secretariat's review procedure as checks (forms/README.md, 審査): facility matching against
// the list (FacilityIndex), and every check of one application's values as named findings.
// Pure: values in, findings out; Review::check gathers the values from the store.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "station/finding.h"
#include "station/review/facilities.h"

namespace station::review {

// A value as the checks see it: the reviewer's confirmed value where there is one, else the
// reading; where it is (page 1-based among the envelope's pages, 0: none).
struct Value {
  std::string text;
  int page = 0;
  PixelBox box;
  bool bilevel_page = false;  // read from a black-and-white scan (a faint seal may not show there)
};
using Values = std::map<std::string, Value>;  // by field key

// A candidate facility with why it matched.
struct Candidate {
  const Facility* facility = nullptr;
  std::vector<std::string> reasons_ja;
  bool number = false, name = false, address = false;
};

// The list indexed by 介護保険事業所番号 and by the match keys of names and addresses.
class FacilityIndex {
 public:
  FacilityIndex(std::vector<Facility> list, std::int64_t version);
  std::int64_t version() const { return version_; }
  std::size_t size() const { return list_.size(); }
  const Facility* by_number(std::string_view jigyosho_no) const;
  // Candidates by number, by name and by address (tolerant of how they are written), best first
  // (number, then name and address together), at most `limit`.
  std::vector<Candidate> candidates(std::string_view jigyosho_no, std::string_view name, std::string_view address,
                                    std::size_t limit = 5) const;

 private:
  std::vector<Facility> list_;
  std::int64_t version_ = 0;
  std::map<std::string, std::size_t, std::less<>> by_number_;
  std::multimap<std::string, std::size_t, std::less<>> by_name_, by_address_;
};

// The facility an application is checked against: by its number; where that is blank or not in
// the list, the one candidate whose name and address both match.
struct Match {
  const Facility* facility = nullptr;
  bool number_found = false;  // the application's 介護保険事業所番号 is in the list
  std::vector<Candidate> candidates;
};
// `candidates` false: only the facility (for the duplicate check over many envelopes).
Match match_application(const Values& values, const FacilityIndex& index, bool candidates = true);

// Every check of the procedure but duplicates (which need the other applications): required
// fields, attachments from the page kinds, the list, the passbook, the pledge and seal, the officer
// list's format. `today` (YYYY-MM-DD) bounds birth dates where the application has no date.
std::vector<Finding> check_application(const Values& values, const std::vector<std::string>& page_kinds,
                                       const Match& match, std::string_view today);

// A finding for an application later than another for the same facility.
Finding duplicate_finding(const Values& values, std::string_view earlier, bool electronic, std::string_view when);

// The envelope's received moment for ordering: its registration time where that was on the
// received date, else the start of the received date (JST, ISO).
std::string received_moment(std::string_view received_date, std::string_view created_at);

// Normalises an ISO 8601 timestamp with an offset (or Z) to JST "YYYY-MM-DDTHH:MM:SS+09:00";
// nullopt when it is not one or names an impossible date or time.
std::optional<std::string> to_jst(std::string_view iso);

}  // namespace station::review
