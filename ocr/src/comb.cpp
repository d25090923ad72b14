// Comb boxes: find a row of N ruled cells in a search region and read one character per cell.
//
// The steps: deskew the region (projection profile over ±3°), binarise (adaptive, so the form's
// grey label shading stays background), keep vertical strokes with a morphological opening, find
// the cells+1 separators as equally spaced vertical segments of similar height, then, per cell,
// remove the ruling, decide filled/empty by ink and read the filled ones one by one.
#include "ocr/comb.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>
#include <utility>

#include "digits_impl.h"
#include "image_impl.h"
#include "skew.h"

namespace ocr {
namespace {

struct Segment {
  double x;         // centre column
  int top, bottom;  // rows, inclusive
  int width;
  int height() const { return bottom - top + 1; }
};

struct Row {
  double x0 = 0, pitch = 0;   // separator k sits at x0 + k * pitch
  int top = 0, bottom = 0;    // the top and bottom ruling
  int line_width = 1;
  std::vector<double> seps;   // cells+1 separator columns (measured where found, else interpolated)
  int matched = 0;
};

int odd(int v) { return std::max(3, v | 1); }

cv::Mat binarise(const cv::Mat& gray, double px_per_mm) {
  cv::Mat ink;
  cv::adaptiveThreshold(gray, ink, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV,
                        odd(static_cast<int>(std::lround(4.0 * px_per_mm))), 18);
  return ink;
}

// The rotation (degrees) that makes the region's horizontal ruling horizontal.
double estimate_skew(const cv::Mat& ink) {
  // Work on a reduced copy: the table lines are long, so 1/2 resolution keeps 0.05° precision.
  cv::Mat small;
  const double f = ink.cols > 800 ? 800.0 / ink.cols : 1.0;
  cv::resize(ink, small, cv::Size(), f, f, cv::INTER_AREA);
  return detail::projection_skew(small, {.range = 3.0, .step = 0.25, .fine_range = 0.25, .fine_step = 0.05, .columns = false});
}

std::vector<Segment> vertical_segments(const cv::Mat& ink, double px_per_mm) {
  cv::Mat v;
  // Bridge small breaks (dropouts in black-and-white scans), then keep only long vertical runs.
  const int bridge = std::max(1, static_cast<int>(std::lround(0.4 * px_per_mm)));
  cv::morphologyEx(ink, v, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, {1, 2 * bridge + 1}));
  const int len = std::max(5, static_cast<int>(std::lround(3.8 * px_per_mm)));
  cv::morphologyEx(v, v, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {1, len}));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(v, labels, stats, centroids, 8, CV_32S);
  std::vector<Segment> out;
  for (int i = 1; i < n; ++i) {
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH);
    const int h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    if (w > 2.0 * px_per_mm) continue;  // a blob, not a line
    out.push_back({centroids.at<double>(i, 0), stats.at<int>(i, cv::CC_STAT_TOP),
                   stats.at<int>(i, cv::CC_STAT_TOP) + h - 1, w});
  }
  std::sort(out.begin(), out.end(), [](const Segment& a, const Segment& b) { return a.x < b.x; });
  return out;
}

bool similar_span(const Segment& a, const Segment& b) {
  const double h = std::max(a.height(), b.height());
  return std::abs(a.top - b.top) < 0.2 * h && std::abs(a.bottom - b.bottom) < 0.2 * h;
}

