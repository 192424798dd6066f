# Install and export rules: `cmake --install` puts the libraries, the public
# headers, the shipped reference data and a CMake package in the prefix, so
# that a consumer writes
#
#   find_package(haplomatch CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE haplomatch::haplomatch)
#
# (or a single module: haplomatch::core, ::parser, ::data, ::matcher,
# ::donor_file, ::rank).
# Boost is a build-only dependency of the parser ($<BUILD_INTERFACE:...>), so
# the exported interface needs Abseil, Threads and ZLIB (gzip donor files). Headers under
# */internal/ are private and not installed.
include(CMakePackageConfigHelpers)

set(HLA_CMAKE_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/haplomatch")

# Exported names: haplomatch::core rather than haplomatch::hla_core.
set(_hla_installed_libs hla_core hla_parser hla_data)
foreach(lib hla_matcher hla_donor_file hla_rank)
  if(TARGET ${lib})
    list(APPEND _hla_installed_libs ${lib})
  endif()
endforeach()
foreach(lib ${_hla_installed_libs})
  string(REPLACE "hla_" "" export_name ${lib})
  set_target_properties(${lib} PROPERTIES EXPORT_NAME ${export_name})
endforeach()

# The umbrella target: everything a consumer may call.
add_library(haplomatch_all INTERFACE)
set_target_properties(haplomatch_all PROPERTIES EXPORT_NAME haplomatch)
target_link_libraries(haplomatch_all INTERFACE ${_hla_installed_libs})
add_library(haplomatch::haplomatch ALIAS haplomatch_all)

install(TARGETS ${_hla_installed_libs} haplomatch_all
        EXPORT haplomatchTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/haplomatch)

foreach(dir hla parser data matcher)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/haplomatch/${dir}
          FILES_MATCHING PATTERN "*.h"
          PATTERN "internal" EXCLUDE
          PATTERN "imgt" EXCLUDE
          PATTERN "mac" EXCLUDE
          PATTERN "freq" EXCLUDE
          PATTERN "examples" EXCLUDE)
endforeach()

# The reference data, unmodified, where data::FindDataRoot looks after install.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/data/imgt ${PROJECT_SOURCE_DIR}/data/mac
                  ${PROJECT_SOURCE_DIR}/data/freq ${PROJECT_SOURCE_DIR}/data/examples
        DESTINATION ${CMAKE_INSTALL_DATADIR}/haplomatch)
install(FILES ${PROJECT_SOURCE_DIR}/data/SOURCES.md
              ${PROJECT_SOURCE_DIR}/data/MANIFEST.md5
              ${PROJECT_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DATADIR}/haplomatch)

install(EXPORT haplomatchTargets
        NAMESPACE haplomatch::
        DESTINATION ${HLA_CMAKE_INSTALL_DIR})
configure_package_config_file(
    ${PROJECT_SOURCE_DIR}/cmake/haplomatchConfig.cmake.in
    ${PROJECT_BINARY_DIR}/haplomatchConfig.cmake
    INSTALL_DESTINATION ${HLA_CMAKE_INSTALL_DIR})
write_basic_package_version_file(
    ${PROJECT_BINARY_DIR}/haplomatchConfigVersion.cmake
    VERSION ${PROJECT_VERSION}
    COMPATIBILITY SameMinorVersion)  # 0.x: minor versions may break the API
install(FILES ${PROJECT_BINARY_DIR}/haplomatchConfig.cmake
              ${PROJECT_BINARY_DIR}/haplomatchConfigVersion.cmake
        DESTINATION ${HLA_CMAKE_INSTALL_DIR})
