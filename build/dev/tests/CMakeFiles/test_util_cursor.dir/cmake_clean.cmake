file(REMOVE_RECURSE
  "CMakeFiles/test_util_cursor.dir/unit/test_util_cursor.c.o"
  "CMakeFiles/test_util_cursor.dir/unit/test_util_cursor.c.o.d"
  "test_util_cursor"
  "test_util_cursor.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_util_cursor.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
