// Envelopes: the postmark's date and the sender's name.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>

#include "station/clock.h"
#include "ocr/language_model.h"
#include "ocr/layout.h"
#include "ocr/digits.h"
#include "readers.h"
#include "text_repair.h"

namespace station::recognition::detail {
namespace {

// A postmark's date line as read: "7.6.4" (令和 year.month.day). The dots are specks a scan may
// lose or the engine drop: the digits are split into year (1 or 2 digits, 令和1..max_year), month
// and day at every place the dots that were read allow, and only a single valid split is a date.
// `cap`: the most confidence the reading may carry — never certain, less without both dots.
struct PostmarkDate {
  int y = 0, m = 0, d = 0;
  double cap = 0;
};

std::optional<PostmarkDate> parse_postmark(const std::string& line, int max_year) {
  std::string digits;
  std::vector<std::size_t> cuts;  // digit counts before each separator
  bool any = false;
  for (std::size_t i = 0; i < line.size();) {
    const unsigned char ch = static_cast<unsigned char>(line[i]);
    if (ch >= '0' && ch <= '9') {
      digits += line[i];
      ++i;
      any = true;
      continue;
    }
    std::size_t len = 1;
    if (ch == ' ' || ch == '.' || ch == ',') {
    } else if (line.compare(i, 3, "・") == 0 || line.compare(i, 3, "･") == 0) {
      len = 3;
    } else if (line.compare(i, 2, "·") == 0) {
      len = 2;
    } else {
      return std::nullopt;  // anything else: not a date line
    }
    if (any && (cuts.empty() || cuts.back() != digits.size())) cuts.push_back(digits.size());
    i += len;
  }
  while (!cuts.empty() && cuts.back() == digits.size()) cuts.pop_back();  // trailing separator
  if (digits.size() < 3 || digits.size() > 6 || cuts.size() > 2) return std::nullopt;
  std::optional<PostmarkDate> found;
  int splits = 0;
  for (std::size_t yl = 1; yl <= 2; ++yl)
    for (std::size_t ml = 1; ml <= 2; ++ml) {
      if (yl + ml >= digits.size() || digits.size() - yl - ml > 2) continue;
      // Every separator read must fall between year and month or month and day.
      if (!std::all_of(cuts.begin(), cuts.end(), [&](std::size_t c) { return c == yl || c == yl + ml; }))
        continue;
      if (digits[0] == '0' || digits[yl] == '0' || digits[yl + ml] == '0') continue;
      const int y = std::stoi(digits.substr(0, yl)), m = std::stoi(digits.substr(yl, ml)),
                d = std::stoi(digits.substr(yl + ml));
      if (y < 1 || y > max_year || !valid_date(era_base("reiwa") + y, m, d)) continue;
      ++splits;
      found = PostmarkDate{y, m, d, cuts.size() == 2 ? 0.8 : 0.6};
    }
  if (splits != 1) return std::nullopt;  // none, or several: not a date
  return found;
}

// The date line by its own ink, for where the engine's reading of even a clean line loses its dots
// and reads a stamp's 7 as 1: each character cut out by its ink (ocr::ink_characters) and told by
// its size. A mark under half the line's height and narrow is a dot where it sits at the line's
// foot, a speck anywhere else (left out); every other character is a digit by the classifier,
// trained on many faces, with its runner-up. Where every digit is one the classifier is sure of
// (four in five of its neighbours) and the line is a date, that date, as sure as the weakest vote;
// otherwise the date spelt in its grammar (spell_date_line), for the clerk to confirm (kFailsFormat
// at most; `spelt` says so).
std::optional<PostmarkDate> date_line_by_ink(const ocr::Image& line, int max_year, double& conf, bool& spelt) {
  spelt = false;
  const std::vector<ocr::InkCharacter> chars = ocr::ink_characters(line);
  int height = 0, foot = 0;
  for (const auto& c : chars) height = std::max(height, c.box.h);
  if (height == 0) return std::nullopt;
  const auto small = [&](const ocr::InkCharacter& c) { return c.box.h * 2 < height && c.box.w * 5 < height * 3; };
  for (const auto& c : chars)
    if (!small(c)) foot = std::max(foot, c.box.y + c.box.h);
  std::string pattern, text;
  std::vector<ocr::DigitVote> digits;
  bool sure = true;
  double least = 1.0;
  for (const auto& c : chars) {
    if (small(c)) {
      if (c.box.y + c.box.h >= foot - height / 5) pattern += '.', text += '.';
      continue;
    }
    if (c.vote.digit < '0' || c.vote.digit > '9') return std::nullopt;
    digits.push_back(c.vote);
    pattern += 'd';
    text += c.vote.digit;
    sure = sure && c.vote.share >= 0.8;
    least = std::min(least, c.vote.share);
  }
  if (sure)
    if (auto d = parse_postmark(text, max_year)) {
      conf = least;
      return d;
    }
  double weight = 0;
  const auto line_text = spell_date_line(pattern, digits, max_year, weight);
  if (!line_text) return std::nullopt;
  spelt = true;
  conf = std::min(weight, kFailsFormat);
  return parse_postmark(*line_text, max_year);
}

// The current 令和 year by the clock (a postmark is not from the future).
int reiwa_now(const Clock& clock) {
  const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(clock.jst_now_shifted())};
  return static_cast<int>(today.year()) - era_base("reiwa");
}

// The sender's block read as a block: its non-empty lines, as read and without spaces.
struct SenderBlock {
  ocr::PreparedZone prepared;
  std::vector<ocr::TextLine> lines;
  std::vector<std::string> texts;
};

SenderBlock read_sender_block(const PageContext& c, ocr::Box zone) {
  SenderBlock b;
  b.prepared = ocr::prepare_zone(c.page, zone, false);
  if (b.prepared.image.empty()) return b;
  const ocr::Image& img = b.prepared.image;
  ocr::ZoneSpec spec;
  spec.layout = ocr::ZoneLayout::kBlock;
  spec.border = std::max(10, c.page.dpi() / 10);
  auto block = c.engine.read(img, ocr::Box{0, 0, img.width(), img.height()}, spec);
  if (!block) return b;
  for (auto& l : block->lines) {
    std::string line = strip_spaces(nfkc_keeping_wide_spaces(l.text));
    if (line.empty()) continue;
    b.lines.push_back(std::move(l));
    b.texts.push_back(std::move(line));
  }
  return b;
}

}  // namespace

