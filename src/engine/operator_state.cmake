# Checkpointed operator state: encodings of state values (state_codec) and the tests
# that snapshot and restore every stateful operator.
target_sources(eddy_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/state_codec.cc
)

eddy_add_unit_test(eddy_operator_state_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/state_codec_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/operator_state_test.cc
  LIBS eddy_engine eddy_testutil)
