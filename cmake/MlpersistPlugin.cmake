# mlpersist_add_plugin(NAME SOURCES src... [LIBRARIES lib...] [OUTPUT_DIRECTORY dir] [NO_INSTALL])
#
# Builds a plugin the way every plugin is built, ours and third parties' alike: a MODULE library
# with hidden visibility, linked to the framework, placed in the plugin directory of the build
# tree and installed to lib/mlpersist/plugins. Test fixtures pass OUTPUT_DIRECTORY and
# NO_INSTALL so that they stay out of the real plugin directory.
include(GNUInstallDirs)

function(mlpersist_add_plugin name)
  cmake_parse_arguments(ARG "NO_INSTALL" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY ${MLPERSIST_PLUGIN_OUTPUT_DIR})
  endif()
  set(target mlpersist_plugin_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE mlpersist::framework ${ARG_LIBRARIES})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${name}
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  # Lets tests and tools depend on "every plugin" without listing them.
  set_property(GLOBAL APPEND PROPERTY MLPERSIST_PLUGIN_TARGETS ${target})
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/mlpersist/plugins)
  endif()
endfunction()
