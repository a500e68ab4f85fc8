// libFuzzer target: the downloader's FeaturesAssembler fed the way a server sends bytes. The
// input is two control bytes and then the remote file. The harness plays the request loop of
// download.cpp: while !complete(), ask next_request() and serve that range of the file in chunks,
// as a well-behaved server (206 from the asked byte), one that starts a little early, one that
// ignores Range (200 from byte 0), or a broken one that skips ahead; with or without telling the
// file's size. It stops when nothing more can be served (a truncated file). Once the header has
// been accepted, the file may optionally continue with zeros, so that an input holding just a
// valid VGG19 header can be completed and its result checked like a saved download.
//
// Control byte 0:  bit 0   tell set_remote_size(file size, zeros included) with every response
//                  bit 1   the server ignores Range: every response is the file from byte 0
//                  bit 2   the server skips ahead one byte once (must be refused with nst::Error)
//                  bit 3   after the header, the file continues with zeros (virtually)
//                  bits 4-7 responses start this many bytes before the asked byte
// Control byte 1:  chunk size: bit 7 set: 1-128 bytes; clear: 64-8192 bytes
// Only nst::Error may come out; any other exception, crash, sanitizer report, allocation over
// libFuzzer's limit or broken invariant is a finding.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "download/features_assembler.h"
#include "header_invariants.h"
#include "nst/error.h"
#include "weights/safetensors.h"
#include "weights/vgg19_check.h"

namespace {

namespace st = nst::safetensors;

using nst::fuzz::broken;

constexpr int kMaxRequests = 64;
// How far the virtual zeros reach: VGG19's features in F32 with room for gaps.
constexpr std::uint64_t kMaxVirtualSize = 128ull << 20;
constexpr std::size_t kVirtualChunk = 1u << 20;

struct Server {
    std::span<const std::uint8_t> file;
    bool tell_size = false;
    bool ignore_range = false;
    bool skip_ahead = false;
    bool zeros_after_header = false;
    std::uint64_t lag = 0;
    std::size_t chunk = 1;

    // The size the server tells: with the zeros, the whole virtual file.
    [[nodiscard]] std::uint64_t told_size() const {
        return zeros_after_header ? std::max<std::uint64_t>(file.size(), kMaxVirtualSize) : file.size();
    }
    // How far it can serve now: zeros only once the header was parsed and checked (total() > 0),
    // so a garbage header length is not answered with megabytes of zeros on every input.
    [[nodiscard]] std::uint64_t servable(const nst::FeaturesAssembler& a) const {
        return a.total() > 0 ? told_size() : file.size();
    }
};

// Bytes [pos, pos + n) of the (possibly zero-extended) file.
std::span<const std::uint8_t> bytes_at(const Server& s, std::uint64_t pos, std::size_t n) {
    static const std::vector<std::uint8_t> zeros(kVirtualChunk, 0);
    if (pos < s.file.size()) return s.file.subspan(static_cast<std::size_t>(pos), std::min<std::uint64_t>(n, s.file.size() - pos));
    return std::span(zeros).first(std::min(n, zeros.size()));
}

// One response. Returns false when the server has nothing for this request (a truncated file).
bool respond(Server& s, nst::FeaturesAssembler& a) {
    const nst::ByteRange r = a.next_request();
    if (r.begin != a.first_missing() || r.end <= r.begin) broken("next_request starts at the first missing byte");
    if (s.tell_size) a.set_remote_size(s.told_size());
    const std::uint64_t size = s.servable(a);
    std::uint64_t pos = s.ignore_range ? 0 : r.begin - std::min(s.lag, r.begin);
    if (s.skip_ahead) {
        s.skip_ahead = false;
        ++pos;
    }
    const std::uint64_t end = s.ignore_range ? size : std::min(r.end, size);
    if (pos >= end) return false;
    const std::uint64_t before = a.done();
    while (pos < end && !a.complete()) {
        const std::size_t want = pos < s.file.size() ? s.chunk : kVirtualChunk;
        const auto piece = bytes_at(s, pos, static_cast<std::size_t>(std::min<std::uint64_t>(want, end - pos)));
        a.accept(pos, piece);
        pos += piece.size();
    }
    return a.done() > before;
}

// What save() and validate_written() do with a completed download, minus the disk and the values.
void check_result(nst::FeaturesAssembler& a) {
    const std::vector<st::OutTensor> tensors = a.take_tensors();
    for (const st::OutTensor& t : tensors) {
        if (!nst::is_vgg19_features_tensor(t.name)) broken("only VGG19 tensors are kept");
    }
    const std::vector<std::uint8_t> file = st::serialize(tensors, a.metadata());
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | file[static_cast<std::size_t>(i)];
    const std::string_view text(reinterpret_cast<const char*>(file.data()) + 8, static_cast<std::size_t>(n));
    const st::Header header = st::parse_header(text, n, "fuzz result", file.size());
    nst::check_vgg19_features(header, "fuzz result");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    Server s;
    s.file = std::span(data + 2, size - 2);
    s.tell_size = data[0] & 1;
    s.ignore_range = data[0] & 2;
    s.skip_ahead = data[0] & 4;
    s.zeros_after_header = data[0] & 8;
    s.lag = data[0] >> 4;
    s.chunk = (data[1] & 0x80) ? (data[1] & 0x7f) + 1u : ((data[1] & 0x7fu) + 1u) * 64u;

    nst::FeaturesAssembler a("fuzz://remote");
    try {
        for (int i = 0; i < kMaxRequests && !a.complete(); ++i) {
            if (!respond(s, a)) break;
        }
        if (a.done() > a.total() && a.total() > 0) broken("done() <= total()");
        if (a.complete()) check_result(a);
    } catch (const nst::Error&) {
    }
    return 0;
}
