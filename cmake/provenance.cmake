# Version and commit stamped into the binary and every result file.
execute_process(COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  OUTPUT_VARIABLE SCALEBENCH_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
if(NOT SCALEBENCH_GIT_COMMIT)
  set(SCALEBENCH_GIT_COMMIT "unknown")
endif()

