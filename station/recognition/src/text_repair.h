#pragma once
// Private to station_recognition: Japanese text as read, repaired. The engine's readings carry
// marks a zone's edges leave, hyphens read as long-vowel marks, look-alikes of the wrong script,
// small kana where none can stand; these functions take out what is not the writer's. Each is
// plain text in, text out, and knows nothing of pages.
#include <unicode/unistr.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace station::recognition::detail {

// The ASCII digits of `s`, in order.
std::string digits_of(const std::string& s);

// Dashes that stand for a hyphen between digits (addresses, phone numbers) become "-".
std::string fix_dashes(const std::string& s);

// `s` without its spaces and tabs, full-width ones included.
std::string strip_spaces(const std::string& s);

// The characters (code points) of UTF-8 `s`, each as UTF-8, in order: 口座番号 → 口, 座, 番, 号.
std::vector<std::string> utf8_characters(const std::string& s);

// Where each of `pieces` (an engine's glyph texts, in order) lies in `text`, which a later step
// may have mended (a character replaced, inserted or dropped): the byte offset in `text` of a piece
// whose characters all match there, in a longest-common-subsequence alignment of the pieces'
// characters with text's (spaces in `text` skipped); npos for a piece not matched whole.
std::vector<std::size_t> place_pieces(const std::vector<std::string>& pieces, const std::string& text);

// Fields holding a person's name (or a title and a name): the only ones where a full-width space
// is content (遠藤　明美 — the officer list's export needs it between family and given name).
bool is_name_key(const std::string& key);

// NFKC, but a full-width space (a real gap the engine saw) survives it: NFKC would make it ASCII.
std::string nfkc_keeping_wide_spaces(const std::string& s);

// ASCII spaces and tabs go; a full-width space stays, one at most between two characters and
// none at either end. For names and titles (is_name_key): a lone mark no name holds (. , " ” ' ’ `
// : ;) between two characters is the gap between family and given name, or title and name, that
// the engine read as a speck, and becomes that full-width space.
std::string keep_wide_spaces(const std::string& s);

// Leading and trailing marks a zone's edges or ruling leave behind ("|", ",", "."): no name,
// address or title begins or ends with them.
std::string trim_junk(const std::string& s);

// "1.25-19" in an address is a misread hyphen: Japanese addresses and names carry no decimals. A
// dot beside a hyphen between digits ("7-.18") is a speck: the hyphen stays alone.
std::string dots_between_digits_to_dashes(const std::string& s);

// In an address a number is followed by 丁目, 番, 番地, 号, a hyphen or nothing: one character
// between a number's last digit and the 号 after it ("21人号") is a stray glyph (a stroke of the 号
// read apart) and goes. True when one went.
bool drop_stray_before_go(std::string& s);

// In an address a number's 丁 is followed by 目: a look-alike there (日, 自, 月, 且: "4丁日") is a
// misread 目 and becomes one. True when one did.
bool mend_chome(std::string& s);

// An address ends with its number (or 号, 番地, a building's name): a bracket, bar, quote or dot
// after its last digit ("936番地12」": the field's edge or a speck) goes. True when one did.
bool drop_marks_after_number(std::string& s);

// Marks that do not belong in Japanese free text and betray a misreading.
bool has_stray_marks(const std::string& s);

// Whether a character (UTF-8; its first code point) is a kanji.
bool is_han(const std::string& ch);
// Whether `ch` (one character) is one of the kanji an address's number is written with: 丁, 目, 番,
// 地, 号.
bool is_address_number_kanji(const std::string& ch);
// Whether `number` is an address's number as Japanese addresses write it: 1038番地20, 3丁目14番25号,
// 12番, 8-19-20 (ASCII digits).
bool address_number_grammar_ok(const std::string& number);
// The longest address number (as address_number_grammar_ok has it) `text` starts with; "" if none.
std::string leading_address_number(const std::string& text);
// Whether the number that ends `address` (from its last kanji that is no 丁, 目, 番, 地 or 号) is
// one: 真間の-12-5 or 真間2-や-5 is not.
bool address_ends_in_a_number(const std::string& address);

// Katakana as written: small ァィゥェォャュョッ never open a word nor follow ン, ー or another
// small kana; ャュョ only follow an i-row kana.
bool plausible_kana(const std::string& s);
// Format grammars: a value that fails its grammar is never certain.
// An e-mail address: one @, a local part of [A-Za-z0-9._%+-] without leading, trailing or doubled dots,
// a domain of two or more labels of [a-z0-9-] (no label starting or ending with -), an alphabetic
// top-level label of 2 to 6 letters that neither ends with "jp" but is jp (a Japanese second-level
// label glued to it, "orjp", "cojp": a dot lost; "nejjp") nor starts with a doubled letter ("jjp",
// a glyph read twice), and that is a top-level domain that exists (the Public Suffix List's ICANN
// section: .jd, .comt fail).
bool email_grammar_ok(const std::string& s);
// An e-mail address as read, mended by its grammar where a reader's typical slip is certain by
// position: trailing . - _ dropped; a mixed-case local part and the domain in small letters; a lost
// @ (read 0 or 9: the last such digit between the local part's characters and a domain of
// letters that then passes the grammar); in a run of digits ending the local part, l, I and | read
// for 1 and O, o for 0; in a domain's labels, a 0 between letters read for o and a 1 for l; a
// JPRS second-level label glued to jp (cojp → co.jp) and a stuttered final label (jjp → jp); a final
// label that is no top-level domain but one letter from exactly one of jp, com, net, org, info
// (jd → jp, comt → com, nejd → ne.jp), and a look-alike digit in a JPRS label before jp (c0.jp).
// `mended` says whether anything beyond case and trailing marks changed.
std::string mend_email(const std::string& raw, bool& mended);
// The address as read, only its spaces and trailing . - _ dropped and its case as above.
std::string email_as_read(const std::string& raw);

