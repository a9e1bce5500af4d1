//! How a program on semihosting dies: a panic or a fault is printed on the host's stderr
//! and becomes QEMU's exit status (101 for a panic, as Rust's test harness uses; 3 for a
//! fault), so tests see the reason instead of a hang.

use crate::{exit, heprintln};

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    heprintln!("panic: {}", info);
    exit(101)
}

/// Called by the runtime for every fault or unexpected exception (see //firmware/rt).
// SAFETY: the one definition of this symbol in a program (the runtime only PROVIDEs a
// fallback), with the signature the runtime's assembly calls it with.
#[unsafe(no_mangle)]
extern "C" fn mcu_fault_handler(exception: u32) -> ! {
    heprintln!(
        "fatal exception {} ({})",
        exception,
        mcu_rt::exception_name(exception)
    );
    exit(3)
}
