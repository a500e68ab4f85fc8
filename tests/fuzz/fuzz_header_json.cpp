// libFuzzer target: safetensors::parse_header alone, the input being the JSON header text
// (header_len = size), as both the file reader and the downloader call it. Each input is parsed
// with the total size unknown (the downloader before a server said it) and, when that succeeds,
// again with the exact size it needs (must succeed the same way), one byte less (must be refused
// as truncated) and no data at all. Only nst::Error may come out; any other exception, crash,
// sanitizer report or broken invariant is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "header_invariants.h"
#include "nst/error.h"
#include "weights/safetensors.h"

namespace {

namespace st = nst::safetensors;

void check_header(const st::Header& h, std::size_t size) {
    if (h.header_len != size || h.data_start != 8 + size) nst::fuzz::broken("header_len and data_start as given");
    nst::fuzz::check_header_invariants(h);
}

// parse_header, or false when it refused the input with nst::Error.
bool parse(std::string_view text, std::uint64_t total, st::Header& out) {
    try {
        out = st::parse_header(text, text.size(), "fuzz", total);
        return true;
    } catch (const nst::Error&) {
        return false;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    st::Header unknown;
    if (!parse(text, UINT64_MAX, unknown)) {
        st::Header ignored;
        (void)parse(text, 8 + size, ignored);  // a known size takes other paths to the same refusal
        return 0;
    }
    check_header(unknown, size);

    const std::uint64_t exact = unknown.data_start + unknown.data_size();
    st::Header known;
    if (!parse(text, exact, known)) nst::fuzz::broken("a header parses with exactly the bytes it needs");
    check_header(known, size);
    if (known.tensors.size() != unknown.tensors.size() || known.metadata != unknown.metadata)
        nst::fuzz::broken("the total size does not change what is parsed");
    if (unknown.data_size() > 0) {
        st::Header cut;
        if (parse(text, exact - 1, cut)) nst::fuzz::broken("one byte short is refused as truncated");
        if (parse(text, 8 + size, cut)) nst::fuzz::broken("no data at all is refused as truncated");
    }
    return 0;
}
