// bulkhead_sys: the few system calls the daemon makes on every container's way (mount the root filesystem, unmount
// it, pin a network namespace, start a program: spawn.c), made in-process. Spawning mount(8) costs the daemon a fork, and a fork copies the
// page tables of a 100 MB process while Node's event loop waits (~3-4 ms each time); the call itself takes ~1 ms.
//
// Anything that must change per-thread state (a working directory for overlay's relative layer paths, a new
// network namespace) runs on a short-lived thread of its own that first unshares what it changes, so the rest of
// the process (the event loop, libuv's pool threads) never sees it. Every function returns a promise, settled once
// the call was made on a libuv pool thread; it rejects with an Error whose `code` is the errno name (EBUSY,
// ENOENT, …) and whose `syscall` says which step failed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <node_api.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spawn.h"

#define MAX_ARG 8192 // mount data is at most a page; paths are at most PATH_MAX

// Reads argv[i] as a string into a malloc'd buffer; null/undefined give NULL. Returns -1 (with a pending
// exception) on a wrong type.
static int get_string(napi_env env, napi_value v, char **out, int nullable) {
  napi_valuetype t;
  *out = NULL;
  if (napi_typeof(env, v, &t) != napi_ok) return -1;
  if (nullable && (t == napi_null || t == napi_undefined)) return 0;
  if (t != napi_string) {
    napi_throw_type_error(env, "EINVAL", "expected a string argument");
    return -1;
  }
  size_t len;
  napi_get_value_string_utf8(env, v, NULL, 0, &len);
  if (len >= MAX_ARG) {
    napi_throw_range_error(env, "E2BIG", "argument too long");
    return -1;
  }
  *out = malloc(len + 1);
  if (!*out) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return -1;
  }
  napi_get_value_string_utf8(env, v, *out, len + 1, &len);
  if (strlen(*out) != len) { // an embedded NUL would silently cut the path short
    napi_throw_type_error(env, "EINVAL", "argument contains a NUL byte");
    free(*out);
    *out = NULL;
    return -1;
  }
  return 0;
}

static int get_uint(napi_env env, napi_value v, unsigned long *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || d < 0 || d > 4294967295.0 || d != (double)(unsigned long)d) {
    napi_throw_type_error(env, "EINVAL", "expected flags as a non-negative integer");
    return -1;
  }
  *out = (unsigned long)d;
  return 0;
}

// One call, made on a libuv pool thread (execute) and settled on the event loop (complete): umount2 of an
// overlay syncs its upper filesystem, which takes 5-20 ms on a busy disk, and must not stall the daemon.
enum op_kind { OP_MOUNT, OP_UMOUNT, OP_NETNS };

struct op {
  enum op_kind kind;
  char *source, *target, *fstype, *data, *cwd; // target: the mount point, or the netns file
  unsigned long flags;
  int err;
  const char *failed; // the step that failed
  napi_deferred deferred;
  napi_async_work work;
};

static void op_free(struct op *o) {
  free(o->source); free(o->target); free(o->fstype); free(o->data); free(o->cwd);
  free(o);
}

#define FAIL(o, step) do { (o)->err = errno; (o)->failed = (step); } while (0)

static void do_mount(struct op *o) {
  if (o->cwd) {
    // This thread gets its own working directory: the process's (and the other threads') stays as it is.
    if (unshare(CLONE_FS) != 0) { FAIL(o, "unshare"); return; }
    if (chdir(o->cwd) != 0) { FAIL(o, "chdir"); return; }
  }
  if (mount(o->source, o->target, o->fstype, o->flags, o->data) != 0) FAIL(o, "mount");
}

// A new network namespace for this thread only, loopback up inside it (as runc does for a namespace it makes),
// then bound onto the file so that it outlives the thread (what `ip netns add` does).
static void do_netns(struct op *o) {
  if (unshare(CLONE_NEWNET) != 0) { FAIL(o, "unshare"); return; }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) { FAIL(o, "socket"); return; }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) { FAIL(o, "ioctl SIOCGIFFLAGS"); close(fd); return; }
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) { FAIL(o, "ioctl SIOCSIFFLAGS"); close(fd); return; }
  close(fd);
  char self[64];
  snprintf(self, sizeof self, "/proc/self/task/%d/ns/net", gettid());
  if (mount(self, o->target, NULL, MS_BIND, NULL) != 0) FAIL(o, "mount");
}

static void *private_thread(void *arg) {
  struct op *o = arg;
  if (o->kind == OP_NETNS) do_netns(o);
  else do_mount(o);
  return NULL;
}

static void op_execute(napi_env env, void *data) {
  (void)env;
  struct op *o = data;
  if (o->kind == OP_UMOUNT) {
    if (umount2(o->target, (int)o->flags) != 0) FAIL(o, "umount2");
    return;
  }
  if (o->kind == OP_MOUNT && !o->cwd) {
    do_mount(o);
    return;
  }
  // Per-thread state changes (cwd, network namespace) happen on a thread that ends right after, never on a
  // pool thread that would keep them for the next job.
  pthread_t t;
  int rc = pthread_create(&t, NULL, private_thread, o);
  if (rc != 0) { o->err = rc; o->failed = "pthread_create"; return; }
  pthread_join(t, NULL);
}

