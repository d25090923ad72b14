// Capture steps shared by import and scanning (see steps.h).
#include "station/capture/steps.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "station/clock.h"
#include "station/lifecycle.h"
#include "station/recognition/pipeline.h"
#include "station/recognition/ocr_error.h"
#include "station/store/error.h"
#include "station/store/envelopes.h"
#include "station/store/pages.h"
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
  auto reg =
      station::store::register_envelope(store.db, clerk_id, received_date, enclosures, source, store.clock.jst_now_iso());
  if (!reg) return std::unexpected(reg.error());
  ImportReport report;
  report.envelope_id = reg->id;
  report.receipt_no = std::move(reg->receipt_no);
  return report;
}

Result<std::int64_t> store_page(Store store, const NewPage& page) {
  auto blob = store.blobs.put(page.bytes);
  if (!blob) return station::store::unexpected_storage(blob.error());
  const ocr::Image& img = *page.image;
  station::store::NewPage row;
  row.envelope_id = page.envelope_id;
  row.seq = page.seq;
  row.blob_id = *blob;
  row.source_name = page.source_name;
  row.source_page = page.source_page;
  row.media_type = page.media_type;
  row.width = img.width();
  row.height = img.height();
  row.dpi = img.dpi();
  row.dpi_from_file = img.dpi_from_file();
  row.kind = page.kind;
  row.flags = page.flags;
  row.color_mode = std::string(color_mode_name(img.color_mode()));
  std::lock_guard lock(store.mu);
  return station::store::insert_page(store.db, row);
}

void set_postmark_page(Store store, std::int64_t envelope_id, std::int64_t page_id) {
  std::lock_guard lock(store.mu);
  (void)station::store::set_postmark_page(store.db, envelope_id, page_id);
}

Status edit_flags(Store store, std::int64_t page_id, const std::function<void(std::vector<std::string>&)>& edit) {
  std::lock_guard lock(store.mu);
  auto flags = station::store::flags(store.db, page_id);
  if (!flags) return std::unexpected(flags.error());
  edit(*flags);
  return station::store::set_flags(store.db, page_id, *flags);
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
  return station::store::content_page_count(store.db, envelope_id).value_or(0);
}

Status set_enclosures(Store store, std::int64_t envelope_id, int enclosures) {
  std::lock_guard lock(store.mu);
  return station::store::set_enclosures(store.db, envelope_id, enclosures);
}

void count_flags(Store store, const std::vector<std::int64_t>& envelope_ids, int& blank_pages, int& flagged_pages) {
  std::lock_guard lock(store.mu);
  const auto counts = station::store::flag_counts(store.db, envelope_ids).value_or(station::store::FlagCounts{});
  blank_pages = counts.blank_pages;
  flagged_pages = counts.flagged_pages;
}

Status clean_page(Store store, std::int64_t page_id, const ocr::Image& original, const ocr::CleanupOptions& options) {
  auto r = recognition::pipeline::cleanup(original, options);
  if (!r) return std::unexpected(r.error());
  auto blob = store.blobs.put(r->bytes);
  if (!blob) return station::store::unexpected_storage(blob.error());
  {
    std::lock_guard lock(store.mu);
    const station::store::Cleaned cleaned{*blob, r->skew_degrees, r->orientation_confidence, r->blank, r->quarter_turns};
    if (auto u = station::store::set_cleaned(store.db, page_id, cleaned); !u) return u;
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
  // Any elapsed time gives a rate: a short run is still a run (a clamp at 50 ms read a fast jammed
  // scan as 0 pages/min).
  p.pages_per_minute = p.seconds > 0 && pages > 0 ? pages * 60.0 / p.seconds : 0.0;
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
