#pragma once
// Saving screenshots off the UI thread. The UI hands over pixels (a copy it already has) and
// returns at once; a worker encodes the PNG and writes it under a timestamped name that never
// replaces an existing file (temp file + link(2), which fails instead of overwriting). What the
// image was made with goes into the PNG itself, as a tEXt "Comment" chunk holding one JSON object
// (ASCII: result_metadata() escapes the rest; `identify -format %c`, exiftool or any PNG library reads it); the name keeps only the
// time, the step and "-untrained" for results of untrained features.
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "run/frame.h"

namespace nstv {

// The folder used when the user names none: ~/Pictures/nst when ~/Pictures exists, else ".".
std::filesystem::path default_screenshot_dir();

// "<prefix>-YYYYMMDD-HHMMSS-mmm" for now (local time).
std::string timestamped_name(const std::string& prefix);
// A fresh output name in `dir` for a render dialog: "DIR/PREFIX-<time>[-untrained]EXT" (a result of
// untrained features says so in its name, as screenshots do).
std::string fresh_output_path(const std::string& dir, const std::string& prefix, bool untrained, const std::string& ext);

// Encodes PNG (with `comment` as a tEXt "Comment" chunk unless empty) and writes dir/stem.png, or
// dir/stem-2.png, ... if taken. The file appears complete or not at all. Creates dir if needed.
// Returns the path; throws std::runtime_error.
std::filesystem::path save_png_no_overwrite(const Rgba8& img, const std::filesystem::path& dir,
                                            const std::string& stem, const std::string& comment = {});

class ScreenshotSaver {
public:
    struct Result {
        bool ok = false;
        std::string message;  // the path, or what went wrong
    };

    ScreenshotSaver();
    ~ScreenshotSaver();  // finishes pending saves: nothing is left half-written
    ScreenshotSaver(const ScreenshotSaver&) = delete;
    ScreenshotSaver& operator=(const ScreenshotSaver&) = delete;

    void save(Rgba8 img, std::filesystem::path dir, std::string stem, std::string comment = {});
    // Finished saves since the last call; never blocks (try-lock).
    std::vector<Result> take_results();

private:
    struct Job {
        Rgba8 img;
        std::filesystem::path dir;
        std::string stem;
        std::string comment;
    };
    void run();

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Job> jobs_;
    std::vector<Result> results_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace nstv
