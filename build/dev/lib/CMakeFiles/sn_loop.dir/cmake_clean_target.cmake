file(REMOVE_RECURSE
  "libsn_loop.a"
)
