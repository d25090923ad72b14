// Recognition as the station offers it: who may ask for what, over recognition::Service
// (station/recognition/service.h), which owns the pool, the queue's state changes and the stored
// reading.
#include "station_impl.h"

namespace station {

namespace {

// How long Station::recognize waits for its envelope (a whole envelope under sanitizers).
constexpr std::chrono::minutes kRecognizeWait{60};

}  // namespace

Services resolve_services(const Services* replaced, const Config& config) {
  Services s = replaced != nullptr ? *replaced : Services{};
  if (!s.make_engine) s.make_engine = recognition::tesseract_engine_factory(config);
  if (!s.clock) s.clock = std::make_shared<const SystemClock>();
  return s;  // an empty make_scanner means SANE (scan.cpp)
}

Status Station::Impl::start_recognition() {
  reader = std::make_unique<recognition::Service>(store(), *this, config, services.make_engine);
  // The verification screen's first look at a page is a cache hit (Station::page_rendition): the
  // rendition is made here from the pixels recognition has just read, at the width /app asks for.
  reader->on_page_ready([this](const store::StoredPage& page, const ocr::Image& upright) {
    const int width = std::min(upright.width(), kRenditionWarmWidth);
    (void)keep_rendition(page.id, page_version_of(page.blob_id, page.clean_blob_id, page.rotation, page.turn), upright, width);
  });
  return reader->start();
}

Result<int> Station::recognize(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "recognise envelopes"); !s)
    return std::unexpected(s.error());
  auto outcome = impl_->reader->read_now(envelope_id, kRecognizeWait);
  if (outcome) impl_->audit(&actor, "envelope.recognize_requested", "envelope:" + std::to_string(envelope_id));
  return outcome;
}

Status Station::queue_recognition(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kClerk, Role::kReviewer, Role::kSupervisor}, "recognise envelopes"); !s) return s;
  return impl_->reader->queue(envelope_id);
}

Result<RecognitionStatus> Station::recognition_status(const User& actor) {
  (void)actor;  // every signed-in role may see the queue (no personal data in it)
  return impl_->reader->status();
}

bool Station::wait_for_recognition(std::chrono::milliseconds timeout) { return impl_->reader->wait_idle(timeout); }

Result<std::string> Station::envelope_json(const User& actor, std::int64_t envelope_id) {
  if (auto s = require(actor, {Role::kReviewer, Role::kSupervisor}, "see field values"); !s)
    return std::unexpected(s.error());
  auto doc = impl_->reader->stored_reading(envelope_id);
  if (!doc) return std::unexpected(doc.error());
  impl_->audit(&actor, "envelope.view", "envelope:" + std::to_string(envelope_id));
  return doc->dump(1);
}

}  // namespace station
