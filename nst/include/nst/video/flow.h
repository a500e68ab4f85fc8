#pragma once
// Optical flow between content frames and what the temporal loss needs from it (Ruder, Dosovitskiy,
// Brox 2016; docs/LOSS.md): the flow (OpenCV's DIS), each pixel's reliability (forward-backward
// consistency and motion boundaries), warping, the long-term weights, and the worker thread that
// prepares frames ahead of the optimiser. Torch-free; CPU.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "nst/image.h"

namespace nst::video {

// A dense flow field: pixel (x, y) of the frame it is computed *from* moves to (x + u, y + v) in the
// frame it is computed *to*. uv holds (u, v) per pixel, row-major, interleaved.
struct Flow {
    int width = 0, height = 0;
    std::vector<float> uv;
    [[nodiscard]] bool empty() const { return width == 0 || height == 0; }
};

// A per-pixel weight in [0, 1], row-major (width x height).
struct WeightMap {
    int width = 0, height = 0;
    std::vector<float> w;
    [[nodiscard]] double mean() const;
};

// OpenCV's DIS optical flow (Kroeger et al. 2016) on the luminance of two frames of the same size,
// at the MEDIUM preset with variational refinement, its finest scale at full resolution (chosen by
// measurement: nst/src/flow/dis_flow.h). Thread-safe (each call has its own instance); OpenCV is
// kept to one thread, since the optimiser already uses the cores.
Flow compute_flow(const Image& from, const Image& to);

// `image` warped by `backward` (the flow from the current frame t to the earlier frame the image
// belongs to): out(x) = image(x + backward(x)), bilinear, coordinates clamped to the border.
Image warp(const Image& image, const Flow& backward);

// The paper's consistency check for frame t against an earlier frame s: `backward` is the flow
// t -> s, `forward` the flow s -> t. c(x) = 0 where
//   |w~ + w^|^2 > 0.01 (|w~|^2 + |w^|^2) + 0.5     (disocclusion; w^ = backward(x),
//                                                    w~ = forward(x + w^(x)), bilinear)
//   |grad u^|^2 + |grad v^|^2 > 0.01 |w^|^2 + 0.002 (motion boundary)
// or where x + w^(x) falls outside the frame; 1 elsewhere. `seen` (optional) gets the same test
// without the motion boundaries: 1 where the pixel was visible in frame s, so a frame may start
// from the warped earlier result there even where the flow is too blurred to hold it to it.
WeightMap reliability(const Flow& backward, const Flow& forward, WeightMap* seen = nullptr);

// Long-term weights (the paper's eq. 8): given the reliabilities of frame t against t-j for each
// offset j in ascending order, the weight for offset j is max(c_j - sum_{k<j} c_k, 0): per pixel the
// nearest reliable earlier frame wins.
std::vector<WeightMap> long_term_weights(const std::vector<WeightMap>& nearest_first);

// The warping error of the paper's evaluation: mean over reliable pixels (c > 0.5) and channels of
// |current - warp(previous, backward)|. Returns 0 when no pixel is reliable.
double warping_error(const Image& current, const Image& previous, const Flow& backward, const WeightMap& c);

// Mean end-point error of `flow` against `truth` (same size), over all pixels.
double end_point_error(const Flow& flow, const Flow& truth);

// One content frame, prepared for the optimiser: the frame at the stylization size and, for each
// temporal offset j (ascending) with t - j >= first, the backward flow t -> t-j and its reliability.
struct PreparedFrame {
    int index = 0;
    Image content;
    struct Link {
        int offset = 0;
        Flow backward;          // t -> t - offset
        WeightMap reliability;  // of frame t against t - offset
        WeightMap seen;         // visible in t - offset (reliability's test without motion boundaries)
    };
    std::vector<Link> links;
    double flow_ms = 0;  // time the worker spent on this frame's flows
};

// Decodes (through `load`, which is called on the worker thread only) and computes the flows of
// frames first..last on a worker thread, up to `ahead` frames ahead of the consumer. next() blocks
// until the next frame is ready and rethrows an error of the worker (e.g. a corrupt frame) on the
// consumer's thread. The destructor stops and joins the worker.
class FrameFeed {
public:
    FrameFeed(std::function<Image(int)> load, int first, int last, std::vector<int> offsets, int ahead = 2);
    ~FrameFeed();
    FrameFeed(const FrameFeed&) = delete;
    FrameFeed& operator=(const FrameFeed&) = delete;

    // The next frame in order (first, first+1, ..., last); nullopt after last.
    std::optional<PreparedFrame> next();

private:
    void run();

    std::function<Image(int)> load_;
    int first_, last_;
    std::vector<int> offsets_;
    int ahead_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<PreparedFrame> ready_;
    std::exception_ptr error_;
    int produced_ = 0, consumed_ = 0;
    bool stop_ = false, done_ = false;
    std::thread worker_;
};

}  // namespace nst::video
