// Image loading (decode_image: format and size checks, then one codec per format), resizing and
// atomic saving (stb's resize and writers from Debian's libstb).
#include "nst/image.h"

#include <fcntl.h>
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

#include "image/image_codecs.h"
#include "image/image_format.h"
#include "nst/error.h"

namespace nst {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kWritableHint = "(use .png, .jpg or .jpeg)";

std::string errno_text(int err) { return std::strerror(err); }

// Straight alpha over a white background, in the file's (sRGB) values like every viewer does.
Image composite_over_white(const Rgba8& decoded) {
    const std::uint8_t* rgba = decoded.pixels.data();
    Image img;
    img.width = static_cast<int>(decoded.width);
    img.height = static_cast<int>(decoded.height);
    const std::size_t n = std::size_t{decoded.width} * decoded.height;
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
    // No image of the allowed size needs more bytes than this (BMP, the largest, stores 4 a pixel;
    // compressed formats less), so a bigger file is refused before it is read into memory.
    struct stat st_fd {};
    if (::fstat(fd.get(), &st_fd) != 0) throw Error(name + ": cannot read: " + errno_text(errno));
    const std::uint64_t max_bytes =
        std::min<std::uint64_t>(static_cast<std::uint64_t>(std::max<std::int64_t>(max_pixels, 0)), 1ull << 56) * 8 +
        (16u << 20);
    if (static_cast<std::uint64_t>(st_fd.st_size) > max_bytes)
        throw Error(name + ": file is " + std::to_string(st_fd.st_size) +
                    " bytes, more than any image within the pixel limit needs (raise it with --max-pixels)");
    const std::vector<std::uint8_t> bytes = read_all(fd.get(), name);
    if (bytes.empty()) throw Error(name + ": file is empty");
    return decode_image(bytes, name, max_pixels);
}

Image decode_image(const std::vector<std::uint8_t>& bytes, const std::string& name,
                   std::int64_t max_pixels) {
    // Format, structure and size first: no codec sees bytes whose declared size is over the limit.
    const ImageHeader header = read_image_header(bytes, name, max_pixels);
    switch (header.format) {
        case ImageFormat::Png: return composite_over_white(decode_png(bytes, header, name));
        case ImageFormat::Jpeg: return composite_over_white(decode_jpeg(bytes, header, name));
        case ImageFormat::Gif:
        case ImageFormat::Bmp:
        case ImageFormat::Tga:
            if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
                throw Error(name + ": file is too large (over 2 GiB)");
            return composite_over_white(decode_with_stb(bytes, header, name));
    }
    throw Error(name + ": not a supported image");
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
