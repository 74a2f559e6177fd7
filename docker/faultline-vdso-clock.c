/*
 * faultline-vdso-clock: moves the wall clock one running process sees, without touching the
 * kernel's (containers share it), by redirecting the process's vDSO clock functions.
 *
 *   faultline-vdso-clock PID OFFSET_NS     install (first time) or change the offset; 0 heals
 *                                          (and installs nothing where nothing is installed)
 *   faultline-vdso-clock --show PID        prints the offset installed in PID, if any
 *
 * Go (etcd, Consul) reads time through the vDSO, never through libc, so an LD_PRELOAD such
 * as libfaketime cannot reach it. The idea is Chaos Mesh's TimeChaos: stop every thread with
 * ptrace, map one page into the process by making one of its threads run an mmap system
 * call, write into that page a replacement for __vdso_clock_gettime (and
 * __vdso_gettimeofday) that makes the real system call and adds an offset kept in the same
 * page to CLOCK_REALTIME and CLOCK_REALTIME_COARSE, then overwrite the vDSO functions'
 * first bytes with an absolute jump to it. Later calls only rewrite the offset in the page
 * (through /proc/PID/mem; the page is found from the jump, and recognised by its magic).
 *
 * Prints one JSON line. Exit 0: the offset is in place. Exit 2: nothing was changed in the
 * process (or, when it says so, only an unused page was mapped), with the reason: not
 * x86_64, no [vdso], a symbol missing or too short, an entry already patched by someone
 * else, a ptrace failure. Exit 3: bad arguments.
 *
 * Limits: CLOCK_MONOTONIC and the other clocks are passed through (their calls become real
 * system calls, a little slower); binaries that make the system call themselves, and
 * __vdso_time, are not affected; a process started after the call is not affected.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if !defined(__x86_64__)
int main(void) {
  printf("{\"ok\":false,\"reason\":\"faultline-vdso-clock only knows x86_64\"}\n");
  return 2;
}
#else

/*
 * The page written into the process: a header (magic, offset, where it patched, the bytes
 * it overwrote) then the two replacement functions. Position-independent: the functions
 * find the offset RIP-relative, so the bytes work wherever mmap put the page.
 */
#define MAGIC "FLVDSOC1"
#define HDR_OFFSET 8
#define HDR_CGT_ENTRY 16
#define HDR_GTOD_ENTRY 24
#define HDR_CGT_ORIG 32
#define HDR_GTOD_ORIG 48
#define CODE_START 64
#define PAGE 4096
/* movabs $addr, %rax; jmp *%rax */
#define JMP_LEN 12

extern const unsigned char fvc_blob_start[], fvc_blob_end[], fvc_cgt[], fvc_gtod[];

