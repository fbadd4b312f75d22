# Empty compiler generated dependencies file for test_util_cursor.
# This may be replaced when dependencies are built.
