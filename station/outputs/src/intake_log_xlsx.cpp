// The receipt log (受付簿) as xlsx, through the station's one xlsx writer (xlsx.h: built in
// memory; the 受付簿 holds no applicant data, but nothing of the station's touches the disk in clear).
#include "station/outputs/lists.h"
#include "station/outputs/xlsx.h"

namespace station::outputs {

std::string page_flag_label_ja(const std::string& flag) {
  if (flag == "blank") return "白紙の可能性（確認待ち）";
  if (flag == "blank_confirmed") return "白紙（確認済み）";
  if (flag == "dpi_assumed") return "解像度不明（既定値を使用）";
  if (flag == "orientation_unsure") return "向きが不確か";
  if (flag == "skew_large") return "傾きが大きい";
  if (flag == "separator") return "区切り用紙";
  if (flag == "cleanup_failed") return "画像補正できず（原本を使用）";
  return flag;
}

Result<std::vector<unsigned char>> build_intake_log_xlsx(const std::vector<IntakeLogRow>& rows, const std::string& date) {
  auto book = xlsx::Workbook::create();
  if (!book) return std::unexpected(book.error());
  using xlsx::Style;
  book->add_sheet("受付簿");
  book->write(0, 0, "受付簿 " + date, Style::kBold);
  const char* headers[] = {"受付番号", "受付日", "受付時刻", "受付担当", "同封書類数", "ページ数", "白紙の可能性", "要確認ページ", "取込方法", "状態"};
  int c = 0;
  for (const char* h : headers) {
    book->write(2, c, h, Style::kBold);
    book->column(c, c == 2 ? 22 : 14);
    ++c;
  }
  int r = 3;
  for (const auto& row : rows) {
    book->write(r, 0, row.receipt_no);
    book->write(r, 1, row.received_date);
    book->write(r, 2, row.received_at);
    book->write(r, 3, row.clerk);
    book->write(r, 4, static_cast<double>(row.enclosures));
    book->write(r, 5, static_cast<double>(row.pages));
    book->write(r, 6, static_cast<double>(row.blank_pages));
    book->write(r, 7, static_cast<double>(row.flagged_pages));
    book->write(r, 8, std::string(row.source == "scan" ? "スキャナー" : "ファイル取込"));
    book->write(r, 9, row.status);
    ++r;
  }
  book->write(r + 1, 0, "合計 " + std::to_string(rows.size()) + " 件", Style::kBold);
  return book->finish();
}

}  // namespace station::outputs
