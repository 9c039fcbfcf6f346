/*
 * A preloaded library that makes the real fsync/fdatasync and write calls of one directory fail,
 * the way a failing disk or a full file system makes them fail.
 *
 * It is controlled by the environment variable STEMEDB_FAULT_PLAN, read at every intercepted call
 * (a process may change it between workloads; a changed plan starts counting afresh):
 *
 *     <kind>:<nth>:<mode>:<ignore>:<directory>
 *
 *   kind       "sync"  - fsync and fdatasync fail with EIO (nothing is synced);
 *              "write" - the write is short (half its bytes reach the file and the short count is
 *                        returned) and the next write fails with ENOSPC: the file system is full.
 *                        libuv retries a short synchronous write, so only the ENOSPC that follows
 *                        lets the short count reach the caller, as it does on a full disk;
 *   nth        the first call to fail, counting from 1, among the calls of that kind on the
 *              directory itself or on files under it;
 *   mode       "once" (only the nth call fails; for "write", the nth and the one after) or
 *              "forever" (the nth call and every later one);
 *   ignore     a file name under the directory whose calls are neither counted nor failed
 *              ("-": none);
 *   directory  an absolute path without a trailing slash.
 *
 * A call's file is found by reading /proc/self/fd/<fd> when the call is made, so descriptors opened
 * before the plan was set are matched too. Every injected failure is reported as one line on
 * STEMEDB_FAULT_REPORT_FD (default 1) before the call returns:
 *
 *     fault <call> <eio|short|enospc> <bytes asked> <path>
 *
 * so a process that reports its acknowledgements on the same descriptor gives one ordered account.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define PLAN_MAX 1024
#define IOV_MAX_FAULT 64

enum fault_kind { FAULT_NONE, FAULT_SYNC, FAULT_WRITE };
enum decision { PASS, FAIL_SHORT, FAIL_ERROR };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char active_plan[PLAN_MAX];
static enum fault_kind kind = FAULT_NONE;
static long nth = 0;
static int forever = 0;
static char ignore_name[256];
static char directory[PATH_MAX];
static long seen = 0;

/* Parses `text` into the globals; an unparsable plan injects nothing. Caller holds `lock`. */
static void load_plan(const char *text) {
  kind = FAULT_NONE;
  seen = 0;
  snprintf(active_plan, sizeof active_plan, "%s", text);
  char copy[PLAN_MAX];
  snprintf(copy, sizeof copy, "%s", text);
  char *rest = copy;
  char *kind_text = strsep(&rest, ":");
  char *nth_text = strsep(&rest, ":");
  char *mode_text = strsep(&rest, ":");
  char *ignore_text = strsep(&rest, ":");
  if (kind_text == NULL || nth_text == NULL || mode_text == NULL || ignore_text == NULL) return;
  if (rest == NULL) return;
  nth = strtol(nth_text, NULL, 10);
  forever = strcmp(mode_text, "forever") == 0;
  snprintf(ignore_name, sizeof ignore_name, "%s", strcmp(ignore_text, "-") == 0 ? "" : ignore_text);
  snprintf(directory, sizeof directory, "%s", rest);
  if (nth < 1 || directory[0] != '/') return;
  if (strcmp(kind_text, "sync") == 0) kind = FAULT_SYNC;
  else if (strcmp(kind_text, "write") == 0) kind = FAULT_WRITE;
}

/* True if `path` is the plan's directory or lies under it, and is not the ignored file. */
static int path_matches(const char *path) {
  size_t length = strlen(directory);
  if (strncmp(path, directory, length) != 0) return 0;
  if (path[length] == '\0') return 1;
  if (path[length] != '/') return 0;
  const char *base = strrchr(path, '/') + 1;
  return ignore_name[0] == '\0' || strcmp(base, ignore_name) != 0;
}

static void report(const char *call, const char *failure, size_t count, const char *path) {
  char line[PATH_MAX + 128];
  const char *fd_text = getenv("STEMEDB_FAULT_REPORT_FD");
  int fd = fd_text == NULL ? 1 : atoi(fd_text);
  int length = snprintf(line, sizeof line, "fault %s %s %zu %s\n", call, failure, count, path);
  if (length > (int)sizeof line - 1) length = (int)sizeof line - 1;
  /* The raw system call: this library's own `write` would count the report as a file write. */
  if (length > 0) syscall(SYS_write, fd, line, (size_t)length);
}

/*
 * Decides the fate of one call of `call_kind` on `fd`. Counting and deciding happen under one lock
 * so each matching call gets exactly one number even when threads race.
 */
