#pragma once
// Separator sheets between envelopes in one scan run: a patch code T sheet (the standard
// bar pattern production scanners and capture software know), or the QR separator sheet the
// station prints (which also carries patch code T bars, so either reader finds it).
// Thread-safe (no shared state).
#include <string>

#include "ocr/error.h"
#include "ocr/image.h"

namespace ocr {

// The text the station's QR separator carries.
inline constexpr const char* kSeparatorPayload = "STATION-SEPARATOR/1";

enum class SeparatorKind { kNone, kPatchT, kQr };

struct SeparatorMatch {
  SeparatorKind kind = SeparatorKind::kNone;
  bool found() const { return kind != SeparatorKind::kNone; }
};

// Whether `page` is a separator sheet (any orientation of the bars; QR in any orientation).
SeparatorMatch detect_separator(const Image& page);

// Whether the page carries patch code T: four bars narrow, wide, narrow, wide (or the same read
// from the other end), running across at least half of the page.
bool has_patch_t(const Image& page);

// The separator sheet the station prints: A4 portrait at `dpi`, patch code T bars along the top,
// the QR code (kSeparatorPayload) in the middle and "STATION SEPARATOR" in large letters.
Result<Image> render_separator_sheet(int dpi = 200);

}  // namespace ocr
