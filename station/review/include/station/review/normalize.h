#pragma once
// Match keys: text as the checks compare it, so that what differs only in how it is written
// (full/half width, old and variant kanji forms, 株式会社 and (株), spaces, 丁目・番地・号 and
// hyphens) compares equal. Keys are for comparing, never shown.
#include <string>
#include <string_view>

namespace station::review {

// NFKC (full/half width, ㈱ → (株)), spaces removed, variant kanji folded to the common form
// (髙→高, 﨑→崎, 邉/邊→辺, ...), ヶ/ヵ → ケ, dashes and long bars between digits → '-'.
std::string fold(std::string_view text);

// fold, and the parenthesised abbreviations of legal forms spelt out ((株) → 株式会社).
std::string name_key(std::string_view text);

// name_key, and addresses written either way made one: 丁目・番地・番・号 → '-', kanji numerals
// before them → digits, the trailing '-' dropped, the prefecture (千葉県) dropped.
std::string address_key(std::string_view text);

// Bank account holders' kana: katakana (hiragana converted), full width, small kana as large
// (ｼｬ = シヤ), voicing kept, legal-form words as the bank's abbreviations (カブシキガイシャ → カ),
// separators and brackets removed.
std::string kana_key(std::string_view text);

// The ASCII digits of the text after NFKC (amounts: "1,320,000円" → "1320000").
std::string digits_only(std::string_view text);

}  // namespace station::review
