#pragma once
// The station's one xlsx writer (libxlsxwriter), for every list it produces. libxlsxwriter writes
// to a file name, so the workbook goes to an anonymous in-memory file (memfd) and its scratch files
// to a private folder on a RAM file system: no plaintext personal data reaches the disk.
// Not thread-safe; one workbook per thread.
#include <memory>
#include <string>
#include <vector>

#include "station/error.h"

namespace station::outputs::xlsx {

// A cell's look: plain, bold (titles and headers) or text (keeps leading zeros: 口座番号, 事業所番号).
enum class Style { kPlain, kBold, kText };

class Workbook {
 public:
  // kExport when no in-memory file or scratch folder can be had.
  static Result<Workbook> create();
  Workbook(Workbook&&) noexcept;
  Workbook& operator=(Workbook&&) noexcept;
  ~Workbook();

  // Adds a sheet and makes it the one written to.
  void add_sheet(const std::string& name);
  void write(int row, int col, const std::string& value, Style style = Style::kPlain);
  void write(int row, int col, double value, Style style = Style::kPlain);
  // Column width in characters, and the style of its empty cells.
  void column(int col, double width, Style style = Style::kPlain);
  // Closes the workbook and returns its bytes; the workbook is spent afterwards.
  Result<std::vector<unsigned char>> finish();

 private:
  struct Impl;
  explicit Workbook(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace station::outputs::xlsx
