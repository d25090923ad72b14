#pragma once
// The verification screen's page renditions (Station::page_rendition), kept in memory: keyed by
// page id and width, each entry carries the page version it was made from (a lookup with another
// version misses, and the insert replaces the stale entry). Bounded by total bytes, least recently
// used first out. Thread-safe; the encoding happens outside its lock.
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace station {

// A short, stable name of what a page shows: its stored image (the cleaned copy when capture made
// one) and the rotation recognition found (FNV-1a 64, hex). A rendition made from another version
// is never served.
// `turn`: the clerk's turn (issue #17), applied before recognition's rotation.
inline std::string page_version_of(std::string_view blob_id, std::string_view clean_blob_id, int rotation, int turn = 0) {
  std::uint64_t h = 1469598103934665603ULL;
  const auto mix = [&](std::string_view s) {
    for (const unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xffU) * 1099511628211ULL;  // a separator, so "ab"+"c" differs from "a"+"bc"
  };
  mix(blob_id);
  mix(clean_blob_id);
  mix(std::to_string(rotation));
  if (turn % 360 != 0) mix("turn" + std::to_string(turn));
  std::string out(16, '0');
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 0xf];
  return out;
}

class RenditionCache {
 public:
  struct Entry {
    std::shared_ptr<const std::vector<unsigned char>> bytes;
    std::string version;
    int width = 0, height = 0;
  };

  explicit RenditionCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // The entry for (page, width) if it was made from `version`; counts the hit or miss.
  std::shared_ptr<const Entry> find(std::int64_t page_id, int width, const std::string& version) {
    std::lock_guard lock(mu_);
    const auto it = index_.find({page_id, width});
    if (it == index_.end() || it->second->second->version != version) {
      ++misses_;
      return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, it->second);  // most recently used first
    ++hits_;
    return it->second->second;
  }

  // Keeps `entry` (replacing the one for the same page and width), then drops the least recently
  // used entries until the total fits. An entry larger than the whole budget is not kept.
  void insert(std::int64_t page_id, int width, Entry entry) {
    const std::size_t size = entry.bytes ? entry.bytes->size() : 0;
    std::lock_guard lock(mu_);
    erase_locked({page_id, width});
    if (size > max_bytes_) return;
    lru_.emplace_front(Key{page_id, width}, std::make_shared<const Entry>(std::move(entry)));
    index_[{page_id, width}] = lru_.begin();
    bytes_ += size;
    while (bytes_ > max_bytes_ && !lru_.empty()) erase_locked(lru_.back().first);
  }

  struct Stats {
    std::size_t entries = 0, bytes = 0, max_bytes = 0;
    std::uint64_t hits = 0, misses = 0;
  };
  Stats stats() const {
    std::lock_guard lock(mu_);
    return {index_.size(), bytes_, max_bytes_, hits_, misses_};
  }

 private:
  using Key = std::pair<std::int64_t, int>;
  using List = std::list<std::pair<Key, std::shared_ptr<const Entry>>>;

  void erase_locked(const Key& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return;
    const auto& e = it->second->second;
    bytes_ -= e->bytes ? e->bytes->size() : 0;
    lru_.erase(it->second);
    index_.erase(it);
  }

  mutable std::mutex mu_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::uint64_t hits_ = 0, misses_ = 0;
  List lru_;
  std::map<Key, List::iterator> index_;
};

}  // namespace station
