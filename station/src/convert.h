#pragma once
// Conversions from the leaf modules' errors into the station's one vocabulary.
#include "station/recognition/ocr_error.h"
#include "scanner/error.h"
#include "station/error.h"
#include "station/store/error.h"

namespace station {

// The storage conversion is the store's (station/store/error.h); the facade's own storage calls
// (blobs, opening the databases) use it under its old names.
using store::from_storage;
using store::unexpected_storage;


}  // namespace station
