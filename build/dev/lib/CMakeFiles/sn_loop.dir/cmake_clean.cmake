file(REMOVE_RECURSE
  "CMakeFiles/sn_loop.dir/loop/loop.c.o"
  "CMakeFiles/sn_loop.dir/loop/loop.c.o.d"
  "libsn_loop.a"
  "libsn_loop.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/sn_loop.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
