#pragma once
// Private: a seam for tests. A registered factory opens scanners instead of SANE (a fake that
// delivers chosen pages, jams after n pages, ...); the real SANE path is tested separately
// through libsane's pnm backend. Not for production code.
#include <functional>
#include <memory>
#include <string>

#include "scanner/scanner.h"

namespace station::scan_hooks {

using ScannerFactory = std::function<scanner::Result<std::unique_ptr<scanner::Scanner>>(const std::string& device)>;

// An empty factory restores SANE.
void set_scanner_factory(ScannerFactory factory);

}  // namespace station::scan_hooks
