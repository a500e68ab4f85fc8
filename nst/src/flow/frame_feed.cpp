// The worker that prepares content frames ahead of the optimiser: it decodes each frame and computes
// its flows against the earlier frames the temporal loss looks at, so that the (single-threaded)
// flow overlaps the optimisation of the previous frame instead of adding to it.
#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "nst/error.h"
#include "nst/video/flow.h"

namespace nst::video {

FrameFeed::FrameFeed(std::function<Image(int)> load, int first, int last, std::vector<int> offsets, int ahead)
    : load_(std::move(load)), first_(first), last_(last), offsets_(std::move(offsets)), ahead_(std::max(ahead, 1)) {
    std::sort(offsets_.begin(), offsets_.end());
    offsets_.erase(std::unique(offsets_.begin(), offsets_.end()), offsets_.end());
    if (!offsets_.empty() && offsets_.front() < 1)
        throw UsageError("temporal offsets must be at least 1 (got " + std::to_string(offsets_.front()) + ")");
    worker_ = std::thread(&FrameFeed::run, this);
}

FrameFeed::~FrameFeed() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    // The worker checks stop_ before each load and each flow, so this waits for at most one of them.
    worker_.join();
}

std::optional<PreparedFrame> FrameFeed::next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !ready_.empty() || done_; });
    if (!ready_.empty()) {
        PreparedFrame frame = std::move(ready_.front());
        ready_.pop_front();
        ++consumed_;
        lock.unlock();
        changed_.notify_all();  // room for the worker again
        return frame;
    }
    // Frames prepared before a failure were handed out first; now the failure itself.
    if (error_) std::rethrow_exception(error_);
    return std::nullopt;
}

void FrameFeed::run() {
    auto stopping = [&] {
        std::lock_guard lock(mutex_);
        return stop_;
    };
    try {
        // The last max(offsets) frames, oldest first: the earlier ends of the flows of frame t.
        std::deque<Image> history;
        const std::size_t keep = offsets_.empty() ? 0 : static_cast<std::size_t>(offsets_.back());
        for (int t = first_; t <= last_; ++t) {
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return stop_ || static_cast<int>(ready_.size()) < ahead_; });
                if (stop_) break;
            }
            PreparedFrame frame;
            frame.index = t;
            frame.content = load_(t);
            if (frame.content.empty())
                throw Error("video frame " + std::to_string(t) + " is empty");
            if (!history.empty() && (frame.content.width != history.back().width ||
                                     frame.content.height != history.back().height))
                throw Error("video frame " + std::to_string(t) + " is " + std::to_string(frame.content.width) +
                            "x" + std::to_string(frame.content.height) + ", the frame before it " +
                            std::to_string(history.back().width) + "x" + std::to_string(history.back().height));

            const auto start = std::chrono::steady_clock::now();
            for (int j : offsets_) {
                if (t - j < first_) break;  // ascending: the larger offsets reach back further still
                if (stopping()) break;
                const Image& earlier = history[history.size() - static_cast<std::size_t>(j)];
                PreparedFrame::Link link;
                link.offset = j;
                link.backward = compute_flow(frame.content, earlier);
                link.reliability = reliability(link.backward, compute_flow(earlier, frame.content), &link.seen);
                frame.links.push_back(std::move(link));
            }
            if (stopping()) break;  // the destructor is waiting: drop this frame
            frame.flow_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

            if (keep > 0) {
                history.push_back(frame.content);
                if (history.size() > keep) history.pop_front();
            }
            {
                std::lock_guard lock(mutex_);
                ready_.push_back(std::move(frame));
                ++produced_;
            }
            changed_.notify_all();
        }
    } catch (...) {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
    }
    {
        std::lock_guard lock(mutex_);
        done_ = true;
    }
    changed_.notify_all();
}

}  // namespace nst::video
