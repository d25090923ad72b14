#pragma once
// The correction workflow's JSON API around the review screen (docs/ui.md "review"): the letter
// previewed before it is issued (its pages as PNGs kept briefly for the one who asked), the
// applicant's reply received, agreed changes recorded and listed. Request bodies read, the
// station's calls made (they check the role and audit), the answers shaped; no rules of their own.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api_accounts.h"  // Reply
#include "station/station.h"

namespace ui::api_v1 {

// The preview pages a reviewer asked for, kept so that <img> can fetch them (the policy allows
// images from this origin only): a few previews at a time, each for a few minutes, each readable
// by the user who made it only. Thread-safe.
class LetterPreviews {
 public:
  static constexpr std::size_t kMaxKept = 16;
  static constexpr std::chrono::minutes kKeptFor{10};
  // Keeps the pages; returns the token that names them (32 hex digits, random).
  std::string put(const std::string& username, std::vector<station::Station::LetterPreview::Page> pages);
  // Page n (1-based) of the token's preview, when `username` made it and it has not expired.
  std::optional<std::vector<unsigned char>> page(const std::string& username, std::string_view token, int n);

 private:
  struct Kept {
    std::string token, username;
    std::chrono::steady_clock::time_point made;
    std::vector<station::Station::LetterPreview::Page> pages;
  };
  void expire(std::chrono::steady_clock::time_point now);
  std::mutex mu_;
  std::deque<Kept> kept_;
};

// The token group of the preview image route.
inline constexpr std::string_view kPreviewTokenGroup = "([0-9a-f]{32})";

// Whole days from `today` to `deadline` (both YYYY-MM-DD): 0 on the deadline day, negative when
// it has passed; nothing when either is not a date.
std::optional<int> days_until(std::string_view today, std::string_view deadline);

// {"defects": [{"code", "field_key", "text"}], "note"}: the letter of the request these would
// make, as page images (URLs under /api/v1/letter-previews/), with its round and deadline.
Reply preview_letter(station::Station& st, LetterPreviews& kept, const station::User& actor,
                     std::int64_t envelope_id, std::string_view body);
// {"reply_envelope_id": N}: the applicant's returned papers (imported as an envelope of their
// own) linked to the open round; the application goes back to review.
Reply receive_reply(station::Station& st, const station::User& actor, std::int64_t envelope_id,
                    std::string_view body);
// The application's agreed changes and the fields a change can name (key, label, current value).
Reply agreed_changes(station::Station& st, const station::User& actor, std::int64_t envelope_id);
// {"field_key", "new_value", "agreed_on" (YYYY-MM-DD), "how", "round"?}
Reply record_agreed_change(station::Station& st, const station::User& actor, std::int64_t envelope_id,
                           std::string_view body);
// Every application's agreed changes agreed between from and to (YYYY-MM-DD, "" : open).
Reply agreed_changes_report(station::Station& st, const station::User& actor, const std::string& from,
                            const std::string& to);
nlohmann::json agreed_change_json(const station::AgreedChange& c);

}  // namespace ui::api_v1