// The best run of cells+1 equally spaced separators of similar height.
std::optional<Row> find_row(const std::vector<Segment>& segs, int cells, double px_per_mm) {
  std::optional<Row> best;
  double best_err = 0;
  const int n = static_cast<int>(segs.size());
  for (int i = 0; i < n; ++i) {
    const Segment& a = segs[static_cast<std::size_t>(i)];
    if (a.height() < 4.0 * px_per_mm || a.height() > 14.0 * px_per_mm) continue;
    for (int j = i + 1; j < n; ++j) {
      const Segment& b = segs[static_cast<std::size_t>(j)];
      if (!similar_span(a, b)) continue;
      for (int m = 1; m <= cells; ++m) {
        const double pitch = (b.x - a.x) / m;
        if (pitch < 0.5 * a.height() || pitch > 1.8 * a.height() || pitch < 3.0 * px_per_mm) continue;
        for (int k0 = 0; k0 + m <= cells && k0 <= 1; ++k0) {  // a may be separator 0 or 1
          const double x0 = a.x - k0 * pitch;
          Row r;
          r.x0 = x0;
          r.pitch = pitch;
          double err = 0;
          std::vector<int> tops, bottoms, widths;
          std::vector<double> found(static_cast<std::size_t>(cells + 1), -1.0);
          for (int k = 0; k <= cells; ++k) {
            const double want = x0 + k * pitch;
            double best_d = 0.15 * pitch;
            const Segment* hit = nullptr;
            for (const Segment& s : segs) {
              if (s.x < want - best_d) continue;
              if (s.x > want + best_d) break;
              if (!similar_span(a, s)) continue;
              best_d = std::abs(s.x - want);
              hit = &s;
            }
            if (hit != nullptr) {
              ++r.matched;
              err += best_d;
              found[static_cast<std::size_t>(k)] = hit->x;
              tops.push_back(hit->top);
              bottoms.push_back(hit->bottom);
              widths.push_back(hit->width);
            }
          }
          if (r.matched < cells - 1) continue;  // tolerate two missing separators
          err /= r.matched;
          if (best && (r.matched < best->matched || (r.matched == best->matched && err >= best_err))) continue;
          auto median = [](std::vector<int> v) {
            std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
            return v[v.size() / 2];
          };
          r.top = median(tops);
          r.bottom = median(bottoms);
          r.line_width = std::max(1, median(widths));
          // Refit the pitch on the separators found (least squares on k).
          double sk = 0, sx = 0, skk = 0, skx = 0;
          int cnt = 0;
          for (int k = 0; k <= cells; ++k) {
            const double x = found[static_cast<std::size_t>(k)];
            if (x < 0) continue;
            sk += k; sx += x; skk += double(k) * k; skx += k * x; ++cnt;
          }
          const double den = cnt * skk - sk * sk;
          if (den > 0) {
            r.pitch = (cnt * skx - sk * sx) / den;
            r.x0 = (sx - r.pitch * sk) / cnt;
          }
          r.seps.clear();
          for (int k = 0; k <= cells; ++k) {
            const double x = found[static_cast<std::size_t>(k)];
            r.seps.push_back(x >= 0 ? x : r.x0 + k * r.pitch);
          }
          best = r;
          best_err = err;
        }
      }
    }
  }
  return best;
}

}  // namespace

