#pragma once
// Page cleanup on arrival: border crop, orientation (0/90/180/270), deskew and blank detection.
// The original is never changed (Images are values); cleanup returns a new image plus what it
// measured, so the caller can keep both and flag pages for the clerk. Thread-safe: each thread
// that asks for orientation uses its own Tesseract OSD instance (created on first use).
#include <string>

#include "ocr/error.h"
#include "ocr/image.h"

namespace ocr {

enum class Orient { kOff, kHeuristic, kOsd };  // kOsd: Tesseract OSD, heuristic when OSD is unsure

struct CleanupOptions {
  bool crop_border = true;
  bool deskew = true;
  Orient orient = Orient::kOsd;
  bool detect_blank = true;
  double max_skew_degrees = 5.0;    // larger skews are not corrected (the page is flagged)
  std::string tessdata_dir;          // for osd.traineddata; empty: Tesseract's default
};

struct BlankInfo {
  bool blank = false;
  double ink_ratio = 0.0;   // dark pixels in the content area after noise removal, 0..1
  int components = 0;       // text-sized connected components found
};

struct CleanupResult {
  Image image;                   // the cleaned, upright page
  Box crop;                      // kept area of the (turned) page; the whole page when nothing was cut
  int quarter_turns = 0;         // clockwise quarter turns applied to make the page upright (0..3)
  double orientation_confidence = 0.0;  // 0..1; low means "not sure", the page is then flagged
  double skew_degrees = 0.0;     // measured skew of the content (the correction was its opposite)
  bool skew_corrected = false;
  BlankInfo blank;
};

// The whole cleanup, in this order: border crop, orientation, deskew, blank detection.
Result<CleanupResult> cleanup_page(const Image& page, const CleanupOptions& options = {});

// ---- the steps, for tests and tools
// The content's skew in degrees (positive: content rotated clockwise), within ±max_degrees,
// by projection-profile search on a downscaled binarised copy.
double estimate_skew(const Image& page, double max_degrees = 5.0);
// Rotated by `degrees` counter-clockwise about the centre, the new corners filled white.
Image rotate_degrees(const Image& page, double degrees);
// The box inside the dark scanner background (a frame of near-black along the edges).
Box find_content_box(const Image& page);
// Orientation: the clockwise quarter turns that make the page upright, with a confidence 0..1.
struct OrientationGuess {
  int quarter_turns = 0;
  double confidence = 0.0;
};
OrientationGuess detect_orientation(const Image& page, Orient how = Orient::kOsd, const std::string& tessdata_dir = {});
// Blank detection robust to JPEG noise, bleed-through from the back and punched holes.
BlankInfo detect_blank(const Image& page);

}  // namespace ocr
