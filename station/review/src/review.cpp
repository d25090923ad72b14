// Review: the fields reviewers confirm or correct, and loading the facility list.
#include "station/review/review.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "station/access.h"
#include "station/double_entry.h"
#include "station/files.h"
#include "station/recognition/forms.h"
#include "station/review/conversions.h"
#include "station/review/checks.h"
#include "station/review/facilities.h"
#include "station/review/normalize.h"
#include "station/review/values_file.h"
#include "station/review/zengin.h"
#include "station/store/checks.h"
#include "station/store/entries.h"
#include "station/store/envelopes.h"
#include "station/store/pages.h"
#include "station/store/facilities.h"
#include "station/store/fields.h"
#include "station/store/outbox.h"
#include "station/store/zengin.h"
#include "station/text.h"

namespace station::review {

Result<FieldInfo> Review::load_field(std::int64_t field_id) {
  auto f = store::field(store_.db, field_id);
  if (!f) return f;
  f->label_ja = std::string(recognition::label_of(f->key));
  f->needs_attention =
      f->status != FieldStatus::kConfirmed &&
      (f->confidence < confidence_threshold_ || f->value.empty() || f->value.find('?') != std::string::npos);
  // Under blind double entry: its state (a value confirmed before double entry was turned on for
  // its type, with no entries, is left as it was); never "ready" by its reading alone.
  if (!double_entry_types_.empty()) {
    auto e = store::entry_field(store_.db, field_id);
    if (!e) return std::unexpected(e.error());
    const bool had_entries = e->state != double_entry::State::kAwaitingFirst;
    if (double_entry::covers(double_entry_types_, e->type) && (!e->confirmed || had_entries)) {
      f->entry_state = std::string(double_entry::state_name(e->state));
      if (!e->confirmed) f->needs_attention = true;
    }
  }
  // What the export will write, shown beside the value (the confirmed one once confirmed).
  const std::string& shown = f->status == FieldStatus::kConfirmed ? f->confirmed_value : f->value;
  if (auto c = export_form(f->key, shown); c && (c->text != shown || !c->certain)) {
    f->export_value = c->text;
    f->export_note_ja = c->note_ja;
  }
  return f;
}

Result<std::vector<FieldInfo>> Review::fields(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "see field values"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(store_.mu);
  auto ids = store::field_ids(store_.db, envelope_id);
  if (!ids) return std::unexpected(ids.error());
  std::vector<FieldInfo> out;
  for (auto id : *ids) {
    auto f = load_field(id);
    if (!f) return std::unexpected(f.error());
    out.push_back(std::move(*f));
  }
  return out;
}

Result<FieldInfo> Review::field(const User& actor, std::int64_t field_id) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "see field values"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(store_.mu);
  return load_field(field_id);
}

Result<FieldInfo> Review::confirm(const User& actor, std::int64_t field_id, std::string_view value) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "confirm values"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(store_.mu);
  auto f = load_field(field_id);
  if (!f) return std::unexpected(f.error());
  if (!f->entry_state.empty())
    return fail(ErrorCode::kConflict, "the field is under double entry",
                "この項目は二重入力（ブラインド入力）の対象です。ここでは確定できません。"
                "「二重入力」の画面で入力してください（2人が別々に入力し、一致すれば確定します）。");
  auto normalised = normalise_field_value(f->key, value);
  if (!normalised) return std::unexpected(normalised.error());
  const std::string now = store_.clock.jst_now_iso();
  if (auto s = store::confirm(store_.db, field_id, f->envelope_id, *normalised, actor.id, now); !s)
    return std::unexpected(s.error());
  const bool corrected = *normalised != f->value;
  audit_.record(&actor, corrected ? "field.correct" : "field.confirm",
                "envelope:" + std::to_string(f->envelope_id) + " field:" + f->key);
  return load_field(field_id);
}

Result<int> Review::load_facilities(const User& actor, const std::filesystem::path& csv) {
  if (auto s = require(actor, {Role::kSupervisor, Role::kAdmin}, "load the facility list"); !s)
    return std::unexpected(s.error());
  auto bytes = read_file(csv);
  if (!bytes) return std::unexpected(bytes.error());
  auto list = parse_facility_csv(std::string(bytes->begin(), bytes->end()));
  if (!list) return std::unexpected(list.error());
  std::lock_guard lock(store_.mu);
  auto version = store::replace_facilities(store_.db, *list, store_.clock.jst_now_iso(), actor.id);
  if (!version) return std::unexpected(version.error());
  audit_.record(&actor, "facilities.load",
                "version:" + std::to_string(version->version) + " rows:" + std::to_string(list->size()));
  return static_cast<int>(list->size());
}

Result<int> Review::facility_count() {
  std::lock_guard lock(store_.mu);
  return store::facility_count(store_.db);
}

Result<std::int64_t> Review::facility_list_version() {
  std::lock_guard lock(store_.mu);
  auto v = store::facility_list_version(store_.db);
  if (!v) return std::unexpected(v.error());
  return *v ? (*v)->version : 0;
}

