# join operators: sources added to eddy_engine, and their tests.
target_sources(eddy_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/join_schema.cc
  ${CMAKE_CURRENT_LIST_DIR}/join_row_store.cc
  ${CMAKE_CURRENT_LIST_DIR}/checkpointed_watermark.cc
  ${CMAKE_CURRENT_LIST_DIR}/window_join_operator.cc
  ${CMAKE_CURRENT_LIST_DIR}/regular_join_operator.cc
  ${CMAKE_CURRENT_LIST_DIR}/interval_join_operator.cc
  ${CMAKE_CURRENT_LIST_DIR}/lookup_join_operator.cc
  ${CMAKE_CURRENT_LIST_DIR}/deduplicate_operator.cc
  ${CMAKE_CURRENT_LIST_DIR}/keyed_process_operator.cc
)

eddy_add_unit_test(eddy_join_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/join_schema_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/join_row_store_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/window_join_operator_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/interval_join_operator_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/regular_join_operator_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/lookup_join_operator_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/deduplicate_operator_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/keyed_process_operator_test.cc
  LIBS eddy_engine eddy_testutil)

# Checkpoints of the join operators: snapshot, restore, rescale.
eddy_add_unit_test(eddy_join_state_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/join_state_test.cc
  LIBS eddy_engine eddy_testutil)
