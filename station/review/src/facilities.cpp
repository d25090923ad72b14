// The facility list's CSV: CP932 decoding (ICU), RFC 4180 records, the 14 columns.
#include "station/review/facilities.h"

#include <unicode/ucnv.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <memory>

namespace station::review {
namespace {

constexpr std::array<std::string_view, 14> kColumns = {
    "施設ID", "市町村", "サービス種類", "介護保険事業所番号", "施設名称", "施設郵便番号", "施設所在地",
    "定員", "法人名", "法人郵便番号", "法人所在地", "代表者職名", "代表者氏名", "給付金額"};

bool valid_utf8(const std::string& s) {
  std::int32_t i = 0;
  const auto n = static_cast<std::int32_t>(s.size());
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return false;
  }
  return true;
}

Result<std::int64_t> parse_int(const std::string& s, int line, std::string_view column) {
  if (s.empty()) return 0;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0)
    return fail(ErrorCode::kBadCsv, "line " + std::to_string(line) + ": column " + std::string(column) +
                                        " is not a whole number");
  return v;
}

Status validate_row(const Facility& f, int line) {
  const std::string at = "line " + std::to_string(line) + ": ";
  const auto group = service_group(f.service_type);
  if (!group) return fail(ErrorCode::kBadCsv, at + "サービス種類 is not one of the programme's 19 service types");
  const bool no_number = *group == ServiceGroup::kResidential &&
                         (f.service_type == "養護老人ホーム" || f.service_type == "軽費老人ホーム");
  const bool ten_digits = f.jigyosho_no.size() == 10 &&
                          std::all_of(f.jigyosho_no.begin(), f.jigyosho_no.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!(ten_digits || (no_number && f.jigyosho_no.empty())))
    return fail(ErrorCode::kBadCsv, at + "介護保険事業所番号 is not 10 digits");
  if (f.name.empty()) return fail(ErrorCode::kBadCsv, at + "施設名称 is blank");
  if (f.address.empty()) return fail(ErrorCode::kBadCsv, at + "施設所在地 is blank");
  if (f.amount <= 0) return fail(ErrorCode::kBadCsv, at + "給付金額 is blank or zero");
  if (*group != ServiceGroup::kVisiting && f.capacity <= 0)
    return fail(ErrorCode::kBadCsv, at + "定員 is blank for a service that has one");
  return {};
}

}  // namespace

std::optional<ServiceGroup> service_group(std::string_view service_type) {
  static constexpr std::pair<std::string_view, ServiceGroup> kTypes[] = {
      {"介護老人福祉施設", ServiceGroup::kResidential}, {"地域密着型介護老人福祉施設", ServiceGroup::kResidential},
      {"介護老人保健施設", ServiceGroup::kResidential}, {"介護医療院", ServiceGroup::kResidential},
      {"養護老人ホーム", ServiceGroup::kResidential}, {"軽費老人ホーム", ServiceGroup::kResidential},
      {"単独型短期入所生活介護", ServiceGroup::kResidential}, {"認知症対応型共同生活介護", ServiceGroup::kResidential},
      {"通所介護", ServiceGroup::kDayCare}, {"認知症対応型通所介護", ServiceGroup::kDayCare},
      {"地域密着型通所介護", ServiceGroup::kDayCare}, {"小規模多機能型居宅介護", ServiceGroup::kMultiFunction},
      {"複合型サービス（看護小規模多機能型居宅介護）", ServiceGroup::kMultiFunction},
      {"訪問介護", ServiceGroup::kVisiting}, {"訪問看護ステーション", ServiceGroup::kVisiting},
      {"訪問リハビリテーション", ServiceGroup::kVisiting}, {"訪問入浴", ServiceGroup::kVisiting},
      {"定期巡回・随時対応型訪問介護看護", ServiceGroup::kVisiting}, {"夜間対応型訪問介護", ServiceGroup::kVisiting},
  };
  for (const auto& [name, group] : kTypes)
    if (name == service_type) return group;
  return std::nullopt;
}

bool has_no_jigyosho_no(std::string_view service_type) {
  return service_type == "養護老人ホーム" || service_type == "軽費老人ホーム";
}

Result<std::string> cp932_to_utf8(const std::string& bytes) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, decltype(&ucnv_close)> conv(ucnv_open("windows-31j", &status), &ucnv_close);
  if (U_FAILURE(status)) return fail(ErrorCode::kInternal, "ICU has no windows-31j converter");
  // Stop at the first byte sequence that is not CP932 instead of substituting it.
  ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  std::u16string u16(bytes.size() + 1, u'\0');
  status = U_ZERO_ERROR;
  int32_t n = ucnv_toUChars(conv.get(), u16.data(), static_cast<int32_t>(u16.size()), bytes.data(),
                            static_cast<int32_t>(bytes.size()), &status);
  if (U_FAILURE(status)) return fail(ErrorCode::kBadCsvEncoding, "bytes are not valid CP932");
  u16.resize(static_cast<std::size_t>(n));
  std::string out;
  out.reserve(u16.size() * 3);
  for (std::size_t i = 0; i < u16.size();) {
    UChar32 c;
    U16_NEXT(u16.data(), i, u16.size(), c);
    char buf[4];
    std::int32_t len = 0;
    UBool err = false;
    U8_APPEND(reinterpret_cast<std::uint8_t*>(buf), len, 4, c, err);
    if (err) return fail(ErrorCode::kBadCsvEncoding, "unencodable character");
    out.append(buf, static_cast<std::size_t>(len));
  }
  return out;
}

