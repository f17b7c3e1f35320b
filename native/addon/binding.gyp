# The engine's in-process system calls (src/sys/mount.ts loads the result): mount(2) and umount2(2) without a fork
# of the daemon. Built by `npm run build` into native/addon/build/Release/bulkhead_sys.node.
{
  "targets": [
    {
      "target_name": "bulkhead_sys",
      "sources": ["bulkhead_sys.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-std=gnu11"],
      "libraries": ["-lpthread"]
    }
  ]
}
