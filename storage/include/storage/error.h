#pragma once
// Errors of the storage module, as values. Messages never contain personal data: they name
// files, tables and operations, never the values stored.
#include <expected>
#include <string>

namespace storage {

enum class Code {
  kWrongKey,    // the passphrase or key does not open the store
  kCorrupt,     // a database page, blob or key file failed its integrity check
  kIo,          // the operating system refused a read or write
  kDiskFull,    // no space left: the operation was rolled back, nothing half-written
  kNotFound,    // no such blob, row or file
  kInvalid,     // the caller passed something malformed
  kConstraint,  // a uniqueness or foreign-key rule was broken
  kBusy,        // another process holds the store
};

struct Error {
  Code code;
  std::string message;  // English, for logs and developers; no personal values
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Code code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

}  // namespace storage
