#pragma once
// Where the ImageNet VGG19 weights come from when --weights is not given: the per-user cache, and
// the download into it.
//
// The download fetches only the convolution tensors (features.*, about 80 MB of the 575 MB model
// file) with HTTP range requests, writes them as a features-only .safetensors file (atomically)
// and validates it with the same reader and checks as any weights file before it lands in the
// cache. No LibTorch here.
//
// Meant to run on any thread: a program's main thread (nst --fetch-weights) or a viewer's
// background thread, which watches `progress` and cancels with a stop token or by returning false.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "nst/error.h"

namespace nst {

// $XDG_CACHE_HOME/nst, or ~/.cache/nst.
std::filesystem::path cache_dir();

// The features-only VGG19 file in the cache (cache_dir()/vgg19-features.safetensors).
std::filesystem::path cached_weights_path();

// The cached weights file if it exists.
std::optional<std::filesystem::path> find_cached_weights();

// torchvision's VGG19 ImageNet weights in safetensors form (timm's vgg19.tv_in1k, BSD-3-Clause).
inline constexpr std::string_view kDefaultWeightsUrl =
    "https://huggingface.co/timm/vgg19.tv_in1k/resolve/main/model.safetensors";

// $NST_WEIGHTS_URL when set and not empty, else kDefaultWeightsUrl.
std::string weights_url_from_env();

// Throws nst::UsageError unless `url` is https://, or http:// to a loopback host (127.0.0.0/8,
// localhost, [::1]; for tests and local mirrors). Plain http elsewhere could be tampered with.
void check_weights_url(const std::string& url);

struct FetchOptions {
    std::string url = std::string(kDefaultWeightsUrl);
    // Where the features-only file goes; empty means cached_weights_path(). Its directory is
    // created if needed. An existing file there is replaced only by a validated new one.
    std::filesystem::path dest;

    // Called on the fetching thread, often (several times a second while data flows, about once a
    // second while it does not): `done` of `total` bytes of what must be fetched (the header and
    // the features tensors). `total` is 0 until the remote header has been read. Return false to
    // cancel. Throttle any drawing yourself.
    std::function<bool(std::uint64_t done, std::uint64_t total)> progress;
    // Cancels the fetch when a stop is requested (e.g. a std::jthread's token); noticed within
    // about a second, also while connecting or waiting before a retry.
    std::stop_token stop;

    // Connecting (name lookup + TCP + TLS) may take this long.
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(20)};
    // A transfer slower than low_speed_limit bytes/s for this long (whole seconds: libcurl's
    // granularity) counts as stalled and is retried.
    std::chrono::seconds stall_timeout{30};
    std::uint64_t low_speed_limit = 1024;
    // Transient failures (HTTP 5xx/408/429, timeouts, resets, truncated bodies) are retried this
    // many times without progress; an attempt that received data resumes where it stopped and does
    // not use up a retry. 404, 403, DNS failures and refused connections fail at once.
    int retries = 4;
    std::chrono::milliseconds retry_backoff{1000};  // first wait; doubled for each retry, at most 30 s
};

struct FetchResult {
    std::filesystem::path path;          // the features-only file written
    std::uint64_t bytes_downloaded = 0;  // HTTP body bytes received (all requests and retries)
    std::uint64_t remote_size = 0;       // size of the remote file (0 if the server never said)
    std::uint64_t file_size = 0;         // size of the file written
    bool used_ranges = false;            // false: the server ignored Range and the file was streamed
    int requests = 0;                    // HTTP requests made (redirects not counted)
};

// The fetch was cancelled through FetchOptions::progress or ::stop. Nothing was written.
class FetchCancelled : public Error {
public:
    using Error::Error;
};

// Fetches the features of the VGG19 model at options.url into options.dest (see the top of this
// file). Throws nst::UsageError for a refused URL, FetchCancelled when cancelled, and nst::Error
// with a one-line message naming the URL for everything else: HTTP 404/403/5xx (with the code),
// offline (name lookup or connection failure), timeouts, a truncated body, a corrupt header or
// a model that is not VGG19, no space left. On any failure no file is left behind (an existing
// cached file is kept as it was).
FetchResult fetch_vgg19_features(const FetchOptions& options);

}  // namespace nst
