#pragma once
// Errors of the scanner module, as values. Each names what happened at the device so the
// station can tell the clerk what to do.
#include <expected>
#include <string>

namespace scanner {

enum class Code {
  kNoDevice,      // no scanner found, or the named one is gone (unplugged)
  kBusy,          // the device is in use by another program
  kJammed,        // paper jam
  kCoverOpen,     // cover or ADF hatch open
  kFeederEmpty,   // no paper in the feeder (normal end of an ADF batch)
  kIo,            // communication failed
  kUnsupported,   // the device does not offer the requested option
  kCancelled,     // the clerk cancelled
  kInvalid,       // the caller asked for something malformed
};

struct Error {
  Code code;
  std::string message;  // English, for logs
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Code code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

}  // namespace scanner
