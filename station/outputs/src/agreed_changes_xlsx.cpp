// 補正合意事項 (the agreed corrections) as xlsx, through the station's one xlsx writer.
#include <string>

#include "station/outputs/lists.h"
#include "station/outputs/xlsx.h"
#include "station/recognition/forms.h"

namespace station::outputs {

Result<std::vector<unsigned char>> build_agreed_changes_xlsx(const std::vector<AgreedChange>& changes,
                                                             const std::string& file_no) {
  auto book = xlsx::Workbook::create();
  if (!book) return std::unexpected(book.error());
  using xlsx::Style;
  book->add_sheet("補正合意事項");
  book->write(0, 0, "ファイルナンバー " + file_no, Style::kBold);
  static constexpr const char* kHeaders[] = {"受付番号", "項目", "変更前", "変更後", "申請者の合意日", "合意の方法", "補正回"};
  int c = 0;
  for (const char* h : kHeaders) {
    book->write(1, c, h, Style::kBold);
    book->column(c, c == 1 ? 24 : 18, Style::kText);
    ++c;
  }
  int r = 2;
  for (const auto& ch : changes) {
    const std::string label = ch.label_ja.empty() ? std::string(recognition::label_of(ch.field_key)) : ch.label_ja;
    book->write(r, 0, ch.receipt_no, Style::kText);
    book->write(r, 1, label, Style::kText);
    book->write(r, 2, ch.old_value, Style::kText);
    book->write(r, 3, ch.new_value, Style::kText);
    book->write(r, 4, ch.agreed_on, Style::kText);
    book->write(r, 5, ch.how, Style::kText);
    if (ch.round > 0) book->write(r, 6, "第" + std::to_string(ch.round) + "回", Style::kText);
    ++r;
  }
  return book->finish();
}

}  // namespace station::outputs
