// The safetensors header: its JSON parsed with a depth limit, each entry checked (dtype, shape,
// offsets, overlaps, sizes within int64), and the messages every check gives.
#include <algorithm>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <utility>

#include "nst/error.h"
#include "weights/safetensors_detail.h"

namespace nst::safetensors {
namespace {

// Every message is one line: a tensor name or a JSON parser excerpt containing a newline (or
// another control character) is escaped rather than allowed to break the line.
std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

namespace detail {

[[noreturn]] void fail(std::string_view what, std::string_view problem) {
    std::string msg(what);
    msg += ": ";
    msg += problem;
    throw Error(one_line(msg));
}

std::string quote_name(std::string_view name) {
    constexpr std::size_t kMaxShown = 200;
    std::string out = "'";
    if (name.size() > kMaxShown) {
        out += name.substr(0, kMaxShown);
        out += "...";
    } else {
        out += name;
    }
    out += "'";
    return out;
}

std::string shape_str(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(shape[i]);
    }
    out += ']';
    return out;
}

std::string range_str(std::uint64_t begin, std::uint64_t end) {
    // Built with append: GCC 12 warns falsely (-Wrestrict) on "[" + std::to_string(...) here.
    std::string out = "[";
    return out.append(std::to_string(begin)).append(", ").append(std::to_string(end)).append("]");
}

bool checked_nbytes(const std::vector<std::int64_t>& shape, DType dtype, std::uint64_t& out) {
    std::uint64_t n = dtype_size(dtype);
    for (const std::int64_t d : shape) {
        if (d < 0) return false;
        if (__builtin_mul_overflow(n, static_cast<std::uint64_t>(d), &n) || n > kMaxOffset) return false;
    }
    out = n;
    return true;
}

}  // namespace detail

namespace {

using nlohmann::json;
using namespace detail;

bool parse_dtype(std::string_view s, DType& out) {
    static constexpr std::pair<std::string_view, DType> kNames[] = {
        {"F64", DType::F64}, {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16},
        {"I64", DType::I64}, {"I32", DType::I32}, {"I16", DType::I16}, {"I8", DType::I8},
        {"U8", DType::U8},   {"BOOL", DType::BOOL},
    };
    for (const auto& [name, d] : kNames) {
        if (name == s) {
            out = d;
            return true;
        }
    }
    return false;
}

constexpr std::size_t kMaxShownValue = 40;

// A scalar's JSON text when it is short, else empty. Strings are measured before dump() so a
// multi-megabyte string is never copied just to be dropped.
std::string short_scalar(const json& j) {
    if (j.is_string() && j.get_ref<const std::string&>().size() > kMaxShownValue) return {};
    std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
    return text.size() > kMaxShownValue ? std::string() : text;
}

// A JSON value shown inside a message: its type, plus the value itself when it is a short scalar
// or a short array of scalars, else the container's size. Never dump() a container: dump()
// recurses once per nesting level, and this runs on hostile input.
std::string describe(const json& j) {
    const std::string type = j.type_name();
    if (j.is_object()) return type + " of size " + std::to_string(j.size());
    if (j.is_array()) {
        const std::string sized = type + " of size " + std::to_string(j.size());
        std::string text = "[";
        for (const json& e : j) {  // stops after a few elements: text is bounded by kMaxShownValue
            const std::string item = e.is_structured() ? std::string() : short_scalar(e);
            if (item.empty()) return sized;
            if (text.size() > 1) text += ',';
            text += item;
            if (text.size() > kMaxShownValue) return sized;
        }
        return type + " " + text + "]";
    }
    const std::string text = short_scalar(j);
    return text.empty() ? type : type + " " + text;
}

// Reads a JSON integer as an unsigned value; floats, strings, negatives etc. are refused.
bool as_u64(const json& j, std::uint64_t& out) {
    if (j.is_number_unsigned()) {
        out = j.get<std::uint64_t>();
        return true;
    }
    if (j.is_number_integer()) {  // signed: only reachable for negative values
        const auto v = j.get<std::int64_t>();
        if (v < 0) return false;
        out = static_cast<std::uint64_t>(v);
        return true;
    }
    return false;
}

TensorInfo parse_entry(const std::string& name, const json& entry, const std::string& what) {
    const std::string t = "tensor " + quote_name(name);
    if (!entry.is_object()) fail(what, t + " entry must be an object (got " + describe(entry) + ")");
    for (const char* key : {"dtype", "shape", "data_offsets"}) {
        if (!entry.contains(key)) fail(what, t + " is missing \"" + key + "\"");
    }

    TensorInfo info;
    info.name = name;

    const json& dtype = entry.at("dtype");
    if (!dtype.is_string()) fail(what, t + " dtype must be a string (got " + describe(dtype) + ")");
    const auto& dtype_text = dtype.get_ref<const std::string&>();
    if (!parse_dtype(dtype_text, info.dtype)) {
        fail(what, t + " has unsupported dtype " + quote_name(dtype_text));
    }

    const json& shape = entry.at("shape");
    if (!shape.is_array()) {
        fail(what, t + " shape must be an array of integers (got " + describe(shape) + ")");
    }
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const json& d = shape[i];
        const std::string where = "shape[" + std::to_string(i) + "]";
        if (d.is_number_integer() && !d.is_number_unsigned() && d.get<std::int64_t>() < 0) {
            fail(what, t + " has negative dimension " + std::to_string(d.get<std::int64_t>()) +
                           " in " + where);
        }
        std::uint64_t v = 0;
        if (!as_u64(d, v)) {
            fail(what, t + " " + where + " must be a non-negative integer (got " + describe(d) + ")");
        }
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            fail(what, t + " dimension " + std::to_string(v) + " in " + where + " is too large");
        }
        info.shape.push_back(static_cast<std::int64_t>(v));
    }

