// A line spelt on its own ink against closed spellings (ink_spelling.h).
#include "ocr/ink_spelling.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "digits_impl.h"
#include "image_impl.h"
#include "text_util.h"

namespace ocr {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kMostPiecesPerCharacter = 6;
constexpr double kWidestCharacter = 1.5;  // in line heights
constexpr double kWidestGapInside = 0.5;  // in line heights
constexpr double kMostStray = 0.8;        // in line heights, at either end of a line
constexpr double kStrayCost = 3.0;        // per line height of stray ink passed over
constexpr std::size_t kBeam = 8;          // boundaries a slot may start at

struct Piece {
  int x0, x1, y0, y1;
};

}  // namespace

std::string InkSpelling::text() const {
  std::string out;
  for (const std::string& p : parts) out += p;
  return out;
}

struct InkLine::State {
  cv::Rect crop;                 // in the line image
  cv::Mat piece_of;              // CV_32S: the piece each ink pixel belongs to, -1 elsewhere
  std::vector<Piece> pieces;     // left to right
  std::vector<double> bound;     // P + 1 boundaries in x: the line's ends and the gaps' middles
  int height = 0;                // the line's ink height
  // Per character span [a, b): its features (empty where it cannot be one character) and each
  // glyph's distance to it.
  mutable std::map<std::pair<int, int>, std::optional<std::vector<float>>> features;
  mutable std::map<std::tuple<int, int, std::string>, double> distance;

  bool can_span(int a, int b) const {
    if (b - a < 1 || b - a > kMostPiecesPerCharacter) return false;
    if (pieces[static_cast<std::size_t>(b - 1)].x1 - pieces[static_cast<std::size_t>(a)].x0 > kWidestCharacter * height) return false;
    for (int i = a + 1; i < b; ++i)
      if (pieces[static_cast<std::size_t>(i)].x0 - pieces[static_cast<std::size_t>(i - 1)].x1 > kWidestGapInside * height) return false;
    return true;
  }

  // The width of line the span takes, in line heights.
  double width(int a, int b) const {
    return (bound[static_cast<std::size_t>(b)] - bound[static_cast<std::size_t>(a)]) / std::max(1, height);
  }

  const std::optional<std::vector<float>>& features_of(int a, int b) const {
    const auto key = std::pair{a, b};
    if (const auto it = features.find(key); it != features.end()) return it->second;
    const Piece& first = pieces[static_cast<std::size_t>(a)];
    const Piece& last = pieces[static_cast<std::size_t>(b - 1)];
    const cv::Rect cols(first.x0, 0, last.x1 - first.x0, piece_of.rows);
    cv::Mat ink;
    cv::inRange(piece_of(cols), cv::Scalar(a), cv::Scalar(b - 1), ink);
    return features.emplace(key, detail::glyph_features(ink)).first->second;
  }

  double cost(int a, int b, const std::string& ch) const {
    if (!can_span(a, b)) return kInf;
    const auto key = std::tuple{a, b, ch};
    if (const auto it = distance.find(key); it != distance.end()) return it->second;
    double d = kInf;
    const auto& f = features_of(a, b);
    const cv::Mat rows = detail::glyph_rows(ch);
    if (f && !rows.empty()) {
      cv::Mat dist, index;
      cv::batchDistance(cv::Mat(*f).reshape(1, 1), rows, dist, CV_32F, index, cv::NORM_L2SQR, 1);
      d = std::sqrt(static_cast<double>(dist.at<float>(0, 0))) * width(a, b);
    }
    return distance.emplace(key, d).first->second;
  }