napi_value bulkhead_errno_error(napi_env env, const char *syscall, int err) {
  const char *name = strerrorname_np(err);
  napi_value code, msg, error, sys, num;
  napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, code, msg, &error);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "syscall", sys);
  napi_create_int32(env, -err, &num);
  napi_set_named_property(env, error, "errno", num);
  return error;
}

static void op_complete(napi_env env, napi_status status, void *data) {
  struct op *o = data;
  if (status != napi_ok && !o->err) { o->err = ECANCELED; o->failed = "async work"; }
  if (o->err) napi_reject_deferred(env, o->deferred, bulkhead_errno_error(env, o->failed, o->err));
  else {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, o->deferred, undef);
  }
  napi_delete_async_work(env, o->work);
  op_free(o);
}

// Queues o and returns its promise; on failure to queue, frees o and leaves an exception pending.
static napi_value op_queue(napi_env env, struct op *o) {
  napi_value promise, name;
  if (napi_create_promise(env, &o->deferred, &promise) != napi_ok) { op_free(o); return NULL; }
  napi_create_string_utf8(env, "bulkhead_sys", NAPI_AUTO_LENGTH, &name);
  if (napi_create_async_work(env, NULL, name, op_execute, op_complete, o, &o->work) != napi_ok ||
      napi_queue_async_work(env, o->work) != napi_ok) {
    napi_reject_deferred(env, o->deferred, bulkhead_errno_error(env, "napi_queue_async_work", EAGAIN));
    op_free(o);
  }
  return promise;
}

static struct op *op_new(napi_env env, enum op_kind kind) {
  struct op *o = calloc(1, sizeof *o);
  if (!o) napi_throw_error(env, "ENOMEM", "out of memory");
  else o->kind = kind;
  return o;
}

// mount(source|null, target, fstype|null, flags, data|null, cwd|null): Promise<void>
static napi_value js_mount(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) {
    napi_throw_type_error(env, "EINVAL", "mount(source, target, fstype, flags, data, cwd)");
    return NULL;
  }
  struct op *o = op_new(env, OP_MOUNT);
  if (!o) return NULL;
  if (get_string(env, argv[0], &o->source, 1) || get_string(env, argv[1], &o->target, 0) ||
      get_string(env, argv[2], &o->fstype, 1) || get_uint(env, argv[3], &o->flags) ||
      get_string(env, argv[4], &o->data, 1) || get_string(env, argv[5], &o->cwd, 1)) {
    op_free(o);
    return NULL;
  }
  return op_queue(env, o);
}

// umount(target, flags): Promise<void>
static napi_value js_umount(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) {
    napi_throw_type_error(env, "EINVAL", "umount(target, flags)");
    return NULL;
  }
  struct op *o = op_new(env, OP_UMOUNT);
  if (!o) return NULL;
  if (get_string(env, argv[0], &o->target, 0) || get_uint(env, argv[1], &o->flags)) {
    op_free(o);
    return NULL;
  }
  return op_queue(env, o);
}

// createNetns(path): Promise<void>; path must exist (an empty file).
static napi_value js_create_netns(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) {
    napi_throw_type_error(env, "EINVAL", "createNetns(path)");
    return NULL;
  }
  struct op *o = op_new(env, OP_NETNS);
  if (!o) return NULL;
  if (get_string(env, argv[0], &o->target, 0)) {
    op_free(o);
    return NULL;
  }
  return op_queue(env, o);
}

// isMountRoot(path): true when path is the root of a mount, false when not (or missing); undefined when the kernel
// cannot say (statx without STATX_ATTR_MOUNT_ROOT, before Linux 5.8). One system call, made right here: reading
// /proc/self/mountinfo instead costs more the more containers run, as each adds its mounts.
static napi_value js_is_mount_root(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *path = NULL;
  if (argc < 1 || get_string(env, argv[0], &path, 0)) {
    if (argc < 1) napi_throw_type_error(env, "EINVAL", "isMountRoot(path)");
    return NULL;
  }
  struct statx stx;
  int rc = statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE, &stx);
  int err = errno;
  free(path);
  if (rc != 0 && (err == ENOENT || err == ENOTDIR)) napi_get_boolean(env, false, &result);
  else if (rc != 0 || !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)) napi_get_undefined(env, &result);
  else napi_get_boolean(env, (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0, &result);
  return result;
}

static void set_uint(napi_env env, napi_value obj, const char *name, unsigned long v) {
  napi_value n;
  napi_create_double(env, (double)v, &n);
  napi_set_named_property(env, obj, name, n);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
    {"mount", NULL, js_mount, NULL, NULL, NULL, napi_enumerable, NULL},
    {"umount", NULL, js_umount, NULL, NULL, NULL, napi_enumerable, NULL},
    {"createNetns", NULL, js_create_netns, NULL, NULL, NULL, napi_enumerable, NULL},
    {"spawn", NULL, bulkhead_spawn, NULL, NULL, NULL, napi_enumerable, NULL},
    {"isMountRoot", NULL, js_is_mount_root, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
  napi_value flags;
  napi_create_object(env, &flags);
  set_uint(env, flags, "MS_RDONLY", MS_RDONLY);
  set_uint(env, flags, "MS_BIND", MS_BIND);
  set_uint(env, flags, "MS_REC", MS_REC);
  set_uint(env, flags, "MNT_DETACH", MNT_DETACH);
  napi_set_named_property(env, exports, "flags", flags);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
