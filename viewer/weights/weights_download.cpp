#include "weights/weights_download.h"

#include <exception>

#include "nst/weights.h"

namespace nstv {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

}  // namespace

const char* download_state_name(WeightsDownload::State s) {
    switch (s) {
        case WeightsDownload::State::Idle: return "idle";
        case WeightsDownload::State::Running: return "running";
        case WeightsDownload::State::Done: return "done";
        case WeightsDownload::State::Failed: return "failed";
        case WeightsDownload::State::Cancelled: return "cancelled";
    }
    return "?";
}

void WeightsDownload::start(const std::string& url, const std::filesystem::path& dest) {
    if (state() == State::Running) return;
    if (thread_.joinable()) thread_.join();  // the previous attempt has finished: joins at once
    {
        const std::lock_guard lock(mu_);
        error_.clear();
        path_.clear();
        ++attempt_;
    }
    done_.store(0);
    total_.store(0);
    started_ns_.store(now_ns());
    state_.store(State::Running, std::memory_order_release);
    thread_ = std::jthread([this, url, dest](std::stop_token stop) { run(stop, url, dest); });
}

void WeightsDownload::cancel_and_wait() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
}

void WeightsDownload::run(std::stop_token stop, std::string url, std::filesystem::path dest) {
    nst::FetchOptions o;
    o.url = std::move(url);
    o.dest = std::move(dest);
    o.stop = stop;
    auto last_wake = Clock::now();
    o.progress = [&](std::uint64_t done, std::uint64_t total) {
        done_.store(done, std::memory_order_relaxed);
        total_.store(total, std::memory_order_relaxed);
        if (const auto t = Clock::now(); t - last_wake > std::chrono::milliseconds(200)) {
            last_wake = t;
            wake();
        }
        return !stop.stop_requested();
    };
    State result = State::Failed;
    try {
        nst::check_weights_url(o.url);
        const nst::FetchResult r = nst::fetch_vgg19_features(o);
        const std::lock_guard lock(mu_);
        path_ = r.path;
        bytes_downloaded_ = r.bytes_downloaded;
        remote_size_ = r.remote_size;
        result = State::Done;
    } catch (const nst::FetchCancelled&) {
        result = State::Cancelled;
    } catch (const std::exception& e) {
        const std::lock_guard lock(mu_);
        error_ = e.what();
        result = stop.stop_requested() ? State::Cancelled : State::Failed;
    }
    state_.store(result, std::memory_order_release);
    wake();
}

WeightsDownload::Snapshot WeightsDownload::snapshot() const {
    Snapshot s;
    s.state = state();
    s.done = done_.load(std::memory_order_relaxed);
    s.total = total_.load(std::memory_order_relaxed);
    if (const std::int64_t t0 = started_ns_.load(); t0 != 0) s.seconds = (now_ns() - t0) * 1e-9;
    const std::lock_guard lock(mu_);
    s.error = error_;
    s.path = path_;
    s.bytes_downloaded = bytes_downloaded_;
    s.remote_size = remote_size_;
    s.attempt = attempt_;
    return s;
}

}  // namespace nstv
