//! Arm semihosting: console, exit status, command line and host files.
//!
//! The trap itself (`bkpt 0xAB`) is in [`sys`], the only module with `unsafe` code (`report`
//! exports the fault handler symbol with `#[unsafe(no_mangle)]`). Everything
//! that decides what to send (parameter blocks, open modes, argument parsing, buffering)
//! is plain logic in the other modules and is unit-tested on the host.
#![no_std]

pub mod cmdline;
pub mod console;
pub mod op;
pub mod params;

#[cfg(target_arch = "arm")]
mod sys;

#[cfg(target_arch = "arm")]
mod device;
#[cfg(target_arch = "arm")]
pub use device::*;

// Linking this crate into a device program installs its panic and fault reporting.
#[cfg(target_arch = "arm")]
mod report;
