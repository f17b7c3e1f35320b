/*
 * fsutil: the filesystem operations Node cannot do (mknod, mkfifo, xattrs), for layer extraction and packing.
 *
 * Every path is taken relative to a root directory and walked one component at a time with O_NOFOLLOW, so an
 * operation can never land outside the root, even if the tree was changed (a directory swapped for a symlink)
 * after the caller decided on the path. Whole layers are handled in one run ("batch"), not one process per file.
 *
 *   fsutil batch ROOT          NUL-separated records on stdin, one operation each:
 *                                whiteout REL                          char device 0:0 (overlay whiteout)
 *                                opaque REL                            trusted.overlay.opaque=y on a directory
 *                                fifo REL MODE UID GID SEC NSEC        named pipe with owner, mode (octal) and mtime
 *   fsutil whiteout ROOT REL...
 *   fsutil opaque ROOT REL...
 *   fsutil list-opaque ROOT    prints the relative paths of opaque directories under ROOT, NUL-terminated
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define OPAQUE_XATTR "trusted.overlay.opaque"

static const char *prog = "fsutil";

static int fail(const char *what, const char *path) {
    fprintf(stderr, "%s: %s %s: %s\n", prog, what, path, strerror(errno));
    return -1;
}

/* Opens the directory that holds REL's last component, walking from rootfd without following any symlink.
 * Returns the directory fd and points *leaf at the last component (inside buf). */
static int open_parent(int rootfd, const char *rel, char *buf, size_t buflen, const char **leaf) {
    if (strlen(rel) >= buflen) { errno = ENAMETOOLONG; return -1; }
    strcpy(buf, rel);
    int cur = dup(rootfd);
    if (cur < 0) return -1;
    char *comp = buf;
    for (;;) {
        while (*comp == '/') comp++;
        char *slash = strchr(comp, '/');
        if (slash == NULL) break;
        *slash = '\0';
        if (strcmp(comp, "..") == 0) { close(cur); errno = EPERM; return -1; }
        if (*comp != '\0' && strcmp(comp, ".") != 0) {
            int next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            close(cur);
            if (next < 0) return -1;
            cur = next;
        }
        comp = slash + 1;
    }
    if (strcmp(comp, "..") == 0) { close(cur); errno = EPERM; return -1; }
    *leaf = comp;
    return cur;
}

static int do_whiteout(int rootfd, const char *rel) {
    char buf[PATH_MAX];
    const char *leaf;
    int dir = open_parent(rootfd, rel, buf, sizeof buf, &leaf);
    if (dir < 0) return fail("whiteout", rel);
    int rc = mknodat(dir, leaf, S_IFCHR | 0, makedev(0, 0));
    /* Something created later in the same layer wins over the whiteout: leave it. */
    if (rc < 0 && errno == EEXIST) rc = 0;
    if (rc < 0) fail("whiteout", rel);
    close(dir);
    return rc;
}

static int do_opaque(int rootfd, const char *rel) {
    char buf[PATH_MAX];
    const char *leaf;
    int fd;
    if (strcmp(rel, ".") == 0 || *rel == '\0') {
        fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    } else {
        int dir = open_parent(rootfd, rel, buf, sizeof buf, &leaf);
        if (dir < 0) return fail("opaque", rel);
        fd = openat(dir, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        close(dir);
    }
    if (fd < 0) return fail("opaque", rel);
    int rc = fsetxattr(fd, OPAQUE_XATTR, "y", 1, 0);
    if (rc < 0) fail("opaque", rel);
    close(fd);
    return rc;
}

static int do_fifo(int rootfd, const char *rel, mode_t mode, uid_t uid, gid_t gid, long sec, long nsec) {
    char buf[PATH_MAX];
    const char *leaf;
    int dir = open_parent(rootfd, rel, buf, sizeof buf, &leaf);
    if (dir < 0) return fail("fifo", rel);
    int rc = mkfifoat(dir, leaf, mode & 07777);
    if (rc < 0 && errno == EEXIST) {
        /* A later tar entry replaces an earlier one, as with regular files; directories are never replaced. */
        rc = unlinkat(dir, leaf, 0);
        if (rc == 0) rc = mkfifoat(dir, leaf, mode & 07777);
    }
    if (rc == 0) rc = fchownat(dir, leaf, uid, gid, AT_SYMLINK_NOFOLLOW);
    if (rc == 0) rc = fchmodat(dir, leaf, mode & 07777, 0); /* chown clears setuid/setgid bits */
    if (rc == 0) {
        struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };
        rc = utimensat(dir, leaf, ts, AT_SYMLINK_NOFOLLOW);
    }
    if (rc < 0) fail("fifo", rel);
    close(dir);
    return rc;
}

