#pragma once
// The lists the station hands over, as xlsx workbooks built in memory through the one xlsx
// writer (xlsx.h): 受付一覧表A (the export's list of applications) and the 受付簿 (receipt log).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"
#include "station/model.h"

namespace station::outputs {

// 受付一覧表A: one row per application; `rows` hold field key -> confirmed value, each written
// in its list form (list_a_value).
Result<std::vector<unsigned char>> build_list_a_xlsx(const std::vector<std::map<std::string, std::string>>& rows,
                                                     const std::string& file_no);

// The agreed corrections (補正合意事項): every change the applicant agreed to, with the fact of
// the agreement (date, how, which correction round), by 受付番号. A sheet with only its headers
// when there is none.
Result<std::vector<unsigned char>> build_agreed_changes_xlsx(const std::vector<AgreedChange>& changes,
                                                             const std::string& file_no);

// A confirmed value as 受付一覧表A writes it: the holder's フリガナ in half-width katakana
// (review/conversions.h), every other value as confirmed.
std::string list_a_value(std::string_view key, std::string_view value);

// The receipt log (受付簿) of one day.
Result<std::vector<unsigned char>> build_intake_log_xlsx(const std::vector<IntakeLogRow>& rows, const std::string& date);

// The flags of a page, in Japanese for the clerk ("blank" -> 白紙の可能性, ...).
std::string page_flag_label_ja(const std::string& flag);

}  // namespace station::outputs
