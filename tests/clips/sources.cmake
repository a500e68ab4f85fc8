# clips/: what makes the video tests' clips: synthetic clips with known motion (true flow and
# visibility; also used by nst-video-bench) and the ffmpeg command-line tool for encoded ones.
nst_add_sources(NST_TEST_SUPPORT_SOURCES synthetic_clip.cpp)
