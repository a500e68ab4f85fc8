# cli/: the nst program driven as a real process (each flag family, sessions, sweeps, tiles,
# hostile files), and the parameter table behind both programs' flags.
nst_add_sources(NST_CLI_TESTS test_cli.cpp test_cli_style.cpp test_cli_optimizer.cpp test_cli_regions.cpp
                test_cli_tile.cpp test_cli_sweep.cpp test_cli_session.cpp test_cli_hostile.cpp test_cli_video.cpp
                test_param_table.cpp test_cli_creative.cpp)
