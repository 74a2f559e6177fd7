/*
 * faultline-fs: a FUSE passthrough file system that can forget what was never fsynced.
 *
 *   faultline-fs BACKING MOUNTPOINT STATUS_FILE [fuse options]
 *
 * Every operation goes through to BACKING at once (reads always see the latest data), but
 * for each file written since its last fsync/fdatasync the layer keeps an undo log in
 * memory: the bytes each write or truncate overwrote inside the file's durable length, and
 * that length. SIGUSR1 plays a power cut: every such file is put back as it was at its last
 * fsync (undo records applied newest first, then truncated to the durable length). SIGUSR2
 * only reports. SIGHUP reads the slow-disk delays from DELAY_FILE (STATUS_FILE with its
 * ".status" replaced by ".delay"): "FSYNC_MS WRITE_MS", each 0..600000; every fsync/fdatasync
 * (and every write through an O_SYNC/O_DSYNC descriptor) then waits FSYNC_MS before it is
 * done, every write WRITE_MS. A file that does not parse changes nothing. Each signal
 * replaces STATUS_FILE with one JSON line:
 *   {"seq":N,"dropped":true|false,"files":F,"bytes":B,"truncated":T,
 *    "fsyncDelayMs":D,"writeDelayMs":W,"delayedFsyncs":DF,"delayedWrites":DW}
 * (F files with un-fsynced data, B bytes written to them since their last fsync, T bytes cut
 * off their ends; the delays in force and how many fsyncs and writes were held up so far).
 *
 * What is durable is this layer's bookkeeping, not the disk beneath: fsync is not passed
 * down (there is no real power cut to survive), which also keeps fsync cheap. Metadata
 * (create, unlink, rename, mkdir, link, chmod) is durable at once, as if every directory
 * were fsynced after each change: a power cut here never loses a file, only contents.
 * Writes through O_SYNC/O_DSYNC descriptors are durable when they return.
 *
 * The same idea as LazyFS (a cache that only an fsync flushes), done the other way round
 * (write-through with an undo log), so the page cache of the kernel stays correct and a
 * dead layer loses nothing it should have kept.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

struct undo {
  off_t off;
  size_t len;
  struct undo *older;
  char data[];
};

/* A file with writes since its last fsync, found by its backing inode (renames keep it). */
struct tracked {
  dev_t dev;
  ino_t ino;
  int fd; /* O_RDWR on the backing inode: reads old bytes, writes them back */
  off_t durable_size;
  uint64_t unsynced_bytes;
  struct undo *newest;
  struct tracked *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct tracked *dirty;
static const char *status_path;
static char delay_path[PATH_MAX];
static unsigned long status_seq;

/* Slow disk: read by every FUSE thread without the lock (atomics), set by the control thread. */
static long fsync_delay_ms, write_delay_ms;
static unsigned long delayed_fsyncs, delayed_writes;
#define MAX_DELAY_MS 600000L

/* Waits `*ms` (0: not at all) and counts it; outside the lock, so other files go on meanwhile. */
static void hold_up(const long *ms, unsigned long *count) {
  long d = __atomic_load_n(ms, __ATOMIC_RELAXED);
  if (d <= 0) return;
  __atomic_add_fetch(count, 1, __ATOMIC_RELAXED);
  struct timespec ts = {.tv_sec = d / 1000, .tv_nsec = (d % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* FUSE paths start with "/"; they become relative to BACKING, opened once (libfuse changes the working directory). */
static int bfd = -1;
static const char *rel(const char *path) { return path[1] == '\0' ? "." : path + 1; }

static struct tracked *find_tracked(dev_t dev, ino_t ino) {
  for (struct tracked *t = dirty; t != NULL; t = t->next)
    if (t->dev == dev && t->ino == ino) return t;
  return NULL;
}

/* The tracked entry for an open file, made on its first change since an fsync. Lock held. */
static struct tracked *track(int fd, int *err) {
  struct stat st;
  if (fstat(fd, &st) != 0) { *err = -errno; return NULL; }
  struct tracked *t = find_tracked(st.st_dev, st.st_ino);
  if (t != NULL) return t;
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  int own = open(proc, O_RDWR | O_CLOEXEC);
  if (own < 0) { *err = -errno; return NULL; }
  t = calloc(1, sizeof *t);
  if (t == NULL) { close(own); *err = -ENOMEM; return NULL; }
  t->dev = st.st_dev;
  t->ino = st.st_ino;
  t->fd = own;
  /* Untracked means clean: everything there now is as durable as it gets. */
  t->durable_size = st.st_size;
  t->next = dirty;
  dirty = t;
  return t;
}

static void free_undo(struct tracked *t) {
  struct undo *u = t->newest;
  while (u != NULL) { struct undo *o = u->older; free(u); u = o; }
  t->newest = NULL;
}

static void forget(struct tracked *t) {
  for (struct tracked **p = &dirty; *p != NULL; p = &(*p)->next) {
    if (*p == t) { *p = t->next; break; }
  }
  free_undo(t);
  close(t->fd);
  free(t);
}

/* Saves the bytes [from, to) of the durable part that a change is about to overwrite. */
static int save_old(struct tracked *t, off_t from, off_t to) {
  struct stat st;
  if (fstat(t->fd, &st) != 0) return -errno;
  off_t limit = st.st_size < t->durable_size ? st.st_size : t->durable_size;
  if (to > limit) to = limit;
  if (from >= to) return 0; /* beyond the durable length: the final truncate restores it */
  size_t len = (size_t)(to - from);
  struct undo *u = malloc(sizeof *u + len);
  if (u == NULL) return -ENOMEM;
  ssize_t got = pread(t->fd, u->data, len, from);
  if (got < 0) { int e = -errno; free(u); return e; }
  u->off = from;
  u->len = (size_t)got;
  u->older = t->newest;
  t->newest = u;
  return 0;
}

static void write_status(int dropped, unsigned long files, uint64_t bytes, uint64_t truncated) {
  if (status_path == NULL) return;
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s.tmp", status_path);
  FILE *f = fopen(tmp, "w");
  if (f == NULL) return;
  fprintf(f,
          "{\"seq\":%lu,\"dropped\":%s,\"files\":%lu,\"bytes\":%llu,\"truncated\":%llu,"
          "\"fsyncDelayMs\":%ld,\"writeDelayMs\":%ld,\"delayedFsyncs\":%lu,\"delayedWrites\":%lu}\n",
          ++status_seq, dropped ? "true" : "false", files, (unsigned long long)bytes, (unsigned long long)truncated,
          __atomic_load_n(&fsync_delay_ms, __ATOMIC_RELAXED), __atomic_load_n(&write_delay_ms, __ATOMIC_RELAXED),
          __atomic_load_n(&delayed_fsyncs, __ATOMIC_RELAXED), __atomic_load_n(&delayed_writes, __ATOMIC_RELAXED));
  fclose(f);
  rename(tmp, status_path);
}

/* The power cut (drop != 0) or a look at what one would lose. */
static void lose_unfsynced(int drop) {
  pthread_mutex_lock(&lock);
  unsigned long files = 0;
  uint64_t bytes = 0, truncated = 0;
  for (struct tracked *t = dirty, *next; t != NULL; t = next) {
    next = t->next;
    struct stat st;
    int known = fstat(t->fd, &st) == 0;
    if (known && st.st_nlink == 0) {
      /* Unlinked (and the unlink is durable at once): nothing of it survives a cut anyway. */
      if (drop) forget(t);
      continue;
    }
    if (known && st.st_size > t->durable_size) truncated += (uint64_t)(st.st_size - t->durable_size);
    if (t->unsynced_bytes > 0 || t->newest != NULL || (known && st.st_size != t->durable_size)) files++;
    bytes += t->unsynced_bytes;
    if (!drop) continue;
    for (struct undo *u = t->newest; u != NULL; u = u->older) {
      if (pwrite(t->fd, u->data, u->len, u->off) != (ssize_t)u->len) fprintf(stderr, "faultline-fs: restoring inode %lu: %s\n", (unsigned long)t->ino, strerror(errno));
    }
    if (ftruncate(t->fd, t->durable_size) != 0) fprintf(stderr, "faultline-fs: truncating inode %lu: %s\n", (unsigned long)t->ino, strerror(errno));
    forget(t);
  }
  write_status(drop, files, bytes, truncated);
  pthread_mutex_unlock(&lock);
}

/* SIGHUP: the delays in DELAY_FILE take effect (both, or neither when it does not parse). */
static void read_delays(void) {
  FILE *f = fopen(delay_path, "r");
  long fs = -1, wr = -1;
  char extra;
  int n = f == NULL ? 0 : fscanf(f, "%ld %ld %c", &fs, &wr, &extra);
  if (f != NULL) fclose(f);
  if (n == 2 && fs >= 0 && fs <= MAX_DELAY_MS && wr >= 0 && wr <= MAX_DELAY_MS) {
    __atomic_store_n(&fsync_delay_ms, fs, __ATOMIC_RELAXED);
    __atomic_store_n(&write_delay_ms, wr, __ATOMIC_RELAXED);
  } else {
    fprintf(stderr, "faultline-fs: %s does not hold \"FSYNC_MS WRITE_MS\" (0..%ld): delays unchanged\n", delay_path, MAX_DELAY_MS);
  }
}

static void *control(void *arg) {
  sigset_t *set = arg;
  for (;;) {
    int sig;
    if (sigwait(set, &sig) != 0) continue;
    if (sig == SIGHUP) read_delays();
    lose_unfsynced(sig == SIGUSR1);
  }
  return NULL;
}

/* ---- passthrough operations ---- */

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
  (void)conn;
  cfg->use_ino = 1;
  cfg->hard_remove = 1; /* no .fuse_hidden files in the database's directory */
  cfg->nullpath_ok = 1;
  /* No caching of names or attributes: after a power cut the restarted database must see the restored sizes. */
  cfg->entry_timeout = 0;
  cfg->attr_timeout = 0;
  cfg->negative_timeout = 0;
  return NULL;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
  int r = fi != NULL ? fstat((int)fi->fh, st) : fstatat(bfd, rel(path), st, AT_SYMLINK_NOFOLLOW);
  return r == 0 ? 0 : -errno;
}

static int fs_readlink(const char *path, char *buf, size_t size) {
  ssize_t n = readlinkat(bfd, rel(path), buf, size - 1);
  if (n < 0) return -errno;
  buf[n] = '\0';
  return 0;
}

static int fs_opendir(const char *path, struct fuse_file_info *fi) {
  int fd = openat(bfd, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -errno;
  DIR *d = fdopendir(fd);
  if (d == NULL) { int e = -errno; close(fd); return e; }
  fi->fh = (uint64_t)(uintptr_t)d;
  return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi, enum fuse_readdir_flags flags) {
  (void)path; (void)flags;
  DIR *d = (DIR *)(uintptr_t)fi->fh;
  if (off == 0) rewinddir(d); else seekdir(d, off);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    struct stat st = {0};
    st.st_ino = e->d_ino;
    st.st_mode = (mode_t)e->d_type << 12;
    if (fill(buf, e->d_name, &st, telldir(d), 0)) break;
  }
  return 0;
}

static int fs_releasedir(const char *path, struct fuse_file_info *fi) {
  (void)path;
  closedir((DIR *)(uintptr_t)fi->fh);
  return 0;
}

/* Files the database makes belong to it, not to the layer (which runs as root). */
static void own(const char *p, int fd) {
  struct fuse_context *c = fuse_get_context();
  if (getuid() != 0 || c == NULL) return;
  int r = fd >= 0 ? fchown(fd, c->uid, c->gid) : p != NULL ? fchownat(bfd, p, c->uid, c->gid, AT_SYMLINK_NOFOLLOW) : 0;
  (void)r; /* best effort */
}

static int fs_mknod(const char *path, mode_t mode, dev_t rdev) {
  int r = S_ISFIFO(mode) ? mkfifoat(bfd, rel(path), mode) : mknodat(bfd, rel(path), mode, rdev);
  if (r != 0) return -errno;
  own(rel(path), -1);
  return 0;
}

static int fs_mkdir(const char *path, mode_t mode) {
  if (mkdirat(bfd, rel(path), mode) != 0) return -errno;
  own(rel(path), -1);
  return 0;
}

static int fs_symlink(const char *target, const char *path) {
  if (symlinkat(target, bfd, rel(path)) != 0) return -errno;
  own(rel(path), -1);
  return 0;
}

/* A tracked file whose last name went: its undo log and descriptor go too (its space is freed). */
static void forget_if_unlinked(const struct stat *before) {
  pthread_mutex_lock(&lock);
  struct tracked *t = find_tracked(before->st_dev, before->st_ino);
  struct stat st;
  if (t != NULL && fstat(t->fd, &st) == 0 && st.st_nlink == 0) forget(t);
  pthread_mutex_unlock(&lock);
}

static int fs_unlink(const char *path) {
  struct stat st;
  int known = fstatat(bfd, rel(path), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (unlinkat(bfd, rel(path), 0) != 0) return -errno;
  if (known) forget_if_unlinked(&st);
  return 0;
}
static int fs_rmdir(const char *path) { return unlinkat(bfd, rel(path), AT_REMOVEDIR) == 0 ? 0 : -errno; }
static int fs_link(const char *from, const char *to) { return linkat(bfd, rel(from), bfd, rel(to), 0) == 0 ? 0 : -errno; }

static int fs_rename(const char *from, const char *to, unsigned int flags) {
  struct stat st;
  int replaced = fstatat(bfd, rel(to), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (syscall(SYS_renameat2, bfd, rel(from), bfd, rel(to), flags) != 0) return -errno;
  if (replaced) forget_if_unlinked(&st);
  return 0;
}

static int fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
  int r = fi != NULL ? fchmod((int)fi->fh, mode) : fchmodat(bfd, rel(path), mode, 0);
  return r == 0 ? 0 : -errno;
}

static int fs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
  int r = fi != NULL ? fchown((int)fi->fh, uid, gid) : fchownat(bfd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW);
  return r == 0 ? 0 : -errno;
}

/* A truncate is a change like a write: what it cuts off the durable part is kept. Lock held. */
static int tracked_truncate(int fd, off_t size) {
  int err = 0;
  struct tracked *t = track(fd, &err);
  if (t == NULL) return err;
  err = save_old(t, size, t->durable_size);
  if (err != 0) return err;
  return ftruncate(fd, size) == 0 ? 0 : -errno;
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
  int fd = fi != NULL ? (int)fi->fh : openat(bfd, rel(path), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  pthread_mutex_lock(&lock);
  int r = tracked_truncate(fd, size);
  pthread_mutex_unlock(&lock);
  if (fi == NULL) close(fd);
  return r;
}

static int fs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
  int r = fi != NULL ? futimens((int)fi->fh, tv) : utimensat(bfd, rel(path), tv, AT_SYMLINK_NOFOLLOW);
  return r == 0 ? 0 : -errno;
}

/* O_APPEND goes: the kernel already gives every write its offset (the end, for appends). */
static int backing_flags(int flags) { return (flags & ~(O_APPEND | O_TRUNC)) | O_CLOEXEC; }

static int opened(int fd, int flags, struct fuse_file_info *fi) {
  if (fd < 0) return -errno;
  if (flags & O_TRUNC) {
    pthread_mutex_lock(&lock);
    int r = tracked_truncate(fd, 0);
    pthread_mutex_unlock(&lock);
    if (r != 0) { close(fd); return r; }
  }
  fi->fh = (uint64_t)fd;
  return 0;
}

static int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
  int fd = openat(bfd, rel(path), backing_flags(fi->flags) | O_CREAT, mode);
  if (fd >= 0) own(rel(path), fd);
  return opened(fd, fi->flags, fi);
}

static int fs_open(const char *path, struct fuse_file_info *fi) {
  return opened(openat(bfd, rel(path), backing_flags(fi->flags)), fi->flags, fi);
}

static int fs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)path;
  ssize_t n = pread((int)fi->fh, buf, size, off);
  return n < 0 ? -errno : (int)n;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)path;
  int fd = (int)fi->fh, err = 0;
  hold_up(&write_delay_ms, &delayed_writes);
  /* A synchronous write is an fsync too: a slow disk holds it up as long. */
  if (fi->flags & (O_SYNC | O_DSYNC)) hold_up(&fsync_delay_ms, &delayed_fsyncs);
  pthread_mutex_lock(&lock);
  struct tracked *t = track(fd, &err);
  if (t != NULL) err = save_old(t, off, off + (off_t)size);
  ssize_t n = -1;
  if (err == 0) {
    n = pwrite(fd, buf, size, off);
    if (n < 0) err = -errno;
    else t->unsynced_bytes += (uint64_t)n;
  }
  /* A synchronous descriptor's write is durable once it returns. */
  if (err == 0 && (fi->flags & (O_SYNC | O_DSYNC))) forget(t);
  pthread_mutex_unlock(&lock);
  return err != 0 ? err : (int)n;
}

