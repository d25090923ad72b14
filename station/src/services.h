#pragma once
// The parts a Station is built from that tests replace (station.h declares Services incomplete,
// so callers outside the module always get the real ones): injected through Station::create /
// Station::open, never through globals.
#include <functional>
#include <memory>

#include "ocr/engine.h"
#include "station/config.h"
#include "station/error.h"

namespace station {

// Makes one OCR engine; called once on each recognition worker's thread, which then owns it.
using EngineFactory = std::function<Result<std::unique_ptr<ocr::Engine>>()>;

// Tesseract with the configured data and languages (the real engine).
EngineFactory tesseract_engine_factory(const Config& config);

struct Services {
  EngineFactory make_engine;  // empty: tesseract_engine_factory(config)
};

}  // namespace station
