// 受付一覧表A as xlsx, through the station's one xlsx writer (xlsx.h: built in memory).
#include "station/outputs/lists.h"

#include <string>

#include "station/outputs/xlsx.h"
#include "station/recognition/forms.h"
#include "station/review/conversions.h"

namespace station::outputs {

std::string list_a_value(std::string_view key, std::string_view value) {
  // 振込先口座名義人フリガナ: half-width katakana, as the prefecture asks. When the conversion is
  // not certain the reviewer saw it on the review screen; what it could convert goes out.
  if (key == "bank.holder_kana") return review::to_halfwidth_kana(value, review::Spacing::kCollapse).text;
  return std::string(value);
}

Result<std::vector<unsigned char>> build_list_a_xlsx(const std::vector<std::map<std::string, std::string>>& rows,
                                                     const std::string& file_no) {
  auto book = xlsx::Workbook::create();
  if (!book) return std::unexpected(book.error());
  using xlsx::Style;
  book->add_sheet("受付一覧表A");
  book->write(0, 0, "ファイルナンバー " + file_no, Style::kBold);
  int c = 0;
  for (const auto& col : recognition::kListAColumns) {
    book->write(1, c, std::string(col.header), Style::kBold);
    book->column(c, 18, Style::kText);
    ++c;
  }
  int r = 2;
  for (const auto& row : rows) {
    c = 0;
    for (const auto& col : recognition::kListAColumns) {
      // 補正指示日 is no field of the form: the workflow's date comes under its own key.
      const std::string key = col.key.empty() && col.header == "補正指示日" ? std::string(kCorrectionRequestedKey)
                                                                           : std::string(col.key);
      auto it = key.empty() ? row.end() : row.find(key);
      if (it != row.end() && !it->second.empty()) book->write(r, c, list_a_value(col.key, it->second), Style::kText);
      ++c;
    }
    ++r;
  }
  return book->finish();
}

}  // namespace station::outputs
