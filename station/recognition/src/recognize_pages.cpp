// Recognition of an envelope's pages: classification and orientation, registration, then the
// reader of what each page is; the cross-form checks once every page is read.
#include <algorithm>
#include <iterator>
#include <map>
#include <string>

#include "station/recognition/calibration.h"
#include "classify.h"
#include "ocr/digits.h"
#include "ocr/layout.h"
#include "readers.h"
#include "reconcile.h"
#include "station/recognition/recognize.h"

namespace station::recognition {
namespace {

constexpr double kMinPlacementScore = 0.55;

// How many words of a passbook's own print a whole-page reading holds. Besides the words the
// passbook reader also uses (口座, 店番, 預金, …), a passbook prints its account kind, its branch
// and "keep this passbook safe" (この通帳を大切に保管してください), and the applicant's copy is
// titled 振込先口座確認書類: more words give a page read poorly (200 dpi, black-and-white, an
// unusual typeface) more chances to show two of them.
int passbook_words(const std::string& text) {
  int n = detail::keyword_hits(text);
  for (const char* k : {"普通", "当座", "支店", "大切", "保管", "振込", "確認書類"})
    if (text.find(k) != std::string::npos) ++n;
  return n;
}

// A page of no registered form: an envelope by its shape (long and narrow), else a passbook copy by
// what it says and how it looks, else unknown.
// What the look at a page of no form saw, for a page it left unknown.
struct UnregisteredLook {
  bool spread = false;  // the page shows a booklet copied open
  ocr::Reading reading;  // the whole-page reading that held the most passbook words
  int turns = 0;         // and the turns it was read at
};

// Reads a passbook copy: `reading` is the engine's reading of the page turned by `turns` at 200 dpi.
void read_as_passbook(const ocr::Image& raw, const ocr::Image& small, int index, int turns, const ocr::Reading& reading,
                      const Templates& templates, ocr::Engine& engine, const Clock& clock, PageRecognition& pr,
                      std::vector<RecognizedValue>& values) {
  pr.kind = "passbook";
  pr.rotation = turns * 90;
  if (const FormTemplate* t = templates.find("passbook")) {
    const ocr::Image upright = turns == 0 ? small : small.rotated(turns);
    const ocr::Image full = turns == 0 ? raw : raw.rotated(turns);
    detail::PageContext c{upright, index, nullptr, engine, clock, &full};
    detail::read_passbook(*t, c, reading, values);
  }
}

// The page at 200 dpi or less on its flattened background (the passbook's tinted panel would
// otherwise swallow its print), as a whole-page reading wants it.
ocr::Image page_to_read_whole(const ocr::Image& raw) {
  return ocr::flatten_background(raw.dpi() > 220 ? raw.resized_to_width(raw.width() * 200 / raw.dpi()) : raw);
}

UnregisteredLook read_unregistered(const ocr::Image& raw, const ocr::PageStructure& structure, int index,
                                   const Templates& templates, ocr::Engine& engine, const Clock& clock,
                                   PageRecognition& pr, std::vector<RecognizedValue>& values) {
  UnregisteredLook look;
  const double aspect =
      std::max(raw.width(), raw.height()) / static_cast<double>(std::min(raw.width(), raw.height()));
  if (aspect > 1.6) {
    pr.kind = "envelope";
    const FormTemplate* t = templates.find("envelope");
    if (t == nullptr) return look;
    // An envelope stands upright, but its shape does not say which end is up, and the clean-up may
    // have turned it (it turns a page whose lines its ink profile takes for vertical, as a Mincho
    // face's strong verticals can make an envelope's look). Read the way its shape suggests (a
    // quarter turn when it lies on its side); where that gives little (values summing to less
    // than kSureEnvelope in confidence), read it the other way up too and keep the surer reading.
    constexpr double kSureEnvelope = 1.0;
    const int first = raw.width() > raw.height() ? 1 : 0;
    std::vector<RecognizedValue> best;
    double best_sum = -1;
    for (const int turns : {first, first + 2}) {
      std::vector<RecognizedValue> read;
      detail::read_envelope(*t, detail::PageContext{raw.rotated(turns), index, nullptr, engine, clock}, read);
      double sum = 0;
      for (const RecognizedValue& v : read) sum += v.value.empty() ? 0.0 : v.confidence;
      if (sum > best_sum) {
        best_sum = sum;
        best = std::move(read);
        pr.rotation = turns * 90;
      }
      if (best_sum >= kSureEnvelope) break;
    }
    values.insert(values.end(), std::make_move_iterator(best.begin()), std::make_move_iterator(best.end()));
    return look;
  }
  // A passbook copy if it says so (read upright or turned) or shows its spread and one word.
  const ocr::Image small = page_to_read_whole(raw);
  look.spread = structure.find_spread().has_value();
  ocr::Reading best_reading;
  int best_hits = -1, best_turns = 0;
  for (int turns : {0, 2}) {
    const ocr::Image up = turns == 0 ? small : small.rotated(turns);
    ocr::ZoneSpec spec;
    spec.layout = ocr::ZoneLayout::kAuto;
    spec.languages = "jpn";
    auto r = engine.read(up, ocr::Box{0, 0, up.width(), up.height()}, spec);
    if (!r) continue;
    const int hits = passbook_words(r->text);
    if (hits > best_hits || (hits == best_hits && r->confidence > best_reading.confidence)) {
      best_hits = hits;
      best_reading = *r;
      best_turns = turns;
    }
    if (hits >= 4 && r->confidence > 0.6) break;  // upright and clearly a passbook
  }
  look.reading = best_reading;
  look.turns = best_turns;
  if (detail::is_passbook(best_hits, look.spread))
    read_as_passbook(raw, small, index, best_turns, best_reading, templates, engine, clock, pr, values);
  return look;
}

}  // namespace

namespace detail {

std::vector<KindChoice> assign_kinds(int pages, const std::vector<KindCandidate>& candidates,
                                     const std::vector<bool>& several_pages) {
  std::vector<KindChoice> out(static_cast<std::size_t>(std::max(0, pages)));
  std::vector<KindCandidate> order = candidates;
  // Best score first; on a tie the earlier page, then the earlier form (a stable, explainable order).
  std::stable_sort(order.begin(), order.end(), [](const KindCandidate& a, const KindCandidate& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.page != b.page) return a.page < b.page;
    return a.form < b.form;
  });
  auto may_repeat = [&](int form) {
    return form >= 0 && static_cast<std::size_t>(form) < several_pages.size() && several_pages[form];
  };
  std::set<int> taken;
  for (const KindCandidate& c : order) {
    if (c.page < 0 || c.page >= pages) continue;
    KindChoice& k = out[static_cast<std::size_t>(c.page)];
    if (k.form >= 0) continue;
    if (!may_repeat(c.form) && taken.contains(c.form)) continue;
    k.form = c.form;
    k.score = c.score;
    taken.insert(c.form);
  }
  // A page left without a form though it had candidates: each of them went to a better page. It is
  // a second copy of its best form.
  for (const KindCandidate& c : order) {
    if (c.page < 0 || c.page >= pages) continue;
    KindChoice& k = out[static_cast<std::size_t>(c.page)];
    if (k.form >= 0) continue;
    k.form = c.form;
    k.score = c.score;
    k.duplicate = true;
  }
  return out;
}

std::set<std::string> keep_one_value_per_key(std::vector<RecognizedValue>& values,
                                             const std::vector<double>& page_score) {
  auto score = [&](int page) {
    return page >= 0 && static_cast<std::size_t>(page) < page_score.size() ? page_score[page] : 0.0;
  };
  // The page each key is kept from, and whether the pages agree.
  std::map<std::string, int> keep;
  std::map<std::string, std::set<int>> pages_of;
  for (const auto& v : values) {
    pages_of[v.key].insert(v.page);
    auto [it, fresh] = keep.emplace(v.key, v.page);
    if (!fresh && (score(v.page) > score(it->second) || (score(v.page) == score(it->second) && v.page < it->second)))
      it->second = v.page;
  }
  std::set<std::string> disputed;
  std::map<std::string, std::string> kept_value;
  for (const auto& v : values)
    if (pages_of[v.key].size() > 1 && v.page == keep[v.key]) kept_value.emplace(v.key, v.value);
  for (const auto& v : values) {
    if (pages_of[v.key].size() < 2 || v.page == keep[v.key]) continue;
    const auto it = kept_value.find(v.key);
    if (it == kept_value.end() || it->second != v.value) disputed.insert(v.key);
  }
  std::erase_if(values, [&](const RecognizedValue& v) { return pages_of[v.key].size() > 1 && v.page != keep[v.key]; });
  return disputed;
}

void cap_disputed(std::vector<RecognizedValue>& values, const std::set<std::string>& keys) {
  for (auto& v : values)
    if (keys.contains(v.key)) v.confidence = std::min(v.confidence, kDisputedConfidence);
}

bool is_passbook(int words, bool spread) { return words >= 2 || (spread && words >= 1); }

int passbook_by_spread(const std::vector<PageRecognition>& pages, const std::vector<bool>& spread) {
  int found = -1;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    if (pages[i].kind == "passbook") return -1;
    if (pages[i].kind != "unknown" || i >= spread.size() || !spread[i]) continue;
    if (found >= 0) return -1;
    found = static_cast<int>(i);
  }
  return found;
}

}  // namespace detail

