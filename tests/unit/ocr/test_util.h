#pragma once
// Helpers shared by the ocr tests.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace ocr_test {

inline std::filesystem::path shared_dir() { return STATION_SHARED_DIR; }

inline std::vector<unsigned char> read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

}  // namespace ocr_test
