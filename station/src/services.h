#pragma once
// The parts a Station is built from that tests replace (station.h declares Services incomplete,
// so callers outside the module always get the real ones): injected through Station::create /
// Station::open, never through globals. The Station holds them from before it opens its store
// until it is destroyed.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ocr/engine.h"
#include "station/capture/capture.h"
#include "station/recognition/service.h"
#include "scanner/scanner.h"
#include "station/clock.h"
#include "station/config.h"
#include "station/finding.h"
#include "station/error.h"

namespace station {

// Makes one OCR engine; called once on each recognition worker's thread, which then owns it.
using recognition::EngineFactory;


// Opens the scanner `device` names (a fake that delivers chosen pages, jams after n pages, ...).
using capture::ScannerFactory;

struct Services {
  EngineFactory make_engine;           // empty: recognition::tesseract_engine_factory(config)
  ScannerFactory make_scanner;         // empty: SANE
  std::shared_ptr<const Clock> clock;  // null: the system clock; every date the station records
  // The findings a decision is taken on (review/workflow.h's seam to the checks); empty: the
  // checks' own (Station::check as the deciding user).
  std::function<Result<std::vector<Finding>>(std::int64_t envelope_id)> decision_findings;
};

// `replaced` (may be null) with its empty parts filled with the real ones.
Services resolve_services(const Services* replaced, const Config& config);

}  // namespace station
