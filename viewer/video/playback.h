#pragma once
// Playback of a rendered clip beside its content, so flicker can be judged by eye: a worker thread
// decodes rendered frame k (from the output, a video file or a frame pattern) and content frame k
// (from the clip) and hands both over as RGBA; the UI uploads them and shows them as a comparison
// (side by side or split, the view modes of stills). Playing advances at the clip's rate as fast
// as frames arrive; the UI never waits for a decode.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "canvas/image_view.h"
#include "gl/texture.h"
#include "run/frame.h"

namespace nstv {

class Playback {
public:
    // `wake` (thread-safe) is called on the worker after each decoded frame: the UI draws it.
    explicit Playback(std::function<void()> wake = {});
    ~Playback();
    Playback(const Playback&) = delete;
    Playback& operator=(const Playback&) = delete;

    // Shows `output` (rendered frames first_frame, first_frame+1, ... of `clip`) from frame `frame`.
    void open(const std::string& output, int first_frame, int frames, const std::string& clip, double fps, int frame);
    void close();
    [[nodiscard]] bool on() const { return !output_.empty(); }
    void toggle_play() { playing_ = !playing_; }
    [[nodiscard]] bool playing() const { return playing_; }
    // Moves to clip frame `frame` (kept inside the rendered range).
    void seek(int frame);
    // Per UI frame: takes what the worker decoded, uploads it, advances when playing.
    void update();
    [[nodiscard]] int frame() const { return shown_; }
    [[nodiscard]] int first_frame() const { return first_; }
    [[nodiscard]] int last_frame() const { return first_ + frames_ - 1; }
    // The comparison to draw (null until the first frame arrived); `error` the worker's last one.
    [[nodiscard]] const ImageView::Compare* view() const { return shown_ >= 0 ? &compare_ : nullptr; }
    [[nodiscard]] const std::string& error() const { return error_; }

private:
    struct Request {
        std::string output, clip;
        int first = 0, frame = 0;
        bool reopen = false;  // a new render may have rewritten the output under the same name
    };
    struct Decoded {
        int frame = 0;
        Rgba8 rendered, content;
        std::string error;
    };
    void run(std::stop_token stop);
    void ask(int frame);

    std::function<void()> wake_;
    std::string output_, clip_;
    int first_ = 0, frames_ = 0;
    double fps_ = 25;
    bool playing_ = false;
    int asked_ = -1, shown_ = -1;
    bool reopen_ = false;
    std::chrono::steady_clock::time_point shown_at_;
    Texture rendered_, content_;
    ImageView::Compare compare_;
    std::string error_;

    std::mutex mu_;
    std::condition_variable_any cv_;
    std::optional<Request> request_;
    std::optional<Decoded> decoded_;
    std::jthread worker_;
};

}  // namespace nstv
