#pragma once
// A small libcurl wrapper for the downloader: one easy handle (so requests reuse the connection),
// GET of one byte range at a time, the body handed to callbacks as it arrives. Internal.
#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace nst::http {

struct Settings {
    std::chrono::milliseconds connect_timeout{20'000};
    std::chrono::seconds stall_timeout{30};
    std::uint64_t low_speed_limit = 1024;  // bytes/s
    bool loopback = false;                 // plain http to this machine: no proxy, http redirects allowed
};

// What the server answered, known before the first body byte.
struct ResponseStart {
    long status = 0;                          // 200 or 206 (other codes fail or are not bodies)
    std::uint64_t first_byte = 0;             // file offset of the first body byte (0 for a 200)
    std::optional<std::uint64_t> file_size;   // from Content-Range ".../N" or a 200's Content-Length
};

// Callbacks run on the calling thread inside get(). on_start and on_data may throw; the transfer
// is then aborted and the exception is returned in Outcome::error.
struct Handlers {
    std::function<void(const ResponseStart&)> on_start;
    // Returns false when nothing more of this response is wanted (the transfer stops cleanly).
    std::function<bool(std::span<const std::uint8_t>)> on_data;
    // Polled often, also while nothing arrives; false cancels the transfer.
    std::function<bool()> keep_going;
};

struct Outcome {
    CURLcode code = CURLE_OK;
    long status = 0;               // HTTP status of the final response (0 if none)
    std::string detail;            // libcurl's error text for `code`
    bool stopped_early = false;    // on_data returned false (not an error)
    bool cancelled = false;        // keep_going returned false
    std::exception_ptr error;      // thrown by a handler
    std::uint64_t body_bytes = 0;  // body bytes received
};

class Client {
public:
    explicit Client(const Settings& settings);

    // GET url with "Range: bytes=begin-(end-1)"; end == 0 means "to the end of the file".
    // Redirects are followed (the Range is sent again). HTTP errors (>= 400) end the transfer
    // before any body reaches the handlers.
    Outcome get(const std::string& url, std::uint64_t begin, std::uint64_t end, const Handlers& handlers);

private:
    struct CurlDeleter {
        void operator()(CURL* c) const { curl_easy_cleanup(c); }
    };
    std::unique_ptr<CURL, CurlDeleter> curl_;
};

}  // namespace nst::http