// An e-mail address's local part as chosen (`address`, as email_as_read gives it) beside the other
// model's reading `other`: where they differ only by a letter and its look-alike digit next to a
// digit (infol9 and info19), the digit. Returns whether `address` changed.
bool digits_from_other_reading(std::string& address, const std::string& other);
// A Japanese phone number: 10 digits starting 0 (landline, 0X0 numbers) or 11 starting 0[5789]0
// (IP, mobile; grouped 3-4-4); with hyphens, exactly three groups: a first of 2 to 5 digits starting 0, a middle
// of 1 to 4, a last of 4.
bool phone_grammar_ok(const std::string& s);
// Hyphens at either end of a number (the cell's edge or a speck beside it: no number starts or
// ends with one) go, the whole of `s` never; returns how many went at the front and at the back.
std::pair<std::size_t, std::size_t> trim_hyphens(std::string& s);
// An empty pair of brackets is no part of a phone number (a zero's two sides read apart, or marks
// around nothing): where the number is not whole and is once the pair goes, it goes. Returns where
// it stood in `s` (nothing when `s` is unchanged).
std::optional<std::size_t> drop_empty_brackets(std::string& s);
// A phone number starts with 0: a glyph read before that 0 (the zone's edge, a bracket read as a
// digit) is dropped when the rest is a whole number. True when it mended `s`.
bool drop_glyph_before_phone(std::string& s);
// A phone number starts with 0: where the engine lost that first 0 (it sits next to the form's
// printed 電話 label, and the first glyph box often takes both in), a reading that is a whole
// number once the 0 is put back gets it back. True when it mended `s`.
bool restore_phone_leading_zero(std::string& s);
// A phone number starts with 0: a first digit the engine read as one of the zero's look-alikes
// (6, 8, 9: a zero with a mark, a narrow mincho zero) is that 0 when the number is then whole.
// True when it mended `s`.
bool restore_phone_first_zero(std::string& s);
// A digit the engine read twice (a 0 stuttered: 0046 for 046, 10020 for 1020): where the number
// is not whole and dropping one digit of a doubled pair (or two, of two pairs) makes it whole in
// exactly one way, that is the number. Returns the positions in the original `s` dropped (empty
// when it did not mend `s`), so that the caller can drop the characters read there.
std::vector<std::size_t> drop_stuttered_phone_digits(std::string& s);
// The voicing mark read after a katakana (as the model outputs it, full-width), by kana grammar:
// only the ハ row takes ﾟ, so a mark that looks like a ring after any other kana that takes a mark is
// ﾞ (its two strokes merge into a ring at low resolution). Returns "゜" or "゛".
const char* voicing_mark_after(std::string_view kana, bool looks_semi);

// A free reading of a small cell mapped onto its character set: digits from the letters they are
// mistaken for, M/F, or the era's first kanji. "" when nothing fits.
std::string lookalikes(const std::string& s, const std::string& type);

// Whether the OCR model can output a character at all.
using Readable = std::function<bool(char16_t)>;

// Plain Levenshtein distance, in whole edits.
int edit_distance(const icu::UnicodeString& a, const icu::UnicodeString& b);

// Chiba prefecture's municipalities (and Chiba city's wards): every applicant's corporation and
// facility is in the prefecture, and most officers live there. An address read as "千葉県栓市…"
// is 千葉県柏市…; only a single nearest name within one edit is taken, never a guess between two.
// "十葉県市川市…" → "千葉県市川市…", "千葉県栓市…" → "千葉県柏市…"; anything else unchanged.
std::string fix_chiba_address(const std::string& s, bool& changed, const Readable& readable);

// A Chiba address cut after its municipality (and Chiba city's ward): the municipality's end and
// the town's end (the first digit, or the end), in bytes; nothing where it does not begin with
// 千葉県 and a municipality of the prefecture as spelt.
struct TownSpan {
  std::size_t begin = 0, end = 0;
};
std::optional<TownSpan> chiba_town(const std::string& address);
// The prefecture's municipalities as chiba_town knows them, and Chiba city's wards.
std::vector<std::string> chiba_municipalities();
std::vector<std::string> chiba_wards();

