// spawn(): starting a program without forking the daemon. Node's child_process forks, and a fork copies the page
// tables of the whole daemon while its event loop stands still: ~2 ms for an idle daemon, 5 ms and more with many
// containers, at every container start (conmon) and runtime call. posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK))
// shares the memory instead until the exec.
//
// A thread of its own waits for the child's exit (never a pool thread: some children, such as an attach helper, live
// as long as their container) without reaping it (WNOWAIT), and hands over to the event loop through a thread-safe
// function; the loop then reaps it and settles `exited`. So the pid stays the child's (a zombie) until the loop
// knows it has exited, and a signal sent before that can never reach a process that reused the pid. libuv reaps
// only the pids it spawned itself, so nothing else can steal the status.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

#define MAX_STDIO 16
// Our ends of the child's descriptors sit at or above this, so that putting them in place (dup2 onto 0..n-1) can
// never overwrite one still to be placed.
#define HIGH_FD 64

struct reaper {
  pid_t pid;
  int status;
  napi_deferred deferred;
  napi_threadsafe_function tsfn;
};

static void free_strings(char **v) {
  if (!v) return;
  for (char **p = v; *p; p++) free(*p);
  free(v);
}

// A JS array of strings as a NULL-terminated vector; NULL with a pending exception on a wrong type.
static char **string_vector(napi_env env, napi_value arr) {
  uint32_t n;
  if (napi_get_array_length(env, arr, &n) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "expected an array of strings");
    return NULL;
  }
  char **v = calloc(n + 1, sizeof *v);
  if (!v) { napi_throw_error(env, "ENOMEM", "out of memory"); return NULL; }
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    size_t len;
    napi_get_element(env, arr, i, &item);
    if (napi_get_value_string_utf8(env, item, NULL, 0, &len) != napi_ok || !(v[i] = malloc(len + 1))) {
      free_strings(v);
      napi_throw_type_error(env, "EINVAL", "expected an array of strings");
      return NULL;
    }
    napi_get_value_string_utf8(env, item, v[i], len + 1, &len);
  }
  return v;
}

static int high_fd(int fd) {
  if (fd >= HIGH_FD) return fd;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, HIGH_FD);
  int err = errno;
  close(fd);
  errno = err;
  return moved;
}

static void settle_exit(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)js_cb; (void)context;
  struct reaper *r = data;
  while (waitpid(r->pid, &r->status, 0) < 0 && errno == EINTR) {}
  if (env) {
    napi_value result, code, sig;
    napi_create_object(env, &result);
    if (WIFEXITED(r->status)) napi_create_int32(env, WEXITSTATUS(r->status), &code); else napi_get_null(env, &code);
    if (WIFSIGNALED(r->status)) napi_create_int32(env, WTERMSIG(r->status), &sig); else napi_get_null(env, &sig);
    napi_set_named_property(env, result, "code", code);
    napi_set_named_property(env, result, "signal", sig);
    napi_resolve_deferred(env, r->deferred, result);
  }
  napi_release_threadsafe_function(r->tsfn, napi_tsfn_release);
  free(r);
}

