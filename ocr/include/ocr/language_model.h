#pragma once
// How plausible a line of Japanese is, by a morphological analyser's dictionary (MeCab with
// IPADIC): the cost of its best segmentation into known words. A kanji misread as a look-alike
// (選藤 for 遠藤, 考人 for 老人) rarely makes a word, so the misreading costs more than the text.
// Used to choose between two readings of one zone, never to invent text neither reading holds.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
// segmentation: 服部 → ハットリ, やまびこ → ヤマビコ. One reading where the dictionary knows several
// (和子: カズコ or マサコ). Nothing when a part is unknown to it or there is no dictionary.
std::optional<std::string> reading_of(std::string_view utf8);

// How a kana string (furigana) stands to every way the dictionary can read a kanji string: any
// segmentation of it into dictionary words (MeCab's lattice: every word over every span) with any
// of their readings (和子: カズコ and マサコ), kana in the kanji string read as themselves (hiragana
// as katakana), 々 as the kanji before it, and the first kana of a word that is not the first
// voiced (rendaku: 会社 ガイシャ after 有限). Spaces are ignored on both sides.
struct KanaReadingMatch {
  enum class Kind {
    unknown,  // a part of the kanji has no reading in the dictionary (or no dictionary): cannot tell
    reading,  // the kana is one of the readings
    near,     // not a reading, but one edit from one or more (`near`)
    none,     // no reading is within one edit of the kana
  };
  // One edit that makes the kana a reading.
  struct Edit {
    enum class Op {
      substitute,  // kana[position] should be `should_be`
      extra,       // kana[position] is one too many (a glyph read twice: スズスキ)
      missing,     // `should_be` is missing before kana[position] (as likely another reading)
    };
    Op op = Op::substitute;
    int position = 0;       // in characters of the kana (spaces removed, katakana)
    std::string should_be;  // the reading's kana (substitute, missing); empty for extra
    std::string reading;    // the whole reading, katakana
  };
  Kind kind = Kind::unknown;
  std::vector<Edit> near;  // kind == near: each distinct reading one edit away
};
KanaReadingMatch match_reading(std::string_view kana, std::string_view kanji);

// How a person's family or given name read `kana` (katakana) is written: every spelling the
// dictionary's person names (IPADIC Noun.name.csv: 姓, 名) give that reading, most common first
// (by the dictionary's cost): キクチ as a family name → 菊地, 菊池; カズヤ as a given name → 一也,
// 和也, 和哉, …. Empty when the reading is unknown or the dictionary's sources are not installed.
enum class NamePart { family, given };
std::vector<std::string> name_spellings(std::string_view kana, NamePart part);

// The readings the dictionary's person names have (as name_spellings knows them) within one edit
// of `kana`: a kana changed, lost or added, or two changed by their voicing mark or size alone
// (ヨシタ → ヨシダ; オカフ → オカワ, オガワ; タクマ → タクヤ); nearest first, `kana` itself first
// where it is one. For a furigana read from an unfamiliar hand.
std::vector<std::string> name_readings_near(std::string_view kana, NamePart part);

// How a word read `kana` is written: every noun, suffix and prefix of the dictionary (IPADIC, with
// the person, place and organisation names) read so, most common first by its cost: ワカタケ →
// 若竹; カイ → 会, 回, 海, …. Empty when the reading is unknown or the sources are not installed.
// For a corporation's name whose reading the passbook prints.
std::vector<std::string> word_spellings(std::string_view kana);

// The kana as katakana (hiragana mapped, spaces removed): the form match_reading compares.
std::string as_katakana(std::string_view kana);

}  // namespace ocr
