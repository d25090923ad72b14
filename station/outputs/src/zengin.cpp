// The Zengin code table: reading install-deps.sh's file (zengin.h).
#include "station/outputs/zengin.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "station/outputs/cms.h"

namespace station::outputs {

namespace {

bool all_digits(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// The runs of digits of a version, as numbers.
std::vector<unsigned long long> digit_runs(std::string_view v) {
  std::vector<unsigned long long> runs;
  for (std::size_t i = 0; i < v.size();) {
    if (v[i] < '0' || v[i] > '9') {
      ++i;
      continue;
    }
    unsigned long long n = 0;
    for (; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) n = n * 10 + static_cast<unsigned>(v[i] - '0');
    runs.push_back(n);
  }
  return runs;
}

}  // namespace

Result<std::string> read_zengin_version(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(ErrorCode::kNotFound, "the Zengin code table is not installed",
                "全銀コード表がありません。hardware/deploy/install-deps.sh を実行してから、もう一度実行してください。");
  std::string line;
  if (!std::getline(in, line) || !line.starts_with("# zengin-code "))
    return fail(ErrorCode::kInvalidInput, "not the Zengin code table: no version line",
                "全銀コード表の形式ではありません。install-deps.sh が作ったファイル（zengin.tsv）を指定してください。");
  return line.substr(2);
}

bool zengin_newer(std::string_view a, std::string_view b) {
  const auto ra = digit_runs(a), rb = digit_runs(b);
  if (ra != rb) return std::lexicographical_compare(rb.begin(), rb.end(), ra.begin(), ra.end());
  return a > b;
}

Result<ZenginTable> read_zengin_table(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(ErrorCode::kNotFound, "the Zengin code table is not installed",
                "全銀コード表がありません。hardware/deploy/install-deps.sh を実行してから、もう一度実行してください。");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = std::move(buffer).str();
  auto bad = [](const std::string& why) {
    return fail(ErrorCode::kInvalidInput, "not the Zengin code table: " + why,
                "全銀コード表の形式ではありません。install-deps.sh が作ったファイル（zengin.tsv）を指定してください。");
  };
  ZenginTable t;
  t.sha256 = sha256_hex(std::span(reinterpret_cast<const unsigned char*>(text.data()), text.size()));
  std::istringstream lines(text);
  std::string line;
  if (!std::getline(lines, line) || !line.starts_with("# zengin-code ")) return bad("no version line");
  t.version = line.substr(2);
  int banks = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cols;
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
      cols.push_back(line.substr(start, tab - start));
    cols.push_back(line.substr(start));
    if (cols.size() != 4 || !all_digits(cols[0], 4) || !(cols[1].empty() || all_digits(cols[1], 3)) || cols[2].empty())
      return bad("a malformed line");
    if (cols[1].empty()) ++banks;
    t.entries.push_back({cols[0], cols[1], cols[2], cols[3]});
  }
  if (banks < 1000) return bad("too few banks");
  return t;
}

}  // namespace station::outputs
