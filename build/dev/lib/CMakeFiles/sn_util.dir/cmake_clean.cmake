file(REMOVE_RECURSE
  "CMakeFiles/sn_util.dir/util/hex.c.o"
  "CMakeFiles/sn_util.dir/util/hex.c.o.d"
  "CMakeFiles/sn_util.dir/util/log.c.o"
  "CMakeFiles/sn_util.dir/util/log.c.o.d"
  "libsn_util.a"
  "libsn_util.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/sn_util.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
