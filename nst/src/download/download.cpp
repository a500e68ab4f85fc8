// fetch_vgg19_features: the request loop (ranges, retries, resume), then saving and validating.
#include "nst/weights.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>

#include "download/features_assembler.h"
#include "download/http.h"
#include "download/weights_url.h"
#include "weights/safetensors.h"
#include "weights/vgg19_check.h"

namespace nst {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string http_status_problem(long status) {
    const std::string code = "HTTP " + std::to_string(status);
    switch (status) {
        case 401: return code + " Unauthorized: the server wants credentials";
        case 403: return code + " Forbidden: the server refuses access to this file";
        case 404: return code + " Not Found: there is no file at this URL";
        case 408: return code + " Request Timeout";
        case 410: return code + " Gone: the file was removed";
        case 416: return code + " Range Not Satisfiable: the file is shorter than its header says";
        case 429: return code + " Too Many Requests";
        case 500: return code + " Internal Server Error";
        case 502: return code + " Bad Gateway";
        case 503: return code + " Service Unavailable";
        case 504: return code + " Gateway Timeout";
        default: return code + (status >= 500 ? " (server error)" : " (request refused)");
    }
}

bool is_transient_status(long status) { return status >= 500 || status == 408 || status == 429; }

// What went wrong in one attempt, and whether trying again can help.
struct Problem {
    std::string text;
    bool transient = false;
};

Problem curl_problem(const http::Outcome& o) {
    const std::string detail = " (" + o.detail + ")";
    switch (o.code) {
        case CURLE_HTTP_RETURNED_ERROR: return {http_status_problem(o.status), is_transient_status(o.status)};
        case CURLE_COULDNT_RESOLVE_HOST: return {"cannot resolve the host name; are you offline?" + detail, false};
        case CURLE_COULDNT_RESOLVE_PROXY: return {"cannot resolve the proxy's host name" + detail, false};
        case CURLE_COULDNT_CONNECT: return {"cannot connect to the server; are you offline?" + detail, false};
        case CURLE_OPERATION_TIMEDOUT: return {"timed out" + detail, true};
        case CURLE_PARTIAL_FILE: return {"truncated body: the connection closed before all announced bytes arrived" + detail, true};
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_SSL_CONNECT_ERROR: return {"the connection broke" + detail, true};
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE: return {"the server's TLS certificate could not be verified" + detail, false};
        case CURLE_UNSUPPORTED_PROTOCOL: return {"refused protocol (only https, or http to loopback)" + detail, false};
        default: return {std::string(curl_easy_strerror(o.code)) + detail, false};
    }
}

std::string mb(std::uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return buf;
}

// A file name of our own next to dest, removed again unless released.
class Staging {
public:
    explicit Staging(const fs::path& dest) {
        static std::atomic<unsigned> counter{0};
        // Built with append: GCC 12 warns falsely (-Wrestrict) on chained operator+ here.
        std::string name = ".";
        name.append(dest.filename().string()).append(".download-").append(std::to_string(::getpid()));
        name.append("-").append(std::to_string(counter++));
        path_ = dest.parent_path() / name;
    }
    ~Staging() {
        std::error_code ec;
        if (!path_.empty()) fs::remove(path_, ec);
    }
    Staging(const Staging&) = delete;
    Staging& operator=(const Staging&) = delete;
    [[nodiscard]] const fs::path& path() const { return path_; }
    void release() { path_.clear(); }

private:
    fs::path path_;
};

// Refuses before the download what would fail after it: the features must fit next to the
// cached file (the old one stays until the new one is validated).
void check_free_space(const fs::path& dir, std::uint64_t needed, const std::string& url) {
    struct statvfs st {};
    if (::statvfs(dir.c_str(), &st) != 0) return;  // unknown: the write will tell
    const std::uint64_t avail = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
    if (avail < needed)
        throw Error(url + ": cannot save the weights in " + dir.string() + ": " + std::strerror(ENOSPC) + " (" +
                    mb(needed) + " needed, " + mb(avail) + " free)");
}

void make_directory(const fs::path& dir, const std::string& url) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(url + ": cannot create the directory " + dir.string() + " for the weights (" + ec.message() + ")");
}

