// Recognition through the store: the background pool's work on one envelope (load the cleaned
// pages → the pipeline's envelope stages → fields rows), the queue's state changes, and the
// stored reading as JSON (station show).
#include <nlohmann/json.hpp>

#include "station/store/envelopes.h"
#include "station/store/fields.h"
#include "station/store/pages.h"
#include "station/store/transaction.h"
#include "station/recognition/pipeline.h"
#include "station/recognition/reading_json.h"
#include "station/recognition/recognize.h"
#include "station_impl.h"
#include "station/recognition/templates.h"

namespace station {

namespace {

using nlohmann::json;

// How long Station::recognize waits for its envelope (a whole envelope under sanitizers).
constexpr std::chrono::minutes kRecognizeWait{60};

using store::StoredPage;

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

namespace {

// The load_cleaned stage over the store: the cleaned copy made on arrival when there is one,
// else (or if that copy is missing) the original, with the page's recorded resolution. A cleaned
// copy that fails its check is reported as corruption, never papered over.
Result<ocr::Image> load_stored(storage::BlobStore& blobs, const StoredPage& p, const Config& config) {
  auto bytes = p.clean_blob_id.empty() ? blobs.get(p.blob_id) : blobs.get(p.clean_blob_id);
  if (!bytes && !p.clean_blob_id.empty() && bytes.error().code == storage::Code::kNotFound) bytes = blobs.get(p.blob_id);
  if (!bytes) return unexpected_storage(bytes.error());
  return recognition::pipeline::load_cleaned(*bytes, p.dpi, p.dpi_from_file, recognition::pipeline::decode_limits(config));
}

}  // namespace

Result<ocr::Image> Station::Impl::load_page(std::int64_t page_id, int* rotation_out) {
  StoredPage p;
  {
    std::lock_guard lock(mu);
    auto found = store::stored_page(db, page_id);
    if (!found) return std::unexpected(found.error());
    p = std::move(*found);
  }
  auto img = load_stored(blobs, p, config);
  if (!img) return std::unexpected(img.error());
  if (rotation_out != nullptr) *rotation_out = p.rotation;
  return img->rotated(p.rotation / 90 % 4);
}

Result<int> Station::Impl::recognize_stored(std::int64_t envelope_id, ocr::Engine& engine,
                                            const std::function<bool(int)>& on_page, const std::atomic<bool>& stop) {
  auto templates = form_templates();
  if (!templates) return std::unexpected(templates.error());
  std::vector<StoredPage> pages;
  {
    std::lock_guard lock(mu);
    auto p = store::stored_pages(db, envelope_id);
    if (!p) return std::unexpected(p.error());
    pages = std::move(*p);
  }
  // The cleaned copies as stored (rotation 0): recognition decides the rotation afresh. Pixels
  // are decoded and read without the store's lock.
  std::vector<ocr::Image> images;
  for (const auto& p : pages) {
    auto img = load_stored(blobs, p, config);
    if (!img) return std::unexpected(img.error());
    images.push_back(std::move(*img));
  }
  const recognition::EnvelopeRecognition result = recognition::pipeline::recognize(images, **templates, engine, clock(), on_page);
  if (stop.load()) return fail(ErrorCode::kConflict, "the station closed while reading");
  std::lock_guard lock(mu);
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
      if (auto r = store::upsert_read(db, envelope_id, row); !r) return r;
    }
    // A failed state change reads as a bug (kInternal), as it always has.
    auto t = store::transition(db, envelope_id, lifecycle::Event::kRecognitionFinished);
    if (!t) return fail(ErrorCode::kInternal, t.error().detail);
    return {};
  });
  if (!s) return std::unexpected(s.error());
  const int fields = static_cast<int>(result.values.size());
  audit(nullptr, "envelope.recognize",
        "envelope:" + std::to_string(envelope_id) + " fields:" + std::to_string(fields));
  return fields;
}

Services resolve_services(const Services* replaced, const Config& config) {
  Services s = replaced != nullptr ? *replaced : Services{};
  if (!s.make_engine) s.make_engine = tesseract_engine_factory(config);
  if (!s.clock) s.clock = std::make_shared<const SystemClock>();
  return s;  // an empty make_scanner means SANE (scan.cpp)
}

