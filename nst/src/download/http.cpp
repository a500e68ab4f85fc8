#include "download/http.h"

#include <strings.h>

#include <cstdio>
#include <stdexcept>
#include <string_view>

#include "nst/nst.h"

namespace nst::http {
namespace {

// curl_global_init is not guaranteed thread-safe on every libcurl build, and the viewer may
// start a download on a background thread: a function-local static runs it exactly once.
void global_init_once() {
    static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) throw std::runtime_error(std::string("libcurl initialisation failed: ") + curl_easy_strerror(rc));
}

// Per-request state the C callbacks reach through their userdata pointer.
struct Transfer {
    CURL* curl = nullptr;
    const Handlers* handlers = nullptr;
    Outcome* out = nullptr;
    bool started = false;
    // From the Content-Range header of the latest response (redirect responses reset it).
    std::optional<std::uint64_t> range_first;
    std::optional<std::uint64_t> range_size;
};

std::optional<std::uint64_t> parse_u64(std::string_view s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

// "Content-Range: bytes FIRST-LAST/SIZE" (SIZE may be "*").
void parse_content_range(std::string_view value, Transfer& t) {
    value = trim(value);
    if (value.size() < 6 || strncasecmp(value.data(), "bytes ", 6) != 0) return;
    value.remove_prefix(6);
    const auto dash = value.find('-');
    const auto slash = value.find('/');
    if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) return;
    t.range_first = parse_u64(trim(value.substr(0, dash)));
    t.range_size = parse_u64(trim(value.substr(slash + 1)));
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* userdata) {
    auto& t = *static_cast<Transfer*>(userdata);
    const std::string_view line(data, size * count);
    constexpr std::string_view kRange = "content-range:";
    if (line.starts_with("HTTP/")) {  // a new response (after a redirect): forget the last one's headers
        t.range_first.reset();
        t.range_size.reset();
    } else if (line.size() > kRange.size() && strncasecmp(line.data(), kRange.data(), kRange.size()) == 0) {
        parse_content_range(line.substr(kRange.size()), t);
    }
    return size * count;
}

ResponseStart response_start(const Transfer& t) {
    ResponseStart r;
    curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &r.status);
    if (r.status == 206) {
        if (!t.range_first) throw std::runtime_error("the server answered 206 without a usable Content-Range header");
        r.first_byte = *t.range_first;
        r.file_size = t.range_size;
    } else {
        curl_off_t length = -1;
        curl_easy_getinfo(t.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
        if (r.status == 200 && length >= 0) r.file_size = static_cast<std::uint64_t>(length);
    }
    return r;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* userdata) {
    auto& t = *static_cast<Transfer*>(userdata);
    const std::size_t n = size * count;
    // Exceptions must not unwind through libcurl's C frames: keep them for get() to return.
    try {
        if (!t.started) {
            t.started = true;
            t.handlers->on_start(response_start(t));
        }
        t.out->body_bytes += n;
        if (!t.handlers->on_data({reinterpret_cast<const std::uint8_t*>(data), n})) {
            t.out->stopped_early = true;
            return n == 0 ? 1 : 0;  // any count other than n makes libcurl stop
        }
        return n;
    } catch (...) {
        t.out->error = std::current_exception();
        return n == 0 ? 1 : 0;
    }
}

int on_progress(void* userdata, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto& t = *static_cast<Transfer*>(userdata);
    try {
        if (t.handlers->keep_going()) return 0;
        t.out->cancelled = true;
    } catch (...) {
        t.out->error = std::current_exception();
    }
    return 1;
}

template <typename T>
void set(CURL* c, CURLoption option, T value) {
    if (const CURLcode rc = curl_easy_setopt(c, option, value); rc != CURLE_OK)
        throw std::runtime_error(std::string("libcurl option refused: ") + curl_easy_strerror(rc));
}

}  // namespace

Client::Client(const Settings& settings) {
    global_init_once();
    curl_.reset(curl_easy_init());
    if (!curl_) throw std::runtime_error("libcurl: cannot create a transfer handle");
    CURL* c = curl_.get();
    // No signals: libcurl may otherwise use SIGALRM for name-lookup timeouts, which is unsafe
    // in a multi-threaded program (the viewer downloads on a background thread).
    set(c, CURLOPT_NOSIGNAL, 1L);
    set(c, CURLOPT_FOLLOWLOCATION, 1L);  // the hub's URL redirects to a CDN
    set(c, CURLOPT_MAXREDIRS, 10L);
    const char* protocols = settings.loopback ? "http,https" : "https";
    set(c, CURLOPT_PROTOCOLS_STR, protocols);
    set(c, CURLOPT_REDIR_PROTOCOLS_STR, protocols);  // no downgrade to http through a redirect
    set(c, CURLOPT_SSL_VERIFYPEER, 1L);  // libcurl's defaults, stated because they matter here
    set(c, CURLOPT_SSL_VERIFYHOST, 2L);
    // Proxies come from the environment (http_proxy, https_proxy, no_proxy) as libcurl does by
    // default, except for loopback: a proxy elsewhere could not reach this machine's 127.0.0.1.
    if (settings.loopback) set(c, CURLOPT_PROXY, "");
    set(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings.connect_timeout.count()));
    set(c, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(settings.low_speed_limit));
    set(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(settings.stall_timeout.count()));
    set(c, CURLOPT_FAILONERROR, 1L);  // >= 400: an error code, and the error page is not taken for data
    const std::string agent = std::string("nst/") + nst::version();
    set(c, CURLOPT_USERAGENT, agent.c_str());  // copied by libcurl
    set(c, CURLOPT_HEADERFUNCTION, &on_header);
    set(c, CURLOPT_WRITEFUNCTION, &on_body);
    set(c, CURLOPT_XFERINFOFUNCTION, &on_progress);
    set(c, CURLOPT_NOPROGRESS, 0L);
}

Outcome Client::get(const std::string& url, std::uint64_t begin, std::uint64_t end, const Handlers& handlers) {
    CURL* c = curl_.get();
    Outcome out;
    Transfer t;
    t.curl = c;
    t.handlers = &handlers;
    t.out = &out;
    char error_text[CURL_ERROR_SIZE] = {};
    const std::string range = std::to_string(begin) + "-" + (end > 0 ? std::to_string(end - 1) : std::string());

    set(c, CURLOPT_URL, url.c_str());
    set(c, CURLOPT_RANGE, range.c_str());
    set(c, CURLOPT_ERRORBUFFER, error_text);
    set(c, CURLOPT_HEADERDATA, &t);
    set(c, CURLOPT_WRITEDATA, &t);
    set(c, CURLOPT_XFERINFODATA, &t);
    out.code = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    // The handle outlives this call; leave no pointers to this frame in it.
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, nullptr);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, nullptr);

    out.detail = error_text[0] != '\0' ? std::string(error_text) : std::string(curl_easy_strerror(out.code));
    if (!out.detail.empty() && out.detail.back() == '\n') out.detail.pop_back();
    if (out.stopped_early && !out.error) out.code = CURLE_OK;
    return out;
}

}  // namespace nst::http
