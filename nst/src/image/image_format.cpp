// Format sniffing and header walks. The codecs behind decode_image are lenient by design (they
// decode what they can), so the structure is checked here first: a photo with its bottom half
// painted grey is worse than an error, and a decoder must never see a size it may not allocate.
#include "image/image_format.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>

#include "nst/error.h"

namespace nst {
namespace {

using Bytes = std::span<const std::uint8_t>;
using namespace std::string_view_literals;

std::uint32_t be16(Bytes b, std::size_t at) { return (std::uint32_t{b[at]} << 8) | b[at + 1]; }
std::uint32_t be32(Bytes b, std::size_t at) { return (be16(b, at) << 16) | be16(b, at + 2); }
std::uint32_t le16(Bytes b, std::size_t at) { return (std::uint32_t{b[at + 1]} << 8) | b[at]; }
std::uint32_t le32(Bytes b, std::size_t at) { return (le16(b, at + 2) << 16) | le16(b, at); }

bool starts_with(Bytes b, std::string_view magic, std::size_t at = 0) {
    return b.size() >= at + magic.size() &&
           std::equal(magic.begin(), magic.end(), b.begin() + static_cast<std::ptrdiff_t>(at),
                      [](char m, std::uint8_t c) { return static_cast<std::uint8_t>(m) == c; });
}

[[noreturn]] void fail(const std::string& name, const std::string& problem) { throw Error(name + ": " + problem); }

// Formats people do hand us that we deliberately do not decode: stb's PNM and HDR loaders have
// known memory bugs (CVE-2021-42716, CVE-2021-42715), and the rest have no decoder here at all.
std::optional<std::string_view> refused_format(Bytes b) {
    if (b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '7' &&
        (b[2] == ' ' || b[2] == '\t' || b[2] == '\n' || b[2] == '\r'))
        return "PNM (PBM/PGM/PPM/PAM)";
    if (starts_with(b, "#?")) return "Radiance HDR";
    if (starts_with(b, "8BPS")) return "Photoshop (PSD)";
    if (starts_with(b, "\x53\x80\xF6\x34")) return "Softimage PIC";
    if (starts_with(b, "II*\0"sv) || starts_with(b, "MM\0*"sv)) return "TIFF";
    if (starts_with(b, "RIFF") && starts_with(b, "WEBP", 8)) return "WebP";
    if (starts_with(b, "ftyp", 4)) return "HEIF/AVIF";
    if (starts_with(b, "\xFF\x0A") || starts_with(b, "\0\0\0\x0CJXL "sv)) return "JPEG XL";
    if (starts_with(b, "\0\0\0\x0CjP  "sv) || starts_with(b, "\xFF\x4F\xFF\x51")) return "JPEG 2000";
    if (starts_with(b, "qoif")) return "QOI";
    if (starts_with(b, "\0\0\1\0"sv)) return "ICO";
    if (starts_with(b, "%PDF")) return "PDF";
    return std::nullopt;
}

void check_dimensions(std::int64_t width, std::int64_t height, std::string_view format, const std::string& name) {
    if (width < 1 || height < 1)
        fail(name, std::string(format) + " header declares a " + std::to_string(width) + "x" + std::to_string(height) +
                       " image (no pixels)");
}

// PNG: the signature, IHDR first, then length/type/data/CRC chunks through a complete IEND.
ImageHeader png_header(Bytes b, const std::string& name) {
    // The dimensions are judged as soon as they are there, even in a file cut short after them.
    if (b.size() < 8 + 8 + 8) fail(name, "truncated PNG (chunk 'IHDR' is cut short)");
    if (be32(b, 8) != 13 || !starts_with(b, "IHDR", 12)) fail(name, "corrupt PNG (the first chunk is not a 13-byte IHDR)");
    const std::uint32_t width = be32(b, 16), height = be32(b, 20);
    // The PNG specification caps both at 2^31 - 1; a larger value is a corrupt header.
    if (width > 0x7FFFFFFFu || height > 0x7FFFFFFFu)
        fail(name, "corrupt PNG (IHDR declares " + std::to_string(width) + "x" + std::to_string(height) + ")");
    check_dimensions(width, height, "PNG", name);
    // A decompression bomb is a small file whose zlib stream inflates far beyond the declared
    // rows; the decoder would inflate it all (into a small buffer, but for seconds a megabyte).
    // Real encoders never need more compressed bytes than the raw rows (at most 8 bytes a pixel
    // plus a filter byte a row, with Adam7's extra rows) plus deflate's tiny overhead, so more
    // IDAT than that is refused here without inflating anything.
    const std::uint64_t raw_max = std::uint64_t{height} * (std::uint64_t{width} * 8 + 8);
    const std::uint64_t idat_max = raw_max + raw_max / 8 + (64u << 10);
    std::uint64_t idat = 0;
    std::uint64_t pos = 8;
    while (pos + 8 <= b.size()) {
        const std::uint64_t length = be32(b, pos);
        const std::string type(reinterpret_cast<const char*>(&b[pos + 4]), 4);
        const std::uint64_t chunk_end = pos + 12 + length;  // length, type, data, CRC; < 2^33: no overflow
        if (chunk_end > b.size()) fail(name, "truncated PNG (chunk '" + type + "' is cut short)");
        if (type == "IDAT") idat += length;
        if (type == "IEND") {
            if (idat > idat_max)
                fail(name, "corrupt PNG (" + std::to_string(idat) + " bytes of compressed pixels, more than a " +
                               std::to_string(width) + "x" + std::to_string(height) + " image can need)");
            return {ImageFormat::Png, width, height};
        }
        pos = chunk_end;
    }
    fail(name, "truncated PNG (no IEND chunk)");
}

bool is_sof_marker(std::uint8_t m) {
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

// JPEG: walk the marker segments up to the first start-of-scan, then require an end-of-image
// marker after it. Entropy-coded data stuffs every 0xFF as FF 00, so FF D9 cannot occur inside a
// scan; searching from the real SOS (not the first FF DA bytes, which may belong to an EXIF
// thumbnail) finds the main image's EOI only.
ImageHeader jpeg_header(Bytes b, const std::string& name) {
    std::optional<std::pair<std::uint32_t, std::uint32_t>> dims;  // width, height
    std::size_t pos = 2;                                           // after SOI
    while (true) {
        if (pos >= b.size()) fail(name, "truncated JPEG (ends before the image data)");
        if (b[pos] != 0xFF) fail(name, "corrupt JPEG (no marker at byte " + std::to_string(pos) + ")");
        while (pos < b.size() && b[pos] == 0xFF) ++pos;  // fill bytes
        if (pos >= b.size()) continue;                    // reported above on the next turn
        const std::uint8_t marker = b[pos++];
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no payload
        if (marker == 0xD9) fail(name, "corrupt JPEG (end-of-image marker before any image data)");
        if (pos + 2 > b.size()) fail(name, "truncated JPEG (ends before the image data)");
        const std::size_t length = be16(b, pos);
        if (length < 2) fail(name, "corrupt JPEG (bad segment length at byte " + std::to_string(pos) + ")");
        if (is_sof_marker(marker)) {
            if (pos + 7 > b.size()) fail(name, "truncated JPEG (ends before the image data)");
            if (!dims) dims.emplace(be16(b, pos + 5), be16(b, pos + 3));
        }
        pos += length;
        if (marker == 0xDA) break;  // first start-of-scan: its header is skipped
    }
    if (!dims) fail(name, "corrupt JPEG (image data before any frame header)");
    // Height 0 means "given later by a DNL marker", which no decoder here supports.
    check_dimensions(dims->first, dims->second, "JPEG", name);
    for (std::size_t i = pos; i + 1 < b.size(); ++i)
        if (b[i] == 0xFF && b[i + 1] == 0xD9) return {ImageFormat::Jpeg, dims->first, dims->second};
    fail(name, "truncated JPEG (no end-of-image marker)");
}

// GIF: the logical screen size, which is the size of the decoded first frame.
ImageHeader gif_header(Bytes b, const std::string& name) {
    if (b.size() < 13) fail(name, "truncated GIF (ends inside its header)");
    const std::uint32_t width = le16(b, 6), height = le16(b, 8);
    check_dimensions(width, height, "GIF", name);
    return {ImageFormat::Gif, width, height};
}

// BMP: the info header versions stb decodes. Height is signed (negative = top-down rows), and
// INT32_MIN has no positive counterpart.
ImageHeader bmp_header(Bytes b, const std::string& name) {
    if (b.size() < 18) fail(name, "truncated BMP (ends inside its header)");
    const std::uint32_t info_size = le32(b, 14);
    std::int64_t width = 0, height = 0;
    if (info_size == 12) {
        if (b.size() < 26) fail(name, "truncated BMP (ends inside its header)");
        width = le16(b, 18);
        height = le16(b, 20);
    } else if (info_size == 40 || info_size == 56 || info_size == 108 || info_size == 124) {
        if (b.size() < 14 + std::size_t{info_size}) fail(name, "truncated BMP (ends inside its header)");
        width = static_cast<std::int32_t>(le32(b, 18));
        height = static_cast<std::int32_t>(le32(b, 22));
        if (height == INT32_MIN) fail(name, "corrupt BMP (height " + std::to_string(height) + ")");
        height = height < 0 ? -height : height;
    } else {
        fail(name, "BMP with a " + std::to_string(info_size) + "-byte info header is not supported");
    }
    check_dimensions(width, height, "BMP", name);
    return {ImageFormat::Bmp, static_cast<std::uint32_t>(width), static_cast<std::uint32_t>(height)};
}

// TGA has no signature: accept exactly the headers stb's TGA loader accepts (colour-map type,
// image type, entry and pixel sizes), which plain text or random bytes almost never match.
std::optional<ImageHeader> tga_header(Bytes b) {
    if (b.size() < 18) return std::nullopt;
    const std::uint8_t colormap = b[1], type = b[2], pixel_bits = b[16];
    const auto bits_ok = [](std::uint8_t v) { return v == 8 || v == 15 || v == 16 || v == 24 || v == 32; };
    if (colormap > 1) return std::nullopt;
    if (colormap == 1 && ((type != 1 && type != 9) || !bits_ok(b[7]) || (pixel_bits != 8 && pixel_bits != 16)))
        return std::nullopt;
    if (colormap == 0 && type != 2 && type != 3 && type != 10 && type != 11) return std::nullopt;
    if (!bits_ok(pixel_bits)) return std::nullopt;
    const std::uint32_t width = le16(b, 12), height = le16(b, 14);
    if (width < 1 || height < 1) return std::nullopt;
    return ImageHeader{ImageFormat::Tga, width, height};
}

// "400.0 MP" for camera-sized numbers; tiny limits (tests, thumbnails) read better as pixels.
std::string describe_pixels(std::uint64_t pixels) {
    if (pixels < 100'000) return std::to_string(pixels) + " pixels";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f MP", static_cast<double>(pixels) / 1e6);
    return buf;
}

ImageHeader sniff(Bytes b, const std::string& name) {
    if (starts_with(b, "\x89PNG\r\n\x1A\n")) return png_header(b, name);
    if (starts_with(b, "\xFF\xD8\xFF")) return jpeg_header(b, name);
    if (starts_with(b, "GIF87a") || starts_with(b, "GIF89a")) return gif_header(b, name);
    if (starts_with(b, "BM")) return bmp_header(b, name);
    if (const auto refused = refused_format(b))
        fail(name, std::string(*refused) + " images are not supported; use PNG or JPEG");
    if (const auto tga = tga_header(b)) return *tga;
    fail(name, "not a supported image (" + std::string(kSupportedImageFormats) + "): the bytes match none of them");
}

}  // namespace

std::string_view format_name(ImageFormat f) {
    switch (f) {
        case ImageFormat::Jpeg: return "JPEG";
        case ImageFormat::Png: return "PNG";
        case ImageFormat::Gif: return "GIF";
        case ImageFormat::Bmp: return "BMP";
        case ImageFormat::Tga: return "TGA";
    }
    return "image";
}

ImageHeader read_image_header(Bytes bytes, const std::string& name, std::int64_t max_pixels) {
    if (bytes.empty()) fail(name, "file is empty");
    const ImageHeader h = sniff(bytes, name);
    // Both sides are below 2^32, so the product fits 64 bits unsigned.
    if (max_pixels < 0 || h.pixels() > static_cast<std::uint64_t>(max_pixels))
        fail(name, "image is " + std::to_string(h.width) + "x" + std::to_string(h.height) + " (" +
                       describe_pixels(h.pixels()) + "), over the limit of " +
                       describe_pixels(static_cast<std::uint64_t>(std::max<std::int64_t>(max_pixels, 0))) +
                       " (raise it with --max-pixels)");
    return h;
}

}  // namespace nst
