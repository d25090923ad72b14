// TesseractEngine: zonal OCR with one TessBaseAPI per engine (not thread-safe, by contract).
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "image_impl.h"
#include "ocr/engine.h"
#include "text_util.h"

namespace ocr {
namespace {

constexpr double kMinContrast = 48.0;  // gray levels between the darkest and lightest pixel
constexpr std::size_t kLstmUnicharset = 21;  // tesseract::TESSDATA_LSTM_UNICHARSET

tesseract::PageSegMode psm_for(ZoneLayout layout) {
  switch (layout) {
    case ZoneLayout::kSingleLine: return tesseract::PSM_SINGLE_LINE;
    case ZoneLayout::kSingleWord: return tesseract::PSM_SINGLE_WORD;
    case ZoneLayout::kSingleChar: return tesseract::PSM_SINGLE_CHAR;
    case ZoneLayout::kBlock: return tesseract::PSM_SINGLE_BLOCK;
    case ZoneLayout::kAuto: return tesseract::PSM_AUTO;
    case ZoneLayout::kSparse: return tesseract::PSM_SPARSE_TEXT;
    case ZoneLayout::kRawLine: return tesseract::PSM_RAW_LINE;
  }
  return tesseract::PSM_SINGLE_LINE;
}

// Katakana on both sides of a gap: narrow glyphs (リ, ミ, ャ) leave wide gaps between their ink.
bool katakana_edge(const std::string& left, const std::string& right) {
  auto is_kata = [](const std::string& s, bool last) {
    if (s.size() < 3) return false;
    const std::string c = last ? s.substr(s.size() - 3) : s.substr(0, 3);
    const auto b0 = static_cast<unsigned char>(c[0]), b1 = static_cast<unsigned char>(c[1]);
    // U+30A0..U+30FF is E3 82 A0..E3 83 BF in UTF-8.
    return b0 == 0xE3 && (b1 == 0x83 || (b1 == 0x82 && static_cast<unsigned char>(c[2]) >= 0xA0));
  };
  return is_kata(left, true) && is_kata(right, false);
}

// The line's words joined as printed: nothing between two words of Japanese unless the gap is at
// least 0.6 of the line's height, then "　"; between katakana at least 0.8 of it and wider by half
// the line's height than the line's own gaps between its characters (their lower median: a hand or
// a brush face spaces its kana wide, and a gap a little wider than its others is no gap between two
// names; kanji lines keep the plain rule, a hand's name gap being no wider than that). One ASCII
// space elsewhere. "" when there is no word.
std::string words_with_wide_gaps(tesseract::TessBaseAPI& t) {
  std::unique_ptr<tesseract::ResultIterator> it(t.GetIterator());
  if (!it) return "";
  struct Word { std::string text; int x0, x1, h; };
  std::vector<Word> words;
  std::vector<int> symbol_gaps;
  int last_x1 = -1;
  do {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    if (it->BoundingBox(tesseract::RIL_SYMBOL, &x0, &y0, &x1, &y1)) {
      if (last_x1 >= 0) symbol_gaps.push_back(std::max(0, x0 - last_x1));
      last_x1 = x1;
    }
    if (it->IsAtBeginningOf(tesseract::RIL_WORD)) {
      std::unique_ptr<char[]> w(it->GetUTF8Text(tesseract::RIL_WORD));
      if (w && it->BoundingBox(tesseract::RIL_WORD, &x0, &y0, &x1, &y1)) {
        std::string text = trim(w.get());
        if (!text.empty()) words.push_back({std::move(text), x0, x1, y1 - y0});
      }
    }
  } while (it->Next(tesseract::RIL_SYMBOL));
  if (words.empty()) return "";
  std::vector<int> heights;
  for (const auto& w : words) heights.push_back(w.h);
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
  const int line_h = std::max(1, heights[heights.size() / 2]);
  int usual_gap = 0;
  if (!symbol_gaps.empty()) {
    // The lower median: of a short name's two gaps, the one between its characters.
    const std::size_t mid = (symbol_gaps.size() - 1) / 2;
    std::nth_element(symbol_gaps.begin(), symbol_gaps.begin() + static_cast<std::ptrdiff_t>(mid), symbol_gaps.end());
    usual_gap = symbol_gaps[mid];
  }
  std::string out = words[0].text;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string joined = remove_cjk_spaces(words[i - 1].text + " " + words[i].text);
    const bool cjk_pair = joined.size() == words[i - 1].text.size() + words[i].text.size();
    const int gap = words[i].x0 - words[i - 1].x1;
    const bool katakana = katakana_edge(words[i - 1].text, words[i].text);
    if (!cjk_pair) out += " ";
    else if (gap >= line_h * (katakana ? 8 : 6) / 10 && (!katakana || gap >= usual_gap + line_h / 2))
      out += "\u3000";
    out += words[i].text;
  }
  return out;
}

// The characters an LSTM model can output: the lstm-unicharset section of a .traineddata file
// (a table of section offsets, then the sections; the unicharset is text, one character a line
// after a count). Empty when the file cannot be read.
std::set<std::string> lstm_charset(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::int32_t entries = 0;
  if (!in.read(reinterpret_cast<char*>(&entries), sizeof entries) || entries <= static_cast<std::int32_t>(kLstmUnicharset) || entries > 64) return {};
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(entries));
  if (!in.read(reinterpret_cast<char*>(offsets.data()), static_cast<std::streamsize>(offsets.size() * sizeof(std::int64_t)))) return {};
  in.seekg(0, std::ios::end);
  const std::int64_t file_size = in.tellg();
  const std::int64_t begin = offsets[kLstmUnicharset];
  if (begin <= 0 || begin >= file_size) return {};
  std::int64_t end = file_size;
  for (std::size_t i = kLstmUnicharset + 1; i < offsets.size(); ++i)
    if (offsets[i] > begin) { end = offsets[i]; break; }
  std::string text(static_cast<std::size_t>(end - begin), '\0');
  in.seekg(begin);
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) return {};
  std::set<std::string> out;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // the count
  while (std::getline(lines, line)) {
    const auto sp = line.find(' ');
    if (sp != std::string::npos && sp > 0) out.insert(line.substr(0, sp));
  }
  return out;
}

