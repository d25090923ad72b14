#pragma once
// How plausible a line of Japanese is, by a morphological analyser's dictionary (MeCab with
// IPADIC): the cost of its best segmentation into known words. A kanji misread as a look-alike
// (選藤 for 遠藤, 考人 for 老人) rarely makes a word, so the misreading costs more than the text.
// Used to choose between two readings of one zone, never to invent text neither reading holds.
#include <optional>
#include <string>
#include <string_view>

namespace ocr {

// The analyser's cost of `utf8` (spaces ignored; lower is more plausible), or nothing when the
// dictionary is not installed. Thread-safe.
std::optional<long> text_cost(std::string_view utf8);

// Of two readings of the same printed line, the more plausible text: where they differ, each
// differing stretch is taken from one or the other, so the better half of each can combine
// (特別養護考人ホーム…第二 and 特別養護老人ホーム…第ニ give 特別養護老人ホーム…第二). Ties keep
// `first`'s stretch; without a dictionary, `first`.
std::string more_plausible(const std::string& first, const std::string& second);

// How `utf8` (kanji and kana, no spaces) is read, in katakana, by the dictionary's best
// segmentation: 長谷川 → ハセガワ, やまびこ → ヤマビコ. One reading where the dictionary knows several
// (裕子: ユウコ or ヒロコ). Nothing when a part is unknown to it or there is no dictionary.
std::optional<std::string> reading_of(std::string_view utf8);

}  // namespace ocr
