#pragma once
// Comb boxes: a row of N printed cells, one character per cell (介護保険事業所番号, 口座番号).
#include <string>
#include <vector>

#include "ocr/digits.h"
#include "ocr/engine.h"
#include "ocr/image.h"

namespace ocr {

struct CombReading {
  std::string text;                  // one character per cell; '?' where unreadable, ' ' where empty
  std::vector<double> confidences;   // per cell, 0..1 (0 for an empty cell)
  std::string alternatives;          // per cell, the other reader's digit where it differed or came second; '?' none
  double confidence = 0.0;           // the minimum over filled cells
  int filled = 0;                    // cells with ink
  Box box;                           // the located row, in page pixels
};

// How a comb cell's digit is decided between Tesseract's reading (`tesseract`, with its confidence)
// and the font-independent classifier's vote `v` (see comb.cpp for the evidence behind each rule).
struct CellVote {
  char digit;
  double confidence;
  char alternative;  // the other reader's digit, '?' none
};
CellVote vote_cell_digit(char tesseract, double confidence, const DigitVote& v);

// Locates a row of `cells` ruled boxes inside `search` (page pixels; the template's zone plus a
// margin for skew and scaling), then reads each filled cell with `engine` restricted to
// `whitelist`. kInvalid when no such row is found in the region.
Result<CombReading> read_comb_row(const Image& page, Box search, int cells, const std::string& whitelist,
                                  Engine& engine);

}  // namespace ocr