Result<std::shared_ptr<const recognition::Templates>> Station::Impl::form_templates() {
  std::lock_guard lock(templates_mu);
  if (!templates) {
    auto t = recognition::load_templates(recognition::templates_dir(config));
    if (!t) return std::unexpected(t.error());  // not kept: a fixed folder is read at the next try
    templates = std::make_shared<const recognition::Templates>(std::move(*t));
  }
  return templates;
}

Status Station::Impl::start_recognition() {
  std::vector<std::int64_t> interrupted;
  {
    std::lock_guard lock(mu);
    // Captures cut off by a crash (the process died mid-import or mid-scan): the clerk is told.
    auto cut = store::transition_all(db, lifecycle::Event::kCaptureCutOff);
    if (!cut) return std::unexpected(cut.error());
    interrupted = std::move(*cut);
    // Reads cut off by a closing station or a crash go back to the queue.
    if (auto back = store::transition_all(db, lifecycle::Event::kRecognitionAbandoned); !back)
      return std::unexpected(back.error());
  }
  for (auto id : interrupted) audit(nullptr, "envelope.interrupted", "envelope:" + std::to_string(id));
  recognition::Work work;
  work.read = [this](std::int64_t id, ocr::Engine& engine, const std::function<bool(int)>& on_page,
                     const std::atomic<bool>& stop) { return recognize_stored(id, engine, on_page, stop); };
  work.claim = [this](std::int64_t id) {
    std::lock_guard lock(mu);
    auto t = store::transition(db, id, lifecycle::Event::kRecognitionStarted);
    return t && *t;
  };
  work.queued = [this] {
    std::lock_guard lock(mu);
    auto q = store::queued(db);
    return q ? *q : std::vector<std::int64_t>{};
  };
  work.finish = [this](std::int64_t id, const Result<int>& outcome) {
    if (outcome) return;  // recognize_stored moved it in the transaction that stored the values
    const bool stopping = outcome.error().code == ErrorCode::kConflict;  // recognize_stored: closing
    {
      std::lock_guard lock(mu);
      (void)store::transition(db, id, stopping ? lifecycle::Event::kRecognitionAbandoned
                                               : lifecycle::Event::kRecognitionFailed);
    }
    if (!stopping) {
      std::fprintf(stderr, "station: envelope %lld could not be recognised: %s\n", static_cast<long long>(id),
                   std::string(error_name(outcome.error().code)).c_str());
      audit(nullptr, "envelope.recognize_failed",
            "envelope:" + std::to_string(id) + " code:" + std::string(error_name(outcome.error().code)));
    }
  };
  work.receipt_no = [this](std::int64_t id) {
    std::lock_guard lock(mu);
    auto e = load_envelope(id);
    return e ? e->receipt_no : std::string();
  };
  work.page_count = [this](std::int64_t id) {
    std::lock_guard lock(mu);
    auto p = store::stored_pages(db, id);
    return p ? static_cast<int>(p->size()) : 0;
  };
  ocr_pool = std::make_unique<recognition::Pool>(ocr_worker_count(config), services.make_engine, std::move(work),
                                                    config.recognize_on_capture);
  if (config.recognize_on_capture) {
    std::lock_guard lock(mu);
    auto q = store::queued(db);
    if (q && !q->empty()) ocr_pool->wake();
  }
  return {};
}

void Station::Impl::capture_ended(std::int64_t envelope_id, bool complete) {
  {
    std::lock_guard lock(mu);
    auto t = store::transition(db, envelope_id,
                               complete ? lifecycle::Event::kCaptureFinished : lifecycle::Event::kCaptureCutOff);
    if (!t) {
      std::fprintf(stderr, "station: envelope %lld: state not recorded: %s\n", static_cast<long long>(envelope_id),
                   t.error().detail.c_str());
      return;
    }
  }
  if (complete && ocr_pool) ocr_pool->wake();
}

