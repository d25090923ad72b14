#pragma once
// An exclusive flock on <data_dir>/station.lock for the lifetime of the Station, so two processes
// never work on one store (and the startup sweep can tell orphans from blobs being written).
#include <filesystem>
#include <utility>

#include "station/error.h"

namespace station::security {

class StoreLock {
 public:
  StoreLock() = default;
  explicit StoreLock(int fd) : fd_(fd) {}
  StoreLock(StoreLock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  StoreLock& operator=(StoreLock&& o) noexcept;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock();
  // kConflict when another process holds the store.
  static Result<StoreLock> acquire(const std::filesystem::path& dir);

 private:
  int fd_ = -1;
};

}  // namespace station::security