namespace detail {

// Ink in a cell interior, without specks.
cv::Mat clean_cell(const cv::Mat& ink_cell, int min_area) {
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(ink_cell, labels, stats, centroids, 8, CV_32S);
  int largest = 0, stroke = 0;  // the glyph's main stroke: its largest component
  for (int i = 1; i < n; ++i)
    if (stats.at<int>(i, cv::CC_STAT_AREA) > largest) largest = stats.at<int>(i, cv::CC_STAT_AREA), stroke = i;
  const auto box = [&](int i) {
    return cv::Rect(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP), stats.at<int>(i, cv::CC_STAT_WIDTH),
                    stats.at<int>(i, cv::CC_STAT_HEIGHT));
  };
  // Specks: absolutely small, or much smaller than the glyph (scanner dust beside a digit).
  // Bits touching the interior's edge are ruling remnants or a neighbour's ink unless large.
  const int keep = std::max(min_area, largest / 10);
  const int keep_at_edge = std::max(min_area, largest * 3 / 10);
  // A small bit off a corner of the glyph's main stroke — beside it neither across nor down, where
  // no part of a digit broken by a faint scan lies — is dust too (a dot by a zero read as a 4).
  // So is a dot beside it, above it or below it, no wider or taller than a third of the stroke's
  // height (a dot left of a 1, another under a 2's foot: both read as a 4 by the classifier); a
  // dot within the stroke's box (a dotted zero's) stays.
  const auto off_a_corner = [&](int i) {
    const cv::Rect a = box(stroke), b = box(i);
    const bool across = b.x < a.x + a.width && a.x < b.x + b.width, down = b.y < a.y + a.height && a.y < b.y + b.height;
    const bool dot = b.width * 3 <= a.height && b.height * 3 <= a.height;
    return (dot ? !(across && down) : !across && !down) && stats.at<int>(i, cv::CC_STAT_AREA) * 4 < largest;
  };
  // A remnant of the ruling inside the cell: a black-and-white scan breaks the comb's lines into
  // dashes the line removal's long opening misses, left as a thin bar across most of the cell,
  // wider (or taller) than the glyph, which the engine and the classifier read with the digit (a 1
  // over a bar read 5). No part of a digit is both that thin and wider than the digit.
  const auto ruling_remnant = [&](int i) {
    const cv::Rect a = box(stroke), b = box(i);
    const bool across = b.height * 6 <= b.width && b.width * 20 >= ink_cell.cols * 11 && b.width * 5 > a.width * 6;
    const bool down = b.width * 6 <= b.height && b.height * 20 >= ink_cell.rows * 15 && b.height * 5 > a.height * 6;
    return across || down;
  };
  // A mark at the middle of the glyph's box (the middle third either way) is a dotted zero's dot,
  // however small beside the ring: taken for dust, the zero left was read as a 6. Dust there
  // touches the strokes of most digits.
  const auto at_the_middle = [&](int i) {
    const cv::Rect a = box(stroke);
    const double cx = centroids.at<double>(i, 0), cy = centroids.at<double>(i, 1);
    return cx * 3 > a.x * 3 + a.width && cx * 3 < a.x * 3 + 2 * a.width && cy * 3 > a.y * 3 + a.height &&
           cy * 3 < a.y * 3 + 2 * a.height;
  };
  cv::Mat out = cv::Mat::zeros(ink_cell.size(), CV_8UC1);
  for (int i = 1; i < n; ++i) {
    const int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    const bool at_edge = x == 0 || y == 0 || x + w == ink_cell.cols || y + h == ink_cell.rows;
    const int least = at_edge ? keep_at_edge : i != stroke && at_the_middle(i) ? min_area : keep;
    if (stats.at<int>(i, cv::CC_STAT_AREA) < least || (i != stroke && off_a_corner(i))) continue;
    if (i != stroke && ruling_remnant(i)) continue;
    out.setTo(255, labels == i);
  }
  return out;
}

}  // namespace detail

namespace {


// Shapes Tesseract takes for letters when a digit is handwritten (an open-topped 9 reads as q).
constexpr std::string_view kLookalikes = "qglI|SZzB";
char digit_for(char c) {
  switch (c) {
    case 'q': case 'g': return '9';
    case 'l': case 'I': case '|': return '1';
    case 'S': return '5';
    case 'Z': case 'z': return '2';
    case 'B': return '8';
    default: return c;
  }
}
bool digits_only(const std::string& whitelist) {
  return !whitelist.empty() && whitelist.find_first_not_of("0123456789") == std::string::npos;
}
// A guess through a look-alike letter is never trusted as much as a direct reading.
constexpr double kLookalikeConfidenceCap = 0.6;

// One filled cell: as a character, then as a word (Tesseract sometimes finds nothing in a lone
// character), then, for digit combs, through look-alike letters; then by the Japanese models, and
// for digits freely (the LSTM sometimes returns nothing under a character set for a handwritten 9
// it reads as 9 without one). A reading after the first way is never certain. '?' with confidence
// 0 when all fail.
Result<std::pair<char, double>> read_cell(Engine& engine, const Image& cell, const ZoneSpec& spec) {
  const Box all{0, 0, cell.width(), cell.height()};
  const bool digits = digits_only(spec.whitelist);
  using L = ZoneLayout;
  struct Way {
    std::string whitelist, languages;
    std::vector<ZoneLayout> layouts;
    bool lookalikes;  // letters read for digits count as those digits
    double cap;
  };
  std::vector<Way> ways = {{spec.whitelist, spec.languages, {L::kSingleChar, L::kSingleWord}, false, 1.0}};
  if (digits)
    ways.push_back({spec.whitelist + std::string(kLookalikes), spec.languages,
                    {L::kSingleChar, L::kSingleWord, L::kSingleLine}, true, kLookalikeConfidenceCap});
  const bool second = engine.has_language(kSecondJapaneseModel);
  for (const char* lang : {"jpn", kSecondJapaneseModel})
    if (second || std::string_view(lang) == "jpn")
      ways.push_back({spec.whitelist, lang, {L::kSingleChar, L::kSingleWord}, false, kLookalikeConfidenceCap});
  if (digits)
    for (const char* lang : {"", "jpn", kSecondJapaneseModel})
      if (second || std::string_view(lang) != kSecondJapaneseModel)
        ways.push_back({"", lang, {L::kSingleChar, L::kSingleWord}, true, kLookalikeConfidenceCap});
  for (const Way& way : ways) {
    ZoneSpec s = spec;
    s.whitelist = way.whitelist;
    s.languages = way.languages;
    for (ZoneLayout layout : way.layouts) {
      s.layout = layout;
      auto r = engine.read(cell, all, s);
      if (!r) return std::unexpected(r.error());
      if (r->text.size() != 1) continue;
      const char ch = way.lookalikes ? digit_for(r->text[0]) : r->text[0];
      if (!spec.whitelist.empty() && spec.whitelist.find(ch) == std::string::npos) continue;
      return std::pair{ch, std::min(r->confidence, way.cap)};
    }
  }
  return std::pair{'?', 0.0};
}

}  // namespace

