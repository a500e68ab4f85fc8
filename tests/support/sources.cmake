# support/: what the tests share: generated VGG19 weights, hostile files, a loopback weights
# server, small helpers (test_util), the engines' test inputs, and the CLI tests' fixture.
nst_add_sources(NST_TEST_SUPPORT_SOURCES hostile_files.cpp test_util.cpp vgg19_weights.cpp weights_server.cpp)
nst_add_sources(NST_TEST_CLI_SUPPORT_SOURCES cli_fixture.cpp)
