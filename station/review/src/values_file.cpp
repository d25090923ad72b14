// The reviewer's values file (values_file.h).
#include "station/review/values_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

#include "station/recognition/forms.h"
#include "station/text.h"

namespace station::review {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 3> kAttachmentKeys = {"attachments.pledge", "attachments.officers",
                                                             "attachments.passbook"};
constexpr std::array<std::string_view, 5> kPledgeKeys = {"date", "corp_address", "corp_name", "rep", "seal_present"};
constexpr std::array<std::string_view, 4> kOfficersKeys = {"corp_kana", "corp_name", "facility_name", "jigyosho_no"};
constexpr std::array<std::string_view, 6> kOfficerRowKeys = {"name_kana", "name", "birth", "sex", "address", "title"};
constexpr std::array<std::string_view, 8> kPassbookKeys = {"code",       "kind",        "bank_name_full",
                                                           "branch_name", "branch_code", "account_no",
                                                           "account_type", "holder_kana_passbook"};
constexpr std::array<std::string_view, 2> kEnvelopeKeys = {"postmark_date", "sender_name"};
constexpr std::array<std::string_view, 7> kPageKinds = {"application", "pledge", "officers", "passbook",
                                                        "envelope",    "separator", "unknown"};

template <std::size_t N>
bool among(const std::array<std::string_view, N>& keys, std::string_view k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

bool is_boolean_key(std::string_view key) {
  return key == "pledge.seal_present" || key.starts_with("attachments.");
}

Status add(ValuesFile& out, const std::string& key, const json& v) {
  const bool boolean = is_boolean_key(key);
  ValueEntry e{key, "", boolean};
  if (boolean) {
    if (!v.is_boolean()) return fail(ErrorCode::kInvalidInput, key + ": must be true or false");
    e.value = v.get<bool>() ? "true" : "false";
  } else {
    if (!v.is_string()) return fail(ErrorCode::kInvalidInput, key + ": must be a string");
    auto n = normalise_field_value(key, v.get<std::string>());
    if (!n) return fail(ErrorCode::kInvalidInput, key + ": " + n.error().detail);
    e.value = std::move(*n);
  }
  out.values.push_back(std::move(e));
  return {};
}

}  // namespace

Result<ValuesFile> parse_values_file(std::string_view text) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(ErrorCode::kInvalidInput, "the values file is not JSON");
  if (!doc.is_object()) return fail(ErrorCode::kInvalidInput, "the values file must be a JSON object");
  ValuesFile out;
  for (const auto& [section, body] : doc.items()) {
    if (section == "pages") {
      if (!body.is_array()) return fail(ErrorCode::kInvalidInput, "pages: must be an array");
      std::vector<std::string> kinds;
      for (std::size_t i = 0; i < body.size(); ++i) {
        const std::string at = "pages[" + std::to_string(i) + "]";
        const json& p = body[i];
        if (!p.is_object() || !p.contains("kind") || !p["kind"].is_string())
          return fail(ErrorCode::kInvalidInput, at + ".kind: must be a string");
        for (const auto& [k, _] : p.items())
          if (k != "kind" && k != "file" && k != "dpi") return fail(ErrorCode::kInvalidInput, at + "." + k + ": unknown key");
        const std::string kind = p["kind"];
        if (!among(kPageKinds, kind)) return fail(ErrorCode::kInvalidInput, at + ".kind: unknown page kind " + kind);
        kinds.push_back(kind);
      }
      out.page_kinds = std::move(kinds);
      continue;
    }
    if (section != "fields" && section != "pledge" && section != "officers" && section != "passbook" &&
        section != "envelope")
      return fail(ErrorCode::kInvalidInput, section + ": unknown section");
    if (body.is_null()) continue;  // a form that is not in the envelope
    if (!body.is_object()) return fail(ErrorCode::kInvalidInput, section + ": must be an object");
    for (const auto& [k, v] : body.items()) {
      if (section == "fields") {
        const bool known = among(kAttachmentKeys, k) ||
                           std::any_of(std::begin(recognition::kApplicationFields), std::end(recognition::kApplicationFields),
                                       [&](const auto& d) { return d.key == k; });
        if (!known) return fail(ErrorCode::kInvalidInput, "fields." + k + ": unknown key");
        if (auto s = add(out, k, v); !s) return std::unexpected(s.error());
      } else if (section == "officers" && k == "rows") {
        if (!v.is_array()) return fail(ErrorCode::kInvalidInput, "officers.rows: must be an array");
        for (std::size_t r = 0; r < v.size(); ++r) {
          const std::string p = "officers.rows[" + std::to_string(r) + "]";
          if (!v[r].is_object()) return fail(ErrorCode::kInvalidInput, p + ": must be an object");
          for (const auto& [rk, rv] : v[r].items()) {
            if (!among(kOfficerRowKeys, rk)) return fail(ErrorCode::kInvalidInput, p + "." + rk + ": unknown key");
            if (auto s = add(out, p + "." + rk, rv); !s) return std::unexpected(s.error());
          }
        }
      } else {
        const bool known = section == "pledge"     ? among(kPledgeKeys, k)
                           : section == "officers" ? among(kOfficersKeys, k)
                           : section == "passbook" ? among(kPassbookKeys, k)
                                                   : among(kEnvelopeKeys, k);
        if (!known) return fail(ErrorCode::kInvalidInput, section + "." + k + ": unknown key");
        if (auto s = add(out, section + "." + k, v); !s) return std::unexpected(s.error());
      }
    }
  }
  return out;
}

}  // namespace station::review