static int fs_statfs(const char *path, struct statvfs *st) {
  (void)path;
  return fstatvfs(bfd, st) == 0 ? 0 : -errno;
}

static int fs_flush(const char *path, struct fuse_file_info *fi) {
  (void)path; (void)fi;
  return 0; /* close(2) is not fsync */
}

static int fs_release(const char *path, struct fuse_file_info *fi) {
  (void)path;
  close((int)fi->fh);
  return 0;
}

static int fs_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)path; (void)datasync;
  hold_up(&fsync_delay_ms, &delayed_fsyncs);
  struct stat st;
  if (fstat((int)fi->fh, &st) != 0) return -errno;
  pthread_mutex_lock(&lock);
  struct tracked *t = find_tracked(st.st_dev, st.st_ino);
  if (t != NULL) forget(t);
  pthread_mutex_unlock(&lock);
  return 0;
}

static int fs_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)path; (void)datasync; (void)fi;
  return 0; /* metadata is durable at once in this model */
}

static const struct fuse_operations ops = {
  .init = fs_init,
  .getattr = fs_getattr,
  .readlink = fs_readlink,
  .opendir = fs_opendir,
  .readdir = fs_readdir,
  .releasedir = fs_releasedir,
  .mknod = fs_mknod,
  .mkdir = fs_mkdir,
  .symlink = fs_symlink,
  .unlink = fs_unlink,
  .rmdir = fs_rmdir,
  .rename = fs_rename,
  .link = fs_link,
  .chmod = fs_chmod,
  .chown = fs_chown,
  .truncate = fs_truncate,
  .utimens = fs_utimens,
  .create = fs_create,
  .open = fs_open,
  .read = fs_read,
  .write = fs_write,
  .statfs = fs_statfs,
  .flush = fs_flush,
  .release = fs_release,
  .fsync = fs_fsync,
  .fsyncdir = fs_fsyncdir,
};

