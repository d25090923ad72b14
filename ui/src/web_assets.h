#pragma once
// The web UI's static files, compiled into the binary (the kiosk runs one executable).
#include <string_view>

namespace ui::assets {
extern const std::string_view kStyleCss;  // served as /static/app.css
extern const std::string_view kAppJs;     // served as /static/app.js
}  // namespace ui::assets
