/* newlib system calls for running the M7 build under qemu-arm-static (Linux user mode).
 *
 * On the board these come from the SDK (FreeRTOS, the debug UART); here each one is a Linux
 * ARM EABI system call (svc 0, number in r7), which qemu-user carries out on the host, so the
 * test runner can read the golden vectors and print its report. The heap is a static array. */
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>

static long sys3(long nr, long a, long b, long c) {
  register long r0 __asm__("r0") = a;
  register long r1 __asm__("r1") = b;
  register long r2 __asm__("r2") = c;
  register long r7 __asm__("r7") = nr;
  __asm__ volatile("svc 0" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
  return r0;
}

static long ret(long r) {
  if (r < 0 && r > -4096) {
    errno = (int)-r;
    return -1;
  }
  return r;
}

enum { SYS_EXIT = 1, SYS_READ = 3, SYS_WRITE = 4, SYS_OPEN = 5, SYS_CLOSE = 6, SYS_LSEEK = 19 };

void _exit(int code) {
  for (;;) sys3(SYS_EXIT, code, 0, 0);
}
int _read(int fd, char* buf, int n) { return (int)ret(sys3(SYS_READ, fd, (long)buf, n)); }
int _write(int fd, const char* buf, int n) { return (int)ret(sys3(SYS_WRITE, fd, (long)buf, n)); }
int _open(const char* path, int flags, int mode) {
  return (int)ret(sys3(SYS_OPEN, (long)path, flags, mode));
}
int _close(int fd) { return (int)ret(sys3(SYS_CLOSE, fd, 0, 0)); }
int _lseek(int fd, int off, int whence) { return (int)ret(sys3(SYS_LSEEK, fd, off, whence)); }
int _fstat(int fd, struct stat* st) {
  (void)fd;
  st->st_mode = S_IFCHR; /* unbuffered-looking stream; newlib then uses its default buffer */
  return 0;
}
int _isatty(int fd) { return fd <= 2; }
int _kill(int pid, int sig) {
  (void)pid, (void)sig;
  errno = EINVAL;
  return -1;
}
int _getpid(void) { return 1; }

static char heap[16 * 1024 * 1024];
static size_t heap_used;
void* _sbrk(ptrdiff_t inc) {
  if (inc < 0 || heap_used + (size_t)inc > sizeof heap) {
    errno = ENOMEM;
    return (void*)-1;
  }
  void* p = heap + heap_used;
  heap_used += (size_t)inc;
  return p;
}

/* Entry point. newlib's crt0 calls main with no arguments and points the stack into the heap;
 * under qemu-user the kernel-style initial stack holds argc and argv, so start from there. */
extern int main(int argc, char** argv);
extern void __libc_init_array(void);
extern void exit(int code) __attribute__((noreturn));
void* __dso_handle = 0;
void _init(void) {}
void _fini(void) {}

__attribute__((noreturn, used)) void fw_cstart(int argc, char** argv) {
  __libc_init_array();
  exit(main(argc, argv));
}

__attribute__((naked, noreturn)) void _start(void) {
  __asm__ volatile("ldr r0, [sp]\n\tadd r1, sp, #4\n\tbl fw_cstart\n");
}
