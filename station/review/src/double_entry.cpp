// Blind double entry on the store (double_entry.h).
#include "station/review/double_entry.h"

#include <algorithm>
#include <mutex>

#include "station/access.h"
#include "station/lifecycle.h"
#include "station/recognition/forms.h"
#include "station/store/entries.h"
#include "station/store/envelopes.h"
#include "station/text.h"

namespace station::review {
namespace {

using double_entry::Event;
using double_entry::Round;
using double_entry::State;

constexpr const char* kRefreshJa = "一覧を更新してから続けてください。";

double_entry::EntryTask task_of(const store::EntryField& f) {
  double_entry::EntryTask t;
  t.field_id = f.field_id;
  t.envelope_id = f.envelope_id;
  t.receipt_no = f.receipt_no;
  t.key = f.key;
  t.label_ja = std::string(recognition::label_of(f.key));
  t.type = f.type;
  t.page_id = f.page_id;
  t.box = f.box;
  t.state = f.state;
  t.round = static_cast<int>(double_entry::round_in(f.state).value_or(Round::kAdjudication));
  return t;
}

bool keyed(const store::EntryField& f, std::int64_t user_id) {
  return std::find(f.keyers.begin(), f.keyers.end(), user_id) != f.keyers.end();
}

std::string subject(const store::EntryField& f) {
  return "envelope:" + std::to_string(f.envelope_id) + " field:" + f.key;
}

// The field, when `actor` may decide it: a reviewer or supervisor who keyed neither entry, the
// field disputed. The caller holds the store's lock.
Result<store::EntryField> disputed_field(store::Context& store, const User& actor, std::int64_t field_id) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "decide disputed entries"); !s)
    return std::unexpected(s.error());
  auto f = store::entry_field(store.db, field_id);
  if (!f) return std::unexpected(f.error());
  if (f->state != State::kDisputed)
    return fail(ErrorCode::kConflict, "the field is not disputed",
                "この項目は判定待ちではありません（" + std::string(double_entry::state_label_ja(f->state)) + "）。" +
                    kRefreshJa);
  if (keyed(*f, actor.id))
    return fail(ErrorCode::kForbidden, "a keyer may not decide",
                "この項目を入力した方は判定できません。入力していない審査担当または監督の方が判定してください。");
  return f;
}

}  // namespace

Result<std::vector<double_entry::EntryTask>> DoubleEntry::tasks(const User& actor, double_entry::Queue queue) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "key values blind"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(store_.mu);
  auto fields = store::open_entry_fields(store_.db, types_);
  if (!fields) return std::unexpected(fields.error());
  std::vector<double_entry::EntryTask> out;
  for (const auto& f : *fields) {
    const bool mine = queue == double_entry::Queue::kToKey
                          ? (f.state == State::kAwaitingFirst || f.state == State::kAwaitingSecond) && !keyed(f, actor.id)
                          : f.state == State::kDisputed && !keyed(f, actor.id);
    if (mine) out.push_back(task_of(f));
  }
  return out;
}