int main(int argc, char *argv[]) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s BACKING MOUNTPOINT STATUS_FILE [fuse options]\n", argv[0]);
    return 2;
  }
  status_path = argv[3];
  size_t sl = strlen(status_path);
  if (sl > 7 && strcmp(status_path + sl - 7, ".status") == 0) snprintf(delay_path, sizeof delay_path, "%.*s.delay", (int)(sl - 7), status_path);
  else snprintf(delay_path, sizeof delay_path, "%s.delay", status_path);
  bfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (bfd < 0) { perror(argv[1]); return 1; }
  /* Blocked here, so every FUSE thread inherits the mask and only the control thread takes them. */
  static sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  pthread_t thread;
  if (pthread_create(&thread, NULL, control, &set) != 0) { perror("pthread_create"); return 1; }
  write_status(0, 0, 0, 0);
  /* argv for fuse_main: program, mountpoint, then the caller's options, in the foreground. */
  char **fargv = calloc((size_t)argc + 2, sizeof *fargv);
  if (fargv == NULL) return 1;
  int fargc = 0;
  fargv[fargc++] = argv[0];
  fargv[fargc++] = argv[2];
  fargv[fargc++] = "-f";
  for (int i = 4; i < argc; i++) fargv[fargc++] = argv[i];
  umask(0);
  return fuse_main(fargc, fargv, &ops, NULL);
}