std::optional<std::string> spell_date_line(const std::string& pattern, const std::vector<ocr::DigitVote>& digits,
                                           int max_year, double& weight) {
  const auto is_digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  if (digits.empty() || digits.size() > 6 ||
      static_cast<std::size_t>(std::count(pattern.begin(), pattern.end(), 'd')) != digits.size())
    return std::nullopt;
  // The line with digit k its runner-up where bit k of `choice` is set; `w` the votes behind it.
  const auto spelt = [&](unsigned choice, double& w) {
    std::string text;
    w = 1.0;
    std::size_t k = 0;
    for (const char p : pattern) {
      if (p != 'd') {
        text += '.';
        continue;
      }
      const ocr::DigitVote& v = digits[k];
      const bool second = (choice >> k++ & 1U) != 0;
      text += second ? v.second : v.digit;
      w *= second ? v.second_share : v.share;
    }
    return text;
  };
  std::optional<std::string> best;
  std::optional<PostmarkDate> best_date;
  double best_weight = 0, other_weight = 0;
  for (unsigned choice = 0; choice < (1U << digits.size()); ++choice) {
    bool possible = true;
    for (std::size_t k = 0; k < digits.size(); ++k)
      if ((choice >> k & 1U) != 0 && (!is_digit(digits[k].second) || digits[k].second_share <= 0)) possible = false;
    double w = 0;
    const std::string text = possible ? spelt(choice, w) : std::string();
    const auto d = possible ? parse_postmark(text, max_year) : std::nullopt;
    if (!d) continue;
    if (best_date && best_date->y == d->y && best_date->m == d->m && best_date->d == d->d) {
      best_weight = std::max(best_weight, w);
    } else if (w > best_weight) {
      other_weight = std::max(other_weight, best_weight);
      best = text, best_date = d, best_weight = w;
    } else {
      other_weight = std::max(other_weight, w);
    }
  }
  if (!best || best_weight < 1.5 * other_weight) return std::nullopt;
  weight = best_weight;
  return best;
}

