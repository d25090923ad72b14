// Printed structure: long ruled lines at a working resolution, placement of a form model over
// them, check boxes, seals and zone clean-up.
#include "ocr/layout.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <limits>
#include <cmath>
#include <utility>
#include <vector>

#include "image_impl.h"
#include "skew.h"

namespace ocr {
namespace {

constexpr double kWorkPxPerMm = 4.0;  // about 100 dpi: enough for ruled lines, cheap to process

int odd(int v) { return std::max(3, v | 1); }
int px(double mm, double px_per_mm) { return std::max(1, static_cast<int>(std::lround(mm * px_per_mm))); }

double px_per_mm_of(const Image& page) { return (page.dpi() > 0 ? page.dpi() : 200) / 25.4; }

cv::Mat binarise(const cv::Mat& gray, double px_per_mm, double c = 14) {
  cv::Mat ink;
  cv::adaptiveThreshold(gray, ink, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV,
                        odd(px(4.0, px_per_mm)), c);
  return ink;
}

// The angle (degrees, OpenCV's counter-clockwise convention) that makes rows and columns straight.
double estimate_skew(const cv::Mat& ink) {
  return detail::projection_skew(ink, {.range = 4.0, .step = 0.25, .fine_range = 0.2, .fine_step = 0.05, .columns = true});
}

// Long lines in a binary image: horizontal (`horizontal` true) or vertical.
std::vector<Line> long_lines(const cv::Mat& ink, bool horizontal, double min_mm) {
  const int len = px(min_mm, kWorkPxPerMm);
  cv::Mat m;
  const cv::Size bridge = horizontal ? cv::Size(3, 1) : cv::Size(1, 3);
  cv::morphologyEx(ink, m, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, bridge));
  const cv::Size k = horizontal ? cv::Size(len, 1) : cv::Size(1, len);
  cv::morphologyEx(m, m, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, k));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(m, labels, stats, centroids, 8, CV_32S);
  std::vector<Line> out;
  const int max_thick = px(1.6, kWorkPxPerMm);
  for (int i = 1; i < n; ++i) {
    const int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    if ((horizontal ? h : w) > max_thick) continue;  // a filled area, not a line
    if (horizontal)
      out.push_back({centroids.at<double>(i, 1), double(x), double(x + w)});
    else
      out.push_back({centroids.at<double>(i, 0), double(y), double(y + h)});
  }
  std::sort(out.begin(), out.end(), [](const Line& a, const Line& b) { return a.pos < b.pos; });
  return out;
}

// One printed rule may come out of long_lines as several pieces: a hairline that steps by a pixel
// or drops out (a 200 dpi black-and-white scan, reduced to the working resolution) breaks where its
// gray falls under the threshold. Pieces at the same position (within `max_dpos`) whose ends are at
// most `max_gap` apart are one line again; `lines` sorted by position, the result too.
std::vector<Line> join_pieces(const std::vector<Line>& lines, double max_dpos, double max_gap) {
  std::vector<Line> out;
  std::vector<double> weight;  // length each joined line's position is averaged over
  for (const Line& l : lines) {
    bool joined = false;
    for (std::size_t k = out.size(); k-- > 0 && !joined;) {
      Line& o = out[k];
      if (l.pos - o.pos > 2 * max_dpos) break;  // sorted: the rest lie further up
      if (std::abs(l.pos - o.pos) > max_dpos) continue;
      const double gap = std::max(l.from, o.from) - std::min(l.to, o.to);
      if (gap > max_gap) continue;
      const double wl = l.length();
      o.pos = (o.pos * weight[k] + l.pos * wl) / std::max(1e-9, weight[k] + wl);
      weight[k] += wl;
      o.from = std::min(o.from, l.from);
      o.to = std::max(o.to, l.to);
      joined = true;
    }
    if (!joined) {
      out.push_back(l);
      weight.push_back(l.length());
    }
  }
  std::sort(out.begin(), out.end(), [](const Line& a, const Line& b) { return a.pos < b.pos; });
  return out;
}

struct Fit {
  double sx, tx, sy, ty, score;
};

bool near_line(const Line& want, const std::vector<Line>& have, double tol_pos, double tol_end) {
  // Lines may be broken (drop-outs) or joined with neighbours: accept good overlap, counted over
  // every piece found along the expected line (their union, so two pieces covering the same
  // stretch count once).
  std::vector<std::pair<double, double>> covered;
  for (const Line& l : have) {
    if (std::abs(l.pos - want.pos) > tol_pos) continue;
    if (std::abs(l.from - want.from) < tol_end && std::abs(l.to - want.to) < tol_end) return true;
    const double a = std::max(l.from, want.from), b = std::min(l.to, want.to);
    if (b > a) covered.emplace_back(a, b);
  }
  std::sort(covered.begin(), covered.end());
  double total = 0, end = -1e300;
  for (const auto& [a, b] : covered) {
    if (b <= end) continue;
    total += b - std::max(a, end);
    end = b;
  }
  return total >= 0.75 * want.length();
}

double score_fit(const FormModel& m, const std::vector<Line>& ph, const std::vector<Line>& pv, const Fit& f) {
  const double tol_pos = 1.8 * kWorkPxPerMm, tol_end = 5.0 * kWorkPxPerMm;
  double total = 0, hit = 0;
  for (const Line& l : m.horizontal) {
    const Line w{f.sy * l.pos + f.ty, f.sx * l.from + f.tx, f.sx * l.to + f.tx};
    total += l.length();
    if (near_line(w, ph, tol_pos, tol_end)) hit += l.length();
  }
  for (const Line& l : m.vertical) {
    const Line w{f.sx * l.pos + f.tx, f.sy * l.from + f.ty, f.sy * l.to + f.ty};
    total += l.length();
    if (near_line(w, pv, tol_pos, tol_end)) hit += l.length();
  }
  if (total <= 0) return 0;
  // Page lines the model does not explain (inside the model's page) count against it: another
  // form's table must not pass for this one.
  double page_total = 0, page_hit = 0;
  const double x0 = f.tx + 5 * f.sx, x1 = f.tx + (m.width_mm - 5) * f.sx;
  const double y0 = f.ty + 5 * f.sy, y1 = f.ty + (m.height_mm - 5) * f.sy;
  const double min_len = 30 * kWorkPxPerMm;
  for (const Line& l : ph) {
    if (l.length() < min_len || l.pos < y0 || l.pos > y1 || l.from < x0 - 20 || l.to > x1 + 20) continue;
    page_total += l.length();
    for (const Line& ml : m.horizontal) {
      const Line w{f.sy * ml.pos + f.ty, f.sx * ml.from + f.tx, f.sx * ml.to + f.tx};
      if (std::abs(w.pos - l.pos) <= tol_pos && std::min(l.to, w.to) - std::max(l.from, w.from) >= 0.5 * l.length()) {
        page_hit += l.length();
        break;
      }
    }
  }
  const double explained = page_total > 0 ? page_hit / page_total : 1.0;
  return (hit / total) * explained;
}

}  // namespace

