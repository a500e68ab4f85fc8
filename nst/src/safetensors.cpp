#include "nst/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include "nst/error.h"
#include "nst/image.h"

namespace nst::safetensors {
namespace {

using nlohmann::json;

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

[[noreturn]] void fail(std::string_view what, std::string_view problem) {
    std::string msg(what);
    msg += ": ";
    msg += problem;
    throw Error(one_line(msg));
}

// 'name', shortened so that a hostile multi-megabyte key cannot produce a multi-megabyte message.
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
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// Byte count of a tensor, or nullopt-like false when numel*dtype_size overflows 64 bits (a corrupt
// shape such as [2^40, 2^40] must not wrap around and "match" small offsets).
bool checked_nbytes(const std::vector<std::int64_t>& shape, DType dtype, std::uint64_t& out) {
    std::uint64_t n = dtype_size(dtype);
    for (const std::int64_t d : shape) {
        if (d < 0) return false;
        if (__builtin_mul_overflow(n, static_cast<std::uint64_t>(d), &n)) return false;
    }
    out = n;
    return true;
}

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

// A JSON value shown inside a message: its type, plus the value itself when it is short.
std::string describe(const json& j) {
    std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 40) return j.type_name();
    return std::string(j.type_name()) + " " + text;
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
                       " is too large (byte count overflows)");
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

// Owns a POSIX file descriptor: pread lets us fetch one tensor's byte range without touching the
// rest of a possibly 500+ MB file.
class File {
public:
    File(const std::filesystem::path& path, const std::string& what) : what_(what) {
        // O_NONBLOCK so that opening a FIFO does not hang waiting for a writer; it is refused
        // below as "not a regular file". It has no effect on regular files.
        fd_.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd_.fd < 0) {
            const int err = errno;
            if (err == ENOENT) fail(what_, "file does not exist");
            fail(what_, std::string("cannot open file (") + std::strerror(err) + ")");
        }
        struct stat st {};
        if (::fstat(fd_.fd, &st) != 0) {
            const int err = errno;
            fail(what_, std::string("cannot stat file (") + std::strerror(err) + ")");
        }
        if (S_ISDIR(st.st_mode)) fail(what_, "is a directory, not a safetensors file");
        if (!S_ISREG(st.st_mode)) fail(what_, "is not a regular file");
        size_ = static_cast<std::uint64_t>(st.st_size);
    }

    [[nodiscard]] std::uint64_t size() const { return size_; }

    // Reads exactly n bytes at offset; a short file is reported as truncation.
    void read_at(std::uint64_t offset, void* dst, std::uint64_t n) const {
        auto* p = static_cast<char*>(dst);
        while (n > 0) {
            // Linux transfers at most ~2 GiB per call; ask for less so large tensors loop cleanly.
            const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(n, 1u << 30));
            const ssize_t got = ::pread(fd_.fd, p, chunk, static_cast<off_t>(offset));
            if (got < 0) {
                if (errno == EINTR) continue;
                const int err = errno;
                fail(what_, std::string("read failed (") + std::strerror(err) + ")");
            }
            if (got == 0) {
                fail(what_, "file is truncated: unexpected end of file at byte " + std::to_string(offset));
            }
            p += got;
            offset += static_cast<std::uint64_t>(got);
            n -= static_cast<std::uint64_t>(got);
        }
    }

private:
    // A member of its own so the descriptor is closed even when the File constructor throws.
    struct Fd {
        int fd = -1;
        Fd() = default;
        Fd(const Fd&) = delete;
        Fd& operator=(const Fd&) = delete;
        ~Fd() {
            if (fd >= 0) ::close(fd);
        }
    };
    std::string what_;
    Fd fd_;
    std::uint64_t size_ = 0;
};

std::uint64_t load_u64_le(const std::uint8_t* b) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
    return v;
}

void store_u64_le(std::uint64_t v, std::uint8_t* b) {
    for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1fu;
    const std::uint32_t mant = h & 0x3ffu;
    std::uint32_t bits = 0;
    if (exp == 0) {
        // Zero or subnormal: mant * 2^-24 is exact in float32 (it is a normal float there).
        const float mag = static_cast<float>(mant) * 0x1p-24f;
        bits = sign | std::bit_cast<std::uint32_t>(mag);
    } else if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (mant << 13);  // inf, or NaN keeping its payload
    } else {
        bits = sign | ((exp + (127 - 15)) << 23) | (mant << 13);  // rebias the exponent
    }
    return std::bit_cast<float>(bits);
}