static enum decision decide(enum fault_kind call_kind, int fd, const char *call, size_t count) {
  const char *plan = getenv("STEMEDB_FAULT_PLAN");
  if (plan == NULL || plan[0] == '\0') return PASS;
  char link[64];
  char path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t length = readlink(link, path, sizeof path - 1);
  if (length <= 0) return PASS;
  path[length] = '\0';
  enum decision result = PASS;
  pthread_mutex_lock(&lock);
  if (strcmp(plan, active_plan) != 0) load_plan(plan);
  if (kind == call_kind && path_matches(path)) {
    seen++;
    if (call_kind == FAULT_SYNC) {
      if (seen == nth || (forever && seen > nth)) result = FAIL_ERROR;
    } else if (seen == nth) {
      result = count > 1 ? FAIL_SHORT : FAIL_ERROR;
    } else if (seen == nth + 1 || (forever && seen > nth)) {
      result = FAIL_ERROR;
    }
  }
  pthread_mutex_unlock(&lock);
  if (result != PASS) {
    const char *failure = call_kind == FAULT_SYNC ? "eio"
                          : result == FAIL_SHORT ? "short"
                                                 : "enospc";
    report(call, failure, count, path);
  }
  return result;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static int fail_with(int error) {
  errno = error;
  return -1;
}

int fsync(int fd) {
  if (decide(FAULT_SYNC, fd, "fsync", 0) != PASS) return fail_with(EIO);
  return REAL(fsync)(fd);
}

int fdatasync(int fd) {
  if (decide(FAULT_SYNC, fd, "fdatasync", 0) != PASS) return fail_with(EIO);
  return REAL(fdatasync)(fd);
}

ssize_t write(int fd, const void *buffer, size_t count) {
  enum decision d = decide(FAULT_WRITE, fd, "write", count);
  if (d == FAIL_ERROR) return fail_with(ENOSPC);
  return REAL(write)(fd, buffer, d == FAIL_SHORT ? count / 2 : count);
}

ssize_t pwrite(int fd, const void *buffer, size_t count, off_t offset) {
  enum decision d = decide(FAULT_WRITE, fd, "pwrite", count);
  if (d == FAIL_ERROR) return fail_with(ENOSPC);
  return REAL(pwrite)(fd, buffer, d == FAIL_SHORT ? count / 2 : count, offset);
}

ssize_t pwrite64(int fd, const void *buffer, size_t count, off64_t offset) {
  enum decision d = decide(FAULT_WRITE, fd, "pwrite64", count);
  if (d == FAIL_ERROR) return fail_with(ENOSPC);
  return REAL(pwrite64)(fd, buffer, d == FAIL_SHORT ? count / 2 : count, offset);
}

static size_t total_bytes(const struct iovec *iov, int count) {
  size_t total = 0;
  for (int i = 0; i < count; i++) total += iov[i].iov_len;
  return total;
}

/* Copies `iov` into `out`, cut to hold half its bytes; returns the new count of buffers. */
static int halve(const struct iovec *iov, int count, struct iovec *out) {
  size_t left = total_bytes(iov, count) / 2;
  int used = 0;
  for (int i = 0; i < count && i < IOV_MAX_FAULT && left > 0; i++) {
    out[used] = iov[i];
    if (out[used].iov_len > left) out[used].iov_len = left;
    left -= out[used].iov_len;
    used++;
  }
  return used;
}

ssize_t writev(int fd, const struct iovec *iov, int count) {
  enum decision d = decide(FAULT_WRITE, fd, "writev", total_bytes(iov, count));
  if (d == FAIL_ERROR) return fail_with(ENOSPC);
  if (d == PASS) return REAL(writev)(fd, iov, count);
  struct iovec cut[IOV_MAX_FAULT];
  return REAL(writev)(fd, cut, halve(iov, count, cut));
}

ssize_t pwritev(int fd, const struct iovec *iov, int count, off_t offset) {
  enum decision d = decide(FAULT_WRITE, fd, "pwritev", total_bytes(iov, count));
  if (d == FAIL_ERROR) return fail_with(ENOSPC);
  if (d == PASS) return REAL(pwritev)(fd, iov, count, offset);
  struct iovec cut[IOV_MAX_FAULT];
  return REAL(pwritev)(fd, cut, halve(iov, count, cut), offset);
}

ssize_t pwritev64(int fd, const struct iovec *iov, int count, off64_t offset) {
  enum decision d = decide(FAULT_WRITE, fd, "pwritev64", total_bytes(iov, count));
  if (d == FAIL_ERROR) return fail_with(ENOSPC);
  if (d == PASS) return REAL(pwritev64)(fd, iov, count, offset);
  struct iovec cut[IOV_MAX_FAULT];
  return REAL(pwritev64)(fd, cut, halve(iov, count, cut), offset);
}

ssize_t pwritev2(int fd, const struct iovec *iov, int count, off_t offset, int flags) {
  enum decision d = decide(FAULT_WRITE, fd, "pwritev2", total_bytes(iov, count));
  if (d == FAIL_ERROR) return fail_with(ENOSPC);
  if (d == PASS) return REAL(pwritev2)(fd, iov, count, offset, flags);
  struct iovec cut[IOV_MAX_FAULT];
  return REAL(pwritev2)(fd, cut, halve(iov, count, cut), offset, flags);
}
