# The engine's folders, each listing its sources in its own sources.cmake into three lists:
#   NST_UNTRUSTED_SOURCES  torch-free code that parses bytes from users, disks and servers (images,
#                          safetensors, layer specs, the download assembler): part of nst_core, and
#                          compiled again with sanitizers and coverage by tests/fuzz, so a new
#                          parser file is fuzzed without a second list
#   NST_CORE_SOURCES       the rest of nst_core, the torch-free library the programs and most
#                          tests compile against without LibTorch headers
#   NST_TORCH_SOURCES      the few translation units that include LibTorch (library nst, which
#                          shares one precompiled torch/torch.h: keep this list short)
# optim/ is header-only (included by engine/).
nst_read_source_lists(${CMAKE_CURRENT_LIST_DIR} image weights download net loss match engine params session video flow render)
