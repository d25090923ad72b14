// The one xlsx writer (xlsx.h).
#include "station/outputs/xlsx.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <filesystem>

namespace station::outputs::xlsx {

struct Workbook::Impl {
  int fd = -1;
  std::string scratch;
  lxw_workbook* wb = nullptr;
  lxw_worksheet* ws = nullptr;
  lxw_format* bold = nullptr;
  lxw_format* text = nullptr;

  ~Impl() {
    if (wb != nullptr) workbook_close(wb);  // frees it; the bytes are dropped with the memfd
    if (fd >= 0) close(fd);
    std::error_code ec;
    if (!scratch.empty()) std::filesystem::remove_all(scratch, ec);
  }
  lxw_format* format(Style s) const { return s == Style::kBold ? bold : s == Style::kText ? text : nullptr; }
};

Workbook::Workbook(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Workbook::Workbook(Workbook&&) noexcept = default;
Workbook& Workbook::operator=(Workbook&&) noexcept = default;
Workbook::~Workbook() = default;

Result<Workbook> Workbook::create() {
  auto impl = std::make_unique<Impl>();
  impl->fd = memfd_create("station-xlsx", MFD_CLOEXEC);
  if (impl->fd < 0) return fail(ErrorCode::kExport, "no in-memory file for the workbook");
  std::string tmpl = (std::filesystem::exists("/dev/shm") ? std::string("/dev/shm") : std::string("/tmp")) +
                     "/station-xlsx-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return fail(ErrorCode::kExport, "no scratch folder for the workbook");
  impl->scratch = tmpl;
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  options.tmpdir = impl->scratch.data();
  const std::string path = "/proc/self/fd/" + std::to_string(impl->fd);
  impl->wb = workbook_new_opt(path.c_str(), &options);
  if (impl->wb == nullptr) return fail(ErrorCode::kExport, "libxlsxwriter could not create the workbook");
  impl->bold = workbook_add_format(impl->wb);
  format_set_bold(impl->bold);
  impl->text = workbook_add_format(impl->wb);
  format_set_num_format(impl->text, "@");
  return Workbook(std::move(impl));
}

void Workbook::add_sheet(const std::string& name) { impl_->ws = workbook_add_worksheet(impl_->wb, name.c_str()); }

void Workbook::write(int row, int col, const std::string& value, Style style) {
  worksheet_write_string(impl_->ws, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col), value.c_str(),
                         impl_->format(style));
}

void Workbook::write(int row, int col, double value, Style style) {
  worksheet_write_number(impl_->ws, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col), value,
                         impl_->format(style));
}

void Workbook::column(int col, double width, Style style) {
  worksheet_set_column(impl_->ws, static_cast<lxw_col_t>(col), static_cast<lxw_col_t>(col), width,
                       impl_->format(style));
}

Result<std::vector<unsigned char>> Workbook::finish() {
  const lxw_error err = workbook_close(impl_->wb);
  impl_->wb = nullptr;
  if (err != LXW_NO_ERROR) return fail(ErrorCode::kExport, std::string("libxlsxwriter: ") + lxw_strerror(err));
  struct stat st{};
  if (fstat(impl_->fd, &st) != 0) return fail(ErrorCode::kExport, "cannot stat the in-memory file");
  std::vector<unsigned char> out(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = pread(impl_->fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n <= 0) return fail(ErrorCode::kExport, "cannot read the in-memory file");
    done += static_cast<std::size_t>(n);
  }
  return out;
}

}  // namespace station::outputs::xlsx
