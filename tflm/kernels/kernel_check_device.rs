//! The kernel check on the MCU: the DSP-instruction path against TFLM's reference kernels,
//! under QEMU. Prints the counts and exits 0 only if every case matched.
#![no_std]
#![no_main]

use semihosting::{heprintln, hprintln};

mcu_rt::entry!(main);

/// Cases per kernel: fewer than on the host, the emulated core is slower.
const CASES: u32 = 5000;
const SEED: u32 = 1;

#[repr(C)]
#[derive(Default)]
struct CheckResult {
    requantize_cases: u32,
    conv_cases: u32,
    depthwise_cases: u32,
    add_cases: u32,
    pool_cases: u32,
    scalar_cases: u32,
    mismatches: u32,
}

unsafe extern "C" {
    fn tinyml_kernel_check(seed: u32, cases: u32, report: *mut u8, report_size: usize) -> CheckResult;
}

fn main() -> ! {
    let mut report = [0u8; 512];
    // SAFETY: `report` is a writable buffer of the length passed; the C function writes at
    // most that many bytes (NUL included) and keeps no pointer to it.
    let result = unsafe { tinyml_kernel_check(SEED, CASES, report.as_mut_ptr(), report.len()) };
    hprintln!(
        "requantize {} conv {} depthwise {} add {} pool {} scalar {} mismatches {}",
        result.requantize_cases,
        result.conv_cases,
        result.depthwise_cases,
        result.add_cases,
        result.pool_cases,
        result.scalar_cases,
        result.mismatches
    );
    if result.mismatches != 0
        || result.conv_cases == 0
        || result.depthwise_cases == 0
        || result.add_cases == 0
        || result.pool_cases == 0
        || result.scalar_cases == 0
    {
        let end = report.iter().position(|&b| b == 0).unwrap_or(report.len());
        heprintln!("first mismatch: {}", core::str::from_utf8(&report[..end]).unwrap_or("?"));
        heprintln!("TINYML-KERNEL-CHECK: FAIL");
        semihosting::exit(1);
    }
    hprintln!("TINYML-KERNEL-CHECK: PASS");
    semihosting::exit(0)
}
