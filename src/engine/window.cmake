# window operators: sources added to eddy_engine, and their tests.
target_sources(eddy_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/aggregate.cc
  ${CMAKE_CURRENT_LIST_DIR}/group_aggregate_operator.cc
  ${CMAKE_CURRENT_LIST_DIR}/top_n_operator.cc
  ${CMAKE_CURRENT_LIST_DIR}/window_aggregate_operator.cc
  ${CMAKE_CURRENT_LIST_DIR}/window_assign_operator.cc
  ${CMAKE_CURRENT_LIST_DIR}/window_spec.cc
)

eddy_add_unit_test(eddy_window_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/aggregate_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/group_aggregate_operator_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/top_n_operator_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/window_aggregate_operator_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/window_assign_operator_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/window_spec_test.cc
  LIBS eddy_engine eddy_testutil)
