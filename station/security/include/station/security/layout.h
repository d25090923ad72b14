#pragma once
// The store's files in <data_dir> and the purposes its sub-keys are derived for.
namespace station::security {

inline constexpr const char* kKeyringFile = "keyring.json";
inline constexpr const char* kDatabaseFile = "station.db";
inline constexpr const char* kBlobDir = "blobs";
inline constexpr const char* kElectronicFile = "electronic.db";   // the electronic store, own key
inline constexpr const char* kAuditHeadFile = "audit-head.json";  // the signed head of the audit chain
inline constexpr const char* kLockFile = "station.lock";          // held while a Station is open
inline constexpr const char* kQuarantineDir = "quarantine";        // blobs the startup sweep found unreferenced
// Sub-key purposes (SecretKey::derive); the mailed and electronic stores never share a key.
inline constexpr const char* kDbKeyPurpose = "database";
inline constexpr const char* kBlobKeyPurpose = "blobs";
inline constexpr const char* kElectronicKeyPurpose = "electronic-database";
// Master-key rotation (keys.h). The next generation of the store is built in
// <data_dir>/rotation.partial and committed by renaming it to rotation.ready.
inline constexpr const char* kRotationPartialDir = "rotation.partial";
inline constexpr const char* kRotationReadyDir = "rotation.ready";

}  // namespace station::security
