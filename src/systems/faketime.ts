/**
 * libfaketime in the node images (Debian's paths): what a system whose runtime reads time
 * through libc preloads to have its clock moved by the clock fault. The preload reads its
 * offset from FAKETIME_FILE on every time call; no file, no offset.
 */
const LIB = '/usr/lib/x86_64-linux-gnu';
export const FAKETIME_LIB = `${LIB}/faketime/libfaketime.so.1`;
/** Debian's redis-server (jemalloc) hangs under a bare libfaketime preload; tcmalloc first works. */
export const TCMALLOC_LIB = `${LIB}/libtcmalloc_minimal.so.4`;
export const FAKETIME_FILE = '/run/faultline/faketime';
