# The fuzz targets (each <name>.cpp here): built by tests/fuzz, run by CTest (tests/CMakeLists.txt).
set(NST_FUZZ_TARGETS fuzz_image_decode fuzz_safetensors_file fuzz_header_json fuzz_download_assembler
  fuzz_video_decode)