// Converts n elements of `dtype` at `src` (little-endian) into dst.
void convert(DType dtype, const std::uint8_t* src, std::size_t n, float* dst) {
    switch (dtype) {
        case DType::F32:
            for (std::size_t i = 0; i < n; ++i) {
                const std::uint8_t* b = src + 4 * i;
                const std::uint32_t bits = std::uint32_t{b[0]} | (std::uint32_t{b[1]} << 8) |
                                           (std::uint32_t{b[2]} << 16) | (std::uint32_t{b[3]} << 24);
                dst[i] = std::bit_cast<float>(bits);
            }
            return;
        case DType::F16:
            for (std::size_t i = 0; i < n; ++i) {
                dst[i] = half_to_float(static_cast<std::uint16_t>(src[2 * i] | (src[2 * i + 1] << 8)));
            }
            return;
        case DType::BF16:
            // bfloat16 is the upper half of a float32.
            for (std::size_t i = 0; i < n; ++i) {
                const std::uint32_t hi = std::uint32_t{src[2 * i]} | (std::uint32_t{src[2 * i + 1]} << 8);
                dst[i] = std::bit_cast<float>(hi << 16);
            }
            return;
        default:
            throw Error("cannot convert dtype " + std::string(dtype_name(dtype)) + " to float32");
    }
}

