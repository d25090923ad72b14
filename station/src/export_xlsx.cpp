// xlsx lists with libxlsxwriter. libxlsxwriter writes to a file name, so the workbook is written
// to an anonymous in-memory file (memfd) and its scratch files go to a private folder on a RAM
// file system: no plaintext personal data reaches the disk.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <filesystem>
#include <string>

#include "exports.h"
#include "station/recognition/forms.h"

namespace station {
namespace {

class MemFile {
 public:
  MemFile() : fd_(memfd_create("station-export", MFD_CLOEXEC)) {}
  ~MemFile() {
    if (fd_ >= 0) close(fd_);
  }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  bool ok() const { return fd_ >= 0; }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }
  Result<std::vector<unsigned char>> read_all() const {
    struct stat st{};
    if (fstat(fd_, &st) != 0) return fail(ErrorCode::kExport, "cannot stat the in-memory file");
    std::vector<unsigned char> out(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < out.size()) {
      ssize_t n = pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(done));
      if (n <= 0) return fail(ErrorCode::kExport, "cannot read the in-memory file");
      done += static_cast<std::size_t>(n);
    }
    return out;
  }

 private:
  int fd_;
};

// A private scratch folder on /dev/shm (RAM), removed on destruction.
class RamScratch {
 public:
  RamScratch() {
    std::string tmpl = (std::filesystem::exists("/dev/shm") ? std::string("/dev/shm") : std::string("/tmp")) +
                       "/station-xlsx-XXXXXX";
    if (char* p = mkdtemp(tmpl.data())) path_ = p;
  }
  ~RamScratch() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  RamScratch(const RamScratch&) = delete;
  RamScratch& operator=(const RamScratch&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

Result<std::vector<unsigned char>> build_list_a_xlsx(const std::vector<std::map<std::string, std::string>>& rows,
                                                     const std::string& file_no) {
  MemFile file;
  RamScratch scratch;
  if (!file.ok() || scratch.path().empty()) return fail(ErrorCode::kExport, "no in-memory file for the workbook");
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  options.tmpdir = const_cast<char*>(scratch.path().c_str());
  const std::string path = file.path();
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (wb == nullptr) return fail(ErrorCode::kExport, "libxlsxwriter could not create the workbook");
  lxw_worksheet* ws = workbook_add_worksheet(wb, "受付一覧表A");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* text = workbook_add_format(wb);
  format_set_num_format(text, "@");  // keep leading zeros (口座番号, 事業所番号)
  worksheet_write_string(ws, 0, 0, ("ファイルナンバー " + file_no).c_str(), bold);
  lxw_col_t c = 0;
  for (const auto& col : recognition::kListAColumns) {
    worksheet_write_string(ws, 1, c, std::string(col.header).c_str(), bold);
    worksheet_set_column(ws, c, c, 18, text);
    ++c;
  }
  lxw_row_t r = 2;
  for (const auto& row : rows) {
    c = 0;
    for (const auto& col : recognition::kListAColumns) {
      auto it = col.key.empty() ? row.end() : row.find(std::string(col.key));
      if (it != row.end() && !it->second.empty()) worksheet_write_string(ws, r, c, it->second.c_str(), text);
      ++c;
    }
    ++r;
  }
  lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) return fail(ErrorCode::kExport, std::string("libxlsxwriter: ") + lxw_strerror(err));
  return file.read_all();
}

}  // namespace station
