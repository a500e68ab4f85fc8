// Which device the engine runs on, and what LibTorch offers here (for --device and --version).
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#if NST_TORCH_HAS_CUDA
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

#include "nst/engine.h"
#include "nst/error.h"
#include "nst/tiling.h"

namespace nst {

std::string libtorch_version() { return TORCH_VERSION; }
bool cuda_compiled() { return NST_TORCH_HAS_CUDA != 0; }
bool cuda_available() { return torch::cuda::is_available(); }

std::string resolve_device(const std::string& device) {
    if (device == "auto") return cuda_available() ? "cuda:0" : "cpu";
    if (device == "cpu") return "cpu";
    if (device == "cuda" || device.starts_with("cuda:")) {
        int index = 0;
        if (device.size() > 5) {
            const std::string digits = device.substr(5);
            if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit) || digits.size() > 3)
                throw UsageError("--device " + device + ": expected auto, cpu, cuda or cuda:N");
            index = std::stoi(digits);
        }
        if (!cuda_available())
            throw Error("--device " + device +
                        ": CUDA is not usable on this machine (no GPU or driver found); use --device cpu or auto");
        const auto count = static_cast<int>(torch::cuda::device_count());
        if (index >= count)
            throw Error("--device " + device + ": there are only " + std::to_string(count) + " CUDA device(s)");
        return "cuda:" + std::to_string(index);
    }
    throw UsageError("--device " + device + ": expected auto, cpu, cuda or cuda:N");
}

std::uint64_t default_max_memory(const std::string& device) {
    std::uint64_t available = 0;
#if NST_TORCH_HAS_CUDA
    if (device.starts_with("cuda")) {
        const torch::Device d(device);
        c10::cuda::OptionalCUDAGuard guard;
        if (d.has_index()) guard.set_index(d.index());
        std::size_t free = 0, total = 0;
        if (cudaMemGetInfo(&free, &total) == cudaSuccess) available = free;
        return available / 4 * 3;
    }
#endif
    // MemAvailable: what can be allocated without swapping, page cache included.
    std::ifstream meminfo("/proc/meminfo");
    for (std::string line; std::getline(meminfo, line);) {
        if (!line.starts_with("MemAvailable:")) continue;
        std::istringstream fields(line.substr(13));
        std::uint64_t kib = 0;
        fields >> kib;
        available = kib * 1024;
    }
    if (available == 0) available = std::uint64_t{4} << 30;  // no /proc: assume a small machine
    return available / 4 * 3;
}

}  // namespace nst
