file(REMOVE_RECURSE
  "libsn_util.a"
)