Result<double_entry::EntryOutcome> DoubleEntry::submit(const User& actor, std::int64_t field_id, int round,
                                                       std::string_view value) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "key values blind"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(store_.mu);
  auto f = store::entry_field(store_.db, field_id);
  if (!f) return std::unexpected(f.error());
  if (!double_entry::covers(types_, f->type))
    return fail(ErrorCode::kConflict, "the field is not under double entry",
                "この項目は二重入力の対象ではありません。確認の画面で原本と見比べて確定してください。");
  if (f->confirmed || f->state == State::kDecided)
    return fail(ErrorCode::kConflict, "the field is confirmed already", "この項目はすでに確定しています。" + std::string(kRefreshJa));
  if (f->state == State::kDisputed)
    return fail(ErrorCode::kConflict, "the field is disputed",
                "この項目は2人の入力が食い違ったため、判定を待っています。入力していない審査担当または監督の方が判定します。");
  const Round expected = *double_entry::round_in(f->state);
  if (round != static_cast<int>(expected))
    return fail(ErrorCode::kConflict, "wrong round",
                "この項目は今「" + std::string(double_entry::state_label_ja(f->state)) + "」です（" +
                    std::string(double_entry::round_label_ja(expected)) + "の入力を受け付けます）。" + kRefreshJa);
  if (keyed(*f, actor.id))
    return fail(ErrorCode::kConflict, "the same user keyed the first entry",
                "1人目として入力した方は、2人目の入力はできません。別の審査担当または監督の方が入力してください。");
  auto state = store::state_of(store_.db, f->envelope_id);
  if (!state) return std::unexpected(state.error());
  if (lifecycle::values_frozen(*state))
    return fail(ErrorCode::kConflict, "the envelope's values are frozen",
                "この申請は「" + std::string(state_label_ja(*state)) + "」のため、値を入力できません。");
  auto normalised = normalise_field_value(f->key, value);
  if (!normalised) return std::unexpected(normalised.error());

  store::EntryWrite w;
  w.field_id = f->field_id;
  w.envelope_id = f->envelope_id;
  w.user_id = actor.id;
  w.round = expected;
  w.value = *normalised;
  w.at = store_.clock.jst_now_iso();
  w.from = f->state;
  Event event = Event::kFirstEntry;
  if (expected == Round::kSecond) {
    auto all = store::entries(store_.db, field_id);
    if (!all) return std::unexpected(all.error());
    const auto first = std::find_if(all->begin(), all->end(), [](const auto& e) { return e.round == 1; });
    if (first == all->end()) return fail(ErrorCode::kInternal, "a second entry without a first");
    event = first->value == *normalised ? Event::kSecondAgrees : Event::kSecondDiffers;
  }
  auto to = double_entry::next(f->state, event);
  if (!to) return fail(ErrorCode::kInternal, "the entry table has no such step");
  w.to = *to;
  if (*to == State::kDecided) w.confirm_value = *normalised;
  if (auto s = store::record_entry(store_.db, w); !s) return std::unexpected(s.error());

  const std::string subj = subject(*f) + " round:" + std::to_string(static_cast<int>(expected));
  if (event == Event::kFirstEntry) audit_.record(&actor, "entry.first", subj);
  if (event == Event::kSecondDiffers) audit_.record(&actor, "entry.disputed", subj);
  if (event == Event::kSecondAgrees) {
    audit_.record(&actor, "entry.agreed", subj);
    audit_.record(&actor, *normalised != f->read_value ? "field.correct" : "field.confirm", subject(*f));
  }
  double_entry::EntryOutcome out{f->field_id, *to, *to == State::kDecided, ""};
  if (out.confirmed) out.value = *normalised;
  return out;
}

Result<double_entry::Dispute> DoubleEntry::dispute(const User& actor, std::int64_t field_id) {
  std::lock_guard lock(store_.mu);
  auto f = disputed_field(store_, actor, field_id);
  if (!f) return std::unexpected(f.error());
  auto all = store::entries(store_.db, field_id);
  if (!all) return std::unexpected(all.error());
  return double_entry::Dispute{task_of(*f), std::move(*all)};
}

Result<double_entry::EntryOutcome> DoubleEntry::decide(const User& actor, std::int64_t field_id,
                                                       std::string_view value) {
  std::lock_guard lock(store_.mu);
  auto f = disputed_field(store_, actor, field_id);
  if (!f) return std::unexpected(f.error());
  auto normalised = normalise_field_value(f->key, value);
  if (!normalised) return std::unexpected(normalised.error());
  auto to = double_entry::next(f->state, Event::kAdjudicated);
  if (!to) return fail(ErrorCode::kConflict, "the field is not disputed", "この項目は判定待ちではありません。" + std::string(kRefreshJa));
  store::EntryWrite w;
  w.field_id = f->field_id;
  w.envelope_id = f->envelope_id;
  w.user_id = actor.id;
  w.round = Round::kAdjudication;
  w.value = *normalised;
  w.at = store_.clock.jst_now_iso();
  w.from = f->state;
  w.to = *to;
  w.confirm_value = *normalised;
  if (auto s = store::record_entry(store_.db, w); !s) return std::unexpected(s.error());
  audit_.record(&actor, "entry.adjudicate", subject(*f) + " round:3");
  audit_.record(&actor, *normalised != f->read_value ? "field.correct" : "field.confirm", subject(*f));
  return double_entry::EntryOutcome{f->field_id, *to, true, *normalised};
}

}  // namespace station::review
