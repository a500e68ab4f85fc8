#pragma once
// The terminal progress displays of `nst` (optimisation steps, and the weights download): a
// single redrawn line on a TTY, plain periodic lines otherwise (logs, CI), so that piping the
// output never fills a file with carriage returns.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "nst/engine.h"

namespace nst::cli {

// "m:ss", or "h:mm:ss" from an hour on (a negative time reads 0:00).
[[nodiscard]] std::string format_duration(double seconds);

// The line both displays draw: redrawn in place on a TTY at most ~10 times a second.
class StatusLine {
public:
    explicit StatusLine(std::FILE* out);
    [[nodiscard]] bool tty() const { return tty_; }
    // TTY: redraws `text` unless the last draw was under 100 ms ago (`force` always draws).
    void redraw(const std::string& text, bool force);
    // Not a TTY: prints `text` as a line of its own.
    void print(const std::string& text);
    // Ends a line drawn on a TTY (no-op otherwise, or when nothing is drawn).
    void end();
    [[nodiscard]] std::FILE* out() const { return out_; }

private:
    std::FILE* out_;
    bool tty_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_draw_{};
};

class Progress {
public:
    // `label` (e.g. "4 cells, mean loss") starts each line when given.
    Progress(int total_steps, std::FILE* out, std::string label = {});
    // Called after each step with that step's losses.
    void update(int step, const Losses& losses);
    // Within step `step` (running) of tiled steps: `done` of `total` tiles of pass 1 (the
    // statistics, "stats 3/16") or pass 2 (with gradients, "tile 7/16"). Redrawn as often as
    // update() on a TTY; otherwise a plain line only when a step takes long (every 10 s).
    void tile(int step, int pass, int done, int total);
    // `text` as a line of its own (e.g. a level's tiling), ending a drawn bar first.
    void note(const std::string& text);
    // Ends the line (TTY) and prints the total time.
    void finish();

private:
    // The line after `done` steps (fractional within a tiled step), `counter` saying where.
    [[nodiscard]] std::string line(double done, const std::string& counter) const;
    [[nodiscard]] std::string counter(int step) const;
    void print_plain(const std::string& text);

    int total_;
    std::string label_;
    StatusLine status_;
    int plain_every_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_plain_;
    Losses last_{};
    bool have_losses_ = false;  // a step has finished: last_ is worth showing
};

// Bytes, rate and time left of a download. update() may be called as often as the caller likes.
class ByteProgress {
public:
    ByteProgress(std::string label, std::FILE* out);
    ~ByteProgress();  // ends a drawn line, e.g. when the download failed
    ByteProgress(const ByteProgress&) = delete;
    ByteProgress& operator=(const ByteProgress&) = delete;
    // `total` 0 means not known yet.
    void update(std::uint64_t done, std::uint64_t total);
    // Ends the line (TTY) and prints the amount and the time taken.
    void finish();

private:
    [[nodiscard]] std::string line(std::uint64_t done, std::uint64_t total) const;

    std::string label_;
    StatusLine status_;
    int plain_decile_ = -1;  // the last 10% step printed as a plain line
    std::uint64_t done_ = 0;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace nst::cli