  // Characters whose ink touches (two digits of a hand, a hyphen and a digit) are one component, and
  // where they touch is seldom where the ink is thinnest (a round digit is thinnest in its middle):
  // a piece wider than six tenths of the line's height is also cut where it may hold two or three
  // characters of even width, and at each column where its ink is least locally (at most half its
  // thickest column's), no two cuts closer than a sixth of the height. A character may end at such
  // a cut; one spanning the parts is the piece as it was.
  void split_touching() {
    std::vector<std::vector<int>> cuts(pieces.size());
    std::vector<int> column;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      const Piece& p = pieces[i];
      const int w = p.x1 - p.x0;
      if (w * 10 <= height * 6) continue;
      column.assign(static_cast<std::size_t>(w), 0);
      for (int y = p.y0; y < p.y1; ++y) {
        const int* row = piece_of.ptr<int>(y);
        for (int x = p.x0; x < p.x1; ++x)
          if (row[x] == static_cast<int>(i)) ++column[static_cast<std::size_t>(x - p.x0)];
      }
      const int thickest = *std::max_element(column.begin(), column.end());
      std::vector<int> at;
      for (int k = 2; k <= 3; ++k)
        if (w * 10 >= k * height * 3)
          for (int j = 1; j < k; ++j) at.push_back(w * j / k);
      const int edge = std::max(1, w * 15 / 100);
      for (int x = edge; x < w - edge; ++x) {
        const int c = column[static_cast<std::size_t>(x)];
        if (c * 2 <= thickest && c <= column[static_cast<std::size_t>(x - 1)] && c < column[static_cast<std::size_t>(x + 1)]) at.push_back(x);
      }
      std::sort(at.begin(), at.end());
      const int apart = std::max(2, height / 6);
      int last = 0;
      for (int x : at)
        if (x - last >= apart && w - x >= apart) {
          cuts[i].push_back(p.x0 + x);
          last = x;
        }
    }
    std::vector<int> first(pieces.size());
    std::vector<Piece> out;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      first[i] = static_cast<int>(out.size());
      int x0 = pieces[i].x0;
      for (int c : cuts[i]) {
        out.push_back({x0, c, pieces[i].y1, pieces[i].y0});
        x0 = c;
      }
      out.push_back({x0, pieces[i].x1, pieces[i].y1, pieces[i].y0});
    }
    if (out.size() == pieces.size()) return;
    for (int y = 0; y < piece_of.rows; ++y) {
      int* row = piece_of.ptr<int>(y);
      for (int x = 0; x < piece_of.cols; ++x) {
        const int old = row[x];
        if (old < 0) continue;
        const auto& c = cuts[static_cast<std::size_t>(old)];
        const int k = first[static_cast<std::size_t>(old)] + static_cast<int>(std::upper_bound(c.begin(), c.end(), x) - c.begin());
        row[x] = k;
        Piece& q = out[static_cast<std::size_t>(k)];
        q.y0 = std::min(q.y0, y);
        q.y1 = std::max(q.y1, y + 1);
      }
    }
    pieces = std::move(out);
  }
};

InkLine::InkLine(std::unique_ptr<State> s) : s_(std::move(s)) {}
InkLine::~InkLine() = default;
InkLine::InkLine(InkLine&&) noexcept = default;
InkLine& InkLine::operator=(InkLine&&) noexcept = default;

int InkLine::pieces() const { return static_cast<int>(s_->pieces.size()); }