Box Placement::map(double x_mm, double y_mm, double w_mm, double h_mm) const {
  const double a = skew_deg * CV_PI / 180.0, ca = std::cos(a), sa = std::sin(a);
  double xs[4], ys[4];
  const double cxs[4] = {x_mm, x_mm + w_mm, x_mm, x_mm + w_mm}, cys[4] = {y_mm, y_mm, y_mm + h_mm, y_mm + h_mm};
  for (int i = 0; i < 4; ++i) {
    const double dx = sx * cxs[i] + tx - cx, dy = sy * cys[i] + ty - cy;
    xs[i] = ca * dx - sa * dy + cx;
    ys[i] = sa * dx + ca * dy + cy;
  }
  const double x0 = *std::min_element(xs, xs + 4), x1 = *std::max_element(xs, xs + 4);
  const double y0 = *std::min_element(ys, ys + 4), y1 = *std::max_element(ys, ys + 4);
  return Box{static_cast<int>(std::floor(x0)), static_cast<int>(std::floor(y0)),
             static_cast<int>(std::ceil(x1 - x0)), static_cast<int>(std::ceil(y1 - y0))};
}

PageStructure PageStructure::analyse(const Image& page) {
  PageStructure s;
  if (page.empty()) return s;
  const cv::Mat gray = to_gray(ImageAccess::mat(page));
  const double f = kWorkPxPerMm / px_per_mm_of(page);
  // Thin or faint rules (0.1 mm hairlines, light row separators) would average away at the working
  // resolution: take the darkest pixel of each working cell first (a min filter), so every rule
  // printed survives the reduction as dark as it was printed.
  // Into a buffer of its own: `gray` is the page's own pixels when the page is gray or black and
  // white, and the fields are read from those afterwards.
  cv::Mat dark;
  const int cell = static_cast<int>(std::lround(1.0 / f));
  if (cell >= 2) cv::erode(gray, dark, cv::getStructuringElement(cv::MORPH_RECT, {cell, cell}));
  else dark = gray;
  cv::Mat small;
  cv::resize(dark, small, cv::Size(), f, f, cv::INTER_AREA);
  s.scale_ = gray.cols / static_cast<double>(small.cols);
  s.page_w_ = gray.cols;
  s.page_h_ = gray.rows;
  const cv::Mat ink = binarise(small, kWorkPxPerMm, 12);
  s.skew_ = estimate_skew(ink);
  cv::Mat straight;
  cv::warpAffine(ink, straight, cv::getRotationMatrix2D(cv::Point2f(ink.cols / 2.0f, ink.rows / 2.0f), s.skew_, 1.0),
                 ink.size(), cv::INTER_NEAREST, cv::BORDER_CONSTANT, cv::Scalar(0));
  for (int q = 0; q < 4; ++q) {
    cv::Mat r;
    if (q == 0) r = straight;
    else cv::rotate(straight, r, q == 1 ? cv::ROTATE_90_CLOCKWISE : q == 2 ? cv::ROTATE_180 : cv::ROTATE_90_COUNTERCLOCKWISE);
    View& v = s.views_[q];
    v.h = long_lines(r, true, 12.0);
    // A light rule a black-and-white scan's threshold broke into dashes (a table's row rules, gaps
    // up to 2 mm): pieces of 4 mm and more that join, 2 mm apart at most (a form prints no two
    // rules end to end that close), into a line of 12 mm count for the score too (it counts the
    // pieces along a rule together); the anchors below stay the rules found whole, so that a
    // stroke of print beside a rule does not move the form.
    std::vector<Line> dashes;
    {
      const std::vector<Line> pieces = long_lines(r, true, 4.0);
      const std::vector<Line> joined = join_pieces(pieces, 0.5 * kWorkPxPerMm, 2.0 * kWorkPxPerMm);
      for (const Line& p : pieces)
        for (const Line& j : joined)
          if (p.length() < 12.0 * kWorkPxPerMm && j.length() >= 12.0 * kWorkPxPerMm &&
              std::abs(p.pos - j.pos) <= 1.0 * kWorkPxPerMm && p.from >= j.from && p.to <= j.to) {
            dashes.push_back(p);
            break;
          }
    }
    v.v = long_lines(r, false, 5.0);
    // For anchors and spreads, pieces of one rule at most 2 mm apart (a drop-out) are one line: a
    // form prints no two rules end to end that close. Scoring keeps the pieces (near_line counts
    // them together) so that strokes of print lined up in a row do not become a rule it must explain.
    v.h_joined = join_pieces(v.h, 0.5 * kWorkPxPerMm, 2.0 * kWorkPxPerMm);
    v.v_joined = join_pieces(v.v, 0.5 * kWorkPxPerMm, 2.0 * kWorkPxPerMm);
    v.h.insert(v.h.end(), dashes.begin(), dashes.end());
    std::sort(v.h.begin(), v.h.end(), [](const Line& a, const Line& b) { return a.pos < b.pos; });
    v.w = r.cols;
    v.h_px = r.rows;
  }
  return s;
}

std::vector<Line> PageStructure::horizontal_px(int turns) const {
  std::vector<Line> out;
  for (const Line& l : views_[turns & 3].h) out.push_back({l.pos * scale_, l.from * scale_, l.to * scale_});
  return out;
}

std::optional<PageStructure::Spread> PageStructure::find_spread() const {
  const double mm = kWorkPxPerMm;
  // Lines that reach (within `slack`) from `lo` to `hi` at `pos` (within `tol`), pieces counted
  // together.
  auto spans = [](const std::vector<Line>& lines, double pos, double tol, double lo, double hi, double slack) {
    double covered = 0;
    for (const Line& l : lines)
      if (std::abs(l.pos - pos) <= tol) covered += std::max(0.0, std::min(l.to, hi) - std::max(l.from, lo));
    return covered >= (hi - lo) - slack;
  };
  for (int q : {0, 1}) {
    const View& v = views_[q];
    const std::vector<Line>& hl = v.h_joined;
    const std::vector<Line>& vl = v.v_joined;
    for (std::size_t i = 0; i < hl.size(); ++i) {
      const Line& top = hl[i];
      if (top.length() < 100 * mm) continue;
      for (std::size_t j = i + 1; j < hl.size(); ++j) {
        const Line& bottom = hl[j];
        const double from = std::max(top.from, bottom.from), to = std::min(top.to, bottom.to);
        if (std::abs(top.from - bottom.from) > 4 * mm || std::abs(top.to - bottom.to) > 4 * mm) continue;
        const double w = to - from, h = bottom.pos - top.pos;
        if (w < 100 * mm || h < 30 * mm || w < 1.2 * h || w > 3.0 * h) continue;
        const double tol = 2 * mm, slack = 0.1 * h;
        // A side may be cut off by the copy's edge (the booklet laid partly beyond the glass):
        // then the top and bottom rules run to the page's edge. One side at least is there.
        const bool left = spans(vl, from, tol, top.pos, bottom.pos, slack);
        const bool right = spans(vl, to, tol, top.pos, bottom.pos, slack);
        const bool left_cut = !left && from <= 3 * mm, right_cut = !right && to >= v.w - 3 * mm;
        if (!(left || left_cut) || !(right || right_cut) || (left_cut && right_cut)) continue;
        // The fold: a vertical line across the whole height between 35 % and 65 % of the width,
        // and no other inside (a form's table has several), nor a rule across both halves.
        int folds = 0, crossing = 0;
        double last = -1e9;
        for (const Line& l : vl) {
          if (l.pos < from + tol || l.pos > to - tol || l.pos - last < tol) continue;
          if (!spans(vl, l.pos, 0.5 * mm, top.pos, bottom.pos, slack)) continue;
          last = l.pos;
          if (l.pos > from + 0.35 * w && l.pos < from + 0.65 * w) ++folds;
          else ++crossing;
        }
        for (const Line& l : hl)
          if (l.pos > top.pos + tol && l.pos < bottom.pos - tol && l.from < from + 0.3 * w && l.to > to - 0.3 * w) ++crossing;
        if (folds != 1 || crossing > 0) continue;
        Spread out;
        out.turns = q;
        out.box = Box{static_cast<int>(std::lround(from * scale_)), static_cast<int>(std::lround(top.pos * scale_)),
                      static_cast<int>(std::lround(w * scale_)), static_cast<int>(std::lround(h * scale_))};
        return out;
      }
    }
  }
  return std::nullopt;
}

