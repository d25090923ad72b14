#pragma once
// Printed structure of a page: ruled lines, registration against a form model, and the marks a
// form carries besides text (check boxes, seals). All functions are pure and thread-safe.
//
// Registration works without fiducials: a form model is the list of its printed ruled lines in
// millimetres (measured on the blank form); the page's long lines are found at a working
// resolution and paired with the model's, which yields a transform from the model's millimetres to
// page pixels (scale in x and y for printing scaled to fit, translation, and the page's skew).
#include <optional>
#include <string>
#include <vector>

#include "ocr/image.h"

namespace ocr {

// A ruled line: a horizontal line at `pos` (y) running from `from` to `to` (x), or a vertical
// line at `pos` (x) from `from` to `to` (y). Units depend on context (mm in a model).
struct Line {
  double pos = 0, from = 0, to = 0;
  double length() const { return to - from; }
};

struct FormModel {
  double width_mm = 210, height_mm = 297;  // the upright page
  std::vector<Line> horizontal;            // the long printed lines, mm
  std::vector<Line> vertical;
};

// From model millimetres to pixels of the page turned upright (page.rotated(quarter_turns)).
struct Placement {
  int quarter_turns = 0;        // clockwise turns that make the page upright
  double sx = 0, sy = 0;        // px per mm (x, y), in the deskewed frame
  double tx = 0, ty = 0;        // px, in the deskewed frame
  double skew_deg = 0;          // the page's rotation; mapped points are rotated back by it
  double cx = 0, cy = 0;        // rotation centre, upright page px
  double score = 0;             // 0..1: share of the model's lines found where expected
  Box map(double x_mm, double y_mm, double w_mm, double h_mm) const;  // bounding box on the page
};

// The page's long lines at a working resolution, per quarter turn; reuse it for several models.
class PageStructure {
 public:
  static PageStructure analyse(const Image& page);
  // The best placement of `model` over the four quarter turns (or only `turns` if given).
  Placement place(const FormModel& model, std::optional<int> turns = std::nullopt) const;
  // Lines found (working pixels scaled to page pixels) for the page turned by `turns`.
  std::vector<Line> horizontal_px(int turns) const;
  // A booklet copied open, as a passbook copy shows it: a ruled rectangle wider than high (at least
  // 100 mm across, 1.2 to 3 times as wide as high) whose two halves are parted by a fold line
  // near its middle, the fold and its sides present (one side may be cut off by the page's
  // edge, the top and bottom rules then running to it). Looked for on the page as it is and
  // turned a quarter (a spread copied across a landscape sheet); `turns` is the view it was found
  // in, `box` its place there (page px, deskewed frame). Nothing when there is none.
  struct Spread {
    int turns = 0;
    Box box;
  };
  std::optional<Spread> find_spread() const;
  double skew_deg() const { return skew_; }