// Reads the written file back with the reader every weights file goes through: header, VGG19
// shapes, and every value (finite).
void validate_written(const fs::path& path, const std::string& url) {
    try {
        const safetensors::Header header = safetensors::read_header(path);
        check_vgg19_features(header, path.string());
        for (const safetensors::TensorInfo& t : header.tensors) (void)safetensors::read_as_f32(path, header, t);
    } catch (const Error& e) {
        throw Error(url + ": the downloaded weights are unusable: " + e.what());
    }
}

class Fetcher {
public:
    explicit Fetcher(const FetchOptions& o)
        : o_(o),
          dest_(o.dest.empty() ? cached_weights_path() : o.dest),
          client_(http::Settings{o.connect_timeout, o.stall_timeout, o.low_speed_limit, is_loopback_http_url(o.url)}),
          parts_(o.url) {}

    FetchResult run() {
        int failures = 0;  // consecutive attempts that failed without receiving anything needed
        while (!parts_.complete()) {
            const std::uint64_t before = parts_.done();
            const Problem problem = attempt(parts_.next_request());
            if (problem.text.empty()) {
                failures = 0;
                continue;
            }
            if (!problem.transient) fail(problem.text);
            // An attempt that made progress resumes from where it stopped without using a retry.
            failures = parts_.done() > before ? 0 : failures + 1;
            if (failures > o_.retries)
                fail(problem.text + (o_.retries > 0 ? " (gave up after " + std::to_string(failures) + " attempts)" : ""));
            wait_before_retry(failures);
        }
        // The last word goes to the caller: a cancel that came with the final bytes still counts.
        if (!report_progress(true)) throw FetchCancelled(o_.url + ": download cancelled");
        return save();
    }

private:
    [[noreturn]] void fail(const std::string& problem) const { throw Error(o_.url + ": " + problem); }

    // A handler's exception: ours (nst::Error, FetchCancelled) as it is; any other (the libcurl
    // wrapper's std::runtime_error for a 206 without Content-Range, ...) becomes nst::Error
    // naming the URL, so a hostile server never makes an exception of another type escape.
    [[noreturn]] void rethrow_as_error(const std::exception_ptr& error) const {
        try {
            std::rethrow_exception(error);
        } catch (const Error&) {
            throw;
        } catch (const std::exception& e) {
            fail(e.what());
        }
    }

    bool cancelled() const { return o_.stop.stop_requested(); }

    // Calls the user's progress at most ~10 times a second (always when `force`); false = cancel.
    // The stop token is checked on every call.
    bool report_progress(bool force) {
        if (cancelled()) return false;
        if (!o_.progress) return true;
        const auto now = Clock::now();
        if (!force && now - last_report_ < std::chrono::milliseconds(100)) return true;
        last_report_ = now;
        // The token again afterwards: the callback is where a caller typically decides to stop.
        return o_.progress(parts_.done(), parts_.total()) && !cancelled();
    }