Placement PageStructure::place(const FormModel& model, std::optional<int> turns) const {
  Placement best;
  if (model.horizontal.size() < 2) return best;
  // Anchors: the top-most and bottom-most of the model's long lines.
  double max_len = 0;
  for (const Line& l : model.horizontal) max_len = std::max(max_len, l.length());
  const Line* top = nullptr;
  const Line* bottom = nullptr;
  for (const Line& l : model.horizontal) {
    if (l.length() < 0.6 * max_len) continue;
    if (top == nullptr || l.pos < top->pos) top = &l;
    if (bottom == nullptr || l.pos > bottom->pos) bottom = &l;
  }
  if (top == bottom) return best;
  for (int q = 0; q < 4; ++q) {
    if (turns && *turns != q) continue;
    const View& v = views_[q];
    // Page orientation must agree with the model's (portrait / landscape).
    if ((v.w > v.h_px) != (model.width_mm > model.height_mm)) continue;
    // An anchor's length tells the scale across, unless a mark touching the line's end (a seal's
    // square side stamped on it, a stroke) joined it: such a line is still an anchor for the
    // vertical fit, and the horizontal scale and offset come from the other one.
    auto fits = [](double ratio) { return ratio > 0.85 && ratio < 1.12; };
    auto joined = [](double ratio) { return ratio >= 1.12 && ratio < 1.4; };
    auto ratio = [](const Line& page_line, const Line& model_line) {
      return page_line.length() / (model_line.length() * kWorkPxPerMm);
    };
    std::vector<const Line*> ct, cb;
    for (const Line& l : v.h_joined) {
      const double rt = ratio(l, *top), rb = ratio(l, *bottom);
      if (fits(rt) || joined(rt)) ct.push_back(&l);
      if (fits(rb) || joined(rb)) cb.push_back(&l);
    }
    for (const Line* a : ct) {
      for (const Line* b : cb) {
        if (b->pos <= a->pos) continue;
        Fit fit{};
        fit.sy = (b->pos - a->pos) / (bottom->pos - top->pos);
        if (fit.sy < 0.88 * kWorkPxPerMm || fit.sy > 1.1 * kWorkPxPerMm) continue;
        const bool a_fits = fits(ratio(*a, *top)), b_fits = fits(ratio(*b, *bottom));
        fit.sx = a_fits && b_fits ? 0.5 * (a->length() / top->length() + b->length() / bottom->length()) : fit.sy;
        if (std::abs(fit.sx - fit.sy) > 0.06 * kWorkPxPerMm) fit.sx = fit.sy;  // a broken line: trust y
        const double tx_a = a->from - fit.sx * top->from, tx_b = b->from - fit.sx * bottom->from;
        fit.tx = a_fits == b_fits ? 0.5 * (tx_a + tx_b) : a_fits ? tx_a : tx_b;
        fit.ty = a->pos - fit.sy * top->pos;
        // The form's page lies on the scanned page, give or take a crop and a shifted copy: a fit
        // that puts it 40 mm or more beyond the page's edge (a symmetric model fitted upside down
        // with its lines far from where the form prints them) is not a placement.
        const double off = 40 * kWorkPxPerMm;
        if (fit.tx < -off || fit.ty < -off || fit.tx + fit.sx * model.width_mm > v.w + off ||
            fit.ty + fit.sy * model.height_mm > v.h_px + off)
          continue;
        fit.score = score_fit(model, v.h, v.v, fit);
        if (fit.score > best.score) {
          best.score = fit.score;
          best.quarter_turns = q;
          best.sx = fit.sx * scale_;
          best.sy = fit.sy * scale_;
          best.tx = fit.tx * scale_;
          best.ty = fit.ty * scale_;
          best.skew_deg = skew_;
          best.cx = v.w * scale_ / 2.0;
          best.cy = v.h_px * scale_ / 2.0;
        }
      }
    }
  }
  // Refine the x mapping on the vertical lines found near their expected place (least squares).
  if (best.score > 0 && !model.vertical.empty()) {
    const View& v = views_[best.quarter_turns];
    double n = 0, sm = 0, sp = 0, smm = 0, smp = 0;
    const double sx = best.sx / scale_, tx = best.tx / scale_;
    for (const Line& l : model.vertical) {
      const double want = sx * l.pos + tx;
      const Line* hit = nullptr;
      double bd = 1.5 * kWorkPxPerMm;
      for (const Line& p : v.v)
        if (std::abs(p.pos - want) < bd && p.length() > 0.5 * l.length() * sx) { bd = std::abs(p.pos - want); hit = &p; }
      if (hit == nullptr) continue;
      n += 1; sm += l.pos; sp += hit->pos; smm += l.pos * l.pos; smp += l.pos * hit->pos;
    }
    const double den = n * smm - sm * sm;
    if (n >= 3 && den > 1e-6) {
      const double a = (n * smp - sm * sp) / den;
      if (std::abs(a / sx - 1) < 0.05) {
        best.sx = a * scale_;
        best.tx = (sp - a * sm) / n * scale_;
      }
    }
  }
  return best;
}

