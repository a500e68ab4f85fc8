// The safetensors file: read_header (length, limits, then parse_header), one tensor's bytes by
// pread and their conversion to float32, and serialisation with an atomic write.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

#include "nst/error.h"
#include "nst/image.h"
#include "weights/safetensors.h"
#include "weights/safetensors_detail.h"

namespace nst::safetensors {
namespace {

using namespace detail;

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
        tensor.end - tensor.begin != nbytes || header.data_start > kMaxOffset ||
        tensor.end > kMaxOffset - header.data_start) {
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

    // The file holds every byte (checked above), but a sparse file can claim terabytes.
    std::vector<float> out;
    try {
        out.resize(static_cast<std::size_t>(count));
    } catch (const std::bad_alloc&) {
        fail(what, t + " is too large to load (" + std::to_string(nbytes) + " bytes)");
    }
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