Result<std::vector<std::vector<std::string>>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, at_start = true;
  int line = 1;
  auto end_cell = [&] {
    row.push_back(std::move(cell));
    cell.clear();
    at_start = true;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (ch == '\n') ++line;
        cell.push_back(ch);
      }
      continue;
    }
    if (ch == '"' && at_start) {
      quoted = true;
      at_start = false;
    } else if (ch == ',') {
      end_cell();
    } else if (ch == '\r' || ch == '\n') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_cell();
      rows.push_back(std::move(row));
      row.clear();
      ++line;
    } else {
      cell.push_back(ch);
      at_start = false;
    }
  }
  if (quoted) return fail(ErrorCode::kBadCsv, "line " + std::to_string(line) + ": a quoted cell is never closed");
  if (!cell.empty() || !row.empty()) {
    end_cell();
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<Facility>> parse_facility_csv(const std::string& bytes) {
  std::string text;
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";
  // CP932 is what the prefecture delivers. A UTF-8 header never decodes to the expected CP932
  // header text, so trying CP932 first and then UTF-8 cannot mistake one for the other.
  auto cp = cp932_to_utf8(bytes);
  if (cp && cp->rfind(kColumns[0], 0) == 0) {
    text = std::move(*cp);
  } else if (valid_utf8(bytes)) {
    text = bytes.rfind(kBom, 0) == 0 ? bytes.substr(kBom.size()) : bytes;
    if (text.rfind(kColumns[0], 0) != 0) {
      return fail(ErrorCode::kBadCsv, "the first column of the header is not 施設ID");
    }
  } else {
    // Name the first line that is neither.
    int line = 1;
    for (std::size_t at = 0; at < bytes.size();) {
      auto end = bytes.find('\n', at);
      if (end == std::string::npos) end = bytes.size();
      const std::string one = bytes.substr(at, end - at);
      if (!cp932_to_utf8(one) && !valid_utf8(one)) break;
      at = end + 1;
      ++line;
    }
    return fail(ErrorCode::kBadCsvEncoding,
                "line " + std::to_string(line) + ": the file is neither CP932 (Shift_JIS) nor UTF-8");
  }
  auto rows = parse_csv(text);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return fail(ErrorCode::kBadCsv, "the file is empty");
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < (*rows)[0].size(); ++i) index[(*rows)[0][i]] = i;
  std::array<std::size_t, kColumns.size()> col{};
  for (std::size_t c = 0; c < kColumns.size(); ++c) {
    auto it = index.find(std::string(kColumns[c]));
    if (it == index.end()) return fail(ErrorCode::kBadCsv, "header has no column " + std::string(kColumns[c]));
    col[c] = it->second;
  }
  std::vector<Facility> out;
  out.reserve(rows->size());
  std::map<std::string, int> seen, seen_no;
  for (std::size_t r = 1; r < rows->size(); ++r) {
    const auto& row = (*rows)[r];
    const int line = static_cast<int>(r + 1);
    if (row.size() == 1 && row[0].empty()) continue;  // blank line
    if (row.size() != (*rows)[0].size())
      return fail(ErrorCode::kBadCsv, "line " + std::to_string(line) + " has " + std::to_string(row.size()) +
                                          " columns, the header has " + std::to_string((*rows)[0].size()));
    auto at = [&](std::size_t c) { return row[col[c]]; };
    Facility f;
    f.facility_id = at(0);
    f.city = at(1);
    f.service_type = at(2);
    f.jigyosho_no = at(3);
    f.name = at(4);
    f.postal_code = at(5);
    f.address = at(6);
    auto cap = parse_int(at(7), line, kColumns[7]);
    if (!cap) return std::unexpected(cap.error());
    f.capacity = *cap;
    f.corp_name = at(8);
    f.corp_postal_code = at(9);
    f.corp_address = at(10);
    f.rep_title = at(11);
    f.rep_name = at(12);
    auto amount = parse_int(at(13), line, kColumns[13]);
    if (!amount) return std::unexpected(amount.error());
    f.amount = *amount;
    if (f.facility_id.empty()) return fail(ErrorCode::kBadCsv, "line " + std::to_string(line) + ": 施設ID is blank");
    if (auto s = validate_row(f, line); !s) return std::unexpected(s.error());
    if (auto [it, fresh] = seen.emplace(f.facility_id, line); !fresh)
      return fail(ErrorCode::kBadCsv, "line " + std::to_string(line) + ": 施設ID " + f.facility_id +
                                          " is already on line " + std::to_string(it->second));
    if (!f.jigyosho_no.empty()) {
      if (auto [it, fresh] = seen_no.emplace(f.jigyosho_no, line); !fresh)
        return fail(ErrorCode::kBadCsv, "line " + std::to_string(line) + ": 介護保険事業所番号 " + f.jigyosho_no +
                                            " is already on line " + std::to_string(it->second));
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace station::review
