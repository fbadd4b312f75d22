# Empty dependencies file for sn_util.
# This may be replaced when dependencies are built.
