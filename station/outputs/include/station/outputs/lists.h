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

// One accepted application as the daily lists see it.
struct ListApplication {
  std::string receipt_no;     // 受付番号
  std::string received_date;  // 受付日 (YYYY-MM-DD)
  std::map<std::string, std::string> values;  // field key -> confirmed value
  std::string facility_id;             // 施設ID from the facility list ("" when not found)
  std::string correction_requested;    // the first 補正指示日 ("" when none)
  std::string correction_completed;    // 補正完了日: the last reply's 受付日 ("" when none)
};

// The key under which an application's first 補正指示日 reaches 受付一覧表A's column.
inline constexpr std::string_view kCorrectionRequestedKey = "correction.requested";

// 受付一覧表C (the decision ledger): 受付番号, 施設ID, 介護保険事業所番号, 施設名称, 法人名, 申請額,
// 受付日, 補正指示日, 補正完了日; one row per application.
Result<std::vector<unsigned char>> build_list_c_xlsx(const std::vector<ListApplication>& apps, const std::string& file_no);

// 受付一覧表B (the payment list for the accounting office): one row per application.
struct PaymentRow {
  std::string bank_code;     // 全銀 4 digits
  std::string branch_code;   // 3 digits
  std::string account_type;  // 預金種目: 1 = 普通, 2 = 当座
  std::string account_no;    // 7 digits
  std::string payee_kana;    // half-width katakana
  std::string amount;        // yen
};
// The payment row's own columns from the confirmed values (the codes are the caller's): 預金種目
// as 1/2, the account number zero-padded to 7 digits, the holder's kana in half-width.
PaymentRow payment_row(const std::map<std::string, std::string>& values);
// The list names the Zengin table's version it used in its title row.
Result<std::vector<unsigned char>> build_list_b_xlsx(const std::vector<PaymentRow>& rows, const std::string& file_no,
                                                     const std::string& zengin_version);

// One officer (役員等名簿's row) in the export forms of the spec.
struct OfficerRow {
  std::string corp_kana, corp_name, name_kana, name, birth, sex, address, title;
};
// The officers of an application, in row order, each column in its export form (review's
// conversions: half-width kana, names with one space, era dates, 「－」 addresses, corporate names
// written out); a column that cannot be converted is written as confirmed.
std::vector<OfficerRow> officer_rows(const std::map<std::string, std::string>& values);
// The corporation an application's officers belong to (its name written out), for grouping.
std::string corporation_of(const std::map<std::string, std::string>& values);

// 役員等名簿 of one application, the spec's eight columns.
Result<std::vector<unsigned char>> build_officer_list_xlsx(const std::vector<OfficerRow>& rows, const std::string& file_no);

// The consolidated officer list's files: each corporation once (its first application's officers),
// at most `per_file` officers a file, a corporation's officers never split (one with more than
// `per_file` gets a file of its own). Each element: the indices into `apps` of the applications
// whose officers go into that file, in order.
std::vector<std::vector<std::size_t>> consolidate_officers(const std::vector<ListApplication>& apps, int per_file);

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