    const json& offsets = entry.at("data_offsets");
    std::uint64_t begin = 0, end = 0;
    if (!offsets.is_array() || offsets.size() != 2 || !as_u64(offsets[0], begin) ||
        !as_u64(offsets[1], end)) {
        fail(what, t + " data_offsets must be [begin, end] with non-negative integers (got " +
                       describe(offsets) + ")");
    }
    if (begin > end) fail(what, t + " data_offsets " + range_str(begin, end) + " have begin > end");
    info.begin = begin;
    info.end = end;

    std::uint64_t nbytes = 0;
    if (!checked_nbytes(info.shape, info.dtype, nbytes)) {
        fail(what, t + " shape " + shape_str(info.shape) + " of " + std::string(dtype_name(info.dtype)) +
                       " is too large (more than 2^63-1 bytes)");
    }
    if (end - begin != nbytes) {
        fail(what, t + " data_offsets " + range_str(begin, end) + " do not match shape " +
                       shape_str(info.shape) + " of " + std::string(dtype_name(info.dtype)) + " (" +
                       std::to_string(nbytes) + " bytes)");
    }
    return info;
}

void parse_metadata(const json& meta, const std::string& what, std::map<std::string, std::string>& out) {
    if (meta.is_null()) return;  // serde's Option<...> accepts null; so do we
    if (!meta.is_object()) {
        fail(what, "\"__metadata__\" must be an object of strings (got " + describe(meta) + ")");
    }
    for (const auto& [key, value] : meta.items()) {
        if (!value.is_string()) {
            fail(what, "\"__metadata__\" value for key " + quote_name(key) + " must be a string (got " +
                           describe(value) + ")");
        }
        out.emplace(key, value.get<std::string>());
    }
}

}  // namespace

std::size_t dtype_size(DType d) {
    switch (d) {
        case DType::F64:
        case DType::I64: return 8;
        case DType::F32:
        case DType::I32: return 4;
        case DType::F16:
        case DType::BF16:
        case DType::I16: return 2;
        case DType::I8:
        case DType::U8:
        case DType::BOOL: return 1;
    }
    throw Error("invalid safetensors dtype value " + std::to_string(static_cast<int>(d)));
}

std::string_view dtype_name(DType d) {
    switch (d) {
        case DType::F64: return "F64";
        case DType::F32: return "F32";
        case DType::F16: return "F16";
        case DType::BF16: return "BF16";
        case DType::I64: return "I64";
        case DType::I32: return "I32";
        case DType::I16: return "I16";
        case DType::I8: return "I8";
        case DType::U8: return "U8";
        case DType::BOOL: return "BOOL";
    }
    throw Error("invalid safetensors dtype value " + std::to_string(static_cast<int>(d)));
}

std::int64_t TensorInfo::numel() const {
    std::int64_t n = 1;
    for (const std::int64_t d : shape) {
        if (d < 0 || __builtin_mul_overflow(n, d, &n)) {
            throw Error("tensor " + quote_name(name) + " shape " + shape_str(shape) +
                        " has no valid element count (a negative dimension, or more than 2^63-1 elements)");
        }
    }
    return n;
}

