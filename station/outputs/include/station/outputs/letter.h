#pragma once
// The correction request (補正指示書) as a one-or-more-page A4 PDF in Japanese, built in memory
// (libharu, the IPA Mincho font embedded so it prints and reads the same everywhere).
#include <filesystem>
#include <string>
#include <vector>

#include "station/error.h"

namespace station::outputs {

struct CorrectionLetter {
  std::string receipt_no;        // 受付番号 of the application
  int round = 1;                 // 第N回
  std::string issued_on_ja;      // the request's date, e.g. 「令和8年12月1日（火）」
  std::string received_on_ja;    // when the application was received
  std::string deadline_ja;       // 提出期限
  std::string corp_postal_code, corp_address, corp_name, rep_title, rep_name;
  std::string facility_name;
  std::vector<std::string> defects;  // each in plain words
  std::string note;                  // optional extra text
  std::string sender;                // the secretariat, as it signs
};

// The fonts tried, in order (fonts-ipafont-mincho; hardware/deploy/install-deps.sh installs it).
std::vector<std::filesystem::path> letter_font_candidates();

// kExport when no Japanese font is installed or libharu fails.
Result<std::vector<unsigned char>> correction_letter_pdf(const CorrectionLetter& letter);

}  // namespace station::outputs
