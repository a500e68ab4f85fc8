#pragma once
// Which weights URLs are accepted (see check_weights_url in nst/weights.h).
#include <string>

namespace nst {

// True for an http:// URL whose host is loopback. Such a URL never goes through a proxy (a proxy
// cannot reach this machine's loopback) and may redirect to plain http.
bool is_loopback_http_url(const std::string& url);

}  // namespace nst
