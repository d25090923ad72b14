#pragma once
// Private: clean-up of Tesseract's UTF-8 output.
#include <string>
#include <string_view>

namespace ocr {

// Without leading and trailing whitespace (ASCII, and the full-width space U+3000).
std::string trim(std::string_view s);

// Removes the spaces Tesseract puts between two CJK characters (kanji, kana, full-width forms);
// spaces next to Latin text or digits stay.
std::string remove_cjk_spaces(std::string_view s);

}  // namespace ocr
