// Review: the fields reviewers confirm or correct, and loading the facility list.
#include "station/review/review.h"

#include <mutex>
#include <string>

#include "station/access.h"
#include "station/files.h"
#include "station/recognition/forms.h"
#include "station/review/conversions.h"
#include "station/review/facilities.h"
#include "station/store/facilities.h"
#include "station/store/fields.h"
#include "station/text.h"

namespace station::review {

Result<FieldInfo> Review::load_field(std::int64_t field_id) {
  auto f = store::field(store_.db, field_id);
  if (!f) return f;
  f->label_ja = std::string(recognition::label_of(f->key));
  f->needs_attention =
      f->status != FieldStatus::kConfirmed &&
      (f->confidence < confidence_threshold_ || f->value.empty() || f->value.find('?') != std::string::npos);
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
  if (auto s = store::replace_facilities(store_.db, *list); !s) return std::unexpected(s.error());
  audit_.record(&actor, "facilities.load", "rows:" + std::to_string(list->size()));
  return static_cast<int>(list->size());
}

Result<int> Review::facility_count() {
  std::lock_guard lock(store_.mu);
  return store::facility_count(store_.db);
}

}  // namespace station::review
