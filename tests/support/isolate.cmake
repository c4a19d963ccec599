# SPDX-License-Identifier: LGPL-2.1-or-later
# tapix_add_test(NAME name [NETNS] COMMAND command [arg...]): add_test through
# isolate.sh, so the test runs with a HOME, XDG directories and TMPDIR of
# its own and fails if it leaves a process running; and under the fixture
# tapix_home, whose check fails if the suite changed the real home. Every
# test is registered this way: a plain add_test fails the configuration.
# NETNS: the test listens on fixed ports of 127.0.0.1 and runs in a
# network namespace of its own where it can (isolate.sh --netns).
include_guard(GLOBAL)

function(tapix_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 T "NETNS" "NAME" "COMMAND")
  if(NOT T_NAME OR NOT T_COMMAND OR T_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tapix_add_test(NAME name COMMAND command [arg...])")
  endif()
  # add_test only resolves a target name given as the command itself
  list(POP_FRONT T_COMMAND cmd)
  if(TARGET ${cmd})
    set(cmd $<TARGET_FILE:${cmd}>)
  endif()
  set(netns "")
  if(T_NETNS)
    set(netns --netns)
  endif()
  add_test(NAME ${T_NAME} COMMAND sh
    ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/isolate.sh ${netns} ${cmd} ${T_COMMAND})
  set_tests_properties(${T_NAME} PROPERTIES FIXTURES_REQUIRED tapix_home)
  set_property(GLOBAL APPEND PROPERTY TAPIX_ISOLATED_TESTS ${T_NAME})
  get_property(deferred DIRECTORY PROPERTY TAPIX_FIXTURE_CHECK)
  if(NOT deferred)
    set_property(DIRECTORY PROPERTY TAPIX_FIXTURE_CHECK ON)
    cmake_language(DEFER CALL tapix_check_fixture)
  endif()
endfunction()

# The real home, watched from before the first test to after the last one.
set(TAPIX_HOME_CHECK sh ${CMAKE_CURRENT_LIST_DIR}/home_check.sh)
tapix_add_test(NAME home_untouched_stamp
  COMMAND ${TAPIX_HOME_CHECK} stamp ${PROJECT_BINARY_DIR}/home-stamp)
tapix_add_test(NAME home_untouched
  COMMAND ${TAPIX_HOME_CHECK} compare ${PROJECT_BINARY_DIR}/home-stamp)
# (tapix_home_stamp: the check run alone takes a stamp of its own first,
# not the last run's)
set_tests_properties(home_untouched_stamp PROPERTIES LABELS unit
  FIXTURES_REQUIRED "" FIXTURES_SETUP "tapix_home;tapix_home_stamp"
  SKIP_RETURN_CODE 77)
set_tests_properties(home_untouched PROPERTIES LABELS unit
  FIXTURES_REQUIRED tapix_home_stamp FIXTURES_CLEANUP tapix_home
  SKIP_RETURN_CODE 77)

# At the end of the configuration, no test may have got round isolate.sh
# (a plain add_test, in any directory) ...
function(tapix_check_isolated)
  get_property(isolated GLOBAL PROPERTY TAPIX_ISOLATED_TESTS)
  set(dirs ${PROJECT_SOURCE_DIR})
  set(bare "")
  while(dirs)
    list(POP_FRONT dirs d)
    get_property(sub DIRECTORY ${d} PROPERTY SUBDIRECTORIES)
    list(APPEND dirs ${sub})
    get_property(tests DIRECTORY ${d} PROPERTY TESTS)
    foreach(t IN LISTS tests)
      if(NOT t IN_LIST isolated)
        list(APPEND bare ${t})
      endif()
    endforeach()
  endwhile()
  if(bare)
    list(JOIN bare " " bare)
    message(FATAL_ERROR "added with add_test, not tapix_add_test "
      "(tests/support/isolate.cmake), these tests would run in the real "
      "home: ${bare}")
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR}
  CALL tapix_check_isolated)

# ... nor out of the fixture: set_tests_properties(FIXTURES_REQUIRED) on a
# test replaces tapix_home rather than adding to it. Checked at the end of
# each directory with tests (get_test_property sees only its own).
function(tapix_check_fixture)
  get_property(tests DIRECTORY PROPERTY TESTS)
  set(lost "")
  foreach(t IN LISTS tests)
    get_test_property(${t} FIXTURES_REQUIRED req)
    get_test_property(${t} FIXTURES_SETUP setup)
    get_test_property(${t} FIXTURES_CLEANUP cleanup)
    if(NOT tapix_home IN_LIST req AND NOT tapix_home IN_LIST setup AND
        NOT tapix_home IN_LIST cleanup)
      list(APPEND lost ${t})
    endif()
  endforeach()
  if(lost)
    list(JOIN lost " " lost)
    message(FATAL_ERROR "tests out of the fixture tapix_home (append to "
      "FIXTURES_REQUIRED with set_property(TEST ... APPEND)): ${lost}")
  endif()
endfunction()
