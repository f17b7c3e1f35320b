/*
 * probe: the victim and aggressor workloads of `bulkhead interference measure`.
 *
 *   probe victim <wake|work|chase|fsync|rtt> --duration-ms N [--size BYTES] [--dir PATH] [--fifo PRIO]
 *       runs one latency probe for N ms and prints ONE JSON line of its sample distribution (microseconds).
 *       --fifo runs it under SCHED_FIFO at PRIO: the real-time recipe's stand-in for chrt, which busybox lacks.
 *   probe aggressor <spin|cache|stream|disk|net> [--intensity 1-100] [--size BYTES] [--threads N] [--dir PATH]
 *                   [--duration-ms N]
 *       applies pressure on one resource until SIGTERM/SIGINT or the duration, then exits 0.
 *
 * Built static because it runs inside bare busybox containers. It is C rather than JavaScript so the probe's own
 * jitter (JIT, GC) does not drown the interference it is there to measure.
 *
 * Intensity is a duty cycle: each worker is busy for intensity% of every 10 ms slot and sleeps the rest, so
 * pressure grows roughly linearly with the knob (iBench's convention).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SLOT_NS 10000000LL              /* duty-cycle slot: 10 ms */
#define WORK_ITERS 160000               /* ~150 µs of dependent multiply-adds on a ~2.5 GHz core */
#define WAKE_PERIOD_NS 1000000LL        /* cyclictest-style 1 ms period */
#define CHASE_HOPS 4096                 /* hops per chase sample */
#define LINE 64                         /* cache line: one chase node per line */
#define DISK_CHUNK (1 << 20)            /* sequential writer: 1 MiB per write */
#define DISK_WRAP (256LL << 20)         /* ...wrapping at 256 MiB so the file stays bounded */
#define DISK_SYNC_EVERY 8               /* fdatasync every 8 MiB */
#define FSYNC_BLOCK 4096
#define FSYNC_SPAN 256                  /* the fsync probe cycles over 256 blocks (1 MiB) */

static volatile sig_atomic_t stop_flag;
static volatile uint64_t sink;          /* keeps results alive so the compiler cannot drop the work */

struct options {
  const char *role, *mode, *dir;
  long long duration_ms, size;
  int intensity, threads, fifo;
};

static void die(const char *what) {
  fprintf(stderr, "probe: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void usage(const char *msg) {
  fprintf(stderr, "probe: %s\nusage: probe victim <wake|work|chase|fsync|rtt> --duration-ms N [--size BYTES] "
                  "[--dir PATH] [--fifo PRIO]\n       probe aggressor <spin|cache|stream|disk|net> [--intensity 1-100] "
                  "[--size BYTES] [--threads N] [--dir PATH] [--duration-ms N]\n", msg);
  exit(2);
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_signal(int sig) { (void)sig; stop_flag = 1; }

/* xorshift64*: cheap, seedable, good enough to build random cycles. */
static uint64_t rng_next(uint64_t *s) {
  *s ^= *s >> 12; *s ^= *s << 25; *s ^= *s >> 27;
  return *s * 2685821657736338717ULL;
}

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) die("out of memory");
  return p;
}

/* ---------- samples ---------- */

struct samples { double *v; size_t n, cap; };

static void add_sample(struct samples *s, double us) {
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 4096;
    s->v = realloc(s->v, s->cap * sizeof(double));
    if (!s->v) die("out of memory");
  }
  s->v[s->n++] = us;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted values: the smallest sample with at least q of the samples at or below it. */
static double pct(const struct samples *s, double q) {
  if (s->n == 0) return 0;
  size_t rank = (size_t)(q * (double)s->n + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > s->n) rank = s->n;
  return s->v[rank - 1];
}

