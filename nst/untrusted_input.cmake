# The torch-free sources that parse bytes from users, disks and servers (images, safetensors,
# the download assembler), relative to nst/: part of nst_core, and compiled again with
# sanitizers and coverage by tests/fuzz, so a new parser file is fuzzed without a second list.
set(NST_UNTRUSTED_INPUT_SOURCES
  src/image_io.cpp
  src/image_format.cpp
  src/decode_png.cpp
  src/decode_jpeg.cpp
  src/decode_stb.cpp
  src/safetensors.cpp
  src/safetensors_header.cpp
  src/layers.cpp
  src/vgg19_check.cpp
  src/features_assembler.cpp)
