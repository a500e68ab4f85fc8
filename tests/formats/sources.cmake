# formats/: the torch-free code that reads and writes files and texts: images (and hostile ones),
# safetensors, layer specs, region masks, sessions, sweep specs, the weights download.
nst_add_sources(NST_FORMAT_TESTS test_image.cpp test_image_formats.cpp test_hostile_images.cpp test_safetensors.cpp
                test_layers.cpp test_regions_io.cpp test_session.cpp test_download.cpp test_sweep_spec.cpp)
