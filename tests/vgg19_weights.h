#pragma once
// Generated VGG19 weights for tests: full torchvision shapes, random (Kaiming-scaled) values.
// No test downloads weights; these exercise the real loader end to end.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "nst/safetensors.h"

namespace nst::test {

// All features.N.weight/bias tensors of VGG19 (plus a small classifier tensor, which loaders must
// ignore). `edit` may change the list before it is written (drop a key, change a shape, ...).
std::vector<safetensors::OutTensor> vgg19_tensors(std::uint32_t seed,
                                                  safetensors::DType dtype = safetensors::DType::F32);

void write_vgg19(const std::filesystem::path& path, std::uint32_t seed = 1,
                 const std::function<void(std::vector<safetensors::OutTensor>&)>& edit = {});

}  // namespace nst::test
