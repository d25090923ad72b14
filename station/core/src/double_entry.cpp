// Blind double entry: the field's entry states and their one transition table (double_entry.h).
#include "station/double_entry.h"

#include <algorithm>
#include <array>

namespace station::double_entry {
namespace {

constexpr std::array kTransitions{
    Transition{State::kAwaitingFirst, Event::kFirstEntry, State::kAwaitingSecond},
    Transition{State::kAwaitingSecond, Event::kSecondAgrees, State::kDecided},
    Transition{State::kAwaitingSecond, Event::kSecondDiffers, State::kDisputed},
    Transition{State::kDisputed, Event::kAdjudicated, State::kDecided},
};

struct StateText {
  State state;
  std::string_view name, label_ja;
};
constexpr std::array kStates{
    StateText{State::kAwaitingFirst, "awaiting_first", "1人目の入力待ち"},
    StateText{State::kAwaitingSecond, "awaiting_second", "2人目の入力待ち"},
    StateText{State::kDisputed, "disputed", "入力が食い違い（判定待ち）"},
    StateText{State::kDecided, "decided", "確定済み"},
};

// Every type the templates give a field (tests/unit/station/double_entry_test.cpp checks the
// templates against this list).
constexpr std::array kFieldTypes{
    FieldType{"text", "文字（氏名・住所・名称など）"},
    FieldType{"kana", "フリガナ"},
    FieldType{"comb", "枠の数字（口座番号・事業所番号）"},
    FieldType{"digits", "数字（定員・生年月日の年月日など）"},
    FieldType{"amount", "金額"},
    FieldType{"date", "日付"},
    FieldType{"era", "元号"},
    FieldType{"postal", "郵便番号"},
    FieldType{"phone", "電話番号"},
    FieldType{"email", "メールアドレス"},
    FieldType{"checkbox", "チェック欄"},
    FieldType{"checkbox_group", "選択欄（サービス種類・預金種別）"},
    FieldType{"seal", "押印"},
    FieldType{"sex", "性別"},
    FieldType{"table", "表"},
    FieldType{"bank_name", "金融機関名（通帳）"},
    FieldType{"branch_name", "支店名（通帳）"},
    FieldType{"bank_kind", "金融機関の種類（通帳）"},
    FieldType{"account_type", "預金種別（通帳）"},
    FieldType{"holder_kana", "口座名義（通帳）"},
    FieldType{"labelled_digits", "番号（通帳の店番・口座番号）"},
    FieldType{"postmark", "消印"},
    FieldType{"sender", "差出人"},
    FieldType{"sender_postal", "差出人の郵便番号"},
};

}  // namespace

std::span<const Transition> transitions() { return kTransitions; }

std::optional<State> next(State from, Event event) {
  for (const auto& t : kTransitions)
    if (t.from == from && t.event == event) return t.to;
  return std::nullopt;
}

std::optional<Round> round_in(State s) {
  switch (s) {
    case State::kAwaitingFirst: return Round::kFirst;
    case State::kAwaitingSecond: return Round::kSecond;
    case State::kDisputed: return Round::kAdjudication;
    case State::kDecided: return std::nullopt;
  }
  return std::nullopt;
}

std::string_view state_name(State s) {
  for (const auto& t : kStates)
    if (t.state == s) return t.name;
  return "";
}

std::optional<State> parse_state(std::string_view name) {
  for (const auto& t : kStates)
    if (t.name == name) return t.state;
  return std::nullopt;
}

std::string_view state_label_ja(State s) {
  for (const auto& t : kStates)
    if (t.state == s) return t.label_ja;
  return "";
}

std::string_view round_label_ja(Round r) {
  switch (r) {
    case Round::kFirst: return "1人目";
    case Round::kSecond: return "2人目";
    case Round::kAdjudication: return "判定";
  }
  return "";
}

std::span<const FieldType> field_types() { return kFieldTypes; }

std::string_view field_type_label_ja(std::string_view type) {
  for (const auto& t : kFieldTypes)
    if (t.name == type) return t.label_ja;
  return "";
}

bool covers(const std::vector<std::string>& types, std::string_view type) {
  return !type.empty() && std::find(types.begin(), types.end(), type) != types.end();
}

}  // namespace station::double_entry
