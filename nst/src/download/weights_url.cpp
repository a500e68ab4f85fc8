// The URL policy of the downloader: https everywhere, plain http only to this machine.
#include "download/weights_url.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <strings.h>

#include <cstdlib>
#include <memory>

#include "nst/error.h"
#include "nst/weights.h"

namespace nst {
namespace {

struct UrlParts {
    std::string scheme;  // lower case
    std::string host;    // IPv4 normalised by libcurl ("127.1" -> "127.0.0.1"); IPv6 in brackets
};

// Parsed with libcurl's own URL parser, so the host checked here is the host libcurl connects to.
bool parse(const std::string& url, UrlParts& out) {
    const std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return false;
    const auto get = [&](CURLUPart part, std::string& dst) {
        char* text = nullptr;
        if (curl_url_get(u.get(), part, &text, 0) != CURLUE_OK) return false;
        dst = text;
        curl_free(text);
        return true;
    };
    return get(CURLUPART_SCHEME, out.scheme) && get(CURLUPART_HOST, out.host);
}

bool is_loopback_host(const std::string& host) {
    if (strcasecmp(host.c_str(), "localhost") == 0) return true;  // libcurl resolves it to loopback itself
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    return host == "[::1]";
}

}  // namespace

std::string weights_url_from_env() {
    if (const char* env = std::getenv("NST_WEIGHTS_URL"); env && *env) return env;
    return std::string(kDefaultWeightsUrl);
}

bool is_loopback_http_url(const std::string& url) {
    UrlParts p;
    return parse(url, p) && p.scheme == "http" && is_loopback_host(p.host);
}

void check_weights_url(const std::string& url) {
    UrlParts p;
    if (!parse(url, p)) throw UsageError("weights URL '" + url + "' is not a valid URL");
    if (p.scheme == "https") return;
    if (p.scheme == "http" && is_loopback_host(p.host)) return;
    // Weights are code-like input (they decide what the program computes): no unauthenticated
    // transport over the network.
    throw UsageError("weights URL '" + url +
                     "': only https:// URLs are accepted (plain http:// only to a loopback address)");
}

}  // namespace nst