static void *await_exit(void *arg) {
  struct reaper *r = arg;
  siginfo_t info;
  while (waitid(P_PID, (id_t)r->pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {}
  napi_call_threadsafe_function(r->tsfn, r, napi_tsfn_blocking);
  return NULL;
}

// spawn(file, args, env, stdio, detached, cwd) → { pid, fds, exited }. cwd is null for ours. stdio[i] is "pipe" (a socketpair: the child gets
// one end as fd i, fds[i] is ours) or "ignore" (/dev/null; fds[i] is -1). args includes argv[0]. Throws an Error
// whose code is the errno name when the program cannot be started (ENOENT, EACCES…).
napi_value bulkhead_spawn(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) { napi_throw_type_error(env, "EINVAL", "spawn(file, args, env, stdio, detached, cwd)"); return NULL; }
  size_t len;
  char cwd[4096] = "";
  napi_valuetype cwd_type;
  napi_typeof(env, argv[5], &cwd_type);
  if (cwd_type != napi_null && (napi_get_value_string_utf8(env, argv[5], cwd, sizeof cwd, &len) != napi_ok || len == 0 || len >= sizeof cwd - 1)) {
    napi_throw_type_error(env, "EINVAL", "expected the working directory as a string or null");
    return NULL;
  }
  char file[4096];
  if (napi_get_value_string_utf8(env, argv[0], file, sizeof file, &len) != napi_ok || len == 0 || len >= sizeof file - 1) {
    napi_throw_type_error(env, "EINVAL", "expected the program as a string");
    return NULL;
  }
  bool detached = false;
  napi_get_value_bool(env, argv[4], &detached);
  uint32_t nstdio;
  if (napi_get_array_length(env, argv[3], &nstdio) != napi_ok || nstdio > MAX_STDIO) {
    napi_throw_type_error(env, "EINVAL", "expected stdio as an array of at most 16 entries");
    return NULL;
  }
  char **args = string_vector(env, argv[1]);
  if (!args) return NULL;
  char **envp = string_vector(env, argv[2]);
  if (!envp) { free_strings(args); return NULL; }

  int ours[MAX_STDIO], theirs[MAX_STDIO];
  for (uint32_t i = 0; i < MAX_STDIO; i++) ours[i] = theirs[i] = -1;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  if (cwd[0]) posix_spawn_file_actions_addchdir_np(&actions, cwd);
  const char *failed = NULL;
  int err = 0;
  for (uint32_t i = 0; i < nstdio && !failed; i++) {
    napi_value item;
    char kind[8] = "";
    napi_get_element(env, argv[3], i, &item);
    napi_get_value_string_utf8(env, item, kind, sizeof kind, &len);
    if (strcmp(kind, "pipe") == 0) {
      int sv[2];
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) { err = errno; failed = "socketpair"; break; }
      if ((ours[i] = high_fd(sv[0])) < 0) { err = errno; failed = "fcntl"; close(sv[1]); break; }
      if ((theirs[i] = high_fd(sv[1])) < 0) { err = errno; failed = "fcntl"; break; }
      posix_spawn_file_actions_adddup2(&actions, theirs[i], (int)i);
    } else {
      posix_spawn_file_actions_addopen(&actions, (int)i, "/dev/null", O_RDWR, 0);
    }
  }
  // Nothing of the daemon's beyond the given descriptors reaches the program, close-on-exec or not.
  posix_spawn_file_actions_addclosefrom_np(&actions, (int)nstdio);
  // Node ignores SIGPIPE and may block signals: the program starts with every signal at its default, unblocked.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (detached ? POSIX_SPAWN_SETSID : 0));

  pid_t pid = -1;
  if (!failed && (err = posix_spawnp(&pid, file, &actions, &attr, args, envp)) != 0) failed = "posix_spawn";
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  free_strings(args);
  free_strings(envp);
  for (uint32_t i = 0; i < MAX_STDIO; i++) if (theirs[i] >= 0) close(theirs[i]);
  if (failed) {
    for (uint32_t i = 0; i < MAX_STDIO; i++) if (ours[i] >= 0) close(ours[i]);
    napi_throw(env, bulkhead_errno_error(env, failed, err));
    return NULL;
  }

  napi_value result, promise, fds, n, name;
  struct reaper *r = calloc(1, sizeof *r);
  r->pid = pid;
  napi_create_promise(env, &r->deferred, &promise);
  napi_create_string_utf8(env, "bulkhead_spawn", NAPI_AUTO_LENGTH, &name);
  napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, NULL, NULL, NULL, settle_exit, &r->tsfn);
  // Until it is released (at the exit), the function keeps the event loop alive, as a running ChildProcess does.
  pthread_attr_t ta;
  pthread_t t;
  pthread_attr_init(&ta);
  pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&ta, 64 * 1024);
  if ((err = pthread_create(&t, &ta, await_exit, r)) != 0) {
    // No thread to wait with: wait here (rare; the child is not left a zombie).
    settle_exit(env, NULL, NULL, r);
  }
  pthread_attr_destroy(&ta);

  napi_create_object(env, &result);
  napi_create_int32(env, pid, &n);
  napi_set_named_property(env, result, "pid", n);
  napi_create_array_with_length(env, nstdio, &fds);
  for (uint32_t i = 0; i < nstdio; i++) {
    napi_value fd;
    napi_create_int32(env, ours[i], &fd);
    napi_set_element(env, fds, i, fd);
  }
  napi_set_named_property(env, result, "fds", fds);
  napi_set_named_property(env, result, "exited", promise);
  return result;
}
