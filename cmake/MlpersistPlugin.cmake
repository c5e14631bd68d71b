# mlpersist_add_plugin(NAME SOURCES src... [LIBRARIES lib...] [OUTPUT_DIRECTORY dir]
#                      [INSTALL_DESTINATION dir] [NO_INSTALL])
#
# Builds a plugin the way every plugin is built, ours and third parties' alike: a MODULE library
# named NAME.so with hidden visibility, linked to mlpersist::framework, placed in a plugin
# directory of the build tree and installed to lib/mlpersist/plugins of the install prefix.
#
# The same file serves the mlpersist build itself and projects that use an installed mlpersist
# (find_package(mlpersist) includes it):
#
# - OUTPUT_DIRECTORY defaults to ${MLPERSIST_PLUGIN_OUTPUT_DIR}. The mlpersist build sets it to
#   its own lib/mlpersist/plugins (the build tree mirrors the install tree); in any other project
#   it defaults to ${CMAKE_BINARY_DIR}/lib/mlpersist/plugins, a directory that holds plugins only,
#   so it can be put on $MLPERSIST_PLUGIN_PATH as it is.
# - INSTALL_DESTINATION defaults to ${CMAKE_INSTALL_LIBDIR}/mlpersist/plugins, relative to the
#   prefix the project is installed to. Installing into the prefix of mlpersist itself makes the
#   plugin one that every program there (the mlpersist command included) loads by default.
# - Installed, a plugin finds libmlpersist.so two directories up ($ORIGIN/../..), where it lies
#   when both share a prefix. (A plugin is only ever loaded into a process that already has the
#   framework loaded, so this matters to tools such as ldd rather than to the loader.)
#
# Test fixtures pass OUTPUT_DIRECTORY and NO_INSTALL so that they stay out of the real plugin
# directory.
include(GNUInstallDirs)

function(mlpersist_add_plugin name)
  cmake_parse_arguments(ARG "NO_INSTALL" "OUTPUT_DIRECTORY;INSTALL_DESTINATION"
                        "SOURCES;LIBRARIES" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
            "mlpersist_add_plugin(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "mlpersist_add_plugin(${name}): SOURCES is required")
  endif()
  if(NOT ARG_OUTPUT_DIRECTORY)
    if(MLPERSIST_PLUGIN_OUTPUT_DIR)
      set(ARG_OUTPUT_DIRECTORY ${MLPERSIST_PLUGIN_OUTPUT_DIR})
    else()
      set(ARG_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib/mlpersist/plugins)
    endif()
  endif()
  if(NOT ARG_INSTALL_DESTINATION)
    set(ARG_INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/mlpersist/plugins)
  endif()
  set(target mlpersist_plugin_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE mlpersist::framework ${ARG_LIBRARIES})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${name}
    PREFIX ""
    SUFFIX ".so"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY}
    INSTALL_RPATH "$ORIGIN/../..")
  # Lets tests and tools depend on "every plugin" without listing them.
  set_property(GLOBAL APPEND PROPERTY MLPERSIST_PLUGIN_TARGETS ${target})
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION ${ARG_INSTALL_DESTINATION})
  endif()
endfunction()