Result<int> Station::recognize(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "recognise envelopes"); !s)
    return std::unexpected(s.error());
  if (auto q = queue_recognition(actor, envelope_id); !q) return std::unexpected(q.error());
  auto outcome = impl_->ocr_pool->wait_for(envelope_id, kRecognizeWait);
  if (!outcome) return fail(ErrorCode::kConflict, "the station closed before the envelope was read");
  if (*outcome) impl_->audit(&actor, "envelope.recognize_requested", "envelope:" + std::to_string(envelope_id));
  return *outcome;
}

Status Station::queue_recognition(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "recognise envelopes"); !s) return s;
  {
    std::lock_guard lock(impl_->mu);
    auto state = store::state_of(impl_->db, envelope_id);
    if (!state) return std::unexpected(state.error());
    if (lifecycle::next(*state, lifecycle::Event::kRecognizeAgain)) {
      if (auto t = store::transition(impl_->db, envelope_id, lifecycle::Event::kRecognizeAgain); !t)
        return std::unexpected(t.error());
    } else if (*state != EnvelopeState::kCaptured && *state != EnvelopeState::kRecognizing) {
      return fail(ErrorCode::kConflict, "envelope " + std::to_string(envelope_id) + " is " +
                                            std::string(state_name(*state)) + ": it cannot be read now");
    }
  }
  impl_->ocr_pool->request(envelope_id);
  return {};
}

Result<RecognitionStatus> Station::recognition_status(const User& actor) {
  (void)actor;  // every signed-in role may see the queue (no personal data in it)
  RecognitionStatus out;
  out.workers = impl_->ocr_pool->workers();
  out.envelopes_recognized = impl_->ocr_pool->recognized();
  out.tasks = impl_->ocr_pool->running();
  std::lock_guard lock(impl_->mu);
  auto q = store::queued(impl_->db);
  if (!q) return std::unexpected(q.error());
  for (auto id : *q) {
    auto e = impl_->load_envelope(id);
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

bool Station::wait_for_recognition(std::chrono::milliseconds timeout) {
  return impl_->ocr_pool->wait_idle(timeout);
}

Result<std::string> Station::envelope_json(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "see field values"); !s)
    return std::unexpected(s.error());
  json doc;
  {
    std::lock_guard lock(impl_->mu);
    auto& db = impl_->db;
    auto env = impl_->load_envelope(envelope_id);
    if (!env) return std::unexpected(env.error());
    auto pages = store::stored_pages(db, envelope_id);
    if (!pages) return std::unexpected(pages.error());
    std::map<std::int64_t, int> position;  // page id -> index among the pages recognition reads
    std::vector<recognition::ReadingPage> rp;
    for (const auto& p : *pages) {
      position[p.id] = static_cast<int>(rp.size());
      rp.push_back({p.source_name, p.kind, p.rotation, p.registration});
    }
    auto stored = store::stored_fields(db, envelope_id);
    if (!stored) return std::unexpected(stored.error());
    std::vector<recognition::ReadingLeaf> leaves;
    for (const auto& f : *stored) {
      recognition::ReadingLeaf l;
      l.value.key = f.key;
      l.value.value = f.value;
      l.value.confidence = f.confidence;
      const auto pos = f.page_id ? position.find(*f.page_id) : position.end();
      l.value.page = pos == position.end() ? -1 : pos->second;
      l.value.box = {f.x, f.y, f.w, f.h};
      l.value.type = f.type;
      l.value.boolean = f.boolean;
      if (f.confirmed) l.confirmed = recognition::ReadingLeaf::Confirmation{f.confirmed_value, f.confirmed_by, f.confirmed_at};
      leaves.push_back(std::move(l));
    }
    doc = recognition::reading_json(rp, leaves);
    doc["envelope_id"] = env->id;
    doc["receipt_no"] = env->receipt_no;
    doc["state"] = std::string(state_name(env->state));
    doc["state_ja"] = std::string(state_label_ja(env->state));
  }
  impl_->audit(&actor, "envelope.view", "envelope:" + std::to_string(envelope_id));
  return doc.dump(1);
}

}  // namespace station
