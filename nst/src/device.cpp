// Which device the engine runs on, and what LibTorch offers here (for --device and --version).
#include <torch/torch.h>

#include <algorithm>
#include <string>

#include "nst/engine.h"
#include "nst/error.h"

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

}  // namespace nst