Result<std::shared_ptr<const FacilityIndex>> Review::facility_index() {
  std::vector<Facility> list;
  std::int64_t version = 0;
  {
    std::lock_guard lock(store_.mu);
    auto v = store::facility_list_version(store_.db);
    if (!v) return std::unexpected(v.error());
    if (*v) version = (*v)->version;
    auto rows = store::all_facilities(store_.db);
    if (!rows) return std::unexpected(rows.error());
    list = std::move(*rows);
  }
  return std::make_shared<const FacilityIndex>(std::move(list), version);
}

namespace {

constexpr std::array<std::string_view, 3> kMatchKeys = {"facility.jigyosho_no", "facility.name", "facility.address"};

}  // namespace

Result<CheckReport> Review::check(const User& actor, std::int64_t envelope_id, const FacilityIndex& index,
                                  const ElectronicLookup& electronic) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "check applications"); !s)
    return std::unexpected(s.error());
  Values values;
  std::vector<std::string> kinds;
  EnvelopeSummary summary;
  std::vector<store::EnvelopeValues> others;
  {
    std::lock_guard lock(store_.mu);
    auto sum = store::summary(store_.db, envelope_id);
    if (!sum) return std::unexpected(sum.error());
    summary = std::move(*sum);
    auto pages = store::list_pages(store_.db, envelope_id);
    if (!pages) return std::unexpected(pages.error());
    std::map<std::int64_t, int> page_no;
    std::set<std::int64_t> bilevel;
    bool bilevel_pledge = false;  // a page of the pledge scanned in black and white
    for (const auto& p : *pages) {
      if (p.kind == "separator") continue;
      kinds.push_back(p.kind);
      page_no[p.id] = static_cast<int>(kinds.size());
      if (p.color_mode == "bw") bilevel.insert(p.id);
      bilevel_pledge = bilevel_pledge || (p.kind == "pledge" && p.color_mode == "bw");
    }
    auto fields = store::stored_fields(store_.db, envelope_id);
    if (!fields) return std::unexpected(fields.error());
    for (const auto& f : *fields) {
      Value v;
      v.text = f.confirmed ? f.confirmed_value : f.value;
      if (f.page_id) {
        if (auto it = page_no.find(*f.page_id); it != page_no.end()) {
          v.page = it->second;
          v.box = PixelBox{f.x, f.y, f.w, f.h};
          v.bilevel_page = bilevel.contains(*f.page_id);
        }
      } else if (f.key.starts_with("pledge.")) {
        v.bilevel_page = bilevel_pledge;  // entered, not read: the pledge's page is where it is
      }
      values[f.key] = std::move(v);
    }
    auto all = store::envelopes_with_values(store_.db, {kMatchKeys.begin(), kMatchKeys.end()});
    if (!all) return std::unexpected(all.error());
    others = std::move(*all);
  }
  CheckReport report;
  report.envelope_id = envelope_id;
  report.receipt_no = summary.receipt_no;
  report.list_version = index.version();
  const Match match = match_application(values, index);
  if (match.facility) report.facility_id = match.facility->facility_id;
  for (const auto& c : match.candidates)
    report.candidates.push_back(
        FacilityCandidate{c.facility->facility_id, c.facility->name, c.facility->address, c.facility->jigyosho_no, c.reasons_ja});
  report.findings = check_application(values, kinds, match, store_.clock.jst_now_iso().substr(0, 10));

  // The payee's bank and branch must be in the Zengin code table (受付一覧表B needs their codes),
  // once a table is loaded.
  {
    std::lock_guard lock(store_.mu);
    auto version = store::zengin_version(store_.db);
    if (!version) return std::unexpected(version.error());
    auto bank = values.find("bank.name");
    if (*version && bank != values.end() && !bank->second.text.empty()) {
      auto banks = store::zengin_banks(store_.db);
      if (!banks) return std::unexpected(banks.error());
      const ZenginIndex zengin(*banks);
      auto code = zengin.bank_code(bank->second.text);
      auto branch = values.find("bank.branch");
      bool known = code.has_value();
      if (known && branch != values.end() && !branch->second.text.empty()) {
        auto branches = store::zengin_branches(store_.db, *code);
        if (!branches) return std::unexpected(branches.error());
        known = ZenginIndex::branch_code(*branches, branch->second.text).has_value();
      }
      if (!known) {
        Finding f;
        f.code = "BANK_NOT_IN_ZENGIN";
        f.field = code ? "bank.branch" : "bank.name";
        if (auto it = values.find(f.field); it != values.end()) {
          f.page = it->second.page;
          f.box = it->second.box;
        }
        f.severity = "block";
        f.message_ja = std::string(code ? "振込先の支店名" : "振込先の金融機関名") + "が全銀コード表（" + **version +
                       "）にありません。通帳の写しで確認して訂正してください。";
        report.findings.push_back(std::move(f));
      }
    }
  }

  // 6. Duplicates: the first application received for the facility counts, by mail (this station's
  // or another's, pulled by the sync) or electronic. The rule is the main system's
  // (mailed.first_applications): the earliest received moment; ties: mailed before electronic,
  // then station, then receipt number. So every station names the same first application.
  if (match.facility) {
    std::vector<store::RemoteApplicationRow> remote;
    std::string my_station;
    {
      std::lock_guard lock(store_.mu);
      // By the number written on the application (as the main system groups them) and by the
      // matched facility's number, when they differ.
      std::set<std::string> keys;
      if (auto it = values.find("facility.jigyosho_no"); it != values.end()) keys.insert(digits_only(it->second.text));
      keys.insert(digits_only(match.facility->jigyosho_no));
      keys.erase("");
      for (const auto& key : keys) {
        auto r = store::remote_applications(store_.db, key);
        if (!r) return std::unexpected(r.error());
        remote.insert(remote.end(), r->begin(), r->end());
      }
      auto role = store::sync_state(store_.db, "role");
      if (!role) return std::unexpected(role.error());
      my_station = std::move(*role);
    }
    // (moment, channel: 0 mailed / 1 electronic, station, receipt): smaller is earlier.
    using Rank = std::tuple<std::string, int, std::string, std::string>;
    std::string mine_at;
    for (const auto& e : others)
      if (e.id == envelope_id) mine_at = received_moment(e.received_date, e.created_at);
    const Rank mine{mine_at, 0, my_station, summary.receipt_no};
    std::optional<Rank> earliest;
    std::string earliest_name;
    bool earliest_electronic = false;
    auto consider = [&](Rank rank, std::string name, bool electronic_channel) {
      if (!(rank < mine) || (earliest && !(rank < *earliest))) return;
      earliest = std::move(rank);
      earliest_name = std::move(name);
      earliest_electronic = electronic_channel;
    };
    for (const auto& e : others) {
      if (e.id == envelope_id) continue;
      Rank rank{received_moment(e.received_date, e.created_at), 0, my_station, e.receipt_no};
      if (!(rank < mine) || (earliest && !(rank < *earliest))) continue;
      Values ov;
      for (const auto& [k, v] : e.values) ov[k].text = v;
      const Match om = match_application(ov, index, /*candidates=*/false);
      if (om.facility != match.facility) continue;
      consider(std::move(rank), e.receipt_no, false);
    }
    for (const auto& a : remote)
      consider(Rank{received_moment(a.received_date, a.registered_at), 0, a.station, a.receipt_no},
               a.receipt_no + "（受付端末 " + a.station + "）", false);
    if (electronic) {
      auto apps = electronic(match.facility->facility_id, match.facility->jigyosho_no);
      if (!apps) return std::unexpected(apps.error());
      for (const auto& a : *apps)
        consider(Rank{to_jst(a.received_at).value_or(a.received_at), 1, "", a.application_no}, a.application_no, true);
    }
    if (earliest)
      report.findings.push_back(
          duplicate_finding(values, earliest_name, earliest_electronic, std::get<0>(*earliest).substr(0, 16)));
  }
  // Not audited, like the field list it is computed from (Review::fields): it changes nothing.
  return report;
}

