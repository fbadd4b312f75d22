# Helpers shared by lib/, tests/ and bench/.
#
# Libraries: every folder lib/<mod>/ with .c files becomes the static
# library sn_<mod>; its dependencies are declared once in lib/CMakeLists.txt.
#
# Tests are found by file name, so adding a test never needs a CMake edit:
#   tests/unit/test_<mod>_<what>.c   cmocka program linked with sn_<mod>
#   tests/fuzz/fuzz_<mod>_<what>.c   LLVMFuzzerTestOneInput(); built as a
#                                    corpus replay program (any compiler)
#                                    and, with SN_FUZZ, as a libFuzzer binary.
#       corpus:  tests/fuzz/corpus/<mod>_<what>/
#       crashers: tests/fuzz/regress/<mod>_<what>/ (replayed too)
#   tests/fsm/fsm_<mod>_<what>.c     transcript driver: reads a script on
#                                    stdin, prints the transcript on stdout;
#       scripts: tests/fsm/<mod>_<what>/*.script, each with a .golden beside it.

function(sn_module_of name out)
  string(REGEX REPLACE "^(test|fuzz|fsm|bench)_([a-z0-9]+)_.*$" "\\2" mod ${name})
  set(${out} ${mod} PARENT_SCOPE)
endfunction()

function(sn_link_module target mod)
  if(TARGET sn_${mod})
    target_link_libraries(${target} PRIVATE sn_${mod})
  else()
    message(FATAL_ERROR "${target}: no library sn_${mod} (lib/${mod}/)")
  endif()
endfunction()