static char *read_all(FILE *f, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *data = malloc(cap + 1);
    if (data == NULL) return NULL;
    size_t got;
    while ((got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(data, cap * 2 + 1);
            if (bigger == NULL) { free(data); return NULL; }
            data = bigger;
            cap *= 2;
        }
    }
    data[n] = '\0';
    *len = n;
    return data;
}

/* Splits the NUL-separated stdin into fields; a trailing NUL is optional. */
static int run_batch(int rootfd) {
    size_t len;
    char *data = read_all(stdin, &len);
    if (data == NULL) { fprintf(stderr, "%s: out of memory\n", prog); return 1; }
    size_t nfields = 0, cap = 1024;
    char **fields = malloc(cap * sizeof *fields);
    for (size_t pos = 0; fields != NULL && pos < len; ) {
        if (nfields == cap) {
            char **bigger = realloc(fields, cap * 2 * sizeof *fields);
            if (bigger == NULL) { free(fields); fields = NULL; break; }
            fields = bigger;
            cap *= 2;
        }
        fields[nfields++] = data + pos;
        pos += strlen(data + pos) + 1;
    }
    if (fields == NULL) { fprintf(stderr, "%s: out of memory\n", prog); return 1; }
    int status = 0;
    for (size_t i = 0; i < nfields && status == 0; ) {
        const char *op = fields[i];
        if (strcmp(op, "whiteout") == 0 && i + 1 < nfields) {
            status = do_whiteout(rootfd, fields[i + 1]);
            i += 2;
        } else if (strcmp(op, "opaque") == 0 && i + 1 < nfields) {
            status = do_opaque(rootfd, fields[i + 1]);
            i += 2;
        } else if (strcmp(op, "fifo") == 0 && i + 6 < nfields) {
            status = do_fifo(rootfd, fields[i + 1], (mode_t)strtoul(fields[i + 2], NULL, 8),
                             (uid_t)strtoul(fields[i + 3], NULL, 10), (gid_t)strtoul(fields[i + 4], NULL, 10),
                             strtol(fields[i + 5], NULL, 10), strtol(fields[i + 6], NULL, 10));
            i += 7;
        } else {
            fprintf(stderr, "%s: bad batch record at field %zu (\"%s\")\n", prog, i, op);
            status = -1;
        }
    }
    free(fields);
    free(data);
    return status == 0 ? 0 : 1;
}

/* Depth-first walk printing directories that carry the opaque xattr; does not follow symlinks or cross into
 * anything but directories. */
static int list_opaque(int dirfd, const char *rel) {
    char value[4];
    char self[32];
    snprintf(self, sizeof self, "/proc/self/fd/%d", dirfd);
    ssize_t n = getxattr(self, OPAQUE_XATTR, value, sizeof value);
    if (n == 1 && value[0] == 'y') { fputs(rel, stdout); fputc('\0', stdout); }
    DIR *d = fdopendir(dup(dirfd));
    if (d == NULL) return fail("list", rel);
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
        int child = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0) continue; /* not a directory (DT_UNKNOWN) or a symlink */
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", strcmp(rel, ".") == 0 ? "" : rel, e->d_name) >= (int)sizeof path) {
            errno = ENAMETOOLONG;
            rc = fail("list", rel);
        } else {
            rc = list_opaque(child, path[0] == '/' ? path + 1 : path);
        }
        close(child);
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s batch|whiteout|opaque|list-opaque ROOT [REL...]\n", prog);
        return 2;
    }
    umask(0);
    const char *cmd = argv[1];
    int rootfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) { fail("open root", argv[2]); return 1; }
    int status = 0;
    if (strcmp(cmd, "batch") == 0) {
        status = run_batch(rootfd);
    } else if (strcmp(cmd, "whiteout") == 0 || strcmp(cmd, "opaque") == 0) {
        for (int i = 3; i < argc && status == 0; i++) {
            status = (cmd[0] == 'w' ? do_whiteout(rootfd, argv[i]) : do_opaque(rootfd, argv[i])) == 0 ? 0 : 1;
        }
    } else if (strcmp(cmd, "list-opaque") == 0) {
        status = list_opaque(rootfd, ".") == 0 ? 0 : 1;
    } else {
        fprintf(stderr, "%s: unknown command %s\n", prog, cmd);
        status = 2;
    }
    close(rootfd);
    return status;
}
