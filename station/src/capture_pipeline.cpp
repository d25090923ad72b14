// Capture steps shared by import and scanning (see capture_pipeline.h).
#include "capture_pipeline.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "station/clock.h"
#include "station/lifecycle.h"
#include "pipeline.h"
#include "convert.h"
#include "station/store/envelopes.h"
#include "station/text.h"

namespace station::capture {

namespace {

Status add_flags(Store store, std::int64_t page_id, const std::vector<std::string>& add) {
  return edit_flags(store, page_id, [&](std::vector<std::string>& flags) {
    for (const auto& f : add)
      if (std::find(flags.begin(), flags.end(), f) == flags.end()) flags.push_back(f);
  });
}

}  // namespace

std::string_view color_mode_name(ocr::ColorMode mode) {
  switch (mode) {
    case ocr::ColorMode::kColor: return "color";
    case ocr::ColorMode::kGray: return "gray";
    case ocr::ColorMode::kBlackWhite: return "bw";
  }
  return "";
}

Result<ImportReport> register_envelope(Store store, std::int64_t clerk_id, const std::string& received_date,
                                       int enclosures, const std::string& source) {
  std::lock_guard lock(store.mu);
  auto reg = station::store::register_envelope(store.db, clerk_id, received_date, enclosures, source, store.clock.jst_now_iso());
  if (!reg) return std::unexpected(reg.error());
  ImportReport report;
  report.envelope_id = reg->id;
  report.receipt_no = std::move(reg->receipt_no);
  return report;
}

Result<std::int64_t> store_page(Store store, const NewPage& page) {
  auto blob = store.blobs.put(page.bytes);
  if (!blob) return unexpected_storage(blob.error());
  const ocr::Image& img = *page.image;
  std::lock_guard lock(store.mu);
  auto st = store.db.prepare(
      "INSERT INTO pages(envelope_id, seq, blob_id, source_name, source_page, media_type, width, height, dpi, "
      "dpi_from_file, kind, flags, color_mode) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!st) return unexpected_storage(st.error());
  st->bind(1, page.envelope_id).bind(2, std::int64_t{page.seq}).bind(3, *blob).bind(4, page.source_name);
  st->bind(5, std::int64_t{page.source_page}).bind(6, page.media_type).bind(7, std::int64_t{img.width()});
  st->bind(8, std::int64_t{img.height()}).bind(9, std::int64_t{img.dpi()});
  st->bind(10, std::int64_t{img.dpi_from_file() ? 1 : 0}).bind(11, page.kind).bind(12, join(page.flags, ","));
  st->bind(13, std::string(color_mode_name(img.color_mode())));
  if (auto r = st->run(); !r) return unexpected_storage(r.error());
  return store.db.last_insert_id();
}

void set_postmark_page(Store store, std::int64_t envelope_id, std::int64_t page_id) {
  std::lock_guard lock(store.mu);
  (void)station::store::set_postmark_page(store.db, envelope_id, page_id);
}

Status edit_flags(Store store, std::int64_t page_id, const std::function<void(std::vector<std::string>&)>& edit) {
  std::lock_guard lock(store.mu);
  auto sel = store.db.prepare("SELECT flags FROM pages WHERE id = ?");
  if (!sel) return unexpected_storage(sel.error());
  sel->bind(1, page_id);
  auto row = sel->step();
  if (!row) return unexpected_storage(row.error());
  if (!*row) return fail(ErrorCode::kNotFound, "no page " + std::to_string(page_id));
  std::vector<std::string> flags;
  for (auto& f : split(sel->column_text(0), ','))
    if (!f.empty()) flags.push_back(f);
  edit(flags);
  auto up = store.db.prepare("UPDATE pages SET flags = ? WHERE id = ?");
  if (!up) return unexpected_storage(up.error());
  up->bind(1, join(flags, ",")).bind(2, page_id);
  if (auto r = up->run(); !r) return unexpected_storage(r.error());
  return {};
}

Result<ContinuedEnvelope> find_envelope_to_continue(Store store, const std::string& receipt_no_or_id) {
  std::lock_guard lock(store.mu);
  const bool by_id = !receipt_no_or_id.empty() &&
                     std::all_of(receipt_no_or_id.begin(), receipt_no_or_id.end(), [](unsigned char c) { return std::isdigit(c); });
  Result<std::optional<station::store::Continuation>> found = std::optional<station::store::Continuation>{};
  if (by_id) {
    if (receipt_no_or_id.size() > 18) return fail(ErrorCode::kNotFound, "no such envelope id");
    found = station::store::continuation_by_id(store.db, static_cast<std::int64_t>(std::stoll(receipt_no_or_id)));
  } else {
    found = station::store::continuation_by_receipt_no(store.db, receipt_no_or_id);
  }
  if (!found) return std::unexpected(found.error());
  // The detail names neither the 受付番号 nor the id typed (only that it was not found).
  if (!*found) return fail(ErrorCode::kNotFound, "no envelope to continue with that receipt number or id");
  const station::store::Continuation& c = **found;
  ContinuedEnvelope e;
  e.id = c.id;
  e.receipt_no = c.receipt_no;
  const auto state = parse_state(c.status);
  if (!state || !lifecycle::next(*state, lifecycle::Event::kCaptureStarted))
    return fail(ErrorCode::kConflict, "envelope " + std::to_string(e.id) + " is " + c.status +
                                          ": only an interrupted envelope, or one not yet read, takes more pages");
  e.last_seq = c.last_seq;
  e.content_pages = c.content_pages;
  return e;
}

int content_page_count(Store store, std::int64_t envelope_id) {
  std::lock_guard lock(store.mu);
  auto st = store.db.prepare("SELECT count(*) FROM pages WHERE envelope_id = ? AND kind <> 'separator'");
  if (!st) return 0;
  st->bind(1, envelope_id);
  auto row = st->step();
  return row && *row ? static_cast<int>(st->column_int(0)) : 0;
}

Status set_enclosures(Store store, std::int64_t envelope_id, int enclosures) {
  std::lock_guard lock(store.mu);
  return station::store::set_enclosures(store.db, envelope_id, enclosures);
}

void count_flags(Store store, const std::vector<std::int64_t>& envelope_ids, int& blank_pages, int& flagged_pages) {
  blank_pages = 0;
  flagged_pages = 0;
  std::lock_guard lock(store.mu);
  auto st = store.db.prepare(
      "SELECT (SELECT count(*) FROM pages p WHERE p.envelope_id = ?1 AND p.blank = 1 "
      "   AND instr(',' || p.flags || ',', ',blank_confirmed,') = 0), "
      "(SELECT count(*) FROM pages p WHERE p.envelope_id = ?1 AND p.flags <> '')");
  if (!st) return;
  for (auto id : envelope_ids) {
    (void)st->reset();
    st->bind(1, id);
    auto row = st->step();
    if (!row || !*row) continue;
    blank_pages += static_cast<int>(st->column_int(0));
    flagged_pages += static_cast<int>(st->column_int(1));
  }
}

Status clean_page(Store store, std::int64_t page_id, const ocr::Image& original, const ocr::CleanupOptions& options) {
  auto r = pipeline::cleanup(original, options);
  if (!r) return std::unexpected(r.error());
  auto blob = store.blobs.put(r->bytes);
  if (!blob) return unexpected_storage(blob.error());
  {
    std::lock_guard lock(store.mu);
    auto st = store.db.prepare(
        "UPDATE pages SET clean_blob_id = ?, skew = ?, orientation_confidence = ?, blank = ?, clean_turns = ? "
        "WHERE id = ?");
    if (!st) return unexpected_storage(st.error());
    st->bind(1, *blob).bind(2, r->skew_degrees).bind(3, r->orientation_confidence);
    st->bind(4, std::int64_t{r->blank ? 1 : 0}).bind(5, std::int64_t{r->quarter_turns}).bind(6, page_id);
    if (auto u = st->run(); !u) return unexpected_storage(u.error());
  }
  if (!r->flags.empty()) return add_flags(store, page_id, r->flags);
  return {};
}

CleanupPool::CleanupPool(Store store, ocr::CleanupOptions options, int workers, std::size_t max_queue)
    : store_(store), options_(std::move(options)), max_queue_(std::max<std::size_t>(1, max_queue)) {
  for (int i = 0; i < std::max(1, workers); ++i) threads_.emplace_back([this] { run(); });
}

CleanupPool::~CleanupPool() { finish(); }

void CleanupPool::submit(std::int64_t page_id, ocr::Image image) {
  std::unique_lock lock(m_);
  space_.wait(lock, [&] { return queue_.size() < max_queue_; });
  queue_.emplace_back(page_id, std::move(image));
  cv_.notify_one();
}

void CleanupPool::finish() {
  {
    std::lock_guard lock(m_);
    if (done_ && threads_.empty()) return;
    done_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

int CleanupPool::failures() const {
  std::lock_guard lock(m_);
  return failures_;
}

void CleanupPool::run() {
  for (;;) {
    std::pair<std::int64_t, ocr::Image> job;
    {
      std::unique_lock lock(m_);
      cv_.wait(lock, [&] { return done_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      space_.notify_one();
    }
    if (auto s = clean_page(store_, job.first, job.second, options_); !s) {
      (void)add_flags(store_, job.first, {"cleanup_failed"});
      std::lock_guard lock(m_);
      ++failures_;
    }
  }
}

CaptureProgress RateMeter::at(int pages, int envelopes) const {
  CaptureProgress p;
  p.pages = pages;
  p.envelopes = envelopes;
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  p.pages_per_minute = p.seconds > 0.05 ? pages * 60.0 / p.seconds : 0.0;
  return p;
}

std::string scanner_problem_ja(const scanner::Error& error, int pages_kept) {
  const std::string kept = "（ここまでの " + std::to_string(pages_kept) + " ページは保存済みです）";
  using C = scanner::Code;
  switch (error.code) {
    case C::kJammed:
      return "紙詰まりが起きました" + kept + "。詰まった用紙を取り除き、まだ読み取られていない用紙をセットし直して続きを読み取ってください。";
    case C::kCoverOpen:
      return "スキャナーのカバーが開いています" + kept + "。カバーを閉じて、続きを読み取ってください。";
    case C::kFeederEmpty:
      return "給紙トレイに原稿がありません。原稿をセットしてから読み取ってください。";
    case C::kNoDevice:
      return "スキャナーが見つかりません" + kept + "。電源とUSBケーブルを確認してください。";
    case C::kBusy: return "スキャナーは他のプログラムが使用中です。しばらく待ってからやり直してください。";
    case C::kIo:
      return "スキャナーとの通信に失敗しました" + kept + "。ケーブルを確認し、読み取られていない用紙から続けてください。";
    case C::kCancelled: return "読み取りを中止しました" + kept + "。";
    case C::kUnsupported:
    case C::kInvalid: return "スキャナーがこの設定（原稿台・カラー・解像度）に対応していません。設定を変えてやり直してください。";
  }
  return "スキャナーで問題が起きました" + kept + "。";
}

}  // namespace station::capture
