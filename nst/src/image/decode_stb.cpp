// GIF, BMP and TGA through stb_image (Debian's header), compiled here with only those three
// loaders: its PNM, HDR, PSD and PIC code, with their known memory bugs, is not in the program
// at all, and its functions are static so they cannot clash with libstb's. Every allocation stb
// makes goes through a per-thread budget set from the declared size, so no stream inside a file
// can make it grow a buffer beyond what the header's width x height justify.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "image/image_codecs.h"
#include "nst/error.h"

namespace nst {
namespace {

struct Budget {
    std::size_t limit = 0;
    std::size_t used = 0;
};
thread_local Budget* g_budget = nullptr;

// Each block carries its size in front (16 bytes keep the payload aligned for any type stb uses).
constexpr std::size_t kHeader = 16;

void* budget_realloc(void* p, std::size_t size) {
    const std::size_t old = p ? *reinterpret_cast<std::size_t*>(static_cast<char*>(p) - kHeader) : 0;
    Budget* b = g_budget;
    if (!b || size > b->limit || b->used - old > b->limit - size) return nullptr;  // stb: "outofmem"
    void* block = std::realloc(p ? static_cast<char*>(p) - kHeader : nullptr, size + kHeader);
    if (!block) return nullptr;
    b->used = b->used - old + size;
    *static_cast<std::size_t*>(block) = size;
    return static_cast<char*>(block) + kHeader;
}

void* budget_malloc(std::size_t size) { return budget_realloc(nullptr, size); }

void budget_free(void* p) {
    if (!p) return;
    char* block = static_cast<char*>(p) - kHeader;
    if (g_budget) g_budget->used -= *reinterpret_cast<std::size_t*>(block);
    std::free(block);
}

}  // namespace
}  // namespace nst

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_GIF
#define STBI_ONLY_BMP
#define STBI_ONLY_TGA
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MALLOC(size) nst::budget_malloc(size)
#define STBI_REALLOC(p, size) nst::budget_realloc(p, size)
#define STBI_FREE(p) nst::budget_free(p)
#include <stb_image.h>

namespace nst {

Rgba8 decode_with_stb(std::span<const std::uint8_t> bytes, const ImageHeader& header, const std::string& name) {
    // stb's GIF loader keeps three RGBA canvases and a per-pixel history (13 bytes a pixel); BMP
    // and TGA need at most two buffers. A MiB more covers palettes and the GIF decoder's tables.
    const std::uint64_t declared = std::min<std::uint64_t>(header.pixels(), SIZE_MAX / 32);
    Budget budget{static_cast<std::size_t>(declared * 13 + (1u << 20)), 0};
    struct Scope {
        explicit Scope(Budget* b) { g_budget = b; }
        ~Scope() { g_budget = nullptr; }
    } const scope(&budget);

    int w = 0, h = 0, channels = 0;
    const std::unique_ptr<stbi_uc, decltype(&stbi_image_free)> pixels(
        stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &channels, 4), &stbi_image_free);
    const std::string format(format_name(header.format));
    if (!pixels) {
        const char* reason = stbi_failure_reason();
        throw Error(name + ": corrupt " + format + " (" + (reason ? reason : "unknown error") + ")");
    }
    if (static_cast<std::uint32_t>(w) != header.width || static_cast<std::uint32_t>(h) != header.height)
        throw Error(name + ": corrupt " + format + " (decoded size differs from its header)");
    Rgba8 out{header.width, header.height, {}};
    out.pixels.assign(pixels.get(), pixels.get() + std::size_t{out.width} * out.height * 4);
    return out;
}

}  // namespace nst