CheckReading read_checkbox(const Image& page, Box box) {
  CheckReading out;
  out.box = box;
  const double ppm = px_per_mm_of(page);
  const cv::Rect want(box.x - box.w / 3, box.y - box.h / 3, box.w + 2 * (box.w / 3), box.h + 2 * (box.h / 3));
  const cv::Rect r = want & cv::Rect(0, 0, page.width(), page.height());
  if (r.width < 4 || r.height < 4) return out;
  const cv::Mat gray = to_gray(ImageAccess::mat(page)(r));
  cv::Mat ink;
  cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  double lo, hi;
  cv::minMaxLoc(gray, &lo, &hi);
  if (hi - lo < 60) ink.setTo(0);
  // Remove the printed square: runs nearly as long as its side, measured on the page (the
  // template's box carries registration slack). Half the side would also remove the long stroke
  // of a tick (レ) drawn along the square's edge.
  const int expected = std::min(box.w, box.h);
  auto longest_run = [&](bool horizontal) {
    int best = 0;
    const int outer = horizontal ? ink.rows : ink.cols, inner = horizontal ? ink.cols : ink.rows;
    for (int a = 0; a < outer; ++a) {
      int run = 0;
      for (int b = 0; b <= inner; ++b) {
        const bool on = b < inner && (horizontal ? ink.at<unsigned char>(a, b) != 0 : ink.at<unsigned char>(b, a) != 0);
        if (on) { ++run; continue; }
        if (run <= expected * 13 / 10) best = std::max(best, run);  // a longer run is a ruled line
        run = 0;
      }
    }
    return best;
  };
  const int printed = std::min(longest_run(true), longest_run(false));
  const int side = printed >= expected / 2 ? std::max(4, printed * 17 / 20) : std::max(4, expected / 2);
  cv::Mat hl, vl;
  cv::morphologyEx(ink, hl, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {side, 1}));
  cv::morphologyEx(ink, vl, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {1, side}));
  cv::Mat ruling = hl | vl;
  cv::dilate(ruling, ruling, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  cv::Mat marks = ink & ~ruling;
  cv::morphologyEx(marks, marks, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {2, 2}));
  // The interior of the square (with registration slack the margin absorbs).
  const int inset = std::max(2, static_cast<int>(0.6 * ppm));
  const cv::Rect in = cv::Rect(box.x - r.x + inset, box.y - r.y + inset, box.w - 2 * inset, box.h - 2 * inset) &
                      cv::Rect(0, 0, r.width, r.height);
  if (in.width < 2 || in.height < 2) return out;
  // A filled square (■) is all "ruling" to the opening above: judge it on the raw ink.
  const double raw = cv::countNonZero(ink(in)) / static_cast<double>(in.area());
  if (raw > 0.5) {
    out.ink = raw;
    out.checked = true;
    out.confidence = std::clamp(0.7 + (raw - 0.5), 0.0, 1.0);
    return out;
  }
  out.ink = cv::countNonZero(marks(in)) / static_cast<double>(in.area());
  // An empty square leaves no marks at all once its printed sides are gone; a tick, however thin,
  // covers a few percent of the interior.
  constexpr double kThreshold = 0.015;
  out.checked = out.ink >= kThreshold;
  const double margin = out.checked ? (out.ink - kThreshold) / 0.03 : (kThreshold - out.ink) / kThreshold;
  out.confidence = std::clamp(0.6 + 0.4 * margin, 0.0, 1.0);
  if (!out.checked) {
    // Marks right around an empty-looking square (a tick that missed it, a circle round the label,
    // or a square the registration put slightly off): the box may be ticked after all.
    cv::Mat around = marks.clone();
    const cv::Rect square = cv::Rect(box.x - r.x - inset, box.y - r.y - inset, box.w + 2 * inset, box.h + 2 * inset) &
                            cv::Rect(0, 0, r.width, r.height);
    around(square).setTo(0);
    const double ring = cv::countNonZero(around) / static_cast<double>(std::max(1, r.area() - square.area()));
    if (ring > 0.03) out.confidence = std::min(out.confidence, 0.5);
  }
  return out;
}

namespace {

// Where a seal's ink is counted: the region without the blank form's own marks (and the other
// fields' zones) that `printed` names, each grown by registration slack.
cv::Mat seal_counted_area(cv::Rect r, const std::vector<Box>& printed, double ppm) {
  cv::Mat allowed(r.size(), CV_8UC1, cv::Scalar(255));
  const int slack = px(1.5, ppm);
  for (const Box& b : printed) {
    const cv::Rect grown = cv::Rect(b.x - slack - r.x, b.y - slack - r.y, b.w + 2 * slack, b.h + 2 * slack) &
                           cv::Rect(0, 0, r.width, r.height);
    if (grown.area() > 0) allowed(grown).setTo(0);
  }
  return allowed;
}

// The paper's level in `values` (CV_16S) over the counted area, and its spread (a robust
// standard deviation: 1.48 × the median absolute deviation); a seal covers far less than half.
std::pair<double, double> paper_level(const cv::Mat& values, const cv::Mat& allowed) {
  std::vector<short> v;
  v.reserve(values.total());
  for (int y = 0; y < values.rows; ++y) {
    const auto* p = values.ptr<short>(y);
    const auto* a = allowed.ptr<unsigned char>(y);
    for (int x = 0; x < values.cols; ++x)
      if (a[x] != 0) v.push_back(p[x]);
  }
  if (v.empty()) return {0, 0};
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  const short level = *mid;
  for (auto& x : v) x = static_cast<short>(std::abs(x - level));
  std::nth_element(v.begin(), mid, v.end());
  return {level, 1.4826 * *mid};
}

// Share of the counted area covered by ink, ignoring specks of dust (isolated marks smaller than
// `min_px`).
double seal_share(const cv::Mat& ink, const cv::Mat& allowed, int min_px) {
  cv::Mat kept = ink & allowed;
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(kept, labels, stats, centroids, 8, CV_32S);
  long total = 0;
  for (int i = 1; i < n; ++i) {
    const int a = stats.at<int>(i, cv::CC_STAT_AREA);
    if (a >= min_px) total += a;
  }
  const int area = std::max(1, cv::countNonZero(allowed));
  return static_cast<double>(total) / area;
}

// Dots of ink smaller than `min_px` in `ink` where `allowed` is set.
int dot_count(const cv::Mat& ink, const cv::Mat& allowed, int min_px) {
  cv::Mat kept = ink & allowed;
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(kept, labels, stats, centroids, 8, CV_32S);
  int dots = 0;
  for (int i = 1; i < n; ++i) dots += stats.at<int>(i, cv::CC_STAT_AREA) < min_px ? 1 : 0;
  return dots;
}

// A faint seal on a black-and-white scan: the scanner's threshold kept only the darkest grains of
// its ink, a cloud of dots each smaller than a speck of dust. Dust and the scan's noise scatter
// such dots over the whole page; a seal puts many of them in its zone, far more densely than the
// page has them elsewhere. `dark`: the level below which the zone's ink was counted, for the page
// alike. Returns the zone's density over the page's (0: too few dots to tell).
double bilevel_dot_cloud(const cv::Mat& page_gray, cv::Rect zone, const cv::Mat& zone_ink, const cv::Mat& allowed,
                         int min_px, double dark) {
  constexpr int kMinDots = 20;
  const int dots = dot_count(zone_ink, allowed, min_px);
  if (dots < kMinDots) return 0;
  cv::Mat ink = page_gray < dark;
  ink(zone).setTo(0);
  const int elsewhere = dot_count(ink, cv::Mat(ink.size(), CV_8UC1, cv::Scalar(255)), min_px);
  const double zone_area = std::max(1, cv::countNonZero(allowed));
  const double other_area = std::max(1.0, static_cast<double>(page_gray.total()) - zone.area());
  // A page without any dot elsewhere is taken to have two: one clean page is no proof of none.
  return (dots / zone_area) / (std::max(elsewhere, 2) / other_area);
}

}  // namespace

