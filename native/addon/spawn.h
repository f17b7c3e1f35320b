// What bulkhead_sys.c and spawn.c share: the error every failed call throws or rejects with, and spawn().
#ifndef BULKHEAD_SPAWN_H
#define BULKHEAD_SPAWN_H
#include <node_api.h>

// An Error whose code is the errno name (ENOENT, EBUSY…), with `syscall` naming the step that failed.
napi_value bulkhead_errno_error(napi_env env, const char *syscall, int err);

napi_value bulkhead_spawn(napi_env env, napi_callback_info info);
#endif
