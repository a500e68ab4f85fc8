#pragma once
// The terminal progress display of `nst`: a single redrawn line on a TTY, plain periodic lines
// otherwise (logs, CI), so that piping the output never fills a file with carriage returns.
#include <chrono>
#include <cstdio>
#include <string>

#include "nst/engine.h"

namespace nst::cli {

class Progress {
public:
    Progress(int total_steps, std::FILE* out);
    // Called after each step with that step's losses.
    void update(int step, const Losses& losses);
    // Ends the line (TTY) and prints the total time.
    void finish();

private:
    [[nodiscard]] std::string line(int step, const Losses& losses) const;

    int total_;
    std::FILE* out_;
    bool tty_;
    int plain_every_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace nst::cli