SealReading detect_seal(const Image& page, Box region, const std::vector<Box>& printed) {
  SealReading out;
  const cv::Rect r = cv::Rect(region.x, region.y, region.w, region.h) & cv::Rect(0, 0, page.width(), page.height());
  out.box = Box{r.x, r.y, r.width, r.height};
  if (r.width < 4 || r.height < 4) return out;
  const double ppm = px_per_mm_of(page);
  const cv::Mat& m = ImageAccess::mat(page);
  const cv::Mat allowed = seal_counted_area(r, printed, ppm);
  // Marks smaller than a dot of dust (about 0.1 mm², a few pixels) are not counted; a faint seal
  // leaves strokes, or at least clusters of dots, above that.
  const int min_px = std::max(2, static_cast<int>(std::lround(0.1 * ppm * ppm)));
  const cv::Size smooth = cv::Size(odd(px(0.3, ppm)), odd(px(0.3, ppm)));
  if (m.channels() == 3) {
    // Red ink: red above green and blue, after a little smoothing, by clearly more than the
    // paper's own variation (a faint impression is red by 25-40 levels).
    std::vector<cv::Mat> ch;
    cv::split(m(r), ch);  // B, G, R
    cv::Mat gb, chroma;
    cv::max(ch[0], ch[1], gb);
    cv::subtract(ch[2], gb, chroma, cv::noArray(), CV_16S);
    cv::blur(chroma, chroma, smooth);
    const auto [level, spread] = paper_level(chroma, allowed);
    const cv::Mat red = chroma > level + std::clamp(6 * spread, 10.0, 24.0);
    out.red = seal_share(red, allowed, min_px);
  }
  // Ink darker than the zone's paper by clearly more than its noise: a faint red impression on a
  // gray scan is 30-50 levels darker than the paper; a black-and-white scan keeps its dots.
  cv::Mat gray = to_gray(m(r));
  // A black-and-white scan, also once deskewed (interpolation grays the edges of its marks): its
  // paper is pure white throughout, where a gray or colour scan's paper has sensor noise.
  const bool bilevel = page.color_mode() == ColorMode::kBlackWhite ||
                       cv::countNonZero((gray == 255) & allowed) >= 0.9 * cv::countNonZero((gray > 200) & allowed);
  cv::Mat gray16;
  gray.convertTo(gray16, CV_16S);
  if (!bilevel) cv::blur(gray16, gray16, smooth);
  const auto [paper, spread] = paper_level(gray16, allowed);
  const double dark = paper - (bilevel ? 100.0 : std::clamp(6 * spread, 12.0, 30.0));
  const cv::Mat ink = gray16 < dark;
  out.ink = seal_share(ink, allowed, min_px);
  constexpr double kRed = 0.002, kInk = 0.004;
  // Red on a colour scan is a seal however faint or partial; on gray and black-and-white scans,
  // ink where the blank form has none.
  const double strength = std::max(out.red / kRed, out.ink / kInk);
  if (strength >= 1.0) {
    out.present = true;
    out.confidence = std::clamp(0.6 + 0.4 * (strength - 1.0) / 4.0, 0.6, 0.99);
    if (out.red < kRed && m.channels() == 3) out.confidence = std::min(out.confidence, 0.8);  // ink, but not red
    return out;
  }
  // A faint seal a black-and-white scan kept as a cloud of dots: a seal, but a clerk looks.
  constexpr double kDenser = 10;
  if (bilevel && bilevel_dot_cloud(to_gray(m), r, ink, allowed, min_px, dark) >= kDenser) {
    out.present = true;
    out.confidence = 0.7;
    return out;
  }
  // "Absent" is a defect the applicant is asked to correct. A zone without any trace on a colour
  // or gray scan is absent with confidence; on a black-and-white scan a faint red seal may fall
  // below the scanner's threshold and leave nothing, so there absence is never certain, and a
  // trace of ink anywhere makes it a guess.
  const bool clean = strength < 0.15;
  out.confidence = !clean ? 0.5 : bilevel ? 0.85 : 0.95;
  return out;
}

namespace {

// Binary ink of a zone (ruled lines and specks removed) plus the gray crop.
struct ZoneInk {
  cv::Rect rect;
  cv::Mat gray, marks, removed;
};

ZoneInk zone_marks(const Image& page, Box zone) {
  ZoneInk z;
  z.rect = cv::Rect(zone.x, zone.y, zone.w, zone.h) & cv::Rect(0, 0, page.width(), page.height());
  if (z.rect.width < 4 || z.rect.height < 4) return z;
  const double ppm = px_per_mm_of(page);
  z.gray = to_gray(ImageAccess::mat(page)(z.rect)).clone();
  cv::Mat ink = binarise(z.gray, ppm, 20);
  double lo, hi;
  cv::minMaxLoc(z.gray, &lo, &hi);
  if (hi - lo < 60) ink.setTo(0);
  cv::Mat hl, vl;
  cv::morphologyEx(ink, hl, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {px(8.0, ppm), 1}));
  const int vlen = std::max(px(4.0, ppm), static_cast<int>(0.85 * z.rect.height));
  cv::morphologyEx(ink, vl, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {1, vlen}));
  cv::Mat ruling = hl | vl;
  cv::dilate(ruling, ruling, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  z.marks = ink & ~ruling;
  z.removed = ruling.clone();
  // Specks: components smaller than about 0.35 mm square.
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(z.marks, labels, stats, centroids, 8, CV_32S);
  const int min_area = std::max(3, static_cast<int>(0.12 * ppm * ppm));
  // Slivers: a ruling line just outside the zone, of which the zone's edge cuts a strip one or two
  // pixels thick (the page a little skewed, so only part of its length): too short for the
  // opening above, yet a tall bar beside the text that makes Tesseract read nothing at all.
  const int sliver = std::max(2, px(0.2, ppm));
  const int cols = z.marks.cols, rows = z.marks.rows;
  for (int i = 1; i < n; ++i) {
    const int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    const bool side = (x == 0 || x + w == cols) && w <= sliver && h >= 4 * w;
    const bool end = (y == 0 || y + h == rows) && h <= sliver && w >= 4 * h;
    if (stats.at<int>(i, cv::CC_STAT_AREA) >= min_area && !side && !end) continue;
    const cv::Mat speck = labels == i;
    z.marks.setTo(0, speck);
    z.removed.setTo(255, speck);
  }
  return z;
}

}  // namespace

double zone_ink(const Image& page, Box zone, Box* ink_box) {
  const ZoneInk z = zone_marks(page, zone);
  if (z.marks.empty()) return 0;
  const int n = cv::countNonZero(z.marks);
  if (ink_box != nullptr) {
    if (n > 0) {
      const cv::Rect b = cv::boundingRect(z.marks);
      *ink_box = Box{b.x + z.rect.x, b.y + z.rect.y, b.width, b.height};
    } else {
      *ink_box = Box{z.rect.x, z.rect.y, z.rect.width, z.rect.height};
    }
  }
  return n / static_cast<double>(z.rect.area());
}

Image clean_zone(const Image& page, Box zone) {
  ZoneInk z = zone_marks(page, zone);
  if (z.gray.empty()) return Image();
  z.gray.setTo(255, z.removed);
  return ImageAccess::make(z.gray, page.dpi(), page.dpi_from_file(), ColorMode::kGray);
}

