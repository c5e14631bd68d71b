# mlpersist_add_plugin(NAME SOURCES src...)
#
# Builds a plugin the way every plugin is built, ours and third parties' alike: a MODULE library
# with hidden visibility, linked to the framework, placed in the plugin directory of the build
# tree and installed to lib/mlpersist/plugins.
function(mlpersist_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  set(target mlpersist_plugin_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE mlpersist::framework ${ARG_LIBRARIES})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${name}
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${MLPERSIST_PLUGIN_OUTPUT_DIR})
  install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/mlpersist/plugins)
endfunction()
