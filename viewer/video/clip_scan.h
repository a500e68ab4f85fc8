#pragma once
// The timeline's marks for a clip, found by a worker thread (the UI never decodes): its shot cuts,
// by the test a render uses (video::TemporalSettings::cut_below: too few pixels reliable against
// the previous frame), on small copies of the frames. Also its frame count and rate, for the
// timeline before the optimizer has loaded the clip.
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace nstv {

class ClipScan {
public:
    struct Result {
        std::string path;
        int frames = 0;          // 0 until the clip is opened
        double fps = 0;
        int scanned = 0;         // frames looked at so far (== frames when done)
        std::vector<int> cuts;   // 0-based frames that begin a new shot
        std::string error;       // the clip could not be read (one line)
        [[nodiscard]] bool done() const { return !error.empty() || (frames > 0 && scanned >= frames); }
    };

    // Starts scanning `path` (the previous scan, if any, is stopped and joined first).
    void start(const std::string& path);
    void stop();
    // The newest result without ever waiting: if the worker is writing right now, `out` keeps what
    // it had and false is returned.
    bool poll(Result& out);
    [[nodiscard]] const std::string& path() const { return path_; }

    ~ClipScan() { stop(); }

private:
    static void run(std::stop_token stop, std::string path, ClipScan* self);
    void publish(const Result& r);

    std::string path_;
    std::mutex mu_;
    Result result_;
    bool changed_ = false;
    std::jthread worker_;
};

}  // namespace nstv
