# video/: clips in and out (formats, audio, hostile files) and optical flow (accuracy on known
# motion, reliability, warping, the worker thread). Torch-free: part of nst_unit_tests.
nst_add_sources(NST_VIDEO_TESTS test_video_io.cpp test_video_hostile.cpp)
nst_add_sources(NST_VIDEO_TESTS test_flow.cpp test_frame_feed.cpp)
