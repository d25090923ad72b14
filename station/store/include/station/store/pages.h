#pragma once
// The pages table: a page as capture stores it (original blob, then the cleaned copy and its
// flags), as recognition reads and marks it, and as review lists it. Callers hold the store's
// mutex.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "station/error.h"
#include "station/model.h"
#include "storage/database.h"

namespace station::store {

// A page as capture inserts it; its blob is already in the blob store.
struct NewPage {
  std::int64_t envelope_id = 0;
  int seq = 0;
  std::string blob_id, source_name, media_type, kind, color_mode;
  int source_page = 0;
  int width = 0, height = 0, dpi = 0;
  bool dpi_from_file = false;
  std::vector<std::string> flags;
};
// Returns the new page's id.
Result<std::int64_t> insert_page(storage::Database& db, const NewPage& page);

// The page's flags (pages.flags, comma-separated); kNotFound.
Result<std::vector<std::string>> flags(storage::Database& db, std::int64_t page_id);
Status set_flags(storage::Database& db, std::int64_t page_id, const std::vector<std::string>& flags);

// What cleanup found, with the cleaned copy's blob.
struct Cleaned {
  std::string blob_id;
  double skew = 0;
  double orientation_confidence = 0;
  bool blank = false;
  int quarter_turns = 0;
};
Status set_cleaned(storage::Database& db, std::int64_t page_id, const Cleaned& cleaned);

// The clerk's word on a blank page, and who gave it.
Status set_blank(storage::Database& db, std::int64_t page_id, bool blank, std::int64_t confirmed_by);

// The envelope a page belongs to; nullopt when there is no such page.
Result<std::optional<std::int64_t>> envelope_of(storage::Database& db, std::int64_t page_id);

// Pages of an envelope other than separator sheets.
Result<int> content_page_count(storage::Database& db, std::int64_t envelope_id);

// Over some envelopes: pages detected blank and not yet confirmed, and pages with any flag.
// Envelopes whose counts cannot be read are left out (the counts are advice to the clerk).
struct FlagCounts {
  int blank_pages = 0;
  int flagged_pages = 0;
};
Result<FlagCounts> flag_counts(storage::Database& db, const std::vector<std::int64_t>& envelope_ids);

// A page as recognition loads it.
struct StoredPage {
  std::int64_t id = 0;
  std::string blob_id, clean_blob_id, source_name;
  int dpi = 0;
  bool dpi_from_file = false;
  // What recognition found (set_recognized): kind, degrees clockwise, registration score.
  std::string kind;
  int rotation = 0;
  double registration = 0;
  int turn = 0;  // the clerk's quarter turns (degrees clockwise), applied before recognition reads it
};
// kNotFound.
Result<StoredPage> stored_page(storage::Database& db, std::int64_t page_id);
// The pages recognition reads: every page of the envelope but separator sheets, in scan order.
Result<std::vector<StoredPage>> stored_pages(storage::Database& db, std::int64_t envelope_id);

// What recognition found on a page.
struct Recognized {
  std::string kind;
  int rotation = 0;
  double registration = 0;
};
Status set_recognized(storage::Database& db, std::int64_t page_id, const Recognized& found);

// The envelope's page ids in scan order. A read that fails part way ends the list there (as the
// export has always read it).
Result<std::vector<std::int64_t>> page_ids(storage::Database& db, std::int64_t envelope_id);

// A page as the export draws it: the cleaned, upright copy when capture made one, else the
// original with the rotation recognition found.
struct ExportPage {
  std::string blob_id, media_type;
  int width = 0, height = 0, dpi = 0, rotation = 0;
  bool cleaned = false;  // blob_id is the cleaned copy
};
// nullopt when the row cannot be read or is gone.
Result<std::optional<ExportPage>> export_page(storage::Database& db, std::int64_t page_id);

// The envelope's pages as review lists them, in scan order (width and height as shown, after the
// stored rotation).
Result<std::vector<PageInfo>> list_pages(storage::Database& db, std::int64_t envelope_id);

// ---- intake page operations (issue #17): the clerk's turn (degrees clockwise, 0/90/180/270), a
// new page order (every page of the envelope once; kInvalidInput otherwise), a page moved to the
// end of another envelope (the one it left renumbered without a gap). Run them in a transaction.
Status set_turn(storage::Database& db, std::int64_t page_id, int turn);
Result<int> turn_of(storage::Database& db, std::int64_t page_id);
Status reorder_pages(storage::Database& db, std::int64_t envelope_id, const std::vector<std::int64_t>& order);
Status move_page(storage::Database& db, std::int64_t page_id, std::int64_t from_envelope, std::int64_t to_envelope);

}  // namespace station::store
