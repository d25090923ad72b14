// Recognition of an envelope's pages: classification and orientation, registration, then the
// reader of what each page is; the cross-form checks once every page is read.
#include <algorithm>
#include <string>

#include "station/recognition/calibration.h"
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

}  // namespace

EnvelopeRecognition recognize_pages(const std::vector<ocr::Image>& pages, const Templates& templates,
                                    ocr::Engine& engine, const Clock& clock,
                                    const std::function<bool(int)>& on_page) {
  EnvelopeRecognition out;
  int officer_row = 0;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    if (i > 0 && on_page && !on_page(static_cast<int>(i))) return out;
    const ocr::Image& raw = pages[i];
    PageRecognition pr;
    if (raw.empty()) {
      out.pages.push_back(pr);
      continue;
    }
    const ocr::PageStructure structure = ocr::PageStructure::analyse(raw);
    const FormTemplate* best = nullptr;
    ocr::Placement best_p;
    for (const auto& t : templates.forms) {
      if (!t.registered()) continue;
      const ocr::Placement p = structure.place(t.model);
      if (p.score > best_p.score) {
        best_p = p;
        best = &t;
      }
    }
    if (best != nullptr && best_p.score >= kMinPlacementScore) {
      pr.kind = best->kind;
      pr.rotation = best_p.quarter_turns * 90;
      pr.score = best_p.score;
      const ocr::Image upright = raw.rotated(best_p.quarter_turns);
      detail::PageContext c{upright, static_cast<int>(i), &best_p, engine, clock};
      detail::read_form(*best, c, officer_row, out.values);
      out.pages.push_back(pr);
      continue;
    }
    // Not a registered form: an envelope by its shape (long and narrow), else a passbook copy by
    // what it says, else unknown.
    const double aspect =
        std::max(raw.width(), raw.height()) / static_cast<double>(std::min(raw.width(), raw.height()));
    if (aspect > 1.6) {
      pr.kind = "envelope";
      int turns = raw.width() > raw.height() ? 1 : 0;
      pr.rotation = turns * 90;
      const ocr::Image upright = raw.rotated(turns);
      if (const FormTemplate* t = templates.find("envelope")) {
        detail::PageContext c{upright, static_cast<int>(i), nullptr, engine, clock};
        detail::read_envelope(*t, c, out.values);
      }
      out.pages.push_back(pr);
      continue;
    }
    // A page of no form: a passbook copy if it says so. Read on its flattened background (the
    // passbook's tinted panel would otherwise swallow its print) at 200 dpi, upright or turned.
    const ocr::Image small =
        ocr::flatten_background(raw.dpi() > 220 ? raw.resized_to_width(raw.width() * 200 / raw.dpi()) : raw);
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
    if (best_hits >= 2) {
      pr.kind = "passbook";
      pr.rotation = best_turns * 90;
      if (const FormTemplate* t = templates.find("passbook")) {
        const ocr::Image upright = best_turns == 0 ? small : small.rotated(best_turns);
        const ocr::Image full = best_turns == 0 ? raw : raw.rotated(best_turns);
        detail::PageContext c{upright, static_cast<int>(i), nullptr, engine, clock, &full};
        detail::read_passbook(*t, c, best_reading, out.values);
      }
    }
    out.pages.push_back(pr);
  }
  if (on_page && !on_page(static_cast<int>(pages.size()))) return out;
  detail::reconcile_same_text(out.values);
  detail::check_kana_by_reading(out.values);
  detail::reconcile_passbook(out.values);
  detail::reconcile_dates(out.values, clock);
  calibrate(out.values);
  return out;
}

}  // namespace station::recognition