 private:
  struct View {
    std::vector<Line> h, v;  // working px, deskewed frame
    std::vector<Line> h_joined, v_joined;  // the same with the pieces of one broken rule joined
    int w = 0, h_px = 0;
  };
  View views_[4];
  double skew_ = 0;
  double scale_ = 1;  // page px per working px
  int page_w_ = 0, page_h_ = 0;
};

// A check box: `box` is the printed square (page px, from the template with registration error).
struct CheckReading {
  bool checked = false;
  double confidence = 0;  // 0..1
  double ink = 0;         // share of the interior covered by marks (ruling removed)
  Box box;
};
CheckReading read_checkbox(const Image& page, Box box);

// A seal impression in `region` (page px): red ink on a colour scan, however faint or partly
// printed; on gray and black-and-white scans ink darker than the zone's paper. `printed` names the
// blank form's own marks in the region (the printed 印, ruled lines) and neighbouring fields' zones
// (page px); ink there is not counted (1.5 mm of registration slack is added around each).
// "Absent" is certain only on a colour or gray scan whose zone holds no trace at all: a faint red
// seal may vanish in a black-and-white scan.
struct SealReading {
  bool present = false;
  double confidence = 0;
  double red = 0, ink = 0;  // share of the counted area: red ink (colour scans), dark ink
  Box box;
};
SealReading detect_seal(const Image& page, Box region, const std::vector<Box>& printed = {});

// Share of dark pixels in a zone after removing ruled lines and specks: 0 for an empty field.
// `ink_box` (optional) receives the bounding box of the ink, page px.
double zone_ink(const Image& page, Box zone, Box* ink_box = nullptr);

// The zone with ruled lines and specks removed, black on white, for the OCR engine.
Image clean_zone(const Image& page, Box zone);

// A zone made ready for the OCR engine: ruled lines and specks removed; marks cut by the zone's top
// or bottom edge (the neighbouring line's text, a stray stroke) dropped unless they belong to the
// zone's own text; for a single-line field only the main text line kept. The result is the ink's
// own gray levels on pure white, cropped to the ink with a small margin: Tesseract's global
// threshold then sees only text and paper.
struct PreparedZone {
  Image image;     // empty when the zone holds no ink
  double ink = 0;  // share of the zone's area covered by the kept ink
  Box ink_box;     // the kept ink, page px (the zone itself when there is none)
  Box image_box;   // where `image` lies on the page, page px (empty with no image)
};
// `max_mark_mm` > 0 also drops marks larger than that either way (a postmark's ring around its
// date). `numbers`: the line holds a number, whose marks (a comma, a point, a hyphen) never stand
// high beside its digits: a dot there, apart from every digit, is dust (a 7 and a dot read 70).
PreparedZone prepare_zone(const Image& page, Box zone, bool single_line, double max_mark_mm = 0,
                          bool numbers = false);

// The date line of a round postmark stamped over or near `zone` (page px): the ring is found
// (it may reach beyond the zone), and the text line nearest its centre — the date between the
// post office's name and the time — is cut out of it, with the ring, specks and straight lines
// crossing it (a stamp's printed frame) removed. Two versions, black-ish ink on white, each
// cropped to the line: [0] with the straight lines taken out and the strokes they cut bridged,
// [1] with the crossing lines left in within the line's box (a digit whose stroke runs along a
// line keeps its shape). Empty when no ring or no line is found.
std::vector<Image> postmark_date_lines(const Image& page, Box zone);

// The page in gray with its paper made white: tinted panels (a passbook's printed background),
// uneven lighting and shadows divided out, so that a page-level reading sees only the print.
Image flatten_background(const Image& page);

// Half-width katakana print their voicing marks (ﾊﾞ, ﾎﾟ) as characters of their own, which the
// Japanese model does not know: it reads them as nothing, a space or ー. The marks of one text line
// (`line`, page px) are found — small marks in the top part of the line with no other ink under
// them — and cut out with the blank after them; what is left is the line as an image of its own, and each mark's place in it.
struct VoicedMark {
  int x = 0;          // column of the returned image where the mark was cut out
  bool semi = false;  // ﾟ (handakuten) rather than ﾞ
  bool space_after = false;  // a word space followed the mark
};
struct SplitLine {
  Image line;  // the line without its marks (gray; same dpi as the page); empty when no ink
  std::vector<VoicedMark> marks;
  int text_height = 0;  // px, from the top of the tallest glyphs to the bottom of the lowest
};
SplitLine split_voiced_marks(const Image& page, Box line);

// A printed 0, 6, 8 or 9 told apart by its holes, for a glyph the LSTM read as one of them: 8 has
// two, one above the other; 0's one hole spans most of its height (a slashed zero's two lie side by
// side along the slash); 9's sits in its upper part, 6's in its lower part.
// Used where a condensed leading 0 is read as 9 or 6. Nothing when the glyph is not clearly one
// of these (no hole, a hole in neither place, a box holding more than one mark).
std::optional<char> digit_by_holes(const Image& page, Box glyph);

// Unicode NFKC (full-width digits and Latin become ASCII, half-width kana become full-width).
std::string normalize_nfkc(const std::string& s);

}  // namespace ocr