const TensorInfo* Header::find(std::string_view name) const {
    const auto it = std::find_if(tensors.begin(), tensors.end(),
                                 [&](const TensorInfo& t) { return t.name == name; });
    return it == tensors.end() ? nullptr : &*it;
}

std::uint64_t Header::data_size() const {
    std::uint64_t size = 0;
    for (const TensorInfo& t : tensors) size = std::max(size, t.end);
    return size;
}

Header parse_header(std::string_view json_text, std::uint64_t header_len, const std::string& what,
                    std::uint64_t total_size) {
    Header h;
    h.header_len = header_len;
    if (header_len > kMaxOffset - 8) fail(what, "header length " + std::to_string(header_len) + " is too large");
    h.data_start = 8 + header_len;
    if (total_size != UINT64_MAX && h.data_start > total_size) {
        fail(what, "header length " + std::to_string(header_len) + " is larger than the file (" +
                       std::to_string(total_size) + " bytes)");
    }

    // nlohmann keeps the last of duplicate keys silently; a duplicated tensor name would hide an
    // entry (and its overlap checks), so top-level duplicates are caught while parsing.
    std::set<std::string> seen;
    std::string duplicate;
    const json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
        // `depth` counts the containers around this one, which opens level depth + 1. Refused as
        // soon as it opens: a 100,000-deep document is abandoned at level 9, never built.
        const bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
        if (opens && depth >= kMaxHeaderDepth) {
            fail(what, "header JSON is nested deeper than " + std::to_string(kMaxHeaderDepth) + " levels");
        }
        if (depth == 1 && event == json::parse_event_t::key && parsed.is_string()) {
            const auto& key = parsed.get_ref<const std::string&>();
            if (!seen.insert(key).second && duplicate.empty()) duplicate = key;
        }
        return true;
    };
    json root;
    try {
        root = json::parse(json_text.begin(), json_text.end(), on_event);
    } catch (const json::exception& e) {
        // Drop nlohmann's "[json.exception.parse_error.101] " prefix; keep the position and reason.
        std::string_view detail = e.what();
        if (const auto pos = detail.find("] "); detail.starts_with("[json.") && pos != std::string_view::npos) {
            detail.remove_prefix(pos + 2);
        }
        // The excerpt ("last read: '...'") is a whole token, which may be a megabyte-long string.
        constexpr std::size_t kMaxDetail = 300;
        const std::string shown = detail.size() > kMaxDetail ? std::string(detail.substr(0, kMaxDetail)) + "..."
                                                             : std::string(detail);
        fail(what, "header is not valid JSON (" + shown + ")");
    }
    if (!root.is_object()) fail(what, "header is not a JSON object (got " + describe(root) + ")");
    if (!duplicate.empty()) fail(what, "header has the key " + quote_name(duplicate) + " more than once");

    for (const auto& [name, entry] : root.items()) {
        if (name == "__metadata__") {
            parse_metadata(entry, what, h.metadata);
            continue;
        }
        TensorInfo info = parse_entry(name, entry, what);
        if (info.end > kMaxOffset - h.data_start) {
            fail(what, "tensor " + quote_name(name) + " data_offsets " + range_str(info.begin, info.end) +
                           " are too large");
        }
        h.tensors.push_back(std::move(info));
    }

    std::sort(h.tensors.begin(), h.tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
        return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
    });
    // Sorted by begin, a tensor overlaps an earlier one iff it starts before the furthest end seen
    // so far. Empty tensors occupy no bytes and so cannot overlap anything.
    const TensorInfo* furthest = nullptr;
    for (const TensorInfo& t : h.tensors) {
        if (t.begin == t.end) continue;
        if (furthest != nullptr && t.begin < furthest->end) {
            fail(what, "tensors " + quote_name(furthest->name) + " and " + quote_name(t.name) + " overlap (" +
                           range_str(furthest->begin, furthest->end) + " and " + range_str(t.begin, t.end) + ")");
        }
        if (furthest == nullptr || t.end > furthest->end) furthest = &t;
    }

    if (total_size != UINT64_MAX) {
        const std::uint64_t present = total_size - h.data_start;
        const std::uint64_t needed = h.data_size();
        if (needed > present) {
            fail(what, "file is truncated: data section needs " + std::to_string(needed) +
                           " bytes but only " + std::to_string(present) + " are present");
        }
    }
    return h;
}

}  // namespace nst::safetensors