PreparedZone prepare_zone(const Image& page, Box zone, bool single_line, double max_mark_mm, bool numbers) {
  PreparedZone out;
  out.ink_box = zone;
  ZoneInk z = zone_marks(page, zone);
  if (z.marks.empty()) return out;
  const double ppm = px_per_mm_of(page);
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(z.marks, labels, stats, centroids, 8, CV_32S);
  if (n <= 1) return out;
  const int rows = z.marks.rows;
  struct Comp { int top, bottom, area; bool keep; };
  std::vector<Comp> comps(static_cast<std::size_t>(n));
  const int max_mark = max_mark_mm > 0 ? px(max_mark_mm, ppm) : 0;
  for (int i = 1; i < n; ++i) {
    const int top = stats.at<int>(i, cv::CC_STAT_TOP);
    comps[i] = {top, top + stats.at<int>(i, cv::CC_STAT_HEIGHT), stats.at<int>(i, cv::CC_STAT_AREA), true};
    if (max_mark > 0 && (stats.at<int>(i, cv::CC_STAT_WIDTH) > max_mark || stats.at<int>(i, cv::CC_STAT_HEIGHT) > max_mark)) {
      comps[i].keep = false;
      comps[i].area = 0;  // no weight in finding the line either
    }
  }
  // The main line: the band of rows holding the most ink, grown over rows that carry ink with gaps
  // shorter than about 0.8 mm (the space inside 三 or between a kana's strokes).
  std::vector<int> profile(static_cast<std::size_t>(rows), 0);
  for (int i = 1; i < n; ++i)
    if (comps[i].keep)
      for (int y = comps[i].top; y < comps[i].bottom; ++y) profile[y] += 1;
  const int max_gap = px(0.8, ppm);
  int band_top = 0, band_bottom = rows;
  if (single_line) {
    long best_mass = -1;
    for (int y = 0; y < rows;) {
      if (profile[y] == 0) { ++y; continue; }
      int end = y, gap = 0;
      for (int k = y; k < rows; ++k) {
        if (profile[k] > 0) { end = k + 1; gap = 0; }
        else if (++gap > max_gap) break;
      }
      long mass = 0;
      for (int i = 1; i < n; ++i)
        if (comps[i].top < end && comps[i].bottom > y) mass += comps[i].area;
      if (mass > best_mass) { best_mass = mass; band_top = y; band_bottom = end; }
      y = end;
    }
  }
  const int edge = std::max(1, px(0.3, ppm));
  for (int i = 1; i < n; ++i) {
    Comp& c = comps[i];
    if (!c.keep) continue;
    const int overlap = std::min(c.bottom, band_bottom) - std::max(c.top, band_top);
    if (single_line && overlap * 2 < (c.bottom - c.top)) c.keep = false;
    // Cut by the zone's top or bottom edge and mostly outside: part of a neighbour.
    const bool cut = c.top <= edge || c.bottom >= rows - edge;
    if (cut && overlap * 2 < (c.bottom - c.top)) c.keep = false;
  }
  if (single_line) {
    // Dust on the line: a mark under three tenths of the line's height either way that stands a
    // line's height or more from every larger mark kept (a dot of dust before a number, larger
    // than a speck, which the engine read as a digit: 932 for 32). A comma, a point, a hyphen or
    // a voicing mark stands within a character's width of its neighbours.
    const int line_h = band_bottom - band_top, small = line_h * 3 / 10;
    const auto tiny = [&](int i) {
      return stats.at<int>(i, cv::CC_STAT_WIDTH) <= small && stats.at<int>(i, cv::CC_STAT_HEIGHT) <= small;
    };
    for (int i = 1; i < n; ++i) {
      if (!comps[i].keep || !tiny(i)) continue;
      const int x0 = stats.at<int>(i, cv::CC_STAT_LEFT), x1 = x0 + stats.at<int>(i, cv::CC_STAT_WIDTH);
      int gap = std::numeric_limits<int>::max();
      for (int j = 1; j < n; ++j) {
        if (j == i || !comps[j].keep || tiny(j)) continue;
        const int y0 = stats.at<int>(j, cv::CC_STAT_LEFT), y1 = y0 + stats.at<int>(j, cv::CC_STAT_WIDTH);
        gap = std::min(gap, std::max({0, y0 - x1, x0 - y1}));
      }
      if (gap != std::numeric_limits<int>::max() && gap >= line_h) comps[i].keep = false;
      // In a number, a dot apart from every digit whose middle stands in the line's upper part.
      const double mid_y = stats.at<int>(i, cv::CC_STAT_TOP) + stats.at<int>(i, cv::CC_STAT_HEIGHT) / 2.0;
      if (numbers && gap != std::numeric_limits<int>::max() && gap > 0 && mid_y < band_top + 0.4 * line_h)
        comps[i].keep = false;
    }
  }
  cv::Mat keep = cv::Mat::zeros(z.marks.size(), CV_8U);
  for (int y = 0; y < rows; ++y) {
    const int* l = labels.ptr<int>(y);
    unsigned char* k = keep.ptr<unsigned char>(y);
    for (int x = 0; x < z.marks.cols; ++x)
      if (l[x] > 0 && comps[l[x]].keep) k[x] = 255;
  }
  const int kept = cv::countNonZero(keep);
  out.ink = kept / static_cast<double>(z.rect.area());
  if (kept == 0) return out;
  const cv::Rect b = cv::boundingRect(keep);
  out.ink_box = Box{b.x + z.rect.x, b.y + z.rect.y, b.width, b.height};
  // The ink's own gray (anti-aliased edges included) on white.
  cv::Mat halo;
  cv::dilate(keep, halo, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  cv::Mat clean(z.gray.size(), CV_8U, cv::Scalar(255));
  z.gray.copyTo(clean, halo);
  const int m = px(0.5, ppm);
  const cv::Rect crop = cv::Rect(b.x - m, b.y - m, b.width + 2 * m, b.height + 2 * m) & cv::Rect(0, 0, clean.cols, clean.rows);
  out.image = ImageAccess::make(clean(crop).clone(), page.dpi(), page.dpi_from_file(), ColorMode::kGray);
  out.image_box = Box{crop.x + z.rect.x, crop.y + z.rect.y, crop.width, crop.height};
  return out;
}

std::optional<char> digit_by_holes(const Image& page, Box glyph) {
  const cv::Rect r = cv::Rect(glyph.x, glyph.y, glyph.w, glyph.h) & cv::Rect(0, 0, page.width(), page.height());
  if (r.width < 5 || r.height < 8) return std::nullopt;
  const cv::Mat gray = to_gray(ImageAccess::mat(page)(r));
  cv::Mat ink;
  cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  std::vector<std::vector<cv::Point>> contours;
  std::vector<cv::Vec4i> tree;
  cv::findContours(ink, contours, tree, cv::RETR_CCOMP, cv::CHAIN_APPROX_SIMPLE);
  // The glyph: the largest outer contour, which must hold nearly all the ink's height.
  int outer = -1;
  double largest = 0;
  for (int i = 0; i < static_cast<int>(contours.size()); ++i) {
    if (tree[i][3] != -1) continue;
    const double a = cv::contourArea(contours[i]);
    if (a > largest) largest = a, outer = i;
  }
  if (outer < 0) return std::nullopt;
  const cv::Rect body = cv::boundingRect(contours[outer]);
  if (body.height < 8 || body.height < r.height / 2) return std::nullopt;
  std::vector<cv::Rect> holes;
  for (int h = tree[outer][2]; h >= 0; h = tree[h][0])
    if (cv::contourArea(contours[h]) >= 0.01 * body.area()) holes.push_back(cv::boundingRect(contours[h]));
  if (holes.size() == 2) {
    // 8's holes sit one above the other; a slashed zero's (Ø, common in passbook print) side by
    // side along the slash, overlapping in height.
    const int overlap = std::min(holes[0].y + holes[0].height, holes[1].y + holes[1].height) - std::max(holes[0].y, holes[1].y);
    const int smaller = std::min(holes[0].height, holes[1].height);
    if (overlap > smaller / 4) return '0';
    return '8';
  }
  if (holes.size() != 1) return std::nullopt;
  const double top = (holes[0].y - body.y) / static_cast<double>(body.height);
  const double bottom = (holes[0].y + holes[0].height - body.y) / static_cast<double>(body.height);
  if (top < 0.25 && bottom > 0.75) return '0';
  if (top < 0.3 && bottom < 0.7) return '9';
  if (top > 0.3 && bottom > 0.75) return '6';
  return std::nullopt;
}

std::vector<Image> postmark_date_lines(const Image& page, Box zone) {
  std::vector<Image> out;
  const double ppm = px_per_mm_of(page);
  // A postmark's ring is 16..28 mm across and may be stamped partly outside the zone: search
  // around it by about a radius.
  const int grow = px(12.0, ppm);
  const cv::Rect region = cv::Rect(zone.x - grow, zone.y - grow, zone.w + 2 * grow, zone.h + 2 * grow) &
                          cv::Rect(0, 0, page.width(), page.height());
  if (region.width < px(16.0, ppm) || region.height < px(16.0, ppm)) return out;
  const cv::Mat gray = to_gray(ImageAccess::mat(page)(region)).clone();
  cv::Mat ink = binarise(gray, ppm, 20);
  double lo, hi;
  cv::minMaxLoc(gray, &lo, &hi);
  if (hi - lo < 60) return out;

  // The ring: of the circles the Hough transform proposes, the one whose circumference is most
  // covered by ink (a ring cut by the region's edge counts only its visible part, against the
  // whole circumference).
  cv::Mat blurred;
  cv::GaussianBlur(gray, blurred, {5, 5}, 1.5);
  std::vector<cv::Vec3f> circles;
  cv::HoughCircles(blurred, circles, cv::HOUGH_GRADIENT, 2, px(3.0, ppm), 100, 40, px(8.0, ppm), px(14.0, ppm));
  cv::Mat thick;
  cv::dilate(ink, thick, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  double best_support = 0;
  cv::Vec3f ring;
  for (const auto& c : circles) {
    int on = 0;
    for (int k = 0; k < 360; ++k) {
      const int x = static_cast<int>(std::lround(c[0] + c[2] * std::cos(k * CV_PI / 180)));
      const int y = static_cast<int>(std::lround(c[1] + c[2] * std::sin(k * CV_PI / 180)));
      if (x >= 0 && y >= 0 && x < thick.cols && y < thick.rows && thick.at<unsigned char>(y, x) != 0) ++on;
    }
    if (on / 360.0 > best_support) { best_support = on / 360.0; ring = c; }
  }
  if (best_support < 0.5) return out;
  const cv::Point2f centre(ring[0], ring[1]);
  const float radius = ring[2];
  // The zone must hold part of the ring's inside, or the ring is someone else's.
  const cv::Rect zone_local = cv::Rect(zone.x - region.x, zone.y - region.y, zone.w, zone.h);
  if ((zone_local & cv::Rect(static_cast<int>(centre.x - radius), static_cast<int>(centre.y - radius),
                             static_cast<int>(2 * radius), static_cast<int>(2 * radius))).area() == 0)
    return out;

  // Straight lines (a stamp's frame) longer than any glyph, and everything outside the ring.
  cv::Mat hl, vl;
  cv::morphologyEx(ink, hl, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {px(4.0, ppm), 1}));
  cv::morphologyEx(ink, vl, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {1, px(4.0, ppm)}));
  const cv::Mat dot = cv::getStructuringElement(cv::MORPH_RECT, {3, 3});
  cv::dilate(hl, hl, dot);
  cv::dilate(vl, vl, dot);
  cv::Mat inside = cv::Mat::zeros(ink.size(), CV_8U);
  cv::circle(inside, centre, std::max(1, static_cast<int>(radius) - px(0.8, ppm)), 255, -1);
  cv::Mat marks = ink & ~(hl | vl) & inside;
  // A stroke a line ran through is cut in two; bridge the cut where there is ink on both sides.
  {
    const int w = px(0.6, ppm) | 1;
    cv::Mat across_v, across_h;
    cv::morphologyEx(marks, across_v, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, {w, 1}));
    cv::morphologyEx(marks, across_h, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, {1, w}));
    marks |= ((across_v & vl) | (across_h & hl)) & inside;
  }
  // Specks and what is left of the ring and the lines: larger than any glyph.
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(marks, labels, stats, centroids, 8, CV_32S);
  std::vector<unsigned char> kept(static_cast<std::size_t>(n), 0);
  {
    const int min_area = std::max(3, static_cast<int>(0.12 * ppm * ppm));
    const int max_mark = px(7.0, ppm);
    for (int i = 1; i < n; ++i)
      kept[i] = stats.at<int>(i, cv::CC_STAT_AREA) >= min_area && stats.at<int>(i, cv::CC_STAT_WIDTH) <= max_mark &&
                stats.at<int>(i, cv::CC_STAT_HEIGHT) <= max_mark;
  }
  // The date is the line through the ring's centre. Its characters are the marks that cross the
  // row of ink nearest the centre (what is left of the ring, taller than the line's characters,
  // set aside); the line's band is their rows, and every mark centred in the band belongs to it
  // (the dots at its foot). Lines above and below may come closer than any gap a row profile
  // could require (a small stamp's office name sits on the date), marks do not cross them.
  const auto top_of = [&](int i) { return stats.at<int>(i, cv::CC_STAT_TOP); };
  const auto bottom_of = [&](int i) { return top_of(i) + stats.at<int>(i, cv::CC_STAT_HEIGHT); };
  int through = -1;
  double nearest = 1e9;
  for (int i = 1; i < n; ++i) {
    if (!kept[i] || stats.at<int>(i, cv::CC_STAT_HEIGHT) < px(1.0, ppm)) continue;
    const double d = top_of(i) > centre.y ? top_of(i) - centre.y : bottom_of(i) <= centre.y ? centre.y - bottom_of(i) + 1 : 0;
    if (d < nearest) nearest = d, through = i;
  }
  if (through < 0 || nearest > radius / 2) return out;
  const double row = std::clamp<double>(centre.y, top_of(through), bottom_of(through) - 1);
  std::vector<int> crossing;
  for (int i = 1; i < n; ++i)
    if (kept[i] && top_of(i) <= row && bottom_of(i) > row) crossing.push_back(i);
  std::vector<int> heights;
  for (int i : crossing) heights.push_back(stats.at<int>(i, cv::CC_STAT_HEIGHT));
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
  const int usual = heights[heights.size() / 2];
  int top = marks.rows, bottom = 0;
  for (int i : crossing)
    if (stats.at<int>(i, cv::CC_STAT_HEIGHT) * 2 <= usual * 3) top = std::min(top, top_of(i)), bottom = std::max(bottom, bottom_of(i));
  if (top >= bottom) return out;
  cv::Mat line = cv::Mat::zeros(marks.size(), CV_8U);
  {
    const int slack = (bottom - top) / 4;
    std::vector<unsigned char> in_line(static_cast<std::size_t>(n), 0);
    for (int i = 1; i < n; ++i) {
      const double cy = centroids.at<double>(i, 1);
      in_line[i] = kept[i] && cy >= top && cy < bottom && top_of(i) >= top - slack && bottom_of(i) <= bottom + slack;
    }
    for (int y = 0; y < marks.rows; ++y) {
      const int* l = labels.ptr<int>(y);
      unsigned char* o = line.ptr<unsigned char>(y);
      for (int x = 0; x < marks.cols; ++x)
        if (l[x] > 0 && in_line[l[x]]) o[x] = 255;
    }
  }
  const cv::Rect b = cv::boundingRect(line);
  const int m = px(1.0, ppm);
  const cv::Rect crop = cv::Rect(b.x - m, b.y - m, b.width + 2 * m, b.height + 2 * m) & cv::Rect(0, 0, gray.cols, gray.rows);
  // The ink's own gray on white, as prepare_zone gives it.
  auto render = [&](const cv::Mat& keep) {
    cv::Mat halo;
    cv::dilate(keep, halo, dot);
    cv::Mat clean(gray.size(), CV_8U, cv::Scalar(255));
    gray.copyTo(clean, halo);
    return ImageAccess::make(clean(crop).clone(), page.dpi(), page.dpi_from_file(), ColorMode::kGray);
  };
  out.push_back(render(line));
  cv::Mat with_lines = cv::Mat::zeros(ink.size(), CV_8U);
  ink(b).copyTo(with_lines(b));
  out.push_back(render(with_lines));
  return out;
}

