#pragma once
// The one check that a safetensors header holds VGG19 "features" in torchvision's layout: every
// convolution of vgg19_layers() present as features.N.weight / features.N.bias with its exact
// shape and a float dtype. Shared by the engine's loader and the downloader, so a file the
// downloader accepts is exactly a file the engine loads. No LibTorch here.
#include <string>

#include "weights/safetensors.h"

namespace nst {

// Throws nst::Error "<what>: ..." naming the first missing or mis-shaped tensor.
void check_vgg19_features(const safetensors::Header& header, const std::string& what);

// True for exactly the tensors check_vgg19_features checks (features.N.weight / .bias of every
// convolution): what the downloader keeps of a full model. Other features.* names are ignored.
bool is_vgg19_features_tensor(const std::string& name);

}  // namespace nst