static void print_report(const char *probe, struct samples *s) {
  double sum = 0;
  for (size_t i = 0; i < s->n; i++) sum += s->v[i];
  qsort(s->v, s->n, sizeof(double), cmp_double);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("{\"probe\":\"%s\",\"samples\":%zu,\"p50_us\":%.3f,\"p99_us\":%.3f,\"p999_us\":%.3f,\"max_us\":%.3f,"
         "\"mean_us\":%.3f,\"vol_ctxsw\":%ld,\"invol_ctxsw\":%ld}\n",
         probe, s->n, pct(s, 0.50), pct(s, 0.99), pct(s, 0.999), s->n ? s->v[s->n - 1] : 0.0,
         s->n ? sum / (double)s->n : 0.0, ru.ru_nvcsw, ru.ru_nivcsw);
  fflush(stdout);
}

/* ---------- shared kernels ---------- */

static uint64_t work_kernel(uint64_t x, long iters) {
  for (long i = 0; i < iters; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}

/* A single random cycle through size/LINE cache lines (Sattolo's shuffle), so the prefetcher cannot follow it. */
static void **build_chase(long long size, size_t *nodes_out) {
  size_t nodes = (size_t)(size / LINE);
  if (nodes < 2) nodes = 2;
  char *buf = aligned_alloc(LINE, nodes * LINE);
  if (!buf) die("out of memory");
  size_t *order = xmalloc(nodes * sizeof(size_t));
  for (size_t i = 0; i < nodes; i++) order[i] = i;
  uint64_t seed = 0x9e3779b97f4a7c15ULL;
  for (size_t i = nodes - 1; i > 0; i--) {
    size_t j = (size_t)(rng_next(&seed) % i);
    size_t t = order[i]; order[i] = order[j]; order[j] = t;
  }
  for (size_t i = 0; i < nodes; i++)
    *(void **)(buf + order[i] * LINE) = buf + order[(i + 1) % nodes] * LINE;
  free(order);
  *nodes_out = nodes;
  return (void **)buf;
}

static char *scratch_path(const char *dir, const char *what) {
  char *path = xmalloc(4096);
  /* pid alone is not unique: inside a container every probe is pid 1. */
  snprintf(path, 4096, "%s/.bh-probe-%s-%d-%llx", dir ? dir : ".", what, (int)getpid(), now_ns() & 0xffffffffffLL);
  return path;
}

/* ---------- victims ---------- */

static void victim_work(long long end, struct samples *s) {
  uint64_t x = 1;
  while (!stop_flag && now_ns() < end) {
    long long t0 = now_ns();
    x = work_kernel(x, WORK_ITERS);
    add_sample(s, (double)(now_ns() - t0) / 1000.0);
  }
  sink = x;
}

static void victim_wake(long long end, struct samples *s) {
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  while (!stop_flag) {
    next.tv_nsec += WAKE_PERIOD_NS;
    if (next.tv_nsec >= 1000000000L) { next.tv_nsec -= 1000000000L; next.tv_sec++; }
    long long deadline = (long long)next.tv_sec * 1000000000LL + next.tv_nsec;
    if (deadline > end) break;
    if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) != 0) continue;
    add_sample(s, (double)(now_ns() - deadline) / 1000.0);
  }
}

static void victim_chase(long long end, long long size, struct samples *s) {
  size_t nodes;
  void **p = build_chase(size > 0 ? size : (1 << 20), &nodes);
  void **start = p;
  for (size_t i = 0; i < nodes; i++) p = (void **)*p;   /* one warm lap */
  while (!stop_flag && now_ns() < end) {
    long long t0 = now_ns();
    for (int i = 0; i < CHASE_HOPS; i++) p = (void **)*p;
    add_sample(s, (double)(now_ns() - t0) / 1000.0);
  }
  sink = (uint64_t)(uintptr_t)p;
  free(start);
}