std::string utf8_of(char32_t c) {
  std::string o;
  if (c < 0x80) o += static_cast<char>(c);
  else if (c < 0x800) o += static_cast<char>(0xC0 | (c >> 6)), o += static_cast<char>(0x80 | (c & 0x3F));
  else if (c < 0x10000)
    o += static_cast<char>(0xE0 | (c >> 12)), o += static_cast<char>(0x80 | ((c >> 6) & 0x3F)), o += static_cast<char>(0x80 | (c & 0x3F));
  else
    o += static_cast<char>(0xF0 | (c >> 18)), o += static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
        o += static_cast<char>(0x80 | ((c >> 6) & 0x3F)), o += static_cast<char>(0x80 | (c & 0x3F));
  return o;
}

class TesseractEngine final : public Engine {
 public:
  TesseractEngine() = default;
  ~TesseractEngine() override {
    api_.End();
    for (auto& [langs, api] : others_) api->End();
  }
  TesseractEngine(const TesseractEngine&) = delete;
  TesseractEngine& operator=(const TesseractEngine&) = delete;

  Result<void> init(const TesseractOptions& options) {
    options_ = options;
    const char* datapath = options.tessdata_dir.empty() ? nullptr : options.tessdata_dir.c_str();
    if (api_.Init(datapath, options.languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0)
      return fail(Code::kEngine, "Tesseract could not start with languages '" + options.languages +
                                     "' (language data missing from '" +
                                     (options.tessdata_dir.empty() ? std::string("the default tessdata folder")
                                                                   : options.tessdata_dir) +
                                     "'?)");
    // No debug files and no "Estimating resolution" chatter.
    api_.SetVariable("debug_file", "/dev/null");
    // Forms are dark print on light paper: never try each doubtful line again inverted (it costs
    // a second LSTM pass per such line).
    api_.SetVariable("tessedit_do_invert", "0");
    return {};
  }

  Result<Reading> read(const Image& page, Box zone, const ZoneSpec& spec) override {
    if (page.empty()) return fail(Code::kInvalid, "cannot read a zone of an empty image");
    const cv::Rect want(zone.x, zone.y, zone.w, zone.h);
    const cv::Rect clipped = want & cv::Rect(0, 0, page.width(), page.height());
    if (zone.empty() || clipped.empty()) return fail(Code::kInvalid, "zone lies outside the page");

    cv::Mat gray = to_gray(ImageAccess::mat(page)(clipped));
    // A zone without contrast holds no text; Tesseract's global threshold would turn the whole
    // blank zone into ink and "read" noise from it.
    double lo = 0, hi = 0;
    cv::minMaxLoc(gray, &lo, &hi);
    if (hi - lo < kMinContrast) return Reading{"", 0.0, Box{clipped.x, clipped.y, clipped.width, clipped.height}, {}, {}};
    int border = std::max(0, spec.border);
    const int dpi = page.dpi() > 0 ? page.dpi() : 300;
    int read_dpi = dpi;
    double kx = 1.0, ky = 1.0;  // read image px per page px
    if (spec.thicken_strokes_px > 0) {
      // Dark strokes on white: growing the dark thickens them (into a buffer of its own).
      const int k = 1 + spec.thicken_strokes_px;
      cv::Mat thick;
      cv::erode(gray, thick, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
      gray = thick;
    }
    if (spec.upscale_to_dpi > dpi) {
      kx = ky = spec.upscale_to_dpi / static_cast<double>(dpi);
      read_dpi = spec.upscale_to_dpi;
    }
    if (spec.stretch_x > 1.0) kx *= spec.stretch_x;
    if (kx != 1.0 || ky != 1.0) {
      cv::resize(gray, gray, {}, kx, ky, cv::INTER_CUBIC);
      border = static_cast<int>(border * ky);
    }
    if (spec.thin_strokes_px > 0) {
      // Dark strokes on white: growing the white thins them.
      // Into a buffer of its own: unscaled, `gray` is the page's own pixels on a gray page.
      const int k = 1 + 2 * spec.thin_strokes_px;
      cv::Mat thinned;
      cv::dilate(gray, thinned, cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
      gray = thinned;
    }
    cv::Mat padded;
    cv::copyMakeBorder(gray, padded, border, border, border, border, cv::BORDER_CONSTANT, cv::Scalar(255));
    if (!padded.isContinuous()) padded = padded.clone();

    auto api = api_for(spec.languages);
    if (!api) return std::unexpected(api.error());
    tesseract::TessBaseAPI& t = **api;
    t.SetPageSegMode(psm_for(spec.layout));
    t.SetVariable("tessedit_char_whitelist", spec.whitelist.c_str());
    t.SetVariable("lstm_choice_mode", spec.alternatives ? "2" : "0");
    t.SetImage(padded.data, padded.cols, padded.rows, 1, static_cast<int>(padded.step));
    t.SetSourceResolution(read_dpi);

    std::unique_ptr<char[]> raw(t.GetUTF8Text());
    if (!raw) {
      t.Clear();
      return fail(Code::kEngine, "Tesseract failed to recognise the zone");
    }
    Reading r;
    r.text = remove_cjk_spaces(trim(raw.get()));
    if (spec.layout == ZoneLayout::kSingleLine || spec.layout == ZoneLayout::kRawLine) {
      // Tesseract puts a space between every two "words" of Japanese; only a gap as wide as a
      // character is a real one (遠藤　明美): keep it as one full-width space.
      // Only where the words are the line's own characters (the word level may differ).
      std::string spaced = words_with_wide_gaps(t);
      auto bare = [](const std::string& x) {
        std::string o;
        for (std::size_t i = 0; i < x.size();) {
          if (x[i] == ' ' || x[i] == '\n') { ++i; continue; }
          if (x.compare(i, 3, "\u3000") == 0) { i += 3; continue; }
          o += x[i++];
        }
        return o;
      };
      if (!spaced.empty() && bare(spaced) == bare(r.text)) r.text = spaced;
    }
    r.confidence = r.text.empty() ? 0.0 : std::clamp(t.MeanTextConf() / 100.0, 0.0, 1.0);
    r.box = Box{clipped.x, clipped.y, clipped.width, clipped.height};
    // From the read image (scaled, bordered) back to page pixels.
    auto to_page = [&](int x0, int y0, int x1, int y1) {
      return Box{clipped.x + static_cast<int>((x0 - border) / kx), clipped.y + static_cast<int>((y0 - border) / ky),
                 static_cast<int>((x1 - x0) / kx), static_cast<int>((y1 - y0) / ky)};
    };
    if (spec.layout == ZoneLayout::kBlock || spec.layout == ZoneLayout::kAuto || spec.layout == ZoneLayout::kSparse) {
      std::unique_ptr<tesseract::ResultIterator> it(t.GetIterator());
      if (it) {
        do {
          std::unique_ptr<char[]> line(it->GetUTF8Text(tesseract::RIL_TEXTLINE));
          if (!line) continue;
          int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
          if (!it->BoundingBox(tesseract::RIL_TEXTLINE, &x0, &y0, &x1, &y1)) continue;
          TextLine l;
          l.text = remove_cjk_spaces(trim(line.get()));
          if (l.text.empty()) continue;
          l.confidence = std::clamp(it->Confidence(tesseract::RIL_TEXTLINE) / 100.0, 0.0, 1.0);
          l.box = to_page(x0, y0, x1, y1);
          r.lines.push_back(std::move(l));
        } while (it->Next(tesseract::RIL_TEXTLINE));
      }
      std::stable_sort(r.lines.begin(), r.lines.end(), [](const TextLine& a, const TextLine& b) {
        return a.box.y + a.box.h / 2 < b.box.y + b.box.h / 2;
      });
    }
    if (spec.glyphs || spec.alternatives) {
      std::unique_ptr<tesseract::ResultIterator> it(t.GetIterator());
      if (it && !r.text.empty()) {
        do {
          std::unique_ptr<char[]> sym(it->GetUTF8Text(tesseract::RIL_SYMBOL));
          int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
          if (!sym || !it->BoundingBox(tesseract::RIL_SYMBOL, &x0, &y0, &x1, &y1)) continue;
          Glyph g;
          g.text = sym.get();
          g.confidence = std::clamp(it->Confidence(tesseract::RIL_SYMBOL) / 100.0, 0.0, 1.0);
          g.box = to_page(x0, y0, x1, y1);
          if (spec.alternatives) {
            tesseract::ChoiceIterator ci(*it);
            do {
              const char* alt = ci.GetUTF8Text();
              if (alt != nullptr && *alt != '\0')
                g.alternatives.emplace_back(alt, std::clamp(ci.Confidence() / 100.0, 0.0, 1.0));
            } while (ci.Next());
          }
          r.glyphs.push_back(std::move(g));
        } while (it->Next(tesseract::RIL_SYMBOL));
      }
    }
    t.Clear();
    return r;
  }

  bool has_language(const std::string& lang) override {
    auto it = installed_.find(lang);
    if (it == installed_.end()) {
      std::error_code ec;
      it = installed_.emplace(lang, std::filesystem::is_regular_file(folder_of(lang) + lang + ".traineddata", ec)).first;
    }
    return it->second;
  }

  bool can_read(char32_t ch, const std::string& languages) override {
    const std::string langs = languages.empty() ? options_.languages : languages;
    auto it = charsets_.find(langs);
    if (it == charsets_.end()) {
      std::set<std::string> all;
      std::stringstream list(langs);
      for (std::string lang; std::getline(list, lang, '+');) {
        std::set<std::string> one = lstm_charset(folder_of(lang) + lang + ".traineddata");
        if (one.empty()) { all.clear(); break; }  // unknown: claim nothing is unreadable
        all.merge(one);
      }
      it = charsets_.emplace(langs, std::move(all)).first;
    }
    return it->second.empty() || it->second.contains(utf8_of(ch));
  }

 private:
  // The default instance, or one per other language set, started on first use.
  Result<tesseract::TessBaseAPI*> api_for(const std::string& languages) {
    if (languages.empty() || languages == options_.languages) return &api_;
    auto it = others_.find(languages);
    if (it != others_.end()) return it->second.get();
    auto api = std::make_unique<tesseract::TessBaseAPI>();
    // A single language may live in one of the extra folders (a second model beside Debian's).
    const std::string folder = languages.find('+') == std::string::npos ? folder_of(languages) : main_folder();
    if (api->Init(folder.c_str(), languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0)
      return fail(Code::kEngine, "Tesseract could not start with languages '" + languages + "'");
    api->SetVariable("debug_file", "/dev/null");
    api->SetVariable("tessedit_do_invert", "0");
    return others_.emplace(languages, std::move(api)).first->second.get();
  }

  // The main tessdata folder (with a trailing slash).
  std::string main_folder() {
    std::string dir = options_.tessdata_dir.empty() ? std::string(api_.GetDatapath() ? api_.GetDatapath() : "") : options_.tessdata_dir;
    if (!dir.empty() && dir.back() != '/') dir += '/';
    return dir;
  }

  // The folder holding `lang`'s data: the main one, else the first extra folder that has it.
  std::string folder_of(const std::string& lang) {
    const std::string main = main_folder();
    if (std::filesystem::exists(main + lang + ".traineddata")) return main;
    for (std::string dir : options_.extra_tessdata_dirs) {
      if (!dir.empty() && dir.back() != '/') dir += '/';
      std::error_code ec;
      if (std::filesystem::is_regular_file(dir + lang + ".traineddata", ec)) return dir;
    }
    return main;
  }

  TesseractOptions options_;
  tesseract::TessBaseAPI api_;
  std::map<std::string, std::unique_ptr<tesseract::TessBaseAPI>> others_;
  std::map<std::string, std::set<std::string>> charsets_;  // per language set; empty: unknown
  std::map<std::string, bool> installed_;                  // has_language, asked once per language
};

}  // namespace

std::string mend_stutters(const Reading& r) {
  std::vector<GlyphAt> at;
  for (const Glyph& g : r.glyphs) at.push_back({g.text, g.box.x, g.alternatives});
  return mend_stutters(r.text, at, find_stutters(at));
}

Result<std::unique_ptr<Engine>> make_tesseract_engine(const TesseractOptions& options) {
  auto engine = std::make_unique<TesseractEngine>();
  if (auto ok = engine->init(options); !ok) return std::unexpected(ok.error());
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace ocr
