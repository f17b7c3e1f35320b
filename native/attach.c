/*
 * attach [--wait] SOCKET_PATH [READY_FD]
 *
 * Relays between this process's stdio and conmon's attach socket. Node cannot open the socket itself: it is
 * SOCK_SEQPACKET, and libuv only speaks SOCK_STREAM. The engine spawns this helper and talks to it over pipes.
 *
 * Protocol (conmon ctr_stdio.c / conn_sock.c):
 *   - each packet conmon sends is one read of the container's output, prefixed by one byte naming the stream
 *     (2 = stdout, 3 = stderr); we strip the byte and write the rest to our stdout or stderr;
 *   - whatever we send is written to the container's stdin; when our stdin reaches EOF we shutdown(SHUT_WR),
 *     which conmon takes as "close the container's stdin";
 *   - conmon closes the socket when the container exits: then we exit 0.
 *
 * When READY_FD is given, one line "ok" is written to it and it is closed once the socket is connected, so the
 * caller can start the container knowing no output will be lost.
 *
 * With --wait, a socket that does not exist or does not listen yet is tried again every millisecond (for at most
 * WAIT_LIMIT_MS): the engine starts this helper while conmon is still creating the container, so connecting
 * overlaps the runtime's work instead of following it. The engine kills the helper if the create fails.
 *
 * Exit status: 0 when the socket closed normally, 1 on usage or connection errors (message on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define STREAM_STDOUT 2
#define STREAM_STDERR 3
/* conmon reads at most 8192 bytes of output per packet, plus the tag byte. */
#define PACKET_MAX (8192 + 1)
/* conmon reads our packets into a 32 KiB buffer; stay well below it. */
#define INPUT_CHUNK 8192
/* Bounds --wait for a helper whose engine went away mid-create; a create takes well under a second. */
#define WAIT_LIMIT_MS 120000

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * sun_path holds 107 bytes. Longer paths are reached through the parent directory opened O_PATH and named
 * via /proc/self/fd/N, as podman does, so that deep state directories still work.
 */
static int connect_attach(const char *path)
{
	struct sockaddr_un addr;
	int dirfd = -1;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (strlen(path) < sizeof(addr.sun_path)) {
		strcpy(addr.sun_path, path);
	} else {
		char *copy = strdup(path);
		char *base_copy = strdup(path);
		if (copy == NULL || base_copy == NULL) {
			free(copy);
			free(base_copy);
			close(fd);
			errno = ENOMEM;
			return -1;
		}
		dirfd = open(dirname(copy), O_PATH | O_CLOEXEC);
		int n = dirfd < 0 ? -1
				  : snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dirfd, basename(base_copy));
		free(copy);
		free(base_copy);
		if (n < 0 || (size_t)n >= sizeof(addr.sun_path)) {
			int saved = dirfd < 0 ? errno : ENAMETOOLONG;
			if (dirfd >= 0)
				close(dirfd);
			close(fd);
			errno = saved;
			return -1;
		}
	}

	int rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	int saved = errno;
	if (dirfd >= 0)
		close(dirfd);
	if (rc < 0) {
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Returns 1 to keep going, 0 when the socket closed, -1 on error. */
static int relay_output(int sock)
{
	char buf[PACKET_MAX];
	ssize_t n = recv(sock, buf, sizeof(buf), 0);
	/* conmon exiting with our connection not yet accepted (its runtime's create failed) resets it: just an end. */
	if (n < 0 && errno == ECONNRESET)
		return 0;
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	if (n == 0)
		return 0;
	if (n == 1)
		return 1;
	/* Anything not tagged stderr is stdout: a terminal has only one stream. */
	int out = buf[0] == STREAM_STDERR ? STDERR_FILENO : STDOUT_FILENO;
	if (write_all(out, buf + 1, (size_t)n - 1) < 0)
		return -1;
	return 1;
}

/* Returns 1 to keep polling stdin, 0 once stdin reached EOF (after shutting down our write side), -1 on error. */
static int relay_input(int sock)
{
	char buf[INPUT_CHUNK];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	if (n == 0) {
		shutdown(sock, SHUT_WR);
		return 0;
	}
	if (send(sock, buf, (size_t)n, MSG_NOSIGNAL) < 0)
		return errno == EPIPE ? 0 : -1;
	return 1;
}

/* connect_attach, retried while the socket is missing or not listening yet. */
static int connect_waiting(const char *path)
{
	const struct timespec step = { .tv_sec = 0, .tv_nsec = 1000000 };
	for (int waited = 0;; waited++) {
		int sock = connect_attach(path);
		if (sock >= 0 || (errno != ENOENT && errno != ECONNREFUSED) || waited >= WAIT_LIMIT_MS)
			return sock;
		nanosleep(&step, NULL);
	}
}

int main(int argc, char **argv)
{
	int wait = argc > 1 && strcmp(argv[1], "--wait") == 0;
	argc -= wait;
	argv += wait;
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: attach [--wait] SOCKET_PATH [READY_FD]\n");
		return 1;
	}
	/* A reader that went away must not kill us before we finish relaying. */
	signal(SIGPIPE, SIG_IGN);

	int sock = wait ? connect_waiting(argv[1]) : connect_attach(argv[1]);
	if (sock < 0) {
		fprintf(stderr, "attach: connect %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (argc == 3) {
		int ready = atoi(argv[2]);
		if (ready <= STDERR_FILENO || write_all(ready, "ok\n", 3) < 0) {
			fprintf(stderr, "attach: cannot report readiness on fd %s\n", argv[2]);
			return 1;
		}
		close(ready);
	}

	int stdin_open = 1;
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = sock, .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("attach: poll");
			return 1;
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			int rc = relay_output(sock);
			if (rc == 0)
				break;
			if (rc < 0) {
				perror("attach: relay output");
				return 1;
			}
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			int rc = relay_input(sock);
			if (rc < 0) {
				perror("attach: relay input");
				return 1;
			}
			stdin_open = rc;
		}
	}
	close(sock);
	return 0;
}
