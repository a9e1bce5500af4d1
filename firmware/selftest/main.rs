//! Firmware skeleton: proves that the runtime brought the core up correctly (.data,
//! .bss, static constructors, FPU), echoes its command line, and exits through
//! semihosting with a status the host sees. The person detector builds on this.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};
use semihosting::params::{Error, OpenMode};
use semihosting::{cmdline, heprintln, hprintln, File};

mcu_rt::entry!(main);

/// Printed only when every start-up check passed; the QEMU tests look for it.
const PASS_MARKER: &str = "TINYML-SELFTEST: PASS";
const BOARD: &str = env!("TINYML_BOARD");

static DATA_WORD: AtomicU32 = AtomicU32::new(0x600D_DA7A);
static BSS_WORD: AtomicU32 = AtomicU32::new(0);
static CONSTRUCTORS_RAN: AtomicU32 = AtomicU32::new(0);

extern "C" fn mark_constructors_ran() {
    CONSTRUCTORS_RAN.fetch_add(1, Ordering::Relaxed);
}

/// An entry in .init_array, exactly like a C++ global constructor.
#[used]
#[link_section = ".init_array"]
static CONSTRUCTOR: extern "C" fn() = mark_constructors_ran;

fn check(name: &str, ok: bool) -> bool {
    hprintln!("  {:<28} {}", name, if ok { "ok" } else { "FAILED" });
    ok
}

fn main() -> ! {
    hprintln!("tinyml firmware on {}", BOARD);
    let mut all_ok = true;
    all_ok &= check(
        ".data copied from flash",
        DATA_WORD.load(Ordering::Relaxed) == 0x600D_DA7A,
    );
    all_ok &= check(".bss zeroed", BSS_WORD.load(Ordering::Relaxed) == 0);
    all_ok &= check(
        ".init_array ran once",
        CONSTRUCTORS_RAN.load(Ordering::Relaxed) == 1,
    );
    // Hard-float arithmetic faults (UsageFault) unless the reset handler enabled the FPU.
    let x = core::hint::black_box(1.5f32);
    all_ok &= check("FPU enabled", x * x + 0.25 == 2.5);

    let mut buffer = [0u8; 1024];
    let line = match semihosting::command_line(&mut buffer) {
        Ok(line) => line,
        Err(error) => {
            heprintln!("command line unavailable: {}", error);
            ""
        }
    };
    hprintln!("command line: {:?}", line);
    if let Some(path) = cmdline::flag(line, "read_file") {
        all_ok &= check("host file read", read_host_file(path).is_ok());
    }
    if let Some(path) = cmdline::flag(line, "write_file") {
        all_ok &= check(
            "host file write + read back",
            round_trip_host_file(path).is_ok(),
        );
    }

    if cfg!(feature = "deliberate_failure") {
        heprintln!("deliberate failure: this image exists to prove the QEMU runner reports errors");
        semihosting::exit(1);
    }
    if !all_ok {
        heprintln!("TINYML-SELFTEST: FAIL");
        semihosting::exit(1);
    }
    hprintln!("{}", PASS_MARKER);
    semihosting::exit(0)
}

/// Reads a host file over semihosting and prints its length and text.
fn read_host_file(path: &str) -> Result<(), Error> {
    let mut file = File::open(path, OpenMode::ReadBinary)?;
    let length = file.len()?;
    let mut contents = [0u8; 128];
    let read = file.read_to_fill(&mut contents)?;
    let text = core::str::from_utf8(&contents[..read]).unwrap_or("<binary>");
    hprintln!(
        "read {} of {} bytes from {}: {:?}",
        read,
        length,
        path,
        text
    );
    if read == length.min(contents.len()) {
        Ok(())
    } else {
        Err(Error::Host(-1))
    }
}

/// Writes a pattern to a host file, reads it back and compares.
fn round_trip_host_file(path: &str) -> Result<(), Error> {
    let pattern: [u8; 64] = core::array::from_fn(|i| (i * 7) as u8);
    File::open(path, OpenMode::WriteBinary)?.write_all(&pattern)?;
    let mut back = [0u8; 64];
    let mut file = File::open(path, OpenMode::ReadBinary)?;
    let read = file.read_to_fill(&mut back)?;
    hprintln!("wrote and read back {} bytes at {}", read, path);
    if file.len()? == pattern.len() && back == pattern {
        Ok(())
    } else {
        Err(Error::Host(-1))
    }
}
