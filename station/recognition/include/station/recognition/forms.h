#pragma once
// What the station knows of the prefecture's forms: field keys (as in the spec) with their printed
// labels. Zones, types and the other forms' labels are data: station/templates/*.json (templates.h).
// Part of the recognition sub-library, but read by the rest of the station too (review, exports):
// label_of names a field wherever it is shown.
#include <string_view>

namespace station::recognition {

struct FieldDef {
  std::string_view key;       // spec key
  std::string_view label_ja;  // printed label
};

inline constexpr FieldDef kApplicationFields[] = {
    {"application_date", "申請日"},
    {"corp.postal_code", "法人所在地（郵便番号）"},
    {"corp.address", "法人所在地"},
    {"corp.name", "法人名"},
    {"corp.rep_title", "代表者職名"},
    {"corp.rep_name", "代表者氏名"},
    {"facility.postal_code", "施設の所在地（郵便番号）"},
    {"facility.address", "施設の所在地"},
    {"facility.name", "施設の名称"},
    {"facility.service_type", "サービス種類"},
    {"facility.jigyosho_no", "介護保険事業所番号"},
    {"facility.capacity", "定員"},
    {"amount", "給付金申請額兼請求額"},
    {"bank.name", "金融機関名"},
    {"bank.branch", "支店名"},
    {"bank.account_type", "預金種別"},
    {"bank.account_no", "口座番号"},
    {"bank.holder_kana", "口座名義人（フリガナ）"},
    {"bank.holder", "口座名義人"},
    {"contact.name", "担当者氏名"},
    {"contact.phone", "電話"},
    {"contact.email", "メールアドレス"},
};

// The printed label of any key the loaded templates define (templates.cpp); the key itself when
// no template names it. The view stays valid for the life of the process.
std::string_view template_label(std::string_view key);

inline std::string_view label_of(std::string_view key) {
  for (const auto& f : kApplicationFields)
    if (f.key == key) return f.label_ja;
  return template_label(key);
}

// A zone on an A4 page in millimetres from the top-left corner of the upright page.
struct ZoneMm {
  double x, y, w, h;
};

// 様式第1号: the 10-box row of 介護保険事業所番号, with a margin for skew, scanner offset and
// printing scaled to fit (about 97 %).
inline constexpr ZoneMm kJigyoshoSearchZone{40.0, 165.0, 100.0, 30.0};
inline constexpr int kJigyoshoCells = 10;

// 受付一覧表A: columns in the order the prefecture asks for, and the field each comes from
// (empty key: not a field of the form, e.g. 補正指示日 comes from the correction workflow).
struct ListColumn {
  std::string_view header;
  std::string_view key;
};
inline constexpr ListColumn kListAColumns[] = {
    {"申請日", "application_date"},
    {"補正指示日", ""},
    {"法人所在地", "corp.address"},
    {"法人名", "corp.name"},
    {"法人代表者名", "corp.rep_name"},
    {"対象施設の所在地", "facility.address"},
    {"対象施設の名称", "facility.name"},
    {"サービス種類", "facility.service_type"},
    {"介護保険事業所番号", "facility.jigyosho_no"},
    {"定員", "facility.capacity"},
    {"給付金申請額兼請求額", "amount"},
    {"振込先金融機関名", "bank.name"},
    {"振込先支店名", "bank.branch"},
    {"預金種別", "bank.account_type"},
    {"振込先口座番号", "bank.account_no"},
    {"振込先口座名義人フリガナ", "bank.holder_kana"},
    {"振込先口座名義人", "bank.holder"},
};

}  // namespace station::recognition
