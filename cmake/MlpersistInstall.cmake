# What `cmake --install` adds beyond the targets' own install rules (headers and libmlpersist
# in framework/, the command in cli/, every plugin through mlpersist_add_plugin): a CMake package
# in lib/cmake/mlpersist and a pkg-config file in lib/pkgconfig, so that applications and
# third-party plugins build against the installed tree (docs/plugins.md).
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)

set(MLPERSIST_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/mlpersist)
set(MLPERSIST_INSTALL_PLUGINDIR ${CMAKE_INSTALL_LIBDIR}/mlpersist/plugins)

install(EXPORT mlpersistTargets NAMESPACE mlpersist:: FILE mlpersistTargets.cmake
        DESTINATION ${MLPERSIST_INSTALL_CMAKEDIR})

configure_package_config_file(cmake/mlpersistConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mlpersistConfig.cmake
  INSTALL_DESTINATION ${MLPERSIST_INSTALL_CMAKEDIR}
  PATH_VARS MLPERSIST_INSTALL_PLUGINDIR CMAKE_INSTALL_BINDIR)
# Until 1.0 a minor release may break the API and the plugin ABI (SemVer's rule for 0.x), so a
# request for 0.1 accepts 0.1.x only; the library's soname follows the same rule.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mlpersistConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/mlpersistConfig.cmake
  ${PROJECT_BINARY_DIR}/mlpersistConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/MlpersistPlugin.cmake
  DESTINATION ${MLPERSIST_INSTALL_CMAKEDIR})

# The .pc file names its prefix relative to its own directory, so the tree installs with
# `cmake --install --prefix` anywhere and can be moved afterwards.
file(RELATIVE_PATH MLPERSIST_PC_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" MLPERSIST_PC_PREFIX "${MLPERSIST_PC_PREFIX}")
configure_file(cmake/mlpersist.pc.in ${PROJECT_BINARY_DIR}/mlpersist.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mlpersist.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