__asm__(
    ".pushsection .rodata\n"
    ".balign 16\n"
    ".globl fvc_blob_start\n"
    "fvc_blob_start:\n"
    "  .ascii \"" MAGIC "\"\n"
    "fvc_off:\n"
    "  .quad 0\n"
    "  .fill 48, 1, 0\n"
    /* int clock_gettime(clockid_t clk %edi, struct timespec *ts %rsi) */
    ".globl fvc_cgt\n"
    "fvc_cgt:\n"
    "  mov $228, %eax\n" /* SYS_clock_gettime; syscall keeps rdi, rsi */
    "  syscall\n"
    "  test %rax, %rax\n"
    "  jnz 9f\n"
    "  cmp $0, %edi\n" /* CLOCK_REALTIME */
    "  je 1f\n"
    "  cmp $5, %edi\n" /* CLOCK_REALTIME_COARSE */
    "  jne 9f\n"
    "1:\n"
    "  mov fvc_off(%rip), %r8\n"
    "  test %r8, %r8\n"
    "  jz 9f\n"
    "  mov (%rsi), %rax\n"
    "  mov $1000000000, %rcx\n"
    "  imul %rcx, %rax\n"
    "  add 8(%rsi), %rax\n"
    "  add %r8, %rax\n"
    "  cqo\n"
    "  idiv %rcx\n"
    "  test %rdx, %rdx\n"
    "  jns 2f\n"
    "  add %rcx, %rdx\n"
    "  dec %rax\n"
    "2:\n"
    "  mov %rax, (%rsi)\n"
    "  mov %rdx, 8(%rsi)\n"
    "  xor %eax, %eax\n"
    "9:\n"
    "  ret\n"
    /* int gettimeofday(struct timeval *tv %rdi, struct timezone *tz %rsi) */
    ".globl fvc_gtod\n"
    "fvc_gtod:\n"
    "  mov $96, %eax\n" /* SYS_gettimeofday */
    "  syscall\n"
    "  test %rax, %rax\n"
    "  jnz 9f\n"
    "  test %rdi, %rdi\n"
    "  jz 9f\n"
    "  mov fvc_off(%rip), %r8\n"
    "  test %r8, %r8\n"
    "  jz 9f\n"
    "  mov (%rdi), %rax\n"
    "  mov $1000000000, %rcx\n"
    "  imul %rcx, %rax\n"
    "  mov 8(%rdi), %rdx\n"
    "  imul $1000, %rdx, %rdx\n"
    "  add %rdx, %rax\n"
    "  add %r8, %rax\n"
    "  cqo\n"
    "  idiv %rcx\n"
    "  test %rdx, %rdx\n"
    "  jns 2f\n"
    "  add %rcx, %rdx\n"
    "  dec %rax\n"
    "2:\n"
    "  mov %rax, (%rdi)\n"
    "  mov %rdx, %rax\n"
    "  xor %edx, %edx\n"
    "  mov $1000, %rcx\n"
    "  div %rcx\n"
    "  mov %rax, 8(%rdi)\n"
    "  xor %eax, %eax\n"
    "9:\n"
    "  ret\n"
    ".globl fvc_blob_end\n"
    "fvc_blob_end:\n"
    ".popsection\n");

static int pid;
static long long offset_ns;

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* The reason, JSON-escaped enough for the messages below (no quotes or backslashes in them). */
static void fail(const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  for (char *p = msg; *p; p++)
    if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) *p = '\'';
  printf("{\"ok\":false,\"pid\":%d,\"reason\":\"%s\"}\n", pid, msg);
  exit(2);
}

static int mem_fd(int flags) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mem", pid);
  int fd = open(path, flags);
  if (fd < 0) fail("cannot open %s: %s (the container needs CAP_SYS_PTRACE)", path, strerror(errno));
  return fd;
}

static int read_mem(uint64_t addr, void *buf, size_t len) {
  int fd = mem_fd(O_RDONLY);
  ssize_t n = pread(fd, buf, len, (off_t)addr);
  close(fd);
  return n == (ssize_t)len ? 0 : -1;
}

/* ---- the [vdso] mapping and its symbols ---- */

struct vdso {
  uint64_t start, end;
  unsigned char *image;
  uint64_t cgt, gtod;         /* absolute addresses; 0 when absent */
  uint64_t cgt_size, gtod_size;
  uint64_t syscall_insn;      /* a `syscall` instruction inside the vDSO's text */
};

static void find_vdso(struct vdso *v) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/%d/maps", pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) fail("cannot read %s: %s", path, strerror(errno));
  v->start = v->end = 0;
  while (fgets(line, sizeof line, f) != NULL) {
    if (strstr(line, "[vdso]") == NULL) continue;
    if (sscanf(line, "%" SCNx64 "-%" SCNx64, &v->start, &v->end) != 2) fail("cannot parse the [vdso] line of %s", path);
    break;
  }
  fclose(f);
  if (v->end <= v->start) fail("the process has no [vdso] mapping");
  if (v->end - v->start > (1u << 20)) fail("a [vdso] of %" PRIu64 " bytes is not a layout this helper knows", v->end - v->start);
  v->image = malloc(v->end - v->start);
  if (v->image == NULL || read_mem(v->start, v->image, v->end - v->start) != 0) fail("cannot read the [vdso] of the process");
}