static void victim_fsync(long long end, const char *dir, struct samples *s) {
  char *path = scratch_path(dir, "fsync");
  int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) die(path);
  char block[FSYNC_BLOCK];
  memset(block, 0xa5, sizeof block);
  for (long i = 0; !stop_flag && now_ns() < end; i++) {
    long long t0 = now_ns();
    if (pwrite(fd, block, sizeof block, (off_t)(i % FSYNC_SPAN) * FSYNC_BLOCK) != FSYNC_BLOCK) die("pwrite");
    if (fsync(fd) != 0) die("fsync");
    add_sample(s, (double)(now_ns() - t0) / 1000.0);
  }
  close(fd);
  unlink(path);
  free(path);
}

static int udp_socket(struct sockaddr_in *addr) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  memset(addr, 0, sizeof *addr);
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)addr, sizeof *addr) != 0) die("bind 127.0.0.1");
  socklen_t len = sizeof *addr;
  getsockname(fd, (struct sockaddr *)addr, &len);
  struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };  /* lets blocked threads notice stop */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

struct echo_arg { int fd; };
static volatile int rtt_done;

static void *rtt_echo(void *p) {
  int fd = ((struct echo_arg *)p)->fd;
  char buf[64];
  struct sockaddr_in from;
  while (!rtt_done) {
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    if (n > 0) sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
  }
  return NULL;
}

static void victim_rtt(long long end, struct samples *s) {
  struct sockaddr_in echo_addr, self_addr;
  struct echo_arg arg = { udp_socket(&echo_addr) };
  int fd = udp_socket(&self_addr);
  pthread_t th;
  if (pthread_create(&th, NULL, rtt_echo, &arg) != 0) die("pthread_create");
  char buf[64] = "ping";
  while (!stop_flag && now_ns() < end) {
    long long t0 = now_ns();
    if (sendto(fd, buf, 32, 0, (struct sockaddr *)&echo_addr, sizeof echo_addr) != 32) die("sendto");
    if (recv(fd, buf, sizeof buf, 0) < 0) continue;     /* a lost datagram: no sample, try again */
    add_sample(s, (double)(now_ns() - t0) / 1000.0);
  }
  rtt_done = 1;
  pthread_join(th, NULL);
  close(fd);
  close(arg.fd);
}

/* ---------- aggressors ---------- */

struct worker {
  pthread_t th;
  int idx;
  const struct options *o;
  char *path;                             /* disk: this worker's file, removed at exit */
};