std::optional<InkLine> InkLine::cut(const Image& line, Box region) {
  if (line.empty()) return std::nullopt;
  const cv::Mat gray = to_gray(ImageAccess::mat(line));
  const cv::Rect crop = cv::Rect(region.x, region.y, region.w, region.h) & cv::Rect(0, 0, gray.cols, gray.rows);
  if (crop.width < 4 || crop.height < 4) return std::nullopt;
  const std::optional<cv::Mat> found = detail::line_ink(gray(crop));
  if (!found) return std::nullopt;
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(*found, labels, stats, centroids, 8);
  // Specks of the scan and what is left of a ruling (a long thin line along the crop, a stroke
  // standing at its edge from top to bottom) are no character's.
  const int h = crop.height, min_area = std::max(4, h * h / 400);
  std::vector<int> keep;
  for (int i = 1; i < n; ++i) {
    const int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), hh = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    if (stats.at<int>(i, cv::CC_STAT_AREA) < min_area) continue;
    if (w > 3 * h && hh * 6 < h) continue;
    if (hh * 20 > h * 19 && w * 8 < h && (x == 0 || x + w == crop.width)) continue;
    if (y == 0 && y + hh == crop.height && w * 8 < h) continue;
    keep.push_back(i);
  }
  if (keep.empty()) return std::nullopt;
  // Components left to right, merged into pieces where they overlap in x by more than a third of
  // the narrower (a kanji's strokes one above the other, a kana's voicing mark).
  std::sort(keep.begin(), keep.end(), [&](int a, int b) { return stats.at<int>(a, cv::CC_STAT_LEFT) < stats.at<int>(b, cv::CC_STAT_LEFT); });
  struct Merged {
    Piece box;
    std::vector<int> ids;
  };
  std::vector<Merged> merged;
  for (int i : keep) {
    const int x0 = stats.at<int>(i, cv::CC_STAT_LEFT), x1 = x0 + stats.at<int>(i, cv::CC_STAT_WIDTH);
    const int cy0 = stats.at<int>(i, cv::CC_STAT_TOP), cy1 = cy0 + stats.at<int>(i, cv::CC_STAT_HEIGHT);
    if (!merged.empty()) {
      Piece& last = merged.back().box;
      const int overlap = std::min(last.x1, x1) - std::max(last.x0, x0);
      if (overlap * 3 > std::min(last.x1 - last.x0, x1 - x0)) {
        last = Piece{std::min(last.x0, x0), std::max(last.x1, x1), std::min(last.y0, cy0), std::max(last.y1, cy1)};
        merged.back().ids.push_back(i);
        continue;
      }
    }
    merged.push_back({{x0, x1, cy0, cy1}, {i}});
  }
  // A piece small both ways is a kana's voicing mark where it stands close beside a character (it
  // joins the nearer one, within a quarter of the height), else dust on the line: no character.
  const auto small = [&](const Merged& m) { return (m.box.x1 - m.box.x0) * 6 <= h && (m.box.y1 - m.box.y0) * 6 <= h; };
  std::vector<Merged> joined;
  for (std::size_t k = 0; k < merged.size(); ++k) {
    if (!small(merged[k])) {
      joined.push_back(merged[k]);
      continue;
    }
    const Merged* before = nullptr;
    for (std::size_t j = k; j-- > 0;)
      if (!small(merged[j])) {
        before = &merged[j];
        break;
      }
    const Merged* after = nullptr;
    for (std::size_t j = k + 1; j < merged.size(); ++j)
      if (!small(merged[j])) {
        after = &merged[j];
        break;
      }
    const int gap_before = before ? merged[k].box.x0 - before->box.x1 : h, gap_after = after ? after->box.x0 - merged[k].box.x1 : h;
    if (std::min(gap_before, gap_after) * 4 > h) continue;
    // Joined to the character before it now, or kept to be joined to the next one as it comes.
    if (gap_before <= gap_after && !joined.empty() && !small(joined.back())) {
      Merged& to = joined.back();
      to.box = Piece{std::min(to.box.x0, merged[k].box.x0), std::max(to.box.x1, merged[k].box.x1), std::min(to.box.y0, merged[k].box.y0),
                     std::max(to.box.y1, merged[k].box.y1)};
      to.ids.insert(to.ids.end(), merged[k].ids.begin(), merged[k].ids.end());
    } else if (after != nullptr) {
      Merged& to = merged[static_cast<std::size_t>(after - merged.data())];
      to.box = Piece{std::min(to.box.x0, merged[k].box.x0), std::max(to.box.x1, merged[k].box.x1), std::min(to.box.y0, merged[k].box.y0),
                     std::max(to.box.y1, merged[k].box.y1)};
      to.ids.insert(to.ids.end(), merged[k].ids.begin(), merged[k].ids.end());
    }
  }
  auto s = std::make_unique<State>();
  s->crop = crop;
  std::vector<int> piece_of_label(static_cast<std::size_t>(n), -1);
  int y0 = crop.height, y1 = 0;
  for (const Merged& m : joined) {
    for (int i : m.ids) piece_of_label[static_cast<std::size_t>(i)] = static_cast<int>(s->pieces.size());
    s->pieces.push_back(m.box);
    y0 = std::min(y0, m.box.y0);
    y1 = std::max(y1, m.box.y1);
  }
  if (s->pieces.empty()) return std::nullopt;
  s->height = std::max(1, y1 - y0);
  s->piece_of = cv::Mat(labels.size(), CV_32S);
  for (int y = 0; y < labels.rows; ++y) {
    const int* l = labels.ptr<int>(y);
    int* p = s->piece_of.ptr<int>(y);
    for (int x = 0; x < labels.cols; ++x) p[x] = piece_of_label[static_cast<std::size_t>(l[x])];
  }
  s->split_touching();
  s->bound.push_back(s->pieces.front().x0);
  for (std::size_t i = 1; i < s->pieces.size(); ++i) s->bound.push_back((s->pieces[i - 1].x1 + s->pieces[i].x0) / 2.0);
  s->bound.push_back(s->pieces.back().x1);
  return InkLine(std::move(s));
}

