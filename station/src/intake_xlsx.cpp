// The receipt log (受付簿) as xlsx with libxlsxwriter, written to an anonymous in-memory file
// (the same approach as export_xlsx.cpp; the 受付簿 holds no applicant data, but nothing of the
// station's needs to touch the disk in clear).
#include "intake_xlsx.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdlib>
#include <filesystem>

namespace station {

namespace {

Result<std::vector<unsigned char>> read_fd(int fd) {
  struct stat st{};
  if (fstat(fd, &st) != 0) return fail(ErrorCode::kExport, "cannot stat the in-memory file");
  std::vector<unsigned char> out(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n <= 0) return fail(ErrorCode::kExport, "cannot read the in-memory file");
    done += static_cast<std::size_t>(n);
  }
  return out;
}

}  // namespace

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
  const int fd = memfd_create("station-intake", MFD_CLOEXEC);
  if (fd < 0) return fail(ErrorCode::kExport, "no in-memory file for the workbook");
  std::string scratch = (std::filesystem::exists("/dev/shm") ? std::string("/dev/shm") : std::string("/tmp")) +
                        "/station-xlsx-XXXXXX";
  if (mkdtemp(scratch.data()) == nullptr) {
    close(fd);
    return fail(ErrorCode::kExport, "no scratch folder for the workbook");
  }
  auto cleanup = [&] {
    close(fd);
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
  };
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  options.tmpdir = scratch.data();
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (wb == nullptr) {
    cleanup();
    return fail(ErrorCode::kExport, "libxlsxwriter could not create the workbook");
  }
  lxw_worksheet* ws = workbook_add_worksheet(wb, "受付簿");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  worksheet_write_string(ws, 0, 0, ("受付簿 " + date).c_str(), bold);
  const char* headers[] = {"受付番号", "受付日", "受付時刻", "受付担当", "同封書類数", "ページ数", "白紙の可能性", "要確認ページ", "取込方法", "状態"};
  lxw_col_t c = 0;
  for (const char* h : headers) {
    worksheet_write_string(ws, 2, c, h, bold);
    worksheet_set_column(ws, c, c, c == 2 ? 22 : 14, nullptr);
    ++c;
  }
  lxw_row_t r = 3;
  for (const auto& row : rows) {
    worksheet_write_string(ws, r, 0, row.receipt_no.c_str(), nullptr);
    worksheet_write_string(ws, r, 1, row.received_date.c_str(), nullptr);
    worksheet_write_string(ws, r, 2, row.received_at.c_str(), nullptr);
    worksheet_write_string(ws, r, 3, row.clerk.c_str(), nullptr);
    worksheet_write_number(ws, r, 4, row.enclosures, nullptr);
    worksheet_write_number(ws, r, 5, row.pages, nullptr);
    worksheet_write_number(ws, r, 6, row.blank_pages, nullptr);
    worksheet_write_number(ws, r, 7, row.flagged_pages, nullptr);
    worksheet_write_string(ws, r, 8, row.source == "scan" ? "スキャナー" : "ファイル取込", nullptr);
    worksheet_write_string(ws, r, 9, row.status.c_str(), nullptr);
    ++r;
  }
  worksheet_write_string(ws, r + 1, 0, ("合計 " + std::to_string(rows.size()) + " 件").c_str(), bold);
  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    cleanup();
    return fail(ErrorCode::kExport, std::string("libxlsxwriter: ") + lxw_strerror(err));
  }
  auto out = read_fd(fd);
  cleanup();
  return out;
}

}  // namespace station