EnvelopeRecognition recognize_pages(const std::vector<ocr::Image>& pages, const Templates& templates,
                                    ocr::Engine& engine, const Clock& clock,
                                    const std::function<bool(int)>& on_page, const Lexicon* lexicon) {
  EnvelopeRecognition out;
  const int n = static_cast<int>(pages.size());
  // Every page's structure and every registered form's placement over it first: which form a page
  // is depends on the envelope's other pages (a one-page form goes to the page that places it best).
  std::vector<ocr::PageStructure> structures(pages.size());
  std::vector<std::vector<ocr::Placement>> placed(pages.size(), std::vector<ocr::Placement>(templates.forms.size()));
  std::vector<detail::KindCandidate> candidates;
  std::vector<bool> several_pages;
  for (const auto& t : templates.forms) several_pages.push_back(t.several_pages);
  for (int i = 0; i < n; ++i) {
    if (pages[i].empty()) continue;
    structures[i] = ocr::PageStructure::analyse(pages[i]);
    for (std::size_t f = 0; f < templates.forms.size(); ++f) {
      if (!templates.forms[f].registered()) continue;
      placed[i][f] = structures[i].place(templates.forms[f].model);
      if (placed[i][f].score >= kMinPlacementScore)
        candidates.push_back({i, static_cast<int>(f), placed[i][f].score});
    }
  }
  const std::vector<detail::KindChoice> choice = detail::assign_kinds(n, candidates, several_pages);

  int officer_row = 0;
  std::vector<double> page_score(pages.size(), 0.0);
  std::vector<UnregisteredLook> looks(pages.size());
  for (int i = 0; i < n; ++i) {
    if (i > 0 && on_page && !on_page(i)) return out;
    const ocr::Image& raw = pages[i];
    PageRecognition pr;
    if (raw.empty()) {
      out.pages.push_back(pr);
      continue;
    }
    if (choice[i].form >= 0) {
      const FormTemplate& form = templates.forms[static_cast<std::size_t>(choice[i].form)];
      const ocr::Placement& p = placed[i][static_cast<std::size_t>(choice[i].form)];
      pr.kind = form.kind;
      pr.rotation = p.quarter_turns * 90;
      pr.score = p.score;
      // A second copy of a one-page form is read, but its values never outweigh the better page's
      // (keep_one_value_per_key below).
      page_score[i] = choice[i].duplicate ? 0.0 : p.score;
      const ocr::Image upright = raw.rotated(p.quarter_turns);
      detail::PageContext c{upright, i, &p, engine, clock};
      detail::read_form(form, c, officer_row, out.values);
      out.pages.push_back(pr);
      continue;
    }
    looks[i] = read_unregistered(raw, structures[i], i, templates, engine, clock, pr, out.values);
    out.pages.push_back(pr);
  }
  if (on_page && !on_page(n)) return out;
  // No page said it was the passbook copy: the one unknown page showing an open booklet is.
  std::vector<bool> spread;
  for (const auto& l : looks) spread.push_back(l.spread);
  if (const int k = detail::passbook_by_spread(out.pages, spread); k >= 0) {
    const auto& l = looks[static_cast<std::size_t>(k)];
    read_as_passbook(pages[k], page_to_read_whole(pages[k]), k, l.turns, l.reading, templates, engine, clock,
                     out.pages[static_cast<std::size_t>(k)], out.values);
  }
  const std::set<std::string> disputed = detail::keep_one_value_per_key(out.values, page_score);
  // A glyph voted on the page as recognition turned it upright (a value's boxes are that page's).
  std::map<int, ocr::Image> upright;
  const detail::GlyphVote vote = [&](const RecognizedValue& v, std::size_t index,
                                     const std::vector<std::string>& symbols) -> std::optional<std::pair<std::string, double>> {
    if (v.page < 0 || v.page >= n || index >= v.chars.size() || v.chars[index].box.empty()) return std::nullopt;
    auto it = upright.find(v.page);
    if (it == upright.end())
      it = upright.emplace(v.page, pages[static_cast<std::size_t>(v.page)].rotated(out.pages[static_cast<std::size_t>(v.page)].rotation / 90)).first;
    const ocr::SymbolVote s = ocr::classify_symbol_at(it->second, v.chars[index].box, symbols);
    if (s.symbol.empty()) return std::nullopt;
    return std::pair{s.symbol, s.share};
  };
  if (lexicon != nullptr)
    detail::match_lexicon(out.values, *lexicon, [&](char16_t ch) { return engine.can_read(ch, "jpn"); }, vote);
  const detail::LineInk line = [&](const RecognizedValue& v) -> std::optional<ocr::InkLine> {
      if (v.page < 0 || v.page >= n || v.box.empty()) return std::nullopt;
      auto it = upright.find(v.page);
      if (it == upright.end())
        it = upright.emplace(v.page, pages[static_cast<std::size_t>(v.page)].rotated(out.pages[static_cast<std::size_t>(v.page)].rotation / 90)).first;
      // A little wider than the value's box: its ink box may cut its last stroke.
      const int pad = v.box.h / 8;
      return ocr::InkLine::cut(it->second, ocr::Box{v.box.x - pad, v.box.y, v.box.w + 2 * pad, v.box.h});
    };
  if (lexicon != nullptr) detail::spell_addresses_by_ink(out.values, *lexicon, line);
  detail::spell_names_by_ink(out.values, line);
  detail::choose_municipalities(out.values, vote);
  detail::reconcile_same_text(out.values);
  detail::check_kana_by_reading(out.values);
  detail::check_titles(out.values, vote);
  detail::reconcile_representative(out.values);
  detail::reconcile_holder_kana(out.values);
  detail::reconcile_passbook(out.values, vote);
  // After the passbook's and the representative's checks: a value copied is no second witness.
  detail::spell_copies_by_ink(out.values, line);
  detail::spell_corporations_by_ink(out.values, line);
  detail::spell_numbers_by_ink(out.values, line);
  detail::reconcile_postal_code(out.values);
  if (lexicon != nullptr) detail::reconcile_amount(out.values, *lexicon);
  detail::reconcile_dates(out.values, clock);
  calibrate(out.values);
  detail::cap_disputed(out.values, disputed);
  return out;
}

}  // namespace station::recognition
