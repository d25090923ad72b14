// The daily set's lists beside 受付一覧表A: 受付一覧表C, the officer lists (per application and
// consolidated), through the station's one xlsx writer (lists.h).
#include <map>
#include <set>
#include <string>

#include "station/outputs/lists.h"
#include "station/outputs/xlsx.h"
#include "station/review/conversions.h"

namespace station::outputs {

namespace {

std::string value_of(const std::map<std::string, std::string>& values, const std::string& key) {
  auto it = values.find(key);
  return it == values.end() ? std::string() : it->second;
}

// The export form of a stored value (review::export_form), or the value itself when no conversion
// applies or it is not certain (the reviewer saw the note; the value goes out as confirmed).
std::string export_text(const std::string& key, const std::string& value) {
  if (value.empty()) return value;
  auto c = review::export_form(key, value);
  if (!c || c->text.empty()) return value;
  return c->text;
}

void header_row(xlsx::Workbook& book, int row, std::initializer_list<const char*> headers, double width = 18) {
  int c = 0;
  for (const char* h : headers) {
    book.write(row, c, h, xlsx::Style::kBold);
    book.column(c, width, xlsx::Style::kText);
    ++c;
  }
}

constexpr std::initializer_list<const char*> kOfficerHeaders = {
    "商号又は名称（ﾌﾘｶﾞﾅ）", "商号又は名称", "氏名（ﾌﾘｶﾞﾅ）", "氏名", "生年月日", "性別", "住所", "職名"};

void officer_cells(xlsx::Workbook& book, int r, const OfficerRow& o) {
  int c = 0;
  for (const std::string* v : {&o.corp_kana, &o.corp_name, &o.name_kana, &o.name, &o.birth, &o.sex, &o.address, &o.title}) {
    if (!v->empty()) book.write(r, c, *v, xlsx::Style::kText);
    ++c;
  }
}

}  // namespace

Result<std::vector<unsigned char>> build_list_c_xlsx(const std::vector<ListApplication>& apps, const std::string& file_no) {
  auto book = xlsx::Workbook::create();
  if (!book) return std::unexpected(book.error());
  book->add_sheet("受付一覧表C");
  book->write(0, 0, "ファイルナンバー " + file_no, xlsx::Style::kBold);
  header_row(*book, 1,
             {"受付番号", "施設ID", "介護保険事業所番号", "施設名称", "法人名", "申請額", "受付日", "補正指示日", "補正完了日"});
  int r = 2;
  for (const auto& a : apps) {
    const std::string cells[] = {a.receipt_no,
                                 a.facility_id,
                                 value_of(a.values, "facility.jigyosho_no"),
                                 value_of(a.values, "facility.name"),
                                 value_of(a.values, "corp.name"),
                                 value_of(a.values, "amount"),
                                 a.received_date,
                                 a.correction_requested,
                                 a.correction_completed};
    int c = 0;
    for (const auto& v : cells) {
      if (!v.empty()) book->write(r, c, v, xlsx::Style::kText);
      ++c;
    }
    ++r;
  }
  return book->finish();
}

PaymentRow payment_row(const std::map<std::string, std::string>& values) {
  PaymentRow p;
  const std::string type = value_of(values, "bank.account_type");
  p.account_type = type == "普通" ? "1" : type == "当座" ? "2" : type;
  std::string no = value_of(values, "bank.account_no");
  if (!no.empty() && no.size() < 7) no.insert(0, 7 - no.size(), '0');
  p.account_no = no;
  p.payee_kana = review::to_halfwidth_kana(value_of(values, "bank.holder_kana"), review::Spacing::kCollapse).text;
  p.amount = value_of(values, "amount");
  return p;
}

Result<std::vector<unsigned char>> build_list_b_xlsx(const std::vector<PaymentRow>& rows, const std::string& file_no,
                                                     const std::string& zengin_version) {
  auto book = xlsx::Workbook::create();
  if (!book) return std::unexpected(book.error());
  book->add_sheet("受付一覧表B");
  book->write(0, 0, "ファイルナンバー " + file_no, xlsx::Style::kBold);
  book->write(0, 3, "全銀コード: " + zengin_version, xlsx::Style::kBold);
  header_row(*book, 1, {"金融機関コード", "支店コード", "預金種目", "口座番号", "受取人名（ｶﾅ）", "金額"});
  int r = 2;
  for (const auto& p : rows) {
    int c = 0;
    for (const std::string* v : {&p.bank_code, &p.branch_code, &p.account_type, &p.account_no, &p.payee_kana}) {
      if (!v->empty()) book->write(r, c, *v, xlsx::Style::kText);
      ++c;
    }
    // The amount as a number, so the accounting office can total it.
    try {
      if (!p.amount.empty()) book->write(r, c, static_cast<double>(std::stoll(p.amount)));
    } catch (...) {
      book->write(r, c, p.amount, xlsx::Style::kText);
    }
    ++r;
  }
  return book->finish();
}

std::vector<OfficerRow> officer_rows(const std::map<std::string, std::string>& values) {
  // officers.rows[N].<column>: the rows present, in order of N.
  std::set<int> rows;
  const std::string prefix = "officers.rows[";
  for (auto it = values.lower_bound(prefix); it != values.end() && it->first.starts_with(prefix); ++it) {
    const auto close = it->first.find(']', prefix.size());
    if (close == std::string::npos || it->second.empty()) continue;
    try {
      rows.insert(std::stoi(it->first.substr(prefix.size(), close - prefix.size())));
    } catch (...) {
    }
  }
  const std::string corp_kana = export_text("officers.corp_kana", value_of(values, "officers.corp_kana"));
  const std::string corp_name = corporation_of(values);
  std::vector<OfficerRow> out;
  for (int n : rows) {
    const std::string base = "officers.rows[" + std::to_string(n) + "].";
    auto col = [&](const char* c) { return export_text(base + c, value_of(values, base + c)); };
    out.push_back({corp_kana, corp_name, col("name_kana"), col("name"), col("birth"), col("sex"), col("address"),
                   col("title")});
  }
  return out;
}

std::string corporation_of(const std::map<std::string, std::string>& values) {
  std::string name = value_of(values, "officers.corp_name");
  if (!name.empty()) return export_text("officers.corp_name", name);
  return export_text("corp.name", value_of(values, "corp.name"));
}

Result<std::vector<unsigned char>> build_officer_list_xlsx(const std::vector<OfficerRow>& rows, const std::string& file_no) {
  auto book = xlsx::Workbook::create();
  if (!book) return std::unexpected(book.error());
  book->add_sheet("役員等名簿");
  book->write(0, 0, "ファイルナンバー " + file_no, xlsx::Style::kBold);
  header_row(*book, 1, kOfficerHeaders);
  int r = 2;
  for (const auto& o : rows) officer_cells(*book, r++, o);
  return book->finish();
}

std::vector<std::vector<std::size_t>> consolidate_officers(const std::vector<ListApplication>& apps, int per_file) {
  std::vector<std::vector<std::size_t>> files;
  std::set<std::string> seen;
  std::size_t in_file = 0;
  for (std::size_t i = 0; i < apps.size(); ++i) {
    const auto corp = corporation_of(apps[i].values);
    const auto n = officer_rows(apps[i].values).size();
    if (n == 0 || !seen.insert(corp).second) continue;  // each corporation once
    if (files.empty() || in_file + n > static_cast<std::size_t>(per_file)) {
      if (files.empty() || in_file > 0) files.emplace_back();
      in_file = 0;
    }
    files.back().push_back(i);
    in_file += n;
  }
  return files;
}

}  // namespace station::outputs
