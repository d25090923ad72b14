// Recognition through the store (service.h).
#include "station/recognition/service.h"

#include <cstdio>
#include <map>
#include <utility>

#include "station/lifecycle.h"
#include "station/recognition/ocr_error.h"
#include "station/recognition/pipeline.h"
#include "station/recognition/reading_json.h"
#include "station/recognition/recognize.h"
#include "station/store/envelopes.h"
#include "station/store/facilities.h"
#include "station/store/error.h"
#include "station/store/fields.h"
#include "station/store/pages.h"
#include "station/store/transaction.h"

namespace station::recognition {

namespace {

using nlohmann::json;
using store::StoredPage;

// The load_cleaned stage over the store: the cleaned copy made on arrival when there is one,
// else (or if that copy is missing) the original, with the page's recorded resolution. A cleaned
// copy that fails its check is reported as corruption, never papered over.
Result<ocr::Image> load_stored(storage::BlobStore& blobs, const StoredPage& p, const Config& config) {
  auto bytes = p.clean_blob_id.empty() ? blobs.get(p.blob_id) : blobs.get(p.clean_blob_id);
  if (!bytes && !p.clean_blob_id.empty() && bytes.error().code == storage::Code::kNotFound) bytes = blobs.get(p.blob_id);
  if (!bytes) return store::unexpected_storage(bytes.error());
  auto img = pipeline::load_cleaned(*bytes, p.dpi, p.dpi_from_file, pipeline::decode_limits(config));
  // The clerk's turn (issue #17) comes first: recognition reads the page as the clerk set it.
  if (img && p.turn % 360 != 0) return img->rotated(p.turn / 90 % 4);
  return img;
}

}  // namespace

EngineFactory tesseract_engine_factory(const Config& config) {
  ocr::TesseractOptions o;
  o.tessdata_dir = config.tessdata_dir;
  o.languages = config.ocr_languages;
  return [o]() -> Result<std::unique_ptr<ocr::Engine>> {
    auto e = ocr::make_tesseract_engine(o);
    if (!e) return unexpected_ocr(e.error());
    return std::move(*e);
  };
}

Service::Service(store::Context store, AuditTrail& audit, const Config& config, EngineFactory make_engine)
    : store_(store), audit_(audit), config_(config), make_engine_(std::move(make_engine)) {}

Service::~Service() {
  if (pool_) pool_->stop();
}

Result<ocr::Image> Service::load_page(std::int64_t page_id, int* rotation_out) {
  StoredPage p;
  {
    std::lock_guard lock(store_.mu);
    auto found = store::stored_page(store_.db, page_id);
    if (!found) return std::unexpected(found.error());
    p = std::move(*found);
  }
  auto img = load_stored(store_.blobs, p, config_);
  if (!img) return std::unexpected(img.error());
  if (rotation_out != nullptr) *rotation_out = p.rotation;
  return img->rotated(p.rotation / 90 % 4);
}

Result<std::shared_ptr<const Lexicon>> Service::lexicon() {
  std::lock_guard lock(store_.mu);
  auto version = store::facility_list_version(store_.db);
  if (!version) return std::unexpected(version.error());
  const std::int64_t v = *version ? (*version)->version : 0;
  std::lock_guard held(lexicon_mu_);
  if (lexicon_ && lexicon_version_ == v) return lexicon_;
  auto rows = store::all_facilities(store_.db);
  if (!rows) return std::unexpected(rows.error());
  std::vector<std::string> names, corporations, addresses, numbers;
  std::vector<ListedAmount> amounts;
  for (const store::Facility& f : *rows) {
    numbers.push_back(f.jigyosho_no);
    amounts.push_back({f.service_type, f.capacity, f.amount});
    names.push_back(f.name);
    corporations.push_back(f.corp_name);
    addresses.push_back(f.address);
    addresses.push_back(f.corp_address);
  }
  Lexicon lexicon = make_lexicon(names, corporations, addresses, numbers);
  lexicon.amount_rules = amount_rules_of(amounts);
  lexicon_ = std::make_shared<const Lexicon>(std::move(lexicon));
  lexicon_version_ = v;
  return lexicon_;
}

Result<int> Service::read_stored(std::int64_t envelope_id, ocr::Engine& engine, const std::function<bool(int)>& on_page,
                                 const std::atomic<bool>& stop) {
  auto& db = store_.db;
  auto templates = this->templates();
  if (!templates) return std::unexpected(templates.error());
  std::vector<StoredPage> pages;
  {
    std::lock_guard lock(store_.mu);
    auto p = store::stored_pages(db, envelope_id);
    if (!p) return std::unexpected(p.error());
    pages = std::move(*p);
  }
  auto lexicon = this->lexicon();
  if (!lexicon) return std::unexpected(lexicon.error());
  // The cleaned copies as stored (rotation 0): recognition decides the rotation afresh. Pixels
  // are decoded and read without the store's lock.
  std::vector<ocr::Image> images;
  for (const auto& p : pages) {
    auto img = load_stored(store_.blobs, p, config_);
    if (!img) return std::unexpected(img.error());
    images.push_back(std::move(*img));
  }
  const EnvelopeRecognition result = pipeline::recognize(images, **templates, engine, store_.clock, on_page, lexicon->get());
  if (stop.load()) return fail(ErrorCode::kConflict, "the station closed while reading");
  std::unique_lock lock(store_.mu);
  auto s = store::transaction(db, [&]() -> Status {
    for (std::size_t i = 0; i < pages.size() && i < result.pages.size(); ++i) {
      const store::Recognized found{result.pages[i].kind, result.pages[i].rotation, result.pages[i].score};
      if (auto r = store::set_recognized(db, pages[i].id, found); !r) return r;
    }
    for (const auto& v : result.values) {
      store::ReadValue row;
      row.key = v.key;
      row.value = v.value;
      row.confidence = v.confidence;
      row.page_id = pages[static_cast<std::size_t>(v.page)].id;
      row.x = v.box.x;
      row.y = v.box.y;
      row.w = v.box.w;
      row.h = v.box.h;
      row.type = v.type;
      row.boolean = v.boolean;
      if (!v.chars.empty()) row.chars = chars_json(v.chars).dump();
      if (auto r = store::upsert_read(db, envelope_id, row); !r) return r;
    }
    // A failed state change reads as a bug (kInternal), as it always has.
    auto t = store::transition(db, envelope_id, lifecycle::Event::kRecognitionFinished);
    if (!t) return fail(ErrorCode::kInternal, t.error().detail);
    return {};
  });
  if (!s) return std::unexpected(s.error());
  const int fields = static_cast<int>(result.values.size());
  audit_.record(nullptr, "envelope.recognize",
        "envelope:" + std::to_string(envelope_id) + " fields:" + std::to_string(fields));
  lock.unlock();
  if (on_page_ready_)
    for (std::size_t i = 0; i < pages.size() && i < result.pages.size() && i < images.size(); ++i) {
      store::StoredPage stored = pages[i];
      stored.kind = result.pages[i].kind;
      stored.rotation = result.pages[i].rotation;
      stored.registration = result.pages[i].score;
      on_page_ready_(stored, images[i].rotated(stored.rotation / 90 % 4));
    }
  return fields;
}

Result<std::shared_ptr<const Templates>> Service::templates() {
  std::lock_guard lock(templates_mu_);
  if (!templates_) {
    auto t = load_templates(templates_dir(config_));
    if (!t) return std::unexpected(t.error());  // not kept: a fixed folder is read at the next try
    templates_ = std::make_shared<const Templates>(std::move(*t));
  }
  return templates_;
}

Status Service::start() {
  auto& db = store_.db;
  std::vector<std::int64_t> interrupted;
  {
    std::lock_guard lock(store_.mu);
    // Captures cut off by a crash (the process died mid-import or mid-scan): the clerk is told.
    auto cut = store::transition_all(db, lifecycle::Event::kCaptureCutOff);
    if (!cut) return std::unexpected(cut.error());
    interrupted = std::move(*cut);
    // Reads cut off by a closing station or a crash go back to the queue.
    if (auto back = store::transition_all(db, lifecycle::Event::kRecognitionAbandoned); !back)
      return std::unexpected(back.error());
  }
  for (auto id : interrupted) audit_.record(nullptr, "envelope.interrupted", "envelope:" + std::to_string(id));
  Work work;
  work.read = [this](std::int64_t id, ocr::Engine& engine, const std::function<bool(int)>& on_page,
                     const std::atomic<bool>& stop) { return read_stored(id, engine, on_page, stop); };
  work.claim = [this](std::int64_t id) {
    std::lock_guard lock(store_.mu);
    auto t = store::transition(store_.db, id, lifecycle::Event::kRecognitionStarted);
    return t && *t;
  };
  work.queued = [this] {
    std::lock_guard lock(store_.mu);
    auto q = store::queued(store_.db);
    return q ? *q : std::vector<std::int64_t>{};
  };
  work.finish = [this](std::int64_t id, const Result<int>& outcome) {
    if (outcome) return;  // read_stored moved it in the transaction that stored the values
    const bool stopping = outcome.error().code == ErrorCode::kConflict;  // read_stored: closing
    {
      std::lock_guard lock(store_.mu);
      (void)store::transition(store_.db, id, stopping ? lifecycle::Event::kRecognitionAbandoned
                                               : lifecycle::Event::kRecognitionFailed);
    }
    if (!stopping) {
      std::fprintf(stderr, "station: envelope %lld could not be recognised: %s\n", static_cast<long long>(id),
                   std::string(error_name(outcome.error().code)).c_str());
      audit_.record(nullptr, "envelope.recognize_failed",
            "envelope:" + std::to_string(id) + " code:" + std::string(error_name(outcome.error().code)));
    }
  };
  work.receipt_no = [this](std::int64_t id) {
    std::lock_guard lock(store_.mu);
    auto e = store::summary(store_.db, id);
    return e ? e->receipt_no : std::string();
  };
  work.page_count = [this](std::int64_t id) {
    std::lock_guard lock(store_.mu);
    auto p = store::stored_pages(store_.db, id);
    return p ? static_cast<int>(p->size()) : 0;
  };
  pool_ = std::make_unique<Pool>(ocr_worker_count(config_), make_engine_, std::move(work), config_.recognize_on_capture);
  if (config_.recognize_on_capture) {
    std::lock_guard lock(store_.mu);
    auto q = store::queued(db);
    if (q && !q->empty()) pool_->wake();
  }
  return {};
}

void Service::capture_ended(std::int64_t envelope_id, bool complete) {
  {
    std::lock_guard lock(store_.mu);
    auto t = store::transition(store_.db, envelope_id,
                               complete ? lifecycle::Event::kCaptureFinished : lifecycle::Event::kCaptureCutOff);
    if (!t) {
      std::fprintf(stderr, "station: envelope %lld: state not recorded: %s\n", static_cast<long long>(envelope_id),
                   t.error().detail.c_str());
      return;
    }
  }
  if (complete && pool_) pool_->wake();
}

Status Service::queue(std::int64_t envelope_id) {
  {
    std::lock_guard lock(store_.mu);
    auto state = store::state_of(store_.db, envelope_id);
    if (!state) return std::unexpected(state.error());
    if (lifecycle::next(*state, lifecycle::Event::kRecognizeAgain)) {
      if (auto t = store::transition(store_.db, envelope_id, lifecycle::Event::kRecognizeAgain); !t)
        return std::unexpected(t.error());
    } else if (*state != EnvelopeState::kCaptured && *state != EnvelopeState::kRecognizing) {
      return fail(ErrorCode::kConflict, "envelope " + std::to_string(envelope_id) + " is " +
                                            std::string(state_name(*state)) + ": it cannot be read now");
    }
  }
  pool_->request(envelope_id);
  return {};
}

Result<int> Service::read_now(std::int64_t envelope_id, std::chrono::milliseconds timeout) {
  if (auto q = queue(envelope_id); !q) return std::unexpected(q.error());
  auto outcome = pool_->wait_for(envelope_id, timeout);
  if (!outcome) return fail(ErrorCode::kConflict, "the station closed before the envelope was read");
  return *outcome;
}

Result<RecognitionStatus> Service::status() {
  RecognitionStatus out;
  out.workers = pool_->workers();
  out.envelopes_recognized = pool_->recognized();
  out.tasks = pool_->running();
  std::lock_guard lock(store_.mu);
  auto q = store::queued(store_.db);
  if (!q) return std::unexpected(q.error());
  for (auto id : *q) {
    auto e = store::summary(store_.db, id);
    if (!e) continue;
    RecognitionTask t;
    t.envelope_id = id;
    t.receipt_no = e->receipt_no;
    t.state = EnvelopeState::kCaptured;
    t.pages = e->pages;
    out.tasks.push_back(t);
  }
  return out;
}

Result<json> Service::stored_reading(std::int64_t envelope_id) {
  std::lock_guard lock(store_.mu);
  auto& db = store_.db;
  auto env = store::summary(db, envelope_id);
  if (!env) return std::unexpected(env.error());
  auto pages = store::stored_pages(db, envelope_id);
  if (!pages) return std::unexpected(pages.error());
  std::map<std::int64_t, int> position;  // page id -> index among the pages recognition reads
  std::vector<ReadingPage> rp;
  for (const auto& p : *pages) {
    position[p.id] = static_cast<int>(rp.size());
    rp.push_back({p.source_name, p.kind, p.rotation, p.registration});
  }
  auto stored = store::stored_fields(db, envelope_id);
  if (!stored) return std::unexpected(stored.error());
  std::vector<ReadingLeaf> leaves;
  for (const auto& f : *stored) {
    ReadingLeaf l;
    l.value.key = f.key;
    l.value.value = f.value;
    l.value.confidence = f.confidence;
    const auto pos = f.page_id ? position.find(*f.page_id) : position.end();
    l.value.page = pos == position.end() ? -1 : pos->second;
    l.value.box = {f.x, f.y, f.w, f.h};
    l.value.type = f.type;
    l.value.boolean = f.boolean;
    if (f.confirmed) l.confirmed = ReadingLeaf::Confirmation{f.confirmed_value, f.confirmed_by, f.confirmed_at};
    leaves.push_back(std::move(l));
  }
  json doc = reading_json(rp, leaves);
  doc["envelope_id"] = env->id;
  doc["receipt_no"] = env->receipt_no;
  doc["state"] = std::string(state_name(env->state));
  doc["state_ja"] = std::string(state_label_ja(env->state));
  return doc;
}

}  // namespace station::recognition
