// Image loading, resizing and atomic saving on top of stb (Debian's libstb: headers only here, the
// implementations live in libstb.so, so no STB_*_IMPLEMENTATION defines).
#include "nst/image.h"

#include <fcntl.h>
#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "nst/error.h"

namespace nst {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSupportedFormats = "JPEG, PNG, BMP, TGA, GIF";
constexpr std::string_view kWritableHint = "(use .png, .jpg or .jpeg)";

std::string errno_text(int err) { return std::strerror(err); }

// ---------------------------------------------------------------------------------------------
// Container sniffing. stb is lenient on purpose (it decodes what it can), but a photo with its
// bottom half painted grey is worse than an error, so JPEG and PNG are checked for a complete
// structure before decoding. The same walks give the dimensions when stb's own header check
// refuses an image as "too large" before our --max-pixels message could explain it.

struct Dimensions {
    std::int64_t width = 0;
    std::int64_t height = 0;
};

std::uint32_t be16(const std::vector<std::uint8_t>& b, std::size_t at) {
    return (std::uint32_t{b[at]} << 8) | b[at + 1];
}

std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
    return (be16(b, at) << 16) | be16(b, at + 2);
}

bool is_png(const std::vector<std::uint8_t>& b) {
    static constexpr std::array<std::uint8_t, 8> kSig{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    return b.size() >= kSig.size() && std::equal(kSig.begin(), kSig.end(), b.begin());
}

bool is_jpeg(const std::vector<std::uint8_t>& b) {
    return b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF;
}

// Result of walking a container: `problem` is empty when the file is structurally complete.
struct Layout {
    std::optional<Dimensions> dims;
    std::string problem;
};

// PNG: a sequence of length/type/data/CRC chunks that must end with a complete IEND chunk.
Layout inspect_png(const std::vector<std::uint8_t>& b) {
    Layout out;
    std::uint64_t pos = 8;
    while (pos + 8 <= b.size()) {
        const std::uint64_t length = be32(b, pos);
        const std::string type(reinterpret_cast<const char*>(&b[pos + 4]), 4);
        const std::uint64_t chunk_end = pos + 12 + length;  // length, type, data, CRC
        if (type == "IHDR" && length >= 8 && pos + 16 <= b.size())
            out.dims = Dimensions{be32(b, pos + 8), be32(b, pos + 12)};
        if (chunk_end > b.size()) {
            out.problem = "truncated PNG (chunk '" + type + "' is cut short)";
            return out;
        }
        if (type == "IEND") return out;
        pos = chunk_end;
    }
    out.problem = "truncated PNG (no IEND chunk)";
    return out;
}

bool is_sof_marker(std::uint8_t m) {
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

// JPEG: walk the marker segments up to the first start-of-scan, then require an end-of-image
// marker after it. Entropy-coded data stuffs every 0xFF as FF 00, so FF D9 cannot occur inside a
// scan; searching from the real SOS (not the first FF DA bytes, which may belong to an EXIF
// thumbnail) finds the main image's EOI only.
Layout inspect_jpeg(const std::vector<std::uint8_t>& b) {
    Layout out;
    std::size_t pos = 2;  // after SOI
    while (true) {
        if (pos >= b.size()) {
            out.problem = "truncated JPEG (ends before the image data)";
            return out;
        }
        if (b[pos] != 0xFF) {
            out.problem = "corrupt JPEG (no marker at byte " + std::to_string(pos) + ")";
            return out;
        }
        while (pos < b.size() && b[pos] == 0xFF) ++pos;  // fill bytes
        if (pos >= b.size()) continue;                    // reported above on the next turn
        const std::uint8_t marker = b[pos++];
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no payload
        if (marker == 0xD9) {
            out.problem = "corrupt JPEG (end-of-image marker before any image data)";
            return out;
        }
        if (pos + 2 > b.size()) {
            out.problem = "truncated JPEG (ends before the image data)";
            return out;
        }
        const std::size_t length = be16(b, pos);
        if (is_sof_marker(marker) && pos + 7 <= b.size())
            out.dims = Dimensions{be16(b, pos + 5), be16(b, pos + 3)};
        if (length < 2) {
            out.problem = "corrupt JPEG (bad segment length at byte " + std::to_string(pos) + ")";
            return out;
        }
        pos += length;
        if (marker == 0xDA) break;  // first start-of-scan: its header is skipped
    }
    for (std::size_t i = pos; i + 1 < b.size(); ++i)
        if (b[i] == 0xFF && b[i + 1] == 0xD9) return out;
    out.problem = "truncated JPEG (no end-of-image marker)";
    return out;
}

std::optional<Layout> inspect_container(const std::vector<std::uint8_t>& bytes) {
    if (is_png(bytes)) return inspect_png(bytes);
    if (is_jpeg(bytes)) return inspect_jpeg(bytes);
    return std::nullopt;  // other formats: trust stb
}

// "400.0 MP" for camera-sized numbers; tiny limits (tests, thumbnails) read better as pixels.
std::string describe_pixels(std::int64_t pixels) {
    if (pixels < 100'000) return std::to_string(pixels) + " pixels";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f MP", static_cast<double>(pixels) / 1e6);
    return buf;
}

void check_pixel_limit(const Dimensions& d, const std::string& name, std::int64_t max_pixels) {
    const std::int64_t pixels = d.width * d.height;  // each < 2^32 from the headers: no overflow
    if (pixels <= max_pixels) return;
    throw Error(name + ": image is " + std::to_string(d.width) + "x" + std::to_string(d.height) +
                " (" + describe_pixels(pixels) + "), over the limit of " +
                describe_pixels(max_pixels) + " (raise it with --max-pixels)");
}

struct StbiFree {
    void operator()(stbi_uc* p) const { stbi_image_free(p); }
};

// Straight alpha over a white background, in the file's (sRGB) values like every viewer does.
Image composite_over_white(const stbi_uc* rgba, int width, int height) {
    Image img;
    img.width = width;
    img.height = height;
    const std::size_t n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
    img.rgb.resize(n * 3);
    for (std::size_t i = 0; i < n; ++i) {
        const float alpha = rgba[i * 4 + 3] / 255.f;
        for (int c = 0; c < 3; ++c)
            img.rgb[i * 3 + c] = rgba[i * 4 + c] / 255.f * alpha + (1.f - alpha);
    }
    return img;
}

// ---------------------------------------------------------------------------------------------
// Files

// Closes a descriptor exactly once; `close_checked` reports the error of an explicit close.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    [[nodiscard]] int get() const { return fd_; }
    [[nodiscard]] int close_checked() {
        const int rc = ::close(std::exchange(fd_, -1));
        return rc == 0 ? 0 : errno;
    }

private:
    int fd_;
};

// A temporary file created with mkstemp next to its final destination; unlinked on destruction
// unless it was renamed into place, so no failure path leaves litter behind.
class TempFile {
public:
    TempFile(const fs::path& dir, const std::string& stem)
        : path_((dir / ("." + stem + ".tmp-XXXXXX")).string()), fd_(::mkstemp(path_.data())) {
        if (fd_.get() < 0) {
            const int err = errno;
            path_.clear();  // nothing was created
            throw std::system_error(err, std::generic_category());
        }
    }
    ~TempFile() {
        if (!path_.empty()) ::unlink(path_.c_str());  // fd_ closes afterwards; fine on POSIX
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    [[nodiscard]] Fd& fd() { return fd_; }
    [[nodiscard]] const std::string& path() const { return path_; }
    void keep() { path_.clear(); }  // renamed away: nothing left to remove

private:
    std::string path_;  // declared before fd_: mkstemp fills in the template
    Fd fd_;
};

fs::path parent_dir(const fs::path& path) {
    const fs::path parent = path.parent_path();
    return parent.empty() ? fs::path(".") : parent;
}

// The process umask without changing it even briefly (umask(2) is read-and-set, which would race
// with other threads creating files). Falls back to the common 022.
mode_t current_umask() {
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
        if (key == "Umask:") {
            std::string value;
            status >> value;
            return static_cast<mode_t>(std::stoul(value, nullptr, 8));
        }
        status.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    return 022;
}

// mkstemp creates 0600 files; give the result the mode a plain open() would have (or the mode of
// the file being replaced) so that saving over a shared image does not make it private.
mode_t mode_for(const fs::path& target) {
    struct stat st {};
    if (::stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return st.st_mode & 07777;
    return 0666 & ~current_umask();
}

int write_all(int fd, const std::uint8_t* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return 0;
}

std::vector<std::uint8_t> read_all(int fd, const std::string& name) {
    std::vector<std::uint8_t> bytes;
    std::array<std::uint8_t, 1 << 16> chunk{};
    while (true) {
        const ssize_t n = ::read(fd, chunk.data(), chunk.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error(name + ": cannot read: " + errno_text(errno));
        }
        if (n == 0) return bytes;
        bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
    }
}

std::string lower_extension(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

std::string unsupported_extension_message(const fs::path& path) {
    const std::string ext = path.extension().string();
    if (ext.empty()) return path.string() + ": no file extension " + std::string(kWritableHint);
    return path.string() + ": unsupported extension '" + ext + "' " + std::string(kWritableHint);
}

std::uint8_t to_byte(float v) {
    if (!(v > 0.f)) return 0;  // also NaN
    if (v >= 1.f) return 255;
    return static_cast<std::uint8_t>(std::lround(v * 255.f));
}

void append_to_vector(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<std::uint8_t>*>(context);
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    out->insert(out->end(), bytes, bytes + size);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Image load_image(const fs::path& path, std::int64_t max_pixels) {
    const std::string name = path.string();
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (st.type() == fs::file_type::not_found) throw Error(name + ": no such file");
    if (ec) throw Error(name + ": cannot access: " + ec.message());
    if (st.type() == fs::file_type::directory) throw Error(name + ": is a directory, not an image");
    if (st.type() != fs::file_type::regular) throw Error(name + ": is not a regular file");

    const int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (raw < 0) throw Error(name + ": cannot open: " + errno_text(errno));
    const Fd fd(raw);
    const std::vector<std::uint8_t> bytes = read_all(fd.get(), name);
    if (bytes.empty()) throw Error(name + ": file is empty");
    return decode_image(bytes, name, max_pixels);
}

Image decode_image(const std::vector<std::uint8_t>& bytes, const std::string& name,
                   std::int64_t max_pixels) {
    if (bytes.empty()) throw Error(name + ": file is empty");
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw Error(name + ": file is too large (over 2 GiB)");
    const auto* data = bytes.data();
    const int size = static_cast<int>(bytes.size());
    const std::optional<Layout> layout = inspect_container(bytes);

    // Header only: nothing is decoded (or allocated) before the pixel limit is checked.
    int w = 0, h = 0, channels = 0;
    if (!stbi_info_from_memory(data, size, &w, &h, &channels)) {
        const std::string reason = stbi_failure_reason() ? stbi_failure_reason() : "unknown error";
        // stb refuses huge headers itself ("too large"); our limit gives the better message.
        if (layout && layout->dims) check_pixel_limit(*layout->dims, name, max_pixels);
        if (layout && !layout->problem.empty()) throw Error(name + ": " + layout->problem);
        if (layout && layout->dims)
            throw Error(name + ": cannot decode this image: " + reason);
        throw Error(name + ": not a supported image (" + std::string(kSupportedFormats) + "): " + reason);
    }
    check_pixel_limit(Dimensions{w, h}, name, max_pixels);
    if (layout && !layout->problem.empty()) throw Error(name + ": " + layout->problem);

    // Always ask for RGBA: grey and palette images expand to RGB, and alpha (including a GIF's
    // transparent index) is composited in one place. GIFs give their first frame.
    const std::unique_ptr<stbi_uc, StbiFree> pixels(
        stbi_load_from_memory(data, size, &w, &h, &channels, 4));
    if (!pixels) {
        const char* reason = stbi_failure_reason();
        throw Error(name + ": cannot decode image: " + (reason ? reason : "unknown error"));
    }
    return composite_over_white(pixels.get(), w, h);
}

Image resize_to(const Image& img, int width, int height) {
    if (img.empty() || img.rgb.size() != static_cast<std::size_t>(img.width) * img.height * 3)
        throw Error("resize: the source image is empty or malformed");
    if (width < 1 || height < 1)
        throw Error("resize: bad target size " + std::to_string(width) + "x" + std::to_string(height));
    if (width == img.width && height == img.height) return img;

    Image out;
    out.width = width;
    out.height = height;
    out.rgb.resize(static_cast<std::size_t>(width) * height * 3);
    // Default filters are Mitchell (down) / Catmull-Rom (up), scaled to the ratio when shrinking:
    // that is the anti-aliasing. Linear colour space: the engine works on the stored values.
    const int ok = stbir_resize_float_generic(
        img.rgb.data(), img.width, img.height, 0, out.rgb.data(), width, height, 0, 3,
        STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_CLAMP, STBIR_FILTER_DEFAULT, STBIR_COLORSPACE_LINEAR,
        nullptr);
    if (!ok) throw Error("resize: out of memory resizing to " + std::to_string(width) + "x" +
                         std::to_string(height));
    // Those filters have negative lobes and overshoot slightly at hard edges.
    for (float& v : out.rgb) v = std::clamp(v, 0.f, 1.f);
    return out;
}

Image resize_long_side(const Image& img, int long_side) {
    if (long_side < 1) throw Error("resize: long side must be >= 1, got " + std::to_string(long_side));
    if (img.empty()) throw Error("resize: the source image is empty");
    const bool landscape = img.width >= img.height;
    const double longer = landscape ? img.width : img.height;
    const double shorter = landscape ? img.height : img.width;
    const int short_side = std::max(1, static_cast<int>(std::lround(shorter * long_side / longer)));
    return landscape ? resize_to(img, long_side, short_side) : resize_to(img, short_side, long_side);
}

bool is_writable_image_path(const fs::path& path) {
    const std::string ext = lower_extension(path);
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

void check_output_path(const fs::path& path) {
    const std::string name = "--output " + path.string();
    if (!is_writable_image_path(path)) throw UsageError("--output " + unsupported_extension_message(path));

    std::error_code ec;
    if (fs::is_directory(path, ec)) throw Error(name + ": is a directory");
    const fs::path dir = parent_dir(path);
    const fs::file_status st = fs::status(dir, ec);
    if (st.type() == fs::file_type::not_found)
        throw Error(name + ": directory '" + dir.string() + "' does not exist");
    if (ec) throw Error(name + ": cannot access directory '" + dir.string() + "': " + ec.message());
    if (st.type() != fs::file_type::directory)
        throw Error(name + ": '" + dir.string() + "' is not a directory");

    // access(2) says yes to root everywhere (and knows nothing of read-only mounts or full
    // quotas), so really create a file there: it finds out early, before minutes of work.
    try {
        const TempFile probe(dir, "nst-write-test");
    } catch (const std::system_error& e) {
        throw Error(name + ": cannot write to directory '" + dir.string() + "': " +
                    errno_text(e.code().value()));
    }
}

void write_file_atomically(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
    const std::string name = path.string();
    const fs::path dir = parent_dir(path);
    const auto fail = [&](int err) { return Error(name + ": cannot write: " + errno_text(err)); };

    std::optional<TempFile> tmp;
    try {
        tmp.emplace(dir, path.filename().string());
    } catch (const std::system_error& e) {
        throw fail(e.code().value());
    }
    if (::fchmod(tmp->fd().get(), mode_for(path)) != 0) throw fail(errno);
    if (const int err = write_all(tmp->fd().get(), bytes.data(), bytes.size())) throw fail(err);
    // Without fsync a crash right after the rename can leave an empty file where the old one was.
    if (::fsync(tmp->fd().get()) != 0) throw fail(errno);
    if (const int err = tmp->fd().close_checked()) throw fail(err);
    if (::rename(tmp->path().c_str(), path.c_str()) != 0) throw fail(errno);
    tmp->keep();

    // Persist the directory entry too; the data is safe either way, so a failure here is not
    // worth reporting (some file systems refuse fsync on directories).
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);
        ::close(dir_fd);
    }
}

void save_image(const Image& img, const fs::path& path, int jpeg_quality) {
    if (!is_writable_image_path(path)) throw UsageError(unsupported_extension_message(path));
    if (jpeg_quality < 1 || jpeg_quality > 100)
        throw UsageError(path.string() + ": JPEG quality " + std::to_string(jpeg_quality) +
                         " is out of range (1..100)");
    if (img.empty() || img.rgb.size() != static_cast<std::size_t>(img.width) * img.height * 3)
        throw Error(path.string() + ": cannot save an empty or malformed image");

    std::vector<std::uint8_t> pixels(img.rgb.size());
    std::transform(img.rgb.begin(), img.rgb.end(), pixels.begin(), to_byte);

    std::vector<std::uint8_t> encoded;
    const bool png = lower_extension(path) == ".png";
    const int ok = png ? stbi_write_png_to_func(append_to_vector, &encoded, img.width, img.height, 3,
                                                pixels.data(), img.width * 3)
                       : stbi_write_jpg_to_func(append_to_vector, &encoded, img.width, img.height, 3,
                                                pixels.data(), jpeg_quality);
    if (!ok || encoded.empty())
        throw Error(path.string() + ": cannot encode " + (png ? "PNG" : "JPEG") + " image");
    write_file_atomically(path, encoded);
}

}  // namespace nst