std::optional<InkSpelling> InkLine::spell(const std::vector<SpellingSlot>& slots) const {
  const State& st = *s_;
  const int P = static_cast<int>(st.pieces.size());
  // best[k][b]: the least cost of the first k slots spelling pieces [0, b), with how.
  struct Way {
    double cost = kInf;
    int from = -1;
    std::string text;
    std::vector<int> cuts;  // the characters' ends, pieces
  };
  std::vector<std::vector<Way>> best(slots.size() + 1, std::vector<Way>(static_cast<std::size_t>(P + 1)));
  // A mark at either end that no character is (what is left of a printed label, a ruling's stub)
  // may be passed over, at a cost above any character's: at most one character's width of it.
  best[0][0].cost = 0;
  for (int b = 1; b <= P && st.width(0, b) <= kMostStray; ++b) best[0][static_cast<std::size_t>(b)].cost = kStrayCost * st.width(0, b);
  for (std::size_t k = 0; k < slots.size(); ++k) {
    const SpellingSlot& slot = slots[k];
    auto& next = best[k + 1];
    // A beam: the next slot starts only where the spelling so far is among the kBeam cheapest per
    // width of line it covers (a slot of many words from every boundary would cost seconds).
    if (k > 0) {
      std::vector<std::pair<double, int>> starts;
      for (int b = 0; b <= P; ++b)
        if (const double c = best[k][static_cast<std::size_t>(b)].cost; c != kInf) starts.emplace_back(c / std::max(0.5, st.width(0, b)), b);
      if (starts.size() > kBeam) {
        std::nth_element(starts.begin(), starts.begin() + kBeam, starts.end());
        for (std::size_t i = kBeam; i < starts.size(); ++i) best[k][static_cast<std::size_t>(starts[i].second)].cost = kInf;
      }
    }
    for (int b0 = 0; b0 <= P; ++b0) {
      const Way& here = best[k][static_cast<std::size_t>(b0)];
      if (here.cost == kInf) continue;
      auto offer = [&](int b, double cost, const std::string& text, std::vector<int> cuts) {
        Way& w = next[static_cast<std::size_t>(b)];
        if (cost < w.cost) w = Way{cost, b0, text, std::move(cuts)};
      };
      if (!slot.words.empty()) {
        for (std::size_t w = 0; w < slot.words.size(); ++w) {
          const std::string& word = slot.words[w];
          const double prior = w < slot.word_costs.size() ? slot.word_costs[w] : 0.0;
          const std::vector<std::string> chars = utf8_characters(word);
          if (chars.empty()) {
            offer(b0, here.cost + prior, "", {});
            continue;
          }
          // f[i][b]: the word's first i characters spelling pieces [b0, b).
          std::vector<std::vector<double>> f(chars.size() + 1, std::vector<double>(static_cast<std::size_t>(P + 1), kInf));
          std::vector<std::vector<int>> from(chars.size() + 1, std::vector<int>(static_cast<std::size_t>(P + 1), -1));
          f[0][static_cast<std::size_t>(b0)] = here.cost + prior;
          for (std::size_t i = 0; i < chars.size(); ++i)
            for (int a = b0; a < P; ++a) {
              const double base = f[i][static_cast<std::size_t>(a)];
              if (base == kInf) continue;
              for (int b = a + 1; b <= std::min(P, a + kMostPiecesPerCharacter); ++b) {
                const double c = base + st.cost(a, b, chars[i]);
                if (c < f[i + 1][static_cast<std::size_t>(b)]) {
                  f[i + 1][static_cast<std::size_t>(b)] = c;
                  from[i + 1][static_cast<std::size_t>(b)] = a;
                }
              }
            }
          for (int b = b0 + 1; b <= P; ++b) {
            if (f[chars.size()][static_cast<std::size_t>(b)] == kInf) continue;
            std::vector<int> cuts(chars.size());
            for (int i = static_cast<int>(chars.size()), at = b; i > 0; at = from[static_cast<std::size_t>(i)][static_cast<std::size_t>(at)], --i)
              cuts[static_cast<std::size_t>(i - 1)] = at;
            offer(b, f[chars.size()][static_cast<std::size_t>(b)], word, std::move(cuts));
          }
        }
        continue;
      }
      // A run: each character the symbol nearest its ink.
      const int most = std::max(slot.least, slot.most);
      std::vector<std::vector<double>> g(static_cast<std::size_t>(most + 1), std::vector<double>(static_cast<std::size_t>(P + 1), kInf));
      std::vector<std::vector<std::pair<int, std::string>>> how(static_cast<std::size_t>(most + 1),
                                                                std::vector<std::pair<int, std::string>>(static_cast<std::size_t>(P + 1)));
      g[0][static_cast<std::size_t>(b0)] = here.cost;
      for (int i = 0; i < most; ++i)
        for (int a = b0; a < P; ++a) {
          const double base = g[static_cast<std::size_t>(i)][static_cast<std::size_t>(a)];
          if (base == kInf) continue;
          for (int b = a + 1; b <= std::min(P, a + kMostPiecesPerCharacter); ++b) {
            double least = kInf;
            std::string which;
            for (const std::string& sym : slot.symbols)
              if (const double c = st.cost(a, b, sym); c < least) least = c, which = sym;
            if (least == kInf) continue;
            if (base + least < g[static_cast<std::size_t>(i + 1)][static_cast<std::size_t>(b)]) {
              g[static_cast<std::size_t>(i + 1)][static_cast<std::size_t>(b)] = base + least;
              how[static_cast<std::size_t>(i + 1)][static_cast<std::size_t>(b)] = {a, which};
            }
          }
        }
      for (int count = std::max(0, slot.least); count <= most; ++count)
        for (int b = b0; b <= P; ++b) {
          if (g[static_cast<std::size_t>(count)][static_cast<std::size_t>(b)] == kInf) continue;
          if (count == 0) {
            offer(b, here.cost, "", {});
            continue;
          }
          std::vector<int> cuts(static_cast<std::size_t>(count));
          std::vector<std::string> syms(static_cast<std::size_t>(count));
          for (int i = count, at = b; i > 0; --i) {
            cuts[static_cast<std::size_t>(i - 1)] = at;
            syms[static_cast<std::size_t>(i - 1)] = how[static_cast<std::size_t>(i)][static_cast<std::size_t>(at)].second;
            at = how[static_cast<std::size_t>(i)][static_cast<std::size_t>(at)].first;
          }
          std::string text;
          for (const std::string& sym : syms) text += sym;
          offer(b, g[static_cast<std::size_t>(count)][static_cast<std::size_t>(b)], text, std::move(cuts));
        }
    }
  }
  int end_at = P;
  double total_cost = best[slots.size()][static_cast<std::size_t>(P)].cost;
  for (int e = P - 1; e >= 0 && st.width(e, P) <= kMostStray; --e)
    if (const double c = best[slots.size()][static_cast<std::size_t>(e)].cost + kStrayCost * st.width(e, P); c < total_cost) {
      total_cost = c;
      end_at = e;
    }
  if (total_cost == kInf) return std::nullopt;
  InkSpelling out;
  out.parts.resize(slots.size());
  std::vector<int> ends;
  int a = end_at;
  for (int k = static_cast<int>(slots.size()); k > 0; --k) {
    const Way& w = best[static_cast<std::size_t>(k)][static_cast<std::size_t>(a)];
    out.parts[static_cast<std::size_t>(k - 1)] = w.text;
    ends.insert(ends.begin(), w.cuts.begin(), w.cuts.end());
    a = w.from;
  }
  for (int b : ends) {
    const Piece& first = st.pieces[static_cast<std::size_t>(a)];
    const Piece& last = st.pieces[static_cast<std::size_t>(b - 1)];
    int y0 = first.y0, y1 = first.y1;
    for (int i = a; i < b; ++i) y0 = std::min(y0, st.pieces[static_cast<std::size_t>(i)].y0), y1 = std::max(y1, st.pieces[static_cast<std::size_t>(i)].y1);
    out.boxes.push_back(Box{st.crop.x + first.x0, st.crop.y + y0, last.x1 - first.x0, y1 - y0});
    a = b;
  }
  const double total = (st.bound.back() - st.bound.front()) / std::max(1, st.height);
  out.cost = total > 0 ? total_cost / total : kInf;
  return out;
}

}  // namespace ocr
