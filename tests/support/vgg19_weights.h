#pragma once
// Generated VGG19 weights for tests: full torchvision shapes, random (Kaiming-scaled) values.
// No test downloads weights; these exercise the real loader end to end.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "weights/safetensors.h"

namespace nst::test {

// All features.N.weight/bias tensors of VGG19 (plus a small classifier tensor, which loaders must
// ignore). `edit` may change the list before it is written (drop a key, change a shape, ...).
std::vector<safetensors::OutTensor> vgg19_tensors(std::uint32_t seed,
                                                  safetensors::DType dtype = safetensors::DType::F32);

void write_vgg19(const std::filesystem::path& path, std::uint32_t seed = 1,
                 const std::function<void(std::vector<safetensors::OutTensor>&)>& edit = {});

// A whole-model layout like the published model.safetensors (timm's vgg19.tv_in1k): the
// features.* tensors plus classifier tensors, with {"format":"pt"} metadata. The classifier is a
// stand-in far smaller than the real 490 MB one, split so that one tensor (about 6 MB) lies
// between features.16 and features.19 and the rest (about 33 MB) after the features: a
// downloader must skip both. Tensors are in file order.
std::vector<safetensors::OutTensor> vgg19_full_layout_tensors(std::uint32_t seed = 1);
inline const std::map<std::string, std::string> kFullLayoutMetadata{{"format", "pt"}};

}  // namespace nst::test