SplitLine split_voiced_marks(const Image& page, Box line) {
  SplitLine out;
  const ZoneInk z = zone_marks(page, line);
  if (z.marks.empty() || cv::countNonZero(z.marks) == 0) return out;
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(z.marks, labels, stats, centroids, 8, CV_32S);
  struct Comp { int x0, x1, y0, y1; bool mark = false; };
  std::vector<Comp> comps;
  comps.reserve(static_cast<std::size_t>(n));
  int tallest = 0;
  for (int i = 0; i < n; ++i) {
    const int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
    comps.push_back({x, x + stats.at<int>(i, cv::CC_STAT_WIDTH), y, y + stats.at<int>(i, cv::CC_STAT_HEIGHT)});
    if (i > 0) tallest = std::max(tallest, comps.back().y1 - comps.back().y0);
  }
  // The text band: from the top of the tall glyphs to the bottom of the lowest ink among them.
  int top = z.marks.rows, bottom = 0;
  for (int i = 1; i < n; ++i)
    if (comps[i].y1 - comps[i].y0 >= tallest / 2) top = std::min(top, comps[i].y0), bottom = std::max(bottom, comps[i].y1);
  const int h = std::max(1, bottom - top);
  out.text_height = h;
  for (int i = 1; i < n; ++i) {
    const Comp& c = comps[i];
    comps[i].mark = c.y0 >= top - h / 10 && c.y1 <= top + h * 45 / 100 && c.y1 - c.y0 <= h * 4 / 10 && c.x1 - c.x0 <= h / 2;
  }
  // A candidate under which (or over which) another glyph's ink runs is part of that glyph (the
  // dots of ｼ and ﾂ, the top stroke of ﾆ).
  std::vector<int> candidates;
  for (int i = 1; i < n; ++i) {
    if (!comps[i].mark) continue;
    const Comp& c = comps[i];
    bool inside = false, after_glyph = false;
    for (int j = 1; j < n && !inside; ++j) {
      if (j == i || comps[j].mark) continue;
      const int overlap = std::min(c.x1, comps[j].x1) - std::max(c.x0, comps[j].x0);
      inside = overlap * 10 > (c.x1 - c.x0) * 3;
      after_glyph = after_glyph || comps[j].x1 <= c.x0 + (c.x1 - c.x0) / 2;
    }
    if (!inside && after_glyph) candidates.push_back(i);
  }
  std::sort(candidates.begin(), candidates.end(), [&](int a, int b) { return comps[a].x0 < comps[b].x0; });
  // Neighbouring candidates closer than a quarter of the line's height are one mark (ﾞ is two
  // strokes).
  struct Group { int x0, x1; std::vector<int> parts; };
  std::vector<Group> groups;
  for (int i : candidates) {
    if (!groups.empty() && comps[i].x0 - groups.back().x1 < h / 4) {
      groups.back().x1 = std::max(groups.back().x1, comps[i].x1);
      groups.back().parts.push_back(i);
    } else {
      groups.push_back({comps[i].x0, comps[i].x1, {i}});
    }
  }
  // Columns to cut: those of a mark that carry no other ink.
  cv::Mat other = z.marks.clone();
  for (const Group& g : groups)
    for (int i : g.parts) other.setTo(0, labels == i);
  std::vector<char> cut(static_cast<std::size_t>(z.marks.cols), 0);
  for (const Group& g : groups) {
    VoicedMark m;
    // ﾟ is a ring: one stroke around a hole. ﾞ is two short strokes, which merge into one blot at
    // 200–300 dpi.
    if (g.parts.size() == 1) {
      const Comp& c = comps[g.parts[0]];
      cv::Mat one = (labels(cv::Rect(c.x0, c.y0, c.x1 - c.x0, c.y1 - c.y0)) == g.parts[0]);
      std::vector<std::vector<cv::Point>> contours;
      std::vector<cv::Vec4i> hierarchy;
      cv::findContours(one, contours, hierarchy, cv::RETR_CCOMP, cv::CHAIN_APPROX_SIMPLE);
      for (const auto& hv : hierarchy) m.semi = m.semi || hv[3] >= 0;
    }
    int removed_before = 0;
    for (int x = 0; x < g.x0; ++x) removed_before += cut[static_cast<std::size_t>(x)];
    m.x = g.x0 - removed_before;
    for (int x = g.x0; x < g.x1; ++x)
      if (cv::countNonZero(other.col(x)) == 0) cut[static_cast<std::size_t>(x)] = 1;
    // The blank after the mark goes too: the glyphs on either side are then as far apart as any
    // two. A blank as wide as a word space is remembered instead.
    int after = 0;
    for (int x = g.x1; x < other.cols && cv::countNonZero(other.col(x)) == 0; ++x) ++after;
    m.space_after = after > h * 4 / 10 && g.x1 + after < other.cols;
    for (int x = g.x1; x < g.x1 + after; ++x) cut[static_cast<std::size_t>(x)] = 1;
    out.marks.push_back(m);
  }
  // The line's gray with ruling, specks and marks whitened, the cut columns left out.
  cv::Mat gray = z.gray.clone();
  cv::Mat halo;
  cv::dilate(other, halo, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  gray.setTo(255, ~halo);
  std::vector<cv::Mat> kept;
  for (int x = 0; x < gray.cols; ++x)
    if (!cut[static_cast<std::size_t>(x)]) kept.push_back(gray.col(x));
  if (kept.empty()) return out;
  cv::Mat joined;
  cv::hconcat(kept, joined);
  out.line = ImageAccess::make(joined, page.dpi(), page.dpi_from_file(), ColorMode::kGray);
  return out;
}

Image flatten_background(const Image& page) {
  if (page.empty()) return page;
  const cv::Mat gray = to_gray(ImageAccess::mat(page));
  // The paper's brightness: a closing wider than any stroke removes the print and keeps the tint.
  const int k = odd(px(1.5, px_per_mm_of(page)));
  cv::Mat paper;
  cv::morphologyEx(gray, paper, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
  cv::Mat flat;
  cv::divide(gray, paper, flat, 255.0);
  return ImageAccess::make(flat, page.dpi(), page.dpi_from_file(), ColorMode::kGray);
}

std::string normalize_nfkc(const std::string& s) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status) || n == nullptr) return s;
  const icu::UnicodeString in = icu::UnicodeString::fromUTF8(s);
  icu::UnicodeString out = n->normalize(in, status);
  if (U_FAILURE(status)) return s;
  std::string r;
  out.toUTF8String(r);
  return r;
}

}  // namespace ocr
