#pragma once
// Text helpers shared by the flag-value parsers (layer specs, blend weights).
#include <string_view>
#include <vector>

namespace nst {

inline std::string_view trim(std::string_view s) {
    constexpr std::string_view kSpace = " \t\r\n";
    const auto first = s.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// Splits on commas, keeping empty pieces so that "a,,b" and "a," can be reported.
inline std::vector<std::string_view> split_commas(std::string_view s) {
    std::vector<std::string_view> parts;
    while (true) {
        const auto comma = s.find(',');
        parts.push_back(trim(s.substr(0, comma)));
        if (comma == std::string_view::npos) return parts;
        s.remove_prefix(comma + 1);
    }
}

}  // namespace nst
