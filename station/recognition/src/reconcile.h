#pragma once
// Private to station_recognition: the envelope-level checks, run once every page is read. The
// forms of one application repeat some of their text and their dates, and each form's furigana
// spells its kanji: each value is checked against the others, and one mended so is for the clerk to
// confirm.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "station/recognition/recognize.h"

#include "ocr/ink_spelling.h"
#include "station/recognition/lexicon.h"
#include "text_repair.h"

namespace station::recognition::detail {

// The same text written on two forms (the corporation, its representative and facility): where
// the two values differ by a little, the one most readings agree on is kept for both.
void reconcile_same_text(std::vector<RecognizedValue>& values);

// The representative's name, written on up to four forms: the application (代表者氏名), the pledge
// (after the title), the officer list (the row with the representative's title, with its
// furigana) and the account holder (after the corporation and title, with the holder's furigana).
// Where exactly one of the names read is one a furigana reads (the dictionary's spellings of that
// family and given name, or a reading of each part), a name no furigana reads that differs from it
// by at most half its characters is taken for a misreading of it: it becomes that name, for the
// clerk to confirm. Names that differ by more are left alone (the forms may disagree, and the
// review shows both).
void reconcile_representative(std::vector<RecognizedValue>& values);

// The account holder's furigana (bank.holder_kana: "<corporation>　<title>　<family>　<given>")
// says again what the officer list's furigana say: the corporation's (officers.corp_kana) and the
// representative's (the row with the representative's title), and its title is read as the
// dictionary reads the application's (代表理事: ダイヒョウリジ). Where a part and its witness differ
// by a little (a kana read twice, a small kana read large with a gap before it), the one that is a
// reading of the kanji it spells (bank.holder's corporation, the corporation's name; the
// representative's name) is taken for both, for the clerk to confirm. Run before the passbook is
// compared with the application, so that the passbook's line is checked against the mended one.
void reconcile_holder_kana(std::vector<RecognizedValue>& values);

// Furigana checked against the kanji they spell, where both models agree on the kanji: each part
// (family and given name, or the words of a holder's name) by the dictionary's reading.
//
// Any reading of any segmentation of the kanji counts (ocr::match_reading). Per part: furigana
// that is a reading is left alone; a confident furigana (raw ≥ 0.9) that is a reading of the kanji
// changed in one character the reader weighed there (its alternatives, the other model's character)
// mends the kanji; furigana one kana from exactly one reading (substituted, or read twice) takes
// it; furigana that is no reading of kanji both models read alike is doubted. Whatever changed or
// is doubted is for the clerk to confirm (kUnsureFreeText at most).
void check_kana_by_reading(std::vector<RecognizedValue>& values);

// Officers' titles (役職名) and the representative's title (代表者職名) against the closed list of
// the offices the law gives corporations: a title keeps its confidence; another model's reading
// that is a title, or else the one title the reading is nearest (one edit for two-character
// titles, two for longer; a character the reader weighed for that glyph counts half), is taken;
// any other value, and every value changed, is for the clerk to confirm.
// Where several titles are nearest alike and differ from the reading in the same one character
// (臨事: 監事 or 理事), `vote` (optional) classifies that glyph's ink among their characters, and a
// clear majority for one names the title.
// The glyph classifier on a value's character `index` (of its text, spaces removed) among
// `symbols`, from its page's ink at the character's box: the winning symbol and its share of the
// neighbours, or nothing where the character has no box.
using GlyphVote = std::function<std::optional<std::pair<std::string, double>>(
    const RecognizedValue& v, std::size_t index, const std::vector<std::string>& symbols)>;
void check_titles(std::vector<RecognizedValue>& values, const GlyphVote& vote = {});
// Where the value's characters (those not blank) spell `text` (spaces removed) one by one: the
// index into `v.chars` of each of its characters, for a GlyphVote; empty otherwise.
std::vector<std::size_t> char_indices(const RecognizedValue& v, const std::string& text);
bool is_title(const std::string& s);

// The titles `read` is nearest (see check_titles), all of them where several are alike near, none
// where none is near enough; `alternatives` per character of the reading (spaces removed),
// `other_readings` the other models' readings.
std::vector<std::string> nearest_titles(const std::string& read, const std::vector<std::string>& other_readings,
                                        const std::vector<std::vector<std::string>>& alternatives);

// The application's date and the pledge's are filled in together and mailed soon after: a date
// that is no date (6月31日) or lies after the postmark or more than a year before it takes, part by
// part, what the other form's date says, where that makes it one. The fewest parts are taken;
// a date mended so is for the clerk to confirm. Two dates that are each plausible are left alone.
// Without a postmark the bound is `clock`'s day (JST).
void reconcile_dates(std::vector<RecognizedValue>& values, const Clock& clock);

// Each facility name, corporation name and address town read one character off exactly one of the
// lexicon's (lexicon.h) is taken to be it where the engine saw that character (the other model's
// reading, the glyph's alternative) or, for a name, with `vote`, the glyph's own ink votes
// unanimously for it over the character read (a town one character off another is often the same
// town spelt another way: 松ケ丘, 松が丘); for the clerk to confirm (kUnsureFreeText at most, its characters'
// boxes dropped). One read as a name of the list, or near none or several, stays. A 介護保険事業所番号
// (the application's, the officer list's) not in the list is the listed one that exactly one of its
// digits' alternatives makes (a comb's 1 the classifier took for 4, Tesseract's 1 kept beside it);
// failing that, one whose first two digits (the prefecture's code) no listed number has is the one
// an alternative of those two makes listed.
void match_lexicon(std::vector<RecognizedValue>& values, const Lexicon& lexicon, const Readable& readable,
                   const GlyphVote& vote = {});
// An address whose municipality the reading has one character off two or more (千葉県析市…, 柏市
// or 旭市; fix_chiba_address takes only a unique one): the candidate whose character the glyph's
// own ink votes for clearly among them and the character read, for the clerk to confirm.
void choose_municipalities(std::vector<RecognizedValue>& values, const GlyphVote& vote);
// A value's line of ink on its page (its box on the page as recognition turned it upright), cut
// into pieces for spelling (ocr/ink_spelling.h); nothing where it has no ink.
using LineInk = std::function<std::optional<ocr::InkLine>(const RecognizedValue& v)>;
// The digits 0-9, each a symbol a spelling's run of digits is made of.
const std::vector<std::string>& digit_symbols();
// An address that neither model read as one (千葉県, a municipality of the prefecture, a town of
// the lexicon, a number as addresses write it) spelt on its own ink instead: the line is read as
// [千葉県] + municipality + town + number, each character compared with the glyphs every installed
// face draws for it, and the spelling nearest the ink taken where it lies near enough
// (kMostSpellingCost), for the clerk to confirm (a hand the engine cannot read: the Kouzan brush).
void spell_addresses_by_ink(std::vector<RecognizedValue>& values, const Lexicon& lexicon, const LineInk& line);
// An officer's name and its furigana that do not read alike (a hand the engine does not know)
// spelt on their own ink together: the furigana's readings (as its ink spells it in katakana, as
// the models read it, each with a voicing mark changed) that the dictionary's person names know,
// the pairs of them the furigana's ink spells best, and each pair's spellings (ocr::name_spellings)
// on the name's ink; the reading and spelling both inks bear out best, where each lies near enough,
// for the clerk to confirm.
void spell_names_by_ink(std::vector<RecognizedValue>& values, const LineInk& line);
// A postal code or telephone number the models doubt (a character below kSurelyReadDigit, or the
// reading failing its grammar) spelt on its own ink in its grammar (NNN-NNNN; 0 and groups of
// digits): where the spelling lies near enough and differs from the reading only at doubted
// characters (or the reading fails its grammar and the spelling passes), it is taken, for the
// clerk to confirm (a slashed zero whose engine box took in the hyphen before it).
void spell_numbers_by_ink(std::vector<RecognizedValue>& values, const LineInk& line);
// A value the envelope shows again elsewhere, read otherwise, spelt on its own ink as that copy:
// the application's bank and branch as the passbook (printed) shows them, the representative's
// name (and, on the pledge, title and name) as the officer list's first row. Where the ink
// spells the copy near enough, the copy is taken, for the clerk to confirm.
void spell_copies_by_ink(std::vector<RecognizedValue>& values, const LineInk& line);
// The corporation's name, on each form that writes it, spelt on its own ink by the reading the
// passbook (printed) gives it: its legal form (the words the abbreviation stands for) and its
// name's reading cut into one to three words, each as the dictionary spells it or in kana
// (ムツミカイ → 睦会). Where a spelling lies nearer the ink than the value as read, and near enough,
// it is taken, for the clerk to confirm.
void spell_corporations_by_ink(std::vector<RecognizedValue>& values, const LineInk& line);

// The passbook copy against the application's bank fields (the envelope says the same thing
// twice): bank, branch, account type, account number and holder. Where a passbook value, or one of
// the reader's other candidates for it (`readings`), agrees with the application's, it is kept and
// both are trusted (kAgreesWithApplication); where none does, the passbook value is doubted (at
// most kDisagrees), and where the two differ by two characters or fewer (a misreading on one page
// or the other) the application's is doubted too (at most kUnsureFreeText). A holder line within two
// kana of the application's furigana (by the bank's comparison key) is taken as the application's
// in the passbook's form, for the clerk to confirm. A branch only the passbook's lines read again
// agree on is taken, neither value trusted for it (the same models read both pages). The
// application's values themselves never change, but for a branch read with 文 for 支 (柏文店: no
// branch is named so), which is a 支店, and a branch one character off the passbook's first
// reading whose glyph `vote` (optional) names the passbook's character clearly (茂原 read 成原),
// both for the clerk to confirm.
void reconcile_passbook(std::vector<RecognizedValue>& values, const GlyphVote& vote = {});

// The corporation's postal code on the application against the sender's on the envelope (the
// envelope says the same thing twice). Where they agree, both are trusted (kAgreesWithApplication).
// Where they differ by one digit and the application's reading was unsure (below
// kClassifierOverrules: its engine and its classifier disagreed) while the envelope's line was read
// surely, the application's value is the envelope's, for the clerk to confirm (kDigitsDisagree, the
// application's reading kept as a candidate); otherwise both are doubted. Codes further apart are
// left alone: the sender may write another address than the corporation's.
void reconcile_postal_code(std::vector<RecognizedValue>& values);

// The amount claimed against the amount rule (`lexicon.amount_rules`, as the facility list's amounts
// show it: so much a place of the capacity, or a flat sum, by service type): the form says the
// amount twice, once in figures and once by what it claims them for (the service type checked, the
// capacity). Where the figures are not the rule's and exactly one of their digits' alternatives (the
// classifier's or the engine's, where the two disagreed) makes the rule's amount, that is taken, for
// the clerk to confirm (kUnsureFreeText at most, the figures as read kept as that digit's
// alternative). An amount the applicant wrote otherwise, with no doubted digit to make it the
// rule's, stays for the review's AMOUNT_MISMATCH.
void reconcile_amount(std::vector<RecognizedValue>& values, const Lexicon& lexicon);
// The rule's amount for `service_type` and `capacity` (yen); nothing for a type the rule does not
// name or a capacity it needs and lacks.
std::optional<long long> rule_amount(const Lexicon& lexicon, const std::string& service_type, const std::string& capacity);

// Raw confidences reconcile_passbook sets (before calibration).
inline constexpr double kAgreesWithApplication = 0.97;
inline constexpr double kDisagrees = 0.5;
// A holder line the application's furigana agrees with by the bank's key, but whose brackets or
// long-vowel marks the reading lost: the application's in the passbook's form.
inline constexpr double kMendedByApplication = 0.85;

}  // namespace station::recognition::detail
