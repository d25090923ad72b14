#pragma once
// Conversions to the forms the prefecture's lists ask for (docs/architecture.md, "Conversions"):
// half-width katakana (受付一覧表A's holder name, 役員等名簿's names), corporate names without
// abbreviations, birth dates as era letter + YYMMDD, addresses with every 丁目・番・番地・号
// written as 「－」. Each conversion is done automatically only where it is unambiguous; otherwise
// it says so (certain = false) with a short Japanese reason the reviewer sees.
// Also the officer list's format problems the police check needs (役員等名簿).
// Pure functions of their input (no store, no clock: "today" is passed in); ICU does the script
// and width transforms and the Japanese calendar.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace station::review {

struct Conversion {
  std::string text;     // the export form (or the input, tidied, when it could not be converted)
  bool certain = true;  // unambiguous: written without a reviewer's judgement
  std::string note_ja;  // when not certain: why, for the reviewer
};

// Spaces in a kana or name conversion.
enum class Spacing {
  kCollapse,      // runs of spaces become one (受付一覧表A's 口座名義人フリガナ)
  kBetweenNames,  // exactly one between family and given name (役員等名簿's 氏名); not certain
                  // when the value has no space or more than two parts
  kNone,          // no spaces at all (役員等名簿's 商号又は名称 in kana)
};

// Full-width katakana or hiragana -> half-width katakana: voiced and semi-voiced marks become
// separate ﾞ/ﾟ (ガ -> ｶﾞ), the long vowel ｰ, small kana ｧｨｩｪｫｯｬｭｮ, spaces half-width as
// `spacing` says. Not certain when something other than kana (and the bank-name symbols
// ( ) . - / , digits and A-Z) remains, e.g. kanji or a kana with no half-width form (ヰ ヱ ヮ).
Conversion to_halfwidth_kana(std::string_view text, Spacing spacing);

// A person's name in kanji for 役員等名簿: one full-width space between family and given name.
Conversion to_fullwidth_name(std::string_view name);

// A corporate name written out: (株)/㈱/（株） -> 株式会社, (有)/㈲ -> 有限会社, (福)/社福 ->
// 社会福祉法人, (医社)/医社 -> 医療法人社団, (医財) -> 医療法人財団, and the other unambiguous
// abbreviations of the 全銀 list; full-width, no spaces. An ambiguous abbreviation ((医), (社),
// (財), (合)) is left as written and the result is not certain.
Conversion expand_corporate_name(std::string_view name);

// An ISO date (YYYY-MM-DD) -> era letter M/T/S/H/R + YYMMDD (1970-10-23 -> S451023), the era
// from ICU's Japanese calendar (明治 to 1912-07-29, 大正 to 1926-12-24, 昭和 to 1989-01-07,
// 平成 to 2019-04-30, 令和 from 2019-05-01). Not certain (text empty) for a value that is not a
// real date or lies before 明治.
Conversion to_era_date(std::string_view iso_date);

// An address for 役員等名簿: full-width, every 丁目・番・番地・号 (and の between numbers) as
// 「－」, dash variants as 「－」, kanji numerals before 丁目 and 番地 as digits
// (本町2丁目3番4号 -> 本町２－３－４, 1559番地10 -> １５５９－１０); a building name after the
// lot number is kept, full-width. Not certain when there is no lot number or a 丁目/番地 remains
// that could not be written as 「－」.
Conversion to_export_address(std::string_view address);

// The export form of a stored field, by its key: bank.holder_kana, officers.corp_kana,
// officers.corp_name, corp.name, pledge.corp_name, officers.rows[N].name_kana / name / birth /
// address. nullopt for a key no export converts.
std::optional<Conversion> export_form(std::string_view key, std::string_view value);

// ---- 役員等名簿: the format the police check needs

struct OfficerProblem {
  int row = 0;             // the officer's row, 0-based as in the key (officers.rows[N].…)
  std::string column;      // name_kana, name, birth, sex, address
  std::string key;         // the field key, officers.rows[N].<column>
  std::string message_ja;  // for the reviewer, e.g. 生年月日が読み取れません
};

// The officer rows in `values` (field key -> value, as store::confirmed_values gives them; a row
// is there when any of its columns has a value), checked: name and kana present, kana in kana
// (hiragana is converted automatically, anything else is a problem), birth date present, a real
// date, between 1900-01-01 and `today_iso` minus 18 years, sex M or F, address present and
// convertible to the 「－」 form. Rows in order, problems in column order within a row.
std::vector<OfficerProblem> officer_list_problems(const std::map<std::string, std::string>& values,
                                                  std::string_view today_iso);

}  // namespace station::review