std::optional<std::pair<std::string, std::size_t>> sender_postal_code(const std::vector<std::string>& lines) {
  // 〒 is read as itself, T or 干; the code's hyphen as any dash or not at all.
  constexpr const char* kCode = "([0-9]{3}[-‐−―ー－]?[0-9]{4})";
  const std::string marked = std::string("^(?:〒|T|干)") + kCode + "(?![0-9])", alone = std::string("^") + kCode + "$";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string code = find_re(lines[i], marked.c_str(), 1);
    if (code.empty() && i == 0) code = find_re(lines[i], alone.c_str(), 1);
    if (code.empty()) continue;
    const std::string digits = digits_of(code);
    return std::pair{digits.substr(0, 3) + "-" + digits.substr(3), i};
  }
  return std::nullopt;
}

void read_envelope(const FormTemplate& t, const PageContext& c, std::vector<RecognizedValue>& out) {
  // The sender's block is read once for its name and its postal code.
  std::optional<std::pair<ocr::Box, SenderBlock>> block;
  const auto sender_block = [&](ocr::Box zone) -> const SenderBlock& {
    if (!block || !(block->first == zone)) block.emplace(zone, read_sender_block(c, zone));
    return block->second;
  };
  for (const auto& f : t.fields) {
    const ocr::Box zone = c.box(f.zone);
    if (f.type == "postmark") {
      // The date line of a round postmark reads "7.6.4" (令和 year.month.day) between the post
      // office's name and the time. The ring is found and the line nearest its centre read alone,
      // digits and dots only, in two versions (a stamp's frame crossing the line taken out, and
      // left in), and once more by its own ink (date_line_by_ink); failing all, the zone without
      // its ring is read as sparse text.
      const int max_year = reiwa_now(c.clock) + 1;
      std::optional<PostmarkDate> date;
      double conf = 0;
      ocr::Box box = zone;
      bool disagree = false;
      std::vector<std::string> seen;  // every date read, for the envelope-level check
      // One more reading of the line: a date where there was none; where two readings give two
      // dates, the one that read both dots (its digits split one way only), then the one whose year
      // is nearer the present (a 7 read as 1 makes a year long past), then the more confident — as
      // weak evidence either way.
      const auto consider = [&](const std::optional<PostmarkDate>& d, double read_conf) {
        if (!d) return;
        seen.push_back(iso(era_base("reiwa") + d->y, d->m, d->d));
        const double got = std::min(read_conf, d->cap);
        if (!date) {
          date = d;
          conf = got;
        } else if (date->y != d->y || date->m != d->m || date->d != d->d) {
          disagree = true;
          const int now = max_year - 1;
          const int gap_old = std::abs(now - date->y), gap_new = std::abs(now - d->y);
          if (d->cap != date->cap ? d->cap > date->cap : gap_new != gap_old ? gap_new < gap_old : got > conf)
            date = d, conf = got;
        }
      };
      const std::vector<ocr::Image> lines = ocr::postmark_date_lines(c.page, zone);
      for (const ocr::Image& line : lines) {
        ocr::ZoneSpec spec;
        spec.layout = ocr::ZoneLayout::kSingleLine;
        spec.whitelist = "0123456789.";
        spec.border = std::max(10, c.page.dpi() / 10);
        spec.glyphs = true;
        const auto r = c.engine.read(line, ocr::Box{0, 0, line.width(), line.height()}, spec);
        if (!r) continue;
        // Each digit voted by the font-independent classifier on its own ink, where the line's
        // characters (digits and dots) can be placed one by one (ocr::classify_line_digits), as a
        // numeric field's are: a stamp's 8 read 6, its 7 read 1. A unanimous vote replaces the
        // engine's digit; the date is then for the clerk to confirm.
        std::string text = ocr::normalize_nfkc(r->text);
        bool voted = false;
        {
          std::vector<ocr::LineGlyph> glyphs;
          std::string joined;
          for (const ocr::Glyph& g : r->glyphs) {
            const std::string ch = strip_spaces(ocr::normalize_nfkc(g.text));
            joined += ch;
            if (ch.size() == 1) glyphs.push_back({ch[0], g.box});
          }
          const std::vector<ocr::DigitVote> votes =
              joined == strip_spaces(text) && glyphs.size() == joined.size() ? ocr::classify_line_digits(line, glyphs)
                                                                            : std::vector<ocr::DigitVote>{};
          std::size_t next = 0;
          for (char& ch : joined) {
            if (ch < '0' || ch > '9' || next >= votes.size()) continue;
            const ocr::DigitVote& v = votes[next++];
            if (v.digit != '?' && v.digit != ch && v.share >= 1.0) ch = v.digit, voted = true;
          }
          if (voted) text = joined;
        }
        consider(parse_postmark(text, max_year),
                 voted ? std::min(r->confidence, kUnsureFreeText) : static_cast<double>(r->confidence));
      }
      // The line read again by its own ink (the version with the stamp's lines taken out).
      // A date spelt in its grammar is a last resort, where no reading was a date, and only where
      // both versions of the line spell it alike (a stroke the scan broke reads one way in one).
      if (!lines.empty()) {
        double least = 0;
        bool spelt = false;
        const auto d = date_line_by_ink(lines.front(), max_year, least, spelt);
        if (!spelt) {
          consider(d, std::min(least, kDigitsDisagree));
        } else if (!date) {
          double other_least = least;
          bool other_spelt = false;
          const auto other = lines.size() > 1 ? date_line_by_ink(lines.back(), max_year, other_least, other_spelt) : d;
          if (other && other->y == d->y && other->m == d->m && other->d == d->d)
            consider(d, std::min(least, other_least));
        }
      }
      if (disagree) conf = std::min(conf, 0.4);
      if (!date) {
        const ocr::PreparedZone z = ocr::prepare_zone(c.page, zone, false, 7.0);
        if (!z.image.empty()) {
          ocr::ZoneSpec spec;
          spec.layout = ocr::ZoneLayout::kSparse;
          spec.border = std::max(10, c.page.dpi() / 10);
          if (auto r = c.engine.read(z.image, ocr::Box{0, 0, z.image.width(), z.image.height()}, spec)) {
            const std::string text = ocr::normalize_nfkc(r->text);
            std::size_t start = 0;
            while (!date && start <= text.size()) {
              const auto nl = text.find('\n', start);
              date = parse_postmark(
                  text.substr(start, nl == std::string::npos ? std::string::npos : nl - start), max_year);
              start = nl == std::string::npos ? text.size() + 1 : nl + 1;
            }
            if (date) conf = std::min(r->confidence, date->cap), box = z.ink_box;
          }
        }
      }
      const std::string value = date ? iso(era_base("reiwa") + date->y, date->m, date->d) : "";
      out.push_back(make(f, f.key, c, value, date ? conf : 0.0, box));
      out.back().readings = std::move(seen);
    } else if (f.type == "sender_postal") {
      // The sender's postal code, the first line of the block (〒 and seven digits): evidence for
      // the corporation's postal code on the application (reconcile_postal_code), never sure alone.
      const SenderBlock& b = sender_block(zone);
      const auto found = sender_postal_code(b.texts);
      if (!found) {
        out.push_back(make(f, f.key, c, "", 0.0, b.prepared.ink_box));
        continue;
      }
      const ocr::TextLine& l = b.lines[found->second];
      const ocr::Box on_page{b.prepared.image_box.x + l.box.x, b.prepared.image_box.y + l.box.y, l.box.w, l.box.h};
      out.push_back(make(f, f.key, c, found->first, std::min(l.confidence, kSenderPostal), on_page));
    } else if (f.type == "sender") {
      // The sender's block: 〒, address, then the corporation's name. The block is read to find
      // the name's line, which is then read alone like other Japanese text: by both models at
      // 400 dpi, the more plausible kept.
      const SenderBlock& b = sender_block(zone);
      const ocr::PreparedZone& prepared = b.prepared;
      std::string name;
      std::vector<std::string> readings;
      double conf = 0;
      ocr::Box box = prepared.ink_box;
      if (!prepared.image.empty()) {
        const ocr::Image& img = prepared.image;
        ocr::ZoneSpec spec;
        spec.border = std::max(10, c.page.dpi() / 10);
        const std::size_t name_line = sender_name_line(b.texts);
        const ocr::TextLine* found = name_line < b.lines.size() ? &b.lines[name_line] : nullptr;
        if (found != nullptr) {
          const int m = std::max(4, found->box.h / 4);
          const ocr::Image line = img.crop(
              ocr::Box{found->box.x - m, found->box.y - m, found->box.w + 2 * m, found->box.h + 2 * m});
          auto read_line = [&](const char* languages) -> std::string {
            ocr::ZoneSpec one;
            one.languages = languages;
            one.upscale_to_dpi = 400;
            one.border = spec.border;
            auto r = c.engine.read(line, ocr::Box{0, 0, line.width(), line.height()}, one);
            if (r) conf = std::max(conf, r->confidence);
            return r ? clean_free_text(strip_spaces(nfkc_keeping_wide_spaces(r->text))) : std::string();
          };
          name = read_line("jpn");
          if (c.engine.has_language(ocr::kSecondJapaneseModel)) {
            const std::string other = read_line(ocr::kSecondJapaneseModel);
            readings = {name, other};
            if (other != name) name = ocr::more_plausible(name, other);
          }
          if (name.empty()) name = clean_free_text(strip_spaces(nfkc_keeping_wide_spaces(found->text)));
          const int pad = std::max(2, c.page.dpi() / 50);
          box = ocr::Box{prepared.ink_box.x - pad, prepared.ink_box.y - pad, prepared.ink_box.w + 2 * pad,
                         prepared.ink_box.h + 2 * pad};
        }
      }
      out.push_back(make(f, f.key, c, name, name.empty() ? 0.0 : std::min(conf, 0.85), box));
      out.back().readings = std::move(readings);
    }
  }
}

std::size_t sender_name_line(const std::vector<std::string>& lines) {
  const auto address_like = [](const std::string& line) {
    return line.find("〒") != std::string::npos || digits_of(line).size() >= 5 ||
           !find_re(line, "(都|道|府|県|市|区|町|村).*[0-9０-９]", 0).empty() ||
           !find_re(line, "([0-9０-９]|丁目|番地|番|号)$", 0).empty();
  };
  const auto names_an_organisation = [](const std::string& line) {
    return !find_re(line, "(法人|会社|会|組合|財団|社団|協会|センター|事業団|機構)", 0).empty();
  };
  std::size_t after = 0;
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (address_like(lines[i])) after = i + 1;
  for (std::size_t i = after; i < lines.size(); ++i)
    if (names_an_organisation(lines[i])) return i;
  if (after < lines.size()) return after;
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (!address_like(lines[i])) return i;
  return std::string::npos;
}

}  // namespace station::recognition::detail
