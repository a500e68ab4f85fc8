// libFuzzer target: the whole weights-file reader on arbitrary bytes, along the real loader's
// path: read_header, read_as_f32 of every tensor, check_vgg19_features. Only nst::Error may come
// out; anything else (another exception, a crash, a sanitizer report, a broken invariant) is a
// finding. The input is written to a memfd once per run and read back through /proc/self/fd/N,
// so the reader's own open/fstat/pread path is exercised with no files left behind.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "header_invariants.h"
#include "nst/error.h"
#include "weights/safetensors.h"
#include "weights/vgg19_check.h"

namespace {

namespace st = nst::safetensors;


// One memfd for the whole run: rewritten per input.
int input_fd() {
    static const int fd = [] {
        const int f = ::memfd_create("fuzz_safetensors_file", MFD_CLOEXEC);
        if (f < 0) {
            std::perror("memfd_create");
            std::abort();
        }
        return f;
    }();
    return fd;
}

void write_input(int fd, const std::uint8_t* data, std::size_t size) {
    if (::ftruncate(fd, 0) != 0) std::abort();
    for (std::size_t done = 0; done < size;) {
        const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
        if (n <= 0) std::abort();
        done += static_cast<std::size_t>(n);
    }
}

// What read_header promises about a header it returns.
void check_header(const st::Header& h, std::size_t file_size) {
    if (h.data_start > file_size || h.data_size() > file_size - h.data_start)
        nst::fuzz::broken("every tensor lies in the file");
    nst::fuzz::check_header_invariants(h);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const int fd = input_fd();
    write_input(fd, data, size);
    const std::string path = "/proc/self/fd/" + std::to_string(fd);

    st::Header header;
    try {
        header = st::read_header(path);
    } catch (const nst::Error&) {
        return 0;
    }
    check_header(header, size);
    // Every tensor, as validate_written does; one bad tensor does not stop the others.
    for (const st::TensorInfo& t : header.tensors) {
        try {
            const std::vector<float> values = st::read_as_f32(path, header, t);
            if (values.size() != static_cast<std::size_t>(t.numel())) nst::fuzz::broken("read_as_f32 returns numel values");
        } catch (const nst::Error&) {
        }
    }
    try {
        nst::check_vgg19_features(header, path);
    } catch (const nst::Error&) {
    }
    return 0;
}