/* Runs chunk() for intensity% of each 10 ms slot and sleeps the rest, until stopped. */
static void duty_cycle(int intensity, void (*chunk)(struct worker *, uint64_t *), struct worker *w) {
  uint64_t state = 0x2545f4914f6cdd1dULL + (uint64_t)w->idx;
  while (!stop_flag) {
    long long slot = now_ns();
    long long busy_until = slot + SLOT_NS * intensity / 100;
    do chunk(w, &state); while (!stop_flag && now_ns() < busy_until);
    if (intensity < 100) {
      long long wake = slot + SLOT_NS;
      struct timespec ts = { .tv_sec = wake / 1000000000LL, .tv_nsec = wake % 1000000000LL };
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
  }
}

static void chunk_spin(struct worker *w, uint64_t *st) { (void)w; *st = work_kernel(*st, 2000); sink = *st; }

/* Cache and stream buffers: one slice per worker, so the total footprint is --size whatever the thread count. */
static char *agg_buf;
static size_t agg_slice;

static void chunk_cache(struct worker *w, uint64_t *st) {
  /* Random read-modify-write of whole lines over an LLC-sized slice: evicts everyone else's lines. */
  uint64_t *base = (uint64_t *)(agg_buf + (size_t)w->idx * agg_slice);
  size_t lines = agg_slice / LINE;
  for (int i = 0; i < 4096; i++) {
    size_t l = (size_t)(rng_next(st) % lines);
    base[l * (LINE / 8)] += 1;
  }
}

static void chunk_stream(struct worker *w, uint64_t *st) {
  /* STREAM triad over three arrays far larger than the caches: a[i] = b[i] + 3*c[i]. */
  size_t n = agg_slice / 3 / sizeof(double);
  double *a = (double *)(agg_buf + (size_t)w->idx * agg_slice), *b = a + n, *c = b + n;
  size_t from = (size_t)(*st % (n > 65536 ? n - 65536 : 1));
  size_t to = from + 65536 < n ? from + 65536 : n;
  for (size_t i = from; i < to; i++) a[i] = b[i] + 3.0 * c[i];
  *st += 65536;
}

struct disk_state { int fd; long long off; int since_sync; };
static struct disk_state *disk;

static void chunk_disk(struct worker *w, uint64_t *st) {
  (void)st;
  static char block[DISK_CHUNK] __attribute__((aligned(4096)));
  struct disk_state *d = &disk[w->idx];
  if (d->off + DISK_CHUNK > DISK_WRAP) d->off = 0;
  if (pwrite(d->fd, block, DISK_CHUNK, d->off) != DISK_CHUNK) {
    unlink(w->path);                      /* do not leave a partial file behind (e.g. disk full) */
    die("disk aggressor pwrite");
  }
  d->off += DISK_CHUNK;
  if (++d->since_sync >= DISK_SYNC_EVERY) { fdatasync(d->fd); d->since_sync = 0; }
}

struct net_state { int tx, rx; struct sockaddr_in rx_addr; };
static struct net_state *net;

static void chunk_net(struct worker *w, uint64_t *st) {
  (void)st;
  struct net_state *n = &net[w->idx];
  static __thread char buf[1400];
  for (int i = 0; i < 32; i++)
    sendto(n->tx, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&n->rx_addr, sizeof n->rx_addr);
  while (recv(n->rx, buf, sizeof buf, MSG_DONTWAIT) > 0) {}
}

static void (*agg_chunk)(struct worker *, uint64_t *);

static void *agg_thread(void *p) {
  struct worker *w = p;
  duty_cycle(w->o->intensity, agg_chunk, w);
  return NULL;
}

static int run_aggressor(struct options *o) {
  int disk_mode = !strcmp(o->mode, "disk");
  if (!strcmp(o->mode, "spin")) agg_chunk = chunk_spin;
  else if (!strcmp(o->mode, "cache")) agg_chunk = chunk_cache;
  else if (!strcmp(o->mode, "stream")) agg_chunk = chunk_stream;
  else if (disk_mode) agg_chunk = chunk_disk;
  else if (!strcmp(o->mode, "net")) agg_chunk = chunk_net;
  else usage("aggressor mode must be spin, cache, stream, disk or net");
  if (o->threads <= 0) {
    /* One worker per CPU this process may run on, so an aggressor in a shared pool loads all of it; one sequential
     * writer for disk, since several would turn sequential writes into seeks. */
    cpu_set_t set;
    o->threads = disk_mode ? 1 : (sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1);
    if (o->threads < 1) o->threads = 1;
  }
  /* Block the stop signals before any thread exists; main waits for them with sigtimedwait. */
  sigset_t stop_set;
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGTERM);
  sigaddset(&stop_set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_set, NULL);

  int n = o->threads;
  struct worker *ws = calloc((size_t)n, sizeof *ws);
  if (!ws) die("out of memory");
  if (agg_chunk == chunk_cache || agg_chunk == chunk_stream) {
    long long size = o->size > 0 ? o->size : (agg_chunk == chunk_cache ? 32LL << 20 : 256LL << 20);
    agg_slice = ((size_t)size / (size_t)n) & ~(size_t)(LINE - 1);
    if (agg_slice < 3 * 65536 * sizeof(double)) agg_slice = 3 * 65536 * sizeof(double);
    agg_buf = aligned_alloc(LINE, agg_slice * (size_t)n);
    if (!agg_buf) die("out of memory");
    memset(agg_buf, 1, agg_slice * (size_t)n);
  }
  if (disk_mode) disk = calloc((size_t)n, sizeof *disk);
  if (agg_chunk == chunk_net) net = calloc((size_t)n, sizeof *net);
  for (int i = 0; i < n; i++) {
    ws[i].idx = i;
    ws[i].o = o;
    if (disk_mode) {
      char what[32];
      snprintf(what, sizeof what, "disk%d", i);
      ws[i].path = scratch_path(o->dir, what);
      disk[i].fd = open(ws[i].path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
      if (disk[i].fd < 0) die(ws[i].path);
    }
    if (net) {
      struct sockaddr_in tx_addr;
      net[i].rx = udp_socket(&net[i].rx_addr);
      net[i].tx = udp_socket(&tx_addr);
    }
  }
  for (int i = 0; i < n; i++)
    if (pthread_create(&ws[i].th, NULL, agg_thread, &ws[i]) != 0) die("pthread_create");

  if (o->duration_ms > 0) {
    struct timespec limit = { .tv_sec = o->duration_ms / 1000, .tv_nsec = (o->duration_ms % 1000) * 1000000L };
    while (sigtimedwait(&stop_set, NULL, &limit) < 0 && errno == EINTR) {}
  } else {
    int sig;
    sigwait(&stop_set, &sig);
  }
  stop_flag = 1;
  for (int i = 0; i < n; i++) pthread_join(ws[i].th, NULL);
  for (int i = 0; i < n; i++) {
    if (disk_mode) { close(disk[i].fd); unlink(ws[i].path); free(ws[i].path); }
    if (net) { close(net[i].rx); close(net[i].tx); }
  }
  free(ws); free(disk); free(net); free(agg_buf);
  return 0;
}

static long long parse_num(const char *flag, const char *v) {
  char *end;
  errno = 0;
  long long n = strtoll(v, &end, 10);
  if (errno || *end || n < 0) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s needs a non-negative integer, got \"%s\"", flag, v);
    usage(msg);
  }
  return n;
}