/* Checks that [off, off+len) lies inside the image. */
static int in_image(const struct vdso *v, uint64_t off, uint64_t len) {
  uint64_t size = v->end - v->start;
  return off <= size && len <= size - off;
}

static void parse_vdso(struct vdso *v) {
  const unsigned char *img = v->image;
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
  if (!in_image(v, 0, sizeof *eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64)
    fail("the [vdso] is not an x86_64 ELF image");
  if (eh->e_shentsize != sizeof(Elf64_Shdr) || !in_image(v, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
    fail("the [vdso] has no section headers this helper can read");
  if (eh->e_phentsize != sizeof(Elf64_Phdr) || !in_image(v, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
    fail("the [vdso] has no program headers this helper can read");
  /* Symbol values are virtual addresses of the image as linked: the first PT_LOAD maps file offset p_offset at p_vaddr. */
  const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
  int64_t bias = 0;
  int found_load = 0;
  for (int i = 0; i < eh->e_phnum; i++)
    if (ph[i].p_type == PT_LOAD) {
      bias = (int64_t)ph[i].p_offset - (int64_t)ph[i].p_vaddr;
      found_load = 1;
      break;
    }
  if (!found_load) fail("the [vdso] has no PT_LOAD segment");
  const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
  const Elf64_Shdr *dynsym = NULL;
  for (int i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_type == SHT_DYNSYM) dynsym = &sh[i];
  }
  if (dynsym == NULL || dynsym->sh_link >= eh->e_shnum) fail("the [vdso] has no .dynsym");
  const Elf64_Shdr *strtab = &sh[dynsym->sh_link];
  if (!in_image(v, dynsym->sh_offset, dynsym->sh_size) || !in_image(v, strtab->sh_offset, strtab->sh_size) || dynsym->sh_entsize != sizeof(Elf64_Sym))
    fail("the [vdso] .dynsym lies outside the mapping");
  const Elf64_Sym *syms = (const Elf64_Sym *)(img + dynsym->sh_offset);
  const char *names = (const char *)(img + strtab->sh_offset);
  v->cgt = v->gtod = 0;
  for (uint64_t i = 0; i < dynsym->sh_size / sizeof(Elf64_Sym); i++) {
    if (syms[i].st_name >= strtab->sh_size || ELF64_ST_TYPE(syms[i].st_info) != STT_FUNC || syms[i].st_shndx == SHN_UNDEF) continue;
    const char *name = names + syms[i].st_name;
    if (memchr(name, 0, strtab->sh_size - syms[i].st_name) == NULL) continue;
    int64_t off = (int64_t)syms[i].st_value + bias;
    if (off < 0 || !in_image(v, (uint64_t)off, syms[i].st_size)) continue;
    if (strcmp(name, "__vdso_clock_gettime") == 0) {
      v->cgt = v->start + (uint64_t)off;
      v->cgt_size = syms[i].st_size;
    } else if (strcmp(name, "__vdso_gettimeofday") == 0) {
      v->gtod = v->start + (uint64_t)off;
      v->gtod_size = syms[i].st_size;
    }
  }
  if (v->cgt == 0) fail("the [vdso] exports no __vdso_clock_gettime");
  if (v->cgt_size < JMP_LEN) fail("__vdso_clock_gettime is %" PRIu64 " bytes, too short for a %d-byte jump", v->cgt_size, JMP_LEN);
  if (v->gtod != 0 && v->gtod_size < JMP_LEN) v->gtod = 0; /* optional: left alone when too short to patch */
  /* A `syscall` (0f 05) for the injected mmap: the vDSO's own fallbacks contain one (the whole mapping is executable). */
  v->syscall_insn = 0;
  for (uint64_t i = 0; i + 1 < v->end - v->start; i++)
    if (img[i] == 0x0f && img[i + 1] == 0x05) {
      v->syscall_insn = v->start + i;
      break;
    }
  if (v->syscall_insn == 0) fail("no syscall instruction in the [vdso] text to inject mmap with");
}

/* The page our jump at `entry` leads to, or 0 when the entry is not a jump of ours. -1: someone else's jump. */
static int64_t installed_page(uint64_t entry) {
  unsigned char code[JMP_LEN];
  if (read_mem(entry, code, sizeof code) != 0) fail("cannot read the vDSO entry at 0x%" PRIx64, entry);
  if (!(code[0] == 0x48 && code[1] == 0xb8 && code[10] == 0xff && code[11] == 0xe0)) return 0;
  uint64_t target;
  memcpy(&target, code + 2, 8);
  uint64_t page = target & ~(uint64_t)(PAGE - 1);
  char magic[8];
  if (read_mem(page, magic, sizeof magic) != 0 || memcmp(magic, MAGIC, 8) != 0) return -1;
  return (int64_t)page;
}

static void write_offset(uint64_t page) {
  int fd = mem_fd(O_RDWR);
  /* One aligned 8-byte write: a reader sees the old offset or the new one. */
  ssize_t n = pwrite(fd, &offset_ns, sizeof offset_ns, (off_t)(page + HDR_OFFSET));
  close(fd);
  if (n != (ssize_t)sizeof offset_ns) fail("cannot write the offset into the page at 0x%" PRIx64 ": %s", page, strerror(errno));
  long long check = 0;
  if (read_mem(page + HDR_OFFSET, &check, sizeof check) != 0 || check != offset_ns) fail("the offset read back from the page is not the one written");
}

/* ---- stopping every thread ---- */

struct thread {
  pid_t tid;
  int sig;      /* a signal it stopped for instead of our interrupt: given back at detach */
  int gone;
};

static struct thread *threads;
static int nthreads, cap_threads;

static int known(pid_t tid) {
  for (int i = 0; i < nthreads; i++)
    if (threads[i].tid == tid) return 1;
  return 0;
}

static void detach_all(void) {
  for (int i = 0; i < nthreads; i++)
    if (!threads[i].gone) ptrace(PTRACE_DETACH, threads[i].tid, NULL, (void *)(long)threads[i].sig);
}

static void fail_detached(const char *what) __attribute__((noreturn));
static void fail_detached(const char *what) {
  detach_all();
  fail("%s", what);
}

/* Waits until `t` is stopped under us; a thread that exits meanwhile is marked gone. */
static void wait_stopped(struct thread *t) {
  for (int tries = 0; tries < 100; tries++) {
    int st;
    pid_t r = waitpid(t->tid, &st, __WALL);
    if (r < 0) {
      if (errno == EINTR) continue;
      t->gone = 1;
      return;
    }
    if (WIFEXITED(st) || WIFSIGNALED(st)) {
      t->gone = 1;
      return;
    }
    if (!WIFSTOPPED(st)) continue;
    if ((st >> 16) == PTRACE_EVENT_STOP) return;
    /* A signal-delivery stop is a stop too: keep the signal for the detach, which delivers it. */
    if ((st >> 16) == 0) {
      t->sig = WSTOPSIG(st);
      return;
    }
    ptrace(PTRACE_CONT, t->tid, NULL, NULL);
  }
  fail_detached("a thread did not stop under ptrace");
}

static void stop_all(void) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task", pid);
  for (int rounds = 0; rounds < 50; rounds++) {
    DIR *d = opendir(path);
    if (d == NULL) fail_detached("the process is gone");
    int added = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      pid_t tid = (pid_t)atoi(e->d_name);
      if (tid <= 0 || known(tid)) continue;
      if (nthreads == cap_threads) {
        cap_threads = cap_threads == 0 ? 64 : cap_threads * 2;
        threads = realloc(threads, (size_t)cap_threads * sizeof *threads);
        if (threads == NULL) fail_detached("out of memory");
      }
      struct thread *t = &threads[nthreads];
      *t = (struct thread){.tid = tid};
      if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD) != 0) {
        if (errno == ESRCH) continue; /* exited between the listing and the seize */
        int err = errno;
        closedir(d);
        detach_all();
        fail("cannot ptrace thread %d: %s (the container needs CAP_SYS_PTRACE)", tid, strerror(err));
      }
      nthreads++;
      added++;
      if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) != 0) t->gone = 1;
      else wait_stopped(t);
    }
    closedir(d);
    if (added == 0) return; /* every thread listed is stopped: none left running to start another */
  }
  fail_detached("threads kept appearing while stopping the process");
}

