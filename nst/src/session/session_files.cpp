// The files around a session: its folder, the names of its images, the inputs' SHA-256 (OpenSSL's
// libcrypto, Debian's libssl-dev), where autosaves go and the UTC timestamps they carry.
#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>

#include "nst/error.h"
#include "nst/session.h"
#include "params/param_text.h"
#include "session/session_files.h"

namespace nst {
namespace session_detail {
namespace {

struct DigestDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using Digest = std::unique_ptr<EVP_MD_CTX, DigestDeleter>;

Digest new_digest() {
    Digest ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw Error("SHA-256: cannot start a digest");
    return ctx;
}

std::string finish_hex(EVP_MD_CTX* ctx) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx, digest, &length) != 1) throw Error("SHA-256: cannot finish a digest");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) out.append({kHex[digest[i] >> 4], kHex[digest[i] & 15]});
    return out;
}

}  // namespace

std::string sha256_hex(const std::vector<std::uint8_t>& bytes) {
    const Digest ctx = new_digest();
    if (EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1) throw Error("SHA-256: cannot hash");
    return finish_hex(ctx.get());
}

std::vector<std::uint8_t> quantized(const std::vector<float>& values) {
    std::vector<std::uint8_t> out(values.size());
    // As image_io.cpp's to_byte: NaN and below 0 -> 0, 1 and above -> 255, else rounded.
    std::transform(values.begin(), values.end(), out.begin(), [](float v) -> std::uint8_t {
        if (!(v > 0.f)) return 0;
        if (v >= 1.f) return 255;
        return static_cast<std::uint8_t>(std::lround(v * 255.f));
    });
    return out;
}

std::string image_name(std::string_view kind, int width, int height, int channels,
                       const std::vector<std::uint8_t>& pixels) {
    const std::string head = std::to_string(width) + "x" + std::to_string(height) + "x" + std::to_string(channels) + "\n";
    std::vector<std::uint8_t> bytes(head.begin(), head.end());
    bytes.insert(bytes.end(), pixels.begin(), pixels.end());
    // 64 bits of the hash: a collision among one folder's few files is not a practical concern.
    return std::string(kind) + "-" + sha256_hex(bytes).substr(0, 16) + ".png";
}

bool is_image_name(std::string_view name) {
    constexpr std::string_view kinds[] = {kMask, kMap, kImage, kSnapshot};
    for (const std::string_view kind : kinds) {
        if (name.size() != kind.size() + 1 + 16 + 4 || !name.starts_with(kind) || name[kind.size()] != '-' ||
            !name.ends_with(".png"))
            continue;
        const std::string_view hex = name.substr(kind.size() + 1, 16);
        if (std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
            return true;
    }
    return false;
}

double json_float(float v) {
    if (!std::isfinite(v)) return v;
    return *parse_number<double>(format_number(v));
}

}  // namespace session_detail

std::filesystem::path session_folder(const std::filesystem::path& file) {
    return file.parent_path() / (file.stem().string() + "_files");
}

std::string sha256_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path)) {
        const int err = errno;
        throw Error(path.string() + ": cannot read: " +
                    (std::filesystem::exists(path) ? std::strerror(err) : "no such file"));
    }
    const session_detail::Digest ctx = session_detail::new_digest();
    std::vector<char> buffer(1 << 16);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        if (in.gcount() > 0 && EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(in.gcount())) != 1)
            throw Error(path.string() + ": cannot hash");
    }
    if (in.bad()) throw Error(path.string() + ": read error");
    return session_detail::finish_hex(ctx.get());
}

std::vector<std::string> changed_inputs(const Session& session) {
    std::vector<std::string> out;
    for (const SessionInput& input : session.inputs) {
        const std::string name = input.role + " " + input.path;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(input.path, ec)) {
            out.push_back(name + " is missing (moved or deleted since the session was saved)");
            continue;
        }
        std::string now;
        try {
            now = sha256_file(input.path);
        } catch (const Error& e) {
            out.push_back(name + " cannot be read: " + e.what());
            continue;
        }
        if (now != input.sha256) out.push_back(name + " changed since the session was saved (SHA-256 differs)");
    }
    return out;
}

std::string utc_timestamp() {
    const std::time_t t = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::filesystem::path state_dir() {
    // The XDG Base Directory spec: a relative $XDG_STATE_HOME is invalid and ignored.
    if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg == '/') return std::filesystem::path(xdg) / "nst";
    const char* home = std::getenv("HOME");
    if (!home || !*home) throw Error("no place for autosaves: neither XDG_STATE_HOME nor HOME is set");
    return std::filesystem::path(home) / ".local" / "state" / "nst";
}

}  // namespace nst
