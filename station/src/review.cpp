// Review: envelopes, pages and fields as reviewers see them; confirming values (the fields and
// their confirmation are station_review's: station/review/review.h).
#include "station/review/review.h"
#include "station/store/envelopes.h"
#include "station/store/fields.h"
#include "station/store/pages.h"
#include "station_impl.h"

namespace station {

Result<std::vector<EnvelopeSummary>> Station::list_envelopes(const User& actor) {
  (void)actor;  // every role may see the list of envelopes (no personal values in it)
  std::lock_guard lock(impl_->mu);
  auto ids = store::all_ids(impl_->db);
  if (!ids) return std::unexpected(ids.error());
  std::vector<EnvelopeSummary> out;
  for (auto id : *ids) {
    auto e = impl_->load_envelope(id);
    if (!e) return std::unexpected(e.error());
    out.push_back(std::move(*e));
  }
  return out;
}

Result<EnvelopeSummary> Station::envelope(const User& actor, std::int64_t envelope_id) {
  (void)actor;
  std::lock_guard lock(impl_->mu);
  return impl_->load_envelope(envelope_id);
}

Result<std::vector<PageInfo>> Station::pages(const User& actor, std::int64_t envelope_id) {
  (void)actor;
  std::lock_guard lock(impl_->mu);
  return store::list_pages(impl_->db, envelope_id);
}

Result<std::vector<FieldInfo>> Station::fields(const User& actor, std::int64_t envelope_id) {
  auto out = review::Review(impl_->store(), *impl_, impl_->config.confidence_threshold, impl_->config.double_entry_types).fields(actor, envelope_id);
  if (out) impl_->record_view(actor, envelope_id, "fields");
  return out;
}

Result<FieldInfo> Station::field(const User& actor, std::int64_t field_id) {
  auto out = review::Review(impl_->store(), *impl_, impl_->config.confidence_threshold, impl_->config.double_entry_types).field(actor, field_id);
  if (out) impl_->record_view(actor, out->envelope_id, "fields");
  return out;
}

Result<std::vector<unsigned char>> Station::field_crop_png(const User& actor, std::int64_t field_id) {
  auto f = field(actor, field_id);
  if (!f) return std::unexpected(f.error());
  if (f->page_id == 0) return fail(ErrorCode::kNotFound, "the field has no page");
  impl_->record_view(actor, f->envelope_id, "crop");
  auto page = impl_->load_page(f->page_id);
  if (!page) return std::unexpected(page.error());
  const int margin = std::max(8, f->box.h / 2);
  ocr::Box b{f->box.x - margin, f->box.y - margin, f->box.w + 2 * margin, f->box.h + 2 * margin};
  auto png = page->crop(b).encode_png();
  if (!png) return unexpected_ocr(png.error());
  return std::move(*png);
}

namespace {

// Least privilege (docs/security.md, "Page images by role"): reviewers and supervisors review
// against the originals and see every page; a clerk sees the pages flagged blank (the blank-page
// check after a capture) and, as thumbnails of at most kClerkThumbnailWidth, the pages of an
// envelope still in the intake (no value confirmed by a reviewer, not in review or decided) so
// pages can be checked, turned, put in order and moved (issue #17); an administrator none. The
// page's envelope, and the stored page when `stored` is given; `thumbnail_only` tells whether the
// actor may see it only small. Takes the store's lock.
constexpr int kClerkThumbnailWidth = 400;

Result<std::int64_t> page_access(storage::Database& db, std::recursive_mutex& mu, const User& actor,
                                 std::int64_t page_id, store::StoredPage* stored = nullptr,
                                 bool* thumbnail_only = nullptr) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "see pages"); !s)
    return std::unexpected(s.error());
  std::lock_guard lock(mu);
  auto env = store::envelope_of(db, page_id);
  if (!env) return std::unexpected(env.error());
  if (!*env) return fail(ErrorCode::kNotFound, "no such page");
  const std::int64_t envelope_id = **env;
  if (thumbnail_only != nullptr) *thumbnail_only = false;
  if (actor.role == Role::kClerk) {
    auto list = store::list_pages(db, envelope_id);
    if (!list) return std::unexpected(list.error());
    const auto it = std::find_if(list->begin(), list->end(), [&](const PageInfo& p) { return p.id == page_id; });
    const bool blank = it != list->end() && std::any_of(it->flags.begin(), it->flags.end(), [](const std::string& f) {
                         return f == "blank" || f == "blank_confirmed";
                       });
    if (!blank) {
      auto state = store::state_of(db, envelope_id);
      if (!state) return std::unexpected(state.error());
      auto confirmed = store::confirmed_count(db, envelope_id);
      if (!confirmed) return std::unexpected(confirmed.error());
      const bool intake = (*state == EnvelopeState::kCapturing || *state == EnvelopeState::kInterrupted ||
                           *state == EnvelopeState::kCaptured || *state == EnvelopeState::kRecognizing ||
                           *state == EnvelopeState::kRecognized || *state == EnvelopeState::kRecognitionFailed) &&
                          *confirmed == 0;
      if (!intake)
        return fail(ErrorCode::kForbidden, "a clerk sees only pages flagged blank and pages still in the intake",
                    "受付担当の方が見られるのは受付中の封筒のページと白紙の可能性があるページだけです。内容の確認は審査担当に依頼してください。");
      if (thumbnail_only != nullptr) *thumbnail_only = true;
    }
  }
  if (stored != nullptr) {
    auto p = store::stored_page(db, page_id);
    if (!p) return std::unexpected(p.error());
    *stored = std::move(*p);
  }
  return envelope_id;
}