bool is_float_dtype(DType d) { return d == DType::F32 || d == DType::F16 || d == DType::BF16; }

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
    for (const std::int64_t d : shape) n *= d;
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
    if (header_len > UINT64_MAX - 8) fail(what, "header length " + std::to_string(header_len) + " is too large");
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
        fail(what, "header is not valid JSON (" + std::string(detail) + ")");
    }
    if (!root.is_object()) fail(what, "header is not a JSON object (got " + describe(root) + ")");
    if (!duplicate.empty()) fail(what, "header has the key " + quote_name(duplicate) + " more than once");

    for (const auto& [name, entry] : root.items()) {
        if (name == "__metadata__") {
            parse_metadata(entry, what, h.metadata);
            continue;
        }
        TensorInfo info = parse_entry(name, entry, what);
        if (info.end > UINT64_MAX - h.data_start) {
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

Header read_header(const std::filesystem::path& path) {
    const std::string what = path.string();
    const File file(path, what);
    const std::uint64_t size = file.size();
    if (size < 8) fail(what, "file is too small to be safetensors (" + std::to_string(size) + " bytes)");

    std::uint8_t len_bytes[8];
    file.read_at(0, len_bytes, 8);
    const std::uint64_t n = load_u64_le(len_bytes);
    // The file-size check comes first: for a garbage length it is the more useful explanation.
    if (n > size - 8) {
        fail(what, "header length " + std::to_string(n) + " is larger than the file (" + std::to_string(size) +
                       " bytes)");
    }
    if (n > kMaxHeaderBytes) {
        fail(what, "header length " + std::to_string(n) + " exceeds the limit of " +
                       std::to_string(kMaxHeaderBytes) + " bytes");
    }
    if (n < 2) fail(what, "header length " + std::to_string(n) + " is too small for a JSON object");

    std::string text(static_cast<std::size_t>(n), '\0');
    file.read_at(8, text.data(), n);
    return parse_header(text, n, what, size);
}

std::vector<float> read_as_f32(const std::filesystem::path& path, const Header& header,
                               const TensorInfo& tensor) {
    const std::string what = path.string();
    const std::string t = "tensor " + quote_name(tensor.name);
    if (!is_float_dtype(tensor.dtype)) {
        fail(what, t + " has dtype " + std::string(dtype_name(tensor.dtype)) +
                       "; only F32, F16 and BF16 can be read as float32");
    }
    // TensorInfo is a plain struct the caller could have edited; re-check what we rely on.
    std::uint64_t nbytes = 0;
    if (tensor.begin > tensor.end || !checked_nbytes(tensor.shape, tensor.dtype, nbytes) ||
        tensor.end - tensor.begin != nbytes || tensor.end > UINT64_MAX - header.data_start) {
        fail(what, t + " data_offsets " + range_str(tensor.begin, tensor.end) + " do not match shape " +
                       shape_str(tensor.shape) + " of " + std::string(dtype_name(tensor.dtype)));
    }
    const std::size_t esize = dtype_size(tensor.dtype);
    const std::uint64_t count = nbytes / esize;
    if (count > std::vector<float>().max_size()) fail(what, t + " is too large to load");

    const File file(path, what);
    // The file may have changed since read_header; report truncation with the usual wording.
    if (file.size() < header.data_start || file.size() - header.data_start < tensor.end) {
        const std::uint64_t present = file.size() > header.data_start ? file.size() - header.data_start : 0;
        fail(what, "file is truncated: data section needs " + std::to_string(tensor.end) + " bytes but only " +
                       std::to_string(present) + " are present");
    }

    std::vector<float> out(static_cast<std::size_t>(count));
    const std::uint64_t base = header.data_start + tensor.begin;
    if (tensor.dtype == DType::F32 && std::endian::native == std::endian::little) {
        file.read_at(base, out.data(), nbytes);  // already in memory order: no staging copy
    } else {
        // Convert in bounded chunks so a big half-precision tensor never needs a full raw copy.
        constexpr std::size_t kChunkElems = std::size_t{1} << 20;
        std::vector<std::uint8_t> buf(std::min<std::size_t>(out.size(), kChunkElems) * esize);
        for (std::size_t done = 0; done < out.size();) {
            const std::size_t n = std::min(kChunkElems, out.size() - done);
            file.read_at(base + done * esize, buf.data(), n * esize);
            convert(tensor.dtype, buf.data(), n, out.data() + done);
            done += n;
        }
    }

    const auto bad = std::find_if(out.begin(), out.end(), [](float v) { return !std::isfinite(v); });
    if (bad != out.end()) {
        std::ostringstream s;
        s << t << " has NaN or infinite values (first at index " << (bad - out.begin()) << ": " << *bad << ")";
        fail(what, s.str());
    }
    return out;
}

std::vector<float> to_f32(DType dtype, const std::uint8_t* bytes, std::size_t nbytes) {
    if (!is_float_dtype(dtype)) {
        throw Error("cannot convert dtype " + std::string(dtype_name(dtype)) + " to float32");
    }
    const std::size_t esize = dtype_size(dtype);
    if (nbytes % esize != 0) {
        throw Error("cannot convert " + std::to_string(nbytes) + " bytes of " + std::string(dtype_name(dtype)) +
                    " to float32: not a multiple of " + std::to_string(esize) + " bytes");
    }
    std::vector<float> out(nbytes / esize);
    if (!out.empty()) convert(dtype, bytes, out.size(), out.data());
    return out;
}

std::vector<std::uint8_t> serialize(const std::vector<OutTensor>& tensors,
                                    const std::map<std::string, std::string>& metadata) {
    // ordered_json keeps insertion order, so the header lists tensors in the caller's order.
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        // The reference implementation writes "__metadata__" first.
        header["__metadata__"] = metadata;
    }
    std::set<std::string_view> names;
    std::uint64_t offset = 0;
    for (const OutTensor& t : tensors) {
        const std::string what = "safetensors: tensor " + quote_name(t.name);
        if (t.name == "__metadata__") fail(what, "the name \"__metadata__\" is reserved");
        if (!names.insert(t.name).second) fail(what, "appears more than once");
        for (const std::int64_t d : t.shape) {
            if (d < 0) fail(what, "shape " + shape_str(t.shape) + " has a negative dimension");
        }
        std::uint64_t nbytes = 0;
        if (!checked_nbytes(t.shape, t.dtype, nbytes)) fail(what, "shape " + shape_str(t.shape) + " is too large");
        if (t.bytes.size() != nbytes) {
            fail(what, "has " + std::to_string(t.bytes.size()) + " bytes but shape " + shape_str(t.shape) +
                           " of " + std::string(dtype_name(t.dtype)) + " needs " + std::to_string(nbytes));
        }
        header[t.name] = {{"dtype", std::string(dtype_name(t.dtype))},
                          {"shape", t.shape},
                          {"data_offsets", {offset, offset + nbytes}}};
        offset += nbytes;
    }

    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception& e) {  // e.g. a name that is not valid UTF-8
        fail("safetensors", std::string("cannot encode header (") + e.what() + ")");
    }
    // Pad with spaces to a multiple of 8 bytes, as the reference writer does, so the data section
    // starts aligned.
    text.append((8 - text.size() % 8) % 8, ' ');

    std::vector<std::uint8_t> out(8 + text.size() + offset);
    store_u64_le(text.size(), out.data());
    std::memcpy(out.data() + 8, text.data(), text.size());
    std::uint8_t* dst = out.data() + 8 + text.size();
    for (const OutTensor& t : tensors) {
        if (!t.bytes.empty()) std::memcpy(dst, t.bytes.data(), t.bytes.size());
        dst += t.bytes.size();
    }
    return out;
}

void write(const std::filesystem::path& path, const std::vector<OutTensor>& tensors,
           const std::map<std::string, std::string>& metadata) {
    write_file_atomically(path, serialize(tensors, metadata));
}

OutTensor f32_tensor(std::string name, std::vector<std::int64_t> shape, const std::vector<float>& values) {
    std::uint64_t nbytes = 0;
    if (!checked_nbytes(shape, DType::F32, nbytes) || nbytes / 4 != values.size()) {
        fail("safetensors: tensor " + quote_name(name),
             "shape " + shape_str(shape) + " does not match the " + std::to_string(values.size()) + " values given");
    }
    OutTensor t;
    t.name = std::move(name);
    t.dtype = DType::F32;
    t.shape = std::move(shape);
    t.bytes.resize(values.size() * 4);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto bits = std::bit_cast<std::uint32_t>(values[i]);
        for (int k = 0; k < 4; ++k) t.bytes[4 * i + k] = static_cast<std::uint8_t>(bits >> (8 * k));
    }
    return t;
}

}  // namespace nst::safetensors
