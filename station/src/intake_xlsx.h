#pragma once
// Private: the receipt log (受付簿) of one day as an xlsx workbook, built in memory.
#include <string>
#include <vector>

#include "station/error.h"
#include "station/model.h"

namespace station {

Result<std::vector<unsigned char>> build_intake_log_xlsx(const std::vector<IntakeLogRow>& rows, const std::string& date);

// The flags of a page, in Japanese for the clerk ("blank" -> 白紙の可能性, ...).
std::string page_flag_label_ja(const std::string& flag);

}  // namespace station
