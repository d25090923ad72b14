// Intake page operations (issue #17): the clerk turns a page, puts an envelope's pages in order or
// moves a page to another envelope, while the envelope is still the intake's. The SQL is
// station_store's (pages.h, fields.h); the envelopes touched are read again.
#include <algorithm>
#include <set>
#include <string>

#include "station/access.h"
#include "station/lifecycle.h"
#include "station/store/envelopes.h"
#include "station/store/fields.h"
#include "station/store/pages.h"
#include "station/store/transaction.h"
#include "station_impl.h"

namespace station {
namespace {

// Whether the envelope's pages may still change; the refusal says why and what to do. Under mu.
Status pages_changeable(storage::Database& db, std::int64_t envelope_id) {
  auto state = store::state_of(db, envelope_id);
  if (!state) return std::unexpected(state.error());
  switch (*state) {
    case EnvelopeState::kCapturing:
    case EnvelopeState::kRecognizing:
      return fail(ErrorCode::kConflict, "envelope " + std::to_string(envelope_id) + " is being captured or read",
                  "この封筒は取り込み中または文字認識中です。終わってからもう一度操作してください。");
    case EnvelopeState::kInterrupted:
    case EnvelopeState::kCaptured:
    case EnvelopeState::kRecognized:
    case EnvelopeState::kRecognitionFailed:
      break;
    default:
      return fail(ErrorCode::kConflict, "envelope " + std::to_string(envelope_id) + " is past the intake",
                  "この封筒は内容の確認または審査が済んでいるため、ページを変更できません。変更が必要なら審査担当に相談してください。");
  }
  auto confirmed = store::confirmed_count(db, envelope_id);
  if (!confirmed) return std::unexpected(confirmed.error());
  if (*confirmed > 0)
    return fail(ErrorCode::kConflict, "envelope " + std::to_string(envelope_id) + " has confirmed values",
                "この封筒は審査担当が内容の確認を始めているため、ページを変更できません。変更が必要なら審査担当に相談してください。");
  return {};
}

Result<std::int64_t> envelope_of_page(storage::Database& db, std::int64_t page_id) {
  auto env = store::envelope_of(db, page_id);
  if (!env) return std::unexpected(env.error());
  if (!*env)
    return fail(ErrorCode::kNotFound, "no such page", "そのページは見つかりません。画面を開き直してください。");
  return **env;
}

// The envelopes whose pages changed lose their values as read (in the caller's transaction) and,
// after it, are queued to be read again; an interrupted one waits for its capture to go on.
Status requeue(std::recursive_mutex& mu, storage::Database& db, recognition::Service& reader, const Config& config,
               const std::set<std::int64_t>& envelopes) {
  for (const auto id : envelopes) {
    EnvelopeState state;
    {
      std::lock_guard lock(mu);
      auto s = store::state_of(db, id);
      if (!s) return std::unexpected(s.error());
      state = *s;
    }
    if (state == EnvelopeState::kInterrupted) continue;
    if (state == EnvelopeState::kCaptured && !config.recognize_on_capture) continue;
    if (auto q = reader.queue(id); !q) return q;
  }
  return {};
}

}  // namespace

Status Station::rotate_page(const User& actor, std::int64_t page_id, int degrees) {
  if (auto s = require(actor, {Role::kClerk, Role::kSupervisor}, "turn pages"); !s) return s;
  if (degrees != 90 && degrees != 180 && degrees != 270)
    return fail(ErrorCode::kInvalidInput, "degrees must be 90, 180 or 270",
                "回転は 90 度・180 度・270 度のどれかを選んでください。");
  std::int64_t envelope_id = 0;
  int turn = 0;
  {
    std::lock_guard lock(impl_->mu);
    auto env = envelope_of_page(impl_->db, page_id);
    if (!env) return std::unexpected(env.error());
    envelope_id = *env;
    auto s = store::transaction(impl_->db, [&]() -> Status {
      if (auto ok = pages_changeable(impl_->db, envelope_id); !ok) return ok;
      auto old = store::turn_of(impl_->db, page_id);
      if (!old) return std::unexpected(old.error());
      turn = (*old + degrees) % 360;
      if (auto r = store::set_turn(impl_->db, page_id, turn); !r) return r;
      return store::drop_suggestions(impl_->db, envelope_id);
    });
    if (!s) return s;
  }
  impl_->audit(&actor, "page.rotate",
               "page:" + std::to_string(page_id) + " envelope:" + std::to_string(envelope_id) + " degrees:" +
                   std::to_string(degrees) + " turn:" + std::to_string(turn));
  return requeue(impl_->mu, impl_->db, *impl_->reader, impl_->config, {envelope_id});
}

Status Station::reorder_pages(const User& actor, std::int64_t envelope_id, const std::vector<std::int64_t>& page_ids) {
  if (auto s = require(actor, {Role::kClerk, Role::kSupervisor}, "reorder pages"); !s) return s;
  {
    std::lock_guard lock(impl_->mu);
    auto s = store::transaction(impl_->db, [&]() -> Status {
      if (auto ok = pages_changeable(impl_->db, envelope_id); !ok) return ok;
      if (auto r = store::reorder_pages(impl_->db, envelope_id, page_ids); !r) return r;
      return store::drop_suggestions(impl_->db, envelope_id);
    });
    if (!s) return s;
  }
  impl_->audit(&actor, "envelope.reorder_pages",
               "envelope:" + std::to_string(envelope_id) + " pages:" + std::to_string(page_ids.size()));
  return requeue(impl_->mu, impl_->db, *impl_->reader, impl_->config, {envelope_id});
}

Status Station::move_page(const User& actor, std::int64_t page_id, std::int64_t to_envelope_id) {
  if (auto s = require(actor, {Role::kClerk, Role::kSupervisor}, "move pages"); !s) return s;
  std::int64_t from = 0;
  {
    std::lock_guard lock(impl_->mu);
    auto env = envelope_of_page(impl_->db, page_id);
    if (!env) return std::unexpected(env.error());
    from = *env;
    if (from == to_envelope_id)
      return fail(ErrorCode::kInvalidInput, "the page is already in that envelope",
                  "このページはすでにその封筒にあります。移動先に別の受付番号を選んでください。");
    auto s = store::transaction(impl_->db, [&]() -> Status {
      if (auto ok = pages_changeable(impl_->db, from); !ok) return ok;
      if (auto ok = pages_changeable(impl_->db, to_envelope_id); !ok) return ok;
      if (auto r = store::move_page(impl_->db, page_id, from, to_envelope_id); !r) return r;
      if (auto r = store::drop_suggestions(impl_->db, from); !r) return r;
      return store::drop_suggestions(impl_->db, to_envelope_id);
    });
    if (!s) return s;
  }
  impl_->audit(&actor, "page.move",
               "page:" + std::to_string(page_id) + " from:envelope:" + std::to_string(from) +
                   " to:envelope:" + std::to_string(to_envelope_id));
  return requeue(impl_->mu, impl_->db, *impl_->reader, impl_->config, {from, to_envelope_id});
}

}  // namespace station
