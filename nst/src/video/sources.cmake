# video/: reading and writing clips: FFmpeg demux/decode (untrusted bytes, fuzzed), frame patterns and
# folders, the encoder that assembles the output with the input's audio.
nst_add_sources(NST_UNTRUSTED_SOURCES libav_util.cpp container_input.cpp demux_decode.cpp frame_pattern.cpp frame_sequence.cpp)
nst_add_sources(NST_CORE_SOURCES output_spec.cpp audio_copy.cpp video_writer.cpp)
