# Helpers shared by every module's CMakeLists.txt.

# Warnings are a style tool: on our own targets only, never on imported ones
# (whose headers we do not control).
function(hla_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(HLA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(HLA_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                                             -fno-sanitize-recover=all
                                             -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# hla_add_library(<name> ALIAS <alias> SOURCES ... [PUBLIC ...] [PRIVATE ...])
# A static library of ours with include root = project root, so that headers
# are included as "hla/...", "parser/...", and so on.
function(hla_add_library name)
  cmake_parse_arguments(ARG "" "ALIAS" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  add_library(${ARG_ALIAS} ALIAS ${name})
  target_include_directories(${name} PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/haplomatch>)
  target_compile_features(${name} PUBLIC cxx_std_17)
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  hla_set_warnings(${name})
endfunction()

# hla_add_test(<name> SOURCES ... LIBS ... LABELS unit|integration)
# One GoogleTest binary; ctest sees each TEST through gtest_discover_tests.
# The label says what every test of the binary reads, so that `ctest -L unit`
# never touches the shipped data: `unit` for tests on inline or synthetic
# data only, `integration` for tests that read the shipped releases, MAC
# tables, frequencies or examples under data/. It is required, and a binary
# must not mix the two: split it instead.
function(hla_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_LABELS STREQUAL "unit" AND NOT ARG_LABELS STREQUAL "integration")
    message(FATAL_ERROR
        "hla_add_test(${name}): LABELS must be unit or integration, "
        "got '${ARG_LABELS}'")
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE
      HLA_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/tests/testdata"
      HLA_SHIPPED_DATA_DIR="${PROJECT_SOURCE_DIR}/data")
  hla_set_warnings(${name})
  gtest_discover_tests(${name}
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      DISCOVERY_MODE PRE_TEST
      DISCOVERY_TIMEOUT 60
      PROPERTIES LABELS ${ARG_LABELS})
endfunction()

# hla_add_benchmark(<name> SOURCES ... LIBS ...)
function(hla_add_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} benchmark::benchmark)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE
      HLA_SHIPPED_DATA_DIR="${PROJECT_SOURCE_DIR}/data")
  hla_set_warnings(${name})
  set_property(GLOBAL APPEND PROPERTY HLA_BENCHMARKS ${name})
endfunction()
