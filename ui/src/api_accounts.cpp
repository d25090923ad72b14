// The account screens' JSON API (see api_accounts.h and docs/ui.md).
#include "api_accounts.h"

#include "api_v1.h"

namespace ui::api_v1 {

Reply failed(const station::Error& e) {
  return Reply{station::http_status(e.code), error_json(e.code, e.reason_ja), e};
}

Reply invalid(std::string_view detail, std::string_view reason_ja) {
  return failed(station::Error{station::ErrorCode::kInvalidInput, std::string(detail), std::string(reason_ja)});
}

std::optional<nlohmann::json> object_body(std::string_view body) {
  if (body.empty()) return nlohmann::json::object();
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::string text(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

namespace {

using station::ErrorCode;

constexpr const char* kRoleReason = "役割は clerk（受付担当）、reviewer（審査担当）、supervisor（責任者）、admin（管理者）のいずれかを選んでください。";
constexpr const char* kPasswordRule =
    "新しいパスワードが条件を満たしていません。十分な長さがあり、ユーザー名を含まず、よく使われるものでも"
    "今のパスワードと同じでもないものにしてください。";

// The station's answer for a user named in the path, with a Japanese reason for the usual refusals.
Reply account_failure(const station::Error& e) {
  station::Error out = e;
  if (out.reason_ja.empty()) {
    if (e.code == ErrorCode::kNotFound) out.reason_ja = "その利用者は登録されていません。一覧を更新してください。";
    if (e.code == ErrorCode::kConflict)
      out.reason_ja = "自分自身や、有効な最後の管理者を無効にしたり管理者以外にしたりすることはできません。";
  }
  return failed(out);
}

}  // namespace

nlohmann::json account_json(const station::AccountInfo& a) {
  return {{"username", a.user.username},
          {"role", std::string(station::role_name(a.user.role))},
          {"role_ja", std::string(station::role_label_ja(a.user.role))},
          {"state", a.disabled ? "disabled" : (!a.locked_until.empty() ? "locked" : "active")},
          {"disabled", a.disabled},
          {"must_change_password", a.must_change_password},
          {"failed_attempts", a.failed_attempts},
          {"locked_until", a.locked_until},
          {"last_login_at", a.last_login_at},
          {"created_at", a.created_at}};
}

Reply list_accounts(station::Station& st, const station::User& actor) {
  auto list = st.accounts(actor);
  if (!list) return failed(list.error());
  auto out = nlohmann::json::array();
  for (const auto& a : *list) out.push_back(account_json(a));
  return Reply{200, {{"accounts", out}}, std::nullopt};
}

Reply create_account(station::Station& st, const station::User& actor, std::string_view body) {
  const auto j = object_body(body);
  if (!j) return invalid("body must be a JSON object", "");
  const std::string username = text(*j, "username");
  const std::string password = text(*j, "password");
  const auto role = station::parse_role(text(*j, "role"));
  if (username.empty())
    return invalid("username missing", "ユーザー名を入力してください（半角英数字と - _ . で64文字まで）。");
  if (!role) return invalid("unknown role", kRoleReason);
  if (password.empty()) return invalid("password missing", "最初のパスワードを入力してください。");
  auto user = st.add_user(&actor, username, password, *role);
  if (!user) {
    station::Error e = user.error();
    if (e.code == ErrorCode::kInvalidInput && e.reason_ja.empty())
      e.reason_ja = "ユーザー名は半角英数字と - _ . で64文字まで、パスワードは十分な長さがありユーザー名を含まず、"
                    "よく使われるものでないものにしてください。";
    if (e.code == ErrorCode::kConflict && e.reason_ja.empty())
      e.reason_ja = "そのユーザー名はすでに使われています。別のユーザー名にしてください。";
    return failed(e);
  }
  auto list = st.accounts(actor);
  if (list)
    for (const auto& a : *list)
      if (a.user.id == user->id) return Reply{201, {{"account", account_json(a)}}, std::nullopt};
  return Reply{201, {{"account", {{"username", user->username}, {"role", std::string(station::role_name(user->role))}}}},
               std::nullopt};
}

Reply reset_account(station::Station& st, const station::User& actor, std::string_view username) {
  auto r = st.reset_password(actor, username);
  if (!r) return account_failure(r.error());
  return Reply{200,
               {{"username", r->user.username}, {"one_time_password", r->one_time_password}, {"must_change_password", true}},
               std::nullopt};
}

Reply disable_account(station::Station& st, const station::User& actor, std::string_view username) {
  if (auto s = st.disable_user(actor, username); !s) return account_failure(s.error());
  return Reply{200, {{"username", std::string(username)}, {"disabled", true}}, std::nullopt};
}

Reply enable_account(station::Station& st, const station::User& actor, std::string_view username) {
  if (auto s = st.enable_user(actor, username); !s) return account_failure(s.error());
  return Reply{200, {{"username", std::string(username)}, {"disabled", false}}, std::nullopt};
}

Reply set_account_role(station::Station& st, const station::User& actor, std::string_view username,
                       std::string_view body) {
  const auto j = object_body(body);
  if (!j) return invalid("body must be a JSON object", "");
  const auto role = station::parse_role(text(*j, "role"));
  if (!role) return invalid("unknown role", kRoleReason);
  auto user = st.set_role(actor, username, *role);
  if (!user) return account_failure(user.error());
  return Reply{200, {{"user", user_json(*user)}}, std::nullopt};
}

Reply change_own_password(station::Station& st, const station::User& me, std::string_view body) {
  const auto j = object_body(body);
  if (!j) return invalid("body must be a JSON object", "");
  const std::string current = text(*j, "current_password");
  const std::string next = text(*j, "new_password");
  if (current.empty()) return invalid("current password missing", "今のパスワードを入力してください。");
  if (next.empty()) return invalid("new password missing", "新しいパスワードを入力してください。");
  auto user = st.change_password(me.username, current, next);
  if (!user) {
    const station::Error& e = user.error();
    // A wrong current password is a refused input here, not the end of the session (401 would
    // send the screen back to the login).
    if (e.code == ErrorCode::kLoginFailed)
      return Reply{400, error_json(ErrorCode::kInvalidInput, "今のパスワードが違います。もう一度入力してください。"), e};
    if (e.code == ErrorCode::kInvalidInput) return Reply{400, error_json(ErrorCode::kInvalidInput, kPasswordRule), e};
    return failed(e);
  }
  return Reply{200, {{"user", user_json(*user)}, {"changed", true}}, std::nullopt};
}

}  // namespace ui::api_v1
