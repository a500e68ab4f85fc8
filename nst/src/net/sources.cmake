# net/: the layer table and layer specs (torch-free), VGG19 itself and the device it runs on.
nst_add_sources(NST_UNTRUSTED_SOURCES layers.cpp)
nst_add_sources(NST_TORCH_SOURCES vgg19.cpp device.cpp)
