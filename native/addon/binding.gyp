# The engine's in-process system calls (src/sys/addon.ts loads the result): mount(2), umount2(2) and posix_spawn
# without a fork of the daemon. Built by `npm run build` into native/addon/build/Release/bulkhead_sys.node.
{
  "targets": [
    {
      "target_name": "bulkhead_sys",
      "sources": ["bulkhead_sys.c", "spawn.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-std=gnu11"],
      "libraries": ["-lpthread"]
    }
  ]
}
