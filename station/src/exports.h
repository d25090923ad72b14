#pragma once
// Export file builders. Each builds its file in memory (no plaintext personal data touches the
// disk); the only thing written out is the encrypted bundle.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "station/error.h"

namespace station {

struct PdfPage {
  std::vector<unsigned char> bytes;  // JPEG or PNG
  bool is_jpeg = false;
  int width = 0, height = 0, dpi = 200;
  int rotation = 0;  // degrees clockwise to show the page upright (0, 90, 180, 270)
};

// One PDF with one page per image, each page the image's physical size.
Result<std::vector<unsigned char>> build_pdf(const std::vector<PdfPage>& pages, const std::string& title);

// 受付一覧表A: one row per application; `rows` hold field key -> confirmed value.
Result<std::vector<unsigned char>> build_list_a_xlsx(const std::vector<std::map<std::string, std::string>>& rows,
                                                     const std::string& file_no);

struct BundleEntry {
  std::string name;
  std::vector<unsigned char> bytes;
};

// A ZIP whose every entry is AES-256 encrypted with `password` (WinZip AES, opened by 7-Zip,
// Lhaplus, Explorer-compatible tools with AES support). Written atomically to `path`.
Status write_encrypted_bundle(const std::string& path, const std::vector<BundleEntry>& entries,
                              const std::string& password);

// A password of `length` characters from an alphabet without look-alikes (no 0/O, 1/l/I).
std::string make_bundle_password(int length = 16);

}  // namespace station