// A Chiba address whose municipality is not one as spelt (千葉県析市…): the address with each
// municipality (or Chiba city) the characters after 千葉県 are one character replaced off, that
// character's place in the address (in characters, as `at`). fix_chiba_address leaves two such
// alike near alone; these are the candidates the glyph's ink chooses between.
struct MunicipalityCandidate {
  std::string address;
  std::size_t at = 0;
};
std::vector<MunicipalityCandidate> municipalities_one_off(const std::string& address);

// The one name of `names` that `read` is within one edit of (lexicon_distance, a character the
// model cannot output costing half), names equally near told apart by the characters read as
// such; nothing where `read` is shorter than `min_chars` characters, is one of them, or none or
// several fit.
std::optional<std::string> nearest_in_lexicon(const std::string& read, const std::vector<std::string>& names,
                                              const Readable& readable, std::size_t min_chars);

// Katakana with each small kana that cannot stand where it is (at a word's start, after ン or a
// kana no small one follows: ィ)チョウシ, ァイセイ) made full-size: the model read a full-size one small.
std::string small_kana_made_full(const std::string& s);

// The kana without its voicing mark (バ, パ → ハ); other characters as they are.
char16_t unvoiced(char16_t c);

// The kana `kana` (UTF-8) with one kana's voicing mark added, taken off or changed (ハルゴ →
// ハルコ, バルゴ, …): what a furigana misread by its voicing marks could have been. Each once.
std::vector<std::string> voicing_variants(const std::string& kana);

// A small vowel straight after the same full-size vowel at a word's end (カズオォ) is a doubled
// glyph, not writing; a small kana where none can stand is a full-size one. Legal-entity words are
// restored where only voicing marks or the size of a kana differ (ガイシヤ, ドリシマリヤク).
std::string fix_kana_words(const std::string& s);

// Kana the Japanese model reads for a Latin capital inside a run of capitals ("三菱りFJ" for
// 三菱UFJ): next to a capital, り is U.
std::string latin_lookalikes(const std::string& s);

// Japanese free text as read, without what is not the writer's: junk at its ends, a cell's
// printed edge, look-alikes of the wrong script.
std::string clean_free_text(const std::string& s);

// A bank account holder's name as a bank compares it: NFKC, without spaces, brackets, dots or
// long-vowel marks, small kana as large, legal-form words as the abbreviation banks print (全銀協):
// the passbook's "ｼﾔ)ﾐﾄﾞﾘｶｲ" and the application's "シャカイフクシホウジンミドリカイ" share the key
// "シヤミドリカイ". The review's passbook check compares by the same key.
std::string holder_kana_key(const std::string& s);

// A holder line as printed, spaces aside: NFKC, small kana as large (a bank may print ｼﾔ for シャ);
// brackets and long-vowel marks kept.
std::string passbook_form_key(const std::string& s);

// The passbook line a bank prints for the application's furigana `holder_kana`: the legal-form word
// as its abbreviation closed by ")" (before the name where the word leads, after it where it
// trails), words one space apart, full-width as NFKC reads half-width kana. A leading abbreviation
// is written as the line read on the passbook (`line_read`, "シャ) ...") begins, where that is the
// table's up to the size of its kana. "" where the furigana is not all katakana.
// "シャカイフクシホウジンミドリカイ　リジチョウ" → "シヤ)ミドリカイ リジチョウ".
std::string passbook_holder_from(const std::string& holder_kana, const std::string& line_read);

// The grammar of a passbook's holder line (NFKC): katakana words one space apart, the first may
// carry one legal-form abbreviation of 1-3 kana with ")" before the name (a space may follow it) or
// after it, each word
// plausible katakana (plausible_kana).
bool passbook_holder_grammar_ok(const std::string& s);

// The words a Japanese deposit-taking institution's name ends with (its kind), longest first: the
// same kinds as the review's zengin abbreviations (station/review/zengin.h).
inline constexpr const char* kBankKinds[] = {"漁業協同組合", "農業協同組合", "信用金庫", "信用組合", "労働金庫", "銀行"};

// A bank named in a passbook's line: "普通預金通帳三菱りFJ銀行 南浦和" → {"三菱UFJ銀行", "銀行", rest
// "南浦和"}: the name runs back from its kind's word (銀行, 信用金庫, ...) over name characters and
// starts after the passbook's own words (通帳, お取引店; 預金通帳 with its last character misread).
// Nothing when the line names no bank.
struct BankMention {
  std::string name, kind, rest;
};
std::optional<BankMention> bank_mention(const std::string& line);

// The account type a passbook's text names, from the closed list 普通 / 当座: written out
// (`exact`), or told by the one of its two characters read right before 預金 (普遍預金 → 普通);
// "" when neither or both fit.
std::string account_type_in(const std::string& text, bool& exact);

// ICU regular expression over UTF-8 text: the first match's group `g`, or "".
std::string find_re(const std::string& text, const char* pattern, int g = 1);

}  // namespace station::recognition::detail
