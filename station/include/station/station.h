#pragma once
// The station: one object per open store, the workflow's single entry point for the ui module.
// Every method checks the acting user's role itself (server-side), records the action in the
// audit log and returns an Error value on failure. Thread-safe: methods may be called from
// several threads (the web server's); they serialise on an internal mutex where they touch the
// store.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "station/config.h"
#include "station/error.h"
#include "station/model.h"

namespace station {

class Station {
 public:
  // Creates a new store in config.data_dir, protected by `passphrase`. kStoreExists if one is there.
  static Result<std::unique_ptr<Station>> create(const Config& config, std::string_view passphrase);
  // Opens the store in config.data_dir. kStoreMissing, kWrongPassphrase or kStoreCorrupt.
  static Result<std::unique_ptr<Station>> open(const Config& config, std::string_view passphrase);
  ~Station();

  const Config& config() const;

  // ---- accounts
  // The first user may be created without an actor (bootstrap); afterwards only an admin may add.
  Result<User> add_user(const User* actor, std::string_view username, std::string_view password, Role role);
  Result<User> login(std::string_view username, std::string_view password);
  Result<User> user_by_id(std::int64_t id);

  // ---- facility list (対象施設リスト), CP932 CSV as delivered; replaces the previous list
  Result<int> load_facilities(const User& actor, const std::filesystem::path& csv);
  Result<int> facility_count();

  // ---- capture: one envelope from a folder of page images or a list of files
  Result<ImportReport> import_envelope(const User& actor, const std::vector<std::filesystem::path>& inputs,
                                       const Intake& intake);

  // ---- recognition: classifies pages and reads fields; returns the number of fields read
  Result<int> recognize(const User& actor, std::int64_t envelope_id);

  // ---- review
  Result<std::vector<EnvelopeSummary>> list_envelopes(const User& actor);
  Result<EnvelopeSummary> envelope(const User& actor, std::int64_t envelope_id);
  Result<std::vector<PageInfo>> pages(const User& actor, std::int64_t envelope_id);
  Result<std::vector<FieldInfo>> fields(const User& actor, std::int64_t envelope_id);
  Result<FieldInfo> field(const User& actor, std::int64_t field_id);
  // PNG of the field's crop (the box plus a margin), for showing beside the value.
  Result<std::vector<unsigned char>> field_crop_png(const User& actor, std::int64_t field_id);
  // PNG of a page scaled to at most max_width pixels wide.
  Result<std::vector<unsigned char>> page_png(const User& actor, std::int64_t page_id, int max_width);
  // The reviewer confirms (or corrects) a value. Reviewer or supervisor only.
  Result<FieldInfo> confirm_field(const User& actor, std::int64_t field_id, std::string_view value);

  // ---- export: the day's mailed set as one encrypted bundle (AES-256 zip) in out_dir, holding one
  // PDF per application and the xlsx lists with confirmed values. Supervisor only.
  Result<ExportReport> export_batch(const User& actor, const std::filesystem::path& out_dir);

  // ---- maintenance
  Status check_integrity();

 private:
  struct Impl;
  explicit Station(std::unique_ptr<Impl> impl);
  static Result<std::unique_ptr<Impl>> open_store(const Config& config, std::string_view passphrase, bool create);
  std::unique_ptr<Impl> impl_;
};

}  // namespace station
