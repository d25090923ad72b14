// The Zengin code table: reading install-deps.sh's file and looking codes up by name (zengin.h).
#include "station/outputs/zengin.h"

#include <fstream>
#include <iterator>
#include <sstream>

#include "station/outputs/cms.h"
#include "station/review/normalize.h"

namespace station::outputs {

namespace {

bool all_digits(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool strip_suffix(std::string& s, std::string_view suffix) {
  if (!s.ends_with(suffix)) return false;
  s.resize(s.size() - suffix.size());
  return true;
}

// The forms a written bank name may have in the table (which drops 銀行 and shortens the rest).
std::vector<std::string> bank_variants(std::string_view written) {
  std::string n = review::fold(written);
  std::vector<std::string> out{n};
  static const std::pair<std::string_view, std::string_view> kShort[] = {
      {"銀行", ""},         {"信用金庫", "信金"}, {"信用組合", "信組"}, {"労働金庫", "労金"},
      {"農業協同組合", "農協"}, {"漁業協同組合", "漁協"}};
  for (const auto& [full, shortened] : kShort) {
    std::string v = n;
    if (strip_suffix(v, full)) out.push_back(v + std::string(shortened));
  }
  return out;
}

std::vector<std::string> branch_variants(std::string_view written) {
  std::string n = review::fold(written);
  std::vector<std::string> out{n};
  for (std::string_view suffix : {"支店", "出張所", "支所", "店"}) {
    std::string v = n;
    if (strip_suffix(v, suffix) && !v.empty()) out.push_back(v);
  }
  return out;
}

}  // namespace

Result<ZenginTable> read_zengin_table(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(ErrorCode::kNotFound, "the Zengin code table is not installed",
                "全銀コード表がありません。hardware/deploy/install-deps.sh を実行してから、もう一度実行してください。");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
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

ZenginIndex::ZenginIndex(const std::vector<store::ZenginEntry>& banks) {
  for (const auto& b : banks) by_name_.emplace(review::fold(b.name), b.bank_code);
}

std::optional<std::string> ZenginIndex::bank_code(std::string_view written) const {
  for (const auto& v : bank_variants(written)) {
    if (by_name_.count(v) == 1) return by_name_.find(v)->second;
  }
  return std::nullopt;
}

std::optional<std::string> ZenginIndex::branch_code(const std::vector<store::ZenginEntry>& branches,
                                                    std::string_view written) {
  for (const auto& v : branch_variants(written)) {
    std::optional<std::string> found;
    int n = 0;
    for (const auto& b : branches)
      if (review::fold(b.name) == v) {
        found = b.branch_code;
        ++n;
      }
    if (n == 1) return found;
  }
  return std::nullopt;
}

}  // namespace station::outputs
