#pragma once
// Short messages in the bottom-left corner of the window (errors, warnings, confirmations); each
// stays for a few seconds, at most five at a time. Errors are also what "a message in the window,
// never a crash" means for a bad input.
#include <chrono>
#include <deque>
#include <string>

#include "run/frame.h"

namespace nstv {

class Toasts {
public:
    void add(Notice::Level level, std::string text, double seconds = 4.0);
    [[nodiscard]] bool empty() const { return items_.empty(); }
    // Drops expired messages and draws the rest.
    void draw();

private:
    struct Item {
        Notice::Level level;
        std::string text;
        std::chrono::steady_clock::time_point until;
    };
    std::deque<Item> items_;
};

}  // namespace nstv
