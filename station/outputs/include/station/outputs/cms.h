#pragma once
// The set's protection (OpenSSL 3, libcrypto): CMS (S/MIME) SignedData by the station's own
// certificate, wrapped in EnvelopedData encrypted with AES-256 to the prefecture's X.509
// certificate. `openssl cms -decrypt` and any S/MIME tool open it (docs/outputs.md).
// Thread-safe (no shared state); every function reports failure as a value.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "station/error.h"
#include "station/model.h"

namespace station::outputs {

// A certificate read from PEM or DER (subject, expiry, SHA-256 fingerprint, PEM form).
// kInvalidInput (with a Japanese reason) when it is no X.509 certificate, has expired, or has a
// key CMS cannot encrypt to (RSA or EC only).
Result<ExportCertificate> read_certificate(std::string_view pem_or_der);

// The station's own signing identity: a self-signed certificate (EC P-256, ten years) and its key.
struct SigningIdentity {
  std::string cert_pem;
  std::string key_pem;
};
Result<SigningIdentity> make_signing_identity(const std::string& common_name);
// A recipient's pair (RSA 3072, keyEncipherment, ten years), for the demo's stand-in prefecture:
// the real one is the prefecture's LGPKI certificate, whose key never comes near the station.
Result<SigningIdentity> make_recipient_identity(const std::string& common_name);

// `content` signed (SignedData, the signer's certificate included, binary) and then encrypted
// (EnvelopedData, AES-256-CBC) to `recipient_pem`, streamed (BER) into `path`.part as it is
// produced — no copy of the content is held — then flushed to disk and renamed to `path`, the
// folder synced: either the whole file is there or none. Returns the file's SHA-256 (hex).
Result<std::string> sign_and_encrypt_to_file(std::span<const unsigned char> content, const SigningIdentity& signer,
                                             const std::string& recipient_pem, const std::string& path);

// SHA-256 as lower-case hex.
std::string sha256_hex(std::span<const unsigned char> bytes);

}  // namespace station::outputs
