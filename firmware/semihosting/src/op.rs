//! Operation numbers from Arm's "Semihosting for AArch32 and AArch64", version 2.0.

pub const SYS_OPEN: usize = 0x01;
pub const SYS_CLOSE: usize = 0x02;
pub const SYS_WRITE: usize = 0x05;
pub const SYS_READ: usize = 0x06;
pub const SYS_FLEN: usize = 0x0C;
pub const SYS_ERRNO: usize = 0x13;
pub const SYS_GET_CMDLINE: usize = 0x15;
pub const SYS_EXIT: usize = 0x18;
pub const SYS_EXIT_EXTENDED: usize = 0x20;

/// `ADP_Stopped_ApplicationExit`: the reason code for a normal program exit.
pub const ADP_STOPPED_APPLICATION_EXIT: usize = 0x20026;
