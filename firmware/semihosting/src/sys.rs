//! The semihosting trap and the one-line wrappers that build each call's parameter block
//! from Rust references. This is the crate's only `unsafe` code.

use crate::op;
use core::arch::asm;

/// Performs semihosting operation `operation` with `argument` in r1.
///
/// # Safety
/// `argument` must be what the operation expects: a plain value, or the address of a
/// parameter block whose pointers stay valid (and writable where the host writes) for
/// the duration of the call.
#[inline(always)]
unsafe fn trap(operation: usize, argument: usize) -> isize {
    let result: isize;
    // SAFETY: `bkpt 0xAB` is the Thumb semihosting trap. The host reads r0/r1, accesses
    // memory only as the caller's contract allows, and returns its result in r0. The asm
    // block is not marked `nomem`, so the compiler assumes memory may change.
    unsafe {
        asm!("bkpt #0xab", inout("r0") operation as isize => result, in("r1") argument, options(nostack));
    }
    result
}

/// `SYS_OPEN`: `path` must end with its NUL (see `params::nul_terminated`).
pub fn open(path: &[u8], mode: usize) -> isize {
    debug_assert_eq!(path.last(), Some(&0));
    let block = [path.as_ptr() as usize, mode, path.len() - 1];
    // SAFETY: the block holds a pointer to `path`, borrowed for the whole call; the host
    // only reads it.
    unsafe { trap(op::SYS_OPEN, block.as_ptr() as usize) }
}

/// `SYS_CLOSE`.
pub fn close(handle: usize) -> isize {
    let block = [handle];
    // SAFETY: a one-word block holding a value; no pointers.
    unsafe { trap(op::SYS_CLOSE, block.as_ptr() as usize) }
}

/// `SYS_WRITE`: returns the number of bytes *not* written.
pub fn write(handle: usize, data: &[u8]) -> isize {
    let block = [handle, data.as_ptr() as usize, data.len()];
    // SAFETY: the host reads at most `data.len()` bytes from `data`, borrowed for the call.
    unsafe { trap(op::SYS_WRITE, block.as_ptr() as usize) }
}

/// `SYS_READ`: returns the number of bytes *not* read.
pub fn read(handle: usize, buffer: &mut [u8]) -> isize {
    let block = [handle, buffer.as_mut_ptr() as usize, buffer.len()];
    // SAFETY: the host writes at most `buffer.len()` bytes into `buffer`, exclusively
    // borrowed for the call.
    unsafe { trap(op::SYS_READ, block.as_ptr() as usize) }
}

/// `SYS_FLEN`: the file's length in bytes, or -1.
pub fn flen(handle: usize) -> isize {
    let block = [handle];
    // SAFETY: a one-word block holding a value; no pointers.
    unsafe { trap(op::SYS_FLEN, block.as_ptr() as usize) }
}

/// `SYS_ERRNO`: the host's errno of the last failed call.
pub fn errno() -> i32 {
    // SAFETY: SYS_ERRNO takes no parameter (r1 must be 0).
    unsafe { trap(op::SYS_ERRNO, 0) as i32 }
}

/// `SYS_GET_CMDLINE`: fills `buffer` and returns (status, length written).
pub fn get_cmdline(buffer: &mut [u8]) -> (isize, usize) {
    let mut block = [buffer.as_mut_ptr() as usize, buffer.len()];
    // SAFETY: the host writes at most `buffer.len()` bytes into `buffer` (exclusively
    // borrowed) and the used length into `block[1]`, which lives across the call.
    let status = unsafe { trap(op::SYS_GET_CMDLINE, block.as_mut_ptr() as usize) };
    (status, block[1].min(buffer.len()))
}

/// `SYS_EXIT_EXTENDED`, then plain `SYS_EXIT` for hosts that lack the extended call.
pub fn exit(block: [usize; 2]) {
    // SAFETY: a two-word block of values; the host stops the program (or, if it does not
    // implement the call, returns and we fall through).
    unsafe { trap(op::SYS_EXIT_EXTENDED, block.as_ptr() as usize) };
    // SAFETY: on AArch32 SYS_EXIT takes the reason code itself in r1.
    unsafe { trap(op::SYS_EXIT, block[0]) };
}