/* ---- running one mmap in a stopped thread ---- */

static int wait_syscall_stop(struct thread *t) {
  for (int tries = 0; tries < 20; tries++) {
    int st;
    if (waitpid(t->tid, &st, __WALL) < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (!WIFSTOPPED(st)) return -1;
    if (WSTOPSIG(st) == (SIGTRAP | 0x80)) return 0;
    /* A signal arriving meanwhile: held back (given at detach), the system call goes on. */
    if ((st >> 16) == 0 && WSTOPSIG(st) != SIGTRAP) t->sig = WSTOPSIG(st);
    if (ptrace(PTRACE_SYSCALL, t->tid, NULL, NULL) != 0) return -1;
  }
  return -1;
}

/* The state to resume a thread in after our system call, had it been stopped inside one of its own. */
static void restart_fixup(struct user_regs_struct *r) {
  long long rax = (long long)r->rax;
  if ((long long)r->orig_rax < 0) return;
  if (rax == -512 || rax == -513 || rax == -514) { /* ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND: run it again */
    r->rax = r->orig_rax;
    r->rip -= 2;
  } else if (rax == -516) { /* ERESTART_RESTARTBLOCK */
    r->rax = SYS_restart_syscall;
    r->rip -= 2;
  }
}

static uint64_t inject_mmap(struct thread *t, uint64_t syscall_insn) {
  struct user_regs_struct saved, r;
  if (ptrace(PTRACE_GETREGS, t->tid, NULL, &saved) != 0) fail_detached("cannot read the registers of a stopped thread");
  r = saved;
  r.rip = syscall_insn;
  r.rax = SYS_mmap;
  r.rdi = 0;
  r.rsi = PAGE;
  r.rdx = 7;    /* PROT_READ|PROT_WRITE|PROT_EXEC: the offset is rewritten later without ptrace */
  r.r10 = 0x22; /* MAP_PRIVATE|MAP_ANONYMOUS */
  r.r8 = (unsigned long long)-1;
  r.r9 = 0;
  r.orig_rax = (unsigned long long)-1; /* not inside a system call: the kernel must not restart anything */
  if (ptrace(PTRACE_SETREGS, t->tid, NULL, &r) != 0) fail_detached("cannot set the registers of a stopped thread");
  int ok = ptrace(PTRACE_SYSCALL, t->tid, NULL, NULL) == 0 && wait_syscall_stop(t) == 0 /* entry */
           && ptrace(PTRACE_SYSCALL, t->tid, NULL, NULL) == 0 && wait_syscall_stop(t) == 0 /* exit */
           && ptrace(PTRACE_GETREGS, t->tid, NULL, &r) == 0;
  uint64_t page = ok ? r.rax : 0;
  /* The thread goes back to where it was, its own interrupted system call restarted as the kernel would. */
  restart_fixup(&saved);
  if (ptrace(PTRACE_SETREGS, t->tid, NULL, &saved) != 0) {
    /* It is stopped somewhere we cannot resume it correctly from: kill nothing, say so. */
    fail_detached("cannot restore the registers of the thread that ran mmap; the process may be damaged");
  }
  if (!ok) fail_detached("the injected mmap did not complete");
  if ((int64_t)page < 0 && (int64_t)page > -4096) fail_detached("the injected mmap failed");
  return page;
}

/* Writes 16 bytes at an 8-aligned address through ptrace (the vDSO text is not writable). */
static int poke16(pid_t tid, uint64_t addr, const unsigned char *bytes) {
  for (int w = 0; w < 2; w++) {
    long word;
    memcpy(&word, bytes + 8 * w, 8);
    if (ptrace(PTRACE_POKETEXT, tid, (void *)(addr + 8 * w), (void *)word) != 0) return -1;
  }
  return 0;
}

/* Overwrites the first JMP_LEN bytes of `entry` with a jump to `target`. */
static int patch_entry(pid_t tid, uint64_t entry, uint64_t target) {
  uint64_t base = entry & ~(uint64_t)7;
  unsigned char buf[24];
  if (read_mem(base, buf, sizeof buf) != 0) return -1;
  unsigned char *p = buf + (entry - base);
  p[0] = 0x48;
  p[1] = 0xb8;
  memcpy(p + 2, &target, 8);
  p[10] = 0xff;
  p[11] = 0xe0;
  if (poke16(tid, base, buf) != 0) return -1;
  if (entry - base + JMP_LEN > 16) {
    long word;
    memcpy(&word, buf + 16, 8);
    if (ptrace(PTRACE_POKETEXT, tid, (void *)(base + 16), (void *)word) != 0) return -1;
  }
  unsigned char check[JMP_LEN];
  return read_mem(entry, check, sizeof check) == 0 && memcmp(check, p, JMP_LEN) == 0 ? 0 : -1;
}

/* No stopped thread may sit inside the bytes about to be overwritten (it would resume mid-instruction). */
static int thread_inside(uint64_t entry) {
  for (int i = 0; i < nthreads; i++) {
    if (threads[i].gone) continue;
    struct user_regs_struct r;
    if (ptrace(PTRACE_GETREGS, threads[i].tid, NULL, &r) != 0) continue;
    if (r.rip > entry && r.rip < entry + JMP_LEN) return 1;
  }
  return 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int parse_ll(const char *s, long long *out) {
  char *end;
  errno = 0;
  *out = strtoll(s, &end, 10);
  return errno == 0 && end != s && *end == 0 ? 0 : -1;
}

static void usage(void) {
  printf("{\"ok\":false,\"reason\":\"usage: faultline-vdso-clock PID OFFSET_NS | --show PID\"}\n");
  exit(3);
}

int main(int argc, char **argv) {
  long long n;
  int show = argc == 3 && strcmp(argv[1], "--show") == 0;
  if (argc != 3) usage();
  if (parse_ll(show ? argv[2] : argv[1], &n) != 0 || n <= 0 || n > 0x7fffffff) usage();
  pid = (int)n;
  if (!show && parse_ll(argv[2], &offset_ns) != 0) usage();
  /* Beyond ±100 years the arithmetic in the page could overflow: refuse. */
  if (offset_ns > 3155760000000000000LL || offset_ns < -3155760000000000000LL) usage();
  double t0 = now_ms();

  struct vdso v;
  find_vdso(&v);
  parse_vdso(&v);
  int64_t page = installed_page(v.cgt);
  if (page < 0) fail("__vdso_clock_gettime already jumps somewhere that is not this helper's page");
  if (show) {
    long long cur = 0;
    if (page > 0 && read_mem((uint64_t)page + HDR_OFFSET, &cur, sizeof cur) != 0) fail("cannot read the installed page");
    printf("{\"ok\":true,\"pid\":%d,\"installed\":%s,\"offsetNs\":%lld}\n", pid, page > 0 ? "true" : "false", cur);
    return 0;
  }
  if (page > 0) {
    write_offset((uint64_t)page);
    printf("{\"ok\":true,\"pid\":%d,\"installed\":false,\"offsetNs\":%lld,\"page\":\"0x%" PRIx64 "\",\"ms\":%.1f}\n", pid, offset_ns, (uint64_t)page, now_ms() - t0);
    return 0;
  }

  /* Healing a process never moved: nothing to undo, and no reason to stop it. */
  if (offset_ns == 0) {
    printf("{\"ok\":true,\"pid\":%d,\"installed\":false,\"offsetNs\":0,\"nothingInstalled\":true}\n", pid);
    return 0;
  }
  /* A stopped (paused) process would be resumed by the injection: refuse rather than change its state. */
  char path[64], stat[512];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *sf = fopen(path, "r");
  if (sf == NULL || fgets(stat, sizeof stat, sf) == NULL) fail("cannot read %s", path);
  fclose(sf);
  char *paren = strrchr(stat, ')');
  if (paren == NULL || paren[1] != ' ') fail("cannot parse %s", path);
  if (paren[2] == 'T' || paren[2] == 't') fail("the process is stopped (paused); its clock is left alone");

  stop_all();
  /* The entry may have been patched by a concurrent helper between our look and the stop. */
  page = installed_page(v.cgt);
  if (page != 0) fail_detached("the vDSO changed while stopping the process");
  int any_inside = thread_inside(v.cgt) || (v.gtod != 0 && thread_inside(v.gtod));
  if (any_inside) fail_detached("a thread was stopped inside a vDSO entry; try again");
  struct thread *runner = NULL;
  for (int i = 0; i < nthreads && runner == NULL; i++)
    if (!threads[i].gone && threads[i].sig == 0) runner = &threads[i];
  if (runner == NULL) fail_detached("no stopped thread to run mmap in");
  uint64_t newpage = inject_mmap(runner, v.syscall_insn);

  unsigned char blob[PAGE];
  size_t len = (size_t)(fvc_blob_end - fvc_blob_start);
  if (len > PAGE) fail_detached("the replacement code does not fit a page");
  memset(blob, 0, sizeof blob);
  memcpy(blob, fvc_blob_start, len);
  memcpy(blob + HDR_OFFSET, &offset_ns, 8);
  memcpy(blob + HDR_CGT_ENTRY, &v.cgt, 8);
  memcpy(blob + HDR_GTOD_ENTRY, &v.gtod, 8);
  memcpy(blob + HDR_CGT_ORIG, v.image + (v.cgt - v.start), 16);
  if (v.gtod != 0) memcpy(blob + HDR_GTOD_ORIG, v.image + (v.gtod - v.start), 16);
  int fd = mem_fd(O_RDWR);
  ssize_t w = pwrite(fd, blob, PAGE, (off_t)newpage);
  close(fd);
  if (w != PAGE) fail_detached("cannot write the replacement page (an unused page stays mapped)");
  uint64_t cgt_target = newpage + (uint64_t)(fvc_cgt - fvc_blob_start);
  uint64_t gtod_target = newpage + (uint64_t)(fvc_gtod - fvc_blob_start);
  if (patch_entry(runner->tid, v.cgt, cgt_target) != 0) fail_detached("cannot patch __vdso_clock_gettime (an unused page stays mapped)");
  int gtod_patched = v.gtod != 0 && patch_entry(runner->tid, v.gtod, gtod_target) == 0;
  int stopped = nthreads;
  detach_all();
  printf("{\"ok\":true,\"pid\":%d,\"installed\":true,\"offsetNs\":%lld,\"page\":\"0x%" PRIx64 "\",\"patched\":[\"__vdso_clock_gettime\"%s],\"threads\":%d,\"ms\":%.1f}\n",
         pid, offset_ns, newpage, gtod_patched ? ",\"__vdso_gettimeofday\"" : "", stopped, now_ms() - t0);
  return 0;
}
#endif
