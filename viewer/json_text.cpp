#include "json_text.h"

#include <cmath>
#include <cstdio>

namespace nstv {

std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

namespace {

// The code point of the UTF-8 sequence at s[i] (advancing i past it); U+FFFD for a malformed one.
char32_t next_code_point(const std::string& s, std::size_t& i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    const int extra = b0 >= 0xF8 ? -1 : b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : b0 >= 0xC0 ? 1 : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {
        ++i;
        return 0xFFFD;
    }
    char32_t cp = b0 & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            ++i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    i += static_cast<std::size_t>(extra) + 1;
    return cp;
}

void append_u16(std::string& out, unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", v & 0xFFFFu);
    out += buf;
}

}  // namespace

std::string json_quote(const std::string& v) {
    // ASCII only (other characters as \u escapes): the same text is then valid Latin-1 too, as the
    // PNG text chunks of saved images require.
    std::string out = "\"";
    for (std::size_t i = 0; i < v.size();) {
        const char c = v[i];
        if (static_cast<unsigned char>(c) >= 0x80) {
            const char32_t cp = next_code_point(v, i);
            if (cp >= 0x10000) {
                append_u16(out, 0xD800 + ((cp - 0x10000) >> 10));
                append_u16(out, 0xDC00 + ((cp - 0x10000) & 0x3FF));
            } else {
                append_u16(out, static_cast<unsigned>(cp));
            }
            continue;
        }
        ++i;
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            append_u16(out, static_cast<unsigned char>(c));
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

std::string json_strings(const std::vector<std::string>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        out += json_quote(v[i]);
    }
    out += ']';
    return out;
}

std::string json_numbers(const std::vector<float>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        out += json_number(v[i]);
    }
    out += ']';
    return out;
}

}  // namespace nstv
