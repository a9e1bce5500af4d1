//! Minimal Cortex-M runtime: vector table, reset handler and linker script.
//!
//! The reset handler (assembly, `reset.s`) enables the FPU, zeroes `.bss`, copies
//! `.data`, runs `.init_array` and calls `main`, which the application provides with
//! [`entry!`]. Memory layout and its checks live in `link.x` plus the board's `memory.x`.
#![no_std]

#[cfg(target_arch = "arm")]
core::arch::global_asm!(include_str!("reset.s"));

pub mod profile;

/// Declares the application's entry point: a function that never returns.
///
/// ```ignore
/// mcu_rt::entry!(main);
/// fn main() -> ! { loop {} }
/// ```
#[macro_export]
macro_rules! entry {
    ($path:path) => {
        #[export_name = "main"]
        pub extern "C" fn __mcu_rt_main() -> ! {
            let entry: fn() -> ! = $path;
            entry()
        }
    };
}

/// Exception numbers as read from IPSR, with the names the ARMv7-M manual uses.
pub fn exception_name(number: u32) -> &'static str {
    match number {
        2 => "NMI",
        3 => "HardFault",
        4 => "MemManage",
        5 => "BusFault",
        6 => "UsageFault",
        11 => "SVCall",
        12 => "DebugMonitor",
        14 => "PendSV",
        15 => "SysTick",
        n if n >= 16 => "IRQ",
        _ => "reserved",
    }
}

#[cfg(test)]
mod tests {
    use super::exception_name;

    #[test]
    fn names_faults_and_interrupts() {
        assert_eq!(exception_name(3), "HardFault");
        assert_eq!(exception_name(6), "UsageFault");
        assert_eq!(exception_name(15), "SysTick");
        assert_eq!(exception_name(16), "IRQ");
        assert_eq!(exception_name(7), "reserved");
    }
}
