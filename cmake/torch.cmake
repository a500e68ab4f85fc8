# LibTorch: found with find_package(Torch). scripts/setup.sh points CMAKE_PREFIX_PATH at the pinned
# PyPI wheel's torch.utils.cmake_prefix_path; a user's own LibTorch (official zip, conda, own
# build) is used instead when Torch_DIR or CMAKE_PREFIX_PATH names it.
# We compile no CUDA code ourselves, so name the architectures instead of letting Caffe2's config
# probe the (absent) GPU with a try_run, which fails on machines without one.
if(NOT DEFINED TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  set(TORCH_CUDA_ARCH_LIST "8.0;9.0")
endif()
find_package(Torch REQUIRED)
message(STATUS "LibTorch ${Torch_VERSION} from ${Torch_DIR}")
# TORCH_CXX_FLAGS carries the ABI define the library was built with; it must match ours.
set(NST_TORCH_CXX_FLAGS "${TORCH_CXX_FLAGS}")
separate_arguments(NST_TORCH_CXX_FLAGS)
# Whether the LibTorch we link was built with CUDA (reported by `nst --version`).
if(TORCH_CUDA_LIBRARIES)
  set(NST_TORCH_HAS_CUDA 1)
else()
  set(NST_TORCH_HAS_CUDA 0)
endif()

# One target to link against. The PyPI wheel's libtorch_cuda finds its CUDA libraries (NCCL,
# cuDNN, ...) in sibling site-packages/nvidia/*/lib through its RPATH at run time; the linker
# needs the same directories (-rpath-link), otherwise it resolves them against an older system
# copy (e.g. the CUDA toolkit's NCCL) and fails.
add_library(nst_torch INTERFACE)
target_link_libraries(nst_torch INTERFACE ${TORCH_LIBRARIES})
file(GLOB NST_TORCH_NVIDIA_LIBDIRS LIST_DIRECTORIES true "${TORCH_INSTALL_PREFIX}/../nvidia/*/lib")
foreach(dir IN LISTS NST_TORCH_NVIDIA_LIBDIRS)
  target_link_options(nst_torch INTERFACE "LINKER:-rpath-link,${dir}")
endforeach()