int main(int argc, char **argv) {
  struct options o = { .intensity = 100 };
  if (argc < 3) usage("missing role and mode");
  o.role = argv[1];
  o.mode = argv[2];
  for (int i = 3; i < argc; i++) {
    const char *f = argv[i];
    if (i + 1 >= argc) usage("flag without a value");
    const char *v = argv[++i];
    if (!strcmp(f, "--duration-ms")) o.duration_ms = parse_num(f, v);
    else if (!strcmp(f, "--size")) o.size = parse_num(f, v);
    else if (!strcmp(f, "--intensity")) o.intensity = (int)parse_num(f, v);
    else if (!strcmp(f, "--threads")) o.threads = (int)parse_num(f, v);
    else if (!strcmp(f, "--dir")) o.dir = v;
    else if (!strcmp(f, "--fifo")) o.fifo = (int)parse_num(f, v);
    else usage("unknown flag");
  }
  if (o.intensity < 1 || o.intensity > 100) usage("--intensity must be 1-100");
  if (!strcmp(o.role, "aggressor")) return run_aggressor(&o);
  if (strcmp(o.role, "victim")) usage("role must be victim or aggressor");
  if (o.duration_ms <= 0) usage("victim needs --duration-ms N > 0");
  if (o.fifo) {
    /* Needs RLIMIT_RTPRIO ≥ PRIO (or CAP_SYS_NICE) and, in a cgroup v1 container, a real-time budget. */
    struct sched_param sp = { .sched_priority = o.fifo };
    if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) die("SCHED_FIFO");
  }

  struct sigaction sa = { .sa_handler = on_signal };
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  struct samples s = { 0 };
  long long end = now_ns() + o.duration_ms * 1000000LL;
  if (!strcmp(o.mode, "work")) victim_work(end, &s);
  else if (!strcmp(o.mode, "wake")) victim_wake(end, &s);
  else if (!strcmp(o.mode, "chase")) victim_chase(end, o.size, &s);
  else if (!strcmp(o.mode, "fsync")) victim_fsync(end, o.dir, &s);
  else if (!strcmp(o.mode, "rtt")) victim_rtt(end, &s);
  else usage("victim mode must be wake, work, chase, fsync or rtt");
  print_report(o.mode, &s);
  free(s.v);
  return 0;
}