Result<int> Review::confirm_values(const User& actor, std::int64_t envelope_id, std::string_view json_text) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "confirm values"); !s)
    return std::unexpected(s.error());
  auto file = parse_values_file(json_text);
  if (!file) return std::unexpected(file.error());
  std::vector<store::ValueToConfirm> values;
  values.reserve(file->values.size());
  for (auto& v : file->values) values.push_back({v.key, v.value, v.boolean ? "boolean" : "text", v.boolean});
  std::lock_guard lock(store_.mu);
  if (auto sum = store::summary(store_.db, envelope_id); !sum) return std::unexpected(sum.error());
  // A value of a field under blind double entry, not yet decided, comes from its entries only.
  if (!double_entry_types_.empty()) {
    auto ids = store::field_ids(store_.db, envelope_id);
    if (!ids) return std::unexpected(ids.error());
    for (const auto id : *ids) {
      auto e = store::entry_field(store_.db, id);
      if (!e) return std::unexpected(e.error());
      if (e->confirmed || !double_entry::covers(double_entry_types_, e->type)) continue;
      if (std::any_of(values.begin(), values.end(), [&](const auto& v) { return v.key == e->key; }))
        return fail(ErrorCode::kConflict, "the values file sets a field under double entry",
                    "「" + std::string(recognition::label_of(e->key)) +
                        "」は二重入力（ブラインド入力）の対象のため、値のファイルでは確定できません。"
                        "この項目をファイルから除くか、「二重入力」の画面で入力してください。");
    }
  }
  if (auto s = store::confirm_values(store_.db, envelope_id, values, file->page_kinds, actor.id,
                                     store_.clock.jst_now_iso());
      !s)
    return std::unexpected(s.error());
  audit_.record(&actor, "values.confirm",
                "envelope:" + std::to_string(envelope_id) + " values:" + std::to_string(values.size()) +
                    (file->page_kinds ? " pages:" + std::to_string(file->page_kinds->size()) : ""));
  return static_cast<int>(values.size());
}

}  // namespace station::review