int shown_width(bool thumbnail_only, int max_width) {
  if (!thumbnail_only) return max_width;
  return max_width <= 0 ? kClerkThumbnailWidth : std::min(max_width, kClerkThumbnailWidth);
}

std::string page_version_of(const store::StoredPage& p) {
  return station::page_version_of(p.blob_id, p.clean_blob_id, p.rotation, p.turn);
}

}  // namespace

Result<std::vector<unsigned char>> Station::page_png(const User& actor, std::int64_t page_id, int max_width) {
  bool thumbnail_only = false;
  auto envelope_id = page_access(impl_->db, impl_->mu, actor, page_id, nullptr, &thumbnail_only);
  if (!envelope_id) return std::unexpected(envelope_id.error());
  max_width = shown_width(thumbnail_only, max_width);
  impl_->record_view(actor, *envelope_id, "page");
  auto page = impl_->load_page(page_id);
  if (!page) return std::unexpected(page.error());
  ocr::Image shown = *page;
  if (max_width > 0 && shown.width() > max_width) shown = shown.shown_at_width(max_width);
  auto png = shown.encode_png();
  if (!png) return unexpected_ocr(png.error());
  return std::move(*png);
}

Result<std::string> Station::page_version(const User& actor, std::int64_t page_id) {
  store::StoredPage stored;
  auto envelope_id = page_access(impl_->db, impl_->mu, actor, page_id, &stored);
  if (!envelope_id) return std::unexpected(envelope_id.error());
  return page_version_of(stored);
}

Result<Station::PageRendition> Station::page_rendition(const User& actor, std::int64_t page_id, int max_width) {
  store::StoredPage stored;
  bool thumbnail_only = false;
  auto envelope_id = page_access(impl_->db, impl_->mu, actor, page_id, &stored, &thumbnail_only);
  if (!envelope_id) return std::unexpected(envelope_id.error());
  max_width = shown_width(thumbnail_only, max_width);
  impl_->record_view(actor, *envelope_id, "page");
  const std::string version = page_version_of(stored);
  if (auto hit = impl_->renditions.find(page_id, max_width, version))
    return PageRendition{hit->bytes, "image/jpeg", hit->version, hit->width, hit->height};
  // Decoded and encoded without the store's lock (a second request for the same page meanwhile
  // encodes it too; the last insert stays).
  auto page = impl_->load_page(page_id);
  if (!page) return std::unexpected(page.error());
  auto entry = impl_->keep_rendition(page_id, version, *page, max_width);
  if (!entry) return std::unexpected(entry.error());
  return PageRendition{entry->bytes, "image/jpeg", version, entry->width, entry->height};
}

Result<FieldInfo> Station::confirm_field(const User& actor, std::int64_t field_id, std::string_view value) {
  return review::Review(impl_->store(), *impl_, impl_->config.confidence_threshold, impl_->config.double_entry_types)
      .confirm(actor, field_id, value);
}

}  // namespace station
