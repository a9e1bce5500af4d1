//! Measuring inference cost: marker functions for an instruction-counting emulator and the
//! core's cycle counter for real boards.
//!
//! QEMU counts no cycles (its DWT cycle counter reads 0); the TCG plugin in
//! //toolchains/qemu/insn_count counts the exact instructions executed between a call to
//! [`inference_begin`] and the next call to [`inference_end`], found by these symbols.

use core::sync::atomic::{AtomicU32, Ordering};

/// The last marker passed: 1 after [`inference_begin`], 2 after [`inference_end`]. Public
/// so that the compiler keeps the stores: they give the two markers different bodies
/// (identical ones are folded into one address, and the plugin could not tell them apart).
pub static MARK: AtomicU32 = AtomicU32::new(0);

/// Call right before the work to measure.
// SAFETY: a symbol name no other code defines (prefixed mcu_rt_), so exporting it
// unmangled cannot clash; the plugin finds it by this name.
#[unsafe(export_name = "mcu_rt_inference_begin")]
#[inline(never)]
pub extern "C" fn inference_begin() {
    MARK.store(1, Ordering::Relaxed);
}

/// Call right after the work to measure.
// SAFETY: as for inference_begin.
#[unsafe(export_name = "mcu_rt_inference_end")]
#[inline(never)]
pub extern "C" fn inference_end() {
    MARK.store(2, Ordering::Relaxed);
}

/// The core's free-running cycle counter (DWT CYCCNT, ARMv7-M), started on first use.
/// `None` where it does not run: on the host, and under QEMU, which does not model it.
pub fn cycle_count() -> Option<u32> {
    #[cfg(target_arch = "arm")]
    {
        const DEMCR: *mut u32 = 0xE000_EDFC as *mut u32;
        const DWT_CTRL: *mut u32 = 0xE000_1000 as *mut u32;
        const DWT_CYCCNT: *const u32 = 0xE000_1004 as *const u32;
        const TRCENA: u32 = 1 << 24;
        const CYCCNTENA: u32 = 1;
        // SAFETY: DEMCR and the DWT are architectural registers present on every ARMv7-M
        // core at these addresses; setting TRCENA and CYCCNTENA only starts the counter,
        // and volatile accesses are how memory-mapped registers must be touched.
        let count = unsafe {
            DEMCR.write_volatile(DEMCR.read_volatile() | TRCENA);
            DWT_CTRL.write_volatile(DWT_CTRL.read_volatile() | CYCCNTENA);
            DWT_CYCCNT.read_volatile()
        };
        // A counter that never moved does not exist (QEMU).
        if count == 0 {
            None
        } else {
            Some(count)
        }
    }
    #[cfg(not(target_arch = "arm"))]
    {
        None
    }
}