    // One request for `want`. Returns an empty problem when it delivered what it should.
    Problem attempt(const ByteRange want) {
        const std::uint64_t before = parts_.done();
        std::uint64_t pos = 0;
        long status = 0;
        http::Handlers h;
        h.on_start = [&](const http::ResponseStart& r) {
            status = r.status;
            if (r.status == 206 && r.first_byte > want.begin)
                fail("the server answered a request for bytes " + std::to_string(want.begin) + "-" +
                     std::to_string(want.end - 1) + " with bytes from " + std::to_string(r.first_byte));
            if (r.status != 200 && r.status != 206) fail("unexpected HTTP " + std::to_string(r.status) + " response");
            // A 200 is the whole file from byte 0: the server ignores Range. It is read to the
            // end of the last needed byte in one pass, keeping only the needed pieces.
            if (r.status == 200) streamed_ = true;
            if (r.file_size) parts_.set_remote_size(*r.file_size);
            pos = r.first_byte;
        };
        h.on_data = [&](std::span<const std::uint8_t> data) {
            parts_.accept(pos, data);
            pos += data.size();
            if (parts_.total() > 0 && !dir_ready_) prepare_directory();
            return !parts_.complete();
        };
        h.keep_going = [&] { return report_progress(false); };

        const http::Outcome out = client_.get(o_.url, want.begin, want.end, h);
        ++requests_;
        bytes_ += out.body_bytes;
        if (out.error) rethrow_as_error(out.error);
        if (out.cancelled) throw FetchCancelled(o_.url + ": download cancelled");
        if (out.code != CURLE_OK) return curl_problem(out);
        if (status == 0 && out.status != 200 && out.status != 206)  // no body reached on_start
            fail("unexpected HTTP " + std::to_string(out.status) + " response");
        // A response that ended normally but short of what was asked (or, from a server that
        // ignores Range, with nothing new) is a truncated body too.
        if (!parts_.complete() && (parts_.first_missing() < want.end || parts_.done() == before))
            return {"truncated body: the data ended at byte " + std::to_string(parts_.first_missing()) +
                        " of the file, before byte " + std::to_string(want.end) + " that was asked for",
                    true};
        return {};
    }

    void wait_before_retry(int failures) {
        const auto first = std::max(o_.retry_backoff, std::chrono::milliseconds(0));
        const int doublings = std::clamp(failures - 1, 0, 16);
        const auto delay = std::min<std::chrono::milliseconds>(first * (1 << doublings), std::chrono::seconds(30));
        const auto until = Clock::now() + delay;
        while (Clock::now() < until) {
            if (!report_progress(false)) throw FetchCancelled(o_.url + ": download cancelled");
            std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(50), until - Clock::now()));
        }
    }

    // As soon as the header tells the size, before the tensors are fetched: a cache directory
    // that cannot be created or a full disk is reported without downloading 80 MB first.
    void prepare_directory() {
        make_directory(dir_, o_.url);
        check_free_space(dir_, parts_.total() + (1u << 20), o_.url);
        dir_ready_ = true;
    }

    FetchResult save() {
        if (!dir_ready_) prepare_directory();
        const std::vector<safetensors::OutTensor> tensors = parts_.take_tensors();
        Staging staging(dest_);
        try {
            safetensors::write(staging.path(), tensors, parts_.metadata());
        } catch (const Error& e) {
            throw Error(o_.url + ": cannot save the weights: " + e.what());
        }
        validate_written(staging.path(), o_.url);
        std::error_code ec;
        fs::rename(staging.path(), dest_, ec);
        if (ec) throw Error(o_.url + ": cannot move the weights to " + dest_.string() + " (" + ec.message() + ")");
        staging.release();

        FetchResult r;
        r.path = dest_;
        r.bytes_downloaded = bytes_;
        r.remote_size = parts_.remote_size();
        r.file_size = fs::file_size(dest_, ec);
        r.used_ranges = !streamed_;
        r.requests = requests_;
        return r;
    }

    const FetchOptions& o_;
    const fs::path dest_;
    const fs::path dir_ = dest_.has_parent_path() ? dest_.parent_path() : fs::path(".");
    http::Client client_;
    FeaturesAssembler parts_;
    std::uint64_t bytes_ = 0;
    int requests_ = 0;
    bool streamed_ = false;
    bool dir_ready_ = false;
    Clock::time_point last_report_{};
};

}  // namespace

FetchResult fetch_vgg19_features(const FetchOptions& options) {
    check_weights_url(options.url);
    return Fetcher(options).run();
}

}  // namespace nst
