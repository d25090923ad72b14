#pragma once
// The station's one error vocabulary. Every failure a user can meet is one ErrorCode; this header
// and error.cpp are the one place that maps codes to exit codes, HTTP statuses and the Japanese
// text a clerk reads. docs/errors.md lists each with its fix. Details (English) go to logs and
// never contain personal values.
#include <expected>
#include <string>
#include <string_view>

namespace station {

enum class ErrorCode {
  kUsage,              // wrong command-line arguments
  kConfig,             // the configuration file is malformed
  kWrongPassphrase,    // the store's passphrase is wrong
  kStoreMissing,       // no store at the data directory (run `station init`)
  kStoreExists,        // `init` on a directory that already has a store
  kStoreCorrupt,       // the database or a stored file failed its integrity check
  kDiskFull,           // no space left on the device
  kIo,                 // a file could not be read or written
  kWrongKeyFile,       // the key file given is not the one registered with the store
  kBadKeyFile,         // the key file is missing, truncated, damaged or not a key file
  kSigningKeyUnavailable,  // the audit signing credential cannot be read: no read-write open here
  kBadImage,           // a page image is corrupt, truncated or of an unknown format
  kImageTooLarge,      // a page image exceeds the pixel limit
  kNoPages,            // an import found no page images
  kBadCsvEncoding,     // the facility list is not in CP932 (Shift_JIS) as delivered
  kBadCsv,             // the facility list's columns are not the expected ones
  kOcrUnavailable,     // Tesseract or its language data are missing
  kScanner,            // the scanner reported a problem (jam, cover open, unplugged, ...)
  kCaptureBusy,        // a scan or import is already running on this station
  kRecognitionFailed,  // an envelope could not be recognised (its pages are kept; read it again)
  kNotFound,           // no such envelope, page, field or user
  kLoginFailed,        // wrong user name or password
  kAccountLocked,      // too many failed logins
  kPasswordChangeRequired,  // the password is an admin's one-time password: change it first
  kForbidden,          // the user's role does not allow the action
  kInvalidInput,       // a value or request is malformed
  kConflict,           // the action conflicts with the current state (e.g. user exists)
  kExport,             // an export could not be produced
  kNothingToExport,    // no confirmed application is waiting for export
  kAddressInUse,       // the web UI's address/port is taken by another program
  kSessionExpired,     // not logged in, or the idle lock ended the session
  kSyncUnreachable,    // the main system cannot be reached (the outbox keeps every change)
  kSyncAuth,           // the main system refused the station's role, password or certificate
  kSyncSchema,         // the main system's schema is missing or of another version
  kSyncProtocol,       // the main system answered something unexpected
  kInternal,           // a bug: please report it
};

struct Error {
  ErrorCode code;
  std::string detail;  // English, for logs; never personal values
  // Optional: why, in Japanese, for the clerk beside message_ja (never personal values), e.g.
  // 「受理済みの申請の値は変更できません。」
  std::string reason_ja = {};
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(ErrorCode code, std::string detail) {
  return std::unexpected(Error{code, std::move(detail)});
}
// The same with the Japanese reason the clerk reads.
inline std::unexpected<Error> fail(ErrorCode code, std::string detail, std::string reason_ja) {
  return std::unexpected(Error{code, std::move(detail), std::move(reason_ja)});
}

// Stable identifier, e.g. "WRONG_PASSPHRASE" (used in logs, JSON and docs/errors.md).
std::string_view error_name(ErrorCode code);
// Process exit code for the CLI (0 is success; each code has its own number, see docs/errors.md).
int exit_code(ErrorCode code);
// HTTP status for the web UI and its JSON API.
int http_status(ErrorCode code);
// What the user reads: what happened and what to do, in Japanese.
std::string_view message_ja(ErrorCode code);

}  // namespace station
