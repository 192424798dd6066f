# Install and export rules: `cmake --install` puts the libraries, the public
# headers, the shipped reference data and a CMake package in the prefix, so
# that a consumer writes
#
#   find_package(haplomatch CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE haplomatch::haplomatch)
#
# (or a single module: haplomatch::core, ::parser, ::data, ::matcher,
# ::impute, ::family, ::eligibility, ::registry).
# Boost is a build-only dependency of the parser ($<BUILD_INTERFACE:...>), so
# the exported interface needs Abseil, Threads and ZLIB (gzip donor files). Headers under
# */internal/ are private and not installed.
include(CMakePackageConfigHelpers)

set(HLA_CMAKE_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/haplomatch")

# Exported names: haplomatch::core rather than haplomatch::hla_core.
set(_hla_installed_libs hla_core hla_parser hla_data hla_matcher hla_impute
    hla_family hla_eligibility hla_registry)
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

# The public API is this list and nothing else: each header is documented by
# contract, and everything else (*/internal/, the scan's internals) stays out
# so that it may change without breaking a consumer.
set(HLA_PUBLIC_HEADERS
    hla/allele_name.h
    hla/gl.h
    hla/json.h
    hla/locus.h
    hla/status_macros.h
    hla/version.h
    parser/parse.h
    data/haplotype_freq.h
    data/mac_table.h
    data/protein.h
    data/reduce.h
    data/reference.h
    data/resolve.h
    data/verify.h
    matcher/match.h
    impute/impute.h
    family/family.h
    eligibility/facts.h
    eligibility/antibodies.h
    eligibility/rules.h
    eligibility/eligibility.h
    eligibility/score.h
    registry/donor_file.h
    registry/family_file.h
    registry/ingest.h
    registry/rank.h
    registry/store.h)
foreach(h ${HLA_PUBLIC_HEADERS})
  get_filename_component(_dir ${h} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/${h}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/haplomatch/${_dir})
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
