#pragma once
// The public interface of the nst engine library: include this one header.
#include "nst/color.h"
#include "nst/engine.h"
#include "nst/error.h"
#include "nst/image.h"
#include "nst/layers.h"
#include "nst/weights.h"

namespace nst {
// Project version (from CMake).
const char* version();
}  // namespace nst
