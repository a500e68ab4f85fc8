# weights/: the .safetensors format (file, header), the VGG19 shape check, the cache's place.
nst_add_sources(NST_UNTRUSTED_SOURCES safetensors.cpp safetensors_header.cpp vgg19_check.cpp)
nst_add_sources(NST_CORE_SOURCES weights_cache.cpp)
