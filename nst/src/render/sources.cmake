# render/: a clip rendered frame by frame: each frame's temporal setup (start image and targets from
# the flow and the earlier results), the folder of finished frames that makes a render resumable,
# the frame loop both programs step (clip_render.cpp, on the public Engine API), and the video
# flags' texts.
nst_add_sources(NST_CORE_SOURCES temporal_setup.cpp frame_store.cpp clip_render.cpp video_specs.cpp)
