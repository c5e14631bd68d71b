# Finds what the Python package needs and adds python/ (MLPERSIST_BUILD_PYTHON). Debian's
# interpreter is the one scikit-learn and numpy are installed for, so it is the default even when
# another python3 (pyenv, a virtual environment) comes first on PATH.
if(NOT DEFINED Python3_EXECUTABLE)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "The Python the package is built for")
endif()
# NumPy: the bindings use numpy's C API only at run time (through pybind11), but the package is
# useless without numpy installed for this interpreter, so its absence turns the package off.
find_package(Python3 3.11 EXACT COMPONENTS Interpreter Development.Module NumPy)
if(Python3_FOUND)
  find_package(pybind11 CONFIG)
endif()
if(NOT Python3_FOUND OR NOT pybind11_FOUND)
  message(WARNING "Python 3.11 with numpy, or pybind11, not found: the Python package is not "
                  "built (run scripts/install-deps.sh, or pass -DMLPERSIST_BUILD_PYTHON=OFF)")
  set(MLPERSIST_PYTHON_ENABLED OFF)
  return()
endif()

include(GNUInstallDirs)
# `make install PREFIX=P` puts the package in P/lib/python3.11/dist-packages: for P=/usr/local
# that is on Debian's sys.path; for any other prefix, add it to PYTHONPATH.
set(MLPERSIST_INSTALL_PYTHONDIR
    lib/python${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR}/dist-packages)
file(RELATIVE_PATH MLPERSIST_PYTHON_RPATH /prefix/${MLPERSIST_INSTALL_PYTHONDIR}/mlpersist
     /prefix/${CMAKE_INSTALL_LIBDIR})
set(MLPERSIST_PYTHON_ENABLED ON)
add_subdirectory(python)
