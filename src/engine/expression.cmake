# expression operators: sources added to eddy_engine, and their tests.
target_sources(eddy_engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/expression.cc
  ${CMAKE_CURRENT_LIST_DIR}/expression_binder.cc
  ${CMAKE_CURRENT_LIST_DIR}/expression_evaluator.cc
  ${CMAKE_CURRENT_LIST_DIR}/expression_functions.cc
  ${CMAKE_CURRENT_LIST_DIR}/filter_operator.cc
  ${CMAKE_CURRENT_LIST_DIR}/map_operator.cc
  ${CMAKE_CURRENT_LIST_DIR}/project_operator.cc
)

eddy_add_unit_test(eddy_expression_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/expression_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/expression_random_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/operators_test.cc
  LIBS eddy_engine eddy_testutil)
