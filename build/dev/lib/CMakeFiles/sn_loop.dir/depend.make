# Empty dependencies file for sn_loop.
# This may be replaced when dependencies are built.
