#pragma once
// Numbers as parameter text: locale-independent, the whole text consumed, floats written in the
// shortest form that reads back as the same value (so set(get(x)) == x).
#include <charconv>
#include <limits>
#include <type_traits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nst {

template <class T>
[[nodiscard]] std::optional<T> parse_number(std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    // Out of range floats read as +-inf so that the caller's finiteness check names them.
    if constexpr (std::is_floating_point_v<T>) {
        if (ec == std::errc::result_out_of_range && end == text.data() + text.size())
            return text.starts_with('-') ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    }
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

template <class T>
[[nodiscard]] std::string format_number(T value) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    return ec == std::errc() ? std::string(buf, end) : std::string();
}

// Items joined by `sep` (appends: GCC 12 warns falsely (-Wrestrict) on operator+ chains).
[[nodiscard]] inline std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out.append(sep);
        out.append(items[i]);
    }
    return out;
}

}  // namespace nst