// Tesseract and the font-independent classifier vote on a digit cell. Agreement keeps Tesseract's
// confidence (or the classifier's, if higher). Where they disagree and every one of the classifier's
// neighbours names the same digit, that digit is taken: on the cells of 60 generated envelopes
// (`formgen --seed 1`) a unanimous classifier was right on every cell, and in each of its 42
// disagreements with Tesseract (zeros with a dot or a slash read 9, a mincho 3 read 5, …), where
// Tesseract was confident as often as not. Such a digit is not certain by itself
// (kClassifierOverrules, which the calibration table then weighs); any other disagreement keeps
// Tesseract's digit unless it was unsure and nearly all the neighbours agree, and is never certain.
// Either way the other reading is kept as the alternative.

CellVote vote_cell_digit(char tess, double conf, const DigitVote& v) {
  constexpr double kDisagree = 0.6;
  constexpr double kClassifierOverrules = 0.85;
  if (v.digit == '?') return {tess, conf, '?'};
  if (tess == v.digit) return {tess, std::max(conf, std::min(0.97, v.share)), v.second};
  if (tess == '?' || tess < '0' || tess > '9') return {v.digit, std::min(kDisagree, v.share), v.second};
  if (v.share >= 1.0) return {v.digit, kClassifierOverrules, tess};
  if (v.share >= 6.0 / 7.0 && conf < 0.8) return {v.digit, kDisagree, tess};
  return {tess, std::min(conf, kDisagree), v.digit};
}

