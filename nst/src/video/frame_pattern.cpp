// Frame patterns: recognising "%04d" in a path and expanding it (frame_pattern.h, video_io.h).
// Only the integer conversion is interpreted (never handed to printf), so a stray "%s" or "%n" in
// a user's path can do nothing but make it "not a pattern".
#include "video/frame_pattern.h"

#include <cctype>
#include <cstdio>

#include "nst/error.h"
#include "nst/video/video_io.h"

namespace nst::video {
namespace {

// Parses the conversion starting at s[i] == '%'; returns the index after it, the zero-padded
// width in `width`, or npos when it is not an integer conversion. "%%" gives width -1.
std::size_t parse_conversion(const std::string& s, std::size_t i, int& width) {
    std::size_t j = i + 1;
    if (j < s.size() && s[j] == '%') {
        width = -1;
        return j + 1;
    }
    width = 0;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
        width = width * 10 + (s[j] - '0');
        if (width > 32) return std::string::npos;  // no one numbers frames with 33 digits
        ++j;
    }
    if (j < s.size() && s[j] == 'd') return j + 1;
    return std::string::npos;
}

}  // namespace

int count_pattern_conversions(const std::string& path) {
    int count = 0;
    for (std::size_t i = 0; i < path.size();) {
        if (path[i] != '%') {
            ++i;
            continue;
        }
        int width = 0;
        const std::size_t next = parse_conversion(path, i, width);
        if (next == std::string::npos) return -1;
        if (width >= 0) ++count;
        i = next;
    }
    return count;
}

bool is_frame_pattern(const std::string& path) { return count_pattern_conversions(path) == 1; }

std::filesystem::path pattern_path(const std::string& pattern, int number) {
    if (!is_frame_pattern(pattern)) throw UsageError(pattern + ": not a frame pattern (it needs one %d, e.g. frame_%04d.png)");
    std::string out;
    for (std::size_t i = 0; i < pattern.size();) {
        if (pattern[i] != '%') {
            out += pattern[i++];
            continue;
        }
        int width = 0;
        const std::size_t next = parse_conversion(pattern, i, width);
        if (width < 0) {
            out += '%';
        } else {
            char digits[48];
            std::snprintf(digits, sizeof digits, "%0*d", width, number);
            out += digits;
        }
        i = next;
    }
    return out;
}

}  // namespace nst::video
