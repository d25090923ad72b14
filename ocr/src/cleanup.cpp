// Page cleanup: border crop, orientation, deskew, blank detection. Each step works on a
// downscaled gray copy to measure, then applies the correction once to the full page.
#include "ocr/cleanup.h"

#include <tesseract/baseapi.h>
#include <tesseract/osdetect.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <vector>

#include "image_impl.h"

namespace ocr {
namespace {

// A gray copy of a page at a reduced scale: what the cleanup's measures look at. The cleanup
// reduces the page once and derives every smaller copy from that one (a full-page reduction
// costs far more than everything measured on it).
struct Reduced {
  cv::Mat gray;
  double scale = 1.0;  // its pixels per page pixel
};

// `r` further reduced so that its longer side is at most `max_side` pixels: averaged by the whole
// factor first (OpenCV's fast path for area averaging), then linearly interpolated by what
// remains, under two, which drops no stroke there. OpenCV's area averaging by any other factor
// adds each source pixel to its cells one at a time: several times slower (it was an eighth of
// the station's CPU), for measures that come out the same.
Reduced reduced(const Reduced& r, int max_side) {
  const int side = std::max(r.gray.cols, r.gray.rows);
  if (side <= max_side) return r;
  const double s = static_cast<double>(max_side) / side;
  const int whole = static_cast<int>(1.0 / s);
  cv::Mat g = r.gray;
  if (whole >= 2) {
    cv::Mat avg;
    cv::resize(g, avg, cv::Size(), 1.0 / whole, 1.0 / whole, cv::INTER_AREA);
    g = avg;
  }
  if (const double rest = s * whole; rest < 0.999) {
    cv::Mat lin;
    cv::resize(g, lin, cv::Size(), rest, rest, cv::INTER_LINEAR);
    g = lin;
  }
  return {g, r.scale * s};
}

// `m` rotated by `degrees` counter-clockwise about its centre, the new corners filled white.
cv::Mat turned_by(const cv::Mat& m, double degrees) {
  const cv::Point2f c(static_cast<float>(m.cols) / 2.0f, static_cast<float>(m.rows) / 2.0f);
  cv::Mat out;
  cv::warpAffine(m, out, cv::getRotationMatrix2D(c, degrees, 1.0), m.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar::all(255));
  return out;
}

// OpenCV's code for `q` clockwise quarter turns (1..3), as Image::rotated turns.
cv::RotateFlags quarter_turn_code(int q) {
  return q == 1 ? cv::ROTATE_90_CLOCKWISE : q == 2 ? cv::ROTATE_180 : cv::ROTATE_90_COUNTERCLOCKWISE;
}

Reduced reduced(const Image& page, int max_side) { return reduced(Reduced{to_gray(ImageAccess::mat(page)), 1.0}, max_side); }

// Ink as 255 on 0 (Otsu, inverted), on a gray image.
cv::Mat ink_mask(const cv::Mat& gray) {
  cv::Mat bin;
  cv::threshold(gray, bin, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  return bin;
}

// Sharpness of the row profile of the ink points after shearing by `deg` degrees.
double profile_score(const std::vector<cv::Point>& pts, int height, double deg) {
  const double a = deg * std::numbers::pi / 180.0;
  const double sa = std::sin(a), ca = std::cos(a);
  const int margin = height / 2 + 8;
  std::vector<int> bins(static_cast<std::size_t>(height + 2 * margin), 0);
  for (const auto& p : pts) {
    const int y = static_cast<int>(std::lround(p.y * ca - p.x * sa)) + margin;
    if (y >= 0 && y < static_cast<int>(bins.size())) ++bins[static_cast<std::size_t>(y)];
  }
  double score = 0;
  for (std::size_t i = 1; i < bins.size(); ++i) {
    const double d = bins[i] - bins[i - 1];
    score += d * d;
  }
  return score;
}

// Row-profile versus column-profile roughness: > 1 when lines of text run horizontally.
double axis_ratio(const cv::Mat& ink) {
  cv::Mat rows, cols;
  cv::reduce(ink, rows, 1, cv::REDUCE_SUM, CV_64F);
  cv::reduce(ink, cols, 0, cv::REDUCE_SUM, CV_64F);
  auto rough = [](const cv::Mat& v) {
    const double* p = v.ptr<double>();
    const int n = static_cast<int>(v.total());
    double s = 0;
    for (int i = 1; i < n; ++i) s += (p[i] - p[i - 1]) * (p[i] - p[i - 1]);
    return s / std::max(1, n);
  };
  const double r = rough(rows), c = rough(cols);
  return (r + 1e-9) / (c + 1e-9);
}

// The band (a third of the page across its lines of text) where the text is densest: the most
// line-to-line alternation in the ink profile along the page.
cv::Rect text_band(const cv::Mat& ink, bool sideways) {
  cv::Mat prof;
  cv::reduce(ink, prof, sideways ? 0 : 1, cv::REDUCE_SUM, CV_64F);
  const double* p = prof.ptr<double>();
  const int n = static_cast<int>(prof.total());
  const int win = std::max(1, n / 3);
  std::vector<double> rough(static_cast<std::size_t>(n), 0.0);
  for (int i = 1; i < n; ++i) rough[static_cast<std::size_t>(i)] = std::abs(p[i] - p[i - 1]);
  double sum = 0, best = -1;
  int best_start = 0;
  for (int i = 0; i < n; ++i) {
    sum += rough[static_cast<std::size_t>(i)];
    if (i >= win) sum -= rough[static_cast<std::size_t>(i - win)];
    if (i >= win - 1 && sum > best) best = sum, best_start = i - win + 1;
  }
  if (sideways) return {best_start, ink.rows / 20, win, ink.rows * 18 / 20};
  return {ink.cols / 20, best_start, ink.cols * 18 / 20, win};
}

// One Tesseract OSD instance per thread (TessBaseAPI is not thread-safe).
struct Osd {
  tesseract::TessBaseAPI api;
  bool ok = false;
};

Osd* thread_osd(const std::string& tessdata_dir) {
  thread_local std::unique_ptr<Osd> osd;
  thread_local bool tried = false;
  if (!tried) {
    tried = true;
    auto o = std::make_unique<Osd>();
    o->ok = o->api.Init(tessdata_dir.empty() ? nullptr : tessdata_dir.c_str(), "osd",
                        tesseract::OEM_TESSERACT_ONLY) == 0;
    if (o->ok) {
      o->api.SetPageSegMode(tesseract::PSM_OSD_ONLY);
      // OSD's own resolution warning goes to stderr otherwise; the measured result is what counts.
      o->api.SetVariable("debug_file", "/dev/null");
      osd = std::move(o);
    }
  }
  return osd ? osd.get() : nullptr;
}

// The measures, each on a reduced copy of the page (the public steps below reduce the page for
// themselves; cleanup_page reduces it once for all of them).

double skew_of(const cv::Mat& g, double max_degrees) {
  cv::Mat ink = ink_mask(g);
  // Thin strokes to their edges' rows: keep horizontal-ish structure, drop big blobs' mass.
  std::vector<cv::Point> pts;
  cv::findNonZero(ink, pts);
  if (pts.size() < 50) return 0.0;
  if (pts.size() > 200'000) {  // subsample evenly for speed
    std::vector<cv::Point> sub;
    const std::size_t step = pts.size() / 200'000 + 1;
    for (std::size_t i = 0; i < pts.size(); i += step) sub.push_back(pts[i]);
    pts.swap(sub);
  }
  double best = 0, best_score = -1;
  for (double d = -max_degrees; d <= max_degrees + 1e-9; d += 0.5) {
    const double s = profile_score(pts, g.rows, d);
    if (s > best_score) best_score = s, best = d;
  }
  const double center = best;
  for (double d = center - 0.5; d <= center + 0.5 + 1e-9; d += 0.05) {
    const double s = profile_score(pts, g.rows, d);
    if (s > best_score) best_score = s, best = d;
  }
  return best;
}

constexpr int kSkewSide = 1400, kOrientationSide = 1200, kContentSide = 1000, kBlankSide = 1200;

}  // namespace

double estimate_skew(const Image& page, double max_degrees) {
  if (page.empty()) return 0.0;
  return skew_of(reduced(page, kSkewSide).gray, max_degrees);
}

Image rotate_degrees(const Image& page, double degrees) {
  if (page.empty() || std::abs(degrees) < 1e-6) return page;
  return ImageAccess::make(turned_by(ImageAccess::mat(page), degrees), page.dpi(), page.dpi_from_file(),
                           page.color_mode());
}

namespace {

// Where the scanner's dark background ends, on a reduced copy of a page of `page` size.
Box content_box_of(const Reduced& r, cv::Size page) {
  const cv::Mat& g = r.gray;
  const double s = r.scale;
  // A row or column belongs to the scanner background while most of it is dark.
  auto dark_fraction_row = [&](int y) { return cv::countNonZero(g.row(y) < 70) / static_cast<double>(g.cols); };
  auto dark_fraction_col = [&](int x) { return cv::countNonZero(g.col(x) < 70) / static_cast<double>(g.rows); };
  const int max_y = g.rows / 4, max_x = g.cols / 4;
  int top = 0, bottom = g.rows, left = 0, right = g.cols;
  while (top < max_y && dark_fraction_row(top) > 0.5) ++top;
  while (g.rows - bottom < max_y && dark_fraction_row(bottom - 1) > 0.5) --bottom;
  while (left < max_x && dark_fraction_col(left) > 0.5) ++left;
  while (g.cols - right < max_x && dark_fraction_col(right - 1) > 0.5) --right;
  // A small inset past the edge of the background (its anti-aliased boundary).
  const int inset = 1;
  if (top > 0) top += inset;
  if (left > 0) left += inset;
  if (bottom < g.rows) bottom -= inset;
  if (right < g.cols) right -= inset;
  auto up = [s](int v) { return static_cast<int>(std::lround(v / s)); };
  const int x1 = right >= g.cols ? page.width : up(right), y1 = bottom >= g.rows ? page.height : up(bottom);
  Box b{up(left), up(top), x1 - up(left), y1 - up(top)};
  b.x = std::clamp(b.x, 0, page.width);
  b.y = std::clamp(b.y, 0, page.height);
  b.w = std::clamp(b.w, 0, page.width - b.x);
  b.h = std::clamp(b.h, 0, page.height - b.y);
  if (b.w < page.width / 2 || b.h < page.height / 2) return {0, 0, page.width, page.height};  // not a frame: keep all
  return b;
}

// Orientation on a reduced copy of a page scanned at `dpi`.
OrientationGuess orientation_of(const Reduced& r, int dpi_of_page, Orient how, const std::string& tessdata_dir) {
  OrientationGuess g;
  const cv::Mat& small = r.gray;
  // Heuristic: lines of text (and the forms' rows) run across the page.
  const cv::Mat ink = ink_mask(small);
  const double ratio = axis_ratio(ink);
  const bool sideways = ratio < 1.0;
  g.confidence = std::clamp(std::abs(std::log(ratio)) / 2.0, 0.0, 0.6);  // never sure of up/down
  // Alone, the heuristic turns a page only when the lines are unmistakably vertical (photos,
  // passbook copies and envelopes give weak, misleading ratios: those stay as they are, flagged).
  g.quarter_turns = sideways && g.confidence >= 0.45 ? 1 : 0;
  if (how == Orient::kOsd) {
    if (Osd* osd = thread_osd(tessdata_dir)) {
      const int dpi = std::max(70, static_cast<int>(dpi_of_page * r.scale));
      osd->api.SetVariable("user_defined_dpi", std::to_string(dpi).c_str());
      // OSD looks at a few hundred characters at most, but lays out the whole image first: a
      // band across the lines of text (a third of the page, where the text is densest) has
      // plenty of characters and costs a fraction of the time.
      // When the band is not conclusive, the whole page decides.
      int deg = 0;
      float conf = 0;
      bool ok = false;
      for (const cv::Mat& area : {small(text_band(ink, sideways)).clone(), small}) {
        osd->api.SetImage(area.data, area.cols, area.rows, 1, static_cast<int>(area.step));
        osd->api.SetSourceResolution(dpi);
        const char* script = nullptr;
        float script_conf = 0;
        ok = osd->api.DetectOrientationScript(&deg, &conf, &script, &script_conf);
        osd->api.Clear();
        if (ok && conf > 1.5f) break;
      }
      if (ok && conf > 1.5f) {
        // `deg` is how far the page is turned clockwise; turning it back rights it.
        const int turns = (4 - ((deg / 90) % 4 + 4) % 4) % 4;
        g.quarter_turns = turns;
        g.confidence = std::clamp(static_cast<double>(conf) / 10.0, 0.5, 1.0);
        // The heuristic disagreeing on the axis lowers trust.
        if ((turns % 2 == 1) != sideways && std::abs(std::log(ratio)) > 0.7) g.confidence *= 0.5;
      }
    }
  }
  return g;
}

// Blankness on a reduced copy of a page scanned at `dpi`.
BlankInfo blank_of(const Reduced& r, int dpi_of_page) {
  BlankInfo info;
  const cv::Mat& g = r.gray;
  const double s = r.scale;
  // Ignore the margins (punched holes, the scanner's edge shadows).
  const int mx = g.cols * 8 / 100, my = g.rows * 5 / 100;
  cv::Mat inner = g(cv::Rect(mx, my, g.cols - 2 * mx, g.rows - 2 * my));
  // Paper level from a heavy blur; ink must be much darker than the paper around it, which
  // bleed-through from the back and JPEG noise are not.
  cv::Mat bg, coarse;
  cv::resize(inner, coarse, cv::Size(), 0.125, 0.125, cv::INTER_AREA);
  cv::medianBlur(coarse, coarse, 5);
  cv::resize(coarse, bg, inner.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat diff;
  cv::subtract(bg, inner, diff, cv::noArray(), CV_16S);
  cv::Mat ink = diff > 70;
  cv::morphologyEx(ink, ink, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(2, 2)));
  info.ink_ratio = cv::countNonZero(ink) / static_cast<double>(std::max<std::size_t>(1, ink.total()));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8);
  const double px_per_mm = std::max(1.0, dpi_of_page * s / 25.4);
  int text_like = 0;
  for (int i = 1; i < n; ++i) {
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    const double wm = w / px_per_mm, hm = h / px_per_mm;
    if (std::max(wm, hm) < 0.5 || area < 6) continue;  // specks
    const bool roundish = std::abs(wm - hm) < 1.5 && area > 0.6 * w * h;
    if (roundish && wm > 4.0 && wm < 9.0) continue;    // a punched hole
    ++text_like;
  }
  info.components = text_like;
  info.blank = text_like < 6 && info.ink_ratio < 0.003;
  return info;
}

}  // namespace

Box find_content_box(const Image& page) {
  if (page.empty()) return {};
  return content_box_of(reduced(page, kContentSide), {page.width(), page.height()});
}

OrientationGuess detect_orientation(const Image& page, Orient how, const std::string& tessdata_dir) {
  if (page.empty() || how == Orient::kOff) return {};
  return orientation_of(reduced(page, kOrientationSide), page.dpi(), how, tessdata_dir);
}

BlankInfo detect_blank(const Image& page) {
  if (page.empty()) return {};
  return blank_of(reduced(page, kBlankSide), page.dpi());
}

Result<CleanupResult> cleanup_page(const Image& page, const CleanupOptions& options) {
  if (page.empty()) return fail(Code::kInvalid, "cannot clean an empty page");
  CleanupResult r;
  Image cur = page;
  // The page reduced once; each step's correction is applied to the page and to this copy alike.
  Reduced small = reduced(page, kSkewSide);
  r.crop = {0, 0, page.width(), page.height()};
  if (options.crop_border) {
    r.crop = content_box_of(reduced(small, kContentSide), {page.width(), page.height()});
    if (r.crop.w != cur.width() || r.crop.h != cur.height()) {
      cur = cur.crop(r.crop);
      const double s = small.scale;
      const int x0 = std::clamp(static_cast<int>(std::floor(r.crop.x * s)), 0, small.gray.cols - 1);
      const int y0 = std::clamp(static_cast<int>(std::floor(r.crop.y * s)), 0, small.gray.rows - 1);
      const int x1 = std::clamp(static_cast<int>(std::ceil((r.crop.x + r.crop.w) * s)), x0 + 1, small.gray.cols);
      const int y1 = std::clamp(static_cast<int>(std::ceil((r.crop.y + r.crop.h) * s)), y0 + 1, small.gray.rows);
      small.gray = small.gray(cv::Rect(x0, y0, x1 - x0, y1 - y0));
    }
  }
  if (options.orient != Orient::kOff) {
    const auto o = orientation_of(reduced(small, kOrientationSide), page.dpi(), options.orient, options.tessdata_dir);
    r.quarter_turns = o.quarter_turns;
    r.orientation_confidence = o.confidence;
    if (o.quarter_turns != 0) {
      cur = cur.rotated(o.quarter_turns);
      cv::Mat turned;
      cv::rotate(small.gray, turned, quarter_turn_code(o.quarter_turns));
      small.gray = turned;
    }
  } else {
    r.orientation_confidence = 1.0;
  }
  if (options.deskew) {
    r.skew_degrees = skew_of(small.gray, options.max_skew_degrees);
    if (std::abs(r.skew_degrees) >= 0.1 && std::abs(r.skew_degrees) < options.max_skew_degrees) {
      cur = rotate_degrees(cur, r.skew_degrees);
      if (options.detect_blank) small.gray = turned_by(small.gray, r.skew_degrees);
      r.skew_corrected = true;
    }
  }
  if (options.detect_blank) r.blank = blank_of(reduced(small, kBlankSide), page.dpi());
  r.image = cur;
  return r;
}

}  // namespace ocr