Result<CombReading> read_comb_row(const Image& page, Box search, int cells, const std::string& whitelist,
                                  Engine& engine) {
  if (cells < 2 || cells > 40) return fail(Code::kInvalid, "a comb row has 2 to 40 cells");
  if (page.empty()) return fail(Code::kInvalid, "cannot search an empty image");
  const cv::Rect region = cv::Rect(search.x, search.y, search.w, search.h) & cv::Rect(0, 0, page.width(), page.height());
  if (search.empty() || region.empty()) return fail(Code::kInvalid, "comb search region lies outside the page");
  const double px_per_mm = (page.dpi() > 0 ? page.dpi() : 200) / 25.4;
  if (region.width < 10 * px_per_mm || region.height < 5 * px_per_mm)
    return fail(Code::kInvalid, "comb search region is too small");

  // 1. Deskew the region (with a margin of white so rotation brings nothing in from outside).
  const cv::Mat gray0 = to_gray(ImageAccess::mat(page)(region));
  const double skew = estimate_skew(binarise(gray0, px_per_mm));
  const cv::Point2f centre(gray0.cols / 2.0f, gray0.rows / 2.0f);
  const cv::Mat rot = cv::getRotationMatrix2D(centre, skew, 1.0);
  cv::Mat gray;
  cv::warpAffine(gray0, gray, rot, gray0.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  const cv::Mat ink = binarise(gray, px_per_mm);

  // 2. Separators.
  const auto row = find_row(vertical_segments(ink, px_per_mm), cells, px_per_mm);
  if (!row) return fail(Code::kInvalid, "no row of " + std::to_string(cells) + " comb boxes found in the region");

  // 3. The ruling, to be removed from the cells: long horizontal and vertical runs.
  cv::Mat hlines, vlines;
  const int hl = std::max(5, static_cast<int>(std::lround(0.8 * row->pitch)));
  const int vl = std::max(5, static_cast<int>(std::lround(0.8 * (row->bottom - row->top))));
  cv::morphologyEx(ink, hlines, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {hl, 1}));
  cv::morphologyEx(ink, vlines, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {1, vl}));
  cv::Mat ruling;
  cv::bitwise_or(hlines, vlines, ruling);
  cv::dilate(ruling, ruling, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  cv::Mat text_ink = ink & ~ruling;

  CombReading out;
  const int lw = row->line_width;
  const int inset = lw / 2 + std::max(2, static_cast<int>(std::lround(0.35 * px_per_mm)));
  const int y0 = row->top + inset, y1 = row->bottom - inset;
  const int min_area = std::max(4, static_cast<int>(std::lround(0.25 * px_per_mm * px_per_mm)));
  ZoneSpec spec;
  spec.layout = ZoneLayout::kSingleChar;
  spec.whitelist = whitelist;
  spec.border = std::max(10, static_cast<int>(std::lround(2.0 * px_per_mm)));
  double min_conf = 1.0;
  for (int k = 0; k < cells; ++k) {
    const int x0 = static_cast<int>(std::lround(row->seps[static_cast<std::size_t>(k)])) + inset;
    const int x1 = static_cast<int>(std::lround(row->seps[static_cast<std::size_t>(k + 1)])) - inset;
    const cv::Rect cell = cv::Rect(x0, y0, x1 - x0, y1 - y0) & cv::Rect(0, 0, ink.cols, ink.rows);
    if (cell.width < 3 || cell.height < 3) {
      out.alternatives += '?';
      out.text += '?';
      out.confidences.push_back(0.0);
      continue;
    }
    const cv::Mat cleaned = detail::clean_cell(text_ink(cell), min_area);
    const double ratio = cv::countNonZero(cleaned) / static_cast<double>(cell.area());
    if (ratio < 0.02) {  // empty cell: nothing to read
      out.alternatives += ' ';
      out.text += ' ';
      out.confidences.push_back(0.0);
      continue;
    }
    ++out.filled;
    cv::Mat glyph = 255 - cleaned;  // black on white, for the engine
    const Image cell_image = ImageAccess::make(glyph, page.dpi(), page.dpi_from_file(), ColorMode::kBlackWhite);
    auto reading = read_cell(engine, cell_image, spec);
    if (!reading) return std::unexpected(reading.error());
    char ch = reading->first;
    double conf = reading->second;
    char alternative = '?';
    if (digits_only(whitelist)) {
      const CellVote v = vote_cell_digit(ch, conf, detail::classify_digit_ink(cleaned));
      ch = v.digit;
      conf = v.confidence;
      alternative = v.alternative;
    }
    out.text += ch;
    out.alternatives += alternative;
    out.confidences.push_back(conf);
    min_conf = std::min(min_conf, conf);
  }
  out.confidence = out.filled > 0 ? min_conf : 0.0;

  // 4. The row's box, mapped back from the deskewed region to page pixels.
  cv::Mat inv;
  cv::invertAffineTransform(rot, inv);
  const double bx0 = row->seps.front(), bx1 = row->seps.back();
  std::vector<cv::Point2f> corners{{static_cast<float>(bx0), static_cast<float>(row->top)},
                                   {static_cast<float>(bx1), static_cast<float>(row->top)},
                                   {static_cast<float>(bx0), static_cast<float>(row->bottom)},
                                   {static_cast<float>(bx1), static_cast<float>(row->bottom)}};
  cv::transform(corners, corners, inv);
  const cv::Rect bb = cv::boundingRect(corners);
  out.box = Box{bb.x + region.x, bb.y + region.y, bb.width, bb.height};
  return out;
}

}  // namespace ocr
