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
  // How many findings block accepting an envelope (review/workflow.h's seam to the checks); empty:
  // the checks' own count (Station::check's findings of severity "block").
  std::function<Result<int>(std::int64_t envelope_id)> blocking_findings;
};

// `replaced` (may be null) with its empty parts filled with the real ones.
Services resolve_services(const Services* replaced, const Config& config);

}  // namespace station
