// Digits independent of the font: k nearest neighbours over HOG features of rendered digits.
#include "ocr/digits.h"

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "digits_impl.h"
#include "ocr/box.h"
#include "image_impl.h"

namespace ocr {
namespace {

namespace fs = std::filesystem;

constexpr int kNeighbours = 7;

// Where a glyph is normalised to and how finely its gradients are pooled: a square of `side` px,
// the glyph's longer side `fit` px inside it, HOG cells of `cell` px in blocks of two by two.
// Digits need little detail; kanji that differ by a part (鐸, 涼, 癌) need more.
struct Geometry {
  int side, fit, cell;
};
constexpr Geometry kDigitGeometry{28, 20, 7};
constexpr Geometry kKanjiGeometry{48, 40, 8};

cv::HOGDescriptor hog_of(const Geometry& g) {
  const cv::Size cell(g.cell, g.cell);
  return cv::HOGDescriptor(cv::Size(g.side, g.side), cv::Size(2 * g.cell, 2 * g.cell), cell, cell, 9);
}

const cv::HOGDescriptor& hog(const Geometry& g) {
  static const cv::HOGDescriptor digit = hog_of(kDigitGeometry), kanji = hog_of(kKanjiGeometry);
  return g.side == kDigitGeometry.side ? digit : kanji;
}

// The glyph's ink (255 on 0) cut to its box, scaled into `g.fit` keeping its shape, centred.
std::optional<cv::Mat> normalise(const cv::Mat& ink, const Geometry& g) {
  std::vector<cv::Point> nz;
  cv::findNonZero(ink, nz);
  if (nz.size() < 4) return std::nullopt;
  const cv::Rect b = cv::boundingRect(nz);
  const double s = static_cast<double>(g.fit) / std::max(b.width, b.height);
  cv::Mat r;
  cv::resize(ink(b), r, cv::Size(std::max(1, static_cast<int>(b.width * s + 0.5)), std::max(1, static_cast<int>(b.height * s + 0.5))),
             0, 0, cv::INTER_AREA);
  cv::Mat out = cv::Mat::zeros(g.side, g.side, CV_8UC1);
  r.copyTo(out(cv::Rect((g.side - r.cols) / 2, (g.side - r.rows) / 2, r.cols, r.rows)));
  cv::GaussianBlur(out, out, cv::Size(3, 3), 0.8);
  return out;
}

std::vector<float> features(const cv::Mat& norm, const Geometry& g) {
  std::vector<float> f;
  hog(g).compute(norm, f);
  return f;
}

struct Model {
  cv::Mat x;                         // one rendered glyph's features per row (CV_32F)
  std::vector<int> y;                // index into labels
  std::vector<std::string> labels;   // what each class is (UTF-8)
  int fonts = 0;
  Geometry geometry = kDigitGeometry;
};

std::vector<fs::path> font_files() {
  // Families with differently drawn digits: gothic, mincho, rounded, monospaced, handwriting-like.
  static const std::set<std::string> wanted = {
      "ipag.ttf", "ipam.ttf", "ipaexg.ttf", "ipaexm.ttf", "NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc",
      "NotoSansCJK-Bold.ttc", "TakaoGothic.ttf", "TakaoMincho.ttf", "VL-Gothic-Regular.ttf", "ume-tgo4.ttf",
      "ume-tmo3.ttf", "ume-hgo4.ttf", "Konatu.ttf", "kouzan-mouhitsu.ttf", "DejaVuSans.ttf", "DejaVuSansMono.ttf",
      "DejaVuSerif.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerifCondensed.ttf"};
  // Faces left out to measure the classifier on a hand it was not trained on (docs/recognition.md):
  // OCR_GLYPH_FONTS_EXCLUDE=kouzan-mouhitsu.ttf,Konatu.ttf.
  std::set<std::string> excluded;
  if (const char* env = std::getenv("OCR_GLYPH_FONTS_EXCLUDE"); env != nullptr) {
    std::istringstream list(env);
    for (std::string name; std::getline(list, name, ',');)
      if (!name.empty()) excluded.insert(name);
  }
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator("/usr/share/fonts", ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (wanted.contains(name) && !excluded.contains(name) && !fs::is_symlink(it->path(), ec)) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void add(Model& m, const cv::Mat& ink, int label) {
  const auto n = normalise(ink, m.geometry);
  if (!n) return;
  const std::vector<float> f = features(*n, m.geometry);
  m.x.push_back(cv::Mat(f).reshape(1, 1));
  m.y.push_back(label);
}

// `text` as `ft` draws it at `size` px, white on black.
cv::Mat rendered(cv::freetype::FreeType2& ft, const std::string& text, int size) {
  cv::Mat c3 = cv::Mat::zeros(size * 2, size * 2, CV_8UC3);
  ft.putText(c3, text, cv::Point(size / 2, size * 3 / 2), size, cv::Scalar::all(255), -1, cv::LINE_AA, true);
  cv::Mat ink;
  cv::extractChannel(c3, ink, 0);
  cv::threshold(ink, ink, 100, 255, cv::THRESH_BINARY);
  return ink;
}

// The faces drawn from, each loaded once (FreeType2 objects are not thread-safe: used only under
// render_mutex()).
std::mutex& render_mutex() {
  static std::mutex mu;
  return mu;
}
const std::vector<cv::Ptr<cv::freetype::FreeType2>>& faces() {
  static const std::vector<cv::Ptr<cv::freetype::FreeType2>> loaded = [] {
    std::vector<cv::Ptr<cv::freetype::FreeType2>> out;
    for (const fs::path& file : font_files()) {
      try {
        auto ft = cv::freetype::createFreeType2();
        ft->loadFontData(file.string(), 0);
        out.push_back(ft);
      } catch (const cv::Exception&) {
      }
    }
    return out;
  }();
  return loaded;
}

constexpr int kSizes[] = {36, 60};

// One label rendered from every face that has it, at two sizes, each also bold, thin and turned
// ±4°; with `zeros`, a "0" also slashed and dotted: its features, a row each. A face without the
// label's glyph draws its "missing" box (as it does for a private-use code point): the same box for
// every label, which would vote for whichever label had most such boxes, so it is left out.
// Computed once per label and geometry and kept, so that a closed set's model is its labels' rows
// put together (a name's spellings make many small sets of kanji that share most of their labels).
// The cache holds at most kMostCachedLabels labels (each about 0.5 MB at the kanji geometry): a
// line spelt against a dictionary's spellings renders many rare kanji, and a station runs for
// days. When full it is emptied; the rows handed out stay valid (cv::Mat shares its data).
constexpr std::size_t kMostCachedLabels = 1500;
cv::Mat label_rows(const std::string& text, bool zeros, const Geometry& geometry) {
  static std::map<std::tuple<std::string, bool, int>, cv::Mat> cache;
  std::lock_guard lock(render_mutex());
  const auto key = std::tuple{text, zeros, geometry.side};
  if (const auto it = cache.find(key); it != cache.end()) return it->second;
  if (cache.size() >= kMostCachedLabels) cache.clear();
  static std::map<std::pair<const cv::freetype::FreeType2*, int>, cv::Mat> missing_of;
  Model rows;
  rows.geometry = geometry;
  for (const auto& ft : faces())
    for (int size : kSizes) {
      cv::Mat& missing = missing_of[{ft.get(), size}];
      if (missing.empty()) {
        try {
          missing = rendered(*ft, "\uE000", size);
        } catch (const cv::Exception&) {
          missing = cv::Mat::zeros(size * 2, size * 2, CV_8UC1);
        }
      }
      cv::Mat ink;
      try {
        ink = rendered(*ft, text, size);
      } catch (const cv::Exception&) {
        continue;  // a glyph FreeType cannot load from this face
      }
      if (cv::countNonZero(ink != missing) == 0) continue;
      std::vector<cv::Mat> variants = {ink};
      const cv::Mat k = cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3});
      cv::Mat bold, thin;
      cv::dilate(ink, bold, k);
      cv::erode(ink, thin, k);
      variants.push_back(bold);
      if (cv::countNonZero(thin) > cv::countNonZero(ink) / 3) variants.push_back(thin);
      for (double angle : {-4.0, 4.0}) {
        cv::Mat r;
        const cv::Mat rot = cv::getRotationMatrix2D(cv::Point2f(ink.cols / 2.0f, ink.rows / 2.0f), angle, 1.0);
        cv::warpAffine(ink, r, rot, ink.size());
        variants.push_back(r > 100);
      }
      if (zeros && text == "0") {
        // Zeros as some typefaces and writers draw them: slashed and dotted.
        std::vector<cv::Point> nz;
        cv::findNonZero(ink, nz);
        if (!nz.empty()) {
          const cv::Rect b = cv::boundingRect(nz);
          const int t = std::max(2, b.width / 7);
          cv::Mat slashed = ink.clone(), dotted = ink.clone();
          cv::line(slashed, {b.x + b.width * 3 / 4, b.y + b.height / 5}, {b.x + b.width / 4, b.y + b.height * 4 / 5}, 255, t);
          cv::circle(dotted, {b.x + b.width / 2, b.y + b.height / 2}, std::max(2, b.width / 8), 255, -1);
          variants.push_back(slashed);
          variants.push_back(dotted);
        }
      }
      for (const cv::Mat& v : variants) add(rows, v, 0);
    }
  return cache.emplace(key, rows.x).first->second;
}

// A model of `labels`: every label's rows (label_rows), labelled.
Model train(const std::vector<std::string>& labels, bool zeros, const Geometry& geometry) {
  Model m;
  m.labels = labels;
  m.geometry = geometry;
  for (int label = 0; label < static_cast<int>(labels.size()); ++label) {
    const cv::Mat rows = label_rows(labels[static_cast<std::size_t>(label)], zeros, geometry);
    if (rows.empty()) continue;
    m.x.push_back(rows);
    m.y.insert(m.y.end(), static_cast<std::size_t>(rows.rows), label);
  }
  m.fonts = static_cast<int>(faces().size());  // loaded once, never changed after
  return m;
}

const Model& model() {
  static std::once_flag once;
  static Model m;
  std::call_once(once, [] { m = train({"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, true, kDigitGeometry); });
  return m;
}

// Whether a symbol (UTF-8) is a kanji.
bool is_kanji(const std::string& utf8) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(utf8);
  return u.length() > 0 && u_hasBinaryProperty(u.char32At(0), UCHAR_IDEOGRAPHIC) != 0;
}

// A model per closed set of symbols, trained on its first use: kanji, which differ by a radical,
// at the finer geometry; kana and letters, whose few strokes the coarse one tells apart with less
// sensitivity to the face, at the digits'.
const Model& symbol_model(const std::vector<std::string>& symbols) {
  static std::mutex mu;
  static std::map<std::vector<std::string>, std::unique_ptr<Model>> models;
  std::lock_guard lock(mu);
  auto& m = models[symbols];
  if (!m)
    m = std::make_unique<Model>(
        train(symbols, false, std::any_of(symbols.begin(), symbols.end(), is_kanji) ? kKanjiGeometry : kDigitGeometry));
  return *m;
}

// The k nearest rendered glyphs' labels, counted: (votes, label) most votes first, ties by label.
// OpenCV's batchDistance finds them (vectorised: a kanji model has thousands of 900-float rows).
std::vector<std::pair<int, int>> nearest_votes(const Model& m, const cv::Mat& norm) {
  const std::vector<float> f = features(norm, m.geometry);
  const int k = std::min(kNeighbours, m.x.rows);
  cv::Mat dist, nidx;
  cv::batchDistance(cv::Mat(f).reshape(1, 1), m.x, dist, CV_32F, nidx, cv::NORM_L2SQR, k);
  std::vector<int> votes(m.labels.size(), 0);
  for (int i = 0; i < k; ++i)
    if (const int row = nidx.at<int>(0, i); row >= 0) ++votes[static_cast<std::size_t>(m.y[static_cast<std::size_t>(row)])];
  std::vector<std::pair<int, int>> out;
  for (int i = 0; i < static_cast<int>(votes.size()); ++i)
    if (votes[static_cast<std::size_t>(i)] > 0) out.emplace_back(votes[static_cast<std::size_t>(i)], i);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

// Ink (255) of a gray crop by Otsu's threshold; nothing where the crop has no contrast to speak of.
std::optional<cv::Mat> ink_of(const cv::Mat& gray) {
  double lo = 0, hi = 0;
  cv::minMaxLoc(gray, &lo, &hi);
  if (hi - lo < 40) return std::nullopt;
  cv::Mat ink;
  cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  return ink;
}

// The characters of a line's ink: connected components (specks of the scan left out) whose centre
// lies in [x_from, x_to), one character per run of components that overlap in x by more than a
// third of the narrower (a dotted zero's dot, a kanji's strokes), left to right. A speck (no more
// than a fifth of the line's height either way) wholly below the character it overlaps, a gap
// between them, is dust under the line, not a stroke: a 0 with a dot under it is no 9.
struct Character {
  int x0, x1;
  std::vector<int> ids;
  int y0 = 0, y1 = 0;
};
struct Characters {
  cv::Mat labels;
  std::vector<Character> chars;
};
// `admit` (optional) may leave out more components: it is given a component's stats row
// (cv::CC_STAT_*) and its centre's x.
Characters characters_of(const cv::Mat& ink, int height, double x_from, double x_to,
                         const std::function<bool(const int* stats, double cx)>& admit = {}) {
  Characters out;
  cv::Mat stats, centroids;
  const int n = cv::connectedComponentsWithStats(ink, out.labels, stats, centroids, 8);
  std::vector<Character> parts;
  const int min_area = std::max(3, height * height / 400);
  for (int i = 1; i < n; ++i) {
    const double cx = centroids.at<double>(i, 0);
    if (stats.at<int>(i, cv::CC_STAT_AREA) < min_area || cx < x_from || cx >= x_to) continue;
    if (admit && !admit(stats.ptr<int>(i), cx)) continue;
    const int x0 = stats.at<int>(i, cv::CC_STAT_LEFT), y0 = stats.at<int>(i, cv::CC_STAT_TOP);
    parts.push_back({x0, x0 + stats.at<int>(i, cv::CC_STAT_WIDTH), {i}, y0, y0 + stats.at<int>(i, cv::CC_STAT_HEIGHT)});
  }
  std::sort(parts.begin(), parts.end(), [](const Character& a, const Character& b) { return a.x0 < b.x0; });
  const auto speck = [&](const Character& c) { return (c.x1 - c.x0) * 5 <= height && (c.y1 - c.y0) * 5 <= height; };
  for (const Character& p : parts) {
    if (!out.chars.empty()) {
      Character& last = out.chars.back();
      const int overlap = std::min(last.x1, p.x1) - std::max(last.x0, p.x0);
      if (overlap * 3 > std::min(last.x1 - last.x0, p.x1 - p.x0)) {
        if (speck(p) && !speck(last) && p.y0 > last.y1) continue;  // dust under the character
        if (speck(last) && !speck(p) && last.y0 > p.y1) {
          last = p;
          continue;
        }
        last.x0 = std::min(last.x0, p.x0);
        last.x1 = std::max(last.x1, p.x1);
        last.y0 = std::min(last.y0, p.y0);
        last.y1 = std::max(last.y1, p.y1);
        last.ids.insert(last.ids.end(), p.ids.begin(), p.ids.end());
        continue;
      }
    }
    out.chars.push_back(p);
  }
  return out;
}

// The ink of `line` around a glyph's `box` (a quarter of its height either side) whose components
// centre in the box, its rows widened by `y_slack` either way, components smaller than `min_area`
// left out; with where that crop lies in `line`. Nothing where it is too small or has no contrast.
struct InkAround {
  cv::Mat keep;
  cv::Rect crop;
};
std::optional<InkAround> ink_centred_in(const Image& line, Box box, double y_slack, int min_area) {
  const cv::Mat gray = to_gray(ImageAccess::mat(line));
  const int pad = std::max(2, box.h / 4);
  const cv::Rect r = cv::Rect(box.x - pad, box.y - pad, box.w + 2 * pad, box.h + 2 * pad) & cv::Rect(0, 0, gray.cols, gray.rows);
  if (r.width < 3 || r.height < 3) return std::nullopt;
  const std::optional<cv::Mat> found = ink_of(gray(r));
  if (!found) return std::nullopt;
  const cv::Mat& ink = *found;
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8);
  const double x0 = box.x - r.x, x1 = x0 + box.w, y0 = box.y - r.y - y_slack, y1 = box.y - r.y + box.h + y_slack;
  InkAround out{cv::Mat::zeros(ink.size(), CV_8UC1), r};
  for (int i = 1; i < n; ++i) {
    const double cx = centroids.at<double>(i, 0), cy = centroids.at<double>(i, 1);
    if (stats.at<int>(i, cv::CC_STAT_AREA) >= min_area && cx >= x0 && cx < x1 && cy >= y0 && cy < y1)
      out.keep.setTo(255, labels == i);
  }
  return out;
}

}  // namespace

namespace detail {

cv::Mat glyph_rows(const std::string& label) { return label_rows(label, label == "0", kKanjiGeometry); }

std::optional<std::vector<float>> glyph_features(const cv::Mat& ink) {
  const auto n = normalise(ink, kKanjiGeometry);
  if (!n) return std::nullopt;
  return features(*n, kKanjiGeometry);
}

std::optional<cv::Mat> line_ink(const cv::Mat& gray) { return ink_of(gray); }

DigitVote classify_digit_ink(const cv::Mat& ink) {
  DigitVote v;
  const Model& m = model();
  if (m.x.empty()) return v;
  const auto n = normalise(ink, m.geometry);
  if (!n) return v;
  const auto votes = nearest_votes(m, *n);
  // The glyph's loops: holes in its ink, and ink inside a hole (the dot of a dotted zero). Holes
  // and dots smaller than 1 % of the glyph's box are specks of the scan.
  {
    const cv::Rect bb = cv::boundingRect(ink);
    std::vector<std::vector<cv::Point>> contours;
    std::vector<cv::Vec4i> tree;
    cv::findContours(ink.clone(), contours, tree, cv::RETR_TREE, cv::CHAIN_APPROX_SIMPLE);
    const double least = 0.01 * bb.area();
    for (std::size_t i = 0; i < contours.size(); ++i) {
      int depth = 0;
      for (int p = tree[i][3]; p >= 0; p = tree[static_cast<std::size_t>(p)][3]) ++depth;
      if (depth == 0 || cv::contourArea(contours[i]) < least) continue;
      if (depth % 2 == 1) ++v.holes;  // the inside of a stroke's ring
      else v.ink_in_hole = true;       // ink within a hole
    }
  }
  const double k = kNeighbours;
  if (votes.empty()) return v;
  v.digit = m.labels[static_cast<std::size_t>(votes[0].second)][0];
  v.share = votes[0].first / k;
  if (votes.size() > 1) {
    v.second = m.labels[static_cast<std::size_t>(votes[1].second)][0];
    v.second_share = votes[1].first / k;
  }
  return v;
}

}  // namespace detail

DigitVote classify_digit(const Image& glyph) {
  if (glyph.empty()) return {};
  const std::optional<cv::Mat> ink = ink_of(to_gray(ImageAccess::mat(glyph)));
  return ink ? detail::classify_digit_ink(*ink) : DigitVote{};  // no ink at all: no digit
}

DigitVote classify_digit_at(const Image& line, Box box) {
  if (line.empty() || box.w < 2 || box.h < 2) return {};
  // A digit is taller than it is wide: a box much wider than high holds more than one glyph, or a
  // label beside a lone one, and says nothing of one digit's shape.
  if (box.w * 5 > box.h * 6) return {};
  const std::optional<InkAround> around = ink_centred_in(line, box, std::max(2, box.h / 4) / 2.0, 0);
  if (!around) return {};
  cv::Mat keep = around->keep;
  const cv::Rect& r = around->crop;
  // Only the box's own columns, and a sliver either side: a neighbour touching the digit (a bold or
  // tightly set face, a heavy scan) or a hyphen joined to it is not part of its shape.
  const int slack = std::max(1, box.w / 8);
  const cv::Rect columns = cv::Rect(box.x - r.x - slack, 0, box.w + 2 * slack, keep.rows) & cv::Rect(0, 0, keep.cols, keep.rows);
  cv::Mat within = cv::Mat::zeros(keep.size(), CV_8UC1);
  within(columns).setTo(255);
  keep &= within;
  return detail::classify_digit_ink(keep);
}

std::vector<DigitVote> classify_line_digits(const Image& line, const std::vector<LineGlyph>& glyphs) {
  if (line.empty() || glyphs.empty()) return {};
  // The span of the glyphs, by the boxes no wider than high: a box much wider (the first glyph's
  // reaching back over a label's remnant, a hyphen's) says little of where the characters lie.
  Box span{};
  for (const LineGlyph& g : glyphs) {
    if (g.box.w < 1 || g.box.h < 1) return {};
    if (g.box.w * 5 > g.box.h * 6) continue;
    span = united(span, g.box);
  }
  if (span.empty()) return {};
  const std::optional<cv::Mat> found = ink_of(to_gray(ImageAccess::mat(line)));
  if (!found) return {};
  const cv::Mat& ink = *found;
  // Components whose centre lies in the engine's span: widened by most of a glyph either side
  // where a box was left out of it (a first box reaching back over a label, a last one stretched
  // over the text after the run), for then its ends are not known; where every box is in it, by a
  // sliver only, so that the strokes of the text around a run of digits (丁目, 番, 号 in an
  // address) are not taken for its characters.
  const auto in_span = [](const LineGlyph& g) { return g.box.w * 5 <= g.box.h * 6; };
  bool all_in = true;
  std::vector<int> widths;
  for (const LineGlyph& g : glyphs) {
    all_in = all_in && in_span(g);
    if (in_span(g)) widths.push_back(g.box.w);
  }
  std::nth_element(widths.begin(), widths.begin() + static_cast<std::ptrdiff_t>(widths.size() / 2), widths.end());
  const double unknown = span.h * 0.8;
  const double half = all_in ? std::max(2.0, 0.3 * widths[widths.size() / 2]) : unknown;
  Characters split = characters_of(ink, span.h, span.x - half, span.x + span.w + half);
  // Too few characters in the span: the engine's boxes may lag its characters by one (a first
  // digit's box over the second's ink, a slashed zero's shared by the digits beside it), so an end
  // digit lies outside. Widened then as where the ends are not known, and each character need only
  // lie within a character's pitch of its box.
  bool lagging = false;
  if (all_in && split.chars.size() < glyphs.size()) {
    split = characters_of(ink, span.h, span.x - unknown, span.x + span.w + unknown);
    lagging = true;
  }
  // Searched wider than the run, a character at either end much wider than the run's middle one is
  // the text's (目 before it, 番 or 号 after), not a digit.
  if (!all_in || lagging) {
    std::vector<int> w;
    for (const Character& ch : split.chars) w.push_back(ch.x1 - ch.x0);
    if (!w.empty()) {
      std::nth_element(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(w.size() / 2), w.end());
      const double wide = 1.4 * w[w.size() / 2];
      auto& cs = split.chars;
      while (cs.size() > glyphs.size() && (cs.back().x1 - cs.back().x0 > wide || cs.front().x1 - cs.front().x0 > wide))
        if (cs.back().x1 - cs.back().x0 > wide)
          cs.pop_back();
        else
          cs.erase(cs.begin());
    }
  }
  const std::vector<Character>& merged = split.chars;
  const cv::Mat& labels = split.labels;
  if (merged.size() != glyphs.size()) return {};
  const double pitch = 1.3 * widths[widths.size() / 2];
  const auto overlap = [&](const Box& b, const Character& ch) { return std::min(b.x + b.w, ch.x1) - std::max(b.x, ch.x0); };
  for (std::size_t k = 0; k < glyphs.size(); ++k) {
    const Box& b = glyphs[k].box;
    const double centre = (merged[k].x0 + merged[k].x1) / 2.0;
    if (lagging ? (centre < b.x - pitch || centre > b.x + b.w + pitch)
                : (b.w * 5 <= b.h * 6 && (centre < b.x - b.w / 2.0 || centre > b.x + b.w * 1.5)))
      return {};
    // Where the boxes are taken as they lie, a box that misses its own character altogether but
    // lies over another's is paired out of step (a stroke of the kanji before the run taken for
    // its first digit). A box a little off its character (by less than its width) is no sign.
    if (!lagging && in_span(glyphs[k]) && overlap(b, merged[k]) <= 0)
      for (const Character& other : merged)
        if (overlap(b, other) > 0) return {};
  }
  std::vector<DigitVote> out;
  for (std::size_t k = 0; k < glyphs.size(); ++k) {
    if (glyphs[k].ch < '0' || glyphs[k].ch > '9') continue;
    cv::Mat keep = cv::Mat::zeros(ink.size(), CV_8UC1);
    for (int id : merged[k].ids) keep.setTo(255, labels == id);
    out.push_back(detail::classify_digit_ink(keep));
  }
  return out;
}

std::vector<InkCharacter> ink_characters(const Image& line) {
  if (line.empty()) return {};
  const std::optional<cv::Mat> found = ink_of(to_gray(ImageAccess::mat(line)));
  if (!found) return {};
  const cv::Mat& ink = *found;
  std::vector<cv::Point> nz;
  cv::findNonZero(ink, nz);
  if (nz.empty()) return {};
  const Characters split = characters_of(ink, cv::boundingRect(nz).height, 0, ink.cols);
  std::vector<InkCharacter> out;
  for (const Character& ch : split.chars) {
    cv::Mat keep = cv::Mat::zeros(ink.size(), CV_8UC1);
    for (int id : ch.ids) keep.setTo(255, split.labels == id);
    const cv::Rect b = cv::boundingRect(keep);
    out.push_back({Box{b.x, b.y, b.width, b.height}, detail::classify_digit_ink(keep)});
  }
  return out;
}

std::vector<DigitVote> classify_ink_digits(const Image& line) {
  std::vector<DigitVote> out;
  for (const InkCharacter& c : ink_characters(line)) out.push_back(c.vote);
  return out;
}

std::vector<DigitVote> classify_run_digits(const Image& band, int count) {
  if (band.empty() || count <= 0) return {};
  const std::optional<cv::Mat> found = ink_of(to_gray(ImageAccess::mat(band)));
  if (!found) return {};
  const cv::Mat& ink = *found;
  // The band is the digits' height and a quarter of it above and below; every digit crosses its
  // middle row, a speck or a mark above or below the line (a dot under it, the edge of the next
  // line) does not, and none spans the band's whole height, as a ruled line beside the number does.
  const int digit_h = std::max(1, ink.rows * 2 / 3), mid = ink.rows / 2;
  const Characters split = characters_of(ink, digit_h, 0, ink.cols, [&](const int* st, double) {
    const int top = st[cv::CC_STAT_TOP], h = st[cv::CC_STAT_HEIGHT];
    return top <= mid && top + h > mid && !(top == 0 && h == ink.rows);
  });
  const std::vector<Character>& merged = split.chars;
  if (static_cast<int>(merged.size()) != count) return {};
  std::vector<DigitVote> out;
  for (const Character& p : merged) {
    // Wider than a digit is high: two touching characters, not one digit.
    if ((p.x1 - p.x0) * 5 > digit_h * 6) return {};
    cv::Mat keep = cv::Mat::zeros(ink.size(), CV_8UC1);
    for (int id : p.ids) keep.setTo(255, split.labels == id);
    out.push_back(detail::classify_digit_ink(keep));
  }
  return out;
}

namespace {

// The nearest neighbours' vote over `symbols` for a glyph's ink (255 on 0).
SymbolVote vote_symbol(const cv::Mat& keep, const std::vector<std::string>& symbols) {
  const Model& m = symbol_model(symbols);
  if (m.x.empty()) return {};
  const auto norm = normalise(keep, m.geometry);
  if (!norm) return {};
  const auto votes = nearest_votes(m, *norm);
  SymbolVote v;
  if (votes.empty()) return v;
  v.symbol = m.labels[static_cast<std::size_t>(votes[0].second)];
  v.share = votes[0].first / static_cast<double>(kNeighbours);
  if (votes.size() > 1) {
    v.second = m.labels[static_cast<std::size_t>(votes[1].second)];
    v.second_share = votes[1].first / static_cast<double>(kNeighbours);
  }
  return v;
}

}  // namespace

SymbolVote classify_symbol(const Image& cell, const std::vector<std::string>& symbols) {
  if (cell.empty() || symbols.empty()) return {};
  const std::optional<cv::Mat> found = ink_of(to_gray(ImageAccess::mat(cell)));
  if (!found) return {};
  const cv::Mat& ink = *found;
  // The glyph: the cell's ink less what touches its edge (the ruling, a neighbour's edge) and
  // specks of the scan.
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8);
  const int min_area = std::max(3, ink.rows * ink.rows / 900);
  cv::Mat keep = cv::Mat::zeros(ink.size(), CV_8UC1);
  for (int i = 1; i < n; ++i) {
    const int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    if (stats.at<int>(i, cv::CC_STAT_AREA) < min_area) continue;
    if (x == 0 || y == 0 || x + w >= ink.cols || y + h >= ink.rows) continue;
    keep.setTo(255, labels == i);
  }
  return vote_symbol(keep, symbols);
}

SymbolVote classify_symbol_at(const Image& line, Box box, const std::vector<std::string>& symbols) {
  if (line.empty() || symbols.empty() || box.w < 3 || box.h < 3) return {};
  // The glyph: the components whose centre lies in the box (a stroke may reach past it), specks of
  // the scan left out.
  const std::optional<InkAround> around = ink_centred_in(line, box, 0, std::max(3, box.h * box.h / 900));
  return around ? vote_symbol(around->keep, symbols) : SymbolVote{};
}

std::optional<Box> ink_box_in(const Image& line, Box region) {
  if (line.empty() || region.w < 3 || region.h < 3) return std::nullopt;
  const std::optional<InkAround> around = ink_centred_in(line, region, 0, std::max(3, region.h * region.h / 900));
  if (!around || cv::countNonZero(around->keep) == 0) return std::nullopt;
  const cv::Rect b = cv::boundingRect(around->keep);
  return Box{around->crop.x + b.x, around->crop.y + b.y, b.width, b.height};
}

std::vector<Box> ink_columns_in(const Image& line, Box region) {
  std::vector<Box> out;
  if (line.empty() || region.w < 3 || region.h < 3) return out;
  const std::optional<InkAround> around = ink_centred_in(line, region, 0, std::max(3, region.h * region.h / 900));
  if (!around) return out;
  const cv::Mat& keep = around->keep;
  cv::Mat columns;
  cv::reduce(keep, columns, 0, cv::REDUCE_MAX);
  for (int x = 0; x < keep.cols;) {
    if (columns.at<unsigned char>(0, x) == 0) {
      ++x;
      continue;
    }
    const int x0 = x;
    while (x < keep.cols && columns.at<unsigned char>(0, x) != 0) ++x;
    const cv::Rect b = cv::boundingRect(keep(cv::Rect(x0, 0, x - x0, keep.rows)));
    out.push_back(Box{around->crop.x + x0 + b.x, around->crop.y + b.y, b.width, b.height});
  }
  return out;
}

DigitModelInfo digit_model_info() {
  const Model& m = model();
  return {static_cast<int>(m.y.size()), m.fonts};
}

}  // namespace ocr
