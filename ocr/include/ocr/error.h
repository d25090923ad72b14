#pragma once
// Errors of the ocr (imaging and recognition) module, as values.
#include <expected>
#include <string>

namespace ocr {

enum class Code {
  kUnsupportedFormat,  // not an image format the station reads
  kCorrupt,            // truncated or damaged image data
  kTooLarge,           // over the pixel limit (a decompression bomb, or a mis-set scanner)
  kEmpty,              // a document with no pages
  kEngine,             // the OCR engine failed to start or to read
  kInvalid,            // the caller passed something malformed (a zone outside the page, ...)
};

struct Error {
  Code code;
  std::string message;  // English, for logs; never the recognised text
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Code code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

}  // namespace ocr
